"""Random bits to floats: uniforms, Box-Muller normals, one Philox block at a time.

Every function here is a pure function of ``(key, block, attempt)``.  The
counter of a Philox call is ``(block lo, block hi, attempt, path)``:

* ``block`` is the index of the group of output elements the call serves
  (4 elements on the float32 path, 2 on the float64 path);
* ``attempt`` is 0 for the first candidate and counts redraws of rejected
  truncated-normal candidates, so a redraw never depends on what any other
  element (or thread) consumed;
* ``path`` separates the float32 path (serving float16, bfloat16 and float32)
  from the float64 path, whose streams are therefore unrelated.

float32 path: a block's four words give two Box-Muller pairs.  Word 0 feeds the
radius and word 1 the angle of elements ``4b`` (cosine) and ``4b + 1`` (sine);
words 2 and 3 do the same for ``4b + 2`` and ``4b + 3``.  Radii use
``u = (w >> 8 + 1) * 2**-24`` in ``(0, 1]`` (never 0, so ``log`` is finite);
angles use the top 24 bits as a fraction of a turn.

float64 path: words 0-1 give a 53-bit radius uniform in ``(0, 1]`` and words
2-3 a 53-bit angle, for elements ``2b`` (cosine) and ``2b + 1`` (sine).

Uniform distribution: each 32-bit word (float32 path) or word pair (float64
path) gives ``(2j + 1) * 2**-m - 1`` with ``j`` the top ``m`` bits (m = 23 or
52): symmetric about zero, strictly inside (-1, 1), exactly representable.
"""

import numpy as np
from numba import njit

from ._elementary import log_f32, log_f64, sincos_turn_f32, sincos_turn_f64
from ._philox import philox_block

__all__ = [
    "PATH_F32",
    "PATH_F64",
    "LANES_F32",
    "LANES_F64",
    "normals_f32",
    "normals_f64",
    "uniforms_f32",
    "uniforms_f64",
]

PATH_F32 = np.uint64(0)
PATH_F64 = np.uint64(1)
LANES_F32 = 4
LANES_F64 = 2

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
def _words(k0, k1, block, attempt, path):
    return philox_block(block & _MASK32, block >> _U32, attempt, path, k0, k1)


@njit(inline="always")
def _radius_f32(w):
    u = np.float32((w >> _U8) + _ONE_U) * _F32_2M24
    return np.sqrt(_F32_MINUS2 * log_f32(u))


@njit(inline="always")
def _pair_f32(w_radius, w_angle):
    r = _radius_f32(w_radius)
    s, c = sincos_turn_f32(w_angle >> _U8)
    return r * c, r * s


@njit(inline="always")
def normals_f32(k0, k1, block, attempt):
    """Four standard normals of one float32-path block (np.float32)."""
    w0, w1, w2, w3 = _words(k0, k1, block, attempt, PATH_F32)
    z0, z1 = _pair_f32(w0, w1)
    z2, z3 = _pair_f32(w2, w3)
    return z0, z1, z2, z3


@njit(inline="always")
def _sym_f32(w):
    return np.float32(_TWO_U * (w >> _U9) + _ONE_U) * _F32_2M23 - _F32_ONE


@njit(inline="always")
def uniforms_f32(k0, k1, block, attempt):
    """Four uniforms on (-1, 1) of one float32-path block (np.float32)."""
    w0, w1, w2, w3 = _words(k0, k1, block, attempt, PATH_F32)
    return _sym_f32(w0), _sym_f32(w1), _sym_f32(w2), _sym_f32(w3)


@njit(inline="always")
def _u53(hi, lo):
    return ((hi << _U32) | lo) >> _U11


@njit(inline="always")
def normals_f64(k0, k1, block, attempt):
    """Two standard normals of one float64-path block (np.float64)."""
    w0, w1, w2, w3 = _words(k0, k1, block, attempt, PATH_F64)
    u = np.float64(_u53(w0, w1) + _ONE_U) * _F64_2M53
    r = np.sqrt(_F64_MINUS2 * log_f64(u))
    s, c = sincos_turn_f64(_u53(w2, w3))
    return r * c, r * s


@njit(inline="always")
def _sym_f64(hi, lo):
    j = ((hi << _U32) | lo) >> _U12
    return np.float64(_TWO_U * j + _ONE_U) * _F64_2M52 - _F64_ONE


@njit(inline="always")
def uniforms_f64(k0, k1, block, attempt):
    """Two uniforms on (-1, 1) of one float64-path block (np.float64)."""
    w0, w1, w2, w3 = _words(k0, k1, block, attempt, PATH_F64)
    return _sym_f64(w0, w1), _sym_f64(w2, w3)
