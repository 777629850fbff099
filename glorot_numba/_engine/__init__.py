"""The sampling engine: random bits, transforms, Numba kernels, and how they run.

Everything that needs Numba or llvmlite lives in this package, and nothing
here imports from outside it (a test checks the direction).  The layers
above use the names of this module; within it, modules import downward:

==================  =========================================================
``numba_internals`` every use of Numba's and llvmlite's private surface
``philox``          Philox4x32-10: one block (a call on one counter)
``ieee``            bit-level views of floats, as LLVM intrinsics
``codegen``         the 512-bit vector hint; array views without references
``elementary``      log, sine and cosine from IEEE-exact arithmetic
``quantiles``       inverse distribution functions of truncated normals
``stream``          which Philox words each element takes, and their
                    transforms into standard samples (the stream layout)
``kinds``           the distribution a kernel draws, as an integer
``kernels``         the fill kernels of the native stream (real, complex)
``interval``        normals truncated to any interval
``tf_kernels``      TensorFlow's CPU stream, bit for bit
``cache``           the on-disk cache of compiled kernels
``threads``         threading layer, thread counts, fork safety, TBB
``pieces``          how a fill is cut into kernel calls
``memory``          allocation checks, overlap tests
==================  =========================================================

Words used with one meaning each: a *block* is one Philox call (four
32-bit words); a *tile* is 64 blocks whose words a vector loop computes
together; a *work item* is the part of a kernel call one worker handles at
a time; a *piece* is one kernel call of a fill; a *run* is a stretch of
consecutive flat indices; a *path* is the stream of a dtype class (float32,
which serves float16 and bfloat16; float64; complex64; complex128).

Which intrinsics matter for what: the bit views of :mod:`.ieee` keep the
JIT and ``NUMBA_DISABLE_JIT=1`` bit-identical (correctness);
``prefer_wide_vectors``, ``borrowed`` and ``nonzero_mask64`` only make the
kernels faster, and could be replaced by plain code if a Numba release
broke them.
"""

from __future__ import annotations

from typing import Any

# First: makes the tbb wheel's library loadable before Numba picks a layer.
from . import threads  # isort: skip
from . import interval, kernels, pieces, tf_kernels
from .kernels import params
from .kinds import INTERVAL, INTERVAL_KINDS, INVERSE_CDF, NORMAL, TAIL, TRUNCATED, UNIFORM
from .memory import allocate, available_memory, check_room, overlaps_itself
from .philox import philox4x32_10
from .pieces import launch_dynamic, run_pieces
from .threads import SERIAL_BELOW, num_threads

__all__ = [
    "UNIFORM",
    "NORMAL",
    "TRUNCATED",
    "INVERSE_CDF",
    "INTERVAL",
    "TAIL",
    "INTERVAL_KINDS",
    "SERIAL_BELOW",
    "params",
    "fill",
    "run_pieces",
    "launch_dynamic",
    "allocate",
    "available_memory",
    "check_room",
    "overlaps_itself",
    "philox4x32_10",
    "num_threads",
    "runtime_info",
    "warmup",
    "tf_kernels",
    "interval",
]


def fill(result, path, native, full, offset, key, kind, params):
    """Fill ``result``, the slice at ``offset`` of a tensor of shape ``full``.

    ``path`` is the stream of the output's dtype (``"f32"``, ``"f64"``,
    ``"c64"``, ``"c128"``), ``native`` the dtype its kernels write, ``key``
    the Philox key ``(k0, k1)`` as ``np.uint64``, ``kind`` and ``params``
    the distribution (see :func:`.kernels.params`, :func:`.interval.params`).
    This is the one place where a kernel's arguments are put together.
    """
    table = interval.KERNELS if kind in INTERVAL_KINDS else kernels.KERNELS
    pieces.fill(result, table[path], native, full, offset, (key[0], key[1], kind, params))


def warmup(compat: bool = False) -> bool:
    """Compile every kernel now (and store it in the disk cache, if enabled).

    The first call of each kernel in a process otherwise compiles it, which
    takes seconds without a warm cache.  Calling this once after installing
    (or before starting many processes at once) front-loads that work.

    Parameters
    ----------
    compat : bool, default False
        Also compile the kernels of TensorFlow's stream (``compat=``).

    Returns
    -------
    bool
        Whether the compiled kernels are cached on disk (see
        ``docs/performance.md``: ``GLOROT_NUMBA_CACHE=0`` turns caching off).

    Examples
    --------
    >>> import glorot_numba as gn
    >>> isinstance(gn.warmup(), bool)
    True
    """
    import numpy as np

    starts = np.zeros(1, np.int64)
    for native, real, path in (
        (np.float32, np.float32, "f32"),
        (np.float64, np.float64, "f64"),
        (np.complex64, np.float32, "c64"),
        (np.complex128, np.float64, "c128"),
    ):
        args = (
            np.empty(1, native),
            starts,
            np.int64(1),
            np.uint64(0),
            np.uint64(0),
            TRUNCATED,
            params(real, 1.0),
            1,
        )
        kernels.compile_kernels(kernels.KERNELS[path], args)
    cached: bool = kernels.CACHED
    if compat:
        cached = tf_kernels.compile_all() and cached
    return cached


def runtime_info() -> dict[str, Any]:
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
    import numba

    layer = threads.threading_layer()
    return {
        "threading_layer": layer,
        "parallel": threads.parallel_safe() is None and layer is not None,
        "max_threads": int(numba.config.NUMBA_NUM_THREADS),
        "threads": threads.threads_wanted(layer),
        "tbb_library": threads.TBB_LIBRARY,
        "cache": bool(kernels.CACHED),
    }
