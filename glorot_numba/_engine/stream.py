"""Random bits to floats: where each element's bits come from, and how they become values.

Stream layout (version 2).  Element ``e`` of a tensor (its flat C-order index
in the full tensor) belongs to tile ``e // TILE``; inside the tile its lane is
``(e % TILE) // TILE_BLOCKS`` and its Philox block is
``(e // TILE) * TILE_BLOCKS + e % TILE_BLOCKS``.  Lane ``j`` of a tile is thus
a contiguous run of ``TILE_BLOCKS`` elements fed by consecutive blocks, which
is what lets a vectorised loop over blocks store whole vectors.

The counter of a Philox call is ``(block lo, block hi, attempt, path)``:
``attempt`` is 0 for an element's first candidate and counts the redraws of
a rejected truncated-normal candidate, so a redraw depends on nothing but
the element; ``path`` separates the float32 path (which serves float16,
bfloat16 and float32) from the float64 path.

float32 path (4 lanes): words 0 and 1 of a block are the radius and angle of
Box-Muller pair A, words 2 and 3 those of pair B; lanes 0 and 1 are the
cosines of A and B, lanes 2 and 3 their sines.  Radius uniforms are
``((w >> 8) + 1) * 2**-24``, in (0, 1], never 0; angles are the top 24 bits
as a fraction of a turn.

float64 path (2 lanes): words 0-1 give a 53-bit radius uniform in (0, 1],
words 2-3 a 53-bit angle; lanes 0 (cosine) and 1 (sine).

Uniform distribution: lanes 0-3 take words 0, 2, 1, 3 (float32 path; the
order in which a tile stores its words) or words ``2j, 2j + 1`` (float64
path), giving ``(2m + 1) * 2**-k - 1`` from the top ``k`` bits ``m`` (k = 23
or 52): symmetric, strictly inside (-1, 1), exact.

Inverse-CDF truncated normal (``method="inverse_cdf"``): the uniform's
layout of words, on paths 6 (float32: one word per element) and 7 (float64:
two), each word turned into a truncated normal by
:func:`.quantiles.trunc2_f32` / ``trunc2_f64``; attempt is always 0.

Complex paths (no tiles, no redraws).  A complex element is drawn in polar
form from one radius uniform ``u`` in (0, 1] and one angle, as in
Box-Muller: complex64 element ``e`` uses words 0-1 (``e`` even) or 2-3
(``e`` odd) of block ``e // 2`` on path 2, 24 bits each; complex128 element
``e`` uses words 0-1 and 2-3 of block ``e`` on path 3, 53 bits each.  The
squared radius is ``u`` (uniform on the unit disc), ``-log(u)`` (a standard
complex normal, whose squared modulus is Exp(1)), or ``-log(e**-4 + (1 -
e**-4) * u)``: the inverse distribution function of Exp(1) conditioned on
being below 4, i.e. a standard complex normal conditioned on ``|z| < 2``,
exactly and without rejection.
"""

import math
from fractions import Fraction

import numpy as np
from numba import njit

from .elementary import log_f32, log_f64, sincos_turn_f32, sincos_turn_f64
from .philox import philox_block

__all__ = [
    "TILE_BLOCKS",
    "TILE_F32",
    "TILE_F64",
    "block_words",
    "normal_pair_f32",
    "normal_pair_f64",
    "normal_pair_from_bits_f64",
    "uniform_f32",
    "uniform_f64",
    "element_words_f32",
    "element_words_f64",
    "element_f64",
    "complex_words_c64",
    "complex_bits_c128",
    "polar_f32",
    "polar_f64",
    "EXP_TRUNCATION_F32",
    "EXP_TRUNCATION_F64",
]

TILE_BLOCKS = 64
TILE_F32 = 4 * TILE_BLOCKS
TILE_F64 = 2 * TILE_BLOCKS

PATH_F32 = np.uint64(0)
PATH_F64 = np.uint64(1)
PATH_C64 = np.uint64(2)
PATH_C128 = np.uint64(3)
# Normals truncated to other intervals (see ._interval).
PATH_INTERVAL = np.uint64(4)
PATH_TAIL = np.uint64(5)
# The inverse-CDF truncated normal: the tiles' layout, streams of its own.
PATH_ICDF_F32 = np.uint64(6)
PATH_ICDF_F64 = np.uint64(7)

_MASK32 = np.uint64(0xFFFFFFFF)
_U8 = np.uint64(8)
_U9 = np.uint64(9)
_U11 = np.uint64(11)
_U12 = np.uint64(12)
_U32 = np.uint64(32)
_ONE_U = np.uint64(1)
_TWO_U = np.uint64(2)

_F32_2M24 = np.float32(2.0**-24)
_F32_2M23 = np.float32(2.0**-23)
_F32_ONE = np.float32(1.0)
_F32_MINUS2 = np.float32(-2.0)
_F64_2M53 = np.float64(2.0**-53)
_F64_2M52 = np.float64(2.0**-52)
_F64_ONE = np.float64(1.0)
_F64_MINUS2 = np.float64(-2.0)


@njit(inline="always")
def block_words(k0, k1, block, attempt, path):
    """The four Philox words of ``block`` at ``attempt`` (np.uint64 each)."""
    block = np.uint64(block)
    return philox_block(block & _MASK32, block >> _U32, np.uint64(attempt), path, k0, k1)


@njit(inline="always")
def normal_pair_f32(w_radius, w_angle):
    """Box-Muller: ``(r cos, r sin)`` in float32 from two words."""
    # (k + 1) * 2**-24 written as k * 2**-24 + 2**-24 (both exact): the
    # integer stays 32-bit for LLVM, so float32 loops keep 16 lanes.
    u = np.float32(w_radius >> _U8) * _F32_2M24 + _F32_2M24
    r = np.sqrt(_F32_MINUS2 * log_f32(u))
    s, c = sincos_turn_f32(w_angle >> _U8)
    return r * c, r * s


@njit(inline="always")
def uniform_f32(w):
    """A uniform on (-1, 1) in float32 from one word."""
    return np.float32(_TWO_U * (w >> _U9) + _ONE_U) * _F32_2M23 - _F32_ONE


@njit(inline="always")
def normal_pair_f64(w0, w1, w2, w3):
    """Box-Muller: ``(r cos, r sin)`` in float64 from four words."""
    return normal_pair_from_bits_f64((w0 << _U32) | w1, (w2 << _U32) | w3)


@njit(inline="always")
def normal_pair_from_bits_f64(radius_bits, angle_bits):
    """Box-Muller from two 64-bit words (words 0-1 and 2-3 of a block)."""
    u = np.float64((radius_bits >> _U11) + _ONE_U) * _F64_2M53
    r = np.sqrt(_F64_MINUS2 * log_f64(u))
    s, c = sincos_turn_f64(angle_bits >> _U11)
    return r * c, r * s


@njit(inline="always")
def uniform_f64(hi, lo):
    """A uniform on (-1, 1) in float64 from two words."""
    m = ((hi << _U32) | lo) >> _U12
    return np.float64(_TWO_U * m + _ONE_U) * _F64_2M52 - _F64_ONE


@njit(inline="always")
def _locate(e, tile):
    """(block, lane) of element ``e`` for tiles of ``tile`` elements."""
    t = e // tile
    r = e - t * tile
    lane = r // TILE_BLOCKS
    return t * TILE_BLOCKS + (r - lane * TILE_BLOCKS), lane


@njit(inline="always")
def element_words_f32(k0, k1, e, attempt, path):
    """The bits of candidate ``attempt`` of element ``e`` on a float32 path
    (``PATH_F32``, or ``PATH_ICDF_F32``).

    Returns ``(radius word, angle word, sine)``: a normal is the cosine (or,
    with ``sine``, the sine) of ``normal_pair_f32(radius, angle)``; a
    one-word transform (uniform, inverse CDF) takes the angle word if
    ``sine`` else the radius word.  Kept apart from the float work so that
    callers can run the two in separately vectorised loops.
    """
    block, lane = _locate(e, TILE_F32)
    w0, w1, w2, w3 = block_words(k0, k1, block, attempt, path)
    pair_b = (lane & 1) != 0
    return (w2 if pair_b else w0), (w3 if pair_b else w1), lane >= 2


@njit(inline="always")
def element_words_f64(k0, k1, e, attempt, path):
    """The two words of candidate ``attempt`` of element ``e`` on a float64
    path, for a transform that takes two words (uniform, inverse CDF)."""
    block, lane = _locate(e, TILE_F64)
    w0, w1, w2, w3 = block_words(k0, k1, block, attempt, path)
    return (w2, w3) if lane else (w0, w1)


@njit(inline="always")
def element_f64(k0, k1, e, attempt, uniform):
    """Candidate ``attempt`` of element ``e`` on the float64 path."""
    if uniform:
        hi, lo = element_words_f64(k0, k1, e, attempt, PATH_F64)
        return uniform_f64(hi, lo)
    block, lane = _locate(e, TILE_F64)
    w0, w1, w2, w3 = block_words(k0, k1, block, attempt, PATH_F64)
    zc, zs = normal_pair_f64(w0, w1, w2, w3)
    return zs if lane else zc


def _exp_truncation(ftype):
    """``(lo, span)`` in ``ftype`` with ``lo`` ~ e**-4 and ``lo + span <= 1``.

    ``lo + span * u`` for ``u`` in (0, 1] then stays in (e**-4, 1] after
    rounding, so ``-log`` of it lies in [0, 4): the bound is never reached
    and the square root is always real.
    """
    lo = ftype(math.exp(-4.0))
    span = ftype(1.0) - lo
    while Fraction(float(lo)) + Fraction(float(span)) > 1:
        span = np.nextafter(span, ftype(0.0))
    return lo, span


EXP_TRUNCATION_F32 = _exp_truncation(np.float32)
EXP_TRUNCATION_F64 = _exp_truncation(np.float64)
_F32_ZERO = np.float32(0.0)
_F64_ZERO = np.float64(0.0)


@njit(inline="always")
def complex_words_c64(k0, k1, e, cnt, radius, angle):
    """Radius and angle words of complex64 elements ``e .. e + cnt - 1``.

    They land in ``radius[off:off + cnt]`` and ``angle[off:off + cnt]``;
    returns ``off`` (0 or 1).  Both arrays need ``cnt + 2`` entries: whole
    blocks are computed, two elements each.
    """
    b0 = e >> 1
    for b in range(((e + cnt + 1) >> 1) - b0):
        w0, w1, w2, w3 = block_words(k0, k1, b0 + b, 0, PATH_C64)
        radius[2 * b] = np.uint32(w0)
        radius[2 * b + 1] = np.uint32(w2)
        angle[2 * b] = np.uint32(w1)
        angle[2 * b + 1] = np.uint32(w3)
    return e & 1


@njit(inline="always")
def complex_bits_c128(k0, k1, e, cnt, radius, angle):
    """Radius and angle bits (64 each) of complex128 elements ``e .. e + cnt
    - 1``, into ``radius[:cnt]`` and ``angle[:cnt]``; returns 0."""
    for i in range(cnt):
        w0, w1, w2, w3 = block_words(k0, k1, e + i, 0, PATH_C128)
        radius[i] = (w0 << _U32) | w1
        angle[i] = (w2 << _U32) | w3
    return 0


@njit(inline="always")
def polar_f32(w_radius, w_angle, lo, span, take_log):
    """``(r cos, r sin)`` in float32, ``r**2`` = ``v`` or ``-log(v)``,
    ``v = lo + span * u`` (see the module docstring)."""
    u = np.float32(w_radius >> _U8) * _F32_2M24 + _F32_2M24
    v = lo + span * u
    # 0 - log(1) is +0, so r is never -0 or NaN.
    r = np.sqrt(_F32_ZERO - log_f32(v)) if take_log else np.sqrt(v)
    s, c = sincos_turn_f32(w_angle >> _U8)
    return r * c, r * s


@njit(inline="always")
def polar_f64(radius_bits, angle_bits, lo, span, take_log):
    """As :func:`polar_f32`, in float64 from 53-bit words."""
    u = np.float64((radius_bits >> _U11) + _ONE_U) * _F64_2M53
    v = lo + span * u
    r = np.sqrt(_F64_ZERO - log_f64(v)) if take_log else np.sqrt(v)
    s, c = sincos_turn_f64(angle_bits >> _U11)
    return r * c, r * s
