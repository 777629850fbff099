"""Shapes: validation, fans (TF's ``_compute_fans``), partitions of a full tensor."""

import math
import numbers

import numpy as np

__all__ = ["check_shape", "compute_fans", "fans_of", "PartitionInfo", "check_partition", "index_runs"]

_MAX_ELEMENTS = np.iinfo(np.int64).max


def check_shape(shape, name="shape"):
    """Return ``shape`` as a tuple of Python ints, or raise.

    A shape is a sequence (list, tuple, 1-D integer array, ...) of
    non-negative integers whose product fits in a signed 64-bit integer.
    """
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__len__"):
        raise TypeError(
            f"{name} must be a sequence of non-negative integers, got "
            f"{type(shape).__name__} {shape!r}"
        )
    if isinstance(shape, np.ndarray) and shape.ndim != 1:
        raise TypeError(f"{name} must be one-dimensional, got an array of shape {shape.shape}")
    dims = []
    for i, d in enumerate(shape):
        if type(d) is not int:  # plain ints skip the slow ABC checks
            if isinstance(d, (bool, np.bool_)) or not isinstance(d, numbers.Integral):
                raise TypeError(
                    f"{name}[{i}] must be an integer, got {type(d).__name__} {d!r}"
                )
            d = int(d)
        if d < 0:
            raise ValueError(f"{name}[{i}] must be >= 0, got {d}")
        dims.append(d)
    dims = tuple(dims)
    if math.prod(dims) > _MAX_ELEMENTS:
        raise ValueError(
            f"{name} {dims} has {math.prod(dims)} elements, more than 2**63 - 1"
        )
    return dims


def compute_fans(shape):
    """Fan-in and fan-out of a weight tensor, by TensorFlow's rules.

    Parameters
    ----------
    shape : sequence of int
        The weight shape, in TensorFlow layout: ``(in, out)`` for dense
        kernels, ``(*receptive_field, in, out)`` for convolution kernels.

    Returns
    -------
    (int, int)
        ``(fan_in, fan_out)``: ``(1, 1)`` for rank 0, ``(n, n)`` for rank 1,
        ``(in, out)`` for rank 2, and for rank >= 3 ``shape[-2]`` and
        ``shape[-1]`` times the receptive field ``prod(shape[:-2])``.

    Raises
    ------
    TypeError, ValueError
        If ``shape`` is not a valid shape (see :class:`VarianceScaling`).

    Examples
    --------
    >>> import glorot_numba as gn
    >>> gn.compute_fans((784, 256))
    (784, 256)
    >>> gn.compute_fans((3, 3, 64, 128))
    (576, 1152)
    >>> gn.compute_fans(())
    (1, 1)
    """
    return fans_of(check_shape(shape))


def fans_of(dims):
    """:func:`compute_fans` of an already validated tuple of ints."""
    if len(dims) == 0:
        return 1, 1
    if len(dims) == 1:
        return dims[0], dims[0]
    if len(dims) == 2:
        return dims[0], dims[1]
    receptive_field = math.prod(dims[:-2])
    return dims[-2] * receptive_field, dims[-1] * receptive_field


class PartitionInfo:
    """Where a partition (slice) lies in the full, partitioned variable.

    Parameters
    ----------
    full_shape : sequence of int
        Shape of the whole variable.  Fans, and so the scale, come from it.
    var_offset : sequence of int
        Index in the full variable of the partition's first element.

    Notes
    -----
    Any object with ``full_shape`` and ``var_offset`` attributes (TensorFlow's
    own ``_PartitionInfo`` included) is accepted wherever this class is.
    Unlike TensorFlow, which gives every equal-shaped partition the same
    values, the values of a partition are exactly that slice of the full
    tensor drawn with the same seed.

    Examples
    --------
    >>> import numpy as np
    >>> import glorot_numba as gn
    >>> init = gn.GlorotNormal(seed=3)
    >>> part = init((2, 5), partition_info=gn.PartitionInfo((6, 5), (2, 0)))
    >>> bool(np.array_equal(part, init((6, 5))[2:4]))
    True
    """

    def __init__(self, full_shape, var_offset):
        self.full_shape = check_shape(full_shape, "full_shape")
        self.var_offset = check_shape(var_offset, "var_offset")
        if len(self.full_shape) != len(self.var_offset):
            raise ValueError(
                f"full_shape {self.full_shape} and var_offset {self.var_offset} "
                "must have the same length"
            )

    def __repr__(self):
        return f"PartitionInfo(full_shape={self.full_shape}, var_offset={self.var_offset})"


def check_partition(shape, partition_info):
    """Validate ``partition_info`` against ``shape``; return (full, offset)."""
    try:
        full_raw = partition_info.full_shape
        offset_raw = partition_info.var_offset
    except AttributeError:
        raise TypeError(
            "partition_info must have full_shape and var_offset attributes, got "
            f"{type(partition_info).__name__}"
        ) from None
    full = check_shape(full_raw, "partition_info.full_shape")
    offset = check_shape(offset_raw, "partition_info.var_offset")
    if not len(full) == len(offset) == len(shape):
        raise ValueError(
            f"shape {shape}, full_shape {full} and var_offset {offset} must have "
            "the same length"
        )
    for axis, (s, f, o) in enumerate(zip(shape, full, offset)):
        if o + s > f:
            raise ValueError(
                f"partition does not fit on axis {axis}: var_offset {o} + shape {s} "
                f"> full_shape {f}"
            )
    return full, offset


def index_runs(shape, full, offset):
    """Flat C-order indices in ``full`` of the slice ``shape`` at ``offset``.

    Returns ``(starts, run_len)``: the slice's elements, in C order, are
    ``starts[r] + t`` for ``t < run_len``.  Trailing axes the slice spans
    entirely merge into one run, so an unpartitioned tensor is a single run.
    """
    ndim = len(shape)
    strides = [1] * ndim
    for a in range(ndim - 2, -1, -1):
        strides[a] = strides[a + 1] * full[a + 1]
    # Axes after `split` are spanned entirely and contiguous in memory.
    split = ndim - 1
    while split >= 0 and shape[split] == full[split]:
        split -= 1
    if split < 0:
        return np.zeros(1, np.int64), math.prod(shape)
    run_len = shape[split] * strides[split]
    base = sum(o * st for o, st in zip(offset, strides))
    starts = np.full((), base, np.int64)
    for a in range(split):
        steps = np.arange(shape[a], dtype=np.int64) * strides[a]
        starts = np.add.outer(starts, steps)
    return starts.reshape(-1), run_len
