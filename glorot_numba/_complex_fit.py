"""Goodness of fit of complex samples to the complex VarianceScaling laws.

The laws (``z`` a standard complex normal, ``E|z|**2 = 1``, so ``|z|**2`` is
Exp(1) and the phase is uniform and independent of the modulus; ``sigma**2
= scale / n``):

- ``untruncated_normal``: ``w = sigma z``;
- ``truncated_normal``: ``z`` conditioned on ``|z| < 2``, times ``sigma /
  C`` with ``C**2 = E[|z|**2 | |z| < 2] = (1 - 5 e**-4) / (1 - e**-4)``;
- ``uniform``: uniform on the disc of radius ``sqrt(2) sigma``.

Each has ``E|w|**2 = sigma**2``.  In units of the multiplier the
normalised power ``q = |w|**2 / multiplier**2`` is Exp(1), Exp(1) truncated
at 4, or U(0, 1).  Everything here is derived from those three facts,
independently of the sampling code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

_ComplexReferenceT = TypeVar("_ComplexReferenceT", bound="ComplexReference")

# Exp(1) truncated at T = 4 (|z| < 2): mass, mean and second moment.
_T = 4.0
_MASS = -math.expm1(-_T)
_TRUNC_Q1 = (1.0 - (1.0 + _T) * math.exp(-_T)) / _MASS
_TRUNC_Q2 = (2.0 - (_T * _T + 2.0 * _T + 2.0) * math.exp(-_T)) / _MASS
COMPLEX_TRUNCATED_RMS = math.sqrt(_TRUNC_Q1)  # C = 0.96196...

# (multiplier / sigma, reach of |w| / multiplier, Var(|w|**2 / sigma**2)).
_LAWS = {
    "truncated_normal": (1.0 / COMPLEX_TRUNCATED_RMS, 2.0, _TRUNC_Q2 / _TRUNC_Q1**2 - 1.0),
    "untruncated_normal": (1.0, math.inf, 1.0),
    "uniform": (math.sqrt(2.0), 1.0, 1.0 / 3.0),
}

RINGS, SECTORS = 10, 16


@dataclass(frozen=True)
class ComplexReference:
    """The exact distribution of one complex VarianceScaling configuration.

    Attributes
    ----------
    distribution : str
        ``"truncated_normal"``, ``"untruncated_normal"`` or ``"uniform"``.
    multiplier : float
        The factor applied to the standard sample (the complex normal
        conditioned on ``|z| < 2``, the complex normal, or the unit disc).
    std : float
        ``sqrt(E|w|**2) = sqrt(scale / n)``.
    bound : float
        Largest possible ``|w|`` (``inf`` for the untruncated normal).
    power_variance : float
        ``Var(|w|**2) / std**4``.

    Examples
    --------
    >>> from glorot_numba.testing import reference
    >>> ref = reference({"scale": 1.0, "mode": "fan_avg"}, (100, 100), dtype="complex64")
    >>> round(ref.std, 6), round(ref.bound / ref.std, 5)
    (0.1, 2.07908)
    >>> float(ref.power_cdf(ref.bound ** 2))
    1.0
    """

    distribution: str
    multiplier: float
    std: float
    bound: float
    power_variance: float

    @classmethod
    def of(cls: type[_ComplexReferenceT], distribution: str, variance: float) -> _ComplexReferenceT:
        """The law of ``distribution`` (a VarianceScaling name) for ``E|w|**2 = variance``."""
        per_sigma, reach, power_variance = _LAWS[distribution]
        multiplier = math.sqrt(variance) * per_sigma
        return cls(
            distribution, multiplier, math.sqrt(variance), reach * multiplier, power_variance
        )

    def power_cdf(self, p: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """``P(|w|**2 <= p)`` (array-like ``p >= 0``)."""
        q = np.asarray(p, dtype=np.float64) / self.multiplier**2
        if self.distribution == "uniform":
            return np.clip(q, 0.0, 1.0)
        if self.distribution == "untruncated_normal":
            return -np.expm1(-q)
        return np.clip(-np.expm1(-np.minimum(q, _T)) / _MASS, 0.0, 1.0)

    def power_pdf(self, p: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """The density of ``|w|**2`` at ``p``."""
        q = np.asarray(p, dtype=np.float64) / self.multiplier**2
        unit = 1.0 / self.multiplier**2
        if self.distribution == "uniform":
            return np.where((q >= 0) & (q <= 1.0), unit, 0.0)
        density = np.where(q >= 0, np.exp(-np.maximum(q, 0.0)) * unit, 0.0)
        if self.distribution == "untruncated_normal":
            return density
        return np.where(q < _T, density / _MASS, 0.0)

    def log_power_cdf(self, p: float) -> float:
        """``log P(|w|**2 <= p)``, accurate where it is close to 0."""
        q = float(p) / self.multiplier**2
        if self.distribution == "uniform":
            return math.log(q) if q < 1.0 else 0.0
        if self.distribution == "untruncated_normal":
            return math.log1p(-math.exp(-q))
        if q >= _T:
            return 0.0
        # (1 - e^-q) / (1 - e^-T) = 1 - (e^-q - e^-T) / (1 - e^-T)
        return math.log1p(-(math.exp(-q) - math.exp(-_T)) / _MASS)


def component_of(dtype: npt.DTypeLike) -> type[np.float32] | type[np.float64]:
    return np.float32 if np.dtype(dtype) == np.complex64 else np.float64


def allowed_modulus(ref: ComplexReference, dtype: npt.DTypeLike) -> float:
    """The bound on ``|w|`` with room for a producer's rounding of the
    components and of ``r * (cos, sin) * multiplier`` (a few ulps each)."""
    if math.isinf(ref.bound):
        return math.inf
    return ref.bound * (1.0 + 8.0 * float(np.finfo(component_of(dtype)).eps))


def pvalues(
    w: npt.NDArray[np.complex128], ref: ComplexReference, dtype: npt.DTypeLike, peak: float
) -> dict[str, float]:
    """The p-values of the complex tests on samples ``w`` (complex128).

    Returns a dict: ``power`` (E|w|**2), ``modulus`` (KS of the law of
    ``|w|**2``), ``phase`` (KS of the phase against the uniform law),
    ``circular`` (E w = 0 and E w**2 = 0), ``independence`` (modulus rings
    against phase sectors) and, for bounded laws, ``edge`` (the largest
    modulus must come near the bound).
    """
    from scipy import stats

    n = w.size
    power = w.real * w.real + w.imag * w.imag
    out: dict[str, float] = {}
    mean_power = float(power.mean())
    z = (mean_power / ref.std**2 - 1.0) / math.sqrt(ref.power_variance / n)
    out["power"] = float(2.0 * stats.norm.sf(abs(z)))
    u_mod = ref.power_cdf(power)
    del power
    out["modulus"] = float(stats.kstest(u_mod, "uniform").pvalue)
    u_phase = (np.angle(w) + math.pi) / (2.0 * math.pi)
    out["phase"] = float(stats.kstest(u_phase, "uniform").pvalue)
    # Circular symmetry: Re and Im of mean(w) each have variance
    # E|w|^2 / (2n), those of mean(w^2) E|w|^4 / (2n), all four uncorrelated.
    m1, m2 = complex(w.mean()), complex((w * w).mean())
    e2, e4 = ref.std**2, ref.std**4 * (1.0 + ref.power_variance)
    t = 2.0 * n * (abs(m1) ** 2 / e2 + abs(m2) ** 2 / e4)
    out["circular"] = float(stats.chi2.sf(t, 4))
    ring = np.minimum((u_mod * RINGS).astype(np.int64), RINGS - 1)
    sector = np.minimum((u_phase * SECTORS).astype(np.int64), SECTORS - 1)
    table = np.bincount(ring * SECTORS + sector, minlength=RINGS * SECTORS)
    table = table.reshape(RINGS, SECTORS).astype(np.float64)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if min(table.shape) > 1:
        out["independence"] = float(stats.chi2_contingency(table, correction=False).pvalue)
    else:
        out["independence"] = 0.0
    if not math.isinf(ref.bound):
        # P(max |w| <= m) = G(m^2)^n, m the largest modulus with room for
        # the rounding of the components.
        eps = float(np.finfo(component_of(dtype)).eps)
        top = min(peak * (1.0 + 4.0 * eps), ref.bound)
        out["edge"] = float(math.exp(n * ref.log_power_cdf(top * top)))
    return out
