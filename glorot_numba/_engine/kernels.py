"""Fill kernels: write samples into a flat buffer, in parallel or serially.

A fill call gets ``out`` (1-D, float32 or float64), the flat C-order indices in
the *full* tensor that its elements stand for (as runs: ``starts[r] + t`` for
``t < run_len``), the key, the distribution ``kind`` and its ``params``
``(mult, shift, lo, hi)`` (see :func:`params`).  ``out[p]`` becomes the
sample of full index ``starts[p // run_len] + p % run_len``, as ``sample *
mult + shift``.  A whole tensor is one run from 0; a partition slice is one
run per contiguous row of the slice.

Work goes in chunks of ``CHUNK`` output positions (the parallel unit).  In a
chunk, whole tiles of the stream (see :mod:`._transforms`) are computed by a
branch-free loop over Philox blocks that LLVM vectorises; it also flags the
truncated-normal candidates outside the window ``(lo, hi)``.  Everything
else -- elements of partial tiles at the ends of a run, and flagged elements
at their next attempt -- goes through a list that a second vectorised loop
evaluates one element at a time, repeated until no candidate is rejected.

Complex kernels (``out`` complex64 or complex128) draw every element in
polar form from its own Philox words, with no redraws: per chunk, one loop
gathers the words, a second turns them into values.

Each output value is a pure function of (key, full index, path), so the
parallel kernel, its serial twin, any thread count and any split of the work
produce the same bits.  Kernels trust their arguments: the front end
validates.
"""

import numpy as np
from numba import njit, prange, typeof, types
from numba.extending import overload

from .cache import enable_caching
from .codegen import borrowed, prefer_wide_vectors
from .ieee import nonzero_mask64, trailing_zeros
from .kinds import INVERSE_CDF, TRUNCATED, UNIFORM
from .quantiles import trunc2_f32, trunc2_f64
from .stream import (
    EXP_TRUNCATION_F32,
    EXP_TRUNCATION_F64,
    PATH_F32,
    PATH_F64,
    PATH_ICDF_F32,
    PATH_ICDF_F64,
    TILE_BLOCKS,
    TILE_F32,
    TILE_F64,
    block_words,
    complex_bits_c128,
    complex_words_c64,
    element_f64,
    element_words_f32,
    element_words_f64,
    normal_pair_f32,
    normal_pair_from_bits_f64,
    polar_f32,
    polar_f64,
    uniform_f32,
    uniform_f64,
)

__all__ = ["CHUNK", "SMALL_CHUNK", "KERNELS", "CACHED", "params", "shifted", "compile_kernels"]

# Positions per work item: multiples of both tile sizes.  Long items make
# long list passes (whose vector loops then run at speed), and CHUNK bounds
# the scratch buffers (a few hundred KiB per worker, in L2).  Real kernels
# give each worker an equal share and go through it item by item; the
# complex kernels deal whole items round-robin, short ones (SMALL_CHUNK)
# for tensors too small to give each worker four long items.  SMALL_CHUNK
# is also the least work worth a thread of its own (see .threads).
CHUNK = 8192
SMALL_CHUNK = 2048


_U1 = np.uint64(1)
_U32 = np.uint64(32)
_MASK32 = np.uint64(0xFFFFFFFF)
_B1 = TILE_BLOCKS
_B2 = 2 * TILE_BLOCKS
_B3 = 3 * TILE_BLOCKS


def params(real, mult, shift=None, lo=-2.0, hi=2.0):
    """The ``params`` argument of every kernel: ``(mult, shift, lo, hi)``.

    A standard sample ``z`` (uniform on (-1, 1), or normal) is written as
    ``z * mult + shift``; truncated normals keep the candidates with ``lo <
    z < hi``.  Each is a ``real``, the path's float type (the component type
    of complex paths, where ``shift`` moves the real part and the window is
    unused), except a ``shift`` of None: no shift, for which the kernels
    are compiled without the addition.
    """
    return real(mult), None if shift is None else real(shift), real(lo), real(hi)


def shifted(x, shift):
    """``x + shift``, or ``x`` for a shift of None."""
    return x if shift is None else x + shift


@overload(shifted, inline="always")
def _shifted_jit(x, shift):
    # Chosen by type when a kernel compiles: kernels without a shift have
    # no addition at all.
    if isinstance(shift, types.NoneType):
        return lambda x, shift: x
    return lambda x, shift: x + shift


@njit(inline="always")
def _tile_f32(out, words, bits, t, k0, k1, kind, params):
    """Tile ``t``, attempt 0, as ``sample * mult + shift``, into ``out[:TILE_F32]``.

    For truncated normals, ``words[i]`` is left 1 where candidate ``i`` is
    outside the window ``(lo, hi)`` (its slot in ``out`` then holds a
    placeholder), else 0.  ``bits`` is unused: the float64 tile, which
    shares this signature, needs it.
    """
    mult, shift, lo, hi = params
    # Two loops: Philox works on 64-bit lanes and vectorises 8 wide, the
    # float32 transforms 16 wide; `words` (in the order w0, w2, w1, w3)
    # hands the bits over in L1.  Indices are provably non-negative (views
    # start at the tile), so Numba's wraparound code folds away, and each
    # loop touches at most two arrays, within LLVM's runtime alias checks.
    b0 = t * TILE_BLOCKS
    path = PATH_ICDF_F32 if kind == INVERSE_CDF else PATH_F32
    for b in range(TILE_BLOCKS):
        w0, w1, w2, w3 = block_words(k0, k1, b0 + b, 0, path)
        words[b] = np.uint32(w0)
        words[_B1 + b] = np.uint32(w2)
        words[_B2 + b] = np.uint32(w1)
        words[_B3 + b] = np.uint32(w3)
    if kind == UNIFORM:
        for i in range(TILE_F32):
            out[i] = shifted(uniform_f32(np.uint64(words[i])) * mult, shift)
    elif kind == INVERSE_CDF:
        for i in range(TILE_F32):
            out[i] = shifted(trunc2_f32(np.uint64(words[i])) * mult, shift)
    else:
        for i in range(_B2):
            zc, zs = normal_pair_f32(np.uint64(words[i]), np.uint64(words[_B2 + i]))
            out[i] = shifted(zc * mult, shift)
            out[_B2 + i] = shifted(zs * mult, shift)
            words[i] = not (zc > lo and zc < hi)
            words[_B2 + i] = not (zs > lo and zs < hi)


@njit(inline="always")
def _tile_f64(out, words, bits, t, k0, k1, kind, params):
    """Tile ``t``, attempt 0, as ``sample * mult + shift``, into
    ``out[:TILE_F64]``; flags as in :func:`_tile_f32`."""
    mult, shift, lo, hi = params
    b0 = t * TILE_BLOCKS
    if kind == UNIFORM:
        for b in range(TILE_BLOCKS):
            w0, w1, w2, w3 = block_words(k0, k1, b0 + b, 0, PATH_F64)
            out[b] = shifted(uniform_f64(w0, w1) * mult, shift)
            out[_B1 + b] = shifted(uniform_f64(w2, w3) * mult, shift)
    elif kind == INVERSE_CDF:
        # Philox and the transform in separate loops, as below.
        for b in range(TILE_BLOCKS):
            w0, w1, w2, w3 = block_words(k0, k1, b0 + b, 0, PATH_ICDF_F64)
            bits[b] = (w0 << _U32) | w1
            bits[_B1 + b] = (w2 << _U32) | w3
        for i in range(TILE_F64):
            out[i] = shifted(trunc2_f64(bits[i] >> _U32, bits[i] & _MASK32) * mult, shift)
    else:
        # As in _tile_f32, Philox and the transform run in separate loops,
        # each at its own vector width; `bits` holds the 64-bit words between.
        # (Not `out` itself: LLVM cannot tell that reading and writing the
        # same element through two arrays is safe, and would not vectorise.)
        for b in range(TILE_BLOCKS):
            w0, w1, w2, w3 = block_words(k0, k1, b0 + b, 0, PATH_F64)
            bits[b] = (w0 << _U32) | w1
            bits[_B1 + b] = (w2 << _U32) | w3
        for b in range(TILE_BLOCKS):
            z0, z1 = normal_pair_from_bits_f64(bits[b], bits[_B1 + b])
            out[b] = shifted(z0 * mult, shift)
            out[_B1 + b] = shifted(z1 * mult, shift)
            words[b] = not (z0 > lo and z0 < hi)
            words[_B1 + b] = not (z1 > lo and z1 < hi)


@njit(inline="always")
def _scratch(out, length):
    """Per-worker buffers: a tile's Philox words (and, on the float64 path,
    its 64-bit words); the list (output position, element index, attempt)
    of pending candidates, which never holds more entries than a work item
    (``length``) has positions; and the list pass's intermediate words and
    values."""
    # Sized by the work item, not by CHUNK: small fills then touch (and
    # page in) a quarter of the memory, which shows in their call time.
    return (
        np.empty(TILE_F32, np.uint32),
        np.empty(TILE_F64, np.uint64),
        np.empty(length, np.int64),
        np.empty(length, np.int64),
        np.empty(length, np.int64),
        np.empty((3, length), np.uint32),
        np.empty(length, out.dtype),
    )


@njit(inline="always")
def _list_f32(elem, tries, m, k0, k1, kind, words, values):
    """``values[j]`` = candidate ``tries[j]`` of element ``elem[j]``, j < m."""
    # As in a tile: Philox (64-bit lanes) and the float32 transform (32-bit
    # lanes) in separate loops, so that the second one vectorises 16 wide.
    radius, angle, second = words[0], words[1], words[2]
    path = PATH_ICDF_F32 if kind == INVERSE_CDF else PATH_F32
    for j in range(m):
        wr, wa, sine = element_words_f32(k0, k1, elem[j], tries[j], path)
        radius[j] = np.uint32(wr)
        angle[j] = np.uint32(wa)
        second[j] = sine
    if kind == UNIFORM:
        for j in range(m):
            w = angle[j] if second[j] else radius[j]
            values[j] = uniform_f32(np.uint64(w))
    elif kind == INVERSE_CDF:
        for j in range(m):
            w = angle[j] if second[j] else radius[j]
            values[j] = trunc2_f32(np.uint64(w))
    else:
        for j in range(m):
            zc, zs = normal_pair_f32(np.uint64(radius[j]), np.uint64(angle[j]))
            values[j] = zs if second[j] else zc


@njit(inline="always")
def _list_f64(elem, tries, m, k0, k1, kind, words, values):
    """``values[j]`` = candidate ``tries[j]`` of element ``elem[j]``, j < m."""
    if kind == INVERSE_CDF:
        for j in range(m):
            hi, lo = element_words_f64(k0, k1, elem[j], tries[j], PATH_ICDF_F64)
            values[j] = trunc2_f64(hi, lo)
    else:
        for j in range(m):
            values[j] = element_f64(k0, k1, elem[j], tries[j], kind == UNIFORM)


@njit(inline="always")
def _chunk(out, starts, run_len, k0, k1, kind, params, p0, size, scratch, tile, tile_fn, list_fn):
    """Fill positions ``[p0, p0 + size)`` of ``out`` (``size <= CHUNK``)."""
    words, bits, todo_pos, todo_elem, todo_try, list_words, values = scratch
    mult, shift, lo, hi = params
    m = 0
    p = p0
    while p < p0 + size:
        r = p // run_len
        e = starts[r] + (p - r * run_len)
        cnt = min(run_len - (p - r * run_len), p0 + size - p)
        # Whole tiles of this run piece go to the vector loop; the ragged
        # ends join the list at attempt 0.
        t_first = (e + tile - 1) // tile
        t_end = (e + cnt) // tile
        if t_end <= t_first:
            t_first = t_end = 0
            head = cnt
        else:
            head = t_first * tile - e
        for i in range(head):
            todo_pos[m] = p + i
            todo_elem[m] = e + i
            todo_try[m] = 0
            m += 1
        body = (t_end - t_first) * tile
        for t in range(t_first, t_end):
            o = p + head + (t - t_first) * tile
            tile_fn(borrowed(out, o, o + tile), words, bits, t, k0, k1, kind, params)
            if kind == TRUNCATED:
                for g in range(0, tile, 64):
                    # Gather 64 flags into a word, then list the ~3
                    # rejected candidates by walking its set bits.  (``i``
                    # is an int64 here and an int elsewhere: Numba unifies
                    # the two, Python's typing does not.)
                    mask = nonzero_mask64(words, g)
                    while mask:
                        i = np.int64(trailing_zeros(mask))  # type: ignore[assignment]
                        todo_pos[m] = o + g + i
                        todo_elem[m] = t * tile + g + i
                        todo_try[m] = 1
                        m += 1
                        mask &= mask - _U1
        for i in range(head + body, cnt):
            todo_pos[m] = p + i
            todo_elem[m] = e + i
            todo_try[m] = 0
            m += 1
        p += cnt
    while m > 0:
        list_fn(todo_elem, todo_try, m, k0, k1, kind, list_words, values)
        kept = 0
        for j in range(m):
            z = values[j]
            out[todo_pos[j]] = shifted(z * mult, shift)
            todo_pos[kept] = todo_pos[j]
            todo_elem[kept] = todo_elem[j]
            todo_try[kept] = todo_try[j] + 1
            kept += kind == TRUNCATED and not (z > lo and z < hi)
        m = kept


@njit(inline="always")
def _fill(out, starts, run_len, k0, k1, kind, params, worker, workers, tile, tile_fn, list_fn):
    prefer_wide_vectors()
    # Each worker takes one contiguous range, an equal share cut at a
    # multiple of the tile, and goes through it in work items of at most
    # CHUNK positions, allocating its scratch once.  It then faults in the
    # pages of a new array (2 MiB huge pages) on its own, not in step with
    # the other workers.
    n = out.shape[0]
    units = (n + tile - 1) // tile
    first = min(n, worker * units // workers * tile)
    end = min(n, (worker + 1) * units // workers * tile)
    scratch = _scratch(out, min(CHUNK, max(end - first, 1)))
    for p0 in range(first, end, CHUNK):
        _chunk(
            out,
            starts,
            run_len,
            k0,
            k1,
            kind,
            params,
            p0,
            min(end, p0 + CHUNK) - p0,
            scratch,
            tile,
            tile_fn,
            list_fn,
        )


@njit(parallel=True)
def fill_f32(out, starts, run_len, k0, k1, kind, params, workers):
    for w in prange(workers):
        _fill(
            out, starts, run_len, k0, k1, kind, params, w, workers, TILE_F32, _tile_f32, _list_f32
        )


@njit
def fill_f32_serial(out, starts, run_len, k0, k1, kind, params, workers):
    _fill(out, starts, run_len, k0, k1, kind, params, 0, 1, TILE_F32, _tile_f32, _list_f32)


@njit(parallel=True)
def fill_f64(out, starts, run_len, k0, k1, kind, params, workers):
    for w in prange(workers):
        _fill(
            out, starts, run_len, k0, k1, kind, params, w, workers, TILE_F64, _tile_f64, _list_f64
        )


@njit
def fill_f64_serial(out, starts, run_len, k0, k1, kind, params, workers):
    _fill(out, starts, run_len, k0, k1, kind, params, 0, 1, TILE_F64, _tile_f64, _list_f64)


@njit(inline="always")
def _complex_fill(
    flat,
    starts,
    run_len,
    k0,
    k1,
    kind,
    params,
    worker,
    workers,
    scratch,
    words_fn,
    polar_fn,
    truncation,
    zero,
    one,
):
    """Elements ``p`` of a complex output whose components are ``flat[2p]``
    and ``flat[2p + 1]``, in the chunks of ``worker``."""
    prefer_wide_vectors()
    radius, angle, re, im = scratch
    # The shift moves the real part only (a real mean); lo and hi are
    # unused: the truncation bounds the modulus.
    mult, shift, lo, hi = params
    n = flat.shape[0] // 2
    length = CHUNK if n >= 4 * workers * CHUNK else SMALL_CHUNK
    lo, span = truncation if kind == TRUNCATED else (zero, one)
    for c in range(worker, (n + length - 1) // length, workers):
        p = c * length
        end = min(n, p + length)
        while p < end:
            r = p // run_len
            t = p - r * run_len
            cnt = min(run_len - t, end - p)
            off = words_fn(k0, k1, starts[r] + t, cnt, radius, angle)
            # The transform writes two plain arrays and a last loop
            # interleaves them: stores to flat[2j], flat[2j + 1] from the
            # transform loop itself keep it from vectorising (5x slower).
            if kind == UNIFORM:
                for j in range(cnt):
                    x, y = polar_fn(radius[off + j], angle[off + j], lo, span, False)
                    re[j] = shifted(x * mult, shift)
                    im[j] = y * mult
            else:
                for j in range(cnt):
                    x, y = polar_fn(radius[off + j], angle[off + j], lo, span, True)
                    re[j] = shifted(x * mult, shift)
                    im[j] = y * mult
            for j in range(cnt):
                flat[2 * (p + j)] = re[j]
                flat[2 * (p + j) + 1] = im[j]
            p += cnt


@njit(inline="always")
def _polar_c64(wr, wa, lo, span, take_log):
    return polar_f32(np.uint64(wr), np.uint64(wa), lo, span, take_log)


@njit(inline="always")
def _scratch_c64():
    return (
        np.empty(CHUNK + 2, np.uint32),
        np.empty(CHUNK + 2, np.uint32),
        np.empty(CHUNK, np.float32),
        np.empty(CHUNK, np.float32),
    )


@njit(inline="always")
def _scratch_c128():
    return (
        np.empty(CHUNK, np.uint64),
        np.empty(CHUNK, np.uint64),
        np.empty(CHUNK, np.float64),
        np.empty(CHUNK, np.float64),
    )


@njit(parallel=True)
def fill_c64(out, starts, run_len, k0, k1, kind, params, workers):
    flat = out.view(np.float32)
    for w in prange(workers):
        _complex_fill(
            flat,
            starts,
            run_len,
            k0,
            k1,
            kind,
            params,
            w,
            workers,
            _scratch_c64(),
            complex_words_c64,
            _polar_c64,
            EXP_TRUNCATION_F32,
            np.float32(0.0),
            np.float32(1.0),
        )


@njit
def fill_c64_serial(out, starts, run_len, k0, k1, kind, params, workers):
    _complex_fill(
        out.view(np.float32),
        starts,
        run_len,
        k0,
        k1,
        kind,
        params,
        0,
        1,
        _scratch_c64(),
        complex_words_c64,
        _polar_c64,
        EXP_TRUNCATION_F32,
        np.float32(0.0),
        np.float32(1.0),
    )


@njit(parallel=True)
def fill_c128(out, starts, run_len, k0, k1, kind, params, workers):
    flat = out.view(np.float64)
    for w in prange(workers):
        _complex_fill(
            flat,
            starts,
            run_len,
            k0,
            k1,
            kind,
            params,
            w,
            workers,
            _scratch_c128(),
            complex_bits_c128,
            polar_f64,
            EXP_TRUNCATION_F64,
            np.float64(0.0),
            np.float64(1.0),
        )


@njit
def fill_c128_serial(out, starts, run_len, k0, k1, kind, params, workers):
    _complex_fill(
        out.view(np.float64),
        starts,
        run_len,
        k0,
        k1,
        kind,
        params,
        0,
        1,
        _scratch_c128(),
        complex_bits_c128,
        polar_f64,
        EXP_TRUNCATION_F64,
        np.float64(0.0),
        np.float64(1.0),
    )


# path -> (parallel kernel, serial twin).
KERNELS = {
    "f32": (fill_f32, fill_f32_serial),
    "f64": (fill_f64, fill_f64_serial),
    "c64": (fill_c64, fill_c64_serial),
    "c128": (fill_c128, fill_c128_serial),
}

CACHED = enable_caching(
    [
        fill_f32,
        fill_f32_serial,
        fill_f64,
        fill_f64_serial,
        fill_c64,
        fill_c64_serial,
        fill_c128,
        fill_c128_serial,
    ]
)


def compile_kernels(kernels, args):
    """Compile (or load from the cache) each of ``kernels`` for ``args``.

    Compiled, not run: a parallel launch is not safe in every process (a
    child forked after GNU OpenMP started).
    """
    for kernel in kernels:
        if hasattr(kernel, "compile"):  # absent with NUMBA_DISABLE_JIT
            kernel.compile(tuple(typeof(a) for a in args))
