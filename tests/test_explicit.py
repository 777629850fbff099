"""RandomNormal, TruncatedNormal and RandomUniform: values, bounds, streams, errors.

Statistical checks use fixed seeds; each states its false-alarm level alpha
(the probability that a correct sampler fails it for a seed picked at
random).
"""

import math

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import glorot_numba as gn
from glorot_numba import _engine, _params

REAL_DTYPES = ["float16", ml_dtypes.bfloat16, "float32", "float64"]
# KS at 1e6 samples: the critical distance for alpha = 1e-4.
KS_ALPHA = 1e-4


def as64(a):
    return np.asarray(a).astype(np.float64)


def sampling(init, dtype="float32"):
    return init._sampling((), np.dtype(dtype))


# --------------------------------------------------------------------------
# The same standard samples as the VarianceScaling family
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_random_normal_is_the_untruncated_stream_moved_and_scaled(dtype):
    real = np.dtype(dtype).type
    shape = (64, 300)  # fan_in 64: VarianceScaling(64.0, "fan_in") has stddev 1
    z = gn.VarianceScaling(64.0, "fan_in", "untruncated_normal", seed=3)(shape, dtype)
    w = gn.RandomNormal(0.25, 0.5, seed=3)(shape, dtype)
    np.testing.assert_array_equal(w, z * real(0.5) + real(0.25))
    # A zero mean adds nothing, not even a signed zero's sign.
    w0 = gn.RandomNormal(0.0, 1.0, seed=3)(shape, dtype)
    assert w0.tobytes() == z.tobytes()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_default_truncated_normal_keeps_the_variance_scaling_candidates(dtype):
    shape = (64, 300)
    real = np.dtype(dtype).type
    vs = gn.VarianceScaling(64.0, "fan_in", "truncated_normal", seed=5)
    mult = vs._sampling(shape, np.dtype(dtype))[1][0]
    z = vs(shape, dtype) / mult  # the candidates VarianceScaling kept, to rounding
    w = gn.TruncatedNormal(0.0, 1.0, seed=5)(shape, dtype)
    np.testing.assert_allclose(w, z, rtol=4 * np.finfo(real).eps)
    assert np.abs(w).max() < 2.0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_random_uniform_is_the_uniform_stream(dtype):
    shape = (64, 300)
    limit = math.sqrt(3.0 * 64.0 / 64)  # VarianceScaling(64, fan_in, uniform): limit sqrt(3)
    u = gn.VarianceScaling(64.0, "fan_in", "uniform", seed=9)(shape, dtype)
    w = gn.RandomUniform(-limit, limit, seed=9)(shape, dtype)
    assert w.tobytes() == u.tobytes()


# --------------------------------------------------------------------------
# Bounds, as represented in the output dtype
# --------------------------------------------------------------------------


def represented(value, dtype):
    return float(np.asarray(value, np.float64).astype(dtype))


INTERVALS = [
    # (mean, stddev, lower, upper): wide, standard, narrow, one-sided, tails
    (0.0, 0.02, -2.0, 2.0),  # timm's trunc_normal_(std=.02): 100 sigma, untruncated
    (0.0, 1.0, -2.0, 2.0),  # torch's defaults: (-2, 2) sigma
    (1.0, 3.0, -5.0, 7.0),
    (0.0, 1.0, 0.5, 1.5),
    (0.0, 1.0, -0.001, 0.001),
    (0.0, 1.0, 3.0, math.inf),
    (0.0, 1.0, -math.inf, -6.5),
    (0.0, 1.0, 12.0, 12.5),
    (2.0, 0.5, -math.inf, 2.0),
    (0.0, 1.0, 40.0, math.inf),  # beyond float64's normal probabilities
    (0.0, 1.0, -45.0, -44.0),
]


@pytest.mark.parametrize("dtype", REAL_DTYPES)
@pytest.mark.parametrize("interval", INTERVALS, ids=str)
def test_truncated_values_stay_in_the_bounds(interval, dtype):
    mean, std, lower, upper = interval
    init = gn.TruncatedNormal(mean, std, seed=1, lower=lower, upper=upper)
    w = as64(init((200, 300), dtype))
    assert np.isfinite(w).all()
    # Exact for float32 and float64; narrower dtypes round the float32
    # values in the bounds once more.
    assert w.min() >= represented(lower, dtype) and w.max() <= represented(upper, dtype)
    if dtype in ("float32", "float64"):
        assert w.min() >= lower and w.max() <= upper


def test_narrow_dtypes_round_values_within_the_bounds():
    # float16 cannot hold 0.1; its nearest value, 0.0999755859375, is what
    # the largest float32 values below 0.1 round to.
    init = gn.TruncatedNormal(0.0, 0.05, seed=2, lower=-0.1, upper=0.1)
    w = as64(init((1000, 1000), "float16"))
    assert w.max() == float(np.float16(0.1)) < 0.1
    assert w.min() == -float(np.float16(0.1))


@pytest.mark.parametrize("dtype", REAL_DTYPES)
def test_uniform_values_stay_in_the_bounds(dtype):
    for a, b in [(0.0, 1.0), (-0.05, 0.05), (1.0, 1.0 + 1e-3), (-3.0, -2.999), (0.0, 0.1)]:
        w = as64(gn.RandomUniform(a, b, seed=4)((300, 300), dtype))
        assert represented(a, dtype) <= w.min() and w.max() <= represented(b, dtype), (a, b)
        if dtype in ("float32", "float64"):
            assert w.min() >= a and w.max() <= b, (a, b)


@settings(max_examples=60, deadline=None)
@given(
    mean=st.floats(-10, 10),
    std=st.floats(1e-3, 10),
    lo=st.floats(-8, 8),
    width=st.floats(1e-6, 20),
    dtype=st.sampled_from(["float16", "bfloat16", "float32", "float64"]),
    seed=st.integers(0, 2**31 - 1),
)
def test_any_interval_any_dtype(mean, std, lo, width, dtype, seed):
    lower = mean + std * lo
    upper = lower + std * width
    if not lower < upper:
        return
    init = gn.TruncatedNormal(mean, std, seed=seed, lower=lower, upper=upper)
    try:
        w = as64(init((257,), dtype))
    except ValueError as exc:  # no float32 / float64 value between the bounds
        assert "lies in" in str(exc)
        # Compared in float64: NumPy compares a float32 with a Python float
        # in float32.
        path = np.float64 if dtype == "float64" else np.float32
        below = (
            path(lower) if float(path(lower)) < lower else np.nextafter(path(lower), path(-np.inf))
        )
        assert float(np.nextafter(below, path(np.inf))) > upper
        return
    assert w.min() >= represented(lower, dtype) and w.max() <= represented(upper, dtype)
    if dtype in ("float32", "float64"):
        assert w.min() >= lower and w.max() <= upper


# --------------------------------------------------------------------------
# Distributions (float32 / float64: rounding is negligible at these sizes)
# --------------------------------------------------------------------------


def truncnorm(mean, std, lower, upper):
    return stats.truncnorm((lower - mean) / std, (upper - mean) / std, loc=mean, scale=std)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("interval", INTERVALS[:9], ids=str)
def test_truncated_normal_fits(interval, dtype):
    mean, std, lower, upper = interval
    w = as64(
        gn.TruncatedNormal(mean, std, seed=2026, lower=lower, upper=upper)((1000, 1000), dtype)
    )
    p = stats.kstest(w.ravel(), truncnorm(*interval).cdf).pvalue
    assert p > KS_ALPHA, p


def test_far_tail_fits():
    # Beyond 37 sigma the tail kind draws by Marsaglia's method: z - 40 is
    # close to Exp(40) there; the exact law is checked through
    # P(Z > z | Z > 40) = erfc(z / sqrt 2) / erfc(40 / sqrt 2), computed
    # in log space.
    init = gn.TruncatedNormal(0.0, 1.0, seed=7, lower=40.0, upper=math.inf)
    assert sampling(init, "float64")[0] == _engine.TAIL
    w = as64(init((1000, 1000), "float64")).ravel()

    def cdf(z):
        return -np.expm1(stats.norm.logsf(z) - stats.norm.logsf(40.0))

    p = stats.kstest(w, cdf).pvalue
    assert p > KS_ALPHA, p


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_random_normal_and_uniform_fit(dtype):
    w = as64(gn.RandomNormal(-1.0, 2.0, seed=3)((1000, 1000), dtype)).ravel()
    assert stats.kstest(w, stats.norm(-1.0, 2.0).cdf).pvalue > KS_ALPHA
    u = as64(gn.RandomUniform(2.0, 5.0, seed=3)((1000, 1000), dtype)).ravel()
    assert stats.kstest(u, stats.uniform(2.0, 3.0).cdf).pvalue > KS_ALPHA


def test_complex_random_normal():
    w = gn.RandomNormal(1.0, 2.0, seed=3)((1000, 1000), "complex128").ravel()
    # Real and imaginary parts each N(., 2 sigma**2 / 2); the mean moves the real part.
    assert stats.kstest(w.real, stats.norm(1.0, math.sqrt(2.0)).cdf).pvalue > KS_ALPHA
    assert stats.kstest(w.imag, stats.norm(0.0, math.sqrt(2.0)).cdf).pvalue > KS_ALPHA


# --------------------------------------------------------------------------
# How an interval is drawn
# --------------------------------------------------------------------------


def test_kind_follows_the_interval():
    def kind(lower, upper, dtype="float32"):
        return sampling(gn.TruncatedNormal(0.0, 1.0, lower=lower, upper=upper), dtype)[0]

    assert kind(-2.0, 2.0) == _engine.TRUNCATED
    assert kind(-100.0, 100.0) == _engine.TRUNCATED
    assert kind(-1.9, 2.0) == _engine.INTERVAL
    assert kind(3.0, math.inf) == _engine.INTERVAL
    assert kind(30.0, 31.0, "float64") == _engine.INTERVAL
    assert kind(40.0, 41.0, "float64") == _engine.TAIL
    assert kind(-41.0, -40.0, "float64") == _engine.TAIL


def test_windows_are_exactly_the_kept_values():
    real = np.float32
    mult, shift = real(0.3), real(1.0)
    lo, hi = _params.window(mult, shift, 0.7, 1.3, np.dtype("float16"))

    def written(z):  # kept in float32; float16 rounds afterwards
        return float(real(z) * mult + shift)

    assert written(np.nextafter(lo, real(np.inf))) >= 0.7 > written(lo)
    assert written(np.nextafter(hi, real(-np.inf))) <= 1.3 < written(hi)


@pytest.mark.parametrize("interval", [(0.5, 1.5), (3.0, math.inf), (40.0, 41.0)], ids=str)
def test_serial_twin_parallel_kernel_and_partitions_agree(interval):
    init = gn.TruncatedNormal(0.0, 1.0, seed=11, lower=interval[0], upper=interval[1])
    full = init((300, 257), "float64")
    with gn.num_threads(1):
        assert init((300, 257), "float64").tobytes() == full.tobytes()
    part = init((100, 100), "float64", partition_info=gn.PartitionInfo((300, 257), (101, 57)))
    assert part.tobytes() == full[101:201, 57:157].tobytes()


# --------------------------------------------------------------------------
# Configs and errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "init",
    [
        gn.RandomNormal(0.5, 0.1, seed=1, dtype="float64"),
        gn.TruncatedNormal(seed=2),
        gn.TruncatedNormal(0.0, 1.0, seed=2, lower=-1.0, upper=math.inf),
        gn.RandomUniform(-1.0, 3.0, seed=3, dtype="bfloat16"),
    ],
    ids=repr,
)
def test_config_round_trip(init):
    again = type(init).from_config(init.get_config())
    assert again.get_config() == init.get_config()
    assert again((7, 9)).tobytes() == init((7, 9)).tobytes()
    assert repr(again) == repr(init)


def test_default_configs_are_tensorflows():
    assert gn.RandomNormal().get_config() == {
        "mean": 0.0,
        "stddev": 0.05,
        "seed": None,
        "dtype": "float32",
    }
    assert gn.TruncatedNormal().get_config() == {
        "mean": 0.0,
        "stddev": 0.05,
        "seed": None,
        "dtype": "float32",
    }
    assert gn.RandomUniform().get_config() == {
        "minval": -0.05,
        "maxval": 0.05,
        "seed": None,
        "dtype": "float32",
    }


@pytest.mark.parametrize(
    "make, exc, match",
    [
        (lambda: gn.RandomNormal(stddev=-1.0), ValueError, "stddev must be >= 0"),
        (lambda: gn.RandomNormal(mean=float("nan")), ValueError, "mean must not be NaN"),
        (lambda: gn.RandomNormal(mean="0"), TypeError, "mean must be a real number"),
        (lambda: gn.RandomNormal(stddev=math.inf), ValueError, "stddev must be finite"),
        (lambda: gn.TruncatedNormal(stddev=0.0), ValueError, "stddev must be > 0"),
        (lambda: gn.TruncatedNormal(lower=1.0, upper=1.0), ValueError, "lower must be below"),
        (lambda: gn.TruncatedNormal(lower=float("nan")), ValueError, "lower must not be NaN"),
        (lambda: gn.TruncatedNormal(dtype="complex64"), ValueError, "draws real values"),
        (lambda: gn.RandomUniform(1.0, 0.0), ValueError, "minval must not exceed maxval"),
        (lambda: gn.RandomUniform(True, 1.0), TypeError, "minval must be a real number"),
        (lambda: gn.RandomUniform(dtype="int32"), ValueError, "dtype"),
        (lambda: gn.RandomUniform(seed=1.5), TypeError, "seed"),
    ],
)
def test_bad_arguments(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_unrepresentable_parameters_raise_before_writing():
    out = np.full((4, 4), 7.0, np.float16)
    with pytest.raises(ValueError, match="overflows float16"):
        gn.RandomNormal(0.0, 1e6, seed=1)((4, 4), out=out)
    with pytest.raises(ValueError, match="no float32 value"):
        gn.TruncatedNormal(0.0, 1.0, seed=1, lower=1.0 + 1e-9, upper=1.0 + 2e-9)((4, 4), out=out)
    with pytest.raises(ValueError, match="complex64"):
        gn.RandomUniform(seed=1)((4, 4), "complex64")
    assert (out == 7.0).all()
