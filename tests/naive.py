"""Slow, obviously correct references for the tests.

Test modules import from here, never from each other, and define no
``naive_*`` function of their own (tests/test_layers.py checks both).
Nothing in the package imports this module; it shares no code with the
package, and may use SciPy and mpmath.

* ``philox``: Philox4x32-10 on Python integers;
* the streams, element by element from their description: the normal
  stream's Box-Muller candidates and resampling, the complex stream;
* ``tf_fans`` and ``jax_fans``: TensorFlow's and JAX's fan rules, with loops;
* the standard normal truncated to (-2, 2) and the normal's quantile and
  distribution function, by their definitions (mpmath, SciPy);
* ``torch_law``: the distribution a ``torch.nn.init`` call draws from,
  worked out from PyTorch's documentation alone (fans, gains, bounds),
  independently of the code under test, and ``moment_failures``, a check
  of samples against such a law.
"""

import inspect
import math

import mpmath
import numpy as np
from scipy import special, stats

# --------------------------------------------------------------------------
# Philox4x32-10


def philox(ctr, key, rounds=10):
    """Philox4x32 on Python ints, written from the SC11 description."""
    mask = 0xFFFFFFFF
    c = list(ctr)
    k = list(key)
    for r in range(rounds):
        if r:
            k = [(k[0] + 0x9E3779B9) & mask, (k[1] + 0xBB67AE85) & mask]
        p0 = 0xD2511F53 * c[0]
        p1 = 0xCD9E8D57 * c[2]
        c = [(p1 >> 32) ^ c[1] ^ k[0], p1 & mask, (p0 >> 32) ^ c[3] ^ k[1], p0 & mask]
    return tuple(c)


# --------------------------------------------------------------------------
# The streams, element by element: Python integers for Philox, float64
# log, sin and cos for the transforms

# The counter's last word of the normal stream, per dtype.
_NORMAL_PATH = {"float32": 0, "float64": 1}


def block_lane(index, dtype):
    """Tiles of 64 blocks: lane j of a tile is 64 consecutive elements."""
    lanes = 4 if dtype == "float32" else 2
    tile, rest = divmod(index, 64 * lanes)
    lane, offset = divmod(rest, 64)
    return 64 * tile + offset, lane


def candidate(key, index, attempt, dtype):
    """Standard normal candidate ``attempt`` of element ``index``."""
    block, lane = block_lane(index, dtype)
    ctr = (block & 0xFFFFFFFF, block >> 32, attempt, _NORMAL_PATH[dtype])
    w = philox(ctr, key)
    if dtype == "float32":
        pair = w[0:2] if lane in (0, 2) else w[2:4]  # lanes: cos A, cos B, sin A, sin B
        u = ((pair[0] >> 8) + 1) / 2.0**24
        turn = (pair[1] >> 8) / 2.0**24
    else:
        u = ((((w[0] << 32) | w[1]) >> 11) + 1) / 2.0**53
        turn = (((w[2] << 32) | w[3]) >> 11) / 2.0**53
    radius = math.sqrt(-2.0 * math.log(u))
    if dtype == "float32":
        trig = math.cos if lane < 2 else math.sin
    else:
        trig = math.cos if lane == 0 else math.sin
    return radius * trig(2.0 * math.pi * turn)


def truncated(key, index, dtype):
    """The first candidate of element ``index`` inside (-2, 2), and its attempt."""
    attempt = 0
    while True:
        z = candidate(key, index, attempt, dtype)
        if abs(z) < 2.0:
            return z, attempt
        attempt += 1


def complex_sample(key, index, dtype, distribution):
    """Standard complex sample of element ``index``: complex64 uses words
    0-1 (even index) or 2-3 (odd) of block index // 2 on path 2; complex128
    words 0-1 and 2-3 of block ``index`` on path 3."""
    if dtype == "complex64":
        block = index // 2
        w = philox((block & 0xFFFFFFFF, block >> 32, 0, 2), key)
        wr, wa = (w[2], w[3]) if index % 2 else (w[0], w[1])
        u = ((wr >> 8) + 1) / 2.0**24
        turn = (wa >> 8) / 2.0**24
    else:
        w = philox((index & 0xFFFFFFFF, index >> 32, 0, 3), key)
        u = ((((w[0] << 32) | w[1]) >> 11) + 1) / 2.0**53
        turn = (((w[2] << 32) | w[3]) >> 11) / 2.0**53
    if distribution == "uniform":
        r2 = u
    elif distribution == "untruncated_normal":
        r2 = -math.log(u)
    else:
        e4 = math.exp(-4.0)
        r2 = -math.log(e4 + (1.0 - e4) * u)
    return math.sqrt(r2) * complex(math.cos(2 * math.pi * turn), math.sin(2 * math.pi * turn))


# --------------------------------------------------------------------------
# Fans


def tf_fans(shape):
    """TF v1 ``_compute_fans``, spelt out with loops."""
    dims = [int(d) for d in shape]
    if len(dims) == 0:
        return 1, 1
    if len(dims) == 1:
        return dims[0], dims[0]
    if len(dims) == 2:
        return dims[0], dims[1]
    receptive_field = 1
    for d in dims[:-2]:
        receptive_field = receptive_field * d
    return dims[-2] * receptive_field, dims[-1] * receptive_field


def jax_fans(shape, in_axis, out_axis, batch_axis):
    """JAX's ``_compute_fans`` with integer arithmetic: fans are the sizes of
    the in / out axes times the receptive field, the product of the sizes of
    every axis named by none of the three arguments."""

    def listed(axes):
        axes = [axes] if isinstance(axes, int) else list(axes)
        return [a % len(shape) for a in axes]

    ins, outs, batch = listed(in_axis), listed(out_axis), listed(batch_axis)
    rf = 1
    for a, d in enumerate(shape):
        if a not in ins + outs + batch:
            rf *= d
    in_size = out_size = 1
    for a in ins:
        in_size *= shape[a]
    for a in outs:
        out_size *= shape[a]
    return in_size * rf, out_size * rf


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
GAINS = {
    "linear": 1.0,
    "conv1d": 1.0,
    "conv2d": 1.0,
    "conv3d": 1.0,
    "conv_transpose1d": 1.0,
    "conv_transpose2d": 1.0,
    "conv_transpose3d": 1.0,
    "sigmoid": 1.0,
    "tanh": 5.0 / 3.0,
    "relu": math.sqrt(2.0),
    "selu": 0.75,
}


def _torch_fans(shape):
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
        fan_in, fan_out = _torch_fans(shape)
        std = p["gain"] * math.sqrt(2.0 / (fan_in + fan_out))
        if name == "xavier_normal_":
            return ("normal", 0.0, std)
        return ("uniform", -math.sqrt(3.0) * std, math.sqrt(3.0) * std)
    if name.startswith("kaiming_"):
        fan_in, fan_out = _torch_fans(shape)
        fan = fan_in if p["mode"].lower() == "fan_in" else fan_out
        std = _gain(p["nonlinearity"], p["a"]) / math.sqrt(fan)
        if name == "kaiming_normal_":
            return ("normal", 0.0, std)
        return ("uniform", -math.sqrt(3.0) * std, math.sqrt(3.0) * std)
    raise ValueError(f"no law for {name}")


def scipy_law(law):
    """The SciPy distribution of a law from :func:`torch_law`."""
    kind, *p = law
    if kind == "normal":
        return stats.norm(p[0], p[1])
    if kind == "uniform":
        return stats.uniform(p[0], p[1] - p[0])
    mean, std, a, b = p[0], abs(p[1]), p[2], p[3]
    return stats.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)


def moment_failures(x, law, alpha):
    """Support and first two moments of float64 samples ``x`` against ``law``
    (from :func:`torch_law`): what fails, each moment tested at ``alpha / 2``."""
    failures = []
    dist = scipy_law(law)
    lo, hi = dist.support()
    if x.min() < lo or x.max() > hi:
        failures.append(f"values outside [{lo}, {hi}]: [{x.min()}, {x.max()}]")
    n = x.size
    mean, std = dist.mean(), dist.std()
    if std > 0:
        z_mean = (x.mean() - mean) / (std / math.sqrt(n))
        kurt = dist.stats(moments="k") + 3.0
        z_var = (((x - mean) ** 2).mean() / std**2 - 1) / math.sqrt((kurt - 1) / n)
        for test, z in (("mean", z_mean), ("variance", z_var)):
            p = 2 * stats.norm.sf(abs(z))
            if p < alpha / 2:
                failures.append(f"{test}: p = {p:.3g}")
    return failures
