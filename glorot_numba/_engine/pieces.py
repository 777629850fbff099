"""Pieces: how a fill is cut into kernel calls, and how a call is made.

Every output element is a pure function of its flat index, so any split of
the index range gives the same bits.  A fill runs in pieces, so that Ctrl-C
is seen between them (Python runs signal handlers only between bytecodes,
never inside a kernel call) and a cast to a narrow dtype or a strided
``out=`` needs one piece-sized buffer, never a full-size one.
"""

import math

import numba
import numpy as np

from . import threads as _threads
from .kernels import SMALL_CHUNK

__all__ = [
    "SPAN_PER_THREAD",
    "STAGE",
    "MAX_RUNS",
    "Runs",
    "use_parallel",
    "launch",
    "launch_dynamic",
    "run_pieces",
    "fill",
]

# Elements per thread and kernel call.  One call then takes about 10-25 ms
# at full speed and about half a second on the slowest paths (partition slices made
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

# The starts of a whole tensor: one run, from flat index 0.  Kernels only
# read it.
_FROM_ZERO = np.zeros(1, np.int64)


class Runs:
    """The flat indices in the full tensor of a slice's elements, as runs.

    Position ``p`` of the slice (C order) stands for full index
    ``start(p // run_len) + p % run_len``.  Trailing axes that the slice
    spans entirely merge into one run, so a whole tensor is one run from 0.
    The starts are computed for a range of runs at a time, so no index array
    grows with the tensor.
    """

    # The axes before the merged run, and the full-index step of each.
    _outer: tuple[int, ...]
    _steps: tuple[int, ...]

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


def _stage_slices(shape, limit):
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


def use_parallel(threads, n):
    """Whether a call of ``n`` positions on ``threads`` threads is worth the
    parallel kernel (else its serial twin runs)."""
    return threads > 1 and n >= _threads.SERIAL_BELOW


def launch_dynamic(kernels, threads, n, args):
    """``parallel(*args)`` of ``kernels = (parallel, serial)`` if
    :func:`use_parallel`, with Numba's dynamic scheduling (one iteration at
    a time, for kernels whose iterations take unequal times); else
    ``serial(*args)``."""
    if use_parallel(threads, n):
        # The setting holds for this call only: Numba keeps it per calling
        # thread.
        before = numba.set_parallel_chunksize(1)
        try:
            kernels[0](*args)
        finally:
            numba.set_parallel_chunksize(before)
    else:
        kernels[1](*args)


def launch(kernels, threads, piece, starts, run_len, args):
    """One kernel call: ``piece`` gets the positions of runs of ``run_len`` from ``starts``."""
    n = piece.shape[0]
    if use_parallel(threads, n):
        # No more workers than work items: idle ones only cost wake-ups.
        workers = min(threads, -(-n // SMALL_CHUNK))
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
        launch(kernels, threads, buf[pos - first : pos - first + n], starts, length, args)
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
    threads, lock, before = _threads.claim_threads(size)
    try:
        if in_place:
            flat = target.reshape(-1)
            span = threads * SPAN_PER_THREAD
            span = max(align, span - span % align)
            for first in range(0, size, span):
                fill_positions(threads, flat[first : first + span], first)
        else:
            stage = np.empty(min(size, STAGE) + align - 1, native)
            for index, first, n in _stage_slices(target.shape, STAGE):
                # Start at the multiple of align before ``first``; the
                # extra leading positions are computed and dropped.
                lead = first % align
                fill_positions(threads, stage[: lead + n], first - lead)
                block = target[index + (Ellipsis,)]
                if store is None:
                    block[...] = stage[lead : lead + n].reshape(block.shape)
                else:
                    store(threads, stage[lead : lead + n], block)
    finally:
        _threads.release_threads(threads, lock, before)


def fill(result, kernels, native, full, offset, args):
    """Fill ``result`` (a slice of shape ``result.shape`` at ``offset`` in ``full``).

    ``kernels`` is ``(parallel, serial)``, both called as ``kernel(out,
    starts, run_len, *args, workers)`` on 1-D ``native`` buffers.  Arrays of
    ``native`` dtype that are C-contiguous and aligned are filled in place;
    any other array through a staging buffer of at most ``STAGE`` elements
    (see :func:`run_pieces`).
    """
    size = result.size
    if (
        0 < size <= SPAN_PER_THREAD
        and result.shape == full
        and not any(offset)
        and type(result) is np.ndarray
        and _fits_in_place(result, native)
    ):
        # The common case -- a whole tensor, in place, in one kernel call --
        # goes straight to the kernel, with the same arguments the general
        # path below would pass.  The general path's Python work is a
        # sizeable part of a small call: 8 us of 62 for a (3, 3, 64, 64)
        # float32 tensor.
        threads, lock, before = _threads.claim_threads(size)
        try:
            launch(kernels, threads, result.reshape(-1), _FROM_ZERO, size, args)
        finally:
            _threads.release_threads(threads, lock, before)
        return
    runs = Runs(result.shape, full, offset)

    def fill_positions(threads, buf, first):
        _fill_positions(kernels, threads, buf, runs, first, args)

    run_pieces(result, native, fill_positions)
