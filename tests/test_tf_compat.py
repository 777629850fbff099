"""``compat=``: TensorFlow's values bit for bit, against recorded golden data.

The golden file holds outputs of real TensorFlow / Keras calls (see
``tests/data/make_tf_golden.py`` for how and with which versions); these
tests need no TensorFlow.  Bit parity of float32 and float64 Box-Muller needs
the C library TensorFlow's Linux wheels use (glibc); elsewhere the
normal-distribution cases are skipped.
"""

import json
import platform
from collections import defaultdict
from pathlib import Path

import ml_dtypes
import numba
import numpy as np
import pytest

import glorot_numba as gn
from glorot_numba import _engine, _tf_compat
from glorot_numba._engine import tf_kernels as _tf_kernels

from .conftest import ROOT, python_env

DATA = Path(__file__).parent / "data" / "tf_golden.npz"

with np.load(DATA) as _npz:
    META = json.loads(str(_npz["meta"]))
    GOLDEN = {name: _npz[name] for name in _npz.files if name != "meta"}
CASES = META["cases"]
SINGLE = [(f"c{i:03d}", c) for i, c in enumerate(CASES) if c["source"] != "eager-sequence"]
SEQUENCES = defaultdict(list)
for _i, _c in enumerate(CASES):
    if _c["source"] == "eager-sequence":
        SEQUENCES[_c["sequence"]].append((f"c{_i:03d}", _c))

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
_WIDTH = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def _needs_libm(case):
    """Normal samples go through logf/sinf/cosf (log/sin/cos): glibc only."""
    return case["cls"] == "GlorotNormal" or case["distribution"] != "uniform"


def _init(case):
    if case["cls"] == "GlorotNormal":
        return gn.GlorotNormal(seed=case["seed"], compat=case["compat"])
    return gn.VarianceScaling(
        scale=case["scale"],
        mode=case["mode"],
        distribution=case["distribution"],
        seed=case["seed"],
        compat=case["compat"],
    )


def _call(init, case):
    pinfo = None
    if case.get("full_shape") is not None:
        pinfo = gn.PartitionInfo(full_shape=case["full_shape"], var_offset=case["var_offset"])
    return init(tuple(case["shape"]), dtype=case["dtype"], partition_info=pinfo)


def _bits(a):
    return np.ascontiguousarray(a).view(_WIDTH[a.dtype.itemsize])


def _case_id(item):
    name, c = item
    what = c["cls"] if c["cls"] == "GlorotNormal" else c["distribution"]
    extra = ""
    if c.get("global_seed") is not None:
        extra += f"-g{c['global_seed']}"
    if c.get("full_shape") is not None:
        extra += "-part"
    return f"{name}-{c['compat']}-{what}-{c['dtype']}-r{len(c['shape'])}-s{c['seed']}{extra}"


def test_golden_coverage():
    """The recorded cases span the dimensions the parity claim covers."""
    assert len(CASES) >= 60
    assert {c["compat"] for c in CASES} == set(_tf_compat.MODES)
    assert {c["dtype"] for c in CASES} == {"float16", "bfloat16", "float32", "float64"}
    assert {len(c["shape"]) for c in CASES} == {0, 1, 2, 3, 4, 5}
    dists = {c.get("distribution", "truncated_normal") for c in CASES}
    assert dists == {"truncated_normal", "untruncated_normal", "uniform", "normal"}
    assert any(c.get("global_seed") is not None for _, c in SINGLE)
    assert any(c.get("full_shape") is not None for c in CASES)
    assert any(int(np.prod(c["shape"])) % 4 for c in CASES)
    assert SEQUENCES


@pytest.mark.parametrize("item", SINGLE, ids=_case_id)
def test_golden_bits(item):
    name, case = item
    if _needs_libm(case) and not GLIBC:
        pytest.skip("Box-Muller parity is specified for glibc's logf/sinf/cosf")
    gn.set_random_seed(case.get("global_seed"))
    try:
        got = _call(_init(case), case)
    finally:
        gn.set_random_seed(None)
    want = GOLDEN[name]
    assert got.shape == tuple(case["shape"])
    assert got.dtype.name == case["dtype"]
    mismatch = np.flatnonzero(_bits(got).reshape(-1) != want.reshape(-1))
    assert mismatch.size == 0, (
        f"{mismatch.size} of {got.size} elements differ, first {mismatch[:5]}"
    )


@pytest.mark.parametrize("g", sorted(SEQUENCES))
def test_golden_unseeded_sequence(g):
    """Unseeded calls after a global seed: the k-th call gets TF eager's k-th op seed."""
    if not GLIBC:
        pytest.skip("Box-Muller parity is specified for glibc's logf/sinf/cosf")
    items = sorted(SEQUENCES[g], key=lambda item: item[1]["position"])
    gn.set_random_seed(g)
    try:
        got = [_call(_init(case), case) for _, case in items]
    finally:
        gn.set_random_seed(None)
    for (name, _), value in zip(items, got, strict=True):
        np.testing.assert_array_equal(_bits(value), GOLDEN[name])


# --- the kernels: any split of the work gives the same bits --------------------


@pytest.mark.parametrize("path,native", [("f32", np.float32), ("f64", np.float64)])
@pytest.mark.parametrize("kind", [_engine.TRUNCATED, _engine.NORMAL, _engine.UNIFORM])
def test_parallel_serial_and_thread_counts_agree(path, native, kind):
    n = 3 * _tf_kernels.CHUNK_GROUPS * _tf_kernels.GROUP[path] + 5  # four work items
    parallel, serial = _tf_kernels.KERNELS[path]
    u = np.uint64
    args = (
        kind,
        u(0x12345678),
        u(0x9ABCDEF0),
        u(0),
        u(0),
        u(7),
        u(0),
        u(0x7FFFFF),
        native(2.0**-23),
        native(0.5),
        native(0.0),
    )
    outs = []
    before = numba.get_num_threads()
    try:
        for kernel, threads in [(serial, 1), (parallel, 1), (parallel, before)]:
            numba.set_num_threads(threads)
            out = np.full(n, np.nan, native)
            kernel(out, *args)
            outs.append(out)
    finally:
        numba.set_num_threads(before)
    assert not np.isnan(outs[0]).any()
    for out in outs[1:]:
        np.testing.assert_array_equal(
            out.view(_WIDTH[out.itemsize]), outs[0].view(_WIDTH[out.itemsize])
        )


def test_counter_carries_across_words():
    """Group counters are 128-bit sums: a low word near 2**32 carries upward."""
    parallel, serial = _tf_kernels.KERNELS["f32"]
    u = np.uint64
    # Group 1 of a normal draw whose counter starts at 2**32 - 1 uses counter
    # (0, 1, 0, 0); the same group as group 0 of a draw starting there.
    a = np.empty(8, np.float32)
    serial(
        a,
        _engine.NORMAL,
        u(1),
        u(2),
        u(0xFFFFFFFF),
        u(0),
        u(0),
        u(0),
        u(0),
        np.float32(1),
        np.float32(1),
        np.float32(0),
    )
    b = np.empty(4, np.float32)
    serial(
        b,
        _engine.NORMAL,
        u(1),
        u(2),
        u(0),
        u(1),
        u(0),
        u(0),
        u(0),
        np.float32(1),
        np.float32(1),
        np.float32(0),
    )
    np.testing.assert_array_equal(a[4:], b)


# --- front end -------------------------------------------------------------------


@pytest.mark.parametrize("cls", [gn.GlorotNormal, gn.VarianceScaling])
@pytest.mark.parametrize(
    "compat,exc",
    [
        (1, TypeError),
        (b"tf.keras", TypeError),
        (True, TypeError),
        (("tf.keras",), TypeError),
        ("tf", ValueError),
        ("TF.compat.v1", ValueError),
        ("tf.compat.v2", ValueError),
        ("keras", ValueError),
        ("", ValueError),
        ("tf.keras ", ValueError),
    ],
)
def test_bad_compat_values(cls, compat, exc):
    with pytest.raises(exc, match="compat"):
        cls(seed=1, compat=compat)


def _sentinel(shape, dtype):
    a = np.empty(shape, dtype)
    raw = a.view(np.uint8).reshape(-1)
    raw[...] = (np.arange(raw.size) * 37 + 11) % 251
    return a


@pytest.mark.parametrize("compat", _tf_compat.MODES)
@pytest.mark.parametrize(
    "call,make_out,exc,match",
    [
        (lambda i, o: i((5, 4), out=o), lambda: _sentinel((4, 5), np.float32), ValueError, "shape"),
        (
            lambda i, o: i((4, 5), "float32", out=o),
            lambda: _sentinel((4, 5), np.float64),
            ValueError,
            "dtype",
        ),
        (
            lambda i, o: i((4, 5), "float32", out=o),
            lambda: _sentinel((4, 5), np.float16),
            ValueError,
            "dtype",
        ),
        (
            lambda i, o: i((4, 5), "int32", out=o),
            lambda: _sentinel((4, 5), np.float32),
            ValueError,
            "int32",
        ),
        (
            lambda i, o: i((4, 5), out=o, partition_info=gn.PartitionInfo((4, 5), (1, 0))),
            lambda: _sentinel((4, 5), np.float32),
            ValueError,
            "does not fit",
        ),
        (
            lambda i, o: i((4, 5), out=o[::3]),
            lambda: _sentinel((8, 5), np.float32),
            ValueError,
            "shape",
        ),
        (
            lambda i, o: i((4, 5), out=o),
            lambda: _sentinel((4, 5), np.float32)[:, ::-1].copy().T,
            ValueError,
            "shape",
        ),
        (
            lambda i, o: i((4, 5), out=list(o)),
            lambda: _sentinel((4, 5), np.float32),
            TypeError,
            "numpy",
        ),
    ],
    ids=[
        "shape",
        "out-dtype",
        "call-dtype",
        "int-dtype",
        "partition",
        "strided-shape",
        "transposed",
        "not-array",
    ],
)
def test_failed_compat_call_leaves_out_untouched(compat, call, make_out, exc, match):
    out = make_out()
    before = out.copy()
    with pytest.raises(exc, match=match):
        call(gn.GlorotNormal(seed=3, compat=compat), out)
    assert before.tobytes() == out.tobytes()


@pytest.mark.parametrize("compat", _tf_compat.MODES)
def test_unrepresentable_stddev_is_an_error_before_writing(compat):
    out = _sentinel((3, 4), np.float16)
    before = out.copy()
    init = gn.VarianceScaling(scale=1e12, seed=1, compat=compat)
    with pytest.raises(ValueError, match="float16 cannot represent"):
        init((3, 4), out=out)
    assert before.tobytes() == out.tobytes()


def test_failed_compat_call_does_not_consume_global_sequence():
    gn.set_random_seed(5)
    try:
        init = gn.GlorotNormal(compat="tf.compat.v1")
        with pytest.raises(ValueError):
            init((2, 3), out=np.empty((3, 2), np.float32))
        a = init((2, 3))
        gn.set_random_seed(5)
        b = init((2, 3))
    finally:
        gn.set_random_seed(None)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("compat", _tf_compat.MODES)
@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16", "float64"])
def test_out_contiguous_and_strided_equal_a_fresh_call(compat, dtype):
    init = gn.VarianceScaling(distribution="uniform", seed=9, compat=compat)
    want = init((6, 7), dtype)
    buf = np.empty((6, 7), want.dtype)
    assert init((6, 7), out=buf) is buf
    np.testing.assert_array_equal(_bits(buf), _bits(want))
    base = _sentinel((12, 7), want.dtype)
    before = base.copy()
    init((6, 7), out=base[::2])
    np.testing.assert_array_equal(_bits(base[::2].copy()), _bits(want))
    assert base[1::2].tobytes() == before[1::2].tobytes()


def test_config_round_trip():
    g = gn.GlorotNormal(seed=4, compat="tf.keras")
    assert g.get_config() == {"seed": 4, "dtype": "float32", "compat": "tf.keras"}
    assert "compat" not in gn.GlorotNormal(seed=4).get_config()
    v = gn.VarianceScaling(2.0, "fan_out", "uniform", seed=4, dtype="float64", compat="keras2")
    config = v.get_config()
    assert config["compat"] == "keras2"
    assert "compat" not in gn.VarianceScaling(seed=4).get_config()
    for init in (g, v):
        again = type(init).from_config(init.get_config())
        np.testing.assert_array_equal(again((5, 3)), init((5, 3)))
    assert repr(g) == "GlorotNormal(seed=4, dtype='float32', compat='tf.keras')"


def test_compat_values_are_not_the_native_stream():
    native = gn.GlorotNormal(seed=7)((64,))
    for compat in _tf_compat.MODES:
        assert not np.any(gn.GlorotNormal(seed=7, compat=compat)((64,)) == native)


@pytest.mark.parametrize(
    "compat,same",
    [
        ("tf.compat.v1", [(5, 5 + 2**31 - 1), (-1, 2**31 - 2), (2**40, 2**40 % (2**31 - 1))]),
        ("tf.keras", [(5, 5 + 2**31 - 2), (-1, 2**31 - 3)]),
        ("keras2", [(-1, 2**64 - 1), (3, 3 + 2**64)]),
    ],
)
def test_seed_reduction(compat, same):
    for a, b in same:
        np.testing.assert_array_equal(
            gn.GlorotNormal(seed=a, compat=compat)((9,)),
            gn.GlorotNormal(seed=b, compat=compat)((9,)),
        )


@pytest.mark.parametrize("compat", _tf_compat.MODES)
def test_unseeded_calls_differ(compat):
    init = gn.GlorotNormal(compat=compat)
    assert not np.array_equal(init((16,)), init((16,)))


def test_keras_modes_ignore_the_global_seed():
    """Stateless seeded Keras initializers do not read the global seed; v1 does."""
    before = {c: gn.GlorotNormal(seed=3, compat=c)((8,)) for c in _tf_compat.MODES}
    gn.set_random_seed(99)
    try:
        after = {c: gn.GlorotNormal(seed=3, compat=c)((8,)) for c in _tf_compat.MODES}
    finally:
        gn.set_random_seed(None)
    np.testing.assert_array_equal(after["tf.keras"], before["tf.keras"])
    np.testing.assert_array_equal(after["keras2"], before["keras2"])
    assert not np.array_equal(after["tf.compat.v1"], before["tf.compat.v1"])


_NOJIT = r"""
import json, sys
import ml_dtypes
import numba
import numpy as np
import glorot_numba as gn
from tests.test_tf_compat import SINGLE, GOLDEN, _init, _call, _bits
bad, checked = [], 0
for name, case in SINGLE:
    if int(np.prod(case["shape"])) > 40 or case.get("global_seed") is not None:
        continue
    checked += 1
    if not np.array_equal(_bits(_call(_init(case), case)).reshape(-1), GOLDEN[name].reshape(-1)):
        bad.append(name)
import numba
print(json.dumps({"bad": bad, "checked": checked, "jit_off": numba.config.DISABLE_JIT}))
"""


@pytest.mark.skipif(not GLIBC, reason="Box-Muller parity is specified for glibc")
def test_golden_bits_with_the_jit_off():
    """Interpreted kernels (NUMBA_DISABLE_JIT=1) give the same bits."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _NOJIT],
        env=python_env(NUMBA_DISABLE_JIT="1"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["jit_off"] and report["checked"] >= 30
    assert report["bad"] == []


def test_warmup_compiles_the_compat_kernels_too():
    assert isinstance(gn.warmup(compat=True), bool)
    for kernel in (k for pair in _tf_kernels.KERNELS.values() for k in pair):
        assert getattr(kernel, "signatures", [None])  # compiled (or plain Python)


# --- compat with the rest of the family, fan axes and dtypes ---------------------


@pytest.mark.parametrize("compat", _tf_compat.MODES)
@pytest.mark.parametrize(
    "cls", [gn.GlorotUniform, gn.HeNormal, gn.HeUniform, gn.LecunNormal, gn.LecunUniform]
)
def test_family_members_are_their_variance_scaling_configuration(cls, compat):
    """TensorFlow defines each member as a VarianceScaling configuration."""
    member = cls(seed=11, compat=compat)
    base = gn.VarianceScaling(
        member.scale, member.mode, member.distribution, seed=11, compat=compat
    )
    assert member.get_config()["compat"] == compat
    assert cls.from_config(member.get_config()).compat == compat
    for shape in [(7, 5), (3, 3, 4, 6)]:
        assert _bits(member(shape)).tobytes() == _bits(base(shape)).tobytes()


@pytest.mark.parametrize("compat", _tf_compat.MODES)
def test_fan_axes_change_only_the_scale(compat):
    """Explicit fan axes set the fans; TensorFlow's stream is unchanged."""
    torch_like = gn.VarianceScaling(
        1.0, "fan_in", "uniform", seed=4, compat=compat, **gn.TORCH_LAYOUT
    )
    tf_like = gn.VarianceScaling(1.0, "fan_in", "uniform", seed=4, compat=compat)
    # fan_in is 12 for torch_like on (6, 12) and 6 for tf_like: limits differ by
    # sqrt(2).  TensorFlow's affine map rounds, so the match is to float32 level.
    a, b = torch_like((6, 12), dtype="float64"), tf_like((6, 12), dtype="float64")
    limit = np.sqrt(3.0 / 6.0)
    assert np.abs(b).max() <= limit and np.abs(b).max() > 0.5 * limit
    np.testing.assert_allclose(a * np.sqrt(2.0), b, rtol=0, atol=1e-6 * limit)


@pytest.mark.parametrize("compat", _tf_compat.MODES)
def test_complex_dtypes_are_refused(compat):
    with pytest.raises(ValueError, match="complex64"):
        gn.GlorotNormal(seed=1, dtype="complex64", compat=compat)
    out = _sentinel((4, 5), np.complex128)
    before = out.copy()
    with pytest.raises(ValueError, match="complex128"):
        gn.GlorotNormal(seed=1, compat=compat)((4, 5), out=out)
    assert before.tobytes() == out.tobytes()


@pytest.mark.parametrize("compat", _tf_compat.MODES)
def test_fan_geo_avg_is_refused(compat):
    with pytest.raises(ValueError, match="fan_geo_avg"):
        gn.VarianceScaling(mode="fan_geo_avg", compat=compat)


@pytest.mark.parametrize("dtype,lowp", [(np.float16, 1), (ml_dtypes.bfloat16, 2)])
def test_low_precision_arithmetic_matches_numpy(dtype, lowp):
    """float16 / bfloat16 rounding and arithmetic in the kernel equal NumPy's
    (float32 arithmetic rounded to the dtype after each step), including
    subnormals, ties, overflow to infinity and the sign of zero."""
    rng = np.random.default_rng(0)
    n = 1 << 18
    exps = rng.uniform(-30, 17, n).astype(np.float32)
    v = (np.exp2(exps) * rng.choice([-1, 1], n)).astype(np.float32)
    # Exact ties between neighbouring values of the dtype.
    ties = (np.arange(-2048, 2048, dtype=np.float32) + np.float32(0.5)) * np.float32(2.0**-24)
    v = np.concatenate(
        [v, ties, ties * np.float32(2**14), np.float32([0.0, -0.0, 65519.0, 65520.0, 1e-30])]
    )
    for mul, add in [(1.0, 0.0), (0.0345, 0.0), (3.0e-4, -1.5e-4), (1.7, -0.85), (300.0, 0.0)]:
        m, a = np.asarray(mul).astype(dtype), np.asarray(add).astype(dtype)
        with np.errstate(over="ignore"):
            want = v.astype(dtype) * m + a
        got = np.empty(v.size, np.uint16)
        _tf_kernels.tf_finish_lowp(v, got, np.float32(m), np.float32(a), lowp)
        np.testing.assert_array_equal(got, want.view(np.uint16))
