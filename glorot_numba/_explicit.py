"""Initializers whose distribution is given explicitly: ``RandomNormal``,
``TruncatedNormal`` and ``RandomUniform``.

They draw ``N(mean, stddev**2)``, a normal truncated to an interval, and
``U(minval, maxval)``, with the names and defaults of
``tf.compat.v1.keras.initializers`` (and Keras), and share everything else
with the ``VarianceScaling`` family: seeds, the stream (each element a pure
function of the key and its index), ``out=``, ``partition_info``, configs.

Values are computed in the float type of the dtype's stream (float32 for
float16 and bfloat16, whose values are then rounded once) from the
parameters in that type, and the kernels' multiplier and shift are chosen
so that every value lies within the distribution's bounds without clipping
(see :mod:`._params`).
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _dtypes, _engine, _params, _seeding
from .initializers import Initializer

if TYPE_CHECKING:
    from ._dtypes import DTypeLike
    from ._seeding import SeedLike
    from .initializers import Config, RealLike, Sampling

__all__ = [
    "RandomNormal",
    "TruncatedNormal",
    "RandomUniform",
    "random_normal",
    "truncated_normal",
    "random_uniform",
]


def _check_real(value: object, name: str) -> float:
    if type(value) is not float:  # plain floats skip the slow ABC checks
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
        value = float(value)
    if math.isnan(value):
        raise ValueError(f"{name} must not be NaN")
    return value


def _check_finite(value: object, name: str) -> float:
    value = _check_real(value, name)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def _check_real_dtype(cls: type, dtype: np.dtype[Any]) -> np.dtype[Any]:
    if _dtypes.is_complex(dtype):
        raise ValueError(f"{cls.__name__} draws real values; got dtype {dtype.name}")
    return dtype


# (class, configuration, dtype) -> (kind, params); a configuration's sampling
# costs up to a millisecond to work out (the truncation window's bisection).
_samplings: dict[tuple[Any, ...], Sampling] = {}


class _Explicit(Initializer):
    """The constructor's ``seed`` and ``dtype``, and the remembered samplings."""

    def __init__(self, seed: SeedLike, dtype: DTypeLike) -> None:
        self.seed = _seeding.check_seed(seed)
        self.dtype = self._check_dtype(_dtypes.resolve_dtype(dtype))

    @classmethod
    def _check_dtype(cls, dtype: np.dtype[Any]) -> np.dtype[Any]:
        return _check_real_dtype(cls, dtype)

    def _configuration(self) -> tuple[float | None, ...]:
        """The attributes that decide the sampling, as a hashable tuple."""
        raise NotImplementedError

    def _sampling(self, full: tuple[int, ...] | None, dtype: np.dtype[Any]) -> Sampling:
        self._check_dtype(dtype)
        memo_key = (type(self), self._configuration(), dtype)
        try:
            sampling = _samplings.get(memo_key)
        except TypeError:  # an attribute reassigned to something unhashable
            return self._sampling_for(dtype)
        if sampling is None:
            sampling = self._sampling_for(dtype)
            if len(_samplings) < 4096:
                _samplings[memo_key] = sampling
        return sampling

    def _sampling_for(self, dtype: np.dtype[Any]) -> Sampling:
        raise NotImplementedError

    def _base_config(self) -> Config:
        return {"seed": self.seed, "dtype": _dtypes.dtype_name(self.dtype)}


def _shift(value: float, dtype: np.dtype[Any]) -> np.floating[Any] | None:
    """The kernels' shift for a location ``value``: None for zero (no addition)."""
    return None if value == 0.0 else _params.rounded(value, dtype)


class RandomNormal(_Explicit):
    """Initializer drawing from the normal distribution ``N(mean, stddev**2)``.

    As ``tf.compat.v1.keras.initializers.RandomNormal``: untruncated.  For
    complex dtypes the value is ``mean + stddev * z`` with ``z`` a standard
    complex normal (``E|z|**2 = 1``, real and imaginary parts each of
    variance 1/2, as PyTorch draws them).

    Parameters
    ----------
    mean : float, default 0.0
        Mean; finite.
    stddev : float, default 0.05
        Standard deviation; finite and ``>= 0``.
    seed : int or None, default None
        See :class:`VarianceScaling`.
    dtype : dtype-like, default "float32"
        Default output dtype: float16, bfloat16, float32, float64,
        complex64 or complex128.

    Raises
    ------
    TypeError, ValueError
        For arguments of the wrong type or out of range; ``ValueError`` at
        call time when the dtype cannot represent ``mean`` or ``stddev``.

    Notes
    -----
    The values are ``z * stddev + mean`` in the precision of the dtype's
    stream (float32 for float16 and bfloat16, rounded once more), with the
    same standard
    normals ``z`` as ``VarianceScaling(distribution="untruncated_normal")``
    draws for the same seed and dtype.

    Examples
    --------
    >>> import glorot_numba as gn
    >>> w = gn.RandomNormal(mean=1.0, stddev=0.02, seed=0)((512, 256))
    >>> round(float(w.mean()), 3), round(float(w.std()), 3)
    (1.0, 0.02)
    >>> gn.RandomNormal(stddev=0.02, seed=0).get_config()
    {'mean': 0.0, 'stddev': 0.02, 'seed': 0, 'dtype': 'float32'}
    """

    def __init__(
        self,
        mean: RealLike = 0.0,
        stddev: RealLike = 0.05,
        seed: SeedLike = None,
        dtype: DTypeLike = "float32",
    ) -> None:
        self.mean = _check_finite(mean, "mean")
        self.stddev = _check_finite(stddev, "stddev")
        if self.stddev < 0.0:
            raise ValueError(f"stddev must be >= 0, got {self.stddev}")
        super().__init__(seed, dtype)

    @classmethod
    def _check_dtype(cls, dtype: np.dtype[Any]) -> np.dtype[Any]:
        return dtype

    def _configuration(self) -> tuple[float | None, ...]:
        return self.mean, self.stddev

    def _sampling_for(self, dtype: np.dtype[Any]) -> Sampling:
        try:
            mult = _params.rounded(self.stddev, dtype)
            shift = _shift(self.mean, dtype)
        except _params.Unrepresentable as exc:
            raise ValueError(f"{self!r}: {exc}") from None
        return _engine.NORMAL, _engine.params(type(mult), mult, shift)

    def get_config(self) -> Config:
        """``{"mean", "stddev", "seed", "dtype"}``, as TensorFlow reports them."""
        return {"mean": self.mean, "stddev": self.stddev, **self._base_config()}


class TruncatedNormal(_Explicit):
    """Initializer drawing from a normal distribution truncated to an interval.

    By default as ``tf.compat.v1.keras.initializers.TruncatedNormal`` (and
    Keras): ``mean + stddev * z`` with ``z`` a standard normal, redrawn
    until ``|z| < 2``.  With ``lower`` and ``upper`` (absolute bounds, as
    in PyTorch's ``trunc_normal_``), the normal ``N(mean, stddev**2)``
    conditioned on ``lower <= value <= upper``: exact for any interval --
    wide, narrow, or far in one tail -- and never by clipping.

    Parameters
    ----------
    mean : float, default 0.0
        Mean of the normal before truncation; finite.
    stddev : float, default 0.05
        Its standard deviation; finite and ``> 0``.
    seed : int or None, default None
        See :class:`VarianceScaling`.
    dtype : dtype-like, default "float32"
        Default output dtype: float16, bfloat16, float32 or float64.
    lower, upper : float or None, keyword-only
        Absolute bounds, ``lower < upper``; either may be infinite.  None
        for both: ``mean -+ 2 * stddev``, as TensorFlow.  If only one is
        given, the other is ``mean -+ 2 * stddev``.

    Raises
    ------
    TypeError, ValueError
        For arguments of the wrong type or out of range; ``ValueError`` at
        call time when no value of the dtype lies within the bounds.

    Notes
    -----
    Every value lies in ``[lower, upper]`` as the output dtype represents
    them: exactly for float32 and float64; float16 and bfloat16 values are
    float32 values in the bounds, rounded once, so within the bounds
    rounded to the dtype.  Intervals that contain ``mean -+ 2 * stddev`` are drawn by
    resampling the library's Box-Muller normals (for the default interval,
    the same normals ``z`` as ``VarianceScaling`` keeps); any other
    interval by the exact inverse distribution function of the truncated
    normal, from a stream of its own.

    Examples
    --------
    >>> import numpy as np
    >>> import glorot_numba as gn
    >>> w = gn.TruncatedNormal(stddev=0.02, seed=0)((256, 256))
    >>> bool(np.abs(w).max() < 0.04)
    True
    >>> tail = gn.TruncatedNormal(mean=0.0, stddev=1.0, lower=3.0, upper=np.inf, seed=1)
    >>> bool(tail((1000,)).min() >= 3.0)
    True
    """

    def __init__(
        self,
        mean: RealLike = 0.0,
        stddev: RealLike = 0.05,
        seed: SeedLike = None,
        dtype: DTypeLike = "float32",
        *,
        lower: RealLike | None = None,
        upper: RealLike | None = None,
    ) -> None:
        self.mean = _check_finite(mean, "mean")
        self.stddev = _check_finite(stddev, "stddev")
        if not self.stddev > 0.0:
            raise ValueError(f"stddev must be > 0, got {self.stddev}")
        self.lower = None if lower is None else _check_real(lower, "lower")
        self.upper = None if upper is None else _check_real(upper, "upper")
        if self.lower is not None or self.upper is not None:
            lo, hi = self._bounds()
            if not lo < hi:
                raise ValueError(f"lower must be below upper, got lower={lo}, upper={hi}")
        super().__init__(seed, dtype)

    def _bounds(self) -> tuple[float, float]:
        """The absolute bounds, defaults filled in."""
        lower = self.mean - 2.0 * self.stddev if self.lower is None else self.lower
        upper = self.mean + 2.0 * self.stddev if self.upper is None else self.upper
        return lower, upper

    def _configuration(self) -> tuple[float | None, ...]:
        return self.mean, self.stddev, self.lower, self.upper

    def _sampling_for(self, dtype: np.dtype[Any]) -> Sampling:
        try:
            mult = _params.rounded(self.stddev, dtype)
            shift = _shift(self.mean, dtype)
            real = type(mult)
            if self.lower is None and self.upper is None:
                return _engine.TRUNCATED, _engine.params(real, mult, shift)
            lo, hi = _params.window(
                mult, real(0.0) if shift is None else shift, *self._bounds(), dtype
            )
        except _params.Unrepresentable as exc:
            raise ValueError(f"{self!r}: {exc}") from None
        if _params.standard_window(lo, hi):
            return _engine.TRUNCATED, _engine.params(real, mult, shift, lo, hi)
        return _params.interval_sampling(mult, shift, *self._bounds(), dtype)

    def get_config(self) -> Config:
        """``{"mean", "stddev", "seed", "dtype"}``, and the bounds when given."""
        config = {"mean": self.mean, "stddev": self.stddev, **self._base_config()}
        if self.lower is not None:
            config["lower"] = self.lower
        if self.upper is not None:
            config["upper"] = self.upper
        return config


class RandomUniform(_Explicit):
    """Initializer drawing from the uniform distribution on ``[minval, maxval]``.

    As ``tf.compat.v1.keras.initializers.RandomUniform``.

    Parameters
    ----------
    minval, maxval : float, default -0.05, 0.05
        The bounds, finite, ``minval <= maxval``.
    seed : int or None, default None
        See :class:`VarianceScaling`.
    dtype : dtype-like, default "float32"
        Default output dtype: float16, bfloat16, float32 or float64.

    Raises
    ------
    TypeError, ValueError
        For arguments of the wrong type or out of range; ``ValueError`` at
        call time when no value of the dtype lies within the bounds.

    Notes
    -----
    The values are ``mid + half * w``, ``w`` the library's standard uniform
    on (-1, 1) (the same as ``VarianceScaling(distribution="uniform")``
    draws), ``mid`` and ``half`` the midpoint and half-width in the
    precision of the dtype's stream; ``half`` is lowered by the least amount
    that keeps every value
    within ``[minval, maxval]`` (float32 and float64; float16 and bfloat16
    values are such float32 values rounded once, so within the bounds
    rounded to the dtype).

    Examples
    --------
    >>> import glorot_numba as gn
    >>> w = gn.RandomUniform(0.0, 1.0, seed=0)((1000,))
    >>> bool(w.min() >= 0.0 and w.max() <= 1.0)
    True
    """

    def __init__(
        self,
        minval: RealLike = -0.05,
        maxval: RealLike = 0.05,
        seed: SeedLike = None,
        dtype: DTypeLike = "float32",
    ) -> None:
        self.minval = _check_finite(minval, "minval")
        self.maxval = _check_finite(maxval, "maxval")
        if self.minval > self.maxval:
            raise ValueError(
                f"minval must not exceed maxval, got minval={self.minval}, maxval={self.maxval}"
            )
        super().__init__(seed, dtype)

    def _configuration(self) -> tuple[float | None, ...]:
        return self.minval, self.maxval

    def _sampling_for(self, dtype: np.dtype[Any]) -> Sampling:
        a, b = self.minval, self.maxval
        try:
            _params.rounded(a, dtype), _params.rounded(b, dtype)
            half = _params.rounded(b / 2.0 - a / 2.0, dtype)
            shift = _shift(a / 2.0 + b / 2.0, dtype)
            real = type(half)
            # The half-width, lowered (rarely by more than an ulp) so that
            # the extreme samples stay within the bounds once written.
            mult = _params.uniform_half_width(
                half, real(0.0) if shift is None else shift, a, b, dtype
            )
        except _params.Unrepresentable as exc:
            raise ValueError(f"{self!r}: {exc}") from None
        return _engine.UNIFORM, _engine.params(real, mult, shift)

    def get_config(self) -> Config:
        """``{"minval", "maxval", "seed", "dtype"}``, as TensorFlow reports them."""
        return {"minval": self.minval, "maxval": self.maxval, **self._base_config()}


random_normal = RandomNormal
truncated_normal = TruncatedNormal
random_uniform = RandomUniform
