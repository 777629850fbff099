"""TEMPORARY development stand-in (not for commit)."""
import math
from decimal import Decimal, localcontext
import numpy as np
from numba import njit

@njit(inline="always")
def ndtri_lower_f64(p):
    # initial guess then Newton on Phi(z) = p, using math.erfc (dev only)
    if p > 0.5:
        p = 0.5
    t = math.sqrt(-2.0 * math.log(p))
    z = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t) /
          (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t))
    for _ in range(4):
        cdf = 0.5 * math.erfc(-z / math.sqrt(2.0))
        pdf = math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
        z = z - (cdf - p) / pdf
    return z

def normal_cdf_decimal(x):
    import mpmath
    mpmath.mp.dps = 60
    if abs(x) > 1e6: return Decimal(0) if x < 0 else Decimal(1)
    return Decimal(str(mpmath.ncdf(mpmath.mpf(x))))

def one_minus_exp_half_gap(alpha, beta):
    import mpmath
    mpmath.mp.dps = 60
    if beta == math.inf:
        return 1.0
    return float(-mpmath.expm1(-(mpmath.mpf(beta)**2 - mpmath.mpf(alpha)**2) / 2))
