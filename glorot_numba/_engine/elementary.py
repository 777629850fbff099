"""Natural logarithm and sine/cosine of a fraction of a turn, bit-reproducible.

libm's ``log``/``sin``/``cos`` differ between platforms, library versions and
SIMD code paths in the last bit, which would make generated weights differ
from machine to machine.  These kernels use only correctly rounded IEEE-754
operations (``+ - * /``), integer arithmetic and bit reinterpretation, with
no fused multiply-add and no ``fastmath``, so every machine -- and the pure
Python forms under ``NUMBA_DISABLE_JIT=1`` -- returns the same bits.

Each precision is evaluated entirely in that precision.  The arguments are
restricted to what a uniform generator produces: ``log_f32`` / ``log_f64``
take a positive normal float (in use ``n * 2**-24`` resp. ``n * 2**-53``);
``sincos_turn_f32`` / ``sincos_turn_f64`` take an integer ``k`` and return
the sine and cosine of ``2*pi*k / 2**24`` resp. ``2*pi*k / 2**53``, so the
range reduction is exact integer arithmetic rather than a subtraction of a
rounded ``pi``.

Accuracy measured by ``tests/test_elementary.py`` (max error in ulps of the
result's precision; float32 exhaustively over all ``2**24`` arguments of the
domain against NumPy float64, float64 on ~3000 sampled arguments plus edge
cases against 200-bit mpmath):

=========  =====  =====  =====
path       log    sin    cos
=========  =====  =====  =====
float32    0.858  0.707  0.707
float64    0.633  0.658  0.657
=========  =====  =====  =====

A one-off float64 sweep of 2.5e5 arguments, concentrated where cancellation
or the octant edge is worst, found 0.763 (log), 0.708 (sin), 0.707 (cos).

The series are plain Taylor series (exactly known coefficients, rounded to
nearest), with enough terms that truncation stays far below half an ulp.
"""

import numpy as np
from numba import njit

from .ieee import (
    centred_frexp_f32,
    f64_as_u64,
    quarter_turns_f32,
    rotate_quadrant_f32,
    u64_as_f64,
)

__all__ = ["log_f32", "log_f64", "sincos_turn_f32", "sincos_turn_f64"]


def _f32(*hexes):
    # Every literal below is exactly representable in float32, so going
    # through float64 does not round twice.
    return tuple(np.float32(float.fromhex(h)) for h in hexes)


def _f64(*hexes):
    return tuple(np.float64(float.fromhex(h)) for h in hexes)


# ln 2 = LN2_HI + LN2_LO.  LN2_HI keeps only (precision - 7) significant bits,
# so ``e * LN2_HI`` is exact for every exponent |e| <= 64; LN2_LO is the
# correctly rounded remainder.
(_F32_LN2_HI, _F32_LN2_LO) = _f32("0x1.62e4p-1", "0x1.7f7d1cp-20")
(_F64_LN2_HI, _F64_LN2_LO) = _f64("0x1.62e42fefa3ap-1", "-0x1.0ca86c3898dp-49")

# ln(1+t) = 2 atanh(s), s = t/(2+t): coefficients 2/3, 2/5, 2/7, ... of
# z = s**2, each correctly rounded.  The sqrt(2) centring bounds |s| by
# 3 - 2*sqrt(2) ~ 0.17, so the first omitted term is below 0.04 ulp.
_F32_ATANH = _f32("0x1.555556p-1", "0x1.99999ap-2", "0x1.24924ap-2", "0x1.c71c72p-3")
_F64_ATANH = _f64(
    "0x1.5555555555555p-1",
    "0x1.999999999999ap-2",
    "0x1.2492492492492p-2",
    "0x1.c71c71c71c71cp-3",
    "0x1.745d1745d1746p-3",
    "0x1.3b13b13b13b14p-3",
    "0x1.1111111111111p-3",
    "0x1.e1e1e1e1e1e1ep-4",
    "0x1.af286bca1af28p-4",
    "0x1.8618618618618p-4",
)

# Bit pattern of the float nearest sqrt(2)/2: mantissas at or above it are
# kept in [sqrt(2)/2, 1), below it doubled into [1, sqrt(2)); the offset
# moves the exponent boundary to that threshold.  (float32: in .ieee.)
_F64_SQRTH = np.uint64(0x3FE6A09E667F3BCD)
_F64_OFFSET = np.uint64(0x3FF0000000000000 - 0x3FE6A09E667F3BCD)

# pi/4 = 0.75 + PI4_LO.  y carries at most 21 (float32) / 50 (float64)
# significant bits and 0.75 two, so ``y * 0.75`` is exact and the only
# rounding in the large part of sin is the final addition.
_F32_PI4_HI = np.float32(0.75)
_F64_PI4_HI = np.float64(0.75)
_F32_PI4_LO = np.float32(float.fromhex("0x1.21fb54p-5"))
_F64_PI4_LO = np.float64(float.fromhex("0x1.21fb54442d184p-5"))

# sin(pi/4 y) = y*(pi/4) + y*z*(S3 + z*S5 + ...) and cos(pi/4 y) = 1 - z/4 +
# z*((C2 + 1/4) + z*C4 + ...), z = y**2, with Sn, Cn = +-(pi/4)**n / n!
# correctly rounded (C2 + 1/4 rounded as a whole).  The first omitted term
# is below 0.05 ulp.
_F32_SIN = _f32("-0x1.4abbcep-4", "0x1.466bc6p-9", "-0x1.32d2ccp-15", "0x1.507834p-22")
_F32_COS = _f32(
    "-0x1.de9e64p-5", "0x1.03c1fp-6", "-0x1.55d3c8p-12", "0x1.e1f506p-19", "-0x1.a6d1f2p-26"
)
_F64_SIN = _f64(
    "-0x1.4abbce625be53p-4",
    "0x1.466bc6775aae2p-9",
    "-0x1.32d2cce62bd86p-15",
    "0x1.50783487ee782p-22",
    "-0x1.e3074fde8871fp-30",
    "0x1.e8f434d018d63p-38",
    "-0x1.6fadb9f155744p-46",
    "0x1.aaec32af93359p-55",
)
_F64_COS = _f64(
    "-0x1.de9e64df22ef3p-5",
    "0x1.03c1f081b5ac4p-6",
    "-0x1.55d3c7e3cbffap-12",
    "0x1.e1f506891babbp-19",
    "-0x1.a6d1f2a204a8cp-26",
    "0x1.f9d38a3763cc3p-34",
    "-0x1.b6e24f44b128fp-42",
    "0x1.20c62c2f2d7f5p-50",
)

_F32_ONE = np.float32(1.0)
_F32_TWO = np.float32(2.0)
_F32_HALF = np.float32(0.5)
_F32_QUARTER = np.float32(0.25)
_F64_ONE = np.float64(1.0)
_F64_TWO = np.float64(2.0)
_F64_HALF = np.float64(0.5)
_F64_QUARTER = np.float64(0.25)
_F32_2M21 = np.float32(2.0**-21)
_F64_2M50 = np.float64(2.0**-50)

_U1 = np.uint64(1)
_U2 = np.uint64(2)
_U3 = np.uint64(3)
_U51 = np.uint64(51)
_U52 = np.uint64(52)
_U2P50 = np.uint64(2**50)
_F64_MANT = np.uint64(2**52 - 1)
_F64_BIAS = np.int64(1023)


@njit(inline="always")
def _horner(z, c):
    # The trip count is a compile-time constant, so LLVM unrolls this into
    # straight-line code.
    p = c[len(c) - 1]
    for i in range(len(c) - 2, -1, -1):
        p = p * z + c[i]
    return p


@njit(inline="always")
def _log_core(e, t, one_half, two, ln2_hi, ln2_lo, atanh):
    # ln(1+t) = t - t**2/2 + s*(t**2/2 + R) exactly, with R = 2 atanh(s)/s - 2;
    # grouping as below keeps the rounding of the small terms away from t
    # and from the exact e*ln2_hi.
    # np.divide rather than ``/``: the operator carries Numba's
    # ZeroDivisionError check, a branch that stops LLVM vectorising callers.
    s = np.divide(t, two + t)
    z = s * s
    r = z * _horner(z, atanh)
    hfsq = one_half * t * t
    return e * ln2_hi - ((hfsq - (s * (hfsq + r) + e * ln2_lo)) - t)


@njit(inline="always")
def log_f32(x):
    """Natural logarithm of a positive normal float32.

    Parameters
    ----------
    x : np.float32
        Positive, normal, finite (not checked).

    Returns
    -------
    np.float32
        ``ln(x)``, within the error stated in the module docstring.
    """
    e, m = centred_frexp_f32(x)
    # Sterbenz: the mantissa lies in [sqrt(2)/2, sqrt(2)), so t is exact.
    t = m - _F32_ONE
    return _log_core(e, t, _F32_HALF, _F32_TWO, _F32_LN2_HI, _F32_LN2_LO, _F32_ATANH)


@njit(inline="always")
def log_f64(x):
    """Natural logarithm of a positive normal float64.

    Parameters
    ----------
    x : np.float64
        Positive, normal, finite (not checked).

    Returns
    -------
    np.float64
        ``ln(x)``, within the error stated in the module docstring.
    """
    hx = f64_as_u64(x) + _F64_OFFSET
    e = np.float64(np.int64(hx >> _U52) - _F64_BIAS)
    t = u64_as_f64((hx & _F64_MANT) + _F64_SQRTH) - _F64_ONE
    return _log_core(e, t, _F64_HALF, _F64_TWO, _F64_LN2_HI, _F64_LN2_LO, _F64_ATANH)


@njit(inline="always")
def _sincos_poly(y, one, quarter, pi4_hi, pi4_lo, sin_c, cos_c):
    """``(sin, cos)`` of ``(pi/4) * y`` for ``|y| <= 1``."""
    z = y * y
    # At y = 0 both products are +0, so sin is exactly 0 on the axes.
    s = y * pi4_hi + y * (pi4_lo + z * _horner(z, sin_c))
    # cos = 1 - z/4 + z*(C2 + 1/4 + ...): z/4 is exact and the rounding
    # error of 1 - z/4 is recovered exactly (Fast2Sum), so only the small
    # remainder and the final addition round.
    hz = quarter * z
    w = one - hz
    c = w + (((one - w) - hz) + z * _horner(z, cos_c))
    return s, c


@njit(inline="always")
def _rotate(s, c, swap, neg_sin, neg_cos):
    # Quadrant q rotates (s, c) by q*pi/2: (s, c), (c, -s), (-s, -c), (-c, s).
    sn = c if swap else s
    cs = s if swap else c
    return (-sn if neg_sin else sn), (-cs if neg_cos else cs)


@njit(inline="always")
def sincos_turn_f32(k):
    """Sine and cosine of ``2*pi*k / 2**24`` in float32.

    Parameters
    ----------
    k : np.uint64
        In ``[0, 2**24)`` (not checked).

    Returns
    -------
    (np.float32, np.float32)
        ``(sin, cos)`` of the angle, within the error stated in the module
        docstring; ``sin`` is exactly zero at ``k = 0`` and ``2**23``.
    """
    # Nearest multiple of a quarter turn (2**22) and the signed remainder
    # in [-2**21, 2**21): the angle is q*pi/2 + (pi/4)*y.  Integer steps in
    # 32 bits (in _ieee), so that float32 loops stay 16 lanes wide; q is
    # 0..4, and 4 is a whole turn.
    r, q = quarter_turns_f32(k)
    y = r * _F32_2M21
    s, c = _sincos_poly(y, _F32_ONE, _F32_QUARTER, _F32_PI4_HI, _F32_PI4_LO, _F32_SIN, _F32_COS)
    return rotate_quadrant_f32(s, c, q)


@njit(inline="always")
def sincos_turn_f64(k):
    """Sine and cosine of ``2*pi*k / 2**53`` in float64.

    Parameters
    ----------
    k : np.uint64
        In ``[0, 2**53)`` (not checked).

    Returns
    -------
    (np.float64, np.float64)
        ``(sin, cos)`` of the angle, within the error stated in the module
        docstring; ``sin`` is exactly zero at ``k = 0`` and ``2**52``.
    """
    m = (k + _U2P50) >> _U51
    r = np.int64(k) - np.int64(m << _U51)
    y = np.float64(r) * _F64_2M50
    s, c = _sincos_poly(y, _F64_ONE, _F64_QUARTER, _F64_PI4_HI, _F64_PI4_LO, _F64_SIN, _F64_COS)
    q = m & _U3
    return _rotate(s, c, (q & _U1) != 0, (q & _U2) != 0, ((q + _U1) & _U2) != 0)
