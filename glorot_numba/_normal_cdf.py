"""The standard normal distribution function, correctly rounded, in pure Python.

An exact sampler of a normal truncated to ``[a, b]`` needs, once per call,
``Phi(a)``, the mass ``Phi(b) - Phi(a)`` or, far in a tail, ``1 - exp(-(b**2
- a**2)/2)``.  These must be the same bits on every machine, so they cannot
come from ``math.erfc`` or ``math.expm1`` (the C library's, which differ in
the last bit between platforms).  They are computed here with the
:mod:`decimal` module -- software arithmetic whose ``exp``, ``sqrt`` and
basic operations are correctly rounded by specification -- to a precision
chosen by Ziv's strategy: the value is computed together with a rigorous
bound on its error; if both ends of the interval round to the same float64,
that float64 is the correctly rounded result, else the precision doubles.
So each function returns the float64 nearest to the exact value (ties to
even), subnormal or 0.0 where the value underflows.

A call takes some 20 to 120 microseconds (most near ``|x|`` = 6, where both
expansions converge slowest); nothing is cached but the digits of pi.

Algorithms, for ``y >= 0`` and ``Phi(-y)``:

* ``y < 6``: ``Phi(-y) = 1/2 - phi(y) * sum(y**(2n+1) / (2n+1)!!)``, a
  series of positive terms;
* ``y >= 6``: ``Phi(-y) = phi(y) * M(y)`` with Laplace's continued fraction
  of the Mills ratio, ``M(y) = 1/(y + 1/(y + 2/(y + 3/(y + ...))))``, whose
  successive convergents lie on either side of ``M``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal, localcontext

__all__ = ["normal_cdf", "normal_sf", "normal_mass", "rayleigh_mass"]

# Working precision in decimal digits: the first try, and a limit that no
# argument reaches (it would take a value within 10**-1000 of a rounding
# boundary).
_FIRST_DIGITS = 36
_LAST_DIGITS = 2000
# Beyond these the result is 0.0 or 1.0: Phi(-38.5) < 2**-1075 / 2 and
# Phi(-8.3) < 2**-54.
_UNDERFLOW = 38.5
_SATURATION = 8.3
_SERIES_END = Decimal(6)
_RESCALE = Decimal(10) ** 100


# A value and a bound on its absolute error.
Bounded = tuple[Decimal, Decimal]


def _context(digits: int) -> Context:
    return Context(prec=digits, rounding=ROUND_HALF_EVEN, Emin=-999_999, Emax=999_999)


def _directed(digits: int, rounding: str) -> Context:
    return Context(prec=digits, rounding=rounding, Emin=-999_999, Emax=999_999)


@functools.lru_cache(maxsize=8)
def _sqrt_2pi(digits: int) -> Decimal:
    """sqrt(2 pi) to ``digits`` digits, relative error below 10**(1 - digits)."""
    # Machin: pi = 16 atan(1/5) - 4 atan(1/239), in integers scaled by
    # 10**(digits + 10); each series term is truncated, so the error is a
    # few units of the last of those digits.
    scale = 10 ** (digits + 10)

    def atan_inverse(n: int) -> int:
        total, term, k, sign = 0, scale // n, 1, 1
        while term:
            total += sign * (term // k)
            term //= n * n
            k += 2
            sign = -sign
        return total

    pi = Decimal(16 * atan_inverse(5) - 4 * atan_inverse(239)) / Decimal(scale)
    with localcontext(_context(digits)):
        return (2 * pi).sqrt()


def _phi(y2: Decimal, digits: int) -> Bounded:
    """``(phi, rel)``: the density at ``y`` from ``y2 = y**2`` (computed to
    ``digits`` digits), and a bound on its relative error."""
    u = Decimal(10) ** (1 - digits)  # twice the unit roundoff
    phi = (-y2 / 2).exp() / _sqrt_2pi(digits)
    # y2 carries a relative error of u/2, i.e. exp's argument an absolute
    # one of y2 u / 4, which becomes a relative error of phi.
    return phi, (y2 + 4) * u


def _central(y: Decimal, digits: int) -> Bounded:
    """``(v, e)``: ``v`` approximates ``Phi(y) - 1/2`` for the exact Decimal
    ``0 <= y < 6``, with ``|v - (Phi(y) - 1/2)| <= e``."""
    u = Decimal(10) ** (1 - digits)
    with localcontext(_context(digits)):
        y2 = y * y
        phi, phi_err = _phi(y2, digits)
        # Terms y**(2n+1)/(2n+1)!!; each carries at most n u of relative
        # error, and the sum as much again.  Past the largest term, once
        # the ratio y2/(2n+3) is at most 1/2, what is left is at most twice
        # the next term.
        term = total = y
        n = 0
        while True:
            ratio = y2 / (2 * n + 3)
            term *= ratio
            n += 1
            total += term
            if ratio <= Decimal("0.5") and term <= total * u:
                break
        value = phi * total
        return value, value * (phi_err + (3 * n + 3) * u) + 2 * phi * term * ratio


def _lower_tail(y: Decimal, digits: int) -> Bounded:
    """``(v, e)``: ``v`` approximates ``Phi(-y)`` for the exact Decimal
    ``y >= 0``, with ``|v - Phi(-y)| <= e``."""
    u = Decimal(10) ** (1 - digits)
    if y < _SERIES_END:
        c, e = _central(y, digits)
        with localcontext(_context(digits)):
            value = Decimal("0.5") - c
        return value, e + value * u
    with localcontext(_context(digits)):
        phi, phi_err = _phi(y * y, digits)
        # Convergents A/B of 1/(y + 1/(y + 2/(y + ...))) by the forward
        # recurrence: all terms are positive, so A and B carry at most
        # 3n u of relative error, and consecutive convergents bracket M.
        a_prev, a = Decimal(0), Decimal(1)
        b_prev, b = Decimal(1), y
        f_prev, f = Decimal(0), a / b
        n = 1
        while abs(f - f_prev) > f * u:
            a_prev, a = a, y * a + n * a_prev
            b_prev, b = b, y * b + n * b_prev
            if b > _RESCALE:  # only the ratios matter
                a_prev, a, b_prev, b = (v.scaleb(-100) for v in (a_prev, a, b_prev, b))
            f_prev, f = f, a / b
            n += 1
        value = phi * f
        return value, value * (phi_err + (10 * n + 2) * u) + phi * abs(f - f_prev)


def _rounded(compute: Callable[[int], Bounded]) -> float:
    """Ziv's loop: ``compute(digits) -> (v, e)`` with the exact value within
    ``e`` of ``v``; the float64 that every value in ``[v - e, v + e]``
    rounds to."""
    digits = _FIRST_DIGITS
    while digits <= _LAST_DIGITS:
        with localcontext(_context(digits)):
            v, e = compute(digits)
        # The interval's ends, rounded outwards; Decimal -> float is
        # correctly rounded.
        lo = float(v.fma(1, -e, _directed(digits, ROUND_FLOOR)))
        hi = float(v.fma(1, e, _directed(digits, ROUND_CEILING)))
        if lo == hi:
            return lo
        digits *= 2
    raise ArithmeticError("no correctly rounded result within the precision limit")


def _tail_difference(hi: float, lo: float, digits: int) -> Bounded:
    """``Phi(hi) - Phi(lo)`` for ``lo < hi <= 0`` (``lo`` may be -inf)."""
    v1, e1 = _lower_tail(Decimal(-hi), digits)
    v2, e2 = (Decimal(0), Decimal(0)) if lo == -math.inf else _lower_tail(Decimal(-lo), digits)
    with localcontext(_context(digits)):
        value = v1 - v2
    return value, e1 + e2 + abs(value) * Decimal(10) ** (1 - digits)


def _half_mass(x: float, digits: int) -> Bounded:
    """``Phi(x) - 1/2`` for ``x > 0`` (``x`` may be inf)."""
    if x == math.inf:
        return Decimal("0.5"), Decimal(0)
    y = Decimal(x)
    if y < _SERIES_END:
        return _central(y, digits)
    v, e = _lower_tail(y, digits)
    with localcontext(_context(digits)):
        return Decimal("0.5") - v, e + Decimal(10) ** (-digits)


def _checked(x: float, name: str) -> float:
    x = float(x)
    if math.isnan(x):
        raise ValueError(f"{name} is NaN")
    return x


def normal_cdf(x: float) -> float:
    """``Phi(x)``, the standard normal distribution function, correctly rounded.

    Parameters
    ----------
    x : float
        Any float, infinities included.

    Returns
    -------
    float
        The float64 nearest to ``Phi(x)``: 0.0 below about -38.5, 1.0 above
        about 8.3.

    Raises
    ------
    ValueError
        If ``x`` is NaN.

    Examples
    --------
    >>> from glorot_numba._normal_cdf import normal_cdf
    >>> normal_cdf(-2.0), normal_cdf(0.0), normal_cdf(2.0)
    (0.02275013194817921, 0.5, 0.9772498680518208)
    >>> normal_cdf(-38.0)
    2.88542835e-316
    """
    x = _checked(x, "x")
    if x <= -_UNDERFLOW:
        return 0.0
    if x >= _SATURATION:
        return 1.0
    y = Decimal(abs(x))
    if x <= 0:
        return _rounded(lambda digits: _lower_tail(y, digits))

    def upper(digits: int) -> Bounded:
        if y < _SERIES_END:
            v, e = _central(y, digits)
            v = Decimal("0.5") + v
        else:
            v, e = _lower_tail(y, digits)
            v = 1 - v
        return +v, e + Decimal(10) ** (1 - digits)

    return _rounded(upper)


def normal_sf(x: float) -> float:
    """``1 - Phi(x) = Phi(-x)``, the survival function, correctly rounded.

    Parameters
    ----------
    x : float
        Any float, infinities included.

    Returns
    -------
    float
        The float64 nearest to ``1 - Phi(x)``.

    Raises
    ------
    ValueError
        If ``x`` is NaN.

    Examples
    --------
    >>> from glorot_numba._normal_cdf import normal_sf
    >>> normal_sf(2.0), normal_sf(20.0)
    (0.02275013194817921, 2.7536241186062337e-89)
    """
    return normal_cdf(-_checked(x, "x"))


def normal_mass(a: float, b: float) -> float:
    """``Phi(b) - Phi(a)``, the standard normal probability of ``[a, b]``,
    correctly rounded: no cancellation, however narrow or far out the
    interval.

    Parameters
    ----------
    a, b : float
        ``a <= b``; either may be infinite.

    Returns
    -------
    float
        The float64 nearest to ``Phi(b) - Phi(a)``.

    Raises
    ------
    ValueError
        If ``a`` or ``b`` is NaN, or ``a > b``.

    Examples
    --------
    >>> from glorot_numba._normal_cdf import normal_mass
    >>> normal_mass(-2.0, 2.0)
    0.9544997361036416
    >>> normal_mass(10.0, 10.0 + 2.0**-40)
    6.998196683226913e-35
    """
    a, b = _checked(a, "a"), _checked(b, "b")
    if a > b:
        raise ValueError(f"a = {a!r} is above b = {b!r}")
    if a == b:
        return 0.0
    if a >= 0:  # Phi(-a) - Phi(-b)
        return _rounded(lambda digits: _tail_difference(-a, -b, digits))
    if b <= 0:  # Phi(b) - Phi(a)
        return _rounded(lambda digits: _tail_difference(b, a, digits))

    def straddle(digits: int) -> Bounded:  # (Phi(b) - 1/2) + (Phi(-a) - 1/2): no cancellation
        v1, e1 = _half_mass(b, digits)
        v2, e2 = _half_mass(-a, digits)
        with localcontext(_context(digits)):
            return v1 + v2, e1 + e2 + Decimal(10) ** (1 - digits)

    return _rounded(straddle)


def rayleigh_mass(a: float, b: float) -> float:
    """``1 - exp(-(b**2 - a**2) / 2)``, correctly rounded.

    This is the probability that a Rayleigh variable conditioned on
    exceeding ``a`` stays below ``b`` -- the normalising constant of the
    inverse-CDF sampler of the far normal tail, whose density there is close
    to ``z exp(-z**2 / 2)``.

    Parameters
    ----------
    a, b : float
        ``0 <= a <= b``; ``b`` may be infinite.

    Returns
    -------
    float
        The float64 nearest to ``1 - exp(-(b**2 - a**2) / 2)``.

    Raises
    ------
    ValueError
        If ``a`` or ``b`` is NaN, ``a`` is negative or infinite, or ``a > b``.

    Examples
    --------
    >>> from glorot_numba._normal_cdf import rayleigh_mass
    >>> rayleigh_mass(1.0, 2.0), rayleigh_mass(40.0, float("inf"))
    (0.7768698398515702, 1.0)
    >>> rayleigh_mass(40.0, 40.0 + 2.0**-40)
    3.63797880702558e-11
    """
    a, b = _checked(a, "a"), _checked(b, "b")
    if not 0 <= a <= b or a == math.inf:
        raise ValueError(f"need 0 <= a <= b and a finite, got a = {a!r}, b = {b!r}")
    if b == math.inf:
        return 1.0
    if a == b:
        return 0.0
    da, db = Decimal(a), Decimal(b)

    def mass(digits: int) -> Bounded:
        u = Decimal(10) ** (1 - digits)
        with localcontext(_context(digits)):
            d = (db - da) * (db + da) / 2  # three roundings: relative error 2u
            if d >= 1:
                tail = (-d).exp()
                # exp(-d) <= 1/e carries (2d + 1) u of relative error.
                return 1 - tail, (2 * d + 2) * u * tail + u
            # 1 - exp(-d) = d - d**2/2 + d**3/6 - ...: alternating, with
            # decreasing terms, so the first one left out bounds the rest.
            term = total = d
            n = 1
            while True:
                n += 1
                term = -term * d / n
                if abs(term) <= total * u:
                    break
                total += term
            return total, abs(term) + (2 * n + 4) * u * total

    return _rounded(mass)
