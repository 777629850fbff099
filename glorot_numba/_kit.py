"""The statistical testing kit's core: VarianceScaling references and checks.

Public through :mod:`glorot_numba.testing`, whose docstring says what is
tested and at which level.  The reference distributions are derived here
from first principles (the truncation constant ``0.8796...`` included),
independently of the library's own sampling code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

import numpy as np

from . import _complex_fit, _dtypes, _registry
from ._complex_fit import ComplexReference

if TYPE_CHECKING:
    import numpy.typing as npt

    from ._dtypes import DTypeLike
    from ._shapes import ShapeLike

    class VarianceScalingLike(Protocol):
        """An initializer of the family: this library's, Keras', TensorFlow's."""

        @property
        def scale(self) -> Any: ...

        @property
        def mode(self) -> Any: ...

        @property
        def distribution(self) -> Any: ...


__all__ = [
    "TRUNCATED_STD",
    "Reference",
    "ComplexReference",
    "reference",
    "VarianceScalingReport",
    "check_variance_scaling",
    "assert_variance_scaling",
    "DEFAULT_JITTER_SEED",
    "TRUNCATION",
    "cells",
    "n_of",
    "parameters",
    "sample_dtype",
    "as_samples",
    "cell_table",
    "pit",
]

# What names a VarianceScaling configuration: an initializer with scale,
# mode and distribution attributes (this library's, Keras', TensorFlow's), a
# dict of them, or a serialized initializer or class name of this library.
ConfigLike: TypeAlias = "VarianceScalingLike | dict[str, Any] | str"
# Float64 values of an array-like argument.
Floats: TypeAlias = "npt.NDArray[np.float64]"

# Truncation of the standard normal at +-2, from first principles:
# Z = P(|z| < 2) = erf(sqrt 2), E z^2 = 1 - 2 a phi(a) / Z,
# E z^4 = 3 - 2 phi(a) (a^3 + 3 a) / Z, with a = 2.
TRUNCATION = 2.0
_PHI_A = math.exp(-0.5 * TRUNCATION * TRUNCATION) / math.sqrt(2.0 * math.pi)
_Z = math.erf(TRUNCATION / math.sqrt(2.0))
_M2 = 1.0 - 2.0 * TRUNCATION * _PHI_A / _Z
_M4 = 3.0 - 2.0 * _PHI_A * (TRUNCATION**3 + 3.0 * TRUNCATION) / _Z
TRUNCATED_STD = math.sqrt(_M2)  # 0.87962566103423978...
_KURTOSIS = {"truncated_normal": _M4 / (_M2 * _M2), "untruncated_normal": 3.0, "uniform": 1.8}

DEFAULT_JITTER_SEED = 20101


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def n_of(mode: str, fans: tuple[float, float]) -> float:
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


def parameters(config: Any) -> tuple[float, str, str, str]:
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
            return float(scale), str(mode), str(distribution).lower(), "VarianceScaling"
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

    def cdf(self, x: npt.ArrayLike) -> Floats:
        """The cumulative distribution function at ``x`` (array-like)."""
        from scipy.special import ndtr

        x = np.asarray(x, dtype=np.float64)
        if self.distribution == "uniform":
            return np.clip((x / self.multiplier + 1.0) / 2.0, 0.0, 1.0)
        z = x / self.multiplier
        if self.distribution == "untruncated_normal":
            return ndtr(z)  # type: ignore[no-any-return]  # SciPy has no types
        low = ndtr(-TRUNCATION)
        return np.clip(  # type: ignore[no-any-return]  # SciPy has no types
            (ndtr(np.clip(z, -TRUNCATION, TRUNCATION)) - low) / _Z, 0.0, 1.0
        )

    def tail(self, t: npt.ArrayLike) -> Floats:
        """``P(|x| > t)`` for ``t >= 0``, computed without cancellation."""
        from scipy.special import ndtr

        t = np.asarray(t, dtype=np.float64)
        z = t / self.multiplier
        if self.distribution == "uniform":
            return np.clip(1.0 - z, 0.0, 1.0)
        if self.distribution == "untruncated_normal":
            return 2.0 * ndtr(-z)  # type: ignore[no-any-return]  # SciPy has no types
        tail = ndtr(-np.minimum(z, TRUNCATION)) - ndtr(-TRUNCATION)
        return np.clip(2.0 * tail / _Z, 0.0, 1.0)  # type: ignore[no-any-return]  # SciPy

    def pdf(self, x: npt.ArrayLike) -> Floats:
        """The probability density at ``x`` (array-like)."""
        x = np.asarray(x, dtype=np.float64)
        z = x / self.multiplier
        if self.distribution == "uniform":
            return np.where(np.abs(z) <= 1.0, 0.5 / self.multiplier, 0.0)
        density = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi) / self.multiplier
        if self.distribution == "untruncated_normal":
            return density
        return np.where(np.abs(z) < TRUNCATION, density / _Z, 0.0)


def reference(
    config: ConfigLike,
    shape: ShapeLike | None = None,
    *,
    fans: tuple[float, float] | None = None,
    dtype: DTypeLike | None = None,
    round_scale: bool | None = None,
) -> Reference | ComplexReference:
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
        to it.  A complex dtype gives the complex law.
    round_scale : bool, optional
        Round the multiplier to ``dtype`` (default: for float16 and
        bfloat16 only, as this library and TensorFlow compute them;
        PyTorch and Keras on NumPy scale in float32 or float64 and need
        ``False``).

    Returns
    -------
    Reference or ComplexReference

    Examples
    --------
    >>> from glorot_numba.testing import reference
    >>> ref = reference({"scale": 2.0, "mode": "fan_in"}, fans=(512, 10))
    >>> round(ref.std ** 2 * 512, 12)
    2.0
    """
    scale, mode, distribution, _ = parameters(config)
    if fans is None:
        if shape is None:
            raise TypeError("reference() needs shape or fans")
        fans = _fans(tuple(int(d) for d in shape))
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be positive and finite, got {scale}")
    variance = scale / n_of(mode, fans)
    if distribution == "normal":
        distribution = "truncated_normal"
    if dtype is not None and sample_dtype(dtype).kind == "c":
        if distribution not in _KURTOSIS:
            raise ValueError(f"unknown distribution {distribution!r}")
        return ComplexReference.of(distribution, variance)
    if distribution == "truncated_normal":
        distribution, reach = "truncated_normal", TRUNCATION
        factor = math.sqrt(variance) / TRUNCATED_STD
        unit_std = TRUNCATED_STD
    elif distribution == "untruncated_normal":
        factor, reach, unit_std = math.sqrt(variance), math.inf, 1.0
    elif distribution == "uniform":
        factor, reach, unit_std = math.sqrt(3.0 * variance), 1.0, 1.0 / math.sqrt(3.0)
    else:
        raise ValueError(f"unknown distribution {distribution!r}")
    if dtype is not None:
        samples_dtype = sample_dtype(dtype)
        if round_scale is None:
            round_scale = samples_dtype.itemsize <= 2
        if round_scale:
            factor = float(np.asarray(factor).astype(samples_dtype))
    return Reference(
        distribution, factor, factor * unit_std, reach * factor, _KURTOSIS[distribution]
    )


def sample_dtype(dtype: DTypeLike) -> np.dtype[Any]:
    if isinstance(dtype, str) and dtype.lower() == "bfloat16":
        return _dtypes.BFLOAT16
    candidate: Any = getattr(dtype, "as_numpy_dtype", dtype)
    resolved: np.dtype[Any] = np.dtype(candidate)
    if resolved.kind not in "fc" and not _dtypes.is_bfloat16(resolved):
        raise ValueError(f"samples must have a floating-point or complex dtype, got {resolved}")
    return resolved


_UINT: dict[int, type[np.unsignedinteger[Any]]] = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def cells(values: np.ndarray[Any, Any]) -> tuple[Floats, Floats]:
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


def _ulp_above(value: float, dtype: np.dtype[Any]) -> float:
    """``value`` rounded to ``dtype`` plus one unit in the last place, as float64."""
    rounded = np.asarray(value, dtype=np.float64).astype(dtype).reshape(1)
    bits = rounded.view(_UINT[dtype.itemsize])
    return float((bits + bits.dtype.type(1)).view(dtype).astype(np.float64)[0])


_CELL_TABLES: dict[np.dtype[Any], tuple[npt.NDArray[np.uint16], Floats, Floats]] = {}
_CELLS_MIN_EXPECTED = 20.0


def cell_table(dtype: np.dtype[Any]) -> tuple[npt.NDArray[np.uint16], Floats, Floats]:
    """Every finite value of a 2-byte dtype: bit patterns and rounding
    cells ``[lo, hi]``, in increasing order."""
    table = _CELL_TABLES.get(dtype)
    if table is None:
        codes = np.arange(1 << 16, dtype=np.uint16)
        exponent = 0x7C00 if dtype == np.float16 else 0x7F80
        codes = codes[(codes & exponent) != exponent]
        lo, hi = cells(codes.view(dtype))
        order = np.lexsort((hi, lo))
        table = _CELL_TABLES[dtype] = (codes[order], lo[order], hi[order])
    return table


def _cells_test(values: np.ndarray[Any, Any], ref: Reference) -> tuple[float, int, float]:
    """Chi-square statistic, degrees of freedom and p-value of the counts of
    each value of a 2-byte dtype against the probabilities of their cells."""
    from scipy import stats

    codes, lo, hi = cell_table(values.dtype)
    n = values.size
    counts = np.bincount(values.view(np.uint16), minlength=1 << 16)[codes].astype(np.float64)
    expected = (ref.cdf(hi) - ref.cdf(lo)) * n
    used = (expected > 0) | (counts > 0)
    counts, expected = counts[used], expected[used]
    # Pool adjacent cells into groups of at least _CELLS_MIN_EXPECTED
    # expected samples; a group left short (before a large cell) joins the
    # one before it.
    group = np.floor(np.cumsum(expected) / _CELLS_MIN_EXPECTED).astype(np.int64)
    _, group = np.unique(group, return_inverse=True)
    e = np.bincount(group, expected)
    o = np.bincount(group, counts)
    whole = e >= _CELLS_MIN_EXPECTED / 2
    whole[0] = True
    into = np.maximum.accumulate(np.where(whole, np.arange(e.size), 0))
    e = np.bincount(into, e, e.size)[whole]
    o = np.bincount(into, o, o.size)[whole]
    if e.size > 1 and e[0] < _CELLS_MIN_EXPECTED / 2:
        e[1] += e[0]
        o[1] += o[0]
        e, o = e[1:], o[1:]
    if e.size < 2:
        return 0.0, 0, 1.0
    # Samples in cells of probability 0 (beyond the bound) count fully.
    inside = e > 0
    chi2 = float(np.sum((o[inside] - e[inside]) ** 2 / e[inside]))
    df = int(inside.sum()) - 1
    return chi2, df, (0.0 if (~inside & (o > 0)).any() else float(stats.chi2.sf(chi2, df)))


def pit(
    values: np.ndarray[Any, Any], ref: Reference, jitter_seed: int = DEFAULT_JITTER_SEED
) -> Floats:
    """The probability integral transform of real samples, randomised within
    the rounding cells of a narrow dtype (exact for rounded data)."""
    if values.dtype == np.float64:
        return ref.cdf(values)
    lo, hi = cells(values)
    f_lo = ref.cdf(lo)
    del lo
    width = ref.cdf(hi) - f_lo
    del hi
    return f_lo + np.random.default_rng(jitter_seed).random(values.size) * width


@dataclass
class VarianceScalingReport:
    """The result of :func:`check_variance_scaling`.

    ``passed`` is False when a bound is violated or a test's p-value is
    below ``alpha_per_test``; ``failures`` says which.  ``statistics`` holds
    the tests' statistics (z-scores, chi-square and degrees of freedom).
    For complex samples ``mean`` is complex, ``std`` is ``sqrt(mean |w -
    mean|**2)`` and ``min`` / ``max`` are the extremes of ``|w|``.
    ``str(report)`` is a readable summary.

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
    reference: Reference | ComplexReference
    mean: float | complex
    std: float
    min: float
    max: float
    allowed_bound: float
    alpha: float
    alpha_per_test: float
    pvalues: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    statistics: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Whether the samples fit: no failures."""
        return not self.failures

    def __str__(self) -> str:
        ref = self.reference
        complex_law = isinstance(ref, ComplexReference)
        lines = [
            f"reference   : {self.name}, {ref.distribution}"
            + (" (complex)" if complex_law else "")
            + f", std {ref.std:.6g}, bound {ref.bound:.6g}",
            f"n           : {self.n} ({self.dtype})",
            f"mean        : {self.mean:.6g}",
            f"std         : {self.std:.6g} (target {ref.std:.6g}, ratio {self.std / ref.std:.5f})"
            if ref.std > 0
            else f"std         : {self.std:.6g}",
            (
                f"modulus     : [{self.min:.6g}, {self.max:.6g}] (allowed |w| <= "
                if complex_law
                else f"range       : [{self.min:.6g}, {self.max:.6g}] (allowed |x| <= "
            )
            + f"{self.allowed_bound:.6g})",
            "p-values    : " + ", ".join(f"{k} {v:.3g}" for k, v in self.pvalues.items()),
            f"alpha       : {self.alpha:g} overall, {self.alpha_per_test:.3g} per test",
            "verdict     : "
            + ("fits" if self.passed else "does not fit (" + "; ".join(self.failures) + ")"),
        ]
        return "\n".join(lines)


def as_samples(
    samples: npt.ArrayLike, dtype: DTypeLike | None
) -> tuple[tuple[int, ...], np.ndarray[Any, Any]]:
    """``samples`` as a flat array of ``dtype`` (default: their own)."""
    raw = samples if isinstance(samples, np.ndarray) else np.asarray(samples)
    if not (_dtypes.is_bfloat16(raw.dtype) or raw.dtype.kind in "fc"):
        raise ValueError(f"samples must have a floating-point or complex dtype, got {raw.dtype}")
    values = raw
    if dtype is not None:
        target = sample_dtype(dtype)
        if (target.kind == "c") != (raw.dtype.kind == "c"):
            raise ValueError(f"samples of dtype {raw.dtype} cannot be values of {target}")
        converted = values.astype(target)
        wide = np.complex128 if target.kind == "c" else np.float64
        same = converted.astype(wide) == values.astype(wide)
        if not np.all(same | np.isnan(values.astype(wide))):
            raise ValueError(f"some samples are not values of {target}")
        values = converted
    return raw.shape, np.ascontiguousarray(values).reshape(-1)


def check_variance_scaling(
    samples: npt.ArrayLike,
    config: ConfigLike,
    shape: ShapeLike | None = None,
    *,
    alpha: float = 1e-3,
    fans: tuple[float, float] | None = None,
    dtype: DTypeLike | None = None,
    round_scale: bool | None = None,
    jitter_seed: int = DEFAULT_JITTER_SEED,
) -> VarianceScalingReport:
    """Test ``samples`` against a VarianceScaling configuration; return a report.

    Parameters
    ----------
    samples : array-like
        Any array NumPy can convert (NumPy, TensorFlow and JAX arrays, CPU
        PyTorch tensors, ...), real or complex, at least 100 elements.
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
        Fewer than 100 samples, a dtype that is neither floating-point nor
        complex, or values not representable in ``dtype``.

    Examples
    --------
    >>> import numpy as np
    >>> import glorot_numba as gn
    >>> from glorot_numba.testing import check_variance_scaling
    >>> w = np.random.default_rng(0).uniform(-0.1, 0.1, (300, 300))
    >>> check_variance_scaling(w, {"mode": "fan_avg"}).passed
    False
    >>> c = gn.GlorotNormal(seed=0)((300, 300), "complex64")
    >>> check_variance_scaling(c, gn.GlorotNormal()).passed
    True
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    raw_shape, values = as_samples(samples, dtype)
    if shape is None and fans is None:
        shape = raw_shape
    if values.size < 100:
        raise ValueError(f"need at least 100 samples for the statistical tests, got {values.size}")
    ref = reference(config, shape, fans=fans, dtype=values.dtype, round_scale=round_scale)
    name = parameters(config)[3]
    if values.dtype.kind == "c":
        assert isinstance(ref, ComplexReference)
        return _check_complex(values, ref, name, alpha, jitter_seed)
    assert isinstance(ref, Reference)
    return _check_real(values, ref, name, alpha, jitter_seed)


def _finite(values: np.ndarray[Any, Any], failures: list[str]) -> np.ndarray[Any, Any]:
    finite = np.isfinite(values)
    if finite.all():
        return values
    # The statistics describe the finite values.
    failures.append(f"{int(values.size - finite.sum())} non-finite values")
    values = values[finite]
    if values.size == 0:
        raise ValueError("no finite samples")
    return values


def _verdict(pvalues: dict[str, float], per_test: float, failures: list[str]) -> None:
    for test, p in pvalues.items():
        if p < per_test:
            failures.append(f"{test} p = {p:.3g} < {per_test:.3g}")


def _dtype_name(dtype: np.dtype[Any]) -> str:
    return _dtypes.dtype_name(dtype) if dtype in _dtypes.SUPPORTED else dtype.name


def _check_real(
    values: np.ndarray[Any, Any], ref: Reference, name: str, alpha: float, jitter_seed: int
) -> VarianceScalingReport:
    from scipy import stats

    dtype = values.dtype
    failures: list[str] = []
    values = _finite(values, failures)
    x = values.astype(np.float64)
    n = x.size
    allowed = (
        math.inf
        if math.isinf(ref.bound)
        else (ref.bound if dtype == np.float64 else _ulp_above(ref.bound, dtype))
    )
    peak = float(np.abs(x).max())
    if peak > allowed:
        failures.append(
            f"{int((np.abs(x) > allowed).sum())} values beyond the bound "
            f"{allowed:.6g} (max |x| {peak:.6g})"
        )

    bounded = not math.isinf(ref.bound)
    narrow = dtype.itemsize == 2
    k = 4 + bounded + narrow
    per_test = alpha / k
    pvalues: dict[str, float] = {}
    statistics: dict[str, float] = {}
    mean = float(x.mean())
    second = float(np.dot(x, x) / n)
    z_mean = mean / (ref.std / math.sqrt(n))
    pvalues["mean"] = float(2.0 * stats.norm.sf(abs(z_mean)))
    z_var = (second / ref.std**2 - 1.0) / math.sqrt((ref.kurtosis - 1.0) / n)
    pvalues["variance"] = float(2.0 * stats.norm.sf(abs(z_var)))
    statistics.update(mean_z=z_mean, variance_z=z_var)

    u = pit(values if dtype != np.float64 else x, ref, jitter_seed)
    pvalues["kstest"] = float(stats.kstest(u, "uniform").pvalue)
    pvalues["cramervonmises"] = float(stats.cramervonmises(u, "uniform").pvalue)
    del u
    if bounded:
        # P(max |x| <= m) for n independent draws, m at the top of its
        # rounding cell: G(m)^n = exp(n * log1p(-tail(m))).
        top = peak if dtype == np.float64 else float(cells(np.asarray([abs(peak)], dtype))[1][0])
        tail = float(ref.tail(min(top, ref.bound)))
        pvalues["edge"] = float(math.exp(n * math.log1p(-tail))) if tail < 1.0 else 0.0
    if narrow:
        chi2, df, pvalues["cells"] = _cells_test(values, ref)
        statistics.update(cells_chi2=chi2, cells_df=df)
    _verdict(pvalues, per_test, failures)
    return VarianceScalingReport(
        name=name,
        n=n,
        dtype=_dtype_name(dtype),
        reference=ref,
        mean=mean,
        std=float(x.std()),
        min=float(x.min()),
        max=float(x.max()),
        allowed_bound=allowed,
        alpha=alpha,
        alpha_per_test=per_test,
        pvalues=pvalues,
        failures=failures,
        statistics=statistics,
    )


def _check_complex(
    values: np.ndarray[Any, Any], ref: ComplexReference, name: str, alpha: float, jitter_seed: int
) -> VarianceScalingReport:
    dtype = values.dtype
    failures: list[str] = []
    values = _finite(values, failures)
    w = values.astype(np.complex128)
    modulus = np.abs(w)
    allowed = _complex_fit.allowed_modulus(ref, dtype)
    peak = float(modulus.max())
    if peak > allowed:
        failures.append(
            f"{int((modulus > allowed).sum())} values beyond the bound "
            f"{allowed:.6g} (max |w| {peak:.6g})"
        )
    low = float(modulus.min())
    del modulus
    pvalues = _complex_fit.pvalues(w, ref, dtype, peak)
    per_test = alpha / len(pvalues)
    _verdict(pvalues, per_test, failures)
    mean = complex(w.mean())
    centred = w - mean
    std = math.sqrt(float(np.mean(centred.real**2 + centred.imag**2)))
    return VarianceScalingReport(
        name=name,
        n=w.size,
        dtype=_dtype_name(dtype),
        reference=ref,
        mean=mean,
        std=std,
        min=low,
        max=peak,
        allowed_bound=allowed,
        alpha=alpha,
        alpha_per_test=per_test,
        pvalues=pvalues,
        failures=failures,
    )


def assert_variance_scaling(
    samples: npt.ArrayLike,
    config: ConfigLike,
    shape: ShapeLike | None = None,
    *,
    alpha: float = 1e-3,
    fans: tuple[float, float] | None = None,
    dtype: DTypeLike | None = None,
    round_scale: bool | None = None,
    jitter_seed: int = DEFAULT_JITTER_SEED,
) -> None:
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
    report = check_variance_scaling(
        samples,
        config,
        shape,
        alpha=alpha,
        fans=fans,
        dtype=dtype,
        round_scale=round_scale,
        jitter_seed=jitter_seed,
    )
    if not report.passed:
        raise AssertionError(
            f"samples do not follow {report.name} ({'; '.join(report.failures)})\n{report}"
        )
