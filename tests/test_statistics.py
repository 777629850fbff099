"""Distribution tests: goodness of fit, variance, bounds.

All draws use fixed seeds, so every test is deterministic; the stated
significance level alpha is the probability that a correct implementation
would fail the test for a seed picked at random.  The constants below are
computed here from SciPy, independently of the library's own.
"""

import math

import ml_dtypes
import numpy as np
import pytest
from scipy import stats

import glorot_numba as gn

ALPHA = 1e-3  # per goodness-of-fit test
TRUNC = stats.truncnorm(-2.0, 2.0)
TRUNC_STD = float(TRUNC.std())  # 0.8796256610342398...
N_GOF = 1_000_000

DTYPES = ["float16", ml_dtypes.bfloat16, "float32", "float64"]


def standardised(shape, dtype, seed):
    """Glorot draws divided by the pre-truncation standard deviation."""
    w = gn.GlorotNormal(seed=seed)(shape, dtype=dtype).astype(np.float64)
    fan_in, fan_out = gn.compute_fans(shape)
    sigma_pre = math.sqrt(2.0 / (fan_in + fan_out)) / TRUNC_STD
    return w.ravel() / sigma_pre


@pytest.fixture(scope="module", params=["float32", "float64"])
def unit_draw(request):
    return request.param, standardised((1000, 1000), request.param, seed=2026)


def test_truncnorm_kolmogorov_smirnov(unit_draw):
    dtype, z = unit_draw
    assert z.size >= N_GOF
    result = stats.kstest(z, TRUNC.cdf)
    assert result.pvalue > ALPHA, (dtype, result)


def test_truncnorm_cramer_von_mises(unit_draw):
    dtype, z = unit_draw
    result = stats.cramervonmises(z, TRUNC.cdf)
    assert result.pvalue > ALPHA, (dtype, result)


def test_truncation_edge_is_reached_exactly(unit_draw):
    # A wrong truncation constant (0.88 instead of 0.87962...) shrinks the
    # reach of |z| to 1.99915; the KS test cannot see that, the edge can.
    # With 1e6 draws the chance that no |z| falls in [2 - 1e-4, 2) is
    # exp(-2 * pdf(2) * 1e-4 * 1e6) = 1.2e-5 (alpha of this test).
    _, z = unit_draw
    peak = np.abs(z).max()
    assert 2.0 - 1e-4 < peak <= 2.0 + 1e-6


def test_halves_of_box_muller_pairs_are_uncorrelated(unit_draw):
    # Elements 4b, 4b+1 (f32) / 2b, 2b+1 (f64) are cos and sin of one pair.
    _, z = unit_draw
    r = np.corrcoef(z[0::2], z[1::2])[0, 1]
    # Under independence r ~ N(0, 1/n): 4.9 sigma is alpha = 1e-6.
    assert abs(r) < 4.9 / math.sqrt(z.size / 2)


# Moments of the standardised distributions, for the variance tests.
KURTOSIS = {
    "truncated_normal": 3.0 + float(TRUNC.stats(moments="k")),
    "normal": 3.0 + float(TRUNC.stats(moments="k")),
    "untruncated_normal": 3.0,
    "uniform": 1.8,
}
Z_VAR = 4.42  # two-sided alpha = 1e-5 per variance test


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("distribution", list(KURTOSIS))
def test_variance_is_scale_over_n(distribution, mode, dtype):
    shape = (500, 2000)  # fan_in 500, fan_out 2000: the three modes differ
    scale = 3.0
    w = gn.VarianceScaling(scale, mode, distribution, seed=11)(shape, dtype)
    n = {"fan_in": 500, "fan_out": 2000, "fan_avg": 1250}[mode]
    target = scale / n
    x = w.astype(np.float64).ravel()
    rel_se = math.sqrt((KURTOSIS[distribution] - 1.0) / x.size)
    assert abs(x.var() / target - 1.0) < Z_VAR * rel_se
    assert abs(x.mean()) < Z_VAR * math.sqrt(target / x.size)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_untruncated_normal_fits(dtype):
    w = gn.VarianceScaling(2.0, "fan_in", "untruncated_normal", seed=5)((1000, 1000), dtype)
    result = stats.kstest(w.astype(np.float64).ravel(), stats.norm(0, math.sqrt(2.0 / 1000)).cdf)
    assert result.pvalue > ALPHA


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_uniform_fits(dtype):
    w = gn.VarianceScaling(2.0, "fan_in", "uniform", seed=5)((1000, 1000), dtype)
    limit = math.sqrt(3 * 2.0 / 1000)
    result = stats.kstest(w.astype(np.float64).ravel(), stats.uniform(-limit, 2 * limit).cdf)
    assert result.pvalue > ALPHA


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("distribution", ["truncated_normal", "uniform"])
@pytest.mark.parametrize("shape", [(257, 129), (3, 3, 16, 32), (1, 1)])
def test_bound_never_exceeded(dtype, distribution, shape):
    init = gn.VarianceScaling(1.7, "fan_avg", distribution, seed=99)
    fan_in, fan_out = gn.compute_fans(shape)
    var = 1.7 / max(1.0, (fan_in + fan_out) / 2)
    bound = 2 * math.sqrt(var) / 0.87962566103423978 if distribution != "uniform" \
        else math.sqrt(3 * var)
    bound_in_dtype = np.asarray(bound).astype(dtype).astype(np.float64)
    for seed in range(3):
        init.seed = seed
        w = init(shape, dtype).astype(np.float64)
        assert np.all(np.abs(w) <= bound_in_dtype)
        assert np.all(np.isfinite(w))


def test_low_precision_outputs_share_the_float32_stream():
    shape = (64, 96)
    w32 = gn.GlorotNormal(seed=8)(shape, "float32").astype(np.float64)
    w64 = gn.GlorotNormal(seed=8)(shape, "float64")
    for dtype, rel in (("float16", 2.0**-10), (ml_dtypes.bfloat16, 2.0**-7)):
        w = gn.GlorotNormal(seed=8)(shape, dtype).astype(np.float64)
        # Same standard normals; only sigma's and the result's rounding differ.
        assert np.all(np.abs(w - w32) <= 2 * rel * np.abs(w32) + 1e-7)
    assert not np.allclose(w64, w32, rtol=0.01)  # float64 has its own stream


def _moments(w, sigma_post):
    """Mean of w/sigma and of (w/sigma)**2, accumulated in float64 chunks."""
    flat = w.reshape(-1)
    total = total_sq = 0.0
    for start in range(0, flat.size, 1 << 22):
        x = flat[start:start + (1 << 22)].astype(np.float64) / sigma_post
        total += x.sum()
        total_sq += (x * x).sum()
    return total / flat.size, total_sq / flat.size


def test_variance_pins_the_truncation_constant():
    # 67M float32 draws: the relative standard error of the second moment is
    # sqrt((kurtosis - 1) / n) = 1.4e-4, and a constant of 0.88 instead of
    # 0.87962566 would shift it by 8.5e-4 (6 standard errors).  alpha = 1e-5.
    shape = (8192, 8192)
    sigma_post = math.sqrt(2.0 / (8192 + 8192))
    _, second = _moments(gn.GlorotNormal(seed=77)(shape), sigma_post)
    rel_se = math.sqrt((KURTOSIS["truncated_normal"] - 1.0) / (8192 * 8192))
    assert abs(second - 1.0) < Z_VAR * rel_se


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_truncnorm_fit_at_1e8(dtype):
    # 1e8 draws: KS and CvM with alpha = 1e-3 each; detects deviations of
    # the CDF ten times smaller than the default 1e6-draw tests.
    z = standardised((10_000, 10_000), dtype, seed=1234).astype(np.float64)
    assert stats.kstest(z, TRUNC.cdf).pvalue > ALPHA
    assert stats.cramervonmises(z, TRUNC.cdf).pvalue > ALPHA


@pytest.mark.slow
@pytest.mark.parametrize("distribution", list(KURTOSIS))
def test_variance_at_1e8(distribution):
    shape = (10_000, 10_000)
    scale = 0.5
    w = gn.VarianceScaling(scale, "fan_avg", distribution, seed=3)(shape)
    target = math.sqrt(scale / 10_000)
    mean, second = _moments(w, target)
    n = w.size
    assert abs(second - 1.0) < Z_VAR * math.sqrt((KURTOSIS[distribution] - 1.0) / n)
    assert abs(mean) < Z_VAR / math.sqrt(n)
