"""Host arrays for JAX: aligned, writable, adopted without a copy, released.

``_zero_copy.aligned_empty`` is where the JAX and Keras adapters put their
draws: JAX must wrap the memory rather than copy it, arrays from
``MAPPED_FROM`` bytes on are maps of their own (the system's default
pages, like XLA's own buffers), and each map must go back to the system
with the last array that uses it.
"""

import mmap
import os

import numpy as np
import pytest

import glorot_numba as gn
from glorot_numba import _zero_copy

SMALL = (64, 48)  # 12 KiB of float32: NumPy's allocator
LARGE = (2048, 1024)  # 8 MiB: a map of its own

# Where the platform has no private anonymous maps, NumPy allocates every array.
maps_only = pytest.mark.skipif(not _zero_copy._CAN_MAP, reason="no private anonymous maps here")


def _resident_bytes():
    """This process's resident memory (Linux only)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * mmap.PAGESIZE


@pytest.mark.parametrize("shape", [SMALL, LARGE, (0,), (3, 0, 5), ()])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.uint16])
def test_arrays_are_aligned_writable_and_c_contiguous(shape, dtype):
    a = _zero_copy.aligned_empty(shape, np.dtype(dtype))
    assert a.shape == shape and a.dtype == dtype
    assert a.flags.c_contiguous and a.flags.writeable
    # (An empty array's data pointer is NumPy's to choose and never read.)
    assert a.size == 0 or a.ctypes.data % _zero_copy.ALIGNMENT == 0
    if _zero_copy._CAN_MAP and a.nbytes >= _zero_copy.MAPPED_FROM:
        assert a.ctypes.data % mmap.PAGESIZE == 0
    a[...] = 1  # every byte is ours to write
    assert a.size == 0 or (a == 1).all()


@maps_only
def test_sizes_from_the_threshold_on_are_maps_of_their_own():
    below = _zero_copy.aligned_empty((_zero_copy.MAPPED_FROM - 4,), np.dtype(np.uint8))
    at = _zero_copy.aligned_empty((_zero_copy.MAPPED_FROM,), np.dtype(np.uint8))

    def owner(a):
        while isinstance(a, np.ndarray):
            a = a.base
        return a.obj if isinstance(a, memoryview) else a

    assert isinstance(owner(at), mmap.mmap) and len(owner(at)) == at.nbytes
    assert not isinstance(owner(below), mmap.mmap)


@maps_only
@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads Linux's /proc")
def test_maps_are_released_with_their_last_array():
    # 40 arrays of 64 MiB, each written in full and dropped: without release
    # the process would hold 2.5 GiB; the bound is far above one array.
    shape = (16 << 20,)
    start = _resident_bytes()
    for _ in range(40):
        a = _zero_copy.aligned_empty(shape, np.dtype(np.float32))
        a.fill(1.0)
        view = a[::2]
        del a
        assert view[-1] == 1.0  # a view keeps the map alive
        del view
    assert _resident_bytes() - start < 4 * (64 << 20)


def test_too_large_a_request_is_refused_before_anything_is_mapped():
    with pytest.raises(MemoryError, match="GiB"):
        _zero_copy.aligned_empty((1 << 40, 1 << 20), np.dtype(np.float32))
    with pytest.raises(ValueError, match="too big"):
        _zero_copy.aligned_empty((1 << 62, 1 << 62), np.dtype(np.float32))


@pytest.mark.parametrize("shape", [SMALL, LARGE])
def test_jax_adopts_the_memory_without_copying_it(shape):
    jax = pytest.importorskip("jax", reason="JAX is not installed (pip install '.[jax]')")
    a = _zero_copy.aligned_empty(shape, np.dtype(np.float32))
    gn.GlorotNormal(seed=3)(shape, out=a)
    adopted = jax.device_put(a)
    assert adopted.unsafe_buffer_pointer() == a.ctypes.data
    assert np.array_equal(np.asarray(adopted), gn.GlorotNormal(seed=3)(shape))
