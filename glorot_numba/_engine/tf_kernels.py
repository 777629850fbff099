"""TensorFlow's CPU random-number kernels, reproduced bit for bit.

These kernels serve ``compat=`` (see :mod:`._tf_compat`).  They follow the
algorithm of TensorFlow's CPU ``TruncatedNormal``, ``RandomStandardNormal``
and ``RandomUniform`` ops (and their stateless twins), which all fill a tensor
group by group from one Philox4x32-10 generator:

* the tensor is cut into groups of ``G`` consecutive outputs (C order):
  ``G = 4`` for float32, float16 and bfloat16, ``G = 2`` for float64; the
  last group is generated whole and cut short;
* normal and uniform groups use exactly one Philox call, group ``g`` at
  counter ``base + g``;
* truncated-normal groups need a variable number of calls, so group ``g``
  starts at counter ``base + g * 256 * G / 4`` and draws calls from there
  until it has ``G`` accepted values;
* words become uniforms on [0, 1) through the mantissa of a float in
  [1, 2): 23 bits (float32), 52 bits from two words (float64), and, for
  *uniform* float16 / bfloat16 output, 10 / 7 bits of each word;
* Box-Muller takes two uniforms (four words for float64), clamps the radius
  uniform below at 1e-7, computes the angle as the float64 product
  ``2 pi * u`` rounded to the path type, and returns ``(r sin, r cos)`` in
  that order; for the truncated normal each of the two is kept iff its
  absolute value is below 2.

Since every group starts from a counter computed from its index, the work is
split into runs of whole groups (``CHUNK_GROUPS`` each, handed to whichever
thread is free) and the bits do not depend on the split.

float32 Box-Muller uses the platform's ``logf``, ``sinf`` and ``cosf`` (the
single-precision ``math`` functions lower to them), as TensorFlow's build
does; float64 uses ``log``, ``sin`` and ``cos``.  On glibc x86-64 Linux these
are the functions TensorFlow's Linux wheels call, hence equal bits.  Kernels
trust their arguments: the front end validates.
"""

import ctypes
import ctypes.util
import math

import numba
import numpy as np
from numba import njit, prange, types

from .cache import enable_caching
from .ieee import bitcast
from .kernels import compile_kernels
from .kinds import NORMAL, TRUNCATED, UNIFORM
from .philox import philox_block

__all__ = ["GROUP", "STEP", "CHUNK_GROUPS", "KERNELS", "CACHED", "compile_all"]

# Outputs per group, by path.
GROUP = {"f32": 4, "f64": 2}

# Groups per work item: 8192 float32 outputs, a few microseconds of work.
CHUNK_GROUPS = 2048
# Elements per work item of the float16 / bfloat16 arithmetic pass.
FINISH_ITEM = 16384
# Groups whose first Philox calls are computed together, in one vector loop
# (a batch; the native stream's tiles are another thing).
BATCH = 64
_T1 = BATCH
_T2 = 2 * BATCH
_T3 = 3 * BATCH

_U0 = np.uint64(0)
_U1 = np.uint64(1)
_U32 = np.uint64(32)
_U13 = np.uint32(13)
_U16 = np.uint32(16)
_MASK32 = np.uint64(0xFFFFFFFF)
_MASK23 = np.uint64(0x7FFFFF)
_MASK20 = np.uint64(0xFFFFF)
# Philox calls reserved per truncated-normal group: 256 per 4 outputs.
_SKIP_F32 = np.uint64(256)
_SKIP_F64 = np.uint64(128)
# Counters from one group's first Philox call to the next group's, by path
# and kind (the kernels' group ``g`` starts at ``base + g * step``).
STEP = {("f32", TRUNCATED): int(_SKIP_F32), ("f64", TRUNCATED): int(_SKIP_F64)}

_F32_2M23 = np.float32(2.0**-23)
_F32_EPS = np.float32(1e-7)
_F32_MINUS2 = np.float32(-2.0)
_F32_TWO = np.float32(2.0)
_F32_2M24 = np.float32(2.0**-24)
_F32_2M14 = np.float32(2.0**-14)
_F32_2P23 = np.float32(2.0**23)
_F32_2P24 = np.float32(2.0**24)
_F64_2M52 = np.float64(2.0**-52)
_F64_EPS = np.float64(1e-7)
_F64_MINUS2 = np.float64(-2.0)
_F64_TWO = np.float64(2.0)
# 2.0f * M_PI in C: the float 2 is promoted, the product is exact in double.
_TWO_PI = np.float64(2.0 * math.pi)


if numba.config.DISABLE_JIT:

    def _f32_bits(x):
        return np.float32(x).view(np.uint32)

    def _f32_from_bits(b):
        return np.uint32(b).view(np.float32)

    # Interpreted, ``math.log`` of a float32 would run in double precision;
    # call the C library's single-precision functions instead.
    _libm = ctypes.CDLL(ctypes.util.find_library("m") or None)
    for _name in ("logf", "sinf", "cosf"):
        getattr(_libm, _name).restype = ctypes.c_float
        getattr(_libm, _name).argtypes = [ctypes.c_float]

    def _logf(x):
        return np.float32(_libm.logf(x))

    def _sinf(x):
        return np.float32(_libm.sinf(x))

    def _cosf(x):
        return np.float32(_libm.cosf(x))

else:
    _f32_bits = bitcast(types.float32, types.uint32)
    _f32_from_bits = bitcast(types.uint32, types.float32)

    @njit(inline="always")
    def _logf(x):
        return math.log(x)

    @njit(inline="always")
    def _sinf(x):
        return math.sin(x)

    @njit(inline="always")
    def _cosf(x):
        return math.cos(x)


@njit(inline="always")
def _counter_add(c0, c1, c2, c3, n):
    """The 128-bit counter ``(c0, c1, c2, c3)`` (low word first) plus ``n``."""
    s = c0 + (n & _MASK32)
    c0 = s & _MASK32
    s = c1 + (n >> _U32) + (s >> _U32)
    c1 = s & _MASK32
    s = c2 + (s >> _U32)
    c2 = s & _MASK32
    c3 = (c3 + (s >> _U32)) & _MASK32
    return c0, c1, c2, c3


@njit(inline="always")
def _box_muller_f32(x0, x1):
    u1 = np.float32(x0 & _MASK23) * _F32_2M23
    if u1 < _F32_EPS:
        u1 = _F32_EPS
    v1 = np.float32(_TWO_PI * np.float64(np.float32(x1 & _MASK23) * _F32_2M23))
    u2 = np.sqrt(_F32_MINUS2 * _logf(u1))
    return _sinf(v1) * u2, _cosf(v1) * u2


@njit(inline="always")
def _u64_to_f64(hi, lo):
    return np.float64(((hi & _MASK20) << _U32) | lo) * _F64_2M52


@njit(inline="always")
def _box_muller_f64(x0, x1, x2, x3):
    u1 = _u64_to_f64(x0, x1)
    if u1 < _F64_EPS:
        u1 = _F64_EPS
    v1 = _TWO_PI * _u64_to_f64(x2, x3)
    u2 = np.sqrt(_F64_MINUS2 * math.log(u1))
    return math.sin(v1) * u2, math.cos(v1) * u2


@njit(inline="always")
def _accept(out, i, end, f0, f1, mul, add, two):
    """Keep ``f0`` then ``f1`` while they are inside (-two, two) and room is left."""
    if abs(f0) < two:
        out[i] = f0 * mul + add
        i += 1
    if i < end and abs(f1) < two:
        out[i] = f1 * mul + add
        i += 1
    return i


@njit(inline="always")
def _truncated_rest_f32(out, i, end, k0, k1, c0, c1, c2, c3, mul, add):
    """Fill ``out[i:end]`` from the Philox calls at counters ``c``, ``c + 1``, ..."""
    while i < end:
        r0, r1, r2, r3 = philox_block(c0, c1, c2, c3, k0, k1)
        c0, c1, c2, c3 = _counter_add(c0, c1, c2, c3, _U1)
        f0, f1 = _box_muller_f32(r0, r1)
        i = _accept(out, i, end, f0, f1, mul, add, _F32_TWO)
        if i < end:
            f0, f1 = _box_muller_f32(r2, r3)
            i = _accept(out, i, end, f0, f1, mul, add, _F32_TWO)


@njit(inline="always")
def _group_f32(out, n, g, kind, k0, k1, b0, b1, b2, b3, umask, uscale, mul, add):
    """One group of four outputs, the last one possibly cut short."""
    i = g * 4
    end = min(i + 4, n)
    if kind == TRUNCATED:
        c0, c1, c2, c3 = _counter_add(b0, b1, b2, b3, np.uint64(g) * _SKIP_F32)
        _truncated_rest_f32(out, i, end, k0, k1, c0, c1, c2, c3, mul, add)
        return
    c0, c1, c2, c3 = _counter_add(b0, b1, b2, b3, np.uint64(g))
    r0, r1, r2, r3 = philox_block(c0, c1, c2, c3, k0, k1)
    if kind == NORMAL:
        v0, v1 = _box_muller_f32(r0, r1)
        v2, v3 = _box_muller_f32(r2, r3)
    else:
        v0 = np.float32(r0 & umask) * uscale
        v1 = np.float32(r1 & umask) * uscale
        v2 = np.float32(r2 & umask) * uscale
        v3 = np.float32(r3 & umask) * uscale
    out[i] = v0 * mul + add
    if i + 1 < end:
        out[i + 1] = v1 * mul + add
    if i + 2 < end:
        out[i + 2] = v2 * mul + add
    if i + 3 < end:
        out[i + 3] = v3 * mul + add


@njit(inline="always")
def _first_calls(words, g0, step, k0, k1, b0, b1, b2, b3):
    """Words of the first Philox call of groups ``g0 .. g0 + BATCH - 1``.

    A branch-free loop that LLVM vectorises; ``words`` holds word ``w`` of
    group ``g0 + j`` at ``w * BATCH + j``.
    """
    for j in range(BATCH):
        c0, c1, c2, c3 = _counter_add(b0, b1, b2, b3, np.uint64(g0 + j) * step)
        r0, r1, r2, r3 = philox_block(c0, c1, c2, c3, k0, k1)
        words[j] = np.uint32(r0)
        words[_T1 + j] = np.uint32(r1)
        words[_T2 + j] = np.uint32(r2)
        words[_T3 + j] = np.uint32(r3)


@njit(inline="always")
def _tf_batch_f32(out, words, g0, kind, k0, k1, b0, b1, b2, b3, umask, uscale, mul, add):
    """``BATCH`` whole groups from ``g0``, all inside ``out``."""
    step = _SKIP_F32 if kind == TRUNCATED else _U1
    _first_calls(words, g0, step, k0, k1, b0, b1, b2, b3)
    o = out[g0 * 4 : (g0 + BATCH) * 4]
    if kind == UNIFORM:
        for j in range(BATCH):
            for w in range(4):
                o[4 * j + w] = (
                    np.float32(np.uint64(words[w * BATCH + j]) & umask) * uscale * mul + add
                )
    elif kind == NORMAL:
        for j in range(BATCH):
            v0, v1 = _box_muller_f32(np.uint64(words[j]), np.uint64(words[_T1 + j]))
            v2, v3 = _box_muller_f32(np.uint64(words[_T2 + j]), np.uint64(words[_T3 + j]))
            o[4 * j] = v0 * mul + add
            o[4 * j + 1] = v1 * mul + add
            o[4 * j + 2] = v2 * mul + add
            o[4 * j + 3] = v3 * mul + add
    else:
        for j in range(BATCH):
            i = 4 * j
            end = i + 4
            f0, f1 = _box_muller_f32(np.uint64(words[j]), np.uint64(words[_T1 + j]))
            i = _accept(o, i, end, f0, f1, mul, add, _F32_TWO)
            f0, f1 = _box_muller_f32(np.uint64(words[_T2 + j]), np.uint64(words[_T3 + j]))
            i = _accept(o, i, end, f0, f1, mul, add, _F32_TWO)
            if i < end:
                c0, c1, c2, c3 = _counter_add(b0, b1, b2, b3, np.uint64(g0 + j) * _SKIP_F32 + _U1)
                _truncated_rest_f32(o, i, end, k0, k1, c0, c1, c2, c3, mul, add)


@njit(inline="always")
def _truncated_rest_f64(out, i, end, k0, k1, c0, c1, c2, c3, mul, add):
    while i < end:
        r0, r1, r2, r3 = philox_block(c0, c1, c2, c3, k0, k1)
        c0, c1, c2, c3 = _counter_add(c0, c1, c2, c3, _U1)
        f0, f1 = _box_muller_f64(r0, r1, r2, r3)
        i = _accept(out, i, end, f0, f1, mul, add, _F64_TWO)


@njit(inline="always")
def _group_f64(out, n, g, kind, k0, k1, b0, b1, b2, b3, umask, uscale, mul, add):
    """One group of two outputs, the last one possibly cut short."""
    i = g * 2
    end = min(i + 2, n)
    if kind == TRUNCATED:
        c0, c1, c2, c3 = _counter_add(b0, b1, b2, b3, np.uint64(g) * _SKIP_F64)
        _truncated_rest_f64(out, i, end, k0, k1, c0, c1, c2, c3, mul, add)
        return
    c0, c1, c2, c3 = _counter_add(b0, b1, b2, b3, np.uint64(g))
    r0, r1, r2, r3 = philox_block(c0, c1, c2, c3, k0, k1)
    if kind == NORMAL:
        v0, v1 = _box_muller_f64(r0, r1, r2, r3)
    else:
        v0 = _u64_to_f64(r0, r1)
        v1 = _u64_to_f64(r2, r3)
    out[i] = v0 * mul + add
    if i + 1 < end:
        out[i + 1] = v1 * mul + add


@njit(inline="always")
def _tf_batch_f64(out, words, g0, kind, k0, k1, b0, b1, b2, b3, umask, uscale, mul, add):
    """``BATCH`` whole groups from ``g0``, all inside ``out``."""
    step = _SKIP_F64 if kind == TRUNCATED else _U1
    _first_calls(words, g0, step, k0, k1, b0, b1, b2, b3)
    o = out[g0 * 2 : (g0 + BATCH) * 2]
    if kind == UNIFORM:
        for j in range(BATCH):
            o[2 * j] = _u64_to_f64(np.uint64(words[j]), np.uint64(words[_T1 + j])) * mul + add
            o[2 * j + 1] = (
                _u64_to_f64(np.uint64(words[_T2 + j]), np.uint64(words[_T3 + j])) * mul + add
            )
    else:
        for j in range(BATCH):
            f0, f1 = _box_muller_f64(
                np.uint64(words[j]),
                np.uint64(words[_T1 + j]),
                np.uint64(words[_T2 + j]),
                np.uint64(words[_T3 + j]),
            )
            if kind == NORMAL:
                o[2 * j] = f0 * mul + add
                o[2 * j + 1] = f1 * mul + add
                continue
            i = _accept(o, 2 * j, 2 * j + 2, f0, f1, mul, add, _F64_TWO)
            if i < 2 * j + 2:
                c0, c1, c2, c3 = _counter_add(b0, b1, b2, b3, np.uint64(g0 + j) * _SKIP_F64 + _U1)
                _truncated_rest_f64(o, i, 2 * j + 2, k0, k1, c0, c1, c2, c3, mul, add)


@njit(inline="always")
def _tf_item(
    out,
    c,
    words,
    kind,
    k0,
    k1,
    b0,
    b1,
    b2,
    b3,
    umask,
    uscale,
    mul,
    add,
    group_size,
    group_fn,
    batch_fn,
):
    """Work item ``c``: groups ``c * CHUNK_GROUPS`` onwards, batches then singles."""
    n = out.shape[0]
    groups = (n + group_size - 1) // group_size
    full = n // group_size  # groups whose outputs all lie inside out
    g = c * CHUNK_GROUPS
    stop = min(groups, g + CHUNK_GROUPS)
    while g + BATCH <= min(stop, full):
        batch_fn(out, words, g, kind, k0, k1, b0, b1, b2, b3, umask, uscale, mul, add)
        g += BATCH
    while g < stop:
        group_fn(out, n, g, kind, k0, k1, b0, b1, b2, b3, umask, uscale, mul, add)
        g += 1


@njit(inline="always")
def _fill_parallel(
    out, kind, k0, k1, b0, b1, b2, b3, umask, uscale, mul, add, group_size, group_fn, batch_fn
):
    groups = (out.shape[0] + group_size - 1) // group_size
    # Callers set Numba's parallel chunk size to 1 around the call, so that
    # work items go to whichever thread is free and a thread slowed by other
    # load on the machine does not hold the others up.
    for c in prange((groups + CHUNK_GROUPS - 1) // CHUNK_GROUPS):
        words = np.empty(4 * BATCH, np.uint32)
        _tf_item(
            out,
            c,
            words,
            kind,
            k0,
            k1,
            b0,
            b1,
            b2,
            b3,
            umask,
            uscale,
            mul,
            add,
            group_size,
            group_fn,
            batch_fn,
        )


@njit(inline="always")
def _fill_serial(
    out, kind, k0, k1, b0, b1, b2, b3, umask, uscale, mul, add, group_size, group_fn, batch_fn
):
    groups = (out.shape[0] + group_size - 1) // group_size
    words = np.empty(4 * BATCH, np.uint32)
    for c in range((groups + CHUNK_GROUPS - 1) // CHUNK_GROUPS):
        _tf_item(
            out,
            c,
            words,
            kind,
            k0,
            k1,
            b0,
            b1,
            b2,
            b3,
            umask,
            uscale,
            mul,
            add,
            group_size,
            group_fn,
            batch_fn,
        )


@njit(parallel=True)
def tf_fill_f32(out, kind, k0, k1, b0, b1, b2, b3, umask, uscale, mul, add):
    _fill_parallel(
        out, kind, k0, k1, b0, b1, b2, b3, umask, uscale, mul, add, 4, _group_f32, _tf_batch_f32
    )


@njit
def tf_fill_f32_serial(out, kind, k0, k1, b0, b1, b2, b3, umask, uscale, mul, add):
    _fill_serial(
        out, kind, k0, k1, b0, b1, b2, b3, umask, uscale, mul, add, 4, _group_f32, _tf_batch_f32
    )


@njit(parallel=True)
def tf_fill_f64(out, kind, k0, k1, b0, b1, b2, b3, umask, uscale, mul, add):
    _fill_parallel(
        out, kind, k0, k1, b0, b1, b2, b3, umask, uscale, mul, add, 2, _group_f64, _tf_batch_f64
    )


@njit
def tf_fill_f64_serial(out, kind, k0, k1, b0, b1, b2, b3, umask, uscale, mul, add):
    _fill_serial(
        out, kind, k0, k1, b0, b1, b2, b3, umask, uscale, mul, add, 2, _group_f64, _tf_batch_f64
    )


@njit(inline="always")
def _half_bits(x):
    """float32 ``x`` rounded to float16 (nearest, ties to even), as bits."""
    # Both cases are computed and one is selected, so that loops vectorise.
    a = _f32_bits(x)
    sign = (a >> _U16) & np.uint32(0x8000)
    a &= np.uint32(0x7FFFFFFF)
    # From 2**-14 up: a normal half (or inf, once the carry reaches it).
    normal = (a - np.uint32(0x38000000) + np.uint32(0xFFF) + ((a >> _U13) & np.uint32(1))) >> _U13
    normal = min(normal, np.uint32(0x7C00))
    # Below: an integer multiple of 2**-24; adding and subtracting 2**23
    # rounds that integer to nearest even.
    y = min(abs(x), _F32_2M14) * _F32_2P24
    subnormal = np.uint32((y + _F32_2P23) - _F32_2P23)
    h = normal if a >= np.uint32(0x38800000) else subnormal
    return np.uint16(sign | h)


@njit(inline="always")
def _half_value(h):
    """The float32 value of float16 bits ``h``."""
    h = np.uint32(h)
    sign = (h & np.uint32(0x8000)) << _U16
    e = h & np.uint32(0x7C00)
    # Rebias the exponent by 112, and by 112 more for inf and NaN.
    rebias = np.uint32(0x70000000) if e == np.uint32(0x7C00) else np.uint32(0x38000000)
    normal = _f32_from_bits(sign | (((h & np.uint32(0x7FFF)) << _U13) + rebias))
    subnormal = _f32_from_bits(_f32_bits(np.float32(h & np.uint32(0x3FF)) * _F32_2M24) | sign)
    return subnormal if e == np.uint32(0) else normal


@njit(inline="always")
def _bfloat16_bits(x):
    """float32 ``x`` rounded to bfloat16 (nearest, ties to even), as bits."""
    a = _f32_bits(x)
    return np.uint16((a + np.uint32(0x7FFF) + ((a >> _U16) & np.uint32(1))) >> _U16)


@njit(inline="always")
def _bfloat16_value(b):
    return _f32_from_bits(np.uint32(b) << _U16)


@njit(inline="always")
def _finish(src, dst, mul, add, lowp, lo, hi):
    """``dst[i] = dtype(src[i]) * mul + add`` in float16 (``lowp`` 1) or
    bfloat16 (2) arithmetic, as bits: Eigen's operators compute in float32
    and round to the dtype after each operation."""
    if lowp == 1:
        for i in range(lo, hi):
            p = _half_value(_half_bits(_half_value(_half_bits(src[i])) * mul))
            dst[i] = _half_bits(p + add)
    else:
        for i in range(lo, hi):
            p = _bfloat16_value(_bfloat16_bits(_bfloat16_value(_bfloat16_bits(src[i])) * mul))
            dst[i] = _bfloat16_bits(p + add)


@njit(parallel=True)
def tf_finish_lowp(src, dst, mul, add, lowp):
    """:func:`_finish` over all of ``src``, in work items of ``FINISH_ITEM``."""
    n = src.shape[0]
    for c in prange((n + FINISH_ITEM - 1) // FINISH_ITEM):
        _finish(src, dst, mul, add, lowp, c * FINISH_ITEM, min(n, (c + 1) * FINISH_ITEM))


@njit
def tf_finish_lowp_serial(src, dst, mul, add, lowp):
    """Serial twin of :func:`tf_finish_lowp`."""
    _finish(src, dst, mul, add, lowp, 0, src.shape[0])


# path -> (parallel kernel, serial twin).
KERNELS = {"f32": (tf_fill_f32, tf_fill_f32_serial), "f64": (tf_fill_f64, tf_fill_f64_serial)}

CACHED = enable_caching(
    [
        tf_fill_f32,
        tf_fill_f32_serial,
        tf_fill_f64,
        tf_fill_f64_serial,
        tf_finish_lowp,
        tf_finish_lowp_serial,
    ]
)


def compile_all():
    """Compile the six kernels now (see :func:`glorot_numba.warmup`)."""
    args: tuple[object, ...]
    for native, kernels in ((np.float32, KERNELS["f32"]), (np.float64, KERNELS["f64"])):
        args = (
            np.empty(1, native),
            TRUNCATED,
            _U0,
            _U0,
            _U0,
            _U0,
            _U0,
            _U0,
            _MASK23,
            native(1.0),
            native(1.0),
            native(0.0),
        )
        compile_kernels(kernels, args)
    args = (np.zeros(1, np.float32), np.empty(1, np.uint16), np.float32(1.0), np.float32(0.0), 1)
    compile_kernels((tf_finish_lowp, tf_finish_lowp_serial), args)
    return CACHED
