"""The rest of the VarianceScaling family: Glorot uniform, He and LeCun.

Each class is a fixed ``VarianceScaling`` configuration, with the scale,
mode and distribution that TensorFlow 2, Keras and JAX give it (truncated
normals for the ``*Normal`` classes, ``U(-limit, limit)`` for the
``*Uniform`` ones), and TensorFlow-v1-style ``{"seed", "dtype"}`` configs.
"""

from __future__ import annotations

from .initializers import _Preset

__all__ = [
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "LecunNormal",
    "LecunUniform",
    "glorot_uniform",
    "glorot_uniform_initializer",
    "xavier_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
]


class GlorotUniform(_Preset):
    """Glorot (Xavier) uniform initializer.

    ``U(-limit, limit)`` with ``limit = sqrt(6 / (fan_in + fan_out))``: it is
    ``VarianceScaling(scale=1.0, mode="fan_avg", distribution="uniform")``,
    as in TensorFlow, Keras and JAX.

    Parameters
    ----------
    seed : int or None, default None
        See :class:`VarianceScaling`.
    dtype : dtype-like, default "float32"
        Default output dtype.
    compat : {None, "tf.compat.v1", "tf.keras", "keras2"}, default None
        None for this library's own stream; otherwise TensorFlow's values for
        this configuration, bit for bit (see :class:`VarianceScaling`).
    in_axis, out_axis, batch_axis : int or sequence of int, keyword-only
        Fan axes, see :class:`VarianceScaling`; ``**gn.TORCH_LAYOUT`` for
        PyTorch's ``(out, in, *kernel)`` weights.

    Examples
    --------
    >>> import numpy as np
    >>> import glorot_numba as gn
    >>> w = gn.GlorotUniform(seed=0)((784, 256))
    >>> bool(np.abs(w).max() <= np.sqrt(6 / (784 + 256)))
    True
    """

    _MODE = "fan_avg"
    _DISTRIBUTION = "uniform"


class HeNormal(_Preset):
    """He (Kaiming) normal initializer.

    A normal truncated at two standard deviations whose standard deviation
    after truncation is ``sqrt(2 / fan_in)``: ``VarianceScaling(scale=2.0,
    mode="fan_in", distribution="truncated_normal")``, as in TensorFlow 2,
    Keras and JAX (PyTorch's ``kaiming_normal_`` is untruncated).

    Parameters
    ----------
    seed : int or None, default None
        See :class:`VarianceScaling`.
    dtype : dtype-like, default "float32"
        Default output dtype.
    compat : {None, "tf.compat.v1", "tf.keras", "keras2"}, default None
        None for this library's own stream; otherwise TensorFlow's values for
        this configuration, bit for bit (see :class:`VarianceScaling`).
    in_axis, out_axis, batch_axis : int or sequence of int, keyword-only
        Fan axes, see :class:`VarianceScaling`; ``**gn.TORCH_LAYOUT`` for
        PyTorch's ``(out, in, *kernel)`` weights.

    Examples
    --------
    >>> import glorot_numba as gn
    >>> w = gn.HeNormal(seed=0)((3, 3, 64, 128))
    >>> round(float(w.std() * (3 * 3 * 64) ** 0.5), 1)   # ~ sqrt(2)
    1.4
    """

    _SCALE = 2.0


class HeUniform(_Preset):
    """He (Kaiming) uniform initializer.

    ``U(-limit, limit)`` with ``limit = sqrt(6 / fan_in)``:
    ``VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform")``.

    Parameters
    ----------
    seed : int or None, default None
        See :class:`VarianceScaling`.
    dtype : dtype-like, default "float32"
        Default output dtype.
    compat : {None, "tf.compat.v1", "tf.keras", "keras2"}, default None
        None for this library's own stream; otherwise TensorFlow's values for
        this configuration, bit for bit (see :class:`VarianceScaling`).
    in_axis, out_axis, batch_axis : int or sequence of int, keyword-only
        Fan axes, see :class:`VarianceScaling`; ``**gn.TORCH_LAYOUT`` for
        PyTorch's ``(out, in, *kernel)`` weights.

    Examples
    --------
    >>> import numpy as np
    >>> import glorot_numba as gn
    >>> w = gn.HeUniform(seed=0)((512, 256))
    >>> bool(np.abs(w).max() <= np.sqrt(6 / 512))
    True
    """

    _SCALE = 2.0
    _DISTRIBUTION = "uniform"


class LecunNormal(_Preset):
    """LeCun normal initializer.

    A normal truncated at two standard deviations whose standard deviation
    after truncation is ``sqrt(1 / fan_in)``: ``VarianceScaling(scale=1.0,
    mode="fan_in", distribution="truncated_normal")``.

    Parameters
    ----------
    seed : int or None, default None
        See :class:`VarianceScaling`.
    dtype : dtype-like, default "float32"
        Default output dtype.
    compat : {None, "tf.compat.v1", "tf.keras", "keras2"}, default None
        None for this library's own stream; otherwise TensorFlow's values for
        this configuration, bit for bit (see :class:`VarianceScaling`).
    in_axis, out_axis, batch_axis : int or sequence of int, keyword-only
        Fan axes, see :class:`VarianceScaling`; ``**gn.TORCH_LAYOUT`` for
        PyTorch's ``(out, in, *kernel)`` weights.

    Examples
    --------
    >>> import glorot_numba as gn
    >>> w = gn.LecunNormal(seed=0)((400, 300))
    >>> round(float(w.std() * 400 ** 0.5), 1)
    1.0
    """


class LecunUniform(_Preset):
    """LeCun uniform initializer.

    ``U(-limit, limit)`` with ``limit = sqrt(3 / fan_in)``:
    ``VarianceScaling(scale=1.0, mode="fan_in", distribution="uniform")``.

    Parameters
    ----------
    seed : int or None, default None
        See :class:`VarianceScaling`.
    dtype : dtype-like, default "float32"
        Default output dtype.
    compat : {None, "tf.compat.v1", "tf.keras", "keras2"}, default None
        None for this library's own stream; otherwise TensorFlow's values for
        this configuration, bit for bit (see :class:`VarianceScaling`).
    in_axis, out_axis, batch_axis : int or sequence of int, keyword-only
        Fan axes, see :class:`VarianceScaling`; ``**gn.TORCH_LAYOUT`` for
        PyTorch's ``(out, in, *kernel)`` weights.

    Examples
    --------
    >>> import numpy as np
    >>> import glorot_numba as gn
    >>> w = gn.LecunUniform(seed=0)((300, 200))
    >>> bool(np.abs(w).max() <= np.sqrt(3 / 300))
    True
    """

    _DISTRIBUTION = "uniform"


glorot_uniform = GlorotUniform
glorot_uniform_initializer = GlorotUniform
xavier_uniform = GlorotUniform
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
