"""The initializer classes: the ``Initializer`` base, ``VarianceScaling`` and ``GlorotNormal``.

Front end only: validation, seeds, scale arithmetic and dispatch.  Sampling
happens in the engine, :mod:`glorot_numba._engine`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, TypeVar, overload

import numpy as np

from . import _dtypes, _engine, _seeding, _shapes, _tf_compat, _variance
from ._variance import COMPLEX_TRUNCATED_RMS, TRUNCATED_STD

if TYPE_CHECKING:
    import numpy.typing as npt

    from ._dtypes import DTypeLike
    from ._seeding import SeedLike
    from ._shapes import AxisLike, PartitionLike, ShapeLike
    from ._tf_compat import Compat

    # (kind, params): what a kernel draws, see VarianceScaling._sampling.
    Sampling = tuple[int, tuple[Any, ...]]

__all__ = [
    "Initializer",
    "VarianceScaling",
    "GlorotNormal",
    "glorot_normal",
    "glorot_normal_initializer",
    "xavier_normal",
]


MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")
METHODS = ("box_muller", "inverse_cdf")
# For annotations: MODES and METHODS as types; a real parameter (a Python or
# NumPy number); a configuration, as get_config returns it.
Mode: TypeAlias = 'Literal["fan_in", "fan_out", "fan_avg", "fan_geo_avg"]'
Method: TypeAlias = 'Literal["box_muller", "inverse_cdf"]'
RealLike: TypeAlias = "float | np.floating[Any] | np.integer[Any]"
Config: TypeAlias = "dict[str, Any]"
DEFAULT_METHOD: Final = "box_muller"
DISTRIBUTIONS = ("normal", "truncated_normal", "untruncated_normal", "uniform")
_KIND = {
    "normal": _engine.TRUNCATED,
    "truncated_normal": _engine.TRUNCATED,
    "untruncated_normal": _engine.NORMAL,
    "uniform": _engine.UNIFORM,
}

SERIAL_BELOW = _engine.SERIAL_BELOW

_InitializerT = TypeVar("_InitializerT", bound="Initializer")
_ArrayT = TypeVar("_ArrayT", bound="np.ndarray[Any, Any]")


def _check_scale(scale: object) -> float:
    if type(scale) is not float:  # plain floats skip the slow ABC checks
        if isinstance(scale, (bool, np.bool_)) or not isinstance(scale, numbers.Real):
            raise TypeError(f"scale must be a real number, got {type(scale).__name__} {scale!r}")
        scale = float(scale)
    if not (math.isfinite(scale) and scale > 0.0):
        raise ValueError(f"scale must be a positive, finite number, got {scale}")
    return scale


def _check_mode(mode: str) -> Mode:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES} (case-sensitive), got {mode!r}")
    return mode  # type: ignore[return-value]  # one of MODES


def _check_distribution(distribution: str) -> str:
    if not isinstance(distribution, str):
        raise TypeError(
            f"distribution must be a string, got {type(distribution).__name__} {distribution!r}"
        )
    lowered = distribution.lower()
    if lowered not in DISTRIBUTIONS:
        raise ValueError(f"distribution must be one of {DISTRIBUTIONS}, got {distribution!r}")
    return lowered


def _check_method(method: str, distribution: str, compat: Compat) -> Method:
    if not isinstance(method, str):
        raise TypeError(f"method must be a string, got {type(method).__name__} {method!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if method != DEFAULT_METHOD:
        if _KIND[distribution] != _engine.TRUNCATED:
            raise ValueError(
                f"method={method!r} applies to truncated normals only, not to "
                f"distribution={distribution!r}"
            )
        if compat is not None:
            raise ValueError(
                f"method={method!r} draws this library's own stream; "
                f"compat={compat!r} draws TensorFlow's"
            )
    return method  # type: ignore[return-value]  # one of METHODS


def _check_out(out: object, shape: tuple[int, ...], dtype: np.dtype[Any]) -> None:
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy.ndarray, got {type(out).__name__}")
    if out.shape != shape:
        raise ValueError(f"out has shape {out.shape}, expected {shape}")
    if out.dtype != dtype:
        raise ValueError(f"out has dtype {out.dtype}, expected {_dtypes.dtype_name(dtype)}")
    if not out.flags.writeable:
        raise ValueError("out is read-only")
    if _engine.overlaps_itself(out):
        raise ValueError("out has elements that share memory (zero or overlapping strides)")


def _in_dtype(value: float, dtype: np.dtype[Any]) -> np.float32 | np.float64:
    """``value`` rounded to ``dtype``, then widened to the path's float type."""
    rounded = np.asarray(value, dtype=np.float64).astype(dtype)
    if _dtypes.path_of(dtype) == "f64":
        return np.float64(rounded)
    return np.float32(rounded)


# (class, configuration, full shape, dtype) -> (kind, params), see
# VarianceScaling._sampling.  Derived from the constants above: code that
# changes one of them must empty it.
_samplings: dict[tuple[Any, ...], Sampling] = {}


def _rounded_factor(
    factor: float, reach: float, component: np.dtype[Any]
) -> np.float32 | np.float64 | None:
    """``factor`` rounded to ``component``, or None if it or ``reach`` times it
    is not a finite, non-zero value of that dtype.

    NumPy's scalar rounding costs as much as drawing a few hundred samples;
    calls are spared it by the multipliers remembered above.
    """
    # Overflow is reported by the caller as an error, not as a warning.
    with np.errstate(over="ignore"):
        mult = _in_dtype(factor, component)
        bound = np.asarray(reach * float(mult)).astype(component)
    if not np.isfinite(bound) or mult == 0:
        return None
    return mult


class Initializer:
    """Base of every initializer: the call, seeds and configs they share.

    A subclass says what it draws for a full shape and a dtype
    (``_sampling``) and what its constructor arguments are
    (``get_config``); calling it, the ``out=`` and ``partition_info``
    arguments, seeds and the stream are the same for all.  Subclasses set
    ``seed`` and ``dtype`` in their constructors.
    """

    seed: int | None = None
    dtype: np.dtype[Any] = np.dtype(np.float32)

    @overload
    def __call__(
        self,
        shape: ShapeLike,
        dtype: DTypeLike | None = None,
        partition_info: PartitionLike | None = None,
        *,
        out: None = None,
    ) -> npt.NDArray[Any]: ...

    @overload
    def __call__(
        self,
        shape: ShapeLike,
        dtype: DTypeLike | None = None,
        partition_info: PartitionLike | None = None,
        *,
        out: _ArrayT,
    ) -> _ArrayT: ...

    def __call__(
        self,
        shape: ShapeLike,
        dtype: DTypeLike | None = None,
        partition_info: PartitionLike | None = None,
        *,
        out: np.ndarray[Any, Any] | None = None,
    ) -> np.ndarray[Any, Any]:
        """Draw a new array (or fill ``out``).

        Parameters
        ----------
        shape : sequence of int
            Shape of the result (of the partition, with ``partition_info``).
        dtype : dtype-like, optional
            Output dtype; defaults to ``out.dtype`` when ``out`` is given,
            else to the constructor's ``dtype``.
        partition_info : PartitionInfo, optional
            The full variable this call initialises a slice of.  Fans come
            from ``full_shape``, and the values are those of the slice at
            ``var_offset`` of the full tensor (with ``compat``, as in
            TensorFlow: those of an unpartitioned call for ``shape``).
        out : numpy.ndarray, optional
            Array of exactly ``shape`` and the output dtype to fill in place.
            It is left untouched if any argument is invalid.

        Returns
        -------
        numpy.ndarray
            C-contiguous for new arrays; ``out`` itself when given.

        Examples
        --------
        >>> import numpy as np
        >>> import glorot_numba as gn
        >>> buf = np.empty((784, 256), np.float32)
        >>> gn.GlorotNormal(seed=1)((784, 256), out=buf) is buf
        True
        """
        dims = _shapes.check_shape(shape)
        if dtype is not None:
            resolved = _dtypes.resolve_dtype(dtype)
        elif out is not None and isinstance(out, np.ndarray):
            resolved = _dtypes.resolve_dtype(out.dtype)
        else:
            resolved = self.dtype
        if partition_info is None:
            full, offset = dims, (0,) * len(dims)
        else:
            full, offset = _shapes.check_partition(dims, partition_info)
        if out is not None:
            _check_out(out, dims, resolved)
        sampling = self._sampling(full, resolved)
        return self._draw(dims, resolved, full, offset, out, sampling)

    def _sampling(self, full: tuple[int, ...], dtype: np.dtype[Any]) -> Sampling:
        """``(kind, params)`` of a draw of ``full`` in ``dtype``; raises
        for a configuration that ``dtype`` cannot represent."""
        raise NotImplementedError

    def _draw(
        self,
        shape: tuple[int, ...],
        dtype: np.dtype[Any],
        full: tuple[int, ...],
        offset: tuple[int, ...],
        out: np.ndarray[Any, Any] | None,
        sampling: Sampling,
    ) -> np.ndarray[Any, Any]:
        """The validated call: a new array, or ``out``, filled."""
        key = self._key()
        result = _engine.allocate(shape, dtype) if out is None else out
        if result.size:
            kind, params = sampling
            _engine.fill(
                result,
                _dtypes.path_of(dtype),
                _dtypes.native_of(dtype),
                full,
                offset,
                key,
                kind,
                params,
            )
        return result

    def _key(self) -> tuple[np.uint64, np.uint64]:
        """The Philox key of this call, from the seed by TensorFlow v1's rules.

        Framework adapters whose randomness comes as a key of their own (a JAX
        PRNG key, a torch generator) draw through a copy that overrides this.
        """
        return _seeding.key_for(self.seed)

    def get_config(self) -> Config:
        """The constructor arguments, as a new dict."""
        raise NotImplementedError

    @classmethod
    def from_config(cls: type[_InitializerT], config: Mapping[str, Any]) -> _InitializerT:
        """Build an initializer from ``get_config()`` output.

        The caller's dict is not modified.

        Examples
        --------
        >>> import glorot_numba as gn
        >>> init = gn.GlorotNormal.from_config({"seed": 5, "dtype": "float32"})
        >>> init.get_config()
        {'seed': 5, 'dtype': 'float32'}
        """
        return cls(**dict(config))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class VarianceScaling(Initializer):
    """Initializer whose samples have variance ``scale / n``.

    ``n`` is the fan-in, the fan-out, their mean or their geometric mean
    (``mode``), clamped to at least 1.  Semantics are those of
    ``tf.compat.v1.keras.initializers.VarianceScaling`` (plus JAX's
    ``fan_geo_avg`` mode and fan axes); the result is a NumPy array.

    Parameters
    ----------
    scale : float, default 1.0
        Positive, finite scaling factor.
    mode : {"fan_in", "fan_out", "fan_avg", "fan_geo_avg"}, default "fan_in"
        Which fan sets ``n`` (case-sensitive, as in TensorFlow):
        ``fan_avg`` is ``(fan_in + fan_out) / 2``, ``fan_geo_avg`` is
        ``sqrt(fan_in * fan_out)`` (as in JAX).
    distribution : {"truncated_normal", "untruncated_normal", "uniform", "normal"}
        Case-insensitive.  ``"truncated_normal"`` draws a standard normal
        truncated to (-2, 2) by resampling and multiplies it by
        ``sqrt(scale / n) / 0.87962566103423978``, so the standard deviation
        after truncation is ``sqrt(scale / n)``.  ``"normal"`` is TensorFlow's
        deprecated alias of it (kept verbatim in ``get_config``).
        ``"untruncated_normal"`` draws ``N(0, scale / n)``; ``"uniform"``
        draws ``U(-limit, limit)`` with ``limit = sqrt(3 * scale / n)``.
    seed : int or None, default None
        An integer makes every call return the same values for the same
        shape and dtype, in every process and on every machine.  None draws
        fresh OS entropy on every call, unless a global seed is set with
        :func:`set_random_seed`.
    dtype : dtype-like, default "float32"
        Default output dtype: float16, bfloat16, float32, float64, complex64
        or complex128, as a name or a NumPy, JAX, PyTorch or TensorFlow
        dtype.  Complex samples are drawn in polar form with a uniform
        phase, and ``E|w|**2 = scale / n`` for every distribution (see
        Notes).
    compat : {None, "tf.compat.v1", "tf.keras", "keras2"}, default None
        None draws this library's own stream (see Notes).  A string draws
        TensorFlow's values for the same arguments, bit for bit:
        ``"tf.compat.v1"`` those of ``tf.compat.v1.keras.initializers.
        VarianceScaling(..., seed=seed)`` (a graph op, or the first eager
        call in a fresh process; :func:`set_random_seed` plays the part of
        ``tf.compat.v1.set_random_seed``), ``"tf.keras"`` those of Keras 3's
        (TensorFlow backend; ``tf.keras`` in TensorFlow >= 2.16) and
        ``"keras2"`` those of ``tf.keras`` in TensorFlow 2.4.  See the
        documentation's page "TensorFlow parity" (``docs/tf-parity.md``).
    method : {"box_muller", "inverse_cdf"}, keyword-only, default "box_muller"
        How a truncated normal is drawn; both are exact.  ``"box_muller"``
        resamples Box-Muller normals until ``|z| < 2`` (the library's
        specified stream).  ``"inverse_cdf"`` computes each value as the
        exact inverse distribution function of the truncated normal at one
        uniform: no redraws, faster, a stream of its own.  Only for the
        truncated normal of the native stream (``ValueError`` with
        ``compat``, ``"uniform"`` or ``"untruncated_normal"``); complex
        dtypes have one method (their modulus is drawn by an inverse
        distribution function either way).
    in_axis, out_axis, batch_axis : int or sequence of int, keyword-only
        Which axes of the shape make the fans (see :func:`compute_fans`).
        The defaults (-2, -1, ()) are TensorFlow's rules; ``in_axis=1,
        out_axis=0`` is PyTorch's ``(out, in, *kernel)`` layout
        (:data:`TORCH_LAYOUT`).

    Raises
    ------
    TypeError
        For arguments of the wrong type (e.g. ``seed=1.5``).
    ValueError
        For out-of-range values (e.g. ``scale=0``, ``mode="FAN_IN"``,
        ``dtype="int32"``, ``in_axis=0, out_axis=0``), at call time for axes
        that the shape does not have, and for an ``out=`` array whose
        elements share memory.
    MemoryError
        When a call's new array needs more memory than the system can still
        provide (checked before allocating it).

    Notes
    -----
    Output element ``i`` (flat C-order index in the full tensor) is a pure
    function of the seed, ``i`` and the dtype's stream (float64, complex64,
    complex128, or the float32 one, which float16 and bfloat16 share), so
    the values do not depend on thread count, threading layer, JIT mode or
    partitioning.  float16 and bfloat16 values are the float32 samples
    multiplied by the standard deviation rounded to that dtype, rounded once.
    No value ever exceeds the truncation bound ``2 * stddev`` (or ``limit``)
    as represented in the output dtype.

    With ``compat``, values are TensorFlow's: TensorFlow's seeds, Philox
    counters and Box-Muller arithmetic (float32 through the C library's
    ``logf``, ``sinf``, ``cosf``, as TensorFlow's Linux build), and with
    ``partition_info`` TensorFlow's partition rule: fans from
    ``full_shape``, values those of an unpartitioned call for the
    partition's own shape.

    Complex dtypes have streams of their own.  With ``z`` a standard
    complex normal (``|z|**2`` is Exp(1), the phase uniform and independent
    of it): ``"untruncated_normal"`` is ``sqrt(scale / n) * z`` (real and
    imaginary parts each of variance ``scale / (2 n)``, as in PyTorch);
    ``"truncated_normal"`` is ``z`` conditioned on ``|z| < 2``, drawn
    exactly by inverting the distribution of ``|z|**2`` (no rejection),
    times ``sqrt(scale / n) / 0.96196...``, the root mean square of the
    truncated ``|z|`` -- so ``E|w|**2`` is exactly ``scale / n`` (JAX uses
    0.95311 and is 1.87 % high); ``"uniform"`` is uniform on the disc of
    radius ``sqrt(2 * scale / n)``.

    Examples
    --------
    >>> import glorot_numba as gn
    >>> init = gn.VarianceScaling(scale=2.0, mode="fan_in", seed=0)
    >>> w = init((512, 256))
    >>> w.shape, w.dtype
    ((512, 256), dtype('float32'))
    >>> init.get_config()  # doctest: +NORMALIZE_WHITESPACE
    {'scale': 2.0, 'mode': 'fan_in', 'distribution': 'truncated_normal', 'seed': 0,
     'dtype': 'float32'}
    >>> c = init((512, 256), dtype="complex64")
    >>> round(float((abs(c) ** 2).mean() * 512), 2)   # E|w|^2 = scale / n
    2.0
    >>> tf_init = gn.VarianceScaling(distribution="uniform", seed=3, compat="tf.keras")
    >>> tf_init.get_config()["compat"]
    'tf.keras'
    """

    def __init__(
        self,
        scale: RealLike = 1.0,
        mode: Mode = "fan_in",
        distribution: str = "truncated_normal",
        seed: SeedLike = None,
        dtype: DTypeLike = "float32",
        compat: Compat = None,
        *,
        method: Method = DEFAULT_METHOD,
        in_axis: AxisLike = -2,
        out_axis: AxisLike = -1,
        batch_axis: AxisLike = (),
    ) -> None:
        self.scale = _check_scale(scale)
        self.mode = _check_mode(mode)
        self.distribution = _check_distribution(distribution)
        self.seed = _seeding.check_seed(seed)
        self.dtype = _dtypes.resolve_dtype(dtype)
        self.in_axis, self.out_axis, self.batch_axis = _shapes.check_layout(
            in_axis, out_axis, batch_axis
        )
        self.compat = _tf_compat.check_compat(compat)
        _tf_compat.check_compat_mode(self.compat, self.mode)
        _tf_compat.check_compat_dtype(self.compat, self.dtype)
        self.method = _check_method(method, self.distribution, self.compat)

    def _draw(
        self,
        shape: tuple[int, ...],
        dtype: np.dtype[Any],
        full: tuple[int, ...],
        offset: tuple[int, ...],
        out: np.ndarray[Any, Any] | None,
        sampling: Sampling,
    ) -> np.ndarray[Any, Any]:
        if self.compat is not None:
            _tf_compat.check_compat_dtype(self.compat, dtype)
            return _tf_compat.draw(
                self.compat,
                self.seed,
                self.distribution,
                self._variance(self._fans(full)),
                shape,
                dtype,
                out,
            )
        return super()._draw(shape, dtype, full, offset, out, sampling)

    def _fans(self, shape: tuple[int, ...]) -> tuple[int, int]:
        """``(fan_in, fan_out)`` of a validated shape, by this initializer's axes."""
        return _shapes.fans_of(shape, (self.in_axis, self.out_axis, self.batch_axis))

    def _variance(self, fans: tuple[int, int]) -> float:
        """``scale / n`` for ``(fan_in, fan_out)``, in TensorFlow's arithmetic."""
        return _variance.variance(self.scale, self.mode, fans)

    def _sampling(self, full: tuple[int, ...], dtype: np.dtype[Any]) -> Sampling:
        """What a draw of ``full`` in ``dtype`` computes, remembered.

        It depends on nothing but the class, the configuration, ``full`` and
        ``dtype``, and computing it again (fans, variance, rounding) costs a
        few percent of a small call.  Remembered across instances, since
        initializers are often made anew for every call.
        """
        memo_key = (
            type(self),
            self.scale,
            self.mode,
            self.distribution,
            self.method,
            self.in_axis,
            self.out_axis,
            self.batch_axis,
            full,
            dtype,
        )
        try:
            sampling = _samplings.get(memo_key)
        except TypeError:  # an attribute reassigned to something unhashable
            return self._sampling_for(full, dtype)
        if sampling is None:
            sampling = self._sampling_for(full, dtype)
            if len(_samplings) < 4096:
                _samplings[memo_key] = sampling
        return sampling

    def _sampling_for(self, full: tuple[int, ...], dtype: np.dtype[Any]) -> Sampling:
        kind = _KIND[self.distribution]
        mult = self._multiplier(self._fans(full), dtype)
        if self.method == "inverse_cdf" and not _dtypes.is_complex(dtype):
            # The same law as resampling Box-Muller candidates, so the same
            # multiplier; complex dtypes have one method (see Notes).
            kind = _engine.INVERSE_CDF
        return kind, _engine.params(type(mult), mult)

    def _multiplier(self, fans: tuple[int, int], dtype: np.dtype[Any]) -> np.float32 | np.float64:
        """The factor applied to standard samples, rounded to ``dtype``."""
        variance = self._variance(fans)
        kind = _KIND[self.distribution]
        if _dtypes.is_complex(dtype):
            # Polar samples with E|z|^2 = 1 (normal), 0.9254 (truncated) or
            # 1/2 (unit disc); reach bounds |z|.
            factor, reach = {
                _engine.TRUNCATED: (math.sqrt(variance) / COMPLEX_TRUNCATED_RMS, 2.0),
                _engine.NORMAL: (math.sqrt(variance), 1.0),
                _engine.UNIFORM: (math.sqrt(2.0 * variance), 1.0),
            }[kind]
        elif kind == _engine.TRUNCATED:
            factor, reach = math.sqrt(variance) / TRUNCATED_STD, 2.0
        elif kind == _engine.NORMAL:
            factor, reach = math.sqrt(variance), 1.0
        else:
            factor, reach = math.sqrt(3.0 * variance), 1.0
        mult = _rounded_factor(factor, reach, _dtypes.component_of(dtype))
        if mult is None:
            raise ValueError(
                f"scale {self.scale} with fans {fans} gives a standard deviation that "
                f"{_dtypes.dtype_name(dtype)} cannot represent"
            )
        return mult

    def get_config(self) -> Config:
        """The constructor arguments, as a new dict.

        Examples
        --------
        >>> import glorot_numba as gn
        >>> gn.VarianceScaling(distribution="Normal", seed=3).get_config()["distribution"]
        'normal'
        """
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "seed": self.seed,
            "dtype": _dtypes.dtype_name(self.dtype),
            **self._optional_config(),
        }

    def _optional_config(self) -> Config:
        """The arguments that appear in a config only when not their defaults:
        fan axes, ``compat`` and ``method`` (so TensorFlow's and Keras' configs
        stay as they are)."""
        config = _shapes.layout_config((self.in_axis, self.out_axis, self.batch_axis))
        if self.compat is not None:
            config["compat"] = self.compat
        if self.method != DEFAULT_METHOD:
            config["method"] = self.method
        return config


class _Preset(VarianceScaling):
    """A ``VarianceScaling`` whose scale, mode and distribution are fixed."""

    _SCALE: float = 1.0
    _MODE: Mode = "fan_in"
    _DISTRIBUTION: str = "truncated_normal"

    def __init__(
        self,
        seed: SeedLike = None,
        dtype: DTypeLike = "float32",
        compat: Compat = None,
        *,
        method: Method = DEFAULT_METHOD,
        in_axis: AxisLike = -2,
        out_axis: AxisLike = -1,
        batch_axis: AxisLike = (),
    ) -> None:
        super().__init__(
            scale=self._SCALE,
            mode=self._MODE,
            distribution=self._DISTRIBUTION,
            seed=seed,
            dtype=dtype,
            compat=compat,
            method=method,
            in_axis=in_axis,
            out_axis=out_axis,
            batch_axis=batch_axis,
        )

    def get_config(self) -> Config:
        """``{"seed": ..., "dtype": ...}``, plus fan axes that are not the defaults.

        Examples
        --------
        >>> import glorot_numba as gn
        >>> gn.HeNormal(seed=1).get_config()
        {'seed': 1, 'dtype': 'float32'}
        >>> gn.HeNormal(seed=1, **gn.TORCH_LAYOUT).get_config()
        {'seed': 1, 'dtype': 'float32', 'in_axis': 1, 'out_axis': 0}
        >>> gn.GlorotNormal(seed=42, compat="tf.compat.v1").get_config()
        {'seed': 42, 'dtype': 'float32', 'compat': 'tf.compat.v1'}
        >>> gn.GlorotNormal(seed=42, method="inverse_cdf").get_config()
        {'seed': 42, 'dtype': 'float32', 'method': 'inverse_cdf'}
        """
        return {
            "seed": self.seed,
            "dtype": _dtypes.dtype_name(self.dtype),
            **self._optional_config(),
        }


class GlorotNormal(_Preset):
    """Glorot (Xavier) normal initializer, as in TensorFlow v1.

    Draws from a normal distribution truncated at two standard deviations
    and rescaled so that the standard deviation after truncation is
    ``sqrt(2 / (fan_in + fan_out))`` (Glorot & Bengio, AISTATS 2010).  It is
    ``VarianceScaling(scale=1.0, mode="fan_avg",
    distribution="truncated_normal")``.

    Parameters
    ----------
    seed : int or None, default None
        See :class:`VarianceScaling`.
    dtype : dtype-like, default "float32"
        Default output dtype.  Unlike TensorFlow v1, which ignores this
        argument, it is honoured (as TensorFlow's documentation describes).
    in_axis, out_axis, batch_axis : int or sequence of int, keyword-only
        Fan axes, see :class:`VarianceScaling`.
    compat : {None, "tf.compat.v1", "tf.keras", "keras2"}, default None
        None for this library's own stream; otherwise TensorFlow's values,
        bit for bit (see :class:`VarianceScaling`): ``"tf.compat.v1"``
        those of ``tf.compat.v1.glorot_normal_initializer(seed=seed)``,
        ``"tf.keras"`` those of ``keras.initializers.GlorotNormal(seed=seed)``
        on TensorFlow (Keras 3), ``"keras2"`` those of
        ``tf.keras.initializers.GlorotNormal(seed=seed)`` in TensorFlow 2.4.

    Examples
    --------
    >>> import numpy as np
    >>> import glorot_numba as gn
    >>> init = gn.GlorotNormal(seed=42)
    >>> w = init((784, 256))
    >>> w.dtype, w.flags.c_contiguous
    (dtype('float32'), True)
    >>> bool(np.array_equal(w, init((784, 256))))
    True
    >>> bool(np.abs(w).max() <= 2 * np.sqrt(2 / (784 + 256)) / 0.87962566103423978)
    True

    TensorFlow's own numbers, here those that
    ``tf.compat.v1.glorot_normal_initializer(seed=7)((2, 3))`` returns:

    >>> print(gn.GlorotNormal(seed=7, compat="tf.compat.v1")((2, 3)))
    [[-0.0337542  -0.8656122   0.83896077]
     [ 0.8416824   0.515258    0.41064805]]
    """

    _MODE = "fan_avg"


glorot_normal = GlorotNormal
glorot_normal_initializer = GlorotNormal
xavier_normal = GlorotNormal
