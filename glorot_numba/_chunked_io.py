"""Filling a tensor block by block, in C order, with bounded memory.

Every element is a pure function of (key, flat index, dtype class), so a
block drawn with ``partition_info`` (the block's offset in the full shape)
holds exactly the values of that slice of the whole tensor.  Blocks here
are runs of whole "rows" of one axis, so consecutive blocks are
consecutive bytes of the C-ordered tensor and can be written to a file one
after the other.
"""

import math

import numpy as np

from . import _registry
from ._shapes import PartitionInfo

__all__ = ["c_order_blocks", "draw_blocks", "write_npy"]


def c_order_blocks(shape, itemsize, max_bytes):
    """``(offset, block_shape)`` pairs covering ``shape`` in C order.

    Each block has at most ``max(max_bytes // itemsize, one inner row)``
    elements: it spans whole trailing axes and a range of one axis, with
    the leading axes fixed.
    """
    shape = tuple(shape)
    if math.prod(shape) == 0:
        return
    if not shape:
        yield (), ()
        return
    budget = max(1, max_bytes // itemsize)
    # The first axis whose trailing sub-tensor fits the budget.
    axis = len(shape) - 1
    for a in range(len(shape)):
        if math.prod(shape[a + 1 :]) <= budget:
            axis = a
            break
    inner = math.prod(shape[axis + 1 :])
    step = max(1, budget // inner)
    for lead in np.ndindex(*shape[:axis]):
        for start in range(0, shape[axis], step):
            stop = min(shape[axis], start + step)
            offset = tuple(lead) + (start,) + (0,) * (len(shape) - axis - 1)
            block = (1,) * axis + (stop - start,) + shape[axis + 1 :]
            yield offset, block


def draw_blocks(init, shape, dtype, max_bytes):
    """Yield the tensor ``init(shape, dtype)`` as C-order blocks.

    The same buffer is reused for every block: each yielded array is valid
    until the next one is requested.  An initializer whose blocks are not
    slices of the whole (a TensorFlow-compatible stream) is drawn whole.
    """
    dtype = np.dtype(dtype)
    shape = tuple(shape)
    if not _registry.partitionable(init):
        yield init(shape, dtype)
        return
    # float16 and bfloat16 are computed through a float32 buffer: size the
    # blocks by that.
    blocks = list(c_order_blocks(shape, max(dtype.itemsize, 4), max_bytes))
    largest = max((math.prod(b) for _, b in blocks), default=0)
    buffer = np.empty(largest, dtype)
    for offset, block in blocks:
        view = buffer[: math.prod(block)].reshape(block)
        if shape:
            init(block, dtype, partition_info=PartitionInfo(shape, offset), out=view)
        else:
            init(shape, dtype, out=view)
        yield view


def npy_header(fp, shape, dtype):
    """Write the header of a C-ordered ``.npy`` file of ``shape``, ``dtype``."""
    header = {
        "descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
        "fortran_order": False,
        "shape": tuple(shape),
    }
    np.lib.format.write_array_header_1_0(fp, header)


def write_npy(init, shape, dtype, path, max_bytes, file_dtype=None, on_block=None):
    """Stream ``init(shape, dtype)`` to the ``.npy`` file ``path``.

    Memory stays at one block (``max_bytes``) whatever the tensor's size.
    ``file_dtype`` stores the values in another (exact) dtype, e.g.
    bfloat16 as float32; ``on_block(block)`` sees every block, in order.
    """
    dtype = np.dtype(dtype)
    file_dtype = dtype if file_dtype is None else np.dtype(file_dtype)
    with open(path, "wb") as fp:
        npy_header(fp, shape, file_dtype)
        for block in draw_blocks(init, shape, dtype, max_bytes):
            if on_block is not None:
                on_block(block)
            out = block if file_dtype == dtype else block.astype(file_dtype)
            fp.write(np.ascontiguousarray(out).data)
