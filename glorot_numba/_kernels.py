"""Fill kernels: write samples into a flat buffer, in parallel or serially.

A fill call gets ``out`` (1-D, float32 or float64), the flat C-order indices in
the *full* tensor that its elements stand for (as runs: ``starts[r] + t`` for
``t < run_len``), the key and a multiplier.  ``out[p]`` is the sample of full
index ``starts[p // run_len] + p % run_len``.  A whole tensor is one run from
0; a partition slice is one run per contiguous row of the slice.

Each output value is a pure function of (key, full index, path), so the
parallel kernel, its serial twin, any thread count and any split of the work
produce the same bits.  Kernels trust their arguments: the front end
validates.
"""

import numpy as np
from numba import njit, prange

from ._transforms import (
    LANES_F32,
    LANES_F64,
    normals_f32,
    normals_f64,
    uniforms_f32,
    uniforms_f64,
)

__all__ = ["KERNELS", "CHUNK"]

# Work unit of the parallel loop: large enough to amortise scheduling,
# small enough to balance two to sixteen threads on mid-sized tensors.
CHUNK = 1 << 14

_TWO_F32 = np.float32(2.0)
_TWO_F64 = np.float64(2.0)


def _make_segment(block, lanes, truncate_at):
    """Build ``segment(out, pos, idx, cnt, k0, k1, mult)``.

    It writes the samples of full indices ``idx .. idx + cnt - 1`` to
    ``out[pos .. pos + cnt - 1]``, one Philox block at a time.  With
    ``truncate_at`` set, a candidate with ``|z| >= truncate_at`` is redrawn
    from the same lane of the same block at the next attempt number.
    """
    truncate = truncate_at is not None
    limit = truncate_at if truncate else _TWO_F32

    @njit(inline="always")
    def segment(out, pos, idx, cnt, k0, k1, mult):
        end = idx + cnt
        b = idx // lanes
        first = b * lanes
        while first < end:
            ub = np.uint64(b)
            values = block(k0, k1, ub, np.uint64(0))
            for j in range(lanes):
                e = first + j
                if e >= idx and e < end:
                    z = values[j]
                    if truncate:
                        attempt = np.uint64(1)
                        while not abs(z) < limit:
                            z = block(k0, k1, ub, attempt)[j]
                            attempt += np.uint64(1)
                    out[pos + e - idx] = z * mult
            b += 1
            first += lanes

    return segment


def _make_fill(segment, parallel):
    def fill(out, starts, run_len, k0, k1, mult):
        n = out.shape[0]
        n_chunks = (n + CHUNK - 1) // CHUNK
        for c in prange(n_chunks):
            p = c * CHUNK
            stop = min(n, p + CHUNK)
            while p < stop:
                r = p // run_len
                t = p - r * run_len
                cnt = min(run_len - t, stop - p)
                segment(out, p, starts[r] + t, cnt, k0, k1, mult)
                p += cnt

    return njit(parallel=parallel)(fill) if parallel else njit(fill)


def _kernel_pair(block, lanes, truncate_at):
    segment = _make_segment(block, lanes, truncate_at)
    return _make_fill(segment, True), _make_fill(segment, False)


# (path, distribution kind) -> (parallel fill, serial twin).  Both are built
# from one Python body; the serial one is what small tensors and unsafe
# threading contexts use.
KERNELS = {
    ("f32", "truncated"): _kernel_pair(normals_f32, LANES_F32, _TWO_F32),
    ("f32", "normal"): _kernel_pair(normals_f32, LANES_F32, None),
    ("f32", "uniform"): _kernel_pair(uniforms_f32, LANES_F32, None),
    ("f64", "truncated"): _kernel_pair(normals_f64, LANES_F64, _TWO_F64),
    ("f64", "normal"): _kernel_pair(normals_f64, LANES_F64, None),
    ("f64", "uniform"): _kernel_pair(uniforms_f64, LANES_F64, None),
}
