"""Kernel parameters of a distribution, rounded so that its bounds hold as represented.

The real kernels write ``z * mult + shift`` for a standard sample ``z``
(uniform on (-1, 1), or normal), in the float type of their path (float32,
which serves float16 and bfloat16 too, or float64); float16 and bfloat16
outputs are then rounded once more.  Every step rounds to nearest, so the
value written is a non-decreasing function of ``z``.  That is what lets a
bound be kept exactly without clipping:

* a uniform keeps its bounds if the two most extreme standard samples do;
* a normal truncated to ``[lower, upper]`` keeps the candidates ``z`` of a
  window ``(lo, hi)``: exactly those whose value in the path's type lies
  in the bounds, found by bisection over the path's floats.

Bounds hold in the path's type, exactly; a float16 or bfloat16 output then
rounds that value once more, so it lies within the bounds rounded to its
dtype (rounding is monotone).  That is the distribution conditioned on the
bounds, then rounded -- not one with extra mass in the bound's rounding
cell.

Everything here runs once per configuration and dtype: callers remember the
results.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _dtypes, _engine, _normal_cdf

if TYPE_CHECKING:
    from .initializers import Sampling

    # The float type of a path: np.float32 or np.float64.
    Real = np.floating[Any]

__all__ = [
    "Unrepresentable",
    "rounded",
    "window",
    "uniform_half_width",
    "standard_window",
    "interval_sampling",
]

# The most extreme standard uniforms the kernels produce: (2m + 1) 2**-k - 1
# for the largest and smallest m (k = 23 on the float32 path, 52 on the
# float64 path).
_UNIFORM_EDGE = {"f32": 1.0 - 2.0**-23, "f64": 1.0 - 2.0**-52}


class Unrepresentable(ValueError):
    """A parameter (or the values it implies) that a dtype cannot hold."""


def rounded(value: float, dtype: np.dtype[Any]) -> Real:
    """``value`` in the float type of ``dtype``'s path (its component's, if
    complex); raises :class:`Unrepresentable` if ``dtype`` cannot hold it.

    Parameters are not rounded to float16 or bfloat16 first: the values are
    computed in float32 and rounded once.
    """
    component = _dtypes.component_of(dtype)
    with np.errstate(over="ignore"):
        if not np.isfinite(np.asarray(value, dtype=np.float64).astype(component)):
            raise Unrepresentable(f"{value!r} overflows {_dtypes.dtype_name(dtype)}")
        return _dtypes.native_of(component).type(value)  # type: ignore[no-any-return]


def _written(z: float | Real, mult: Real, shift: Real, dtype: np.dtype[Any]) -> float:
    """The value a kernel computing in ``mult``'s precision writes for the
    standard sample ``z``, stored in the type of ``dtype``'s path, as a
    Python float."""
    real = type(mult)
    with np.errstate(over="ignore", invalid="ignore"):
        x = real(z) * mult + shift
        return float(np.asarray(x).astype(_dtypes.native_of(dtype)))


def uniform_half_width(
    half: Real, shift: Real, lower: float, upper: float, dtype: np.dtype[Any]
) -> Real:
    """The largest multiplier up to ``half`` for which a uniform fill around
    ``shift`` writes only values in ``[lower, upper]``; raises
    :class:`Unrepresentable` if none does (no path float in the bounds).

    ``shift`` is the nearest path float to the midpoint, so it lies in the
    bounds whenever any path float does, and a multiplier of 0 then works.
    """
    real = type(half)
    edge = _UNIFORM_EDGE[_dtypes.path_of(dtype)]

    def fits(k: int) -> bool:
        m = _from_ordinal(k, real)
        return (
            lower <= _written(-edge, m, shift, dtype) and _written(edge, m, shift, dtype) <= upper
        )

    k = _last(fits, 0, _ordinal(half))
    if k < 0:
        raise Unrepresentable(f"no {np.dtype(real).name} value lies in [{lower!r}, {upper!r}]")
    return _from_ordinal(k, real)


# Ordinals of floats: consecutive finite floats have consecutive ordinals,
# and ordinals compare as the floats do.
_ORDINAL: dict[type, tuple[type[np.signedinteger[Any]], type[np.unsignedinteger[Any]], int]] = {
    np.float32: (np.int32, np.uint32, 0x7F7FFFFF),
    np.float64: (np.int64, np.uint64, 0x7FEFFFFFFFFFFFFF),
}


def _ordinal(x: Real) -> int:
    signed, _, _ = _ORDINAL[type(x)]
    i = int(np.asarray(x).view(signed))
    return i if i >= 0 else -(i & ~(1 << (8 * np.dtype(signed).itemsize - 1)))


def _from_ordinal(k: int, real: type[Real]) -> Real:
    signed, unsigned, _ = _ORDINAL[real]
    bits = k if k >= 0 else (-k) | (1 << (8 * np.dtype(signed).itemsize - 1))
    # [()] of a 0-d array: a scalar.
    return np.asarray(bits, dtype=unsigned).view(real)[()]  # type: ignore[return-value]


def _last(pred: Callable[[int], bool], lo: int, hi: int) -> int:
    """The largest ordinal ``k`` in ``[lo, hi]`` with ``pred(k)``, given that
    ``pred`` is true up to some point and false after it; ``lo - 1`` if none."""
    if pred(hi):
        return hi
    if not pred(lo):
        return lo - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pred(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def window(
    mult: Real, shift: Real, lower: float, upper: float, dtype: np.dtype[Any]
) -> tuple[Real, Real]:
    """The candidate window ``(lo, hi)`` of a normal truncated to ``[lower, upper]``.

    ``lo < z < hi`` holds for exactly the floats ``z`` (of ``mult``'s
    type) whose written value (``z * mult + shift``, stored in the path's
    type) lies in ``[lower, upper]``; ``mult > 0``.  ``lo`` is ``-inf``
    when no value falls below ``lower`` (likewise ``hi``).  Raises
    :class:`Unrepresentable` when no value the fill can write lies in the
    bounds.
    """
    real = type(mult)
    top = _ORDINAL[real][2]

    def value(k: int) -> float:
        return _written(_from_ordinal(k, real), mult, shift, dtype)

    # Largest z written at or below upper; smallest z written at or above lower.
    k_hi = _last(lambda k: value(k) <= upper, -top, top)
    k_lo = -_last(lambda k: value(-k) >= lower, -top, top)
    if k_hi < k_lo:
        raise Unrepresentable(
            f"no {np.dtype(_dtypes.native_of(dtype)).name} value of the form mean + stddev "
            f"* z lies in [{lower!r}, {upper!r}]"
        )
    lo = real(-math.inf) if k_lo == -top else _from_ordinal(k_lo - 1, real)
    hi = real(math.inf) if k_hi == top else _from_ordinal(k_hi + 1, real)
    return lo, hi


def standard_window(lo: Real, hi: Real) -> bool | np.bool_:
    """Whether the window contains (-2, 2): the truncations that resampling
    Box-Muller candidates serves (at least 95.4 % of them are kept)."""
    return lo <= -2.0 and hi >= 2.0


def _window_constants(zl: float, zh: float) -> tuple[int, tuple[float, float, float, float]]:
    """``(kind, constants)`` of the interval kernels for the window ``[zl, zh]``
    (floats, maybe infinite); see :func:`._engine.interval.params`.

    The probabilities are correctly rounded (:mod:`._normal_cdf`), so they,
    and the bits drawn with them, are the same on every machine.
    """
    mass = _normal_cdf.normal_mass(zl, zh)
    if mass >= _engine.interval.SMALLEST_MASS:
        pa = _normal_cdf.normal_cdf(zl)
        qb = _normal_cdf.normal_sf(zh)
        return _engine.INTERVAL, (pa, qb, mass, (0.5 - pa) / mass)
    # Far in a tail: mirror to [alpha, beta], alpha > 0.
    sign, alpha, beta = (1.0, zl, zh) if zl > 0.0 else (-1.0, -zh, -zl)
    return _engine.TAIL, (alpha, alpha * alpha, _normal_cdf.rayleigh_mass(alpha, beta), sign)


def interval_sampling(
    mult: Real, shift: Real | None, lower: float, upper: float, dtype: np.dtype[Any]
) -> Sampling:
    """``(kind, params)`` of the interval kernels for ``z * mult + shift``,
    ``z`` a standard normal conditioned on the value lying in ``[lower,
    upper]`` once written.

    ``mult`` and ``shift`` (None: no shift) are the path's floats; the
    interval kernels compute in float64, for which the window is worked out
    here.
    """
    m64 = np.float64(mult)
    s64 = None if shift is None else np.float64(shift)
    lo, hi = window(m64, np.float64(0.0) if s64 is None else s64, lower, upper, dtype)
    # Closed bounds; infinite ones stay infinite.
    zl = float(np.nextafter(lo, np.inf)) if np.isfinite(lo) else -np.inf
    zh = float(np.nextafter(hi, -np.inf)) if np.isfinite(hi) else np.inf
    kind, constants = _window_constants(zl, zh)
    return kind, _engine.interval.params(m64, s64, zl, zh, constants)
