"""Slow, obviously correct references for the tests.

Test modules import from here, never from each other.  Nothing in the
package imports this module; it may use SciPy and mpmath.

* the standard normal truncated to (-2, 2) and the normal's quantile and
  distribution function, by their definitions (mpmath, SciPy);
* ``torch_law``: the distribution a ``torch.nn.init`` call draws from,
  worked out from PyTorch's documentation alone (fans, gains, bounds),
  independently of the code under test.
"""

import inspect
import math

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


# --------------------------------------------------------------------------
# torch.nn.init's laws


# torch.nn.init.calculate_gain's table; leaky_relu's depends on the slope.
GAINS = {"linear": 1.0, "conv1d": 1.0, "conv2d": 1.0, "conv3d": 1.0,
         "conv_transpose1d": 1.0, "conv_transpose2d": 1.0, "conv_transpose3d": 1.0,
         "sigmoid": 1.0, "tanh": 5.0 / 3.0, "relu": math.sqrt(2.0), "selu": 0.75}


def _fans(shape):
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _gain(nonlinearity, slope):
    if nonlinearity == "leaky_relu":
        slope = 0.01 if slope is None else slope
        return math.sqrt(2.0 / (1.0 + slope * slope))
    return GAINS[nonlinearity]


def torch_law(function, tensor, *args, **kwargs):
    """The law of a call ``function(tensor, *args, **kwargs)`` of ``torch.nn.init``.

    ``function`` is PyTorch's function itself (its signature binds the
    arguments).  Returns ``("uniform", low, high)``, ``("normal", mean,
    std)`` or ``("truncated", mean, std, low, high)``.
    """
    bound = inspect.signature(function).bind(tensor, *args, **kwargs)
    bound.apply_defaults()
    p = dict(bound.arguments)
    name = function.__name__
    shape = tuple(tensor.shape)
    if name == "uniform_":
        return ("uniform", float(p["a"]), float(p["b"]))
    if name == "normal_":
        return ("normal", float(p["mean"]), float(p["std"]))
    if name == "trunc_normal_":
        return ("truncated", float(p["mean"]), float(p["std"]), float(p["a"]), float(p["b"]))
    if name.startswith("xavier_"):
        fan_in, fan_out = _fans(shape)
        std = p["gain"] * math.sqrt(2.0 / (fan_in + fan_out))
        if name == "xavier_normal_":
            return ("normal", 0.0, std)
        return ("uniform", -math.sqrt(3.0) * std, math.sqrt(3.0) * std)
    if name.startswith("kaiming_"):
        fan_in, fan_out = _fans(shape)
        fan = fan_in if p["mode"].lower() == "fan_in" else fan_out
        std = _gain(p["nonlinearity"], p["a"]) / math.sqrt(fan)
        if name == "kaiming_normal_":
            return ("normal", 0.0, std)
        return ("uniform", -math.sqrt(3.0) * std, math.sqrt(3.0) * std)
    raise ValueError(f"no law for {name}")
