"""Output dtypes: which are accepted, how they are named, which path serves them."""

import ml_dtypes
import numpy as np

__all__ = ["SUPPORTED", "resolve_dtype", "dtype_name", "path_of"]

BFLOAT16 = np.dtype(ml_dtypes.bfloat16)

# The float32 path computes in float32 and rounds to the output type; the
# float64 path has its own 53-bit stream.
SUPPORTED = {
    np.dtype(np.float16): "f32",
    BFLOAT16: "f32",
    np.dtype(np.float32): "f32",
    np.dtype(np.float64): "f64",
}

_NAMES = {np.dtype(np.float16): "float16", BFLOAT16: "bfloat16",
          np.dtype(np.float32): "float32", np.dtype(np.float64): "float64"}


def resolve_dtype(dtype):
    """Return the NumPy dtype for ``dtype`` or raise.

    Accepts names (``"float32"``, ``"bfloat16"``, ...), NumPy dtypes and scalar
    types, ``ml_dtypes.bfloat16`` and objects with an ``as_numpy_dtype``
    attribute (TensorFlow dtypes).  Non-float dtypes raise ``ValueError``;
    things that are not dtypes at all raise ``TypeError``.
    """
    if isinstance(dtype, bool) or dtype is None:
        raise TypeError(f"dtype must be a floating-point dtype, got {dtype!r}")
    if isinstance(dtype, str) and dtype.lower() == "bfloat16":
        return BFLOAT16
    candidate = getattr(dtype, "as_numpy_dtype", dtype)
    try:
        resolved = np.dtype(candidate)
    except (TypeError, SyntaxError) as exc:  # NumPy parses "a,b" strings with ast
        raise TypeError(f"dtype {dtype!r} is not a dtype NumPy understands") from exc
    if resolved not in SUPPORTED:
        raise ValueError(
            f"Expected a floating-point dtype (float16, bfloat16, float32 or "
            f"float64), got {resolved.name}"
        )
    return resolved


def dtype_name(dtype):
    """Canonical name of a supported dtype, as ``get_config`` reports it."""
    return _NAMES[dtype]


def path_of(dtype):
    """``"f32"`` or ``"f64"``: the sampling path that serves ``dtype``."""
    return SUPPORTED[dtype]
