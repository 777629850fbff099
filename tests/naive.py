"""Slow, obviously correct references for the tests.

Test modules import from here, never from each other.  Nothing in the
package imports this module; it may use SciPy and mpmath.
"""

import mpmath
import numpy as np
from scipy import special

# --------------------------------------------------------------------------
# the standard normal truncated to (-2, 2), by the definition of its quantile

# float64 with about 1e-16 relative error: invisible at float32 ulps.
_ERF_SQRT2 = float(special.erf(np.sqrt(2.0)))


def trunc2_uniform_f32(words):
    """``w = 2u - 1`` of 32-bit words, ``u = (k + 1/2) 2**-24`` with ``k`` the
    top 24 bits; float64 (exact)."""
    k = (np.asarray(words, np.uint64) >> np.uint64(8)).astype(np.float64)
    return (2.0 * k + 1.0) * 2.0**-24 - 1.0


def trunc2_uniform_mp(hi, lo):
    """``w = 2u - 1`` as an mpf, ``u = (k + 1/2) 2**-53`` with ``k`` the top
    53 bits of ``hi * 2**32 + lo``."""
    k = ((int(hi) << 32) | int(lo)) >> 11
    return mpmath.mpf(2 * k + 1) / mpmath.mpf(2) ** 53 - 1


def trunc2_quantile_f64(w):
    """``sqrt(2) erfinv(erf(sqrt 2) w)`` in float64 (SciPy), for float32
    checks."""
    return np.sqrt(2.0) * special.erfinv(_ERF_SQRT2 * np.asarray(w, np.float64))


def trunc2_quantile_mp(w):
    """The same in mpmath at the working precision: the quantile of N(0, 1)
    truncated to (-2, 2) at ``(1 + w)/2``."""
    return mpmath.sqrt(2) * mpmath.erfinv(mpmath.erf(mpmath.sqrt(2)) * w)


def trunc2_quantile_by_cdf_mp(w):
    """The same from the distribution function, ``Phi^-1(Phi(-2) + u (Phi(2)
    - Phi(-2)))``, ``u = (1 + w)/2``: an independent check of the formula."""
    lo, hi = mpmath.ncdf(-2), mpmath.ncdf(2)
    return ndtri_mp(lo + (1 + w) / 2 * (hi - lo))


# --------------------------------------------------------------------------
# the standard normal distribution


def ndtri_mp(p):
    """``Phi^-1(p)`` for ``0 < p < 1`` in mpmath, at the working precision."""
    p = mpmath.mpf(p)
    if p > 0.5:
        return -ndtri_mp(1 - p)
    if p > mpmath.mpf(10) ** -10:
        with mpmath.extradps(20):  # 1 - 2p loses at most 10 digits
            return +(-mpmath.sqrt(2) * mpmath.erfinv(1 - 2 * p))
    # Newton's method on log Phi(z) = log p, from the asymptotic root.
    tolerance = mpmath.mpf(10) ** -(mpmath.mp.dps + 3)
    with mpmath.extradps(10):
        t = -mpmath.log(p)
        z = -mpmath.sqrt(2 * t - mpmath.log(4 * mpmath.pi * t))
        for _ in range(100):
            cdf = mpmath.ncdf(z)
            step = (mpmath.log(cdf) + t) * cdf / mpmath.npdf(z)
            z -= step
            if abs(step) < tolerance * abs(z):
                break
    return +z


def normal_cdf_mp(x):
    """``Phi(x)`` in mpmath; outside [-50, 50], where it would overflow, a
    value that rounds like it (0 and 1 are within 1e-500 of Phi there)."""
    if x < -50:
        return mpmath.mpf(0)
    if x > 50:
        return mpmath.mpf(1)
    return mpmath.ncdf(x)


def normal_mass_mp(a, b):
    """``Phi(b) - Phi(a)`` in mpmath, without cancellation: lower tails for
    an interval on one side of 0, erf for one across it."""
    if a == b:
        return mpmath.mpf(0)
    if a >= 0:
        return normal_cdf_mp(-a) - normal_cdf_mp(-b)
    if b <= 0:
        return normal_cdf_mp(b) - normal_cdf_mp(a)
    r = mpmath.sqrt(2)
    return (mpmath.erf(b / r) - mpmath.erf(a / r)) / 2


def correctly_rounded(value):
    """The float64 nearest to the mpf ``value`` (also where it is subnormal:
    through a decimal string, which ``float`` rounds once)."""
    return float(mpmath.nstr(value, 40, min_fixed=1, max_fixed=0))


def ulp_error(approx, exact):
    """``approx - exact`` in units of the float64 spacing at ``exact``."""
    return float((mpmath.mpf(float(approx)) - exact) / np.spacing(abs(float(exact))))
