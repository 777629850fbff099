"""Fans (TF's ``_compute_fans``) against an obviously correct reference, and
the standard deviation / bound the initializer actually derives from them."""

import json
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import glorot_numba as gn

from . import naive

TRUNC_STD = 0.87962566103423978  # scipy.stats.truncnorm(-2, 2).std()


HYPO = settings(max_examples=300, derandomize=True, database=None, deadline=None)
dims = st.lists(st.integers(min_value=0, max_value=50), min_size=0, max_size=6)


@HYPO
@given(dims)
def test_compute_fans_matches_reference(shape):
    for as_shape in (tuple(shape), list(shape)):
        fans = gn.compute_fans(as_shape)
        assert fans == naive.tf_fans(shape)
        assert all(type(f) is int for f in fans)


@HYPO
@given(dims, st.sampled_from([np.int64, np.int32, np.uint16, np.int8]))
def test_compute_fans_numpy_integer_dims(shape, np_type):
    fans = gn.compute_fans(tuple(np_type(d) for d in shape))
    assert fans == naive.tf_fans(shape)
    assert all(type(f) is int for f in fans)
    assert gn.compute_fans(np.array(shape, dtype=np.int64).reshape(-1)) == naive.tf_fans(shape)


def test_compute_fans_big_dims_do_not_wrap():
    """Python-int arithmetic: no int32/int64 wrap-around in the fans."""
    shape = (3, 3, 2**30, 7)
    assert gn.compute_fans(shape) == (9 * 2**30, 63)
    assert gn.compute_fans(np.array(shape, np.int64)) == (9 * 2**30, 63)
    assert gn.compute_fans((np.int32(2**31 - 1), np.int32(2**31 - 1))) == (2**31 - 1, 2**31 - 1)


@pytest.mark.parametrize(
    "shape, fans",
    [
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
    ],
    ids=str,
)
def test_compute_fans_table(shape, fans):
    assert gn.compute_fans(shape) == fans
    assert naive.tf_fans(shape) == fans  # the reference agrees with research section 8


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
    fi, fo = naive.tf_fans(shape)
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
    fi, fo = naive.tf_fans(shape)
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
    fi, fo = naive.tf_fans(shape)
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


# --------------------------------------------------------------------------
# Fan layouts: in_axis / out_axis / batch_axis
# --------------------------------------------------------------------------


@st.composite
def shapes_and_layouts(draw):
    shape = draw(st.lists(st.integers(0, 9), min_size=1, max_size=6))
    ndim = len(shape)
    role = draw(st.lists(st.sampled_from("iobr"), min_size=ndim, max_size=ndim))

    def pick(letter):
        axes = [a - ndim if draw(st.booleans()) else a for a, r in enumerate(role) if r == letter]
        if len(axes) == 1 and draw(st.booleans()):
            return axes[0]
        return tuple(axes) if draw(st.booleans()) else list(axes)

    return shape, pick("i"), pick("o"), pick("b")


@HYPO
@given(shapes_and_layouts())
def test_compute_fans_with_axes_matches_reference(case):
    shape, in_axis, out_axis, batch_axis = case
    fans = gn.compute_fans(shape, in_axis=in_axis, out_axis=out_axis, batch_axis=batch_axis)
    assert fans == naive.jax_fans(shape, in_axis, out_axis, batch_axis)
    assert all(type(f) is int for f in fans)


@HYPO
@given(st.lists(st.integers(0, 12), min_size=2, max_size=6))
def test_default_axes_spelt_out_agree_with_tf_rules_from_rank_2(shape):
    assert gn.compute_fans(shape, in_axis=-2, out_axis=-1, batch_axis=()) == naive.tf_fans(shape)
    assert gn.compute_fans(shape, in_axis=[-2], out_axis=(-1,)) == naive.tf_fans(shape)
    assert gn.compute_fans(shape, in_axis=len(shape) - 2, out_axis=len(shape) - 1) == naive.tf_fans(
        shape
    )


# The layout table of docs/numpy.md ("Fan layouts").
@pytest.mark.parametrize(
    "shape, layout, fans",
    [
        ((784, 256), {}, (784, 256)),  # TF / Keras / JAX dense
        ((3, 3, 64, 128), {}, (576, 1152)),  # TF conv2d (h, w, in, out)
        ((256, 784), gn.TORCH_LAYOUT, (784, 256)),  # torch Linear (out, in)
        ((128, 64, 3, 3), gn.TORCH_LAYOUT, (576, 1152)),  # torch Conv2d (out, in, h, w)
        ((128, 64, 5), gn.TORCH_LAYOUT, (320, 640)),  # torch Conv1d
        ((128, 16, 3, 3), {"in_axis": 1, "out_axis": 0}, (144, 1152)),  # torch grouped conv
        ((8, 3, 3, 64, 128), {"batch_axis": 0}, (576, 1152)),  # 8 stacked kernels
        (
            (12, 64, 768),
            {"in_axis": (0, 1), "out_axis": -1},
            (768, 768),
        ),  # (heads, head_dim, d_model)
        ((5,), {"in_axis": (), "out_axis": 0}, (1, 5)),  # a bias as (out,)
        ((), {"in_axis": (), "out_axis": ()}, (1, 1)),
    ],
    ids=str,
)
def test_layout_table(shape, layout, fans):
    assert gn.compute_fans(shape, **layout) == fans


def test_torch_layout_is_the_transpose_of_tf_layout():
    assert dict(gn.TORCH_LAYOUT) == {"in_axis": 1, "out_axis": 0}
    with pytest.raises(TypeError):
        gn.TORCH_LAYOUT["in_axis"] = 0  # read-only
    for mode in ("fan_in", "fan_out"):
        torch_w = gn.VarianceScaling(1.0, mode, "uniform", seed=4, **gn.TORCH_LAYOUT)((50, 300))
        # The limit follows fan_in = 300 (axis 1) under fan_in, 50 under fan_out.
        expected = math.sqrt(3 / (300 if mode == "fan_in" else 50))
        assert float(np.abs(torch_w.astype(np.float64)).max()) <= expected
        assert float(np.abs(torch_w.astype(np.float64)).max()) > 0.999 * expected


def test_layout_changes_only_the_multiplier():
    """Same stream, other fans: (50, 300) with in_axis=1, out_axis=0 under
    fan_in equals the default layout under fan_out, bit for bit."""
    shape = (50, 300)
    a = gn.VarianceScaling(2.0, "fan_in", seed=8, in_axis=1, out_axis=0)(shape)
    b = gn.VarianceScaling(2.0, "fan_out", seed=8)(shape)
    c = gn.VarianceScaling(2.0, "fan_in", seed=8)(shape)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_layout_with_partition_uses_full_shape():
    init = gn.HeUniform(seed=2, **gn.TORCH_LAYOUT)
    full = init((40, 30, 3))
    part = init((10, 30, 3), partition_info=gn.PartitionInfo((40, 30, 3), (20, 0, 0)))
    assert np.array_equal(part, full[20:30])


def test_rank_0_and_1_keep_tf_rules_only_with_default_axes():
    assert gn.compute_fans((7,)) == (7, 7)
    with pytest.raises(ValueError, match="out of range"):
        gn.compute_fans((7,), in_axis=1, out_axis=0)
    with pytest.raises(ValueError, match="out of range"):
        gn.compute_fans((), in_axis=0, out_axis=())
    with pytest.raises(ValueError, match="out of range"):
        gn.GlorotNormal(seed=1, **gn.TORCH_LAYOUT)((7,))


def test_layout_config_keys_only_when_not_default():
    assert "in_axis" not in gn.VarianceScaling(in_axis=-2).get_config()
    assert gn.GlorotNormal(seed=1, batch_axis=[]).get_config() == {"seed": 1, "dtype": "float32"}
    config = gn.VarianceScaling(
        seed=1, in_axis=(0, np.int64(1)), out_axis=-1, batch_axis=np.int8(2)
    ).get_config()
    assert config["in_axis"] == [0, 1] and config["batch_axis"] == 2
    assert "out_axis" not in config
    assert json.loads(json.dumps(config)) == config
    assert gn.VarianceScaling.from_config(config).get_config() == config
    # A sequence is not the int default, even when it names the same axis.
    assert gn.VarianceScaling(in_axis=[-2]).get_config()["in_axis"] == [-2]


@HYPO
@given(shapes_and_layouts())
def test_compute_fans_with_axes_matches_jax(case):
    jax_init = pytest.importorskip("jax.nn.initializers", reason="jax is not installed")
    jax_fans = getattr(jax_init, "_compute_fans", None)
    if jax_fans is None:
        from jax._src.nn import initializers as jax_init

        jax_fans = jax_init._compute_fans
    shape, in_axis, out_axis, batch_axis = case
    ours = gn.compute_fans(shape, in_axis=in_axis, out_axis=out_axis, batch_axis=batch_axis)
    try:
        theirs = jax_fans(tuple(shape), in_axis, out_axis, batch_axis)
    except ZeroDivisionError:  # JAX divides by the in/out/batch sizes
        assume(0 not in shape)
        raise
    assert ours == pytest.approx(theirs, rel=1e-12)
