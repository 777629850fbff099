"""Keras 3 adapter: initializer classes for ``kernel_initializer=...``.

Each class subclasses ``keras.initializers.Initializer``, is registered for
serialization under the package name ``glorot_numba`` (so a saved model
loads again once this module is imported), and works with every Keras
backend: the values are drawn by glorot_numba as a NumPy array, equal to
the NumPy API's for the same seed, shape and dtype, and converted to a
backend tensor.  Shapes use Keras' (TensorFlow's) layout: ``(in, out)`` for
``Dense`` kernels, ``(*kernel, in, out)`` for convolutions.

Seeds follow Keras 3: ``seed=int`` gives the same values on every call;
``seed=None`` picks a seed once, at construction, from Python's ``random``
module (which ``keras.utils.set_random_seed`` seeds), so the instance also
repeats itself, and ``get_config`` reports ``None``.  Keras'
``SeedGenerator`` seeds are not supported.

Examples
--------
>>> import keras
>>> import glorot_numba.keras as gnk
>>> layer = keras.layers.Dense(8, kernel_initializer=gnk.GlorotNormal(seed=0))
>>> layer.build((None, 4))
>>> tuple(layer.kernel.shape)
(4, 8)
"""

import random

import keras

from . import _adapters, _seeding, _shapes
from .initializers import VarianceScaling as _NumpyVarianceScaling

__all__ = [
    "VarianceScaling",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "LecunNormal",
    "LecunUniform",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
]

_register = keras.saving.register_keras_serializable(package="glorot_numba")

# Keras draws its own default seeds in this range (keras.random).
_DEFAULT_SEED_RANGE = (1, 10**9)


@_register
class VarianceScaling(keras.initializers.Initializer):
    """Keras 3 initializer whose samples have variance ``scale / n``.

    Parameters
    ----------
    scale : float, default 1.0
        Positive, finite scaling factor.
    mode : {"fan_in", "fan_out", "fan_avg", "fan_geo_avg"}, default "fan_in"
        Which fan sets ``n``.
    distribution : {"truncated_normal", "untruncated_normal", "uniform", "normal"}
        As for :class:`glorot_numba.VarianceScaling` (``"normal"`` is the
        truncated normal, as in TensorFlow and Keras).
    seed : int or None, default None
        See the module notes.
    in_axis, out_axis, batch_axis : int or sequence of int, keyword-only
        Fan axes, see :class:`glorot_numba.VarianceScaling`.

    Examples
    --------
    >>> import numpy as np
    >>> import glorot_numba as gn
    >>> import glorot_numba.keras as gnk
    >>> init = gnk.VarianceScaling(2.0, "fan_in", "uniform", seed=7)
    >>> w = init((64, 32))
    >>> ref = gn.VarianceScaling(2.0, "fan_in", "uniform", seed=7)((64, 32))
    >>> bool(np.array_equal(np.asarray(w), ref))
    True
    >>> init.get_config()
    {'scale': 2.0, 'mode': 'fan_in', 'distribution': 'uniform', 'seed': 7}
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 *, in_axis=-2, out_axis=-1, batch_axis=()):
        self._init_seed = _seeding.check_seed(seed)
        if seed is None:
            seed = random.randint(*_DEFAULT_SEED_RANGE)
        self._numpy = _NumpyVarianceScaling(scale, mode, distribution, seed=seed,
                                            in_axis=in_axis, out_axis=out_axis,
                                            batch_axis=batch_axis)

    @property
    def seed(self):
        """The seed in use (drawn at construction if none was given)."""
        return self._numpy.seed

    def __call__(self, shape, dtype=None):
        """A backend tensor of ``shape`` and ``dtype`` (default: ``keras.config.floatx()``).

        Examples
        --------
        >>> import glorot_numba.keras as gnk
        >>> w = gnk.HeNormal(seed=1)((3, 3, 16, 32), dtype="bfloat16")
        >>> tuple(w.shape), str(w.dtype)
        ((3, 3, 16, 32), 'bfloat16')
        """
        dtype = keras.backend.standardize_dtype(dtype or keras.config.floatx())
        values = self._numpy(tuple(shape), dtype)
        return keras.ops.convert_to_tensor(values, dtype=dtype)

    def _layout_config(self):
        layout = (self._numpy.in_axis, self._numpy.out_axis, self._numpy.batch_axis)
        return _shapes.layout_config(layout)

    def get_config(self):
        """The constructor arguments; ``seed`` is None for an unseeded instance.

        Examples
        --------
        >>> import glorot_numba.keras as gnk
        >>> gnk.VarianceScaling(seed=1, in_axis=1, out_axis=0).get_config()
        {'scale': 1.0, 'mode': 'fan_in', 'distribution': 'truncated_normal', 'seed': 1, 'in_axis': 1, 'out_axis': 0}
        """
        return {"scale": self._numpy.scale, "mode": self._numpy.mode,
                "distribution": self._numpy.distribution, "seed": self._init_seed,
                **self._layout_config()}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class _Member(VarianceScaling):
    """A family member: ``VarianceScaling`` with a fixed scale, mode and distribution."""

    _NAME = None

    def __init__(self, seed=None, *, in_axis=-2, out_axis=-1, batch_axis=()):
        super().__init__(*_adapters.FAMILY[self._NAME], seed=seed, in_axis=in_axis,
                         out_axis=out_axis, batch_axis=batch_axis)

    def get_config(self):
        """``{"seed": ...}`` plus fan axes that are not the defaults.

        Examples
        --------
        >>> import glorot_numba.keras as gnk
        >>> gnk.GlorotNormal(seed=42).get_config()
        {'seed': 42}
        """
        return {"seed": self._init_seed, **self._layout_config()}


@_register
class GlorotNormal(_Member):
    """Glorot (Xavier) normal: truncated normal, std ``sqrt(2 / (fan_in + fan_out))``.

    Parameters
    ----------
    seed : int or None, default None
        See the module notes.
    in_axis, out_axis, batch_axis : int or sequence of int, keyword-only
        Fan axes, see :class:`glorot_numba.VarianceScaling`.

    Examples
    --------
    >>> import keras
    >>> import glorot_numba.keras as gnk
    >>> dense = keras.layers.Dense(256, kernel_initializer=gnk.GlorotNormal(seed=42))
    >>> dense.build((None, 784))
    >>> bool(abs(float(keras.ops.std(dense.kernel)) - (2 / (784 + 256)) ** 0.5) < 1e-3)
    True
    """

    _NAME = "glorot_normal"


@_register
class GlorotUniform(_Member):
    """Glorot (Xavier) uniform: ``U(-a, a)``, ``a = sqrt(6 / (fan_in + fan_out))``.

    Parameters
    ----------
    seed : int or None, default None
        See the module notes.
    in_axis, out_axis, batch_axis : int or sequence of int, keyword-only
        Fan axes, see :class:`glorot_numba.VarianceScaling`.

    Examples
    --------
    >>> import keras
    >>> import glorot_numba.keras as gnk
    >>> w = gnk.GlorotUniform(seed=0)((20, 30))
    >>> bool(keras.ops.max(keras.ops.abs(w)) <= (6 / 50) ** 0.5)
    True
    """

    _NAME = "glorot_uniform"


@_register
class HeNormal(_Member):
    """He normal: truncated normal, std ``sqrt(2 / fan_in)``.

    Parameters
    ----------
    seed : int or None, default None
        See the module notes.
    in_axis, out_axis, batch_axis : int or sequence of int, keyword-only
        Fan axes, see :class:`glorot_numba.VarianceScaling`.

    Examples
    --------
    >>> import keras
    >>> import glorot_numba.keras as gnk
    >>> conv = keras.layers.Conv2D(32, 3, kernel_initializer=gnk.HeNormal(seed=0))
    >>> conv.build((None, 28, 28, 16))
    >>> tuple(conv.kernel.shape)
    (3, 3, 16, 32)
    """

    _NAME = "he_normal"


@_register
class HeUniform(_Member):
    """He uniform: ``U(-a, a)``, ``a = sqrt(6 / fan_in)``.

    Parameters
    ----------
    seed : int or None, default None
        See the module notes.
    in_axis, out_axis, batch_axis : int or sequence of int, keyword-only
        Fan axes, see :class:`glorot_numba.VarianceScaling`.

    Examples
    --------
    >>> import keras
    >>> import glorot_numba.keras as gnk
    >>> w = gnk.HeUniform(seed=0)((24, 10))
    >>> bool(keras.ops.max(keras.ops.abs(w)) <= 0.5)
    True
    """

    _NAME = "he_uniform"


@_register
class LecunNormal(_Member):
    """LeCun normal: truncated normal, std ``sqrt(1 / fan_in)``.

    Parameters
    ----------
    seed : int or None, default None
        See the module notes.
    in_axis, out_axis, batch_axis : int or sequence of int, keyword-only
        Fan axes, see :class:`glorot_numba.VarianceScaling`.

    Examples
    --------
    >>> import glorot_numba.keras as gnk
    >>> gnk.LecunNormal(seed=5).get_config()
    {'seed': 5}
    """

    _NAME = "lecun_normal"


@_register
class LecunUniform(_Member):
    """LeCun uniform: ``U(-a, a)``, ``a = sqrt(3 / fan_in)``.

    Parameters
    ----------
    seed : int or None, default None
        See the module notes.
    in_axis, out_axis, batch_axis : int or sequence of int, keyword-only
        Fan axes, see :class:`glorot_numba.VarianceScaling`.

    Examples
    --------
    >>> import keras
    >>> import glorot_numba.keras as gnk
    >>> w = gnk.LecunUniform(seed=0)((300, 10))
    >>> bool(keras.ops.max(keras.ops.abs(w)) <= 0.1)
    True
    """

    _NAME = "lecun_uniform"


glorot_normal = GlorotNormal
glorot_uniform = GlorotUniform
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
