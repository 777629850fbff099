"""Host arrays that JAX adopts without copying them.

On the CPU, ``jax.device_put`` of a C-contiguous NumPy array whose data
starts on a 64-byte boundary wraps that memory instead of copying it (the
alignment XLA's CPU client asks for); ``np.empty`` only promises 16 bytes.
A draw written into such an array reaches JAX for nothing, where a copy
of a large kernel costs about as long as drawing it.

Kept free of framework imports: the adapters import JAX themselves.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _engine

__all__ = ["ALIGNMENT", "aligned_empty"]

ALIGNMENT = 64

_BYTES = np.dtype(np.uint8)


def aligned_empty(shape: tuple[int, ...], dtype: np.dtype[Any]) -> np.ndarray[Any, Any]:
    """An uninitialised C-contiguous array whose data is 64-byte aligned.

    ``shape`` is a validated tuple of ints, ``dtype`` a NumPy dtype.  Large
    requests are checked against the memory still available, as every
    allocation of the library is.
    """
    nbytes = math.prod(shape) * dtype.itemsize
    raw = _engine.allocate((nbytes + ALIGNMENT,), _BYTES)
    start = -raw.ctypes.data % ALIGNMENT
    return raw[start : start + nbytes].view(dtype).reshape(shape)
