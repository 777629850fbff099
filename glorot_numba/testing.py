"""Statistical testing kit: does an array follow the VarianceScaling definition?

:func:`assert_variance_scaling` checks samples from any source (this
library, TensorFlow, Keras, PyTorch, JAX, NumPy, ...) against the exact
distribution that a VarianceScaling configuration defines, and
:func:`check_variance_scaling` returns the same verdict as a report.
:func:`shapes`, :func:`dtypes`, :func:`initializer_configs` and
:func:`initializers` are `Hypothesis <https://hypothesis.readthedocs.io>`_
strategies for property-based tests.

The reference distributions are derived here from first principles (the
truncation constant ``0.8796...`` included), independently of the
library's own sampling code.  SciPy (for the p-values) and Hypothesis (for
the strategies) are imported only when used: ``pip install
'glorot_numba[testing]'``.

What is tested, for ``n`` samples
---------------------------------
- **bounds** (exact, not statistical): every value finite and, for the
  truncated normal and the uniform, ``|x|`` at most the bound (``2 *
  stddev / 0.8796...`` or ``limit``) as represented in the samples' dtype,
  plus one unit in the last place for producers that round the product;
- **mean**: ``z = mean / (std / sqrt(n))`` against N(0, 1), two-sided;
- **variance**: ``mean(x**2) / std**2 - 1`` against N(0, (kurtosis - 1) / n)
  (the mean is known to be 0), two-sided;
- **Kolmogorov-Smirnov** and **Cramér-von Mises** tests of the probability
  integral transform ``u = F(x)`` against U(0, 1);
- **edge** (bounded distributions): the largest ``|x|`` must come near the
  bound; ``P(max |x| <= m) = G(m) ** n`` with ``G`` the CDF of ``|x|``.
  It is what detects a slightly wrong truncation constant (0.88 for
  0.8796...) at a million samples, where the moments cannot yet.

Each statistical test runs at level ``alpha / k`` (``k`` tests, Bonferroni),
so a correct producer fails :func:`assert_variance_scaling` with
probability **at most** ``alpha`` for samples drawn with a seed picked at
random.  The tests of this module measure that rate.

Samples of a narrow dtype (float16, bfloat16, float32) are values rounded
to that dtype; each sample is compared with the probability of its whole
rounding cell (a randomised probability integral transform with a fixed
jitter seed, exact for rounded continuous data), so even bfloat16 samples,
with only 256 values per octave, are tested exactly.  For float16 and
bfloat16 the standard deviation is by default also rounded to the dtype
before it scales the samples (``round_scale``), as this library and
TensorFlow compute them.

Examples
--------
>>> import glorot_numba as gn
>>> from glorot_numba.testing import assert_variance_scaling
>>> init = gn.GlorotNormal(seed=0)
>>> assert_variance_scaling(init((300, 200)), init, alpha=1e-3)
>>> w = gn.VarianceScaling(scale=2.0, seed=0)((300, 200))   # He, not Glorot
>>> assert_variance_scaling(w, init)
Traceback (most recent call last):
...
AssertionError: samples do not follow GlorotNormal ...
"""

import math
from dataclasses import dataclass, field

import numpy as np

from . import _dtypes, _laws, _registry
from ._laws import DistributionReport, Law

__all__ = [
    "Reference",
    "reference",
    "VarianceScalingReport",
    "check_variance_scaling",
    "assert_variance_scaling",
    "Law",
    "DistributionReport",
    "check_distribution",
    "assert_distribution",
    "shapes",
    "dtypes",
    "initializer_configs",
    "initializers",
]

# Truncation of the standard normal at +-2, from first principles:
# Z = P(|z| < 2) = erf(sqrt 2), E z^2 = 1 - 2 a phi(a) / Z,
# E z^4 = 3 - 2 phi(a) (a^3 + 3 a) / Z, with a = 2.
_A = 2.0
_PHI_A = math.exp(-0.5 * _A * _A) / math.sqrt(2.0 * math.pi)
_Z = math.erf(_A / math.sqrt(2.0))
_M2 = 1.0 - 2.0 * _A * _PHI_A / _Z
_M4 = 3.0 - 2.0 * _PHI_A * (_A**3 + 3.0 * _A) / _Z
TRUNCATED_STD = math.sqrt(_M2)  # 0.87962566103423978...
_KURTOSIS = {"truncated_normal": _M4 / (_M2 * _M2), "untruncated_normal": 3.0, "uniform": 1.8}

_DEFAULT_JITTER_SEED = 20101


def _fans(shape):
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def _n_of(mode, fans):
    fan_in, fan_out = fans
    if mode == "fan_in":
        return max(1.0, float(fan_in))
    if mode == "fan_out":
        return max(1.0, float(fan_out))
    if mode == "fan_avg":
        return max(1.0, (fan_in + fan_out) / 2.0)
    if mode == "fan_geo_avg":
        return max(1.0, math.sqrt(float(fan_in) * float(fan_out)))
    raise ValueError(f"unknown mode {mode!r}")


def _parameters(config):
    """(scale, mode, distribution, name) of an initializer or config."""
    if isinstance(config, dict):
        if "class_name" in config:
            config = _registry.deserialize(config)
        else:
            keys = {"scale", "mode", "distribution"}
            unknown = set(config) - keys - {"seed", "dtype"}
            if unknown:
                raise ValueError(f"unknown configuration key(s) {sorted(unknown)}")
            scale = config.get("scale", 1.0)
            mode = config.get("mode", "fan_in")
            distribution = config.get("distribution", "truncated_normal")
            return float(scale), mode, distribution.lower(), "VarianceScaling"
    elif isinstance(config, str):
        config = _registry.deserialize(config)
    try:
        scale, mode, distribution = config.scale, config.mode, config.distribution
    except AttributeError:
        raise TypeError(
            "config must be an initializer with scale, mode and distribution attributes "
            "(this library's, Keras' or TensorFlow's), a dict of them, or a serialized "
            f"initializer; got {type(config).__name__}"
        ) from None
    return float(scale), str(mode), str(distribution).lower(), type(config).__name__


@dataclass(frozen=True)
class Reference:
    """The exact distribution of one VarianceScaling configuration.

    Attributes
    ----------
    distribution : str
        ``"truncated_normal"``, ``"untruncated_normal"`` or ``"uniform"``
        (TensorFlow's alias ``"normal"`` is the truncated normal).
    multiplier : float
        The factor applied to standard samples (truncated to ``(-2, 2)``,
        standard normal, or uniform on ``(-1, 1)``).
    std : float
        The standard deviation of the samples (``sqrt(scale / n)`` unless
        the multiplier was rounded).
    bound : float
        Largest possible ``|x|`` (``inf`` for the untruncated normal).
    kurtosis : float
        ``E x**4 / (E x**2)**2``.

    Examples
    --------
    >>> from glorot_numba.testing import reference
    >>> ref = reference({"scale": 1.0, "mode": "fan_avg"}, shape=(100, 100))
    >>> round(ref.std, 6), round(ref.bound / ref.std, 6)
    (0.1, 2.273694)
    >>> float(ref.cdf(0.0))
    0.5
    """

    distribution: str
    multiplier: float
    std: float
    bound: float
    kurtosis: float

    def cdf(self, x):
        """The cumulative distribution function at ``x`` (array-like)."""
        from scipy.special import ndtr

        x = np.asarray(x, dtype=np.float64)
        if self.distribution == "uniform":
            return np.clip((x / self.multiplier + 1.0) / 2.0, 0.0, 1.0)
        z = x / self.multiplier
        if self.distribution == "untruncated_normal":
            return ndtr(z)
        low = ndtr(-_A)
        return np.clip((ndtr(np.clip(z, -_A, _A)) - low) / _Z, 0.0, 1.0)

    def tail(self, t):
        """``P(|x| > t)`` for ``t >= 0``, computed without cancellation."""
        from scipy.special import ndtr

        t = np.asarray(t, dtype=np.float64)
        z = t / self.multiplier
        if self.distribution == "uniform":
            return np.clip(1.0 - z, 0.0, 1.0)
        if self.distribution == "untruncated_normal":
            return 2.0 * ndtr(-z)
        return np.clip(2.0 * (ndtr(-np.minimum(z, _A)) - ndtr(-_A)) / _Z, 0.0, 1.0)

    def pdf(self, x):
        """The probability density at ``x`` (array-like)."""
        x = np.asarray(x, dtype=np.float64)
        z = x / self.multiplier
        if self.distribution == "uniform":
            return np.where(np.abs(z) <= 1.0, 0.5 / self.multiplier, 0.0)
        density = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi) / self.multiplier
        if self.distribution == "untruncated_normal":
            return density
        return np.where(np.abs(z) < _A, density / _Z, 0.0)


def reference(config, shape=None, *, fans=None, dtype=None, round_scale=None):
    """The exact :class:`Reference` distribution of ``config`` for a shape.

    Parameters
    ----------
    config : initializer, dict or str
        An object with ``scale``, ``mode`` and ``distribution`` attributes
        (this library's initializers, Keras', TensorFlow's), a dict with
        those keys, or a serialized initializer (``{"class_name": ...,
        "config": ...}``) or class name of this library.
    shape : sequence of int, optional
        Weight shape; the fans follow TensorFlow's rules.
    fans : (int, int), optional
        ``(fan_in, fan_out)``, instead of ``shape`` (e.g. for other layouts).
    dtype : dtype-like, optional
        The samples' dtype; with ``round_scale`` the multiplier is rounded
        to it.
    round_scale : bool, optional
        Round the multiplier to ``dtype`` (default: for float16 and
        bfloat16 only, as this library and TensorFlow compute them).

    Returns
    -------
    Reference

    Examples
    --------
    >>> from glorot_numba.testing import reference
    >>> ref = reference({"scale": 2.0, "mode": "fan_in"}, fans=(512, 10))
    >>> round(ref.std ** 2 * 512, 12)
    2.0
    """
    scale, mode, distribution, _ = _parameters(config)
    if fans is None:
        if shape is None:
            raise TypeError("reference() needs shape or fans")
        fans = _fans(tuple(int(d) for d in shape))
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be positive and finite, got {scale}")
    variance = scale / _n_of(mode, fans)
    if distribution in ("truncated_normal", "normal"):
        distribution, factor, reach = "truncated_normal", math.sqrt(variance) / TRUNCATED_STD, _A
        unit_std = TRUNCATED_STD
    elif distribution == "untruncated_normal":
        factor, reach, unit_std = math.sqrt(variance), math.inf, 1.0
    elif distribution == "uniform":
        factor, reach, unit_std = math.sqrt(3.0 * variance), 1.0, 1.0 / math.sqrt(3.0)
    else:
        raise ValueError(f"unknown distribution {distribution!r}")
    if dtype is not None:
        dtype = _sample_dtype(dtype)
        if round_scale is None:
            round_scale = dtype.itemsize <= 2
        if round_scale:
            factor = float(np.asarray(factor).astype(dtype))
    return Reference(distribution, factor, factor * unit_std, reach * factor,
                     _KURTOSIS[distribution])


def _sample_dtype(dtype):
    if isinstance(dtype, str) and dtype.lower() == "bfloat16":
        return _dtypes.BFLOAT16
    dtype = np.dtype(getattr(dtype, "as_numpy_dtype", dtype))
    if dtype.kind != "f" and dtype != _dtypes.BFLOAT16:
        raise ValueError(f"samples must have a real floating-point dtype, got {dtype}")
    return dtype


_UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def _cells(values):
    """Rounding cells ``[lo, hi]`` (float64) of the values of a narrow dtype."""
    dtype = values.dtype
    uint = _UINT[dtype.itemsize]
    mag = np.abs(values)
    bits = mag.view(uint)
    up = (bits + uint(1)).view(dtype).astype(np.float64)
    down = np.where(bits > 0, bits - uint(1), 0).astype(uint).view(dtype).astype(np.float64)
    m = mag.astype(np.float64)
    hi_mag = (m + up) / 2.0
    lo_mag = np.where(bits > 0, (m + down) / 2.0, 0.0)
    negative = np.signbit(values)
    return np.where(negative, -hi_mag, lo_mag), np.where(negative, -lo_mag, hi_mag)


def _ulp_above(value, dtype):
    """``value`` rounded to ``dtype`` plus one unit in the last place, as float64."""
    rounded = np.asarray(value, dtype=np.float64).astype(dtype).reshape(1)
    bits = rounded.view(_UINT[dtype.itemsize])
    return float((bits + bits.dtype.type(1)).view(dtype).astype(np.float64)[0])


@dataclass
class VarianceScalingReport:
    """The result of :func:`check_variance_scaling`.

    ``passed`` is False when a bound is violated or a test's p-value is
    below ``alpha_per_test``; ``failures`` says which.  ``str(report)`` is a
    readable summary.

    Examples
    --------
    >>> import glorot_numba as gn
    >>> from glorot_numba.testing import check_variance_scaling
    >>> report = check_variance_scaling(gn.GlorotNormal(seed=1)((200, 100)), gn.GlorotNormal())
    >>> report.passed, sorted(report.pvalues)
    (True, ['cramervonmises', 'edge', 'kstest', 'mean', 'variance'])
    """

    name: str
    n: int
    dtype: str
    reference: Reference
    mean: float
    std: float
    min: float
    max: float
    allowed_bound: float
    alpha: float
    alpha_per_test: float
    pvalues: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)

    @property
    def passed(self):
        return not self.failures

    def __str__(self):
        ref = self.reference
        lines = [
            f"reference   : {self.name}, {ref.distribution}, std {ref.std:.6g}, "
            f"bound {ref.bound:.6g}",
            f"n           : {self.n} ({self.dtype})",
            f"mean        : {self.mean:.6g}",
            f"std         : {self.std:.6g} (target {ref.std:.6g}, ratio {self.std / ref.std:.5f})"
            if ref.std > 0 else f"std         : {self.std:.6g}",
            f"range       : [{self.min:.6g}, {self.max:.6g}] "
            f"(allowed |x| <= {self.allowed_bound:.6g})",
            "p-values    : " + ", ".join(f"{k} {v:.3g}" for k, v in self.pvalues.items()),
            f"alpha       : {self.alpha:g} overall, {self.alpha_per_test:.3g} per test",
            "verdict     : " + ("fits" if self.passed else
                                "does not fit (" + "; ".join(self.failures) + ")"),
        ]
        return "\n".join(lines)


def check_variance_scaling(samples, config, shape=None, *, alpha=1e-3, fans=None, dtype=None,
                           round_scale=None, jitter_seed=_DEFAULT_JITTER_SEED):
    """Test ``samples`` against a VarianceScaling configuration; return a report.

    Parameters
    ----------
    samples : array-like
        Any array NumPy can convert (NumPy, TensorFlow and JAX arrays, CPU
        PyTorch tensors, ...), at least 100 elements.
    config : initializer, dict or str
        See :func:`reference`.
    shape : sequence of int, optional
        Shape whose fans set ``n`` (TensorFlow's rules); defaults to
        ``samples``' shape.  Use ``fans`` for other layouts.
    alpha : float, default 1e-3
        Overall significance level: a correct producer fails with
        probability at most ``alpha``.
    fans : (int, int), optional
        ``(fan_in, fan_out)``, overriding ``shape``.
    dtype : dtype-like, optional
        The dtype the values were produced in, when the array holds them
        in a wider one (e.g. bfloat16 values as float32); every value must
        be representable in it.
    round_scale : bool, optional
        See :func:`reference`.
    jitter_seed : int
        Seed of the jitter of the randomised probability integral
        transform; fixed, so the verdict is deterministic.

    Returns
    -------
    VarianceScalingReport

    Raises
    ------
    ValueError
        Fewer than 100 samples, a non-float dtype, or values not
        representable in ``dtype``.

    Examples
    --------
    >>> import numpy as np
    >>> import glorot_numba as gn
    >>> from glorot_numba.testing import check_variance_scaling
    >>> w = np.random.default_rng(0).uniform(-0.1, 0.1, (300, 300))
    >>> check_variance_scaling(w, {"mode": "fan_avg"}).passed
    False
    """
    from scipy import stats

    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    raw = samples if isinstance(samples, np.ndarray) else np.asarray(samples)
    if raw.dtype == _dtypes.BFLOAT16 or raw.dtype.kind == "f":
        values = raw
    else:
        raise ValueError(f"samples must have a real floating-point dtype, got {raw.dtype}")
    if shape is None and fans is None:
        shape = raw.shape
    if dtype is not None:
        dtype = _sample_dtype(dtype)
        converted = values.astype(dtype)
        same = converted.astype(np.float64) == values.astype(np.float64)
        if not np.all(same | (np.isnan(values.astype(np.float64)))):
            raise ValueError(f"some samples are not values of {dtype}")
        values = converted
    dtype = values.dtype
    values = np.ascontiguousarray(values).reshape(-1)
    n = values.size
    if n < 100:
        raise ValueError(f"need at least 100 samples for the statistical tests, got {n}")
    ref = reference(config, shape, fans=fans, dtype=dtype, round_scale=round_scale)
    name = _parameters(config)[3]
    x = values.astype(np.float64)

    failures = []
    finite = np.isfinite(x)
    if not finite.all():
        # The statistics below describe the finite values.
        failures.append(f"{int(n - finite.sum())} non-finite values")
        x, values = x[finite], values[finite]
        n = x.size
        if n == 0:
            raise ValueError("no finite samples")
    allowed = math.inf if math.isinf(ref.bound) else (
        ref.bound if dtype == np.float64 else _ulp_above(ref.bound, dtype))
    peak = float(np.abs(x).max())
    if peak > allowed:
        failures.append(f"{int((np.abs(x) > allowed).sum())} values beyond the bound "
                        f"{allowed:.6g} (max |x| {peak:.6g})")

    bounded = not math.isinf(ref.bound)
    k = 5 if bounded else 4
    per_test = alpha / k
    pvalues = {}
    mean = float(x.mean())
    second = float(np.dot(x, x) / n)
    z_mean = mean / (ref.std / math.sqrt(n))
    pvalues["mean"] = float(2.0 * stats.norm.sf(abs(z_mean)))
    z_var = (second / ref.std**2 - 1.0) / math.sqrt((ref.kurtosis - 1.0) / n)
    pvalues["variance"] = float(2.0 * stats.norm.sf(abs(z_var)))

    if dtype == np.float64:
        u = ref.cdf(x)
    else:
        lo, hi = _cells(values)
        f_lo, f_hi = ref.cdf(lo), ref.cdf(hi)
        jitter = np.random.default_rng(jitter_seed).random(n)
        u = f_lo + jitter * (f_hi - f_lo)
        del lo, hi, f_lo, f_hi, jitter
    pvalues["kstest"] = float(stats.kstest(u, "uniform").pvalue)
    pvalues["cramervonmises"] = float(stats.cramervonmises(u, "uniform").pvalue)
    del u
    if bounded:
        # P(max |x| <= m) for n independent draws, m at the top of its
        # rounding cell: G(m)^n = exp(n * log1p(-tail(m))).
        top = peak if dtype == np.float64 else float(
            _cells(np.asarray([abs(peak)], dtype))[1][0])
        tail = float(ref.tail(min(top, ref.bound)))
        pvalues["edge"] = float(math.exp(n * math.log1p(-tail))) if tail < 1.0 else 0.0
    for test, p in pvalues.items():
        if p < per_test:
            failures.append(f"{test} p = {p:.3g} < {per_test:.3g}")
    return VarianceScalingReport(
        name=name, n=n, dtype=_dtypes.dtype_name(dtype) if dtype in _dtypes.SUPPORTED
        else dtype.name, reference=ref, mean=mean, std=float(x.std()),
        min=float(x.min()), max=float(x.max()), allowed_bound=allowed, alpha=alpha,
        alpha_per_test=per_test, pvalues=pvalues, failures=failures)


def assert_variance_scaling(samples, config, shape=None, *, alpha=1e-3, fans=None, dtype=None,
                            round_scale=None, jitter_seed=_DEFAULT_JITTER_SEED):
    """Assert that ``samples`` follow a VarianceScaling configuration.

    Same parameters as :func:`check_variance_scaling`; raises
    ``AssertionError`` with the report when the samples do not fit.  A
    correct producer fails with probability at most ``alpha``.

    Examples
    --------
    >>> import glorot_numba as gn
    >>> from glorot_numba.testing import assert_variance_scaling
    >>> init = gn.VarianceScaling(2.0, "fan_in", "uniform", seed=3)
    >>> assert_variance_scaling(init((256, 64), "float16"), init)
    """
    report = check_variance_scaling(samples, config, shape, alpha=alpha, fans=fans, dtype=dtype,
                                    round_scale=round_scale, jitter_seed=jitter_seed)
    if not report.passed:
        raise AssertionError(f"samples do not follow {report.name} "
                             f"({'; '.join(report.failures)})\n{report}")


# --------------------------------------------------------------------------
# Any distribution of this library: explicit laws
# --------------------------------------------------------------------------

def _law(config, shape, fans, dtype, round_params):
    """The :class:`Law` of an initializer, a VarianceScaling config or a law."""
    if isinstance(config, Law):
        return config, "Law"
    from .initializers import VarianceScaling

    if not (isinstance(config, (dict, str)) or hasattr(config, "distribution")):
        return _laws.law_of(config, dtype, round_params=round_params), type(config).__name__
    if fans is None and isinstance(config, VarianceScaling):
        fans = config._fans(tuple(int(d) for d in shape))
    ref = reference(config, shape, fans=fans, dtype=dtype, round_scale=round_params)
    name = _parameters(config)[3]
    m = ref.multiplier
    if ref.distribution == "untruncated_normal":
        return Law("normal", 0.0, m), name
    if ref.distribution == "uniform":
        return Law("uniform", 0.0, m, -m, m), name
    return Law("truncated_normal", 0.0, m, -_A * m, _A * m), name


def check_distribution(samples, config, shape=None, *, alpha=1e-3, fans=None, dtype=None,
                       round_params=None, jitter_seed=_DEFAULT_JITTER_SEED):
    """Test ``samples`` against the distribution of any initializer; return a report.

    Parameters
    ----------
    samples : array-like
        Any array NumPy can convert, at least 100 elements, real floats.
    config : initializer, Law, dict or str
        This library's ``RandomNormal``, ``TruncatedNormal`` (with its
        bounds) or ``RandomUniform``; a :class:`Law`; or anything
        :func:`reference` takes (the VarianceScaling family, whose fans
        come from ``shape`` by the initializer's own fan axes, or from
        ``fans``).
    shape : sequence of int, optional
        For VarianceScaling configurations: the weight's shape (default:
        ``samples``' shape).
    alpha : float, default 1e-3
        Overall significance level: a correct producer fails with
        probability at most ``alpha`` (Bonferroni over the tests run).
    fans : (int, int), optional
        For VarianceScaling configurations: ``(fan_in, fan_out)``.
    dtype : dtype-like, optional
        The dtype the values were produced in, when the array holds them
        in a wider one; every value must be representable in it.
    round_params : bool, optional
        Round the distribution's parameters to the samples' dtype, as the
        library computes them (default: for float16 and bfloat16).
    jitter_seed : int
        Seed of the randomised probability integral transform's jitter.

    Returns
    -------
    DistributionReport
        Tests: the support (exact), the mean and the variance about the
        law's mean (normal approximations), Kolmogorov-Smirnov and
        Cramér-von Mises of the probability integral transform (exact
        for rounded samples, through rounding cells), and for each finite
        bound how close the extreme sample comes to it.

    Raises
    ------
    ValueError
        Fewer than 100 samples, a non-float dtype, or values not
        representable in ``dtype``.

    Examples
    --------
    >>> import glorot_numba as gn
    >>> from glorot_numba.testing import check_distribution
    >>> init = gn.TruncatedNormal(0.0, 1.0, seed=0, lower=0.5, upper=3.0)
    >>> check_distribution(init((100, 100)), init).passed
    True
    >>> check_distribution(gn.RandomNormal(0.1, 1.0, seed=0)((100, 100)),
    ...                    gn.RandomNormal(0.0, 1.0)).passed
    False
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    raw = samples if isinstance(samples, np.ndarray) else np.asarray(samples)
    if not (raw.dtype == _dtypes.BFLOAT16 or raw.dtype.kind == "f"):
        raise ValueError(f"samples must have a real floating-point dtype, got {raw.dtype}")
    values = raw
    if dtype is not None:
        dtype = _sample_dtype(dtype)
        converted = values.astype(dtype)
        same = converted.astype(np.float64) == values.astype(np.float64)
        if not np.all(same | np.isnan(values.astype(np.float64))):
            raise ValueError(f"some samples are not values of {dtype}")
        values = converted
    if shape is None and fans is None:
        shape = raw.shape
    values = np.ascontiguousarray(values).reshape(-1)
    if values.size < 100:
        raise ValueError(f"need at least 100 samples for the statistical tests, "
                         f"got {values.size}")
    law, name = _law(config, shape, fans, values.dtype, round_params)
    return _laws.check_law(values, law, name, alpha=alpha, jitter_seed=jitter_seed)


def assert_distribution(samples, config, shape=None, *, alpha=1e-3, fans=None, dtype=None,
                        round_params=None, jitter_seed=_DEFAULT_JITTER_SEED):
    """Assert that ``samples`` follow ``config``'s distribution.

    Same parameters as :func:`check_distribution`; raises ``AssertionError``
    with the report when the samples do not fit.

    Examples
    --------
    >>> import glorot_numba as gn
    >>> from glorot_numba.testing import assert_distribution
    >>> init = gn.RandomUniform(0.0, 1.0, seed=3)
    >>> assert_distribution(init((256, 64), "bfloat16"), init)
    """
    report = check_distribution(samples, config, shape, alpha=alpha, fans=fans, dtype=dtype,
                                round_params=round_params, jitter_seed=jitter_seed)
    if not report.passed:
        raise AssertionError(f"samples do not follow {report.name} "
                             f"({'; '.join(report.failures)})\n{report}")


# --------------------------------------------------------------------------
# Hypothesis strategies
# --------------------------------------------------------------------------


def _st():
    try:
        from hypothesis import strategies
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("the strategies need Hypothesis: pip install "
                          "'glorot_numba[testing]'") from exc
    return strategies


def shapes(*, min_rank=0, max_rank=4, min_side=0, max_side=64, max_elements=1 << 16):
    """Hypothesis strategy for weight shapes (tuples of ints).

    Examples
    --------
    >>> from hypothesis import given
    >>> from glorot_numba.testing import shapes
    >>> @given(shapes(max_rank=3, max_elements=1000))
    ... def test(shape):
    ...     assert len(shape) <= 3 and all(d >= 0 for d in shape)
    >>> test()
    """
    st = _st()
    return (st.lists(st.integers(min_side, max_side), min_size=min_rank, max_size=max_rank)
            .map(tuple).filter(lambda s: math.prod(s) <= max_elements))


def dtypes():
    """Hypothesis strategy for the real output dtypes' names.

    Examples
    --------
    >>> from hypothesis import given
    >>> from glorot_numba.testing import dtypes
    >>> @given(dtypes())
    ... def test(name):
    ...     assert name in ("float16", "bfloat16", "float32", "float64")
    >>> test()
    """
    names = sorted(_dtypes.dtype_name(d) for d in _dtypes.SUPPORTED
                   if d.kind == "f" or d == _dtypes.BFLOAT16)
    return _st().sampled_from(names)


def _config_strategy(cls):
    import inspect

    from . import initializers as _init

    st = _st()
    by_name = {
        "scale": st.floats(1e-3, 1e3, allow_nan=False, allow_infinity=False),
        "mode": st.sampled_from(list(_init._MODES)),
        "distribution": st.sampled_from(list(_init._DISTRIBUTIONS)),
        "seed": st.integers(0, 2**63 - 1),
        "dtype": dtypes(),
    }
    params = [p for p in inspect.signature(cls.__init__).parameters.values()
              if p.name in by_name and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    return st.fixed_dictionaries({p.name: by_name[p.name] for p in params}).map(
        lambda config, name=cls.__name__: {"class_name": name, "config": config})


def initializer_configs(classes=None):
    """Hypothesis strategy for serialized initializers of this library.

    Draws ``{"class_name": name, "config": {...}}`` dicts (Keras' form) over
    every public initializer class (or the given ones), with seeds, dtypes
    and, where the class takes them, scales, modes and distributions.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from glorot_numba.testing import initializer_configs
    >>> @settings(max_examples=20)
    ... @given(initializer_configs())
    ... def test(spec):
    ...     assert set(spec) == {"class_name", "config"} and "seed" in spec["config"]
    >>> test()
    """
    st = _st()
    if classes is None:
        from .initializers import VarianceScaling

        classes = list(_registry.initializer_classes(VarianceScaling).values())
    return st.one_of([_config_strategy(cls) for cls in classes])


def initializers(classes=None):
    """Hypothesis strategy for initializer instances (seeded).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from glorot_numba.testing import initializers
    >>> @settings(max_examples=10, deadline=None)
    ... @given(initializers())
    ... def test(init):
    ...     assert init((4, 3)).shape == (4, 3)
    >>> test()
    """
    return initializer_configs(classes).map(_registry.deserialize)
