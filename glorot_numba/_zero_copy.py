"""Host arrays that JAX adopts without copying them.

On the CPU, ``jax.device_put`` of a C-contiguous NumPy array whose data
starts on a 64-byte boundary wraps that memory instead of copying it (the
alignment XLA's CPU client asks for); ``np.empty`` only promises 16 bytes.
A draw written into such an array reaches JAX for nothing, where a copy
of a large kernel costs about as long as drawing it.

Large arrays are mapped from the system directly, so that their pages are
those XLA would have allocated for the weight itself: NumPy asks the kernel
for transparent huge pages from 4 MiB on (``madvise``), XLA and PyTorch do
not.  Building a model touches hundreds of megabytes of memory the process
has never used, and on virtual machines that hand freed memory back to
their host, a first touch of huge pages costs three to four times what the
system's default pages cost (docs/performance.md, "Building a Keras
model").

Kept free of framework imports: the adapters import JAX themselves.
"""

from __future__ import annotations

import math
import mmap
from typing import Any

import numpy as np

from . import _engine

__all__ = ["ALIGNMENT", "MAPPED_FROM", "aligned_empty"]

ALIGNMENT = 64

# From this size on NumPy advises huge pages; smaller arrays keep NumPy's
# allocator, whose freed memory the next allocation reuses.
MAPPED_FROM = 1 << 22

_BYTES = np.dtype(np.uint8)

# Where the platform has no private anonymous maps, NumPy allocates all.
_CAN_MAP = hasattr(mmap, "MAP_PRIVATE") and hasattr(mmap, "MAP_ANONYMOUS")


def aligned_empty(shape: tuple[int, ...], dtype: np.dtype[Any]) -> np.ndarray[Any, Any]:
    """An uninitialised, writable C-contiguous array whose data is 64-byte aligned.

    ``shape`` is a validated tuple of ints, ``dtype`` a NumPy dtype.  Large
    requests are checked against the memory still available, as every
    allocation of the library is.  Arrays of ``MAPPED_FROM`` bytes or more
    are a private anonymous map of their own (page-aligned), with the
    system's default page size; the map is released with the last array
    that uses it.
    """
    nbytes = _engine.check_room(shape, dtype)
    if _CAN_MAP and nbytes >= MAPPED_FROM:
        pages = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        return np.frombuffer(pages, dtype, count=math.prod(shape)).reshape(shape)
    raw = np.empty(nbytes + ALIGNMENT, _BYTES)  # the room is checked above
    start = -raw.ctypes.data % ALIGNMENT
    return raw[start : start + nbytes].view(dtype).reshape(shape)
