"""Reference laws of explicit distributions, and the tests of samples against them.

The statistical testing kit's counterpart of :func:`check_variance_scaling`
for distributions given by their parameters: ``N(loc, scale**2)``, that
normal truncated to ``[lower, upper]``, and ``U(lower, upper)`` -- the laws
of ``RandomNormal``, ``TruncatedNormal`` and ``RandomUniform``, and of
PyTorch's ``normal_``, ``trunc_normal_`` and ``uniform_``.  The laws come
from SciPy's distributions (written independently of the library's
samplers); SciPy is imported when a law is used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from . import _dtypes
from ._kit import DEFAULT_JITTER_SEED, TRUNCATION, cells, parameters, reference, sample_dtype

if TYPE_CHECKING:
    import numpy.typing as npt

    from ._dtypes import DTypeLike
    from ._kit import ConfigLike, Floats
    from ._shapes import ShapeLike
    from .initializers import Initializer

# What check_distribution takes: an explicit initializer, a law, or a
# VarianceScaling configuration.
LawLike: TypeAlias = "Initializer | Law | ConfigLike"

__all__ = [
    "Law",
    "law_of",
    "DistributionReport",
    "check_law",
    "check_distribution",
    "assert_distribution",
]


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

    def _frozen(self) -> Any:
        from scipy import stats

        if self.kind == "normal":
            return stats.norm(self.loc, self.scale)
        if self.kind == "uniform":
            return stats.uniform(self.lower, self.upper - self.lower)
        a = (self.lower - self.loc) / self.scale
        b = (self.upper - self.loc) / self.scale
        return stats.truncnorm(a, b, loc=self.loc, scale=self.scale)

    @property
    def mean(self) -> float:
        """The mean."""
        return float(self._frozen().mean())

    @property
    def std(self) -> float:
        """The standard deviation."""
        return float(self._frozen().std())

    @property
    def kurtosis(self) -> float:
        """``E (x - mean)**4 / var**2``."""
        return float(self._frozen().stats(moments="k")) + 3.0

    def cdf(self, x: npt.ArrayLike) -> Floats:
        """The distribution function at ``x`` (array-like)."""
        values: Floats = self._frozen().cdf(np.asarray(x, dtype=np.float64))
        return values

    def sf(self, x: npt.ArrayLike) -> Floats:
        """``1 - cdf(x)``, without cancellation in the upper tail."""
        values: Floats = self._frozen().sf(np.asarray(x, dtype=np.float64))
        return values

    def describe(self) -> str:
        """The law in words, e.g. ``"N(0, 1**2) truncated to [-2, 2]"``."""
        if self.kind == "normal":
            return f"N({self.loc:.6g}, {self.scale:.6g}**2)"
        if self.kind == "uniform":
            return f"U({self.lower:.6g}, {self.upper:.6g})"
        return (
            f"N({self.loc:.6g}, {self.scale:.6g}**2) truncated to "
            f"[{self.lower:.6g}, {self.upper:.6g}]"
        )


def _rounded(value: float, dtype: DTypeLike | None, round_params: bool | None) -> float:
    if not round_params or dtype is None:
        return value
    return float(np.asarray(value, np.float64).astype(dtype))  # type: ignore[arg-type]


def law_of(
    init: object, dtype: DTypeLike | None = None, *, round_params: bool | None = None
) -> Law:
    """The :class:`Law` an explicit initializer of this library draws from.

    ``RandomNormal``, ``TruncatedNormal`` and ``RandomUniform``: their
    parameters, rounded to ``dtype`` only with ``round_params`` (the library
    computes float16 and bfloat16 values in float32 from unrounded
    parameters, and rounds the values once).
    """
    from ._explicit import RandomNormal, RandomUniform, TruncatedNormal

    if isinstance(init, RandomNormal):
        return Law(
            "normal",
            _rounded(init.mean, dtype, round_params),
            _rounded(init.stddev, dtype, round_params),
        )
    if isinstance(init, TruncatedNormal):
        loc = _rounded(init.mean, dtype, round_params)
        scale = _rounded(init.stddev, dtype, round_params)
        if init.lower is None and init.upper is None:
            lower, upper = loc - 2.0 * scale, loc + 2.0 * scale
        else:
            lower, upper = init._bounds()
        return Law("truncated_normal", loc, scale, lower, upper)
    if isinstance(init, RandomUniform):
        return Law(
            "uniform",
            (init.minval + init.maxval) / 2.0,
            (init.maxval - init.minval) / 2.0,
            init.minval,
            init.maxval,
        )
    raise TypeError(
        f"no law for {type(init).__name__}: expected RandomNormal, TruncatedNormal or RandomUniform"
    )


_UINT: dict[int, type[np.unsignedinteger[Any]]] = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def _neighbours(values: np.ndarray[Any, Any]) -> tuple[Floats, Floats]:
    """The next value of the dtype below and above each value, as float64."""
    dtype = values.dtype
    bits = values.view(_UINT[dtype.itemsize]).astype(np.int64)
    sign = np.where(np.signbit(values), -1, 1)
    mag_up = np.where(sign > 0, bits + 1, bits - 1)
    mag_down = np.where(sign > 0, bits - 1, bits + 1)
    # Zero's neighbours: the smallest values of either sign.
    zero = values.astype(np.float64) == 0.0
    up = np.where(zero, 1, mag_up).astype(_UINT[dtype.itemsize]).view(dtype)
    down_bits = np.where(zero, 1, mag_down).astype(_UINT[dtype.itemsize])
    down = down_bits.view(dtype).astype(np.float64)
    down = np.where(zero, -down, down)
    return down, up.astype(np.float64)


def _allowed_bound(bound: float, dtype: np.dtype[Any], side: int) -> float:
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
    pvalues: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Whether the samples fit: no failures."""
        return not self.failures

    def __str__(self) -> str:
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
            "verdict     : "
            + ("fits" if self.passed else "does not fit (" + "; ".join(self.failures) + ")"),
        ]
        return "\n".join(lines)


def check_law(
    values: np.ndarray[Any, Any], law: Law, name: str, *, alpha: float, jitter_seed: int
) -> DistributionReport:
    """Test the 1-D array ``values`` (float16 ... float64) against ``law``."""
    from scipy import stats

    dtype = values.dtype
    n = values.size
    x = values.astype(np.float64)
    failures: list[str] = []
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
    pvalues: dict[str, float] = {}
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
        lo, hi = cells(values)
        f_lo, f_hi = law.cdf(lo), law.cdf(hi)
        jitter = np.random.default_rng(jitter_seed).random(n)
        u = f_lo + jitter * (f_hi - f_lo)
    pvalues["kstest"] = float(stats.kstest(u, "uniform").pvalue)
    pvalues["cramervonmises"] = float(stats.cramervonmises(u, "uniform").pvalue)
    # How close the extremes come to a bound: P(max <= m) = F(m)**n for the
    # top m of the largest value's rounding cell (likewise for the minimum).
    if upper_bounded:
        top = (
            float(x.max())
            if dtype == np.float64
            else float(cells(values[np.argmax(x)].reshape(1))[1][0])
        )
        sf = float(law.sf(min(top, law.upper)))
        pvalues["upper edge"] = float(math.exp(n * math.log1p(-sf))) if sf < 1.0 else 0.0
    if lower_bounded:
        bottom = (
            float(x.min())
            if dtype == np.float64
            else float(cells(values[np.argmin(x)].reshape(1))[0][0])
        )
        cdf = float(law.cdf(max(bottom, law.lower)))
        pvalues["lower edge"] = float(math.exp(n * math.log1p(-cdf))) if cdf < 1.0 else 0.0
    for test, p in pvalues.items():
        if p < per_test:
            failures.append(f"{test} p = {p:.3g} < {per_test:.3g}")
    return DistributionReport(
        name=name,
        n=n,
        dtype=_dtypes.dtype_name(dtype) if dtype in _dtypes.SUPPORTED else dtype.name,
        law=law,
        mean=mean,
        std=float(x.std()),
        min=float(x.min()),
        max=float(x.max()),
        alpha=alpha,
        alpha_per_test=per_test,
        pvalues=pvalues,
        failures=failures,
    )


def _law(
    config: LawLike,
    shape: ShapeLike | None,
    fans: tuple[float, float] | None,
    dtype: np.dtype[Any],
    round_params: bool | None,
) -> tuple[Law, str]:
    """The :class:`Law` of an initializer, a VarianceScaling config or a law."""
    if isinstance(config, Law):
        return config, "Law"
    from .initializers import VarianceScaling

    if not (isinstance(config, (dict, str)) or hasattr(config, "distribution")):
        return law_of(config, dtype, round_params=round_params), type(config).__name__
    if fans is None and isinstance(config, VarianceScaling):
        fans = config._fans(tuple(int(d) for d in shape))  # type: ignore[union-attr]
    # A family member here: it has the attributes (checked above).
    ref = reference(config, shape, fans=fans, dtype=dtype, round_scale=round_params)  # type: ignore[arg-type]
    name = parameters(config)[3]
    m = ref.multiplier
    if ref.distribution == "untruncated_normal":
        return Law("normal", 0.0, m), name
    if ref.distribution == "uniform":
        return Law("uniform", 0.0, m, -m, m), name
    return Law("truncated_normal", 0.0, m, -TRUNCATION * m, TRUNCATION * m), name


def check_distribution(
    samples: npt.ArrayLike,
    config: LawLike,
    shape: ShapeLike | None = None,
    *,
    alpha: float = 1e-3,
    fans: tuple[float, float] | None = None,
    dtype: DTypeLike | None = None,
    round_params: bool | None = None,
    jitter_seed: int = DEFAULT_JITTER_SEED,
) -> DistributionReport:
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
        Round the distribution's parameters to the samples' dtype.  The
        default is how this library computes them: for float16 and bfloat16,
        the VarianceScaling family's standard deviation is rounded to the
        dtype (as TensorFlow does), explicit distributions' parameters are
        not (their values are computed in float32 and rounded once).
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
    if not (_dtypes.is_bfloat16(raw.dtype) or raw.dtype.kind == "f"):
        raise ValueError(f"samples must have a real floating-point dtype, got {raw.dtype}")
    values = raw
    if dtype is not None:
        target = sample_dtype(dtype)
        converted = values.astype(target)
        same = converted.astype(np.float64) == values.astype(np.float64)
        if not np.all(same | np.isnan(values.astype(np.float64))):
            raise ValueError(f"some samples are not values of {target}")
        values = converted
    if shape is None and fans is None:
        shape = raw.shape
    values = np.ascontiguousarray(values).reshape(-1)
    if values.size < 100:
        raise ValueError(f"need at least 100 samples for the statistical tests, got {values.size}")
    law, name = _law(config, shape, fans, values.dtype, round_params)
    return check_law(values, law, name, alpha=alpha, jitter_seed=jitter_seed)


def assert_distribution(
    samples: npt.ArrayLike,
    config: LawLike,
    shape: ShapeLike | None = None,
    *,
    alpha: float = 1e-3,
    fans: tuple[float, float] | None = None,
    dtype: DTypeLike | None = None,
    round_params: bool | None = None,
    jitter_seed: int = DEFAULT_JITTER_SEED,
) -> None:
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
    report = check_distribution(
        samples,
        config,
        shape,
        alpha=alpha,
        fans=fans,
        dtype=dtype,
        round_params=round_params,
        jitter_seed=jitter_seed,
    )
    if not report.passed:
        raise AssertionError(
            f"samples do not follow {report.name} ({'; '.join(report.failures)})\n{report}"
        )
