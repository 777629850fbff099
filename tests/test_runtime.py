"""How fills run (the engine's threads, pieces and memory), in this process:
pieces, runs, staging, thread counts, the workqueue guard, memory checks,
overlapping out=.

What needs a process of its own (threading layers, fork, signals, peak
memory) is in test_runtime_processes.py.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import ml_dtypes
import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import glorot_numba as gn
from glorot_numba._engine import kernels as _kernels
from glorot_numba._engine import memory as _memory
from glorot_numba._engine import pieces as _pieces
from glorot_numba._engine import threads as _threads

from .conftest import bits

BF16 = ml_dtypes.bfloat16
MAX_THREADS = int(numba.config.NUMBA_NUM_THREADS)


# --------------------------------------------------------------------------
# Runs and blocks
# --------------------------------------------------------------------------


@st.composite
def partitions(draw):
    rank = draw(st.integers(0, 4))
    full = tuple(draw(st.lists(st.integers(1, 7), min_size=rank, max_size=rank)))
    offset = tuple(draw(st.integers(0, f - 1)) for f in full)
    shape = tuple(draw(st.integers(1, f - o)) for f, o in zip(full, offset, strict=True))
    return shape, full, offset


@settings(max_examples=300, deadline=None)
@given(partitions(), st.data())
def test_runs_are_the_flat_indices_of_the_slice(part, data):
    shape, full, offset = part
    # Reference: the flat C-order index of every element of the full tensor,
    # cut to the slice.
    index = np.arange(int(np.prod(full)), dtype=np.int64).reshape(full)
    want = index[tuple(slice(o, o + n) for o, n in zip(offset, shape, strict=True))].reshape(-1)
    runs = _pieces.Runs(shape, full, offset)
    starts = runs.starts(0, runs.count)
    assert starts.dtype == np.int64 and runs.count * runs.run_len == want.size
    got = (starts[:, None] + np.arange(runs.run_len, dtype=np.int64)).reshape(-1)
    assert np.array_equal(got, want)
    r0 = data.draw(st.integers(0, runs.count - 1))
    r1 = data.draw(st.integers(r0, runs.count))
    assert np.array_equal(runs.starts(r0, r1), starts[r0:r1])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 6), max_size=4), st.integers(1, 50))
def test_blocks_cover_every_position_once_in_order(shape, limit):
    positions = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    seen = []
    for index, first, size in _pieces._stage_slices(tuple(shape), limit):
        block = positions[index + (Ellipsis,)]
        assert 1 <= size <= limit or positions.size == 0
        assert block.size == size
        assert np.array_equal(block.reshape(-1), np.arange(first, first + size))
        seen.extend(block.reshape(-1).tolist())
    assert seen == list(range(positions.size))


# --------------------------------------------------------------------------
# Pieces do not change bits
# --------------------------------------------------------------------------


@pytest.fixture
def tiny_pieces(monkeypatch):
    """Pieces small enough that every boundary case occurs in small arrays."""
    monkeypatch.setattr(_pieces, "SPAN_PER_THREAD", 2500)
    monkeypatch.setattr(_pieces, "STAGE", 777)
    monkeypatch.setattr(_pieces, "MAX_RUNS", 5)


PIECE_CASES = [
    ("whole", (123, 97), None),
    ("rank0", (), None),
    ("long-runs", (37, 300), gn.PartitionInfo((50, 400), (5, 17))),
    ("one-element-runs", (400, 1), gn.PartitionInfo((400, 9), (0, 4))),
    ("rank3", (6, 20, 70), gn.PartitionInfo((9, 25, 70), (2, 3, 0))),
]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("distribution", ["truncated_normal", "uniform"])
@pytest.mark.parametrize("name, shape, info", PIECE_CASES, ids=[c[0] for c in PIECE_CASES])
def test_small_pieces_give_the_same_bits(request, name, shape, info, dtype, distribution):
    init = gn.VarianceScaling(distribution=distribution, seed=31)
    whole = init(shape, dtype, info)
    request.getfixturevalue("tiny_pieces")
    pieces = init(shape, dtype, info)
    assert np.array_equal(bits(pieces), bits(whole))
    # A strided out= goes through the staging buffer block by block.
    base = np.zeros((2,) + shape, np.dtype(BF16) if dtype == "bfloat16" else dtype)
    out = base[1, ...] if shape == () else np.flip(base[1], axis=-1)[..., ::-1]
    assert init(shape, dtype, info, out=out) is out
    assert np.array_equal(bits(out), bits(whole))
    assert not base[0].any()


def test_pieces_are_many_and_use_both_kernels(tiny_pieces, monkeypatch):
    calls = []
    par, ser = _kernels.KERNELS["f32"]

    def spy(kernel, name):
        def call(out, starts, run_len, *args):
            calls.append((name, out.shape[0], len(starts), int(run_len)))
            return kernel(out, starts, run_len, *args)

        return call

    monkeypatch.setitem(_kernels.KERNELS, "f32", (spy(par, "parallel"), spy(ser, "serial")))
    monkeypatch.setattr(_threads, "SERIAL_BELOW", 300)
    # Runs of 80 elements, pieces of 2500 * threads positions: pieces end
    # inside runs, and calls of 5 runs alternate with shorter ones.
    gn.GlorotNormal(seed=1)((90, 80), partition_info=gn.PartitionInfo((100, 90), (3, 4)))
    assert sum(c[1] for c in calls) == 90 * 80
    assert max(c[2] for c in calls) <= 5  # MAX_RUNS
    if MAX_THREADS > 1:
        assert {c[0] for c in calls} == {"parallel", "serial"}


# --------------------------------------------------------------------------
# Thread counts
# --------------------------------------------------------------------------


@pytest.fixture
def launches(monkeypatch):
    """Record, per kernel launch: the kernel, ``workers`` and the launching
    thread's Numba thread count."""
    seen = []
    for path, (par, ser) in list(_kernels.KERNELS.items()):

        def wrap(kernel, name):
            def call(*args):
                seen.append((name, args[-1], numba.get_num_threads()))
                return kernel(*args)

            return call

        monkeypatch.setitem(_kernels.KERNELS, path, (wrap(par, "parallel"), wrap(ser, "serial")))
    return seen


BIG = (512, 256)  # SERIAL_BELOW * 32 elements


@pytest.mark.parametrize("n", [0, -1, MAX_THREADS + 1, 10**9])
def test_num_threads_range(n):
    with pytest.raises(ValueError, match="NUMBA_NUM_THREADS"):
        gn.num_threads(n)


@pytest.mark.parametrize("n", [1.0, "2", None, True, np.float64(1)])
def test_num_threads_type(n):
    with pytest.raises(TypeError, match="integer"):
        gn.num_threads(n)


def test_num_threads_limits_and_is_restored_on_error(launches):
    before = numba.get_num_threads()
    with pytest.raises(RuntimeError, match="inside"):
        with gn.num_threads(1):
            assert gn.runtime_info()["threads"] == 1
            gn.GlorotNormal(seed=1)(BIG)
            raise RuntimeError("inside")
    assert launches[-1][0] == "serial"
    assert gn.runtime_info()["threads"] == before == numba.get_num_threads()
    launches.clear()
    gn.GlorotNormal(seed=1)(BIG)
    if MAX_THREADS > 1:
        assert launches[-1][:2] == ("parallel", before)


def test_num_threads_nests_and_never_raises_the_count():
    with gn.num_threads(1):
        with gn.num_threads(MAX_THREADS):
            assert gn.runtime_info()["threads"] == 1
        assert gn.runtime_info()["threads"] == 1
    assert gn.runtime_info()["threads"] == numba.get_num_threads()
    block = gn.num_threads(1)
    with block:
        with pytest.raises(RuntimeError, match="already active"):
            block.__enter__()
    with block:  # reusable once left
        assert gn.runtime_info()["threads"] == 1


@pytest.mark.skipif(MAX_THREADS < 2, reason="needs NUMBA_NUM_THREADS >= 2")
def test_num_threads_reaches_worker_threads(launches):
    """numba.set_num_threads is per thread; num_threads() reaches pool workers,
    and the count a worker thread set for itself is honoured too."""
    init = gn.GlorotNormal(seed=3)
    with gn.num_threads(1):
        with ThreadPoolExecutor(3) as ex:
            limited = list(ex.map(lambda _: init(BIG), range(6)))
    assert {name for name, _, _ in launches} == {"serial"}
    launches.clear()

    def own_setting():
        numba.set_num_threads(1)  # this worker thread only
        return init(BIG)

    with ThreadPoolExecutor(1) as ex:
        limited.append(ex.submit(own_setting).result())
    assert {name for name, _, _ in launches} == {"serial"}
    launches.clear()
    free = init(BIG)
    assert launches == [("parallel", MAX_THREADS, MAX_THREADS)] * len(launches)
    for a in limited:
        assert np.array_equal(bits(a), bits(free))


@pytest.mark.skipif(MAX_THREADS < 3, reason="needs NUMBA_NUM_THREADS >= 3")
def test_launching_thread_count_is_set_and_restored(launches):
    with gn.num_threads(2):
        gn.GlorotNormal(seed=3)(BIG)
    assert launches[-1] == ("parallel", 2, 2)
    assert numba.get_num_threads() == MAX_THREADS


# --------------------------------------------------------------------------
# Safe path per call
# --------------------------------------------------------------------------


@pytest.mark.skipif(MAX_THREADS < 2, reason="needs NUMBA_NUM_THREADS >= 2")
def test_workqueue_lock_held_elsewhere_means_serial(launches, monkeypatch):
    monkeypatch.setattr(_threads, "threading_layer", lambda: "workqueue")
    init = gn.GlorotNormal(seed=9)
    init(BIG)
    assert launches[-1][0] == "parallel"
    assert not _threads._workqueue_lock.locked()  # released after the call
    with _threads._workqueue_lock:  # as if another thread were in a region
        held = init(BIG)
    assert launches[-1][0] == "serial"
    assert np.array_equal(bits(held), bits(init(BIG)))


def test_no_parallel_after_unsafe_fork(launches, monkeypatch):
    monkeypatch.setattr(_threads, "_no_parallel", "forked from a process that started GNU OpenMP")
    a = gn.GlorotNormal(seed=5)(BIG)
    assert {name for name, _, _ in launches} == {"serial"}
    assert gn.runtime_info()["parallel"] is False
    monkeypatch.undo()
    assert np.array_equal(bits(a), bits(gn.GlorotNormal(seed=5)(BIG)))


def test_fork_hook_marks_children_of_openmp_parents(monkeypatch):
    from numba.np.ufunc import parallel as numba_parallel

    monkeypatch.setattr(_threads, "_no_parallel", None)
    monkeypatch.setattr(numba_parallel, "_is_initialized", True)
    monkeypatch.setattr(numba_parallel, "_threading_layer", "tbb")
    _threads._after_fork_in_child()
    assert _threads._no_parallel is None
    monkeypatch.setattr(numba_parallel, "_threading_layer", "omp")
    _threads._after_fork_in_child()
    assert "OpenMP" in _threads._no_parallel


@pytest.mark.skipif(MAX_THREADS < 2, reason="needs NUMBA_NUM_THREADS >= 2")
def test_fork_hook_drops_other_threads_limits(monkeypatch):
    """In a forked child only the forking thread lives on: a num_threads()
    block of another parent thread would never end there."""
    for name in ("_limits_lock", "_workqueue_lock", "_no_parallel"):
        monkeypatch.setattr(_threads, name, getattr(_threads, name))
    monkeypatch.setattr(_threads, "_limits", [])
    entered, leave = threading.Event(), threading.Event()

    def other():
        with gn.num_threads(1):
            entered.set()
            leave.wait()  # set by the finally clause below, however the test ends

    t = threading.Thread(target=other)
    t.start()
    try:
        assert entered.wait(60)
        with gn.num_threads(MAX_THREADS):
            assert gn.runtime_info()["threads"] == 1
            _threads._after_fork_in_child()  # as the child of a fork here would
            assert gn.runtime_info()["threads"] == MAX_THREADS
            assert [e[0] for e in _threads._limits] == [MAX_THREADS]
        assert _threads._limits == []
    finally:
        leave.set()
        t.join()


def test_no_threading_layer_warns_once_and_runs_serially(launches, monkeypatch):
    monkeypatch.setattr(_threads, "threading_layer", lambda: None)
    monkeypatch.setattr(_threads, "_warned", set())
    with pytest.warns(RuntimeWarning, match="single-threaded"):
        a = gn.GlorotNormal(seed=5)(BIG)
    b = gn.GlorotNormal(seed=5)(BIG)  # no second warning (warnings are errors here)
    assert {name for name, _, _ in launches} == {"serial"}
    assert np.array_equal(bits(a), bits(b))


def test_concurrent_calls_match_serial_calls():
    init = gn.GlorotNormal(seed=13)
    expected = init(BIG)
    barrier = threading.Barrier(4)

    def call(_):
        barrier.wait()
        return init(BIG)

    with ThreadPoolExecutor(4) as ex:
        for a in ex.map(call, range(8)):
            assert np.array_equal(bits(a), bits(expected))


# --------------------------------------------------------------------------
# Memory and overlapping outputs
# --------------------------------------------------------------------------


def test_allocation_beyond_available_memory_is_refused_first(monkeypatch):
    monkeypatch.setattr(_memory, "available_memory", lambda: 3 << 30)
    monkeypatch.setattr(np, "empty", lambda *a, **k: pytest.fail("allocated"))
    with pytest.raises(MemoryError, match="GiB"):
        gn.GlorotNormal(seed=1)((1 << 20, 1024))  # 4 GiB of float32


def test_available_memory_is_plausible():
    room = _memory.available_memory()
    if room is None:
        pytest.skip("no /proc/meminfo on this system")
    assert 0 < room < 1 << 50


@pytest.mark.parametrize(
    "shape, dtype, exc",
    [
        ((1 << 40, 1 << 20), "float32", MemoryError),  # 4 PiB: more than any machine
        ((1 << 31, 1 << 31), "float64", ValueError),  # bytes overflow an address
    ],
)
def test_huge_requests_fail_cleanly_and_the_process_carries_on(shape, dtype, exc):
    with pytest.raises(exc) as info:
        gn.GlorotNormal(seed=1)(shape, dtype)
    assert type(info.value) is exc
    assert gn.GlorotNormal(seed=1)((3, 4)).shape == (3, 4)


def test_overlapping_out_is_refused_untouched():
    base = np.arange(20, dtype=np.float32)
    views = [
        np.lib.stride_tricks.as_strided(base, (4, 5), (4, 4), writeable=True),  # rows overlap
        np.lib.stride_tricks.as_strided(base, (4, 5), (0, 4), writeable=True),  # zero stride
    ]
    for view in views:
        before = base.copy()
        with pytest.raises(ValueError, match="share memory"):
            gn.GlorotNormal(seed=1)((4, 5), out=view)
        assert np.array_equal(base, before)


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: np.empty((4, 5), np.float32), False),
        (lambda: np.empty((4, 5), np.float32)[::-1, ::2], False),
        (lambda: np.empty((4, 5), np.float32).T, False),
        (lambda: np.empty((4, 1, 5), np.float32)[:, :, ::-3], False),
        (lambda: np.empty((1,), np.float32), False),
        (lambda: np.lib.stride_tricks.as_strided(np.empty(9, np.float32), (3, 3), (8, 4)), True),
        (lambda: np.lib.stride_tricks.as_strided(np.empty(9, np.float32), (3, 3), (4, 12)), False),
        (lambda: np.lib.stride_tricks.as_strided(np.empty(9, np.float32), (3, 2), (-4, 4)), True),
    ],
)
def test_overlaps_itself(make, expected):
    assert _memory.overlaps_itself(make()) is expected


def test_misaligned_and_subclass_out_are_filled_correctly():
    raw = np.zeros(4 * 20 + 1, np.uint8)
    misaligned = raw[1:].view(np.float32).reshape(4, 5)
    assert not misaligned.flags.aligned
    expected = gn.GlorotNormal(seed=2)((4, 5))
    assert gn.GlorotNormal(seed=2)((4, 5), out=misaligned) is misaligned
    assert np.array_equal(misaligned, expected)
    with pytest.warns(PendingDeprecationWarning):
        matrix = np.asmatrix(np.zeros((4, 5), np.float32))
    assert gn.GlorotNormal(seed=2)((4, 5), out=matrix) is matrix
    assert np.array_equal(np.asarray(matrix), expected)
