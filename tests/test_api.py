"""The public API contract (docs/contract.md §2-4): names, return values, out=,
configs, seeds, the global seed and partitions."""

import copy
import json
import math
import types

import ml_dtypes
import numpy as np
import pytest

import glorot_numba as gn

from .conftest import bits, same_bits

BF16 = ml_dtypes.bfloat16
M = 2**31 - 1
TRUNC_STD = 0.87962566103423978  # scipy.stats.truncnorm(-2, 2).std()


# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------


def test_public_names():
    for name in (
        "GlorotNormal",
        "VarianceScaling",
        "glorot_normal",
        "glorot_normal_initializer",
        "xavier_normal",
        "compute_fans",
        "PartitionInfo",
        "set_random_seed",
        "philox4x32_10",
    ):
        assert hasattr(gn, name), name
        assert name in gn.__all__, name
        assert callable(getattr(gn, name))
    assert isinstance(gn.__version__, str) and gn.__version__


def test_aliases_are_the_same_class():
    assert gn.glorot_normal is gn.GlorotNormal
    assert gn.glorot_normal_initializer is gn.GlorotNormal
    assert gn.xavier_normal is gn.GlorotNormal
    assert issubclass(gn.GlorotNormal, gn.VarianceScaling)
    assert isinstance(gn.xavier_normal(seed=1), gn.VarianceScaling)


def test_glorot_is_variance_scaling_fan_avg_truncated():
    shape = (31, 17)
    g = gn.GlorotNormal(seed=11)(shape)
    v = gn.VarianceScaling(1.0, "fan_avg", "truncated_normal", seed=11)(shape)
    assert same_bits(g, v)
    # ... and not fan_in (fans differ here, so a wrong mode is visible).
    assert not np.array_equal(g, gn.VarianceScaling(1.0, "fan_in", seed=11)(shape))


# --------------------------------------------------------------------------
# Return type, shape, dtype, layout
# --------------------------------------------------------------------------

SHAPES = [(), (7,), (5, 3), (2, 3, 4), (2, 3, 4, 5)]
DTYPE_SPECS = [
    ("str-float16", "float16", np.float16),
    ("str-bfloat16", "bfloat16", BF16),
    ("str-float32", "float32", np.float32),
    ("str-float64", "float64", np.float64),
    ("dtype-float16", np.dtype(np.float16), np.float16),
    ("dtype-bfloat16", np.dtype(BF16), BF16),
    ("dtype-float32", np.dtype(np.float32), np.float32),
    ("dtype-float64", np.dtype(np.float64), np.float64),
    ("type-float16", np.float16, np.float16),
    ("type-float32", np.float32, np.float32),
    ("type-float64", np.float64, np.float64),
    ("ml_dtypes-bfloat16", BF16, BF16),
    ("tf-like-float64", types.SimpleNamespace(as_numpy_dtype=np.float64), np.float64),
]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize(
    "spec, expected", [s[1:] for s in DTYPE_SPECS], ids=[s[0] for s in DTYPE_SPECS]
)
def test_return_type_shape_dtype_layout(shape, spec, expected):
    w = gn.GlorotNormal(seed=5)(shape, dtype=spec)
    assert type(w) is np.ndarray
    assert w.shape == shape
    assert w.dtype == np.dtype(expected)
    assert w.flags.c_contiguous and w.flags.writeable
    w64 = w.astype(np.float64)
    assert np.all(np.isfinite(w64))
    fan_in, fan_out = gn.compute_fans(shape)
    bound = 2 * math.sqrt(2 / max(2, fan_in + fan_out)) / TRUNC_STD
    assert np.all(np.abs(w64) <= bound * (1 + 2**-7))
    # Same values, to the dtype's precision, as the float32/float64 draw
    # (same path or an independent float64 stream: only compare the f32 path).
    if np.dtype(expected) != np.float64:
        ref = gn.GlorotNormal(seed=5)(shape).astype(np.float64)
        np.testing.assert_allclose(w64, ref, rtol=2**-7, atol=2**-23)  # atol: float16 subnormals
    # Same via the constructor.
    assert same_bits(gn.GlorotNormal(seed=5, dtype=spec)(shape), w)


def test_rank0_is_an_array_not_a_scalar():
    w = gn.GlorotNormal(seed=1)(())
    assert isinstance(w, np.ndarray) and w.ndim == 0
    assert w.item() != 0.0


@pytest.mark.parametrize(
    "shape",
    [[4, 6], (np.int64(4), np.int32(6)), np.array([4, 6]), range(4, 7, 2)],
    ids=["list", "np-ints", "ndarray", "range"],
)
def test_shape_sequence_kinds(shape):
    w = gn.GlorotNormal(seed=9)(shape)
    assert w.shape == (4, 6)
    assert same_bits(w, gn.GlorotNormal(seed=9)((4, 6)))


def test_constructor_dtype_is_honoured_and_call_dtype_overrides():
    shape = (13, 7)
    init = gn.GlorotNormal(seed=3, dtype="float64")  # deliberate deviation from TF v1
    w = init(shape)
    assert w.dtype == np.float64
    assert same_bits(w, gn.GlorotNormal(seed=3)(shape, "float64"))
    assert init(shape, dtype="float16").dtype == np.float16
    assert same_bits(init(shape, dtype="float32"), gn.GlorotNormal(seed=3)(shape))
    assert init.dtype == np.float64  # the call did not change the instance
    vs = gn.VarianceScaling(seed=3, dtype=BF16)
    assert vs(shape).dtype == BF16
    assert vs(shape, np.float32).dtype == np.float32


def test_float64_is_a_separate_stream_not_a_cast():
    w32 = gn.GlorotNormal(seed=8)((64, 64)).astype(np.float64)
    w64 = gn.GlorotNormal(seed=8)((64, 64), "float64")
    # Independent streams: values unrelated, not float32 values widened.
    assert not np.allclose(w32, w64, rtol=1e-3)


# --------------------------------------------------------------------------
# out=
# --------------------------------------------------------------------------


def _fill_sentinel(a):
    if a.flags.c_contiguous:
        a.reshape(-1).view(np.uint8)[...] = 0x7F
    else:
        a[...] = np.asarray(12345.0).astype(a.dtype)
    return a


OUT_CASES = [
    ("c-float32", lambda: np.empty((40, 30), np.float32)),
    ("c-float64", lambda: np.empty((40, 30), np.float64)),
    ("c-float16", lambda: np.empty((40, 30), np.float16)),
    ("c-bfloat16", lambda: np.empty((40, 30), BF16)),
    ("transposed-float32", lambda: np.empty((30, 40), np.float32).T),
    ("transposed-float64", lambda: np.empty((30, 40), np.float64).T),
    ("strided-float32", lambda: np.empty((80, 90), np.float32)[::2, ::3]),
    ("strided-float16", lambda: np.empty((80, 90), np.float16)[1::2, 2::3]),
    ("strided-bfloat16", lambda: np.empty((80, 90), BF16)[::2, ::3]),
    ("reversed-float32", lambda: np.empty((40, 30), np.float32)[::-1]),
    # Large enough for the parallel kernel, and not contiguous.
    ("big-transposed-float32", lambda: np.empty((256, 512), np.float32).T),
    ("big-float64", lambda: np.empty((512, 256), np.float64)),
    ("rank0-float32", lambda: np.empty((), np.float32)),
    ("rank3-fortran", lambda: np.empty((6, 7, 8), np.float32, order="F")),
]


@pytest.mark.parametrize("make", [c[1] for c in OUT_CASES], ids=[c[0] for c in OUT_CASES])
@pytest.mark.parametrize(
    "init",
    [gn.GlorotNormal(seed=21), gn.VarianceScaling(2.0, "fan_in", "uniform", seed=21)],
    ids=["glorot", "uniform"],
)
def test_out_fills_in_place(make, init):
    out = _fill_sentinel(make())
    res = init(out.shape, out=out)
    assert res is out
    fresh = init(out.shape, dtype=out.dtype)
    assert same_bits(out, fresh)
    # Explicit dtype equal to out.dtype works the same.
    out2 = _fill_sentinel(make())
    assert init(out2.shape, dtype=out2.dtype, out=out2) is out2
    assert same_bits(out2, fresh)


@pytest.mark.parametrize(
    "slicer", [np.s_[::2, ::3], np.s_[1::2, 2::3], np.s_[5:25, 7:31]], ids=["even", "odd", "block"]
)
def test_strided_out_leaves_rest_of_base_alone(slicer):
    base = np.full((40, 45), -7.0, np.float32)
    view = base[slicer]
    gn.GlorotNormal(seed=4)(view.shape, out=view)
    mask = np.ones(base.shape, bool)
    mask[slicer] = False
    assert np.all(base[mask] == -7.0)
    assert np.array_equal(base[slicer], gn.GlorotNormal(seed=4)(view.shape))


def test_out_dtype_is_the_default_call_dtype():
    """With out= and no dtype, the dtype is out.dtype (documented), even if the
    constructor said otherwise."""
    init = gn.GlorotNormal(seed=2, dtype="float64")
    out = np.empty((9, 4), np.float16)
    init((9, 4), out=out)
    assert same_bits(out, init((9, 4), dtype="float16"))


def test_out_with_partition_info():
    full = gn.GlorotNormal(seed=6)((12, 10))
    out = np.zeros((10, 4), np.float32).T  # (4, 10), not contiguous
    res = gn.GlorotNormal(seed=6)(
        (4, 10), partition_info=gn.PartitionInfo((12, 10), (8, 0)), out=out
    )
    assert res is out
    assert same_bits(out, full[8:12])


# --------------------------------------------------------------------------
# Empty shapes
# --------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(0,), (0, 0), (0, 5), (5, 0), (3, 3, 0, 8), (1, 0, 2)], ids=str)
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_empty_shapes(shape, dtype):
    w = gn.GlorotNormal(seed=1)(shape, dtype=dtype)
    assert type(w) is np.ndarray and w.shape == shape and w.size == 0
    assert w.dtype == (BF16 if dtype == "bfloat16" else np.dtype(dtype))
    out = np.empty(shape, w.dtype)
    assert gn.VarianceScaling(seed=None)(shape, out=out) is out
    assert gn.VarianceScaling(distribution="uniform")(shape, dtype).shape == shape


# --------------------------------------------------------------------------
# get_config / from_config / repr
# --------------------------------------------------------------------------


def test_get_config_exact():
    vs = gn.VarianceScaling(
        scale=2, mode="fan_out", distribution="uniform", seed=5, dtype=np.float64
    )
    cfg = vs.get_config()
    assert list(cfg.items()) == [
        ("scale", 2.0),
        ("mode", "fan_out"),
        ("distribution", "uniform"),
        ("seed", 5),
        ("dtype", "float64"),
    ]
    assert type(cfg["scale"]) is float
    default = gn.VarianceScaling().get_config()
    assert list(default.items()) == [
        ("scale", 1.0),
        ("mode", "fan_in"),
        ("distribution", "truncated_normal"),
        ("seed", None),
        ("dtype", "float32"),
    ]
    g = gn.GlorotNormal(seed=42).get_config()
    assert list(g.items()) == [("seed", 42), ("dtype", "float32")]
    assert list(gn.GlorotNormal().get_config().items()) == [("seed", None), ("dtype", "float32")]


@pytest.mark.parametrize(
    "spec, name",
    [
        (BF16, "bfloat16"),
        ("bfloat16", "bfloat16"),
        (np.float16, "float16"),
        (np.dtype("f4"), "float32"),
        ("float64", "float64"),
    ],
)
def test_get_config_dtype_names(spec, name):
    assert gn.GlorotNormal(dtype=spec).get_config()["dtype"] == name
    assert gn.VarianceScaling(dtype=spec).get_config()["dtype"] == name


def test_get_config_is_json_serialisable_with_numpy_inputs():
    cfg = gn.VarianceScaling(
        scale=np.float32(0.5), seed=np.int64(7), dtype=np.dtype("float16")
    ).get_config()
    assert type(cfg["seed"]) is int and cfg["seed"] == 7
    assert type(cfg["scale"]) is float and cfg["scale"] == 0.5
    assert json.loads(json.dumps(cfg)) == cfg
    g = gn.GlorotNormal(seed=np.uint32(9), dtype=BF16).get_config()
    assert json.loads(json.dumps(g)) == {"seed": 9, "dtype": "bfloat16"}


@pytest.mark.parametrize("distribution", ["Normal", "normal", "NORMAL"])
def test_normal_alias_is_stored_as_normal_and_truncates(distribution):
    vs = gn.VarianceScaling(distribution=distribution, seed=4)
    assert vs.get_config()["distribution"] == "normal"
    # "normal" is TF v1's deprecated alias of truncated_normal.
    assert same_bits(
        vs((50, 40)), gn.VarianceScaling(distribution="truncated_normal", seed=4)((50, 40))
    )


@pytest.mark.parametrize(
    "init",
    [
        gn.GlorotNormal(seed=123),
        gn.GlorotNormal(seed=-5, dtype="float64"),
        gn.GlorotNormal(seed=2**40, dtype=BF16),
        gn.VarianceScaling(3.0, "fan_out", "untruncated_normal", seed=77, dtype="float16"),
        gn.VarianceScaling(0.5, "fan_avg", "Uniform", seed=0),
        gn.VarianceScaling(1.0, "fan_in", "Normal", seed=1),
    ],
    ids=repr,
)
def test_from_config_round_trip(init):
    cfg = init.get_config()
    snapshot = copy.deepcopy(cfg)
    clone = type(init).from_config(cfg)
    assert cfg == snapshot, "from_config mutated the caller's dict"
    assert list(cfg) == list(snapshot)
    assert type(clone) is type(init)
    assert clone.get_config() == snapshot
    for shape in [(20, 30), (3, 3, 4, 5)]:
        assert same_bits(clone(shape), init(shape))


def test_get_config_returns_a_new_dict():
    for init in (gn.GlorotNormal(seed=1), gn.VarianceScaling(seed=1)):
        a = init.get_config()
        b = init.get_config()
        assert a is not b and a == b
        a["seed"] = 999
        a["dtype"] = "float64"
        assert init.get_config() == b
        assert init((3,)).dtype == np.float32
        assert same_bits(init((3, 2)), type(init).from_config(b)((3, 2)))


def test_repr_is_readable_and_evaluable():
    g = gn.GlorotNormal(seed=42)
    assert repr(g) == "GlorotNormal(seed=42, dtype='float32')"
    v = gn.VarianceScaling(2.0, "fan_out", "Uniform", seed=None, dtype=BF16)
    assert repr(v) == (
        "VarianceScaling(scale=2.0, mode='fan_out', distribution='uniform', "
        "seed=None, dtype='bfloat16')"
    )
    ns = {"GlorotNormal": gn.GlorotNormal, "VarianceScaling": gn.VarianceScaling}
    for init in (g, v):
        assert eval(repr(init), ns).get_config() == init.get_config()
    assert "full_shape=(4, 3)" in repr(gn.PartitionInfo([4, 3], [1, 0]))


# --------------------------------------------------------------------------
# Seeds (docs/contract.md §4, TF's get_seed rules)
# --------------------------------------------------------------------------

SHAPE = (37, 29)


@pytest.mark.parametrize("s", [0, 1, 42, 12345, M - 1])
def test_seed_is_reduced_mod_2_31_minus_1(s):
    a = gn.GlorotNormal(seed=s)(SHAPE)
    assert same_bits(a, gn.GlorotNormal(seed=s + M)(SHAPE))
    assert same_bits(a, gn.GlorotNormal(seed=s + 3 * M)(SHAPE))
    assert same_bits(a, gn.GlorotNormal(seed=s - M)(SHAPE))


def test_negative_and_huge_seeds():
    assert same_bits(gn.GlorotNormal(seed=-1)(SHAPE), gn.GlorotNormal(seed=M - 1)(SHAPE))
    big = gn.GlorotNormal(seed=2**40)(SHAPE)
    assert same_bits(big, gn.GlorotNormal(seed=2**40 % M)(SHAPE))
    assert same_bits(gn.GlorotNormal(seed=2**100)(SHAPE), gn.GlorotNormal(seed=2**100 % M)(SHAPE))
    assert not np.array_equal(big, gn.GlorotNormal(seed=2**40 % M + 1)(SHAPE))


@pytest.mark.parametrize(
    "seed",
    [np.int8(7), np.int32(7), np.int64(7), np.uint32(7), np.uint64(7)],
    ids=lambda s: type(s).__name__,
)
def test_numpy_integer_seeds(seed):
    assert same_bits(gn.GlorotNormal(seed=seed)(SHAPE), gn.GlorotNormal(seed=7)(SHAPE))
    assert gn.GlorotNormal(seed=seed).get_config()["seed"] == 7


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_seeded_calls_repeat(dtype):
    init = gn.GlorotNormal(seed=31)
    a = init(SHAPE, dtype)
    assert same_bits(a, init(SHAPE, dtype))
    assert same_bits(a, gn.GlorotNormal(seed=31)(SHAPE, dtype))
    assert not np.array_equal(bits(a), bits(gn.GlorotNormal(seed=32)(SHAPE, dtype)))


def test_different_seeds_differ_everywhere():
    a = gn.GlorotNormal(seed=1)((200, 100))
    b = gn.GlorotNormal(seed=2)((200, 100))
    # Not merely different somewhere: essentially no coincidences.
    assert np.count_nonzero(a == b) < 5


def test_unseeded_calls_differ():
    init = gn.GlorotNormal()
    a, b = init(SHAPE), init(SHAPE)
    c = gn.GlorotNormal()(SHAPE)
    assert np.count_nonzero(a == b) < 5
    assert np.count_nonzero(a == c) < 5
    assert init.get_config()["seed"] is None


# --------------------------------------------------------------------------
# Global seed
# --------------------------------------------------------------------------


def test_global_seed_makes_unseeded_sequence_repeat():
    gn.set_random_seed(1234)
    a1, a2 = gn.GlorotNormal()(SHAPE), gn.GlorotNormal()(SHAPE)
    a3 = gn.VarianceScaling(distribution="uniform")(SHAPE, "float64")
    gn.set_random_seed(1234)
    b1, b2 = gn.GlorotNormal()(SHAPE), gn.GlorotNormal()(SHAPE)
    b3 = gn.VarianceScaling(distribution="uniform")(SHAPE, "float64")
    assert same_bits(a1, b1) and same_bits(a2, b2) and same_bits(a3, b3)
    assert not np.array_equal(a1, a2)
    gn.set_random_seed(1235)
    assert not np.array_equal(gn.GlorotNormal()(SHAPE), a1)


def test_global_seed_sequence_counts_unseeded_calls_only():
    """docs/contract.md §4: the k-th *unseeded* call gets the k-th op seed."""
    gn.set_random_seed(77)
    first = gn.GlorotNormal()(SHAPE)
    gn.set_random_seed(77)
    gn.GlorotNormal(seed=5)(SHAPE)
    assert same_bits(gn.GlorotNormal()(SHAPE), first)


def test_global_seed_changes_seeded_initializers():
    plain = gn.GlorotNormal(seed=9)(SHAPE)
    gn.set_random_seed(1234)
    under = gn.GlorotNormal(seed=9)(SHAPE)
    assert not np.array_equal(plain, under)
    assert same_bits(under, gn.GlorotNormal(seed=9)(SHAPE))  # still deterministic
    gn.set_random_seed(1234 + M)  # global seed is reduced mod 2**31 - 1 as well
    assert same_bits(under, gn.GlorotNormal(seed=9)(SHAPE))
    gn.set_random_seed(np.int64(1234))
    assert same_bits(under, gn.GlorotNormal(seed=9 + M)(SHAPE))
    gn.set_random_seed(None)
    assert same_bits(plain, gn.GlorotNormal(seed=9)(SHAPE))


def test_global_seed_reduced_mod_for_unseeded_too():
    """set_random_seed documents g "reduced modulo 2**31 - 1 as TensorFlow
    does"; in TF, g and g + (2**31 - 1) give identical op seeds for unseeded
    ops as well (pair (g mod M, op_id mod M))."""
    gn.set_random_seed(5)
    a = gn.GlorotNormal()(SHAPE)
    gn.set_random_seed(5 + M)
    assert same_bits(gn.GlorotNormal()(SHAPE), a)


def test_clearing_global_seed_restores_entropy():
    gn.set_random_seed(4321)
    seq = gn.GlorotNormal()(SHAPE)
    assert gn.set_random_seed(None) is None
    a, b = gn.GlorotNormal()(SHAPE), gn.GlorotNormal()(SHAPE)
    assert not np.array_equal(a, b)
    assert not np.array_equal(a, seq) and not np.array_equal(b, seq)


# --------------------------------------------------------------------------
# Partitions
# --------------------------------------------------------------------------

PARTITIONS = [
    # (full_shape, slice shape, offset)
    ("rows", (10, 20), (5, 20), (5, 0)),
    ("rows-first", (10, 20), (4, 20), (0, 0)),
    ("columns", (10, 20), (10, 7), (0, 13)),
    ("columns-middle", (10, 20), (10, 6), (0, 7)),
    ("block-2d", (10, 20), (3, 4), (2, 9)),
    ("end", (10, 20), (3, 5), (7, 15)),
    ("single-element", (10, 20), (1, 1), (9, 19)),
    ("middle-3d", (6, 7, 9), (2, 3, 4), (2, 2, 3)),
    ("middle-4d", (3, 3, 16, 32), (1, 2, 5, 7), (1, 1, 6, 11)),
    ("4d-last-axis", (3, 3, 16, 32), (3, 3, 16, 9), (0, 0, 0, 23)),
    ("4d-leading-axis", (4, 3, 16, 32), (2, 3, 16, 32), (2, 0, 0, 0)),
    ("rank1", (100,), (37,), (63,)),
    ("empty-slice", (10, 20), (0, 20), (10, 0)),
    ("whole", (6, 5), (6, 5), (0, 0)),
    # Big enough that both the full tensor and the slice use the parallel kernel.
    ("big-columns", (512, 300), (512, 129), (0, 171)),
]


def _slice(offset, shape):
    return tuple(slice(o, o + s) for o, s in zip(offset, shape, strict=True))


@pytest.mark.parametrize(
    "full, shape, offset", [p[1:] for p in PARTITIONS], ids=[p[0] for p in PARTITIONS]
)
@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16"])
@pytest.mark.parametrize("info_kind", ["PartitionInfo", "duck", "duck-lists"])
def test_partition_equals_slice_of_full(full, shape, offset, dtype, info_kind):
    init = gn.GlorotNormal(seed=17)
    if info_kind == "PartitionInfo":
        info = gn.PartitionInfo(full_shape=full, var_offset=offset)
    elif info_kind == "duck":
        info = types.SimpleNamespace(full_shape=full, var_offset=offset)
    else:
        info = types.SimpleNamespace(
            full_shape=list(full), var_offset=[np.int64(o) for o in offset]
        )
    part = init(shape, dtype=dtype, partition_info=info)
    whole = init(full, dtype=dtype)
    assert part.shape == shape and part.flags.c_contiguous
    assert same_bits(part, np.ascontiguousarray(whole[_slice(offset, shape)]))


@pytest.mark.parametrize("distribution", ["untruncated_normal", "uniform"])
def test_partition_equals_slice_other_distributions(distribution):
    init = gn.VarianceScaling(2.0, "fan_out", distribution, seed=3)
    whole = init((9, 11, 13), "float64")
    part = init((4, 5, 6), "float64", gn.PartitionInfo((9, 11, 13), (5, 3, 7)))
    assert same_bits(part, whole[5:9, 3:8, 7:13])


def test_partitions_differ_from_each_other():
    """Unlike TF, equal-shaped partitions of one variable differ."""
    init = gn.GlorotNormal(seed=8)
    p0 = init((5, 20), partition_info=gn.PartitionInfo((10, 20), (0, 0)))
    p1 = init((5, 20), partition_info=gn.PartitionInfo((10, 20), (5, 0)))
    assert not np.array_equal(p0, p1)


def test_partition_uses_fans_of_full_shape_bound():
    full = (2000, 10)
    part_shape = (100, 10)
    fan_in, fan_out = gn.compute_fans(full)
    bound_full = 2 * math.sqrt(2 / (fan_in + fan_out)) / TRUNC_STD
    for offset in [(0, 0), (1900, 0), (950, 0)]:
        part = gn.GlorotNormal(seed=13)(
            part_shape, partition_info=gn.PartitionInfo(full, offset)
        ).astype(np.float64)
        peak = np.abs(part).max()
        assert peak <= bound_full
        # 1000 draws: the max |z| of a (-2, 2)-truncated normal is above 1.8
        # except with probability < 1e-15; the partition's own fans would
        # give a bound 7x larger.
        assert peak > 0.9 * bound_full
        assert part.std() == pytest.approx(math.sqrt(2 / (fan_in + fan_out)), rel=0.1)


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-14), ("float32", 1e-6)])
def test_partition_is_a_rescaled_unpartitioned_draw(dtype, rtol):
    """The first rows of a full tensor have the same flat indices as an
    unpartitioned draw of the slice shape, so the two differ only by the
    ratio of the standard deviations (fans of the full shape vs the slice)."""
    init = gn.GlorotNormal(seed=29)
    full, part_shape = (1000, 10), (10, 10)
    part = init(part_shape, dtype, gn.PartitionInfo(full, (0, 0))).astype(np.float64)
    alone = init(part_shape, dtype).astype(np.float64)
    ratio = math.sqrt(2 / sum(gn.compute_fans(full))) / math.sqrt(2 / sum(part_shape))
    np.testing.assert_allclose(part, alone * ratio, rtol=rtol, atol=0)


def test_partition_fans_for_variance_scaling_modes():
    full, part_shape, offset = (300, 40), (30, 40), (120, 0)
    for mode, n in [("fan_in", 300), ("fan_out", 40), ("fan_avg", 170)]:
        init = gn.VarianceScaling(3.0, mode, "uniform", seed=1)
        part = init(part_shape, "float64", gn.PartitionInfo(full, offset))
        limit = math.sqrt(3 * 3.0 / n)
        peak = np.abs(part).max()
        assert peak <= limit
        assert peak > 0.99 * limit  # 1200 uniforms: P(all below) = 0.99**1200 < 1e-5


def test_reassigned_attributes_take_effect():
    # Multipliers are remembered across calls; the configuration is part of
    # what they are remembered by.
    init = gn.VarianceScaling(seed=1)
    first = init((30, 20))
    init.scale = 4.0
    assert same_bits(init((30, 20)), gn.VarianceScaling(4.0, seed=1)((30, 20)))
    init.mode = "fan_out"
    assert same_bits(init((30, 20)), gn.VarianceScaling(4.0, "fan_out", seed=1)((30, 20)))
    init.in_axis, init.out_axis = -1, -2
    assert same_bits(init((30, 20)), gn.VarianceScaling(4.0, "fan_in", seed=1)((30, 20)))
    init.scale, init.mode, init.in_axis, init.out_axis = 1.0, "fan_in", -2, -1
    assert same_bits(init((30, 20)), first)


def test_subclass_overriding_the_variance_is_not_served_the_base_multiplier():
    class Quarter(gn.VarianceScaling):
        def _variance(self, fans):
            return super()._variance(fans) / 4

    base = gn.VarianceScaling(seed=2)((30, 20))
    # sqrt(v / 4) = sqrt(v) / 2, and halving is exact.
    assert same_bits(Quarter(seed=2)((30, 20)), base / np.float32(2))
