"""Memory: new arrays refused when the system cannot back them, and overlap tests."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["CHECK_MEMORY_FROM", "allocate", "available_memory", "check_room", "overlaps_itself"]

# New arrays at least this large are checked against the memory the system
# can still provide; smaller ones are left to NumPy.
CHECK_MEMORY_FROM = 1 << 30

# The largest byte count an array can have.
_MAX_BYTES = int(np.iinfo(np.intp).max)


def _meminfo() -> dict[str, int]:
    try:
        with open("/proc/meminfo") as f:
            return {
                line.split(":")[0]: int(line.split()[1]) * 1024
                for line in f
                if line.split()[1].isdigit()
            }
    except (OSError, IndexError, ValueError):
        return {}


def _cgroup_room() -> int | None:
    try:
        with open("/sys/fs/cgroup/memory.max") as f:
            limit = f.read().strip()
        if limit == "max":
            return None
        with open("/sys/fs/cgroup/memory.current") as f:
            return int(limit) - int(f.read().strip())
    except (OSError, ValueError):
        return None


def available_memory() -> int | None:
    """Bytes the system can still give this process, or None if unknown (not Linux)."""
    info = _meminfo()
    if "MemAvailable" not in info:
        return None
    room = info["MemAvailable"] + info.get("SwapFree", 0)
    cgroup = _cgroup_room()
    return room if cgroup is None else min(room, cgroup)


def allocate(shape: tuple[int, ...], dtype: np.dtype[Any]) -> np.ndarray[Any, Any]:
    """``np.empty(shape, dtype)``, refused with MemoryError if it cannot be backed.

    Linux hands out address space it has no memory for ("overcommit"):
    ``np.empty`` of more than the free memory succeeds, and the fill that
    follows gets the process killed.  Large requests are therefore checked
    against the memory still available first.
    """
    check_room(shape, dtype)
    return np.empty(shape, dtype)


def check_room(shape: tuple[int, ...], dtype: np.dtype[Any]) -> int:
    """The byte count of an array of ``shape`` and ``dtype``; raises
    ValueError if no address space holds it, MemoryError if it is large and
    the system cannot back it (see :func:`allocate`)."""
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > _MAX_BYTES:
        raise ValueError(
            f"an array of shape {tuple(shape)} and dtype {dtype} is too big: "
            f"{nbytes} bytes do not fit in a memory address"
        )
    if nbytes >= CHECK_MEMORY_FROM:
        room = available_memory()
        if room is not None and nbytes > room:
            raise MemoryError(
                f"an array of shape {tuple(shape)} and dtype {dtype} needs "
                f"{nbytes / 2**30:.1f} GiB, but only {room / 2**30:.1f} GiB are available"
            )
    return nbytes


def overlaps_itself(a: np.ndarray[Any, Any]) -> bool:
    """Whether two elements of ``a`` might share memory (conservative).

    Sorted by stride, each axis must step over everything the smaller axes
    span; arrays built with zero or interleaved strides fail this.
    """
    if a.size <= 1:
        return False
    axes = sorted((abs(s), n) for s, n in zip(a.strides, a.shape) if n > 1)
    reach = a.itemsize
    for stride, n in axes:
        if stride < reach:
            return True
        reach = stride * (n - 1) + reach
    return False
