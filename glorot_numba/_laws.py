"""Reference laws of explicit distributions, and the tests of samples against them.

The statistical testing kit's counterpart of :func:`check_variance_scaling`
for distributions given by their parameters: ``N(loc, scale**2)``, that
normal truncated to ``[lower, upper]``, and ``U(lower, upper)`` -- the laws
of ``RandomNormal``, ``TruncatedNormal`` and ``RandomUniform``, and of
PyTorch's ``normal_``, ``trunc_normal_`` and ``uniform_``.  The laws come
from SciPy's distributions (written independently of the library's
samplers); SciPy is imported when a law is used.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from . import _dtypes

__all__ = ["Law", "law_of", "DistributionReport", "check_law"]


@dataclass(frozen=True)
class Law:
    """A normal, truncated normal or uniform distribution, by its parameters.

    Attributes
    ----------
    kind : str
        ``"normal"``, ``"truncated_normal"`` or ``"uniform"``.
    loc, scale : float
        Mean and standard deviation of the normal (before truncation); for
        the uniform, ``loc`` is the midpoint and ``scale`` the half-width.
    lower, upper : float
        The support's bounds (infinite where unbounded).

    Examples
    --------
    >>> from glorot_numba.testing import Law
    >>> law = Law("truncated_normal", 0.0, 1.0, -2.0, 2.0)
    >>> round(law.std, 6)
    0.879626
    """

    kind: str
    loc: float
    scale: float
    lower: float = -math.inf
    upper: float = math.inf

    def _frozen(self):
        from scipy import stats

        if self.kind == "normal":
            return stats.norm(self.loc, self.scale)
        if self.kind == "uniform":
            return stats.uniform(self.lower, self.upper - self.lower)
        a = (self.lower - self.loc) / self.scale
        b = (self.upper - self.loc) / self.scale
        return stats.truncnorm(a, b, loc=self.loc, scale=self.scale)

    @property
    def mean(self):
        """The mean."""
        return float(self._frozen().mean())

    @property
    def std(self):
        """The standard deviation."""
        return float(self._frozen().std())

    @property
    def kurtosis(self):
        """``E (x - mean)**4 / var**2``."""
        return float(self._frozen().stats(moments="k")) + 3.0

    def cdf(self, x):
        """The distribution function at ``x`` (array-like)."""
        return self._frozen().cdf(np.asarray(x, dtype=np.float64))

    def sf(self, x):
        """``1 - cdf(x)``, without cancellation in the upper tail."""
        return self._frozen().sf(np.asarray(x, dtype=np.float64))

    def describe(self):
        if self.kind == "normal":
            return f"N({self.loc:.6g}, {self.scale:.6g}**2)"
        if self.kind == "uniform":
            return f"U({self.lower:.6g}, {self.upper:.6g})"
        return (f"N({self.loc:.6g}, {self.scale:.6g}**2) truncated to "
                f"[{self.lower:.6g}, {self.upper:.6g}]")


def _rounded(value, dtype, round_params):
    if not round_params or dtype is None:
        return value
    return float(np.asarray(value, np.float64).astype(dtype))


def law_of(init, dtype=None, *, round_params=None):
    """The :class:`Law` an explicit initializer of this library draws from.

    ``RandomNormal``, ``TruncatedNormal`` and ``RandomUniform``: their
    parameters, rounded to ``dtype`` (by default for float16 and bfloat16,
    as the library computes them).
    """
    from ._explicit import RandomNormal, RandomUniform, TruncatedNormal

    if dtype is not None and round_params is None:
        round_params = np.dtype(dtype).itemsize <= 2
    if isinstance(init, RandomNormal):
        return Law("normal", _rounded(init.mean, dtype, round_params),
                   _rounded(init.stddev, dtype, round_params))
    if isinstance(init, TruncatedNormal):
        loc = _rounded(init.mean, dtype, round_params)
        scale = _rounded(init.stddev, dtype, round_params)
        if init.lower is None and init.upper is None:
            lower, upper = loc - 2.0 * scale, loc + 2.0 * scale
        else:
            lower, upper = init._bounds()
        return Law("truncated_normal", loc, scale, lower, upper)
    if isinstance(init, RandomUniform):
        return Law("uniform", (init.minval + init.maxval) / 2.0,
                   (init.maxval - init.minval) / 2.0, init.minval, init.maxval)
    raise TypeError(f"no law for {type(init).__name__}: expected RandomNormal, "
                    "TruncatedNormal or RandomUniform")


_UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def _neighbours(values):
    """The next value of the dtype below and above each value, as float64."""
    dtype = values.dtype
    bits = values.view(_UINT[dtype.itemsize]).astype(np.int64)
    sign = np.where(np.signbit(values), -1, 1)
    mag_up = np.where(sign > 0, bits + 1, bits - 1)
    mag_down = np.where(sign > 0, bits - 1, bits + 1)
    # Zero's neighbours: the smallest values of either sign.
    zero = (values.astype(np.float64) == 0.0)
    up = np.where(zero, 1, mag_up).astype(_UINT[dtype.itemsize]).view(dtype)
    down_bits = np.where(zero, 1, mag_down).astype(_UINT[dtype.itemsize])
    down = down_bits.view(dtype).astype(np.float64)
    down = np.where(zero, -down, down)
    return down, up.astype(np.float64)


def _cells(values):
    """Rounding cells ``[lo, hi]`` (float64) of values of a narrow dtype."""
    x = values.astype(np.float64)
    down, up = _neighbours(values)
    return (x + down) / 2.0, (x + up) / 2.0


def _allowed_bound(bound, dtype, side):
    """``bound`` as ``dtype`` represents it, one unit in the last place
    further out (``side`` +1: upward): producers compute ``loc + scale * z``
    in the dtype's arithmetic, whose rounding may carry a value just past
    the exact bound."""
    if math.isinf(bound):
        return bound
    r = np.asarray([bound], np.float64).astype(dtype)
    down, up = _neighbours(r)
    return float(up[0] if side > 0 else down[0])


@dataclass
class DistributionReport:
    """The result of :func:`glorot_numba.testing.check_distribution`.

    ``passed`` is False when a value lies outside the support or a test's
    p-value is below ``alpha_per_test``; ``failures`` says which.
    """

    name: str
    n: int
    dtype: str
    law: Law
    mean: float
    std: float
    min: float
    max: float
    alpha: float
    alpha_per_test: float
    pvalues: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)

    @property
    def passed(self):
        return not self.failures

    def __str__(self):
        law = self.law
        lines = [
            f"reference   : {self.name}, {law.describe()}",
            f"n           : {self.n} ({self.dtype})",
            f"mean        : {self.mean:.6g} (target {law.mean:.6g})",
            f"std         : {self.std:.6g} (target {law.std:.6g})",
            f"range       : [{self.min:.6g}, {self.max:.6g}] "
            f"(support [{law.lower:.6g}, {law.upper:.6g}])",
            "p-values    : " + ", ".join(f"{k} {v:.3g}" for k, v in self.pvalues.items()),
            f"alpha       : {self.alpha:g} overall, {self.alpha_per_test:.3g} per test",
            "verdict     : " + ("fits" if self.passed else
                                "does not fit (" + "; ".join(self.failures) + ")"),
        ]
        return "\n".join(lines)


def check_law(values, law, name, *, alpha, jitter_seed):
    """Test the 1-D array ``values`` (float16 ... float64) against ``law``."""
    from scipy import stats

    dtype = values.dtype
    n = values.size
    x = values.astype(np.float64)
    failures = []
    finite = np.isfinite(x)
    if not finite.all():
        failures.append(f"{int(n - finite.sum())} non-finite values")
        x, values = x[finite], values[finite]
        n = x.size
        if n == 0:
            raise ValueError("no finite samples")
    low = _allowed_bound(law.lower, dtype, -1)
    high = _allowed_bound(law.upper, dtype, +1)
    outside = int(((x < low) | (x > high)).sum())
    if outside:
        failures.append(f"{outside} values outside the support [{low:.6g}, {high:.6g}]")

    lower_bounded, upper_bounded = math.isfinite(law.lower), math.isfinite(law.upper)
    k = 4 + lower_bounded + upper_bounded
    per_test = alpha / k
    pvalues = {}
    mu, sigma = law.mean, law.std
    mean = float(x.mean())
    if sigma > 0:
        pvalues["mean"] = float(2.0 * stats.norm.sf(abs(mean - mu) / (sigma / math.sqrt(n))))
        d = x - mu
        second = float(np.dot(d, d) / n)
        z_var = (second / sigma**2 - 1.0) / math.sqrt((law.kurtosis - 1.0) / n)
        pvalues["variance"] = float(2.0 * stats.norm.sf(abs(z_var)))
    if dtype == np.float64:
        u = law.cdf(x)
    else:
        lo, hi = _cells(values)
        f_lo, f_hi = law.cdf(lo), law.cdf(hi)
        jitter = np.random.default_rng(jitter_seed).random(n)
        u = f_lo + jitter * (f_hi - f_lo)
    pvalues["kstest"] = float(stats.kstest(u, "uniform").pvalue)
    pvalues["cramervonmises"] = float(stats.cramervonmises(u, "uniform").pvalue)
    # How close the extremes come to a bound: P(max <= m) = F(m)**n for the
    # top m of the largest value's rounding cell (likewise for the minimum).
    if upper_bounded:
        top = float(x.max()) if dtype == np.float64 else float(_cells(
            values[np.argmax(x)].reshape(1))[1][0])
        sf = float(law.sf(min(top, law.upper)))
        pvalues["upper edge"] = float(math.exp(n * math.log1p(-sf))) if sf < 1.0 else 0.0
    if lower_bounded:
        bottom = float(x.min()) if dtype == np.float64 else float(_cells(
            values[np.argmin(x)].reshape(1))[0][0])
        cdf = float(law.cdf(max(bottom, law.lower)))
        pvalues["lower edge"] = float(math.exp(n * math.log1p(-cdf))) if cdf < 1.0 else 0.0
    for test, p in pvalues.items():
        if p < per_test:
            failures.append(f"{test} p = {p:.3g} < {per_test:.3g}")
    return DistributionReport(
        name=name, n=n, dtype=_dtypes.dtype_name(dtype) if dtype in _dtypes.SUPPORTED
        else dtype.name, law=law, mean=mean, std=float(x.std()), min=float(x.min()),
        max=float(x.max()), alpha=alpha, alpha_per_test=per_test, pvalues=pvalues,
        failures=failures)
