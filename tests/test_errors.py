"""Bad input: one table of every rejected argument (docs/contract.md §2-4, §6).

Each row names the exception type and a fragment of its message.  Rows that
pass an ``out=`` array fill it with a sentinel byte pattern first and check
that the failed call left it bitwise unchanged (docs/contract.md §6: "an
``out=`` array is never partly overwritten by a call that fails validation").
"""

import copy
import types

import ml_dtypes
import numpy as np
import pytest

import glorot_numba as gn

BF16 = ml_dtypes.bfloat16


def sentinel(shape=(4, 5), dtype=np.float32):
    """An array whose bytes are a fixed, non-constant pattern (NaN-safe)."""
    a = np.empty(shape, dtype)
    raw = a.view(np.uint8).reshape(-1)
    raw[...] = (np.arange(raw.size) * 37 + 11) % 251
    return a


def readonly(shape=(4, 5), dtype=np.float32):
    a = sentinel(shape, dtype)
    a.setflags(write=False)
    return a


def strided_in(base_shape=(8, 10), dtype=np.float32):
    """A writable strided view whose base also carries the sentinel."""
    return sentinel(base_shape, dtype)[::2, ::2]


def ns(**attrs):
    return types.SimpleNamespace(**attrs)


class NoAttrs:
    pass


G = gn.GlorotNormal
VS = gn.VarianceScaling


def case(id_, call, exc, match, out=None):
    """``call()`` (or ``call(out)`` when ``out`` is a factory) must raise."""
    return pytest.param(call, exc, match, out, id=id_)


CASES = [
    # --- shapes -----------------------------------------------------------
    case("shape-int", lambda: G(seed=1)(5), TypeError, "shape"),
    case("shape-str", lambda: G(seed=1)("34"), TypeError, "shape"),
    case("shape-bytes", lambda: G(seed=1)(b"\x03\x04"), TypeError, "shape"),
    case("shape-none", lambda: G(seed=1)(None), TypeError, "shape"),
    case("shape-negative-dim", lambda: G(seed=1)((-1, 3)), ValueError, r">= 0.*-1"),
    case("shape-negative-last-dim", lambda: G(seed=1)([3, -2]), ValueError, r">= 0.*-2"),
    case("shape-float-dims", lambda: G(seed=1)([2.0, 3.0]), TypeError, "integer"),
    case("shape-np-float-dim", lambda: G(seed=1)((np.float32(2), 3)), TypeError, "integer"),
    case("shape-float-array", lambda: G(seed=1)(np.array([2.0, 3.0])), TypeError, "integer"),
    case("shape-bool-dim", lambda: G(seed=1)((True, 3)), TypeError, "integer.*True"),
    case("shape-np-bool-dim", lambda: G(seed=1)((3, np.bool_(True))), TypeError, "integer"),
    case("shape-none-dim", lambda: G(seed=1)((None, 3)), TypeError, "integer.*None"),
    case("shape-str-dim", lambda: G(seed=1)(("3", 4)), TypeError, "integer"),
    case("shape-2d-ndarray", lambda: G(seed=1)(np.array([[2, 3]])), TypeError, "one-dimensional"),
    case("shape-0d-ndarray", lambda: G(seed=1)(np.array(5)), TypeError, "shape"),
    case("shape-element-overflow", lambda: G(seed=1)((2**40, 2**40)), ValueError, "elements"),
    case("shape-element-overflow-just", lambda: G(seed=1)((2**62, 4)), ValueError, "elements"),
    case(
        "shape-byte-overflow",
        lambda: G(seed=1)((2**31, 2**31)),
        ValueError,
        "too big|elements|bytes",
    ),
    case("compute-fans-int", lambda: gn.compute_fans(7), TypeError, "shape"),
    case("compute-fans-negative", lambda: gn.compute_fans((3, -3)), ValueError, ">= 0"),
    case("compute-fans-float", lambda: gn.compute_fans((3, 3.5)), TypeError, "integer"),
    case("compute-fans-overflow", lambda: gn.compute_fans((2**40, 2**40)), ValueError, "elements"),
    # --- dtypes at construction -----------------------------------------------
    case("ctor-dtype-int32", lambda: VS(dtype="int32"), ValueError, "int32"),
    case("ctor-dtype-int64", lambda: VS(dtype=np.int64), ValueError, "int64"),
    case("ctor-dtype-bool", lambda: VS(dtype=bool), ValueError, "bool"),
    case(
        "ctor-dtype-clongdouble",
        lambda: VS(dtype=np.clongdouble),
        ValueError,
        np.dtype(np.clongdouble).name,
    ),
    case("ctor-dtype-complex32-name", lambda: VS(dtype="complex32"), ValueError, "complex32"),
    case("ctor-dtype-object", lambda: VS(dtype=object), ValueError, "object"),
    case("ctor-dtype-foo", lambda: VS(dtype="foo"), TypeError, "foo"),
    case("ctor-dtype-true", lambda: VS(dtype=True), TypeError, "dtype"),
    case("ctor-dtype-none", lambda: VS(dtype=None), TypeError, "dtype"),
    case("ctor-dtype-uint8", lambda: VS(dtype=np.uint8), ValueError, "uint8"),
    case("ctor-dtype-float8", lambda: VS(dtype="float8_e4m3fn"), ValueError, "float8_e4m3fn"),
    case("ctor-dtype-ml-dtypes-int4", lambda: VS(dtype=ml_dtypes.int4), ValueError, "int4"),
    case(
        "ctor-dtype-tf-like-int32",
        lambda: G(dtype=ns(as_numpy_dtype=np.int32)),
        ValueError,
        "int32",
    ),
    case(
        "ctor-dtype-keras-policy-name", lambda: G(dtype="mixed_float16"), TypeError, "mixed_float16"
    ),
    case(
        "call-dtype-tf-like-bool",
        lambda: G(seed=1)((2, 3), ns(as_numpy_dtype=np.bool_)),
        ValueError,
        "bool",
    ),
    # Deliberate deviation from TF v1, which ignores GlorotNormal's dtype.
    case("glorot-ctor-dtype-int32", lambda: G(dtype="int32"), ValueError, "int32"),
    case(
        "glorot-ctor-dtype-clongdouble",
        lambda: G(dtype=np.clongdouble),
        ValueError,
        np.dtype(np.clongdouble).name,
    ),
    case("glorot-ctor-dtype-foo", lambda: G(dtype="foo"), TypeError, "foo"),
    # --- dtypes at call ---------------------------------------------------
    case("call-dtype-int32", lambda: G(seed=1)((2, 3), "int32"), ValueError, "int32"),
    case("call-dtype-int64", lambda: G(seed=1)((2, 3), dtype=np.int64), ValueError, "int64"),
    case("call-dtype-bool", lambda: G(seed=1)((2, 3), dtype="bool"), ValueError, "bool"),
    case(
        "call-dtype-clongdouble",
        lambda: G(seed=1)((2, 3), dtype=np.clongdouble),
        ValueError,
        np.dtype(np.clongdouble).name,
    ),
    case("call-dtype-object", lambda: G(seed=1)((2, 3), dtype=object), ValueError, "object"),
    case("call-dtype-foo", lambda: G(seed=1)((2, 3), dtype="foo"), TypeError, "foo"),
    # --- scale ------------------------------------------------------------
    case("scale-zero", lambda: VS(scale=0), ValueError, "scale"),
    case("scale-negative", lambda: VS(scale=-1), ValueError, "scale"),
    case("scale-nan", lambda: VS(scale=float("nan")), ValueError, "scale"),
    case("scale-np-nan", lambda: VS(scale=np.float32("nan")), ValueError, "scale"),
    case("scale-inf", lambda: VS(scale=float("inf")), ValueError, "scale"),
    case("scale-neg-inf", lambda: VS(scale=-float("inf")), ValueError, "scale"),
    case("scale-str", lambda: VS(scale="a"), TypeError, "scale"),
    case("scale-none", lambda: VS(scale=None), TypeError, "scale"),
    case("scale-true", lambda: VS(scale=True), TypeError, "scale"),
    case("scale-complex", lambda: VS(scale=1j), TypeError, "scale"),
    # A valid scale whose standard deviation the output dtype cannot hold.
    case(
        "scale-overflows-float16",
        lambda: VS(scale=1e10, seed=1)((1, 1), "float16"),
        ValueError,
        "float16",
    ),
    case(
        "scale-overflows-float32",
        lambda: VS(scale=1e80, seed=1)((1, 1), "float32"),
        ValueError,
        "float32",
    ),
    case(
        "scale-overflows-complex64",
        lambda: VS(scale=1e80, seed=1)((1, 1), "complex64"),
        ValueError,
        "complex64",
    ),
    case(
        "scale-underflows-complex64",
        lambda: VS(scale=1e-95, seed=1, distribution="uniform")((1, 1), "complex64"),
        ValueError,
        "complex64",
    ),
    # --- mode -------------------------------------------------------------
    case("mode-upper", lambda: VS(mode="FAN_IN"), ValueError, "mode.*FAN_IN"),
    case("mode-fan-sum", lambda: VS(mode="fan_sum"), ValueError, "mode.*fan_sum"),
    case("mode-none", lambda: VS(mode=None), ValueError, "mode"),
    # --- distribution -----------------------------------------------------
    case(
        "distribution-gaussian",
        lambda: VS(distribution="gaussian"),
        ValueError,
        "distribution.*gaussian",
    ),
    case("distribution-none", lambda: VS(distribution=None), TypeError, "distribution"),
    case("distribution-int", lambda: VS(distribution=1), TypeError, "distribution"),
    # --- seeds ------------------------------------------------------------
    case("seed-str", lambda: G(seed="a"), TypeError, "seed"),
    case("seed-float", lambda: G(seed=1.5), TypeError, "seed"),
    case("seed-true", lambda: G(seed=True), TypeError, "seed"),
    case("seed-np-bool", lambda: G(seed=np.bool_(False)), TypeError, "seed"),
    case("seed-np-float64", lambda: G(seed=np.float64(3)), TypeError, "seed"),
    case("vs-seed-float", lambda: VS(seed=2.0), TypeError, "seed"),
    case("set-random-seed-str", lambda: gn.set_random_seed("x"), TypeError, "seed"),
    case("set-random-seed-float", lambda: gn.set_random_seed(1.0), TypeError, "seed"),
    # --- signatures -------------------------------------------------------
    case("call-unknown-kwarg", lambda: G(seed=1)((2, 3), foo=1), TypeError, "foo"),
    case("glorot-ctor-scale-kwarg", lambda: G(scale=2.0), TypeError, "scale"),
    case(
        "from-config-extra-key",
        lambda: G.from_config({"seed": 1, "dtype": "float32", "mode": "fan_in"}),
        TypeError,
        "mode",
    ),
    case(
        "out-positional",
        lambda out: G(seed=1)((4, 5), None, None, out),
        TypeError,
        "positional",
        sentinel,
    ),
    # --- partition_info ---------------------------------------------------
    case(
        "partition-no-attrs",
        lambda: G(seed=1)((2, 3), partition_info=NoAttrs()),
        TypeError,
        "full_shape",
    ),
    case(
        "partition-only-full-shape",
        lambda: G(seed=1)((2, 3), partition_info=ns(full_shape=(4, 3))),
        TypeError,
        "var_offset",
    ),
    case(
        "partition-full-rank-mismatch",
        lambda: G(seed=1)((2, 3), partition_info=ns(full_shape=(4, 3, 1), var_offset=(0, 0, 0))),
        ValueError,
        "length",
    ),
    case(
        "partition-offset-rank-mismatch",
        lambda: G(seed=1)((2, 3), partition_info=ns(full_shape=(4, 3), var_offset=(0,))),
        ValueError,
        "length",
    ),
    case(
        "partition-overhang",
        lambda: G(seed=1)((2, 3), partition_info=gn.PartitionInfo((4, 3), (3, 0))),
        ValueError,
        "axis 0",
    ),
    case(
        "partition-overhang-last-axis",
        lambda: G(seed=1)((2, 3), partition_info=gn.PartitionInfo((4, 5), (0, 3))),
        ValueError,
        "axis 1",
    ),
    case(
        "partition-shape-larger-than-full",
        lambda: G(seed=1)((5, 3), partition_info=gn.PartitionInfo((4, 3), (0, 0))),
        ValueError,
        "axis 0",
    ),
    case(
        "partition-negative-offset",
        lambda: G(seed=1)((2, 3), partition_info=ns(full_shape=(4, 3), var_offset=(-1, 0))),
        ValueError,
        ">= 0",
    ),
    case(
        "partition-float-full-shape",
        lambda: G(seed=1)((2, 3), partition_info=ns(full_shape=(4.0, 3), var_offset=(0, 0))),
        TypeError,
        "integer",
    ),
    case(
        "partition-full-overflow",
        lambda: G(seed=1)((2, 3), partition_info=ns(full_shape=(2**40, 2**40), var_offset=(0, 0))),
        ValueError,
        "elements",
    ),
    case(
        "partitioninfo-ctor-negative-offset",
        lambda: gn.PartitionInfo((4, 3), (-1, 0)),
        ValueError,
        ">= 0",
    ),
    case(
        "partitioninfo-ctor-rank-mismatch",
        lambda: gn.PartitionInfo((4, 3), (0,)),
        ValueError,
        "length",
    ),
    case("partitioninfo-ctor-int", lambda: gn.PartitionInfo(4, 0), TypeError, "full_shape"),
    # --- out= (the out array itself is bad) -------------------------------
    case("out-wrong-shape", lambda out: G(seed=1)((5, 4), out=out), ValueError, "shape", sentinel),
    case("out-wrong-rank", lambda out: G(seed=1)((20,), out=out), ValueError, "shape", sentinel),
    case(
        "out-int32",
        lambda out: G(seed=1)((4, 5), out=out),
        ValueError,
        "int32",
        lambda: sentinel(dtype=np.int32),
    ),
    case(
        "out-complex64-float32-call",
        lambda out: G(seed=1)((4, 5), "float32", out=out),
        ValueError,
        "complex64",
        lambda: sentinel(dtype=np.complex64),
    ),
    case(
        "out-complex128-complex64-call",
        lambda out: G(seed=1)((4, 5), "complex64", out=out),
        ValueError,
        "complex128",
        lambda: sentinel(dtype=np.complex128),
    ),
    case(
        "out-float32-complex64-call",
        lambda out: G(seed=1)((4, 5), "complex64", out=out),
        ValueError,
        "float32",
        sentinel,
    ),
    case(
        "out-clongdouble",
        lambda out: G(seed=1)((4, 5), out=out),
        ValueError,
        np.dtype(np.clongdouble).name,
        lambda: sentinel(dtype=np.clongdouble),
    ),
    case(
        "out-complex64-readonly",
        lambda out: G(seed=1)((4, 5), out=out),
        ValueError,
        "read-only",
        lambda: readonly(dtype=np.complex64),
    ),
    case("out-readonly", lambda out: G(seed=1)((4, 5), out=out), ValueError, "read-only", readonly),
    case(
        "out-readonly-float16",
        lambda out: G(seed=1)((4, 5), out=out),
        ValueError,
        "read-only",
        lambda: readonly(dtype=np.float16),
    ),
    case(
        "out-list",
        lambda out: G(seed=1)((2, 2), out=out),
        TypeError,
        "ndarray",
        lambda: [[1.0, 2.0], [3.0, 4.0]],
    ),
    case(
        "out-dtype-conflict",
        lambda out: G(seed=1)((4, 5), dtype="float32", out=out),
        ValueError,
        "float64",
        lambda: sentinel(dtype=np.float64),
    ),
    case(
        "out-dtype-conflict-bf16",
        lambda out: G(seed=1)((4, 5), dtype="float16", out=out),
        ValueError,
        "bfloat16",
        lambda: sentinel(dtype=BF16),
    ),
    case(
        "out-strided-wrong-shape",
        lambda out: G(seed=1)((4, 4), out=out),
        ValueError,
        "shape",
        strided_in,
    ),
    # --- out= fine, another argument bad: out must stay untouched ---------
    case(
        "out-untouched-bad-shape",
        lambda out: G(seed=1)((-4, 5), out=out),
        ValueError,
        ">= 0",
        sentinel,
    ),
    case(
        "out-untouched-float-shape",
        lambda out: G(seed=1)((4.0, 5), out=out),
        TypeError,
        "integer",
        sentinel,
    ),
    case(
        "out-untouched-bad-dtype",
        lambda out: G(seed=1)((4, 5), dtype="int32", out=out),
        ValueError,
        "int32",
        sentinel,
    ),
    case(
        "out-untouched-unknown-dtype",
        lambda out: G(seed=1)((4, 5), dtype="foo", out=out),
        TypeError,
        "foo",
        sentinel,
    ),
    case(
        "out-untouched-partition-overhang",
        lambda out: G(seed=1)((4, 5), partition_info=gn.PartitionInfo((6, 5), (3, 0)), out=out),
        ValueError,
        "axis 0",
        sentinel,
    ),
    case(
        "out-untouched-partition-no-attrs",
        lambda out: G(seed=1)((4, 5), partition_info=NoAttrs(), out=out),
        TypeError,
        "full_shape",
        sentinel,
    ),
    case(
        "out-untouched-partition-rank",
        lambda out: G(seed=1)((4, 5), partition_info=ns(full_shape=(8,), var_offset=(0,)), out=out),
        ValueError,
        "length",
        sentinel,
    ),
    case(
        "out-untouched-strided-bad-partition",
        lambda out: G(seed=1)(
            (4, 5), partition_info=ns(full_shape=(4, 5), var_offset=(0, -1)), out=out
        ),
        ValueError,
        ">= 0",
        strided_in,
    ),
    case(
        "out-untouched-bound-overflow",  # sigma fits in float16, 2 * sigma does not
        lambda out: VS(scale=1e10, seed=1)((4, 5), out=out),
        ValueError,
        "float16",
        lambda: sentinel(dtype=np.float16),
    ),
    case(
        "out-untouched-scale-overflow",  # sigma itself overflows float16
        lambda out: VS(scale=1e11, seed=1)((4, 5), out=out),
        ValueError,
        "float16",
        lambda: sentinel(dtype=np.float16),
    ),
    case(
        "out-untouched-unknown-kwarg",
        lambda out: G(seed=1)((4, 5), out=out, foo=1),
        TypeError,
        "foo",
        sentinel,
    ),
    case(
        "out-untouched-complex-partition-overhang",
        lambda out: G(seed=1)((4, 5), partition_info=gn.PartitionInfo((6, 5), (3, 0)), out=out),
        ValueError,
        "axis 0",
        lambda: sentinel(dtype=np.complex64),
    ),
    case(
        "out-untouched-complex-bound-overflow",  # sigma fits in float32, 2 * sigma / C not
        lambda out: VS(scale=1.15e77, seed=1)((4, 5), out=out),
        ValueError,
        "complex64",
        lambda: sentinel(dtype=np.complex64),
    ),
    # --- mode fan_geo_avg and the VarianceScaling family ---------------------
    case("mode-geo-upper", lambda: VS(mode="FAN_GEO_AVG"), ValueError, "mode.*FAN_GEO_AVG"),
    case("mode-geo-misspelt", lambda: VS(mode="fan_geo"), ValueError, "mode.*fan_geo"),
    case("he-normal-seed-str", lambda: gn.HeNormal(seed="a"), TypeError, "seed"),
    case("he-uniform-dtype-int32", lambda: gn.HeUniform(dtype="int32"), ValueError, "int32"),
    case("lecun-normal-dtype-foo", lambda: gn.LecunNormal(dtype="foo"), TypeError, "foo"),
    case(
        "lecun-uniform-call-dtype-bool",
        lambda: gn.LecunUniform(seed=1)((2, 3), "bool"),
        ValueError,
        "bool",
    ),
    case("glorot-uniform-scale-kwarg", lambda: gn.GlorotUniform(scale=2.0), TypeError, "scale"),
    case("he-normal-mode-kwarg", lambda: gn.HeNormal(mode="fan_out"), TypeError, "mode"),
    case(
        "he-normal-from-config-extra-key",
        lambda: gn.HeNormal.from_config({"seed": 1, "dtype": "float32", "scale": 2.0}),
        TypeError,
        "scale",
    ),
    case(
        "family-layout-positional",
        lambda: gn.HeNormal(1, "float32", None, 1, 0),
        TypeError,
        "positional",
    ),
    # --- fan layouts: at construction ------------------------------------------
    case("layout-in-axis-str", lambda: VS(in_axis="1"), TypeError, "in_axis"),
    case("layout-in-axis-float", lambda: VS(in_axis=1.0), TypeError, "in_axis"),
    case("layout-in-axis-none", lambda: VS(in_axis=None), TypeError, "in_axis"),
    case("layout-out-axis-bool", lambda: G(out_axis=True), TypeError, "out_axis"),
    case("layout-batch-axis-none", lambda: VS(batch_axis=None), TypeError, "batch_axis"),
    case(
        "layout-batch-axis-float-in-list",
        lambda: VS(batch_axis=[0, 1.5]),
        TypeError,
        "batch_axis.*1.5",
    ),
    case(
        "layout-in-axis-np-bool-in-tuple",
        lambda: VS(in_axis=(np.bool_(True),)),
        TypeError,
        "in_axis",
    ),
    case("layout-in-axis-0d-array", lambda: VS(in_axis=np.array(1.0)), TypeError, "in_axis"),
    case(
        "layout-out-axis-float-array", lambda: VS(out_axis=np.array([0.0])), TypeError, "out_axis"
    ),
    case("layout-in-axis-repeated", lambda: VS(in_axis=(0, 0)), ValueError, "in_axis.*twice"),
    case(
        "layout-in-out-same-axis",
        lambda: VS(in_axis=0, out_axis=0),
        ValueError,
        "both.*in_axis.*out_axis",
    ),
    case(
        "layout-out-batch-same-axis",
        lambda: gn.HeUniform(out_axis=[1, 2], batch_axis=2),
        ValueError,
        "both.*out_axis.*batch_axis",
    ),
    case(
        "layout-positional",
        lambda: VS(1.0, "fan_in", "uniform", None, "float32", None, 1),
        TypeError,
        "positional",
    ),
    # --- fan layouts: axes that the shape does not have (at call) -------------
    case(
        "layout-in-axis-out-of-range",
        lambda: VS(seed=1, in_axis=2, out_axis=0)((3, 4)),
        ValueError,
        "in_axis 2.*rank 2",
    ),
    case(
        "layout-negative-out-of-range",
        lambda: VS(seed=1, out_axis=-3)((3, 4)),
        ValueError,
        "out_axis -3.*rank 2",
    ),
    case(
        "layout-batch-out-of-range",
        lambda: VS(seed=1, batch_axis=4)((2, 3, 4, 5)),
        ValueError,
        "batch_axis 4.*rank 4",
    ),
    case(
        "layout-overlap-after-normalising",
        lambda: VS(seed=1, in_axis=1, out_axis=-1)((3, 4)),
        ValueError,
        "axis 1 .*both in_axis and out_axis",
    ),
    case(
        "layout-repeat-after-normalising",
        lambda: VS(seed=1, in_axis=(0, -3))((3, 4, 5)),
        ValueError,
        "axis 0 .*twice by in_axis",
    ),
    case(
        "layout-torch-rank-1",
        lambda: G(seed=1, **gn.TORCH_LAYOUT)((5,)),
        ValueError,
        "in_axis 1.*rank 1",
    ),
    case("layout-torch-rank-0", lambda: G(seed=1, **gn.TORCH_LAYOUT)(()), ValueError, "rank 0"),
    case(
        "layout-partition-rank",
        lambda: G(seed=1, in_axis=2)((2, 3), partition_info=gn.PartitionInfo((4, 3), (0, 0))),
        ValueError,
        "in_axis 2",
    ),
    case(
        "out-untouched-layout-out-of-range",
        lambda out: VS(seed=1, in_axis=2, out_axis=0)((4, 5), out=out),
        ValueError,
        "in_axis 2",
        sentinel,
    ),
    case(
        "out-untouched-layout-overlap",
        lambda out: gn.HeNormal(seed=1, in_axis=0, out_axis=-2)((4, 5), out=out),
        ValueError,
        "both",
        sentinel,
    ),
    case(
        "compute-fans-axis-out-of-range",
        lambda: gn.compute_fans((3, 4), in_axis=2),
        ValueError,
        "in_axis 2",
    ),
    case(
        "compute-fans-axis-str",
        lambda: gn.compute_fans((3, 4), out_axis="a"),
        TypeError,
        "out_axis",
    ),
    case(
        "compute-fans-axes-positional",
        lambda: gn.compute_fans((3, 4), 1, 0),
        TypeError,
        "positional",
    ),
    case(
        "compute-fans-rank-1-explicit",
        lambda: gn.compute_fans((5,), in_axis=0, out_axis=0),
        ValueError,
        "both",
    ),
    # --- philox4x32_10 ----------------------------------------------------
    case(
        "philox-counters-1d",
        lambda: gn.philox4x32_10(np.zeros(4, np.uint32), np.zeros(2, np.uint32)),
        ValueError,
        "counters",
    ),
    case(
        "philox-counters-3-words",
        lambda: gn.philox4x32_10(np.zeros((2, 3), np.uint32), np.zeros(2, np.uint32)),
        ValueError,
        "counters",
    ),
    case(
        "philox-counters-3d",
        lambda: gn.philox4x32_10(np.zeros((2, 4, 1), np.uint32), np.zeros(2, np.uint32)),
        ValueError,
        "counters",
    ),
    case(
        "philox-key-3-words",
        lambda: gn.philox4x32_10(np.zeros((2, 4), np.uint32), np.zeros(3, np.uint32)),
        ValueError,
        "key",
    ),
    case(
        "philox-key-2d",
        lambda: gn.philox4x32_10(np.zeros((2, 4), np.uint32), np.zeros((1, 2), np.uint32)),
        ValueError,
        "key",
    ),
    case(
        "philox-counters-float",
        lambda: gn.philox4x32_10(np.zeros((2, 4)), np.zeros(2, np.uint32)),
        TypeError,
        "counters.*float64",
    ),
    case(
        "philox-counters-bool",
        lambda: gn.philox4x32_10(np.zeros((2, 4), bool), np.zeros(2, np.uint32)),
        TypeError,
        "counters.*bool",
    ),
    case(
        "philox-key-float",
        lambda: gn.philox4x32_10(np.zeros((2, 4), np.uint32), np.zeros(2, np.float32)),
        TypeError,
        "key.*float32",
    ),
    case(
        "philox-counters-too-big",
        lambda: gn.philox4x32_10(np.array([[0, 0, 0, 2**32]], np.int64), np.zeros(2, np.uint32)),
        ValueError,
        "counters",
    ),
    case(
        "philox-counters-uint64-too-big",
        lambda: gn.philox4x32_10(
            np.array([[2**64 - 1, 0, 0, 0]], np.uint64), np.zeros(2, np.uint32)
        ),
        ValueError,
        "counters",
    ),
    case(
        "philox-counters-negative",
        lambda: gn.philox4x32_10([[0, -1, 0, 0]], np.zeros(2, np.uint32)),
        ValueError,
        "counters",
    ),
    case(
        "philox-key-too-big",
        lambda: gn.philox4x32_10(np.zeros((1, 4), np.uint32), [2**32, 0]),
        ValueError,
        "key",
    ),
    case(
        "philox-key-negative",
        lambda: gn.philox4x32_10(np.zeros((1, 4), np.uint32), np.array([0, -5], np.int8)),
        ValueError,
        "key",
    ),
]


def _snapshot(value):
    if isinstance(value, np.ndarray):
        base = value
        while isinstance(base.base, np.ndarray):
            base = base.base
        return base, base.tobytes(), value.flags.writeable
    return value, copy.deepcopy(value), None


@pytest.mark.parametrize("call, exc, match, make_out", CASES)
def test_bad_input_raises(call, exc, match, make_out):
    if make_out is None:
        with pytest.raises(exc, match=match) as info:
            call()
    else:
        out = make_out()
        whole, before, writeable = _snapshot(out)
        with pytest.raises(exc, match=match) as info:
            call(out)
        if isinstance(whole, np.ndarray):
            assert whole.tobytes() == before, "out (or its base) was written to"
            assert out.flags.writeable == writeable
        else:
            assert whole == before
    # The exact type, not only a subclass chosen by accident (e.g. numpy's
    # AxisError or a MemoryError subclass would be wrong here).
    assert type(info.value) is exc


def test_table_is_large_and_ids_unique():
    ids = [c.id for c in CASES]
    assert len(ids) >= 30
    assert len(set(ids)) == len(ids)


def test_overflow_is_rejected_before_any_allocation(monkeypatch):
    """The element-count check runs before NumPy is asked for memory."""

    def boom(*args, **kwargs):
        raise AssertionError("allocation attempted for an overflowing shape")

    for name in ("empty", "zeros", "full", "empty_like", "ones"):
        monkeypatch.setattr(np, name, boom)
    with pytest.raises(ValueError, match="elements"):
        G(seed=1)((2**40, 2**40))
    with pytest.raises(ValueError, match="elements"):
        G(seed=1)((2**33, 2**33, 2**33), dtype="float16")


def test_sentinel_is_overwritten_by_a_valid_call():
    """Guards the table: the same outs *are* written when nothing is wrong,
    so "left unchanged" above is a real observation."""
    out = sentinel()
    before = out.tobytes()
    res = G(seed=1)((4, 5), out=out)
    assert res is out
    assert out.tobytes() != before
    assert np.array_equal(out, G(seed=1)((4, 5)))

    base = sentinel((8, 10))
    view = base[::2, ::2]
    before = base.tobytes()
    G(seed=1)((4, 5), out=view)
    assert base.tobytes() != before
    assert np.array_equal(view, G(seed=1)((4, 5)))
    # Elements of the base outside the view are untouched.
    mask = np.ones(base.shape, bool)
    mask[::2, ::2] = False
    assert np.array_equal(
        base[mask].view(np.uint32), np.frombuffer(before, np.uint32).reshape(base.shape)[mask]
    )


@pytest.mark.parametrize(
    "distribution", ["Truncated_Normal", "UNIFORM", "Normal", "untruncated_NORMAL"]
)
def test_distribution_is_case_insensitive(distribution):
    init = VS(distribution=distribution, seed=3)
    assert init.get_config()["distribution"] == distribution.lower()
    assert np.array_equal(init((3, 4)), VS(distribution=distribution.lower(), seed=3)((3, 4)))


def test_failed_call_does_not_consume_global_sequence():
    """A call rejected at validation must not advance the global op-seed
    sequence: the k-th *successful* unseeded call still gets the k-th seed."""
    try:
        gn.set_random_seed(99)
        first = G()((3, 4))
        gn.set_random_seed(99)
        with pytest.raises(ValueError):
            G()((-3, 4))
        with pytest.raises(ValueError):
            G()((3, 4), dtype="int32")
        again = G()((3, 4))
    finally:
        gn.set_random_seed(None)
    assert np.array_equal(first.view(np.uint8), again.view(np.uint8))
