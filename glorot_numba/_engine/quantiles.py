"""Normal quantile functions, bit-reproducible, for exact inverse-CDF sampling.

``trunc2_f32`` / ``trunc2_f64`` turn random words into samples of the
standard normal truncated to (-2, 2), with no rejection: a uniform ``x`` on
(-1, 1) gives

    z = sqrt(2) * erfinv(erf(sqrt 2) * x),

which is the quantile of N(0, 1) truncated to (-2, 2) at ``u = (1 + x)/2``.
``ndtri_lower_f64`` is the standard normal quantile Phi^-1(p) on (0, 1/2],
for sampling a normal truncated to any interval (the caller mirrors the
interval so that only the lower half is needed).

Like :mod:`._elementary`, everything here is IEEE-754 ``+ - * /`` and
``sqrt`` (correctly rounded on every machine), integer and bit operations,
and :func:`.elementary.log_f64`: no libm, no fused multiply-add, no
``fastmath``.  So every machine, and the pure Python forms under
``NUMBA_DISABLE_JIT=1``, give the same bits.  ``np.divide`` stands for
``/``, whose Numba form carries a zero-division branch that stops LLVM
vectorising callers.  The functions have no branches (the region choice of
``ndtri_lower_f64`` is a select), and the float32 path uses 32-bit integers
only, so that its loops vectorise 16 lanes wide.

From words to uniforms
----------------------
float32: the top 24 bits ``k = word >> 8`` stand for ``u = (k + 1/2) 2**-24``,
so ``x = 2u - 1 = (2k + 1 - 2**24) 2**-24``: an odd integer below 2**24 in
magnitude, converted exactly, times a power of two.  float64: the same with
the top 53 of the 64 bits ``hi * 2**32 + lo``.  The output is a
non-decreasing function of the word read as an unsigned integer, and the
complement of the word gives exactly the negated output: every step is even
in ``x`` but the last, which is odd, and rounding to nearest is symmetric.

The chord form
--------------
Each function is ``z = m * S(x)`` (or, in the tails of ``ndtri_lower_f64``,
``z = -sqrt(m * S(x))``) with a factor ``m`` that carries the sign and the
leading behaviour, and a ratio ``S`` that varies by a factor 2 at most over
an interval ``[a, b]`` of its variable ``x``::

    S = A + B*v - v*w*K,    v = x - a,  w = b - x,

with ``A = S(a)`` (stored as two floats), ``B`` the slope of the chord
through ``(a, S(a))`` and ``(b, S(b))``, and ``K = P/Q`` a rational function
fitted to the curvature that is left.  The rational's rounding errors reach
the result damped by ``v*w*K / S`` (at most 0.17, zero at both ends), and
its coefficients have one sign each (``Q`` is monic; the numerators of the
tails end in a negligible term of the other sign), so nothing cancels.  The
result is assembled as ``m*A_hi + m*(S - A_hi)``, rounding its largest term
once.

* ``trunc2``: ``m = x``, ``S = z/x`` over ``x**2`` in [0, 1] (``S`` runs
  from ``erf(sqrt 2) sqrt(pi/2)`` = 1.196 to 2), ``K`` in ``w = (1 - x)(1 +
  x)``; degrees (4, 4) for float32 and (9, 9) for float64, the latter
  evaluated as even and odd halves (shorter dependency chains).  erfinv's
  only singularity, at ``x = 1/erf(sqrt 2)`` = 1.048, lies outside the
  domain, so no logarithm is needed.
* ``ndtri_lower_f64``, centre (``p >= 1/16``): ``m = q = p - 1/2``, ``S =
  z/q`` over ``x = q**2`` in [0, (7/16)**2], ``K`` in ``w``.  ``p - 1/2`` is
  exact for ``p >= 1/4``; below, its rounding error is recovered exactly
  and its product with ``S`` added.  Tails: ``t = -log p``, ``x = r =
  sqrt(t)`` on [sqrt(log 16), 4.5] and on [4.5, 26.625] (``p`` down to the
  smallest normal float64), ``S = (z/r)**2``, ``z = -sqrt(t*S)``, ``K`` in
  ``v``: the rounding of ``r`` reaches ``z`` only through the slowly
  varying ``S``, and the last square root halves the errors before it.
  Three coefficient sets of degree (7, 7), one chosen per element by
  selects.

The coefficients are written by ``tools/fit_quantiles.py`` (mpmath fits,
reproducible to the bit: ``python tools/fit_quantiles.py --check``).

Accuracy
--------
Measured by ``tests/test_quantiles.py``: ``trunc2_f32`` on all 2**24
inputs against a float64 reference, the others against 30-digit mpmath on
10**5 random inputs (``ndtri_lower_f64``: log-uniform in p, and uniform)
plus edges; the errors are in ulps of the result:

===================  =======  ========  =============  ==================
function             max ulp  mean ulp  within 1 ulp   correctly rounded
===================  =======  ========  =============  ==================
trunc2_f32           1.915    0.350     98.8 %         73.6 %
trunc2_f64           1.70     0.358     98.5 %         72.6 %
ndtri_lower_f64      1.83     0.316     99.4 %         --
===================  =======  ========  =============  ==================

The library's Box-Muller normals, for comparison: float32 at most 2.43
ulp, mean 0.43.

Bounds and monotonicity
-----------------------
``|z| < 2`` holds strictly: the top word gives 2 - 5 ulp in both formats
(the exact quantile there is 2 - 4.4 ulp), and the outputs are monotone
(float32: all inputs checked; float64: the top word, and runs of consecutive
inputs where outputs are closest together).  Since ``|z| <= pred(2)``,
``|z| * sigma < 2 * sigma`` exactly, and rounding is monotone: ``z *
sigma`` rounded to float32 or float64 (``sigma`` in that format) is at most
``2 * sigma``, and below it wherever the product is a normal float (``2 *
sigma * (1 - 2**-p)`` rounds down for precision ``p``).  A subnormal product,
or a float16 or bfloat16 result (the float32 product rounded once more), can
*equal* ``2 * sigma`` -- never exceed it: no clamp is needed.

``trunc2_f32`` is strictly increasing in its input (all inputs checked).
For ``trunc2_f64`` the exact outputs of consecutive inputs are at least 1.97
ulp apart (just above ``z = 1``; more elsewhere), so a decrease would take
two neighbouring errors of opposite signs adding up to more than that.  None
is known: 3 * 10**9 consecutive pairs, most of them where the outputs are
closest, are checked by the slow tests; there, about 2 neighbours in 10**8
give equal outputs.  ``ndtri_lower_f64`` is non-decreasing at any scale its
inputs resolve, but where consecutive inputs are less than an ulp of the
output apart (the tails, and near ``p = 1/16``) it can step back by one ulp
between neighbouring inputs.
"""

import numba
import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from .elementary import log_f64

__all__ = ["trunc2_f32", "trunc2_f64", "ndtri_lower_f64"]


def _f32(*hexes):
    # The literals are float32 values, exactly representable: going
    # through float64 does not round twice.
    return tuple(np.float32(float.fromhex(h)) for h in hexes)


def _f64(*hexes):
    return tuple(np.float64(float.fromhex(h)) for h in hexes)


# --- begin of the block written by tools/fit_quantiles.py ---
# fmt: off
# T2_F32: x**2 in [0, 1]; fit error relative to S 2.65e-9
T2_F32_A = _f32('0x1.323fee0000000p+0', '0x1.9745080000000p-26')
T2_F32_B = np.float32(float.fromhex('0x1.9b80240000000p-1'))
T2_F32_P = _f32(
    '0x1.3b8efa0000000p-5', '0x1.bf972c0000000p-2', '0x1.3acb080000000p+0',
    '0x1.86f18e0000000p-1', '0x1.db38e20000000p-9',
)
T2_F32_Q = _f32(
    '0x1.e281260000000p-7', '0x1.fba5700000000p-3', '0x1.47ad980000000p+0',
    '0x1.1d0fd80000000p+1',
)
# T2_F64: x**2 in [0, 1]; fit error relative to S 9.72e-18
T2_F64_A = _f64('0x1.323fee65d1421p+0', '0x1.075860cf7c0c1p-54')
T2_F64_B = np.float64(float.fromhex('0x1.9b8023345d7bdp-1'))
T2_F64_P = _f64(
    '0x1.3aa77bfc46ac6p-9', '0x1.283e78a6bd045p-4', '0x1.b4119c361ca23p-1',
    '0x1.408d32dc5e249p+2', '0x1.f5297c18f9653p+3', '0x1.9ceddb0c1e3ecp+4',
    '0x1.508f8e7f3ffa0p+4', '0x1.d80a69353c449p+2', '0x1.97dafaedfb4d7p-1',
    '0x1.9a9cfc7fcb8b4p-13',
)
T2_F64_Q = _f64(
    '0x1.e11f0c3c8eed2p-11', '0x1.0bbb4b487f2c4p-5', '0x1.e1e3f6aa2c791p-2',
    '0x1.c496cc2418b4ap+1', '0x1.df01e8f7fdf80p+3', '0x1.210909d6b0c69p+5',
    '0x1.8220e0c15c21fp+5', '0x1.0991a5bcd05a3p+5', '0x1.46201cc8b4664p+3',
)
# ND_CENTRAL: (p - 1/2)**2 in [0, (7/16)**2]; fit error relative to S 5.47e-18
ND_CENTRAL_A = _f64('0x1.40d931ff62706p+1', '-0x1.a6a0d6f814637p-53')
ND_CENTRAL_B = np.float64(float.fromhex('0x1.4e584d9af4ea9p+2'))
ND_CENTRAL_P = _f64(
    '0x1.376192c03545ep-12', '0x1.b467176489662p-7', '0x1.ca055acd69e9cp-3',
    '0x1.c0a2c0b31b844p+0', '0x1.a1385d9cc2813p+2', '0x1.4c500e102ae9bp+3',
    '0x1.49e6a76ca1864p+2', '0x1.26a66d055ce64p-7',
)
ND_CENTRAL_Q = _f64(
    '0x1.162a35642b5cbp-17', '0x1.dc5ff25e771c1p-12', '0x1.40f04406f40a0p-7',
    '0x1.b1006ae2bdfeep-4', '0x1.345a4b9cb56aep-1', '0x1.c0f4fcff9ed5dp+0',
    '0x1.280a8837d0f5cp+1',
)
# ND_TAIL: r in [sqrt(log 16), 4.5]; fit error relative to S 1.33e-19
ND_TAIL_A = _f64('0x1.b29d1feada105p-1', '0x1.46ac4d90b1231p-55')
ND_TAIL_B = np.float64(float.fromhex('0x1.3ea03ebf88e13p-2'))
ND_TAIL_P = _f64(
    '-0x1.e635d8d8bc3abp+8', '-0x1.0f607d39e60afp+10', '-0x1.bfb4c41fba198p+9',
    '-0x1.6867dea6a6775p+8', '-0x1.2f5f160e27a98p+6', '-0x1.fa159a3fd8e0dp+2',
    '-0x1.3ea709c7b6350p-2', '0x1.abd8b541f925ap-22',
)
ND_TAIL_Q = _f64(
    '0x1.3dce5a5111d73p+11', '0x1.a6a6b3d439b07p+12', '0x1.ced23cd848e31p+12',
    '0x1.0d1e418f082e2p+12', '0x1.6518cea9c2418p+10', '0x1.0cbc289b83de0p+8',
    '0x1.a4816b2c33a9cp+4',
)
# ND_FAR: r in [4.5, 26.625]; fit error relative to S 8.6e-18
ND_FAR_A = _f64('0x1.bb1fd42bbb11cp+0', '-0x1.0747c1c7117d8p-59')
ND_FAR_B = np.float64(float.fromhex('0x1.7b7a025611233p-7'))
ND_FAR_P = _f64(
    '-0x1.fbb416fa249bap+15', '-0x1.3fd93a2814a53p+15', '-0x1.2aa4bf61cc31dp+13',
    '-0x1.073fe1b1bb591p+10', '-0x1.c74ba0e290f80p+5', '-0x1.64916ef9ccebbp+0',
    '-0x1.7b7b26f9fca26p-7', '0x1.6a7ffca685a7bp-32',
)
ND_FAR_Q = _f64(
    '0x1.037eb3d09a481p+24', '0x1.d2ce1d008374fp+23', '0x1.4f92db85a9f60p+22',
    '0x1.eb2620296f844p+19', '0x1.8232604a164bap+16', '0x1.3d05d10385812p+12',
    '0x1.e5884c9957698p+6',
)
ND_V_END = np.float64(float.fromhex('0x1.8800000000000p-3'))
ND_R_START = np.float64(float.fromhex('0x1.aa4499161cd48p+0'))
ND_R_SPLIT = np.float64(float.fromhex('0x1.2000000000000p+2'))
ND_R_END = np.float64(float.fromhex('0x1.aa00000000000p+4'))
# fmt: on
# --- end of the block written by tools/fit_quantiles.py ---

_F32_ONE = np.float32(1.0)
_F32_2M24 = np.float32(2.0**-24)
_F64_ZERO = np.float64(0.0)
_F64_HALF = np.float64(0.5)
_F64_ONE = np.float64(1.0)
_F64_2M53 = np.float64(2.0**-53)
_P_CENTRAL = np.float64(1.0 / 16.0)

_U1 = np.uint64(1)
_U10 = np.uint64(10)
_U32 = np.uint64(32)
_I2P53 = np.int64(2**53)


# --------------------------------------------------------------------------
# words to uniforms


# In 32-bit integers throughout: Numba would widen the same steps written in
# Python to 64 bits, which halves the vector width of float32 loops.
@intrinsic
def _signed_unit_f32(typingctx, word):
    def codegen(context, builder, signature, args):
        i32 = ir.IntType(32)
        w = builder.trunc(args[0], i32)
        # 2k + 1 - 2**24 for k = w >> 8: odd, below 2**24 in magnitude, so
        # it converts exactly; the scaling is a power of two.
        odd = builder.or_(builder.lshr(w, ir.Constant(i32, 7)), ir.Constant(i32, 1))
        centred = builder.sub(odd, ir.Constant(i32, 1 << 24))
        return builder.fmul(
            builder.sitofp(centred, ir.FloatType()), ir.Constant(ir.FloatType(), 2.0**-24)
        )

    return types.float32(word), codegen


if numba.config.DISABLE_JIT:

    def signed_unit_f32(word):
        """``w = 2u - 1`` as float32 for ``u = (k + 1/2) 2**-24``, ``k = word
        >> 8``: ``(2k + 1 - 2**24) 2**-24``, exact."""
        return np.float32(((int(word) >> 7) | 1) - (1 << 24)) * _F32_2M24

else:
    signed_unit_f32 = _signed_unit_f32


# The helpers below are plain Numba functions, not inlined by Numba
# (``inline="always"`` copies their IR into every caller, which made the
# kernels take twice as long to compile); LLVM inlines them into the loops,
# which vectorise as before, and the bits are the same.  The three public
# functions are inlined, as the other transforms are.
@njit
def _signed_unit_f64(hi, lo):
    """``w = 2u - 1`` as float64 for ``u = (k + 1/2) 2**-53``, ``k`` the top 53
    of the 64 bits: ``(2k + 1 - 2**53) 2**-53``, exact."""
    odd = np.int64((((hi << _U32) | lo) >> _U10) | _U1)
    return np.float64(odd - _I2P53) * _F64_2M53


# --------------------------------------------------------------------------
# polynomials


@njit
def _horner(u, c):
    # The trip count is a compile-time constant: LLVM unrolls the loop.
    p = c[len(c) - 1]
    for i in range(len(c) - 2, -1, -1):
        p = p * u + c[i]
    return p


@njit
def _horner_monic(u, c):
    """``u**n + c[n-1] u**(n-1) + ... + c[0]``, ``n = len(c)``."""
    p = u + c[len(c) - 1]
    for i in range(len(c) - 2, -1, -1):
        p = p * u + c[i]
    return p


@njit
def _even_odd(u, u2, c):
    """``c[0] + c[1] u + ...`` as ``E(u**2) + u O(u**2)``: two chains of half
    the length, for instruction-level parallelism."""
    n = len(c)
    e = c[(n - 1) // 2 * 2]
    for i in range((n - 1) // 2 * 2 - 2, -1, -2):
        e = e * u2 + c[i]
    o = c[(n - 2) // 2 * 2 + 1]
    for i in range((n - 2) // 2 * 2 - 1, 0, -2):
        o = o * u2 + c[i]
    return e + u * o


@njit
def _even_odd_monic(u, u2, c):
    """``u**n + c[n-1] u**(n-1) + ... + c[0]`` for odd ``n = len(c)``, as
    ``E(u**2) + u O(u**2)`` with a monic ``O``."""
    n = len(c)
    e = c[n - 1]
    for i in range(n - 3, -1, -2):
        e = e * u2 + c[i]
    o = u2 + c[n - 2]
    for i in range(n - 4, 0, -2):
        o = o * u2 + c[i]
    return e + u * o


@njit
def _chord(a_lo, b, v, w, k):
    """``S - A_hi = A_lo + v (B - w K)``: the caller multiplies ``A_hi`` and
    this by ``m`` separately and adds the products, so that the largest
    term is rounded once, not twice."""
    return v * (b - w * k) + a_lo


# --------------------------------------------------------------------------
# the quantiles


@njit(inline="always")
def trunc2_f32(word):
    """Standard normal truncated to (-2, 2), in float32, from one word.

    Parameters
    ----------
    word : np.uint64
        A 32-bit random word (below ``2**32``, not checked); all but its low
        8 bits are used.

    Returns
    -------
    np.float32
        The quantile of N(0, 1) truncated to (-2, 2) at ``(k + 1/2) /
        2**24``, ``k = word >> 8``; strictly inside (-2, 2), within the error
        stated in the module docstring.

    Examples
    --------
    >>> import numpy as np
    >>> from glorot_numba._engine.quantiles import trunc2_f32
    >>> z = [trunc2_f32(np.uint64(w)) for w in (0x7FFFFFFF, 0x80000000, 0xFFFFFFFF)]
    >>> [float(v) for v in z]  # the middle pair, and the top
    [-7.130432067015136e-08, 7.130432067015136e-08, 1.9999994039535522]
    >>> float(np.float32(2) - z[2]) / 2**-23  # ulps below 2
    5.0
    """
    # Everything below is even in x but the last line, which is odd, and
    # rounding is symmetric: z(-x) = -z(x) to the bit, with no sign handling.
    x = signed_unit_f32(word)
    s = x * x
    # 1 -+ x are exact, so y keeps its relative accuracy as |x| -> 1.
    y = (_F32_ONE - x) * (_F32_ONE + x)
    k = np.divide(_horner(y, T2_F32_P), _horner_monic(y, T2_F32_Q))
    rest = _chord(T2_F32_A[1], T2_F32_B, s, y, k)
    return x * T2_F32_A[0] + x * rest


@njit(inline="always")
def trunc2_f64(hi, lo):
    """Standard normal truncated to (-2, 2), in float64, from two words.

    Parameters
    ----------
    hi, lo : np.uint64
        Two 32-bit random words (below ``2**32``, not checked), the high and
        the low half of 64 bits of which the top 53 are used.

    Returns
    -------
    np.float64
        The quantile of N(0, 1) truncated to (-2, 2) at ``(k + 1/2) /
        2**53``, ``k = (hi * 2**32 + lo) >> 11``; strictly inside (-2, 2),
        within the error stated in the module docstring.

    Examples
    --------
    >>> import numpy as np
    >>> from glorot_numba._engine.quantiles import trunc2_f64
    >>> top = np.uint64(0xFFFFFFFF)
    >>> float(trunc2_f64(top, top)), (2 - float(trunc2_f64(top, top))) / 2**-52
    (1.999999999999999, 5.0)
    >>> float(trunc2_f64(np.uint64(0xC0000000), np.uint64(0)))  # u = 3/4 + 2**-54
    0.639111910871273
    """
    x = _signed_unit_f64(hi, lo)  # as in trunc2_f32: z is odd in x
    s = x * x
    y = (_F64_ONE - x) * (_F64_ONE + x)
    y2 = y * y
    k = np.divide(_even_odd(y, y2, T2_F64_P), _even_odd_monic(y, y2, T2_F64_Q))
    rest = _chord(T2_F64_A[1], T2_F64_B, s, y, k)
    return x * T2_F64_A[0] + x * rest


@njit
def _pick(central, far, c, t, f):
    return c if central else (f if far else t)


@njit
def _horner_pick(u, central, far, c, t, f):
    """Horner's rule on the coefficients of one of three regions, chosen
    per element (selects, no branches)."""
    n = len(c)
    p = _pick(central, far, c[n - 1], t[n - 1], f[n - 1])
    for i in range(n - 2, -1, -1):
        p = p * u + _pick(central, far, c[i], t[i], f[i])
    return p


@njit
def _horner_monic_pick(u, central, far, c, t, f):
    n = len(c)
    p = u + _pick(central, far, c[n - 1], t[n - 1], f[n - 1])
    for i in range(n - 2, -1, -1):
        p = p * u + _pick(central, far, c[i], t[i], f[i])
    return p


@njit(inline="always")
def ndtri_lower_f64(p):
    """Standard normal quantile Phi^-1(p) for p in (0, 1/2], in float64.

    Parameters
    ----------
    p : np.float64
        A normal float64 in [2**-1022, 1/2] (not checked).

    Returns
    -------
    np.float64
        ``Phi^-1(p)``, at most 0 (``+0.0`` at ``p = 1/2``), within the
        relative error stated in the module docstring.

    Examples
    --------
    >>> import numpy as np
    >>> from glorot_numba._engine.quantiles import ndtri_lower_f64
    >>> float(ndtri_lower_f64(np.float64(0.025)))
    -1.959963984540054
    >>> float(ndtri_lower_f64(np.float64(2.0**-1022)))
    -37.5193793471445
    """
    # p - 1/2 = q + q_lo exactly (Fast2Sum: |-1/2| >= p); q_lo is 0 for
    # p >= 1/4.
    q = p - _F64_HALF
    q_lo = p - (q + _F64_HALF)
    # All elements take the logarithm: choosing is cheaper than branching.
    t = _F64_ZERO - log_f64(p)
    r = np.sqrt(t)
    central = p >= _P_CENTRAL
    far = r >= ND_R_SPLIT
    v_central = q * q + (q + q) * q_lo
    if central:
        v = v_central
        w = ND_V_END - v_central
        u = w
    else:
        v = r - (ND_R_SPLIT if far else ND_R_START)
        w = (ND_R_END if far else ND_R_SPLIT) - r
        u = v
    k = np.divide(
        _horner_pick(u, central, far, ND_CENTRAL_P, ND_TAIL_P, ND_FAR_P),
        _horner_monic_pick(u, central, far, ND_CENTRAL_Q, ND_TAIL_Q, ND_FAR_Q),
    )
    a_hi = _pick(central, far, ND_CENTRAL_A[0], ND_TAIL_A[0], ND_FAR_A[0])
    a_lo = _pick(central, far, ND_CENTRAL_A[1], ND_TAIL_A[1], ND_FAR_A[1])
    b = _pick(central, far, ND_CENTRAL_B, ND_TAIL_B, ND_FAR_B)
    rest = _chord(a_lo, b, v, w, k)
    # Tails: S = (z/r)**2, and z = -sqrt(t S).  The rounding of r reaches z
    # only through S, which varies slowly with r, and the last square root
    # halves the errors before it.
    tail = -np.sqrt(t * a_hi + t * rest)
    # Centre: S = z/q.  q_lo (0 but for 1/16 <= p < 1/4) is below 2**-55:
    # its product with S is a correction of at most an ulp.
    centre = q * a_hi + (q * rest + q_lo * (a_hi + rest))
    return centre if central else tail
