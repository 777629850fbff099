"""Code generation for the fill kernels: wide vectors where the CPU has them, borrowed views.

On Intel CPUs with AVX-512, LLVM vectorises for 256-bit registers unless a
function asks for more -- a default meant for code that mixes a little
vector work into scalar work, where 512-bit instructions cost more in clock
speed than they give.  The fill kernels are the opposite case: long loops of
pure arithmetic.  With 512-bit vectors their float32 transform loop runs
1.35x as fast on a Sapphire Rapids core.

The hint is LLVM's per-function attribute ``"prefer-vector-width"="512"``,
set by :func:`prefer_wide_vectors` on the function being compiled where it
is called, on CPUs where 512-bit vectors run at full speed (see
:func:`hint_wanted`).  Nothing global changes: other Numba functions in the
process compile as before.
Results never depend on it: every floating-point operation is IEEE-754
lane by lane (no fused multiply-add, no reassociation), so any vector width
gives the same bits.

llvmlite accepts only the attribute names it lists, so the attribute goes
into its set directly; whether that still yields IR that LLVM parses is
checked once, on a probe function, the first time a kernel compiles.  If
not, the hint is left out and the kernels compile as any other code.

:func:`borrowed` is ``arr[start:stop]`` without a reference of its own.
Numba counts references to every array a kernel hands to an inlined
function, with atomic increments and decrements; per tile of 128 float64
outputs these cost 6% of the fill.  A borrowed view is only used inside the
kernel, while the array it looks into is alive.
"""

import functools

import numba
from llvmlite import binding as llvm
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from . import numba_internals

__all__ = ["prefer_wide_vectors", "hint_wanted", "hint_usable", "borrowed"]

_ATTRIBUTE = '"prefer-vector-width"="512"'


@functools.cache
def hint_wanted():
    """Whether to ask for 512-bit vectors: on CPUs where they pay, if the hint works.

    That is AVX-512 CPUs that also have AVX512-IFMA: Ice Lake, Sapphire
    Rapids, Zen 4 and later.  Their 512-bit units run at full width without
    the clock penalty of the first AVX-512 generation (Skylake-SP, Cascade
    Lake), where many parts have a single 512-bit unit and LLVM's default is
    kept.
    """
    try:
        features = set(llvm.get_host_cpu_features().flatten().split(","))
    except Exception:  # noqa: BLE001 - no feature list: keep LLVM's default
        return False
    return {"+avx512f", "+avx512ifma"} <= features and hint_usable()


@functools.cache
def hint_usable():
    """Whether the attribute can be attached and parses in this llvmlite."""
    try:
        module = ir.Module(name="glorot_numba_probe")
        fn = ir.Function(module, ir.FunctionType(ir.VoidType(), []), name="probe")
        numba_internals.add_function_attribute(fn, _ATTRIBUTE)
        ir.IRBuilder(fn.append_basic_block()).ret_void()
        text = str(module)
        if _ATTRIBUTE not in text:
            return False
        llvm.parse_assembly(text).verify()
        return True
    except Exception:  # noqa: BLE001 - any failure means: compile without the hint
        return False


@intrinsic
def _prefer_wide_vectors(typingctx):
    def codegen(context, builder, signature, args):
        if hint_wanted():
            numba_internals.add_function_attribute(builder.function, _ATTRIBUTE)
        return context.get_dummy_value()

    return types.none(), codegen


@intrinsic
def _borrowed(typingctx, arr, start, stop):
    if not (isinstance(arr, types.Array) and arr.ndim == 1 and arr.layout == "C"):
        return None
    view = arr.copy(layout="C")

    def codegen(context, builder, signature, args):
        src = numba_internals.source_array(context, builder, signature.args[0], args[0])
        lo, hi = args[1], args[2]
        itemsize = context.get_constant(
            types.intp, context.get_abi_sizeof(context.get_data_type(signature.args[0].dtype))
        )
        dst = numba_internals.array_view(
            context,
            builder,
            signature.return_type,
            builder.gep(src.data, [lo]),
            [builder.sub(hi, lo)],
            [itemsize],
            itemsize,
        )
        return dst._getvalue()

    return view(arr, types.intp, types.intp), codegen


if numba.config.DISABLE_JIT:

    def prefer_wide_vectors():
        """No-op: no code is generated without the JIT."""
        return None

    def borrowed(arr, start, stop):
        """``arr[start:stop]``."""
        return arr[start:stop]

else:
    # Called as prefer_wide_vectors() from a jitted function: asks LLVM for
    # 512-bit vectors in the function being compiled; no run-time effect.
    prefer_wide_vectors = _prefer_wide_vectors
    # borrowed(arr, start, stop) is arr[start:stop] (0 <= start <= stop <=
    # len(arr), not checked) without a reference to arr's memory: valid only
    # while arr itself is alive, as in a kernel's own loops.
    borrowed = _borrowed
