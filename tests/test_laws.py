"""check_distribution / assert_distribution: explicit laws, false alarms, power.

The false-alarm test runs the check on many independent seeds and compares
the number of rejections with the binomial distribution; the power tests
feed it samples with a known defect.  Every draw uses a fixed seed.
"""

import math

import ml_dtypes
import numpy as np
import pytest
from scipy import stats

import glorot_numba as gn
from glorot_numba import testing as gt

INITS = [
    gn.RandomNormal(0.5, 2.0),
    gn.TruncatedNormal(0.0, 1.0),
    gn.TruncatedNormal(1.0, 0.5, lower=1.2, upper=2.5),
    gn.TruncatedNormal(0.0, 1.0, lower=3.0, upper=math.inf),
    gn.RandomUniform(-1.0, 3.0),
]


@pytest.mark.parametrize("init", INITS, ids=repr)
def test_laws_match_scipy(init):
    law = gt.check_distribution(init((100,)), init).law
    if law.kind == "normal":
        frozen = stats.norm(0.5, 2.0)
    elif law.kind == "uniform":
        frozen = stats.uniform(-1.0, 4.0)
    else:
        lo, hi = init._bounds() if init.lower is not None else (-2.0, 2.0)
        frozen = stats.truncnorm(
            (lo - init.mean) / init.stddev,
            (hi - init.mean) / init.stddev,
            loc=init.mean,
            scale=init.stddev,
        )
    assert law.mean == pytest.approx(frozen.mean(), rel=1e-12, abs=1e-15)
    assert law.std == pytest.approx(frozen.std(), rel=1e-12)
    x = np.linspace(-3, 5, 41)
    np.testing.assert_allclose(law.cdf(x), frozen.cdf(x), rtol=1e-12, atol=1e-300)


def test_variance_scaling_configs_become_their_laws():
    init = gn.HeNormal(seed=1, **gn.TORCH_LAYOUT)
    report = gt.check_distribution(init((64, 256)), init)
    assert report.passed
    law = report.law
    # Torch layout: fan_in is 256 (axis 1), so the std is sqrt(2 / 256).
    assert law.kind == "truncated_normal"
    assert law.std == pytest.approx(math.sqrt(2.0 / 256), rel=1e-6)


def _rejections(init, dtype, seeds, shape, alpha):
    count = 0
    for seed in seeds:
        init.seed = seed
        count += not gt.check_distribution(init(shape, dtype), init, alpha=alpha).passed
    return count


def test_false_alarm_rate_is_at_most_alpha():
    # At alpha = 0.05 with k tests at alpha / k, the rejection rate lies
    # between alpha / 6 and alpha; the count must be consistent with that at
    # the 1e-4 level on either side.
    alpha, n_seeds = 0.05, 40
    total = runs = 0
    for init in INITS:
        for dtype in ("float16", ml_dtypes.bfloat16, "float32", "float64"):
            total += _rejections(init, dtype, range(n_seeds), (30, 40), alpha)
            runs += n_seeds
    low = stats.binom.ppf(1e-4, runs, alpha / 6)
    high = stats.binom.isf(1e-4, runs, alpha)
    assert low <= total <= high, (total, runs, low, high)


@pytest.fixture(scope="module")
def truncated_1e6():
    init = gn.TruncatedNormal(0.0, 1.0, seed=3, lower=-1.0, upper=2.5)
    return init, init((1000, 1000), "float64")


def test_accepts_the_library_and_an_independent_producer(truncated_1e6):
    init, w = truncated_1e6
    gt.assert_distribution(w, init)
    rng = np.random.default_rng(5)
    gt.assert_distribution(stats.truncnorm(-1.0, 2.5).rvs(size=10**6, random_state=rng), init)


@pytest.mark.parametrize(
    "defect, test",
    [
        (lambda w: w * 1.003, "variance"),  # a 0.3 % wrong scale
        (lambda w: w + 0.004, "mean"),  # a shift of 0.4 % of sigma
        (lambda w: np.minimum(w, 2.49), "upper edge"),  # truncated too early
        (lambda w: np.maximum(w, -0.995), "lower edge"),
    ],
)
def test_power(truncated_1e6, defect, test):
    init, w = truncated_1e6
    report = gt.check_distribution(defect(w), init)
    assert not report.passed
    assert report.pvalues[test] < report.alpha_per_test, report


def test_rejects_clipping_instead_of_truncation():
    # PyTorch-style clamping of a badly approximated sampler piles mass on
    # the bound: caught by the distribution tests and the edge.
    rng = np.random.default_rng(1)
    w = np.clip(rng.normal(size=10**6), -2.0, 2.0)
    report = gt.check_distribution(w, gn.TruncatedNormal(0.0, 1.0, lower=-2.0, upper=2.0))
    assert not report.passed and report.pvalues["kstest"] < 1e-100


def test_support_violations_are_exact():
    init = gn.RandomUniform(0.0, 1.0, seed=1)
    w = init((100, 10))
    # One unit in the last place is allowed (producers round mean + std * z);
    # two are not.
    w[3, 3] = np.nextafter(np.nextafter(np.float32(1.0), np.float32(2.0)), np.float32(2.0))
    report = gt.check_distribution(w, init)
    assert not report.passed and "1 values outside the support" in report.failures[0]


def test_bounds_are_taken_as_the_dtype_represents_them():
    init = gn.TruncatedNormal(0.0, 0.05, seed=2, lower=-0.1, upper=0.1)
    w = init((400, 400), "float16")
    gt.assert_distribution(w, init)
    assert w.max() == np.float16(0.1)  # the representable value below 0.1


def test_bad_input():
    init = gn.RandomNormal(seed=1)
    with pytest.raises(ValueError, match="at least 100"):
        gt.check_distribution(np.zeros(10), init)
    with pytest.raises(ValueError, match="real floating-point"):
        gt.check_distribution(np.zeros(200, np.int32), init)
    with pytest.raises(ValueError, match="alpha"):
        gt.check_distribution(np.zeros(200), init, alpha=0.0)
    with pytest.raises(TypeError, match="no law"):
        gt.check_distribution(np.zeros(200), object())
