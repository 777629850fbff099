"""Fans (TF's ``_compute_fans``) against an obviously correct reference, and
the standard deviation / bound the initializer actually derives from them."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import glorot_numba as gn

TRUNC_STD = 0.87962566103423978  # scipy.stats.truncnorm(-2, 2).std()


def naive_fans(shape):
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


HYPO = settings(max_examples=300, derandomize=True, database=None, deadline=None)
dims = st.lists(st.integers(min_value=0, max_value=50), min_size=0, max_size=6)


@HYPO
@given(dims)
def test_compute_fans_matches_reference(shape):
    for as_shape in (tuple(shape), list(shape)):
        fans = gn.compute_fans(as_shape)
        assert fans == naive_fans(shape)
        assert all(type(f) is int for f in fans)


@HYPO
@given(dims, st.sampled_from([np.int64, np.int32, np.uint16, np.int8]))
def test_compute_fans_numpy_integer_dims(shape, np_type):
    fans = gn.compute_fans(tuple(np_type(d) for d in shape))
    assert fans == naive_fans(shape)
    assert all(type(f) is int for f in fans)
    assert gn.compute_fans(np.array(shape, dtype=np.int64).reshape(-1)) == naive_fans(shape)


def test_compute_fans_big_dims_do_not_wrap():
    """Python-int arithmetic: no int32/int64 wrap-around in the fans."""
    shape = (3, 3, 2**30, 7)
    assert gn.compute_fans(shape) == (9 * 2**30, 63)
    assert gn.compute_fans(np.array(shape, np.int64)) == (9 * 2**30, 63)
    assert gn.compute_fans((np.int32(2**31 - 1), np.int32(2**31 - 1))) == (2**31 - 1, 2**31 - 1)


@pytest.mark.parametrize("shape, fans", [
    ((), (1, 1)),
    ((5,), (5, 5)),
    ((0,), (0, 0)),
    ((0, 0), (0, 0)),
    ((0, 5), (0, 5)),
    ((1, 0), (1, 0)),
    ((1, 1), (1, 1)),
    ((784, 256), (784, 256)),
    ((3, 3, 64, 128), (576, 1152)),
    ((3, 3, 0, 8), (0, 72)),
    ((5, 7, 11), (35, 55)),
    ((2, 3, 4, 5, 6), (120, 144)),
    ((0, 3, 4, 5), (0, 0)),
], ids=str)
def test_compute_fans_table(shape, fans):
    assert gn.compute_fans(shape) == fans
    assert naive_fans(shape) == fans  # the reference agrees with research section 8


# --------------------------------------------------------------------------
# The std the initializer actually uses
# --------------------------------------------------------------------------

N_MODE = {
    "fan_in": lambda fi, fo: fi,
    "fan_out": lambda fi, fo: fo,
    "fan_avg": lambda fi, fo: (fi + fo) / 2,
}
# Fans chosen so that every mode gives a different n (a wrong mode, or a
# fan computed from the wrong axes, moves the bound by >= 10%).
STD_SHAPES = [(1000, 200), (200, 1000), (5, 5, 64, 80), (100_000,), (3, 70, 20, 24)]


@pytest.mark.parametrize("shape", STD_SHAPES, ids=str)
@pytest.mark.parametrize("mode", list(N_MODE))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_uniform_limit_uses_fans(shape, mode, dtype):
    scale = 2.5
    fi, fo = naive_fans(shape)
    limit = math.sqrt(3 * scale / max(1.0, N_MODE[mode](fi, fo)))
    w = gn.VarianceScaling(scale, mode, "uniform", seed=101)(shape, dtype)
    assert w.size >= 10**5
    peak = float(np.abs(w.astype(np.float64)).max())
    # Bound as represented in the output dtype; with >= 1e5 uniforms,
    # P(max |u| < 0.999 limit) = 0.999**1e5 < 1e-43.
    assert peak <= float(np.asarray(limit).astype(dtype))
    assert peak > 0.999 * limit


@pytest.mark.parametrize("shape", STD_SHAPES[:3], ids=str)
@pytest.mark.parametrize("mode", list(N_MODE))
def test_truncated_bound_and_std_use_fans(shape, mode):
    scale = 0.7
    fi, fo = naive_fans(shape)
    std = math.sqrt(scale / max(1.0, N_MODE[mode](fi, fo)))
    w = gn.VarianceScaling(scale, mode, "truncated_normal", seed=5)(shape, "float64")
    peak = float(np.abs(w).max())
    assert peak <= 2 * std / TRUNC_STD
    # Density of |z| in (1.98, 2) is ~0.0023 per draw: with 2e5 draws the max
    # falls below 0.99 * bound with probability ~e**-450.
    assert peak > 0.99 * 2 * std / TRUNC_STD
    # Sample std within 1% (its relative SE is ~0.2% here).
    assert float(w.std()) == pytest.approx(std, rel=0.01)


@pytest.mark.parametrize("mode", list(N_MODE))
def test_untruncated_std_uses_fans(mode):
    shape = (1000, 200)
    scale = 3.0
    fi, fo = naive_fans(shape)
    std = math.sqrt(scale / N_MODE[mode](fi, fo))
    w = gn.VarianceScaling(scale, mode, "untruncated_normal", seed=6)(shape, "float64")
    assert float(w.std()) == pytest.approx(std, rel=0.01)
    assert float(np.abs(w).max()) > 2.5 * std  # not truncated at 2 sigma


@pytest.mark.parametrize("shape", [(), (1,), (1, 1), (1, 0), (0, 1)], ids=str)
@pytest.mark.parametrize("mode", list(N_MODE))
def test_unit_and_zero_fans(shape, mode):
    """Fans of 1 give n = 1; zero fans (empty shapes) never divide by zero."""
    w = gn.VarianceScaling(2.0, mode, "uniform", seed=3)(shape, "float64")
    assert w.shape == shape
    limit = math.sqrt(3 * 2.0 / 1.0)
    assert np.all(np.abs(w) <= limit)
    # Exactly the n = 1 values: the same per-element stream as (1,) under fan_in.
    if w.size:
        ref = gn.VarianceScaling(2.0, "fan_in", "uniform", seed=3)((1,), "float64")
        assert np.array_equal(w.reshape(-1), ref)

