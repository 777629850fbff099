"""How a fill runs: which kernel, on how many threads, in what pieces.

Numba's parallel runtime has sharp edges that a library must not pass on:

* the ``workqueue`` layer aborts the process when two threads launch
  parallel regions at the same time;
* GNU OpenMP (the ``omp`` layer on Linux) terminates a forked child that
  launches a parallel region after its parent started OpenMP;
* ``numba.set_num_threads`` is per thread: a limit set in one thread does
  not reach worker threads;
* a kernel call cannot be interrupted, because Python runs signal handlers
  only between bytecodes.

Every output element is a pure function of its flat index, so the serial
twin of a kernel, any thread count and any split of the index range give the
same bits.  This module spends that freedom: it runs the serial twin where
the parallel kernel is unsafe, and it fills in pieces, so that Ctrl-C is
seen between pieces and a cast to a narrow dtype or a strided ``out=`` needs
one piece-sized buffer, never a full-size one.

It also makes Numba's TBB layer -- the one that is both thread- and
fork-safe -- loadable after a plain ``pip install``: the ``tbb`` wheel puts
``libtbb.so.12`` in the environment's ``lib`` directory, which the dynamic
loader does not search.  Loading it by path before Numba picks its layer is
enough for Numba to find it; no Numba setting is changed.
"""

import ctypes
import math
import os
import site
import sys
import threading
import warnings

import numba
import numpy as np
from numba.np.ufunc import parallel as _numba_parallel

from . import _kernels

__all__ = [
    "SERIAL_BELOW",
    "num_threads",
    "runtime_info",
    "threading_layer",
    "claim_threads",
    "release_threads",
    "run_pieces",
    "fill",
    "allocate",
    "available_memory",
    "overlaps_itself",
]

# Below this many elements (eight short work items) the serial twin is
# faster than waking threads that have gone to sleep since the previous
# call, as they have in any real program (measured on 2 cores, whole calls
# with the TBB layer: 4096 elements 54 us serially, 101 us on two threads;
# 9216 elements 90 us and 142 us; about even at 16384).
SERIAL_BELOW = 8 * _kernels.SMALL_CHUNK

# Elements per thread and kernel call.  One call then takes about 10-25 ms
# at full speed and about 0.2 s on the slowest paths (partition slices made
# of short runs, which MAX_RUNS also bounds; the compat kernels), so Ctrl-C
# is answered quickly.  Each call ends with every thread waiting for the
# slowest, and starts with them waking up: a fresh 4096x4096 float32 array
# on two threads is one call, which saves about a millisecond of the two
# calls it took at 2**22.
SPAN_PER_THREAD = 1 << 23

# Elements staged per piece when the output is not filled in place (narrow
# dtypes, strided or misaligned out=): 4 MiB of float32, 8 MiB of float64.
STAGE = 1 << 20

# Runs (partition rows) per kernel call: bounds the index array at 512 KiB.
MAX_RUNS = 1 << 16

# New arrays at least this large are checked against the memory the system
# can still provide; smaller ones are left to NumPy.
CHECK_MEMORY_FROM = 1 << 30

# The starts of a whole tensor: one run, from flat index 0.  Kernels only
# read it.
_FROM_ZERO = np.zeros(1, np.int64)

# The largest byte count an array can have.
_MAX_BYTES = int(np.iinfo(np.intp).max)

_TBB_NAME = "libtbb.so.12"


# --- TBB -------------------------------------------------------------------

def _tbb_candidates():
    """Paths where a pip-installed ``tbb`` keeps its library, most likely first."""
    dirs = [sys.prefix, getattr(site, "USER_BASE", None) or "", sys.base_prefix]
    for d in dirs:
        if d:
            yield os.path.join(d, "lib", _TBB_NAME)
    try:
        from importlib import metadata

        for f in metadata.distribution("tbb").files or ():
            if f.name == _TBB_NAME:
                yield str(f.locate())
    except Exception:  # noqa: BLE001 - no tbb distribution, or unreadable metadata
        return


def _preload_tbb():
    """Load the ``tbb`` wheel's library so that Numba's TBB layer can start.

    Returns the path loaded, or None.  Skipped where it cannot matter: not
    Linux, a layer already running, or a layer other than TBB requested.
    """
    if not sys.platform.startswith("linux") or _numba_parallel._is_initialized:
        return None
    if str(numba.config.THREADING_LAYER).lower() in ("omp", "workqueue"):
        return None
    for path in _tbb_candidates():
        if os.path.isfile(path):
            try:
                ctypes.CDLL(path)
            except OSError:
                continue
            return path
    return None


TBB_LIBRARY = _preload_tbb()


# --- which layer, and is it safe here --------------------------------------

_workqueue_lock = threading.Lock()
_no_parallel = None  # why this process must not launch parallel regions
_warned = set()
_limits = []  # [n, thread id] of each active num_threads() block
_limits_lock = threading.Lock()


def _warn_once(key, message):
    if key not in _warned:
        _warned.add(key)
        warnings.warn(message, RuntimeWarning, stacklevel=4)


def threading_layer():
    """Name of the layer Numba runs parallel kernels on, or None if none loads.

    Starts Numba's threads on the first call, as any parallel kernel would.
    """
    if _numba_parallel._is_initialized:
        return _numba_parallel._threading_layer
    try:
        numba.get_num_threads()
        return numba.threading_layer()
    except ValueError:
        return None


def _after_fork_in_child():
    global _workqueue_lock, _limits_lock, _no_parallel
    # Only the forking thread lives on: locks other threads held stay held
    # forever, and their num_threads() blocks never end, unless reset here.
    _limits_lock = threading.Lock()
    me = threading.get_ident()
    _limits[:] = [entry for entry in _limits if entry[1] == me]
    if _numba_parallel._is_initialized and _numba_parallel._threading_layer == "omp":
        # GNU OpenMP's thread pool does not survive fork(): Numba's guard
        # kills a child that launches a parallel region.
        _no_parallel = "forked from a process that started GNU OpenMP"
    elif _workqueue_lock.locked():
        # Forked while a workqueue region ran in another thread: the
        # child's copy of the queue looks busy forever.
        _no_parallel = "forked while a parallel region was running"
    _workqueue_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


# --- thread counts -----------------------------------------------------------

class num_threads:
    """Limit the threads glorot_numba's kernels use, for the length of a block.

    Parameters
    ----------
    n : int
        Largest number of threads a fill may use: ``1 <= n <=
        numba.config.NUMBA_NUM_THREADS`` (Numba cannot start more threads
        than it launched).

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    ValueError
        If ``n`` is out of range.

    Notes
    -----
    The limit holds for calls made from *every* thread while the block is
    active -- unlike ``numba.set_num_threads``, which only affects the thread
    that calls it, so that a limit set in the main thread does not reach the
    workers of a thread pool.  Blocks nest and overlap: a fill uses at most
    the smallest limit in force, and at most ``numba.get_num_threads()`` of
    the thread that calls it.  Leaving the block, normally or by an
    exception, removes its limit.  Values never depend on the thread count.

    Examples
    --------
    >>> import numpy as np
    >>> import glorot_numba as gn
    >>> init = gn.GlorotNormal(seed=0)
    >>> with gn.num_threads(1):
    ...     w = init((1024, 1024))
    >>> bool(np.array_equal(w, init((1024, 1024))))
    True
    """

    def __init__(self, n):
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"n must be an integer, got {type(n).__name__} {n!r}")
        n = int(n)
        top = int(numba.config.NUMBA_NUM_THREADS)
        if not 1 <= n <= top:
            raise ValueError(
                f"n must be between 1 and NUMBA_NUM_THREADS = {top}, got {n}"
            )
        self.n = n
        self._token = None

    def __enter__(self):
        if self._token is not None:
            raise RuntimeError("this num_threads block is already active")
        self._token = [self.n, threading.get_ident()]  # identity marks this entry
        with _limits_lock:
            _limits.append(self._token)
        return self

    def __exit__(self, *exc):
        with _limits_lock:
            for i, entry in enumerate(_limits):
                if entry is self._token:
                    del _limits[i]
                    break
        self._token = None
        return False

    def __repr__(self):
        return f"num_threads({self.n})"


def _limit():
    """The smallest ``num_threads`` limit in force, or None."""
    if not _limits:
        return None
    with _limits_lock:
        return min((entry[0] for entry in _limits), default=None)


def runtime_info():
    """How fills run in this process: threading layer, threads, TBB, cache.

    Returns
    -------
    dict
        ``threading_layer`` (Numba's layer, or None if none could be
        loaded), ``parallel`` (False where parallel kernels are unsafe in
        this process, e.g. in a child forked after GNU OpenMP started),
        ``max_threads`` (``NUMBA_NUM_THREADS``), ``threads`` (what a
        large fill from this thread would use now), ``tbb_library`` (the
        path of the ``tbb`` wheel's library loaded for Numba, or None) and
        ``cache`` (whether compiled kernels are cached on disk).

    Examples
    --------
    >>> import glorot_numba as gn
    >>> info = gn.runtime_info()
    >>> sorted(info)
    ['cache', 'max_threads', 'parallel', 'tbb_library', 'threading_layer', 'threads']
    >>> 1 <= info["threads"] <= info["max_threads"]
    True
    """
    layer = threading_layer()
    return {
        "threading_layer": layer,
        "parallel": _no_parallel is None and layer is not None,
        "max_threads": int(numba.config.NUMBA_NUM_THREADS),
        "threads": _threads_wanted(layer),
        "tbb_library": TBB_LIBRARY,
        "cache": bool(_kernels.CACHED),
    }


def _num_threads():
    """``numba.get_num_threads()``, without its locks once the threads run.

    Numba's function takes two locks on every call (one of them a
    multiprocessing lock) to start the threads the first time; after that
    it only reads the calling thread's count.  Reading it directly saves a
    few percent of a small call.
    """
    if _numba_parallel._is_initialized:
        read = getattr(_numba_parallel, "_get_num_threads", None)
        n = read() if read is not None else 0
        if n > 0:
            return n
    return numba.get_num_threads()


def _threads_wanted(layer):
    if _no_parallel is not None or layer is None:
        return 1
    n = _num_threads()
    limit = _limit()
    return n if limit is None else min(n, limit)


def claim_threads(size):
    """How many threads a fill of ``size`` elements may use (1: serial twin).

    Returns ``(threads, lock, before)``, to be handed to
    :func:`release_threads` when the fill ends: the workqueue lock, held
    for the fill, and the calling thread's Numba thread count before it was
    set to ``threads``.
    """
    if size < SERIAL_BELOW or _no_parallel is not None:
        return 1, None, None
    layer = threading_layer()
    if layer is None:
        _warn_once("layer", "no Numba threading layer could be loaded; "
                            "glorot_numba runs its kernels single-threaded")
        return 1, None, None
    before = _num_threads()
    limit = _limit()
    threads = before if limit is None else min(before, limit)
    if threads <= 1:
        return 1, None, None
    lock = _workqueue_lock if layer == "workqueue" else None
    if lock is not None and not lock.acquire(blocking=False):
        return 1, None, None  # another thread is in a workqueue region
    if threads != before:
        numba.set_num_threads(threads)
    return threads, lock, before


def release_threads(threads, lock, before):
    if before is not None and threads != before:
        numba.set_num_threads(before)
    if lock is not None:
        lock.release()


# --- pieces ----------------------------------------------------------------

class Runs:
    """The flat indices in the full tensor of a slice's elements, as runs.

    Position ``p`` of the slice (C order) stands for full index
    ``start(p // run_len) + p % run_len``.  Trailing axes that the slice
    spans entirely merge into one run, so a whole tensor is one run from 0.
    The starts are computed for a range of runs at a time, so no index array
    grows with the tensor.
    """

    def __init__(self, shape, full, offset):
        ndim = len(shape)
        strides = [1] * ndim
        for a in range(ndim - 2, -1, -1):
            strides[a] = strides[a + 1] * full[a + 1]
        split = ndim - 1
        while split >= 0 and shape[split] == full[split]:
            split -= 1
        if split < 0:
            self.run_len, self._base, self._outer, self._steps = math.prod(shape), 0, (), ()
        else:
            self.run_len = shape[split] * strides[split]
            self._base = sum(o * s for o, s in zip(offset, strides))
            self._outer = tuple(shape[:split])
            self._steps = tuple(strides[:split])
        self.count = math.prod(self._outer)

    def starts(self, r0, r1):
        """``int64`` array of the starts of runs ``r0 <= r < r1``."""
        out = np.empty(r1 - r0, np.int64)
        out.fill(self._base)  # cheaper than np.full, which is Python code
        if self._outer:
            index = np.unravel_index(np.arange(r0, r1, dtype=np.int64), self._outer)
            for i, step in zip(index, self._steps):
                out += i * np.int64(step)
        return out


def _blocks(shape, limit):
    """Cover an array of ``shape`` with sub-arrays of consecutive C-order positions.

    Yields ``(index, first position, size)`` with ``size <= limit``: each
    ``index`` selects a block whose elements are positions ``first ..
    first + size - 1`` of the array in C order.
    """

    def walk(prefix, dims, first):
        total = math.prod(dims)
        if total <= limit:
            yield prefix, first, total
            return
        row = math.prod(dims[1:])
        if row <= limit:
            step = limit // row
            for i in range(0, dims[0], step):
                j = min(i + step, dims[0])
                yield prefix + (slice(i, j),), first + i * row, (j - i) * row
        else:
            for i in range(dims[0]):
                yield from walk(prefix + (i,), dims[1:], first + i * row)

    yield from walk((), tuple(shape), 0)


def _launch(kernels, threads, piece, starts, run_len, args):
    """One kernel call: ``piece`` gets the positions of runs of ``run_len`` from ``starts``."""
    n = piece.shape[0]
    if threads > 1 and n >= SERIAL_BELOW:
        # No more workers than work items: idle ones only cost wake-ups.
        workers = min(threads, -(-n // _kernels.SMALL_CHUNK))
        kernels[0](piece, starts, np.int64(run_len), *args, workers)
    else:
        kernels[1](piece, starts, np.int64(run_len), *args, 1)


def _fill_positions(kernels, threads, buf, runs, first, args):
    """Fill ``buf`` with positions ``first .. first + len(buf) - 1`` of the slice."""
    run_len = runs.run_len
    end = first + buf.shape[0]
    pos = first
    while pos < end:
        r, q = divmod(pos, run_len)
        if q or end - pos < run_len:
            n = min(run_len - q, end - pos)  # part of one run
            starts, length = runs.starts(r, r + 1), n
            starts += q
        else:
            k = min((end - pos) // run_len, MAX_RUNS)
            n = k * run_len
            starts, length = runs.starts(r, r + k), run_len
        _launch(kernels, threads, buf[pos - first:pos - first + n], starts, length, args)
        pos += n


def _fits_in_place(target, native):
    """Whether the kernels can write ``target`` directly: ``native`` dtype,
    C-contiguous and aligned."""
    return target.dtype == native and target.flags.c_contiguous and target.flags.aligned


def run_pieces(target, native, fill_positions, align=1, store=None):
    """Fill the ndarray ``target`` piece by piece, on the threads this call may use.

    ``fill_positions(threads, buf, first)`` writes C-order positions
    ``first .. first + len(buf) - 1`` of ``target`` into the 1-D ``native``
    buffer ``buf``; ``first`` is always a multiple of ``align``.  A
    C-contiguous, aligned ``target`` of dtype ``native`` (and no ``store``)
    is filled in place, ``threads * SPAN_PER_THREAD`` positions at a time;
    any other through a staging buffer of at most ``STAGE + align - 1``
    elements, each staged block then written by ``store(threads, staged,
    block)`` (default: a cast and copy).  Between calls Python gets
    control, so signals (Ctrl-C) are seen.
    """
    # Subclasses (np.matrix, ...) index and reshape by rules of their own.
    target = target if type(target) is np.ndarray else target.view(np.ndarray)
    size = target.size
    in_place = store is None and _fits_in_place(target, native)
    threads, lock, before = claim_threads(size)
    try:
        if in_place:
            flat = target.reshape(-1)
            span = threads * SPAN_PER_THREAD
            span = max(align, span - span % align)
            for first in range(0, size, span):
                fill_positions(threads, flat[first:first + span], first)
        else:
            stage = np.empty(min(size, STAGE) + align - 1, native)
            for index, first, n in _blocks(target.shape, STAGE):
                # Start at the multiple of align before ``first``; the
                # extra leading positions are computed and dropped.
                lead = first % align
                fill_positions(threads, stage[:lead + n], first - lead)
                block = target[index + (Ellipsis,)]
                if store is None:
                    block[...] = stage[lead:lead + n].reshape(block.shape)
                else:
                    store(threads, stage[lead:lead + n], block)
    finally:
        release_threads(threads, lock, before)


def fill(result, kernels, native, full, offset, args):
    """Fill ``result`` (a slice of shape ``result.shape`` at ``offset`` in ``full``).

    ``kernels`` is ``(parallel, serial)``, both called as ``kernel(out,
    starts, run_len, *args, workers)`` on 1-D ``native`` buffers.  Arrays of
    ``native`` dtype that are C-contiguous and aligned are filled in place;
    any other array through a staging buffer of at most ``STAGE`` elements
    (see :func:`run_pieces`).
    """
    size = result.size
    if (0 < size <= SPAN_PER_THREAD and result.shape == full and not any(offset)
            and type(result) is np.ndarray and _fits_in_place(result, native)):
        # The common case -- a whole tensor, in place, in one kernel call --
        # goes straight to the kernel, with the same arguments the general
        # path below would pass.  The general path's Python work is a
        # sizeable part of a small call: 8 us of 62 for a (3, 3, 64, 64)
        # float32 tensor.
        threads, lock, before = claim_threads(size)
        try:
            _launch(kernels, threads, result.reshape(-1), _FROM_ZERO, size, args)
        finally:
            release_threads(threads, lock, before)
        return
    runs = Runs(result.shape, full, offset)

    def fill_positions(threads, buf, first):
        _fill_positions(kernels, threads, buf, runs, first, args)

    run_pieces(result, native, fill_positions)


# --- memory ----------------------------------------------------------------

def _meminfo():
    try:
        with open("/proc/meminfo") as f:
            return {line.split(":")[0]: int(line.split()[1]) * 1024 for line in f
                    if line.split()[1].isdigit()}
    except (OSError, IndexError, ValueError):
        return {}


def _cgroup_room():
    try:
        with open("/sys/fs/cgroup/memory.max") as f:
            limit = f.read().strip()
        if limit == "max":
            return None
        with open("/sys/fs/cgroup/memory.current") as f:
            return int(limit) - int(f.read().strip())
    except (OSError, ValueError):
        return None


def available_memory():
    """Bytes the system can still give this process, or None if unknown (not Linux)."""
    info = _meminfo()
    if "MemAvailable" not in info:
        return None
    room = info["MemAvailable"] + info.get("SwapFree", 0)
    cgroup = _cgroup_room()
    return room if cgroup is None else min(room, cgroup)


def allocate(shape, dtype):
    """``np.empty(shape, dtype)``, refused with MemoryError if it cannot be backed.

    Linux hands out address space it has no memory for ("overcommit"):
    ``np.empty`` of more than the free memory succeeds, and the fill that
    follows gets the process killed.  Large requests are therefore checked
    against the memory still available first.
    """
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > _MAX_BYTES:
        raise ValueError(
            f"an array of shape {tuple(shape)} and dtype {dtype} is too big: "
            f"{nbytes} bytes do not fit in a memory address"
        )
    if nbytes >= CHECK_MEMORY_FROM:
        room = available_memory()
        if room is not None and nbytes > room:
            raise MemoryError(
                f"an array of shape {tuple(shape)} and dtype {dtype} needs "
                f"{nbytes / 2**30:.1f} GiB, but only {room / 2**30:.1f} GiB are available"
            )
    return np.empty(shape, dtype)


def overlaps_itself(a):
    """Whether two elements of ``a`` might share memory (conservative).

    Sorted by stride, each axis must step over everything the smaller axes
    span; arrays built with zero or interleaved strides fail this.
    """
    if a.size <= 1:
        return False
    axes = sorted((abs(s), n) for s, n in zip(a.strides, a.shape) if n > 1)
    reach = a.itemsize
    for stride, n in axes:
        if stride < reach:
            return True
        reach = stride * (n - 1) + reach
    return False
