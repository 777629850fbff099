"""Keras 3 adapter: Keras' random initializers, drawn by glorot_numba.

Each class here subclasses the Keras class of the same name --
``isinstance(gnk.GlorotUniform(), keras.initializers.GlorotUniform)`` and
``isinstance(gnk.GlorotUniform(), keras.initializers.VarianceScaling)`` both
hold, so Keras treats it as its own (``EinsumDense`` and
``MultiHeadAttention`` hand it their kernels' fan axes) -- and takes the
same constructor arguments, has the same attributes and ``get_config``
keys, raises Keras' errors for bad arguments and clones, serializes and
deserializes as Keras does.  Only the call differs: the values are drawn by
glorot_numba's kernels as a NumPy array (equal to the NumPy API's for the
same seed, shape and dtype) and handed to the backend, on the JAX backend
without a copy.  The classes work with every Keras backend and are
registered for serialization under the package name ``glorot_numba``, so a
saved model loads again once this module is imported.

:func:`accelerate` goes further: inside it, the weights that Keras layers
create with Keras' own random initializers -- string names such as
``"glorot_uniform"``, every ``Dense`` kernel's default, included -- are
drawn by glorot_numba, with the same distributions.

Shapes use Keras' layout: ``(in, out)`` for ``Dense`` kernels, ``(*kernel,
in, out)`` for convolutions.

Seeds follow Keras 3:

* ``seed=int``: the same values on every call (those of the NumPy API's
  ``seed=int``);
* ``seed=None``: a seed is picked once, at construction, from Python's
  ``random`` module (which ``keras.utils.set_random_seed`` seeds), so the
  instance also repeats itself; ``get_config`` reports ``None``;
* ``seed=keras.random.SeedGenerator(...)``: every call advances the
  generator, as Keras' own draws do, and uses the seed tensor it yields,
  ``[s, n]``, as its key -- so each call gives new values, and
  ``keras.utils.set_random_seed`` makes the sequence reproducible.  The key
  is the one :mod:`glorot_numba.jax` takes from the raw JAX key ``[s, n]``.

Examples
--------
>>> import keras
>>> import glorot_numba.keras as gnk
>>> layer = keras.layers.Dense(8, kernel_initializer=gnk.GlorotNormal(seed=0))
>>> layer.build((None, 4))
>>> tuple(layer.kernel.shape)
(4, 8)
>>> with gnk.accelerate():
...     model = keras.Sequential([keras.Input((16,)), keras.layers.Dense(32)])
>>> tuple(model.layers[0].kernel.shape)
(16, 32)
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import keras
import numpy as np
from keras import initializers as _keras

from . import _adapters, _dtypes, _explicit, _keras_patch, _shapes, _zero_copy
from .initializers import Initializer
from .initializers import VarianceScaling as _NumpyVarianceScaling

if TYPE_CHECKING:
    import contextlib

    import numpy.typing as npt

    from ._dtypes import DTypeLike
    from ._shapes import Axes, AxisLike, Layout, ShapeLike
    from .initializers import Method

__all__ = [
    "VarianceScaling",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "LecunNormal",
    "LecunUniform",
    "RandomNormal",
    "TruncatedNormal",
    "RandomUniform",
    "accelerate",
    "variance_scaling",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
    "random_normal",
    "truncated_normal",
    "random_uniform",
]

_register = keras.saving.register_keras_serializable(package="glorot_numba")
_SeedGenerator = keras.random.SeedGenerator

# Keras' seeds: an int, a keras.random.SeedGenerator, or None.
SeedLike: TypeAlias = "int | keras.random.SeedGenerator | None"
# A parameter Keras takes as a Python number or a scalar tensor.
Scalar: TypeAlias = "float | npt.ArrayLike"


# --------------------------------------------------------------------------
# The call: seeds, dtypes, tensors
# --------------------------------------------------------------------------


def _engine_seed(seed: Any) -> int | None:
    """The NumPy API's seed for a Keras seed: the int itself; None for a
    SeedGenerator (its calls are keyed one by one)."""
    return None if isinstance(seed, _SeedGenerator) else int(seed)


def _generator_key(generator: keras.random.SeedGenerator) -> tuple[int, int]:
    """Advance ``generator`` as Keras' draws do; the Philox key of its seed tensor."""
    words = np.asarray(keras.ops.convert_to_numpy(generator.next()))
    # Some backends hold the two uint32 words in signed types.
    return _adapters.key_from_words(words.astype(np.int64) & 0xFFFFFFFF)


def _jax_dtype(dtype: np.dtype[Any]) -> np.dtype[Any]:
    """``dtype`` as JAX will hold it: 64-bit types are 32-bit without x64."""
    import jax

    return _dtypes.resolve_dtype(jax.dtypes.canonicalize_dtype(dtype))


def _tensor(init: Initializer, shape: tuple[int, ...], dtype: DTypeLike) -> Any:
    """``init``'s draw for ``shape`` as a tensor of the current backend."""
    resolved = _dtypes.resolve_dtype(dtype)
    if keras.backend.backend() == "jax":
        import jax

        resolved = _jax_dtype(resolved)
        values = _zero_copy.aligned_empty(shape, resolved)
        init(shape, resolved, out=values)
        return jax.device_put(values)
    return keras.ops.convert_to_tensor(init(shape, resolved), dtype=_dtypes.dtype_name(resolved))


def _real(value: Any) -> Any:
    """A Python number for a scalar tensor or array (Keras accepts both)."""
    if isinstance(value, numbers.Number) or isinstance(value, (str, bytes)):
        return value
    try:
        array = np.asarray(keras.ops.convert_to_numpy(value))
    except (TypeError, ValueError):  # not array-like: the NumPy API rejects it by type
        return value
    return array.item() if array.shape == () else value


def _check_keras_axes(input_axes: Sequence[int], output_axes: Sequence[int]) -> None:
    """The NumPy API's checks of fan axes, in Keras' names."""
    try:
        _shapes.check_layout(input_axes, output_axes, ())
    except (TypeError, ValueError) as exc:
        message = str(exc).replace("in_axis", "input_axes").replace("out_axis", "output_axes")
        raise type(exc)(message) from None


class _Drawn:
    """The call of every class here: the NumPy API's draw, as a tensor."""

    if TYPE_CHECKING:  # what the Keras classes that come next in the MRO provide
        seed: Any

        def get_config(self) -> dict[str, Any]: ...

    def _numpy_for(self, ndim: int) -> Initializer:
        """The NumPy-API initializer that draws for a shape of rank ``ndim``,
        made from the current attributes (Keras reads them at call time)."""
        raise NotImplementedError

    def __call__(self, shape: ShapeLike, dtype: DTypeLike | None = None) -> Any:
        """A tensor of ``shape`` and ``dtype`` (default: ``keras.config.floatx()``).

        Examples
        --------
        >>> import glorot_numba.keras as gnk
        >>> w = gnk.HeNormal(seed=1)((3, 3, 16, 32), dtype="bfloat16")
        >>> tuple(w.shape), str(w.dtype)
        ((3, 3, 16, 32), 'bfloat16')
        """
        dims = _shapes.check_shape(shape)
        name = keras.backend.standardize_dtype(dtype or keras.config.floatx())
        init = self._numpy_for(len(dims))
        if isinstance(self.seed, _SeedGenerator):
            init = _adapters.keyed(init, _generator_key(self.seed))
        return _tensor(init, dims, name)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


# --------------------------------------------------------------------------
# VarianceScaling and its family
# --------------------------------------------------------------------------


@_register
class VarianceScaling(_Drawn, _keras.VarianceScaling):
    """Keras' ``VarianceScaling``, drawn by glorot_numba: variance ``scale / n``.

    Parameters
    ----------
    scale : float, default 1.0
        Positive, finite scaling factor.
    mode : {"fan_in", "fan_out", "fan_avg", "fan_geo_avg"}, default "fan_in"
        Which fan sets ``n``; ``"fan_geo_avg"`` (``sqrt(fan_in * fan_out)``,
        as in JAX) is this class's addition to Keras' three.
    distribution : {"truncated_normal", "untruncated_normal", "uniform"}
        Case-insensitive; ``"normal"`` is taken as ``"truncated_normal"``,
        as Keras does.  The truncated normal is cut at two standard
        deviations and rescaled so that its standard deviation is
        ``sqrt(scale / n)``.
    seed : int, keras.random.SeedGenerator or None, default None
        See the module notes.
    input_axes, output_axes : sequence of int, optional
        Keras' fan axes: when both are given, ``fan_in`` is the product of
        the sizes of the ``input_axes`` and ``fan_out`` that of the
        ``output_axes`` (``EinsumDense`` passes them), and ``in_axis``,
        ``out_axis`` and ``batch_axis`` are not used.  An axis may appear
        in one of them only once.
    method : {"box_muller", "inverse_cdf"}, keyword-only
        How a truncated normal is drawn (see
        :class:`glorot_numba.VarianceScaling`); kept by ``get_config`` when
        not the default.
    in_axis, out_axis, batch_axis : int or sequence of int, keyword-only
        The NumPy API's fan axes (see :class:`glorot_numba.VarianceScaling`);
        the defaults are Keras' rules.

    Raises
    ------
    ValueError
        Keras' errors for a bad ``scale``, ``mode``, ``distribution`` or
        ``seed``; the NumPy API's for what it refuses beyond them (a scale
        that is not finite, fan axes named twice), and at call time for
        axes the shape lacks or a dtype that is not a float.
    TypeError
        For arguments of the wrong type.

    Examples
    --------
    >>> import numpy as np
    >>> import keras
    >>> import glorot_numba as gn
    >>> import glorot_numba.keras as gnk
    >>> init = gnk.VarianceScaling(2.0, "fan_in", "uniform", seed=7)
    >>> isinstance(init, keras.initializers.VarianceScaling)
    True
    >>> w = init((64, 32))
    >>> ref = gn.VarianceScaling(2.0, "fan_in", "uniform", seed=7)((64, 32))
    >>> bool(np.array_equal(np.asarray(w), ref))
    True
    >>> init.get_config()  # doctest: +NORMALIZE_WHITESPACE
    {'seed': 7, 'scale': 2.0, 'mode': 'fan_in', 'distribution': 'uniform',
     'input_axes': None, 'output_axes': None}
    """

    def __init__(
        self,
        scale: Scalar = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: SeedLike = None,
        input_axes: Sequence[int] | None = None,
        output_axes: Sequence[int] | None = None,
        *,
        method: Method = "box_muller",
        in_axis: AxisLike = -2,
        out_axis: AxisLike = -1,
        batch_axis: AxisLike = (),
    ) -> None:
        # Keras validates (with its own messages) all but the one mode it lacks.
        geo = isinstance(mode, str) and mode == "fan_geo_avg"  # type: ignore[redundant-expr]
        _keras.VarianceScaling.__init__(
            self,
            scale=scale,
            mode="fan_in" if geo else mode,
            distribution=distribution,
            seed=seed,
            input_axes=input_axes,
            output_axes=output_axes,
        )
        if geo:
            self.mode = mode
        self.method = method
        self._layout = _shapes.check_layout(in_axis, out_axis, batch_axis)
        if self._has_keras_axes():
            _check_keras_axes(input_axes, output_axes)  # type: ignore[arg-type]
        self._numpy_init(self._layout)  # the NumPy API's checks, before any call

    @property
    def in_axis(self) -> Axes:
        """The NumPy API's ``in_axis`` (an int or a tuple of ints)."""
        return self._layout[0]

    @property
    def out_axis(self) -> Axes:
        """The NumPy API's ``out_axis``."""
        return self._layout[1]

    @property
    def batch_axis(self) -> Axes:
        """The NumPy API's ``batch_axis``."""
        return self._layout[2]

    def _has_keras_axes(self) -> bool:
        return self.input_axes is not None and self.output_axes is not None

    def _layout_for(self, ndim: int) -> Layout:
        """``(in_axis, out_axis, batch_axis)`` for a shape of rank ``ndim``.

        Keras' axes name every axis that counts; the others count in
        neither fan, which the NumPy API says with ``batch_axis``.
        """
        if not self._has_keras_axes():
            return self._layout
        ins, outs = tuple(self.input_axes), tuple(self.output_axes)
        for name, axes in (("input_axes", ins), ("output_axes", outs)):
            if not all(-ndim <= a < ndim for a in axes):
                raise ValueError(f"{name} {list(axes)} is out of range for a shape of rank {ndim}")
        named = {a % ndim for a in ins + outs}
        return ins, outs, tuple(a for a in range(ndim) if a not in named)

    def _numpy_init(self, layout: Layout) -> _NumpyVarianceScaling:
        in_axis, out_axis, batch_axis = layout
        # The mode is checked by Keras and by the NumPy API.
        return _NumpyVarianceScaling(
            _real(self.scale),
            self.mode,  # type: ignore[arg-type]
            self.distribution,
            seed=_engine_seed(self.seed),
            method=self.method,
            in_axis=in_axis,
            out_axis=out_axis,
            batch_axis=batch_axis,
        )

    def _numpy_for(self, ndim: int) -> Initializer:
        return self._numpy_init(self._layout_for(ndim))

    def _layout_config(self) -> dict[str, Any]:
        """The NumPy API's arguments where not their defaults: fan axes, method."""
        config = _shapes.layout_config(self._layout)
        if self.method != "box_muller":
            config["method"] = self.method
        return config

    def get_config(self) -> dict[str, Any]:
        """Keras' config, plus the NumPy API's fan axes where not the defaults.

        ``seed`` is the constructor's: None for an unseeded instance, a
        serialized ``SeedGenerator`` for one.

        Examples
        --------
        >>> import glorot_numba.keras as gnk
        >>> config = gnk.VarianceScaling(seed=1, in_axis=1, out_axis=0).get_config()
        >>> config  # doctest: +NORMALIZE_WHITESPACE
        {'seed': 1, 'scale': 1.0, 'mode': 'fan_in', 'distribution': 'truncated_normal',
         'input_axes': None, 'output_axes': None, 'in_axis': 1, 'out_axis': 0}
        """
        return {**_keras.VarianceScaling.get_config(self), **self._layout_config()}


class _Member(VarianceScaling):
    """A family member: ``VarianceScaling`` with a fixed scale, mode and distribution."""

    _NAME: str

    def __init__(
        self,
        seed: SeedLike = None,
        input_axes: Sequence[int] | None = None,
        output_axes: Sequence[int] | None = None,
        *,
        method: Method = "box_muller",
        in_axis: AxisLike = -2,
        out_axis: AxisLike = -1,
        batch_axis: AxisLike = (),
    ) -> None:
        super().__init__(
            *_adapters.FAMILY[self._NAME],
            seed=seed,
            input_axes=input_axes,
            output_axes=output_axes,
            method=method,
            in_axis=in_axis,
            out_axis=out_axis,
            batch_axis=batch_axis,
        )

    def get_config(self) -> dict[str, Any]:
        """``{"seed", "input_axes", "output_axes"}`` as Keras, plus the NumPy
        API's fan axes that are not the defaults.

        Examples
        --------
        >>> import glorot_numba.keras as gnk
        >>> gnk.GlorotNormal(seed=42).get_config()
        {'seed': 42, 'input_axes': None, 'output_axes': None}
        """
        config = {
            "seed": keras.saving.serialize_keras_object(self._init_seed),
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }
        return {**config, **self._layout_config()}


_MEMBER_PARAMETERS = """
    Parameters
    ----------
    seed : int, keras.random.SeedGenerator or None, default None
        See the module notes.
    input_axes, output_axes : sequence of int, optional
        Keras' fan axes, see :class:`VarianceScaling`.
    method : {"box_muller", "inverse_cdf"}, keyword-only
        How a truncated normal is drawn (normal members only), see
        :class:`glorot_numba.VarianceScaling`.
    in_axis, out_axis, batch_axis : int or sequence of int, keyword-only
        The NumPy API's fan axes, see :class:`glorot_numba.VarianceScaling`.
"""


@_register
class GlorotNormal(_Member, _keras.GlorotNormal):
    """Glorot (Xavier) normal: truncated normal, std ``sqrt(2 / (fan_in + fan_out))``.
    {parameters}
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
class GlorotUniform(_Member, _keras.GlorotUniform):
    """Glorot (Xavier) uniform: ``U(-a, a)``, ``a = sqrt(6 / (fan_in + fan_out))``.
    {parameters}
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
class HeNormal(_Member, _keras.HeNormal):
    """He normal: truncated normal, std ``sqrt(2 / fan_in)``.
    {parameters}
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
class HeUniform(_Member, _keras.HeUniform):
    """He uniform: ``U(-a, a)``, ``a = sqrt(6 / fan_in)``.
    {parameters}
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
class LecunNormal(_Member, _keras.LecunNormal):
    """LeCun normal: truncated normal, std ``sqrt(1 / fan_in)``.
    {parameters}
    Examples
    --------
    >>> import glorot_numba.keras as gnk
    >>> gnk.LecunNormal(seed=5).get_config()
    {'seed': 5, 'input_axes': None, 'output_axes': None}
    """

    _NAME = "lecun_normal"


@_register
class LecunUniform(_Member, _keras.LecunUniform):
    """LeCun uniform: ``U(-a, a)``, ``a = sqrt(3 / fan_in)``.
    {parameters}
    Examples
    --------
    >>> import keras
    >>> import glorot_numba.keras as gnk
    >>> w = gnk.LecunUniform(seed=0)((300, 10))
    >>> bool(keras.ops.max(keras.ops.abs(w)) <= 0.1)
    True
    """

    _NAME = "lecun_uniform"


for _cls in (GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal, LecunUniform):
    _cls.__doc__ = _cls.__doc__.replace("{parameters}", _MEMBER_PARAMETERS)  # type: ignore[union-attr]


# --------------------------------------------------------------------------
# Explicit distributions
# --------------------------------------------------------------------------


def _magnitude(value: Scalar) -> Any:
    """``|value|`` of a scale parameter: Keras multiplies the standard samples
    by it, so a negative one draws the distribution of its magnitude."""
    number = _real(value)
    if not isinstance(number, bool) and isinstance(number, numbers.Real):
        return abs(float(number))
    return number  # the NumPy API rejects it by type


@_register
class RandomNormal(_Drawn, _keras.RandomNormal):
    """Keras' ``RandomNormal``, drawn by glorot_numba: ``N(mean, stddev**2)``.

    Parameters
    ----------
    mean : float, default 0.0
        Mean; a Python number or a scalar tensor.
    stddev : float, default 0.05
        Standard deviation (its magnitude, as in Keras, which multiplies by it).
    seed : int, keras.random.SeedGenerator or None, default None
        See the module notes.

    Raises
    ------
    ValueError, TypeError
        For a ``seed`` that Keras refuses, and for a ``mean`` or ``stddev``
        that is not a finite real number.

    Examples
    --------
    >>> import numpy as np
    >>> import glorot_numba as gn
    >>> import glorot_numba.keras as gnk
    >>> w = gnk.RandomNormal(mean=1.0, stddev=0.02, seed=0)((512, 256))
    >>> ref = gn.RandomNormal(mean=1.0, stddev=0.02, seed=0)((512, 256))
    >>> bool(np.array_equal(np.asarray(w), ref))
    True
    >>> gnk.RandomNormal(stddev=0.02, seed=0).get_config()
    {'seed': 0, 'mean': 0.0, 'stddev': 0.02}
    """

    def __init__(self, mean: Scalar = 0.0, stddev: Scalar = 0.05, seed: SeedLike = None) -> None:
        _keras.RandomNormal.__init__(self, mean=mean, stddev=stddev, seed=seed)
        self._numpy_for(2)

    def _numpy_for(self, ndim: int) -> Initializer:
        return _explicit.RandomNormal(
            _real(self.mean), _magnitude(self.stddev), seed=_engine_seed(self.seed)
        )


@_register
class TruncatedNormal(_Drawn, _keras.TruncatedNormal):
    """Keras' ``TruncatedNormal``, drawn by glorot_numba.

    ``mean + stddev * z`` with ``z`` a standard normal redrawn until
    ``|z| < 2``; ``stddev`` is the standard deviation *before* truncation.

    Parameters
    ----------
    mean : float, default 0.0
        Mean; a Python number or a scalar tensor.
    stddev : float, default 0.05
        Standard deviation of the normal before truncation (its magnitude;
        zero draws ``mean`` everywhere, as Keras does).
    seed : int, keras.random.SeedGenerator or None, default None
        See the module notes.

    Raises
    ------
    ValueError, TypeError
        As :class:`RandomNormal`.

    Examples
    --------
    >>> import keras
    >>> import glorot_numba.keras as gnk
    >>> w = gnk.TruncatedNormal(stddev=0.02, seed=0)((256, 256))
    >>> bool(keras.ops.max(keras.ops.abs(w)) < 0.04)
    True
    """

    def __init__(self, mean: Scalar = 0.0, stddev: Scalar = 0.05, seed: SeedLike = None) -> None:
        _keras.TruncatedNormal.__init__(self, mean=mean, stddev=stddev, seed=seed)
        self._numpy_for(2)

    def _numpy_for(self, ndim: int) -> Initializer:
        mean, stddev, seed = _real(self.mean), _magnitude(self.stddev), _engine_seed(self.seed)
        if stddev == 0.0:  # a constant; the NumPy API's truncation needs a width
            return _explicit.RandomNormal(mean, 0.0, seed=seed)
        return _explicit.TruncatedNormal(mean, stddev, seed=seed)


@_register
class RandomUniform(_Drawn, _keras.RandomUniform):
    """Keras' ``RandomUniform``, drawn by glorot_numba: ``U(minval, maxval)``.

    Parameters
    ----------
    minval, maxval : float, default -0.05, 0.05
        The bounds, ``minval <= maxval``; Python numbers or scalar tensors.
        Every value lies in ``[minval, maxval]`` as the dtype represents
        them.
    seed : int, keras.random.SeedGenerator or None, default None
        See the module notes.

    Raises
    ------
    ValueError, TypeError
        For a ``seed`` that Keras refuses, bounds that are not finite real
        numbers, or ``minval > maxval``.

    Examples
    --------
    >>> import keras
    >>> import glorot_numba.keras as gnk
    >>> w = gnk.RandomUniform(0.0, 1.0, seed=0)((1000,))
    >>> bool(keras.ops.min(w) >= 0.0 and keras.ops.max(w) <= 1.0)
    True
    """

    def __init__(
        self, minval: Scalar = -0.05, maxval: Scalar = 0.05, seed: SeedLike = None
    ) -> None:
        _keras.RandomUniform.__init__(self, minval=minval, maxval=maxval, seed=seed)
        self._numpy_for(2)

    def _numpy_for(self, ndim: int) -> Initializer:
        return _explicit.RandomUniform(
            _real(self.minval), _real(self.maxval), seed=_engine_seed(self.seed)
        )


variance_scaling = VarianceScaling
glorot_normal = GlorotNormal
glorot_uniform = GlorotUniform
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
random_normal = RandomNormal
truncated_normal = TruncatedNormal
random_uniform = RandomUniform


# --------------------------------------------------------------------------
# accelerate()
# --------------------------------------------------------------------------

# Keras' random initializers (exact classes) and the classes here that draw
# what they draw.
_TWINS: dict[Any, Any] = {
    _keras.VarianceScaling: VarianceScaling,
    _keras.GlorotNormal: GlorotNormal,
    _keras.GlorotUniform: GlorotUniform,
    _keras.HeNormal: HeNormal,
    _keras.HeUniform: HeUniform,
    _keras.LecunNormal: LecunNormal,
    _keras.LecunUniform: LecunUniform,
    _keras.RandomNormal: RandomNormal,
    _keras.TruncatedNormal: TruncatedNormal,
    _keras.RandomUniform: RandomUniform,
}


def _twin(initializer: Any) -> Any:
    """What ``add_weight`` draws with instead of ``initializer`` inside
    :func:`accelerate`: this module's twin of a Keras random initializer,
    with its configuration and its seed (the one it picked if unseeded);
    None to keep ``initializer``."""
    if isinstance(initializer, (str, dict)):
        try:
            initializer = _keras.get(initializer)
        except ValueError:  # Keras' own error, raised by add_weight itself
            return None
        resolved = initializer
    else:
        resolved = None
    cls = _TWINS.get(type(initializer))
    if cls is None:
        return resolved
    config = initializer.get_config()
    config["seed"] = initializer.seed
    return cls.from_config(config)


def accelerate() -> contextlib._GeneratorContextManager[None]:
    """Context manager: Keras layers draw their random weights with glorot_numba.

    Inside the block, every weight that a Keras layer creates (through
    ``Layer.add_weight``, which the built-in layers use) with one of Keras'
    random initializers -- ``VarianceScaling``, ``GlorotNormal``,
    ``GlorotUniform``, ``HeNormal``, ``HeUniform``, ``LecunNormal``,
    ``LecunUniform``, ``RandomNormal``, ``TruncatedNormal``,
    ``RandomUniform`` -- given by name (``"glorot_uniform"``, ``"uniform"``,
    ...), by config, by instance or by default (``"glorot_uniform"`` for
    float weights), is drawn by this module's class of the same name, with
    the same configuration and the same seed: the distribution is Keras',
    the random stream glorot_numba's.  The layers keep their Keras
    initializers (their configs and saved models are unchanged).

    Not intercepted: other initializers (``Orthogonal``, constants, custom
    classes, subclasses of Keras' classes), weights created outside
    ``add_weight`` or after the block ends (a layer built lazily on its
    first call after the block), direct calls of an initializer, and
    ``keras.random`` functions.

    The block affects the thread (or asyncio task) that entered it only;
    blocks nest, and the original ``Layer.add_weight`` is back once the last
    open block ends, also when it ends with an exception.

    Returns
    -------
    context manager
        Also usable as a decorator.

    Examples
    --------
    >>> import keras
    >>> import glorot_numba.keras as gnk
    >>> with gnk.accelerate():
    ...     mha = keras.layers.MultiHeadAttention(num_heads=4, key_dim=8)
    ...     mha.build((None, 10, 32), (None, 10, 32))
    >>> tuple(mha.query_dense.kernel.shape)
    (32, 4, 8)
    >>> type(mha.query_dense.kernel_initializer) is keras.initializers.GlorotUniform
    True
    """
    return _keras_patch.substituting(_twin)
