"""Bit-level helpers: IEEE-754 floats as unsigned integers and back, bit masks.

The elementary functions take exponents and mantissas apart with integer
operations, which needs a bit-level view of a float scalar.  Under the JIT
these are single LLVM ``bitcast`` instructions (free, and vectorisable); with
``NUMBA_DISABLE_JIT=1`` the NumPy scalar ``view`` gives the same bits, so both
modes agree exactly.
"""

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

__all__ = [
    "f64_as_u64",
    "u64_as_f64",
    "centred_frexp_f32",
    "quarter_turns_f32",
    "rotate_quadrant_f32",
    "trailing_zeros",
    "nonzero_mask64",
]

# float32 bit patterns: sqrt(1/2) rounded, and the shift that moves the
# exponent boundary from 1.0 down to it.
_SQRT_HALF_BITS = 0x3F3504F3
_CENTRE_SHIFT = 0x3F800000 - _SQRT_HALF_BITS


def bitcast(src, dst):
    @intrinsic
    def cast(typingctx, x):
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], context.get_value_type(dst))

        return dst(src), codegen

    return cast


@intrinsic
def _cttz(typingctx, x):
    def codegen(context, builder, signature, args):
        (value,) = args
        # Callers only pass non-zero words, so the zero case may be undefined.
        return builder.cttz(value, ir.Constant(ir.IntType(1), 1))

    return types.uint64(types.uint64), codegen


@intrinsic
def _nonzero_mask64(typingctx, words, start):
    # One vector compare and a bitcast of its 64 result bits: LLVM turns
    # that into a few mask instructions (vptestmd + kmovq with AVX-512),
    # where the same written as a loop of shifts stays scalar.
    if not (
        isinstance(words, types.Array)
        and words.ndim == 1
        and words.layout == "C"
        and words.dtype in (types.uint32, types.int32)
    ):
        return None

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        vec = ir.VectorType(ir.IntType(32), 64)
        ptr = builder.bitcast(builder.gep(data, [args[1]]), vec.as_pointer())
        nonzero = builder.icmp_unsigned("!=", builder.load(ptr, align=4), ir.Constant(vec, None))
        return builder.bitcast(nonzero, ir.IntType(64))

    return types.uint64(words, types.intp), codegen


# All in 32-bit integers: Numba would widen the same steps written in
# Python to 64 bits, which halves the vector width of float32 loops.
@intrinsic
def _centred_frexp_f32(typingctx, x):
    def codegen(context, builder, signature, args):
        i32 = ir.IntType(32)
        f32 = ir.FloatType()
        hx = builder.add(builder.bitcast(args[0], i32), ir.Constant(i32, _CENTRE_SHIFT))
        e = builder.sub(builder.lshr(hx, ir.Constant(i32, 23)), ir.Constant(i32, 127))
        m = builder.add(
            builder.and_(hx, ir.Constant(i32, 0x7FFFFF)), ir.Constant(i32, _SQRT_HALF_BITS)
        )
        result = context.make_tuple(
            builder, signature.return_type, [builder.sitofp(e, f32), builder.bitcast(m, f32)]
        )
        return result

    return types.UniTuple(types.float32, 2)(types.float32), codegen


@intrinsic
def _quarter_turns_f32(typingctx, k):
    # q = round(k / 2**22) and the remainder k - q * 2**22, as integers:
    # cheaper than the same in float32 (floor and compares) and as exact.
    def codegen(context, builder, signature, args):
        i32 = ir.IntType(32)
        k32 = builder.trunc(args[0], i32)
        q = builder.lshr(builder.add(k32, ir.Constant(i32, 1 << 21)), ir.Constant(i32, 22))
        rem = builder.sub(k32, builder.shl(q, ir.Constant(i32, 22)))
        return context.make_tuple(
            builder, signature.return_type, [builder.sitofp(rem, ir.FloatType()), q]
        )

    return types.Tuple((types.float32, types.int32))(types.uint64), codegen


@intrinsic
def _rotate_quadrant_f32(typingctx, s, c, q):
    # Quadrant q rotates (s, c) by q*pi/2: (s, c), (c, -s), (-s, -c), (-c, s).
    # The swap is a select on bit 0 of q; the signs are xors of the sign bit
    # (bit 1 of q for the sine, of q + 1 for the cosine), all in 32-bit lanes.
    def codegen(context, builder, signature, args):
        i32 = ir.IntType(32)
        f32 = ir.FloatType()
        sv, cv, qv = args
        swap = builder.trunc(qv, ir.IntType(1))
        sn = builder.bitcast(builder.select(swap, cv, sv), i32)
        cs = builder.bitcast(builder.select(swap, sv, cv), i32)
        two = ir.Constant(i32, 2)
        thirty = ir.Constant(i32, 30)
        sin_sign = builder.shl(builder.and_(qv, two), thirty)
        cos_sign = builder.shl(builder.and_(builder.add(qv, ir.Constant(i32, 1)), two), thirty)
        return context.make_tuple(
            builder,
            signature.return_type,
            [
                builder.bitcast(builder.xor(sn, sin_sign), f32),
                builder.bitcast(builder.xor(cs, cos_sign), f32),
            ],
        )

    return types.UniTuple(types.float32, 2)(types.float32, types.float32, types.int32), codegen


if numba.config.DISABLE_JIT:

    def centred_frexp_f32(x):
        """``(e, m)`` with ``x = m * 2**e``, ``m`` in [sqrt(1/2), sqrt(2)), as float32."""
        hx = int(np.float32(x).view(np.uint32)) + _CENTRE_SHIFT
        m = np.uint32((hx & 0x7FFFFF) + _SQRT_HALF_BITS).view(np.float32)
        return np.float32((hx >> 23) - 127), m

    def quarter_turns_f32(k):
        """``(r, q)``: ``k = q * 2**22 + r`` with ``r`` in [-2**21, 2**21), for
        ``k < 2**24``; ``r`` as float32 (exact), ``q`` as int32."""
        q = (int(k) + (1 << 21)) >> 22
        return np.float32(int(k) - (q << 22)), np.int32(q)

    def rotate_quadrant_f32(s, c, q):
        """``(sin, cos)`` of ``q * pi/2 + x`` from ``(s, c) = (sin x, cos x)``."""
        q = int(q)
        sn, cs = (c, s) if q & 1 else (s, c)
        return (-sn if q & 2 else sn), (-cs if (q + 1) & 2 else cs)

    def nonzero_mask64(words, start):
        """Bit ``i`` set where ``words[start + i]`` is non-zero, ``i < 64``."""
        bits = 0
        for i in range(64):
            if words[start + i]:
                bits |= 1 << i
        return np.uint64(bits)

    def trailing_zeros(x):
        """Index of the lowest set bit of a non-zero np.uint64."""
        x = int(x)
        return np.uint64((x & -x).bit_length() - 1)

    def f64_as_u64(x):
        return np.float64(x).view(np.uint64)

    def u64_as_f64(x):
        return np.uint64(x).view(np.float64)

else:
    centred_frexp_f32 = _centred_frexp_f32
    quarter_turns_f32 = _quarter_turns_f32
    rotate_quadrant_f32 = _rotate_quadrant_f32
    trailing_zeros = _cttz
    nonzero_mask64 = _nonzero_mask64
    f64_as_u64 = bitcast(types.float64, types.uint64)
    u64_as_f64 = bitcast(types.uint64, types.float64)
