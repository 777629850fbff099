"""Threads: which layer Numba runs kernels on, whether it is safe here, how many.

Numba's parallel runtime has sharp edges that a library must not pass on:

* the ``workqueue`` layer aborts the process when two threads launch
  parallel regions at the same time;
* GNU OpenMP (the ``omp`` layer on Linux) terminates a forked child that
  launches a parallel region after its parent started OpenMP;
* ``numba.set_num_threads`` is per thread: a limit set in one thread does
  not reach worker threads.

Every output element is a pure function of its flat index, so the serial
twin of a kernel and any thread count give the same bits.  This module
spends that freedom: :func:`claim_threads` gives a fill the serial twin
where the parallel kernel is unsafe.

It also makes Numba's TBB layer -- the one that is both thread- and
fork-safe -- loadable after a plain ``pip install``: the ``tbb`` wheel puts
``libtbb.so.12`` in the environment's ``lib`` directory, which the dynamic
loader does not search.  Loading it by path before Numba picks its layer is
enough for Numba to find it; no Numba setting is changed.  This module is
imported first by the engine for that reason.
"""

from __future__ import annotations

import ctypes
import os
import site
import sys
import threading
import warnings
from typing import Any, Literal

import numba
import numpy as np

from . import numba_internals
from .kernels import SMALL_CHUNK

__all__ = [
    "SERIAL_BELOW",
    "TBB_LIBRARY",
    "num_threads",
    "threading_layer",
    "parallel_safe",
    "threads_wanted",
    "claim_threads",
    "release_threads",
]

# Below this many elements (eight short work items) the serial twin is
# faster than waking threads that have gone to sleep since the previous
# call, as they have in any real program (measured on 2 cores, whole calls
# with the TBB layer: 4096 elements 54 us serially, 101 us on two threads;
# 9216 elements 90 us and 142 us; about even at 16384).
SERIAL_BELOW = 8 * SMALL_CHUNK

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
    if not sys.platform.startswith("linux") or numba_internals.threads_started():
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
_no_parallel: str | None = None  # why this process must not launch parallel regions
_warned: set[str] = set()
_limits: list[list[int]] = []  # [n, thread id] of each active num_threads() block
_limits_lock = threading.Lock()


def _warn_once(key, message):
    if key not in _warned:
        _warned.add(key)
        warnings.warn(message, RuntimeWarning, stacklevel=4)


def threading_layer():
    """Name of the layer Numba runs parallel kernels on, or None if none loads.

    Starts Numba's threads on the first call, as any parallel kernel would.
    """
    if numba_internals.threads_started():
        return numba_internals.running_layer()
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
    if numba_internals.threads_started() and numba_internals.running_layer() == "omp":
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

    def __init__(self, n: int | np.integer[Any]) -> None:
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"n must be an integer, got {type(n).__name__} {n!r}")
        n = int(n)
        top = int(numba.config.NUMBA_NUM_THREADS)
        if not 1 <= n <= top:
            raise ValueError(f"n must be between 1 and NUMBA_NUM_THREADS = {top}, got {n}")
        self.n = n
        self._token: list[int] | None = None

    def __enter__(self) -> num_threads:
        if self._token is not None:
            raise RuntimeError("this num_threads block is already active")
        self._token = [self.n, threading.get_ident()]  # identity marks this entry
        with _limits_lock:
            _limits.append(self._token)
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        with _limits_lock:
            for i, entry in enumerate(_limits):
                if entry is self._token:
                    del _limits[i]
                    break
        self._token = None
        return False

    def __repr__(self) -> str:
        return f"num_threads({self.n})"


def _limit():
    """The smallest ``num_threads`` limit in force, or None."""
    if not _limits:
        return None
    with _limits_lock:
        return min((entry[0] for entry in _limits), default=None)


def parallel_safe():
    """None if parallel kernels may run in this process, else why not."""
    return _no_parallel


def _num_threads():
    """``numba.get_num_threads()``, without its locks once the threads run.

    Numba's function takes two locks on every call (one of them a
    multiprocessing lock) to start the threads the first time; after that
    it only reads the calling thread's count.  Reading it directly saves a
    few percent of a small call.
    """
    n = numba_internals.thread_count_unlocked()
    return n if n > 0 else numba.get_num_threads()


def threads_wanted(layer):
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
        _warn_once(
            "layer",
            "no Numba threading layer could be loaded; "
            "glorot_numba runs its kernels single-threaded",
        )
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
