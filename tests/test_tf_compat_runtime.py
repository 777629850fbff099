"""``compat=`` fills run like native ones (glorot_numba/_engine): pieces
that start on group boundaries from their group's counter, bounded staging,
the thread choice, checked allocation and a warmup that launches nothing.

What needs a process of its own (threading layers, fork, signals, peak
memory) is in test_runtime_processes.py.
"""

import ml_dtypes
import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import glorot_numba as gn
from glorot_numba import _engine, _tf_compat
from glorot_numba._engine import memory as _memory
from glorot_numba._engine import pieces as _pieces
from glorot_numba._engine import tf_kernels as _tf_kernels
from glorot_numba._engine import threads as _threads
from glorot_numba.initializers import TRUNCATED_STD

from .conftest import bits

BF16 = ml_dtypes.bfloat16
MAX_THREADS = int(numba.config.NUMBA_NUM_THREADS)


@pytest.fixture
def tiny_pieces(monkeypatch):
    """Pieces and stages of a few groups, and parallel kernels on them."""
    monkeypatch.setattr(_pieces, "SPAN_PER_THREAD", 11)
    monkeypatch.setattr(_pieces, "STAGE", 13)
    monkeypatch.setattr(_threads, "SERIAL_BELOW", 9)


INITS = {
    "truncated": lambda: gn.GlorotNormal(seed=21, compat="tf.compat.v1"),
    "normal": lambda: gn.VarianceScaling(
        2.0, "fan_out", "untruncated_normal", seed=22, compat="tf.keras"
    ),
    "uniform": lambda: gn.VarianceScaling(distribution="uniform", seed=23, compat="keras2"),
}
# Sizes 1, 3, 5, 7, 91, 210 (not multiples of 4 or 2) and 4096.
SHAPES = [(), (3,), (5, 1), (7,), (7, 13), (6, 5, 7), (64, 64)]


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16", "float64"])
@pytest.mark.parametrize("dist", sorted(INITS))
def test_tiny_pieces_give_the_same_bits(request, monkeypatch, dist, dtype):
    init = INITS[dist]()
    wholes = {shape: init(shape, dtype) for shape in SHAPES}
    request.getfixturevalue("tiny_pieces")
    calls = []
    par, ser = _tf_kernels.KERNELS["f64" if dtype == "float64" else "f32"]

    def spy(kernel, name):
        def call(out, *args):
            calls.append((name, out.shape[0]))
            return kernel(out, *args)

        return call

    monkeypatch.setitem(
        _tf_kernels.KERNELS,
        "f64" if dtype == "float64" else "f32",
        (spy(par, "parallel"), spy(ser, "serial")),
    )
    storage = np.dtype(BF16) if dtype == "bfloat16" else np.dtype(dtype)
    for shape, whole in wholes.items():
        pieces = init(shape, dtype)
        assert np.array_equal(bits(pieces), bits(whole)), shape
        # A reversed, strided out= goes through the staging buffer in blocks
        # whose starts are not on group boundaries.
        base = np.zeros((2,) + shape, storage)
        out = base[1, ...] if shape == () else base[1][..., ::-1]
        assert init(shape, dtype, out=out) is out
        assert np.array_equal(bits(out), bits(whole)), shape
        assert not base[0].any()
        # Misaligned: staged as well.
        raw = np.zeros(whole.nbytes + 1, np.uint8)
        misaligned = raw[1:].view(storage).reshape(shape)
        assert not misaligned.flags.aligned or storage.itemsize == 1
        init(shape, dtype, out=misaligned)
        assert np.array_equal(bits(misaligned), bits(whole)), shape
    # Many pieces, no piece larger than a stage or span allows, both kernels.
    assert max(n for _, n in calls) <= MAX_THREADS * 11 + 13
    if MAX_THREADS > 1:
        assert {name for name, _ in calls} == {"parallel", "serial"}


@settings(max_examples=150, deadline=None)
@given(
    dist=st.sampled_from(sorted(INITS)),
    dtype=st.sampled_from(["float32", "float16", "bfloat16", "float64"]),
    shape=st.lists(st.integers(1, 9), min_size=1, max_size=3),
    steps=st.lists(st.sampled_from([1, 2, -1, -3]), min_size=3, max_size=3),
    span=st.integers(1, 9),
    stage=st.integers(1, 17),
)
def test_any_pieces_and_strides_give_the_same_bits(dist, dtype, shape, steps, span, stage):
    init = INITS[dist]()
    shape = tuple(shape)
    whole = init(shape, dtype)
    storage = np.dtype(BF16) if dtype == "bfloat16" else np.dtype(dtype)
    # Three steps, for shapes of one to three axes.
    base = np.zeros(tuple(abs(s) * n for s, n in zip(steps, shape, strict=False)), storage)
    out = base[tuple(slice(None, None, s) for s in steps[: len(shape)])]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_pieces, "SPAN_PER_THREAD", span)
        mp.setattr(_pieces, "STAGE", stage)
        mp.setattr(_threads, "SERIAL_BELOW", 5)
        pieces = init(shape, dtype)
        init(shape, dtype, out=out)
    assert np.array_equal(bits(pieces), bits(whole))
    assert np.array_equal(bits(out), bits(whole))


def test_pieces_equal_one_kernel_call_over_the_whole_tensor(tiny_pieces):
    """Independent of the piece machinery: the serial kernel over the flat
    tensor, with the stddev of scale 1 and fan_in 1."""
    n = 1001
    (k0, k1), (c0, c1, c2, c3) = _tf_compat.stream_origin("tf.compat.v1", 5)
    init = gn.VarianceScaling(scale=1.0, mode="fan_in", seed=5, compat="tf.compat.v1")
    u = np.uint64
    for path, native in (("f32", np.float32), ("f64", np.float64)):
        expected = np.empty(n, native)
        mul = np.asarray(1.0 / TRUNCATED_STD).astype(native)[()]
        _tf_kernels.KERNELS[path][1](
            expected,
            _engine.TRUNCATED,
            u(k0),
            u(k1),
            u(c0),
            u(c1),
            u(c2),
            u(c3),
            u(0x7FFFFF),
            native(2.0**-23),
            mul,
            native(0.0),
        )
        got = init((1, n), native)
        assert np.array_equal(bits(got), bits(expected))


@pytest.mark.parametrize("lowp, dtype", [(1, np.float16), (2, BF16)])
def test_finish_serial_twin_equals_the_parallel_kernel(lowp, dtype):
    rng = np.random.default_rng(3)
    src = (rng.standard_normal(3 * _tf_kernels.FINISH_ITEM + 7) * 3).astype(np.float32)
    a = np.empty(src.shape, np.uint16)
    b = np.empty(src.shape, np.uint16)
    mul, add = dtype(0.37), dtype(-0.11)
    args = (np.float32(mul), np.float32(add), lowp)
    _tf_kernels.tf_finish_lowp(src, a, *args)
    _tf_kernels.tf_finish_lowp_serial(src, b, *args)
    assert np.array_equal(a, b)
    expected = ((src.astype(dtype) * mul).astype(dtype) + add).astype(dtype)
    assert np.array_equal(a, expected.view(np.uint16))


@pytest.fixture
def launches(monkeypatch):
    """Record each compat kernel launch: kernel kind and the launching
    thread's Numba thread count."""
    seen = []

    def wrap(kernel, name):
        def call(*args):
            seen.append((name, numba.get_num_threads()))
            return kernel(*args)

        return call

    for path, (par, ser) in list(_tf_kernels.KERNELS.items()):
        monkeypatch.setitem(_tf_kernels.KERNELS, path, (wrap(par, "parallel"), wrap(ser, "serial")))
    monkeypatch.setattr(
        _tf_kernels, "tf_finish_lowp", wrap(_tf_kernels.tf_finish_lowp, "finish-parallel")
    )
    monkeypatch.setattr(
        _tf_kernels,
        "tf_finish_lowp_serial",
        wrap(_tf_kernels.tf_finish_lowp_serial, "finish-serial"),
    )
    return seen


BIG = (512, 256)
INIT = gn.GlorotNormal(seed=9, compat="tf.compat.v1")


def test_small_draws_use_the_serial_twins(launches):
    INIT((8, 8), "float16")
    assert [name for name, _ in launches] == ["serial", "finish-serial"]


@pytest.mark.skipif(MAX_THREADS < 2, reason="needs NUMBA_NUM_THREADS >= 2")
def test_large_draws_use_the_parallel_kernels_and_num_threads_limits(launches):
    before = numba.get_num_threads()
    INIT(BIG, "float16")
    assert [name for name, _ in launches] == ["parallel", "finish-parallel"]
    del launches[:]
    with gn.num_threads(1):
        limited = INIT(BIG, "float16")
    assert [name for name, _ in launches] == ["serial", "finish-serial"]
    assert numba.get_num_threads() == before
    assert np.array_equal(bits(limited), bits(INIT(BIG, "float16")))


@pytest.mark.skipif(MAX_THREADS < 3, reason="needs NUMBA_NUM_THREADS >= 3")
def test_num_threads_sets_the_launching_count_and_restores_it(launches):
    before = numba.get_num_threads()
    with gn.num_threads(2):
        INIT(BIG)
    assert launches == [("parallel", 2)]
    assert numba.get_num_threads() == before


@pytest.mark.skipif(MAX_THREADS < 2, reason="needs NUMBA_NUM_THREADS >= 2")
def test_workqueue_lock_held_elsewhere_means_serial(launches, monkeypatch):
    monkeypatch.setattr(_threads, "threading_layer", lambda: "workqueue")
    INIT(BIG)
    assert launches[-1][0] == "parallel"
    assert not _threads._workqueue_lock.locked()
    with _threads._workqueue_lock:  # as if another thread were in a region
        held = INIT(BIG, "bfloat16")
    assert [name for name, _ in launches[-2:]] == ["serial", "finish-serial"]
    assert np.array_equal(bits(held), bits(INIT(BIG, "bfloat16")))


def test_no_parallel_after_unsafe_fork(launches, monkeypatch):
    monkeypatch.setattr(_threads, "_no_parallel", "forked from a process that started GNU OpenMP")
    monkeypatch.setattr(
        numba, "set_parallel_chunksize", lambda n: pytest.fail("touched the parallel runtime")
    )
    a = INIT(BIG, "float16")
    assert {name for name, _ in launches} == {"serial", "finish-serial"}
    monkeypatch.undo()
    assert np.array_equal(bits(a), bits(INIT(BIG, "float16")))


def test_allocation_beyond_available_memory_is_refused_first(monkeypatch):
    monkeypatch.setattr(_memory, "available_memory", lambda: 3 << 30)
    monkeypatch.setattr(np, "empty", lambda *a, **k: pytest.fail("allocated"))
    with pytest.raises(MemoryError, match="GiB"):
        INIT((1 << 20, 1024))  # 4 GiB of float32


def test_warmup_compiles_without_launching(monkeypatch):
    launched = []

    class Kernel:
        def __init__(self, kernel):
            self.kernel = kernel

        def compile(self, sig):
            return self.kernel.compile(sig)

        def __call__(self, *args):
            launched.append(self)

    for path, pair in list(_tf_kernels.KERNELS.items()):
        monkeypatch.setitem(_tf_kernels.KERNELS, path, tuple(Kernel(k) for k in pair))
    for name in ("tf_finish_lowp", "tf_finish_lowp_serial"):
        monkeypatch.setattr(_tf_kernels, name, Kernel(getattr(_tf_kernels, name)))
    assert isinstance(_tf_kernels.compile_all(), bool)
    assert launched == []
