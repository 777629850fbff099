"""Output dtypes: which are accepted, how they are named, which path serves them.

bfloat16 comes from ``ml_dtypes``, which takes most of a second to import
in its recent versions; it is imported the first time a bfloat16 is asked
for (by name, by a framework's dtype, or as a dtype of ``ml_dtypes``,
which is then loaded already), not with the package.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt
    import torch

    class HasNumpyDType(Protocol):
        """A TensorFlow dtype: its NumPy type is ``as_numpy_dtype``."""

        @property
        def as_numpy_dtype(self) -> Any: ...


__all__ = [
    "SUPPORTED",
    "resolve_dtype",
    "dtype_name",
    "path_of",
    "native_of",
    "component_of",
    "is_bfloat16",
    "is_complex",
]

# What the API takes as a dtype (for annotations): anything NumPy takes
# (names, dtypes, scalar types, bfloat16 of ml_dtypes or JAX among them), a
# PyTorch dtype, or a TensorFlow dtype.
DTypeLike: TypeAlias = "npt.DTypeLike | torch.dtype | HasNumpyDType"

# The float32 path computes in float32 and rounds to the output type; the
# float64 path has its own 53-bit stream; each complex dtype has a stream of
# its own, computed in its component precision.  bfloat16 joins the float32
# path when ml_dtypes is loaded (see _bfloat16).
SUPPORTED: dict[np.dtype[Any], str] = {
    np.dtype(np.float16): "f32",
    np.dtype(np.float32): "f32",
    np.dtype(np.float64): "f64",
    np.dtype(np.complex64): "c64",
    np.dtype(np.complex128): "c128",
}

_NAMES: dict[np.dtype[Any], str] = {
    np.dtype(np.float16): "float16",
    np.dtype(np.float32): "float32",
    np.dtype(np.float64): "float64",
    np.dtype(np.complex64): "complex64",
    np.dtype(np.complex128): "complex128",
}

# The array type each path's kernels write.
_NATIVE: dict[str, np.dtype[Any]] = {
    "f32": np.dtype(np.float32),
    "f64": np.dtype(np.float64),
    "c64": np.dtype(np.complex64),
    "c128": np.dtype(np.complex128),
}

_EXPECTED = "Expected one of the dtypes float16, bfloat16, float32, float64, complex64, complex128"


def _bfloat16() -> np.dtype[Any]:
    """bfloat16's NumPy dtype, importing ``ml_dtypes`` (and registering the
    dtype) the first time."""
    import ml_dtypes

    dtype: np.dtype[Any] = np.dtype(ml_dtypes.bfloat16)
    if dtype not in SUPPORTED:
        SUPPORTED[dtype] = "f32"
        _NAMES[dtype] = "bfloat16"
    return dtype


def __getattr__(name: str) -> np.dtype[Any]:
    # BFLOAT16 as a module attribute, loaded on first use.
    if name == "BFLOAT16":
        return _bfloat16()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _torch_dtype_name(dtype: object) -> str | None:
    """``"float32"`` for ``torch.float32``; None if ``dtype`` is no torch dtype.

    A torch dtype can only exist once torch is imported, so torch is looked
    up in ``sys.modules`` and never imported here.
    """
    torch = sys.modules.get("torch")
    if torch is None or not isinstance(dtype, getattr(torch, "dtype", ())):
        return None
    return str(dtype).rpartition(".")[2]


def resolve_dtype(dtype: DTypeLike) -> np.dtype[Any]:
    """Return the NumPy dtype for ``dtype`` or raise.

    Accepts names (``"float32"``, ``"bfloat16"``, ``"complex64"``, ...: NumPy's
    and Keras' names), NumPy dtypes and scalar types, ``ml_dtypes.bfloat16``,
    JAX scalar types (``jnp.bfloat16``), PyTorch dtypes (``torch.float32``)
    and objects with an ``as_numpy_dtype`` attribute (TensorFlow dtypes).
    Other dtypes (integers, bool, float8, ...) raise ``ValueError``; things
    that are not dtypes at all raise ``TypeError``.

    Examples
    --------
    >>> from glorot_numba._dtypes import resolve_dtype
    >>> resolve_dtype("bfloat16"), resolve_dtype("double"), resolve_dtype(complex)
    (dtype(bfloat16), dtype('float64'), dtype('complex128'))
    """
    if not isinstance(dtype, _CACHEABLE):
        return _resolve(dtype)
    # Keyed by type too: np.dtype("float32") == "float32" in NumPy.
    key = (type(dtype), dtype)
    resolved = _RESOLVED.get(key)
    if resolved is None:
        resolved = _resolve(dtype)
        if len(_RESOLVED) < 256:
            _RESOLVED[key] = resolved
    return resolved


# Names, NumPy dtypes and scalar types seen before, and what they resolved
# to (failures are not kept: they raise every time).  Resolving them again
# would give the same dtype, and takes microseconds: a sizeable part of a
# small call.
_CACHEABLE = (str, np.dtype, type)
_RESOLVED: dict[tuple[type, object], np.dtype[Any]] = {}


def _resolve(dtype: object) -> np.dtype[Any]:
    if isinstance(dtype, bool) or dtype is None:
        raise TypeError(f"dtype must be a dtype, got {dtype!r}")
    torch_name = _torch_dtype_name(dtype)
    candidate: object = torch_name or getattr(dtype, "as_numpy_dtype", dtype)
    if isinstance(candidate, str) and candidate.lower() == "bfloat16":
        candidate = _bfloat16()
    try:
        resolved: np.dtype[Any] = np.dtype(candidate)  # type: ignore[call-overload]
    except (TypeError, SyntaxError) as exc:  # NumPy parses "a,b" strings with ast
        if torch_name:  # a dtype, just not one NumPy has (torch.qint8, ...)
            raise ValueError(f"{_EXPECTED}, got {dtype}") from None
        if isinstance(candidate, str):
            # NumPy does not know ml_dtypes' other names ("float8_e4m3fn"):
            # dtypes all the same, which this library does not draw.
            import ml_dtypes

            extra = getattr(ml_dtypes, candidate.lower(), None)
            if isinstance(extra, type) and issubclass(extra, np.generic):
                raise ValueError(f"{_EXPECTED}, got {candidate.lower()}") from None
        raise TypeError(f"dtype {dtype!r} is not a dtype NumPy understands") from exc
    if resolved not in SUPPORTED and "ml_dtypes" in sys.modules:
        _bfloat16()  # an ml_dtypes dtype: ml_dtypes is loaded, bfloat16 may be it
    if resolved not in SUPPORTED:
        raise ValueError(f"{_EXPECTED}, got {resolved.name}")
    return resolved


def dtype_name(dtype: np.dtype[Any]) -> str:
    """Canonical name of a supported dtype, as ``get_config`` reports it."""
    return _NAMES[dtype]


def path_of(dtype: np.dtype[Any]) -> str:
    """``"f32"``, ``"f64"``, ``"c64"`` or ``"c128"``: the path that serves ``dtype``."""
    return SUPPORTED[dtype]


def native_of(dtype: np.dtype[Any]) -> np.dtype[Any]:
    """The dtype the kernels of ``dtype``'s path write (then cast to ``dtype``)."""
    return _NATIVE[SUPPORTED[dtype]]


def is_bfloat16(dtype: object) -> bool:
    """Whether ``dtype`` is bfloat16 (without loading ``ml_dtypes`` to tell)."""
    return getattr(dtype, "name", None) == "bfloat16"


def is_complex(dtype: np.dtype[Any]) -> bool:
    """Whether ``dtype`` is one of the complex dtypes."""
    return dtype.kind == "c"


def component_of(dtype: np.dtype[Any]) -> np.dtype[Any]:
    """The real dtype of the real and imaginary parts (``dtype`` itself if real)."""
    if dtype == np.complex64:
        return np.dtype(np.float32)
    if dtype == np.complex128:
        return np.dtype(np.float64)
    return dtype
