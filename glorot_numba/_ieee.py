"""Reinterpretation of IEEE-754 floats as unsigned integers and back.

The elementary functions take exponents and mantissas apart with integer
operations, which needs a bit-level view of a float scalar.  Under the JIT
these are single LLVM ``bitcast`` instructions (free, and vectorisable); with
``NUMBA_DISABLE_JIT=1`` the NumPy scalar ``view`` gives the same bits, so both
modes agree exactly.
"""

import numba
import numpy as np
from numba import types
from numba.extending import intrinsic

__all__ = ["f32_as_u32", "u32_as_f32", "f64_as_u64", "u64_as_f64"]


def _bitcast(src, dst):
    @intrinsic
    def cast(typingctx, x):
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], context.get_value_type(dst))

        return dst(src), codegen

    return cast


if numba.config.DISABLE_JIT:

    def f32_as_u32(x):
        return np.float32(x).view(np.uint32)

    def u32_as_f32(x):
        return np.uint32(x).view(np.float32)

    def f64_as_u64(x):
        return np.float64(x).view(np.uint64)

    def u64_as_f64(x):
        return np.uint64(x).view(np.float64)

else:
    f32_as_u32 = _bitcast(types.float32, types.uint32)
    u32_as_f32 = _bitcast(types.uint32, types.float32)
    f64_as_u64 = _bitcast(types.float64, types.uint64)
    u64_as_f64 = _bitcast(types.uint64, types.float64)
