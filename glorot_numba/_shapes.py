"""Shapes: validation, fans (TF's ``_compute_fans``, or explicit axes), partitions."""

from __future__ import annotations

import math
import numbers
import types
from typing import TYPE_CHECKING, Any, Protocol, SupportsIndex, TypeAlias, TypedDict

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

# What the API takes as a shape (for annotations): a sequence of
# non-negative integers, e.g. a tuple, a list or a 1-D integer array.
ShapeLike: TypeAlias = "Sequence[SupportsIndex] | npt.NDArray[np.integer[Any]]"
# A fan axis argument: one axis, or several.
AxisLike: TypeAlias = "SupportsIndex | Sequence[SupportsIndex]"

if TYPE_CHECKING:

    class PartitionLike(Protocol):
        """Where a partition lies: a :class:`PartitionInfo`, or TensorFlow's
        ``_PartitionInfo``."""

        @property
        def full_shape(self) -> ShapeLike: ...

        @property
        def var_offset(self) -> ShapeLike: ...


# A validated axis argument: an int, or a tuple of distinct ints.
Axes: TypeAlias = "int | tuple[int, ...]"
# (in_axis, out_axis, batch_axis), validated.
Layout: TypeAlias = "tuple[Axes, Axes, Axes]"

__all__ = [
    "check_shape",
    "compute_fans",
    "fans_of",
    "check_layout",
    "layout_config",
    "DEFAULT_LAYOUT",
    "TORCH_LAYOUT",
    "PartitionInfo",
    "check_partition",
]

_MAX_ELEMENTS = np.iinfo(np.int64).max


def check_shape(shape: ShapeLike, name: str = "shape") -> tuple[int, ...]:
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
    sides = []
    for i, d in enumerate(shape):
        if type(d) is not int:  # plain ints skip the slow ABC checks
            if isinstance(d, (bool, np.bool_)) or not isinstance(d, numbers.Integral):
                raise TypeError(f"{name}[{i}] must be an integer, got {type(d).__name__} {d!r}")
            d = int(d)
        if d < 0:
            raise ValueError(f"{name}[{i}] must be >= 0, got {d}")
        sides.append(d)
    dims = tuple(sides)
    if math.prod(dims) > _MAX_ELEMENTS:
        raise ValueError(f"{name} {dims} has {math.prod(dims)} elements, more than 2**63 - 1")
    return dims


# (in_axis, out_axis, batch_axis) as given to the constructors.  This one
# means TensorFlow's rules, which special-case ranks 0 and 1.
DEFAULT_LAYOUT: Layout = (-2, -1, ())
_LAYOUT_NAMES = ("in_axis", "out_axis", "batch_axis")


class _TorchLayout(TypedDict):
    in_axis: int
    out_axis: int


# Typed as the keyword arguments it is (``**TORCH_LAYOUT``); read-only.
TORCH_LAYOUT: _TorchLayout = types.MappingProxyType(  # type: ignore[assignment]
    {"in_axis": 1, "out_axis": 0}
)
"""Keyword arguments for PyTorch's weight layout ``(out, in, *kernel)``.

Examples
--------
>>> import glorot_numba as gn
>>> gn.compute_fans((128, 64, 3, 3), **gn.TORCH_LAYOUT)
(576, 1152)
"""


def _check_axes(value: object, name: str) -> Axes:
    """An int, or a tuple of ints, from an axis argument; or raise TypeError."""
    if type(value) is int:  # plain ints skip the slow ABC checks
        return value
    if not isinstance(value, (bool, np.bool_)) and isinstance(value, numbers.Integral):
        return int(value)
    try:
        if isinstance(value, (str, bytes)):
            raise TypeError
        # What is not iterable raises TypeError; the items are checked below.
        axes: tuple[Any, ...] = tuple(value)  # type: ignore[arg-type]
    except TypeError:  # not iterable (None, a float, a 0-d array, ...)
        raise TypeError(
            f"{name} must be an integer or a sequence of integers, got "
            f"{type(value).__name__} {value!r}"
        ) from None
    for a in axes:
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, numbers.Integral):
            raise TypeError(
                f"{name} must be an integer or a sequence of integers, got "
                f"{type(a).__name__} {a!r} in {value!r}"
            )
    ints = tuple(int(a) for a in axes)
    if len(set(ints)) != len(ints):
        raise ValueError(f"{name} {ints} names an axis twice")
    return ints


def check_layout(
    in_axis: AxisLike = -2, out_axis: AxisLike = -1, batch_axis: AxisLike = ()
) -> Layout:
    """Validate a fan layout; return ``(in_axis, out_axis, batch_axis)``.

    Each entry is an int or a tuple of ints.  Whether the axes exist, and
    whether two arguments name the same axis, depends on the rank and is
    checked by :func:`fans_of`; axes written identically in two arguments are
    rejected here already.
    """
    if (
        (in_axis, out_axis, batch_axis) == DEFAULT_LAYOUT
        and type(in_axis) is int
        and type(out_axis) is int
        and type(batch_axis) is tuple
    ):
        return DEFAULT_LAYOUT  # what nearly every constructor gets
    in_axes, out_axes, batch_axes = (
        _check_axes(v, n) for v, n in zip((in_axis, out_axis, batch_axis), _LAYOUT_NAMES)
    )
    layout = (in_axes, out_axes, batch_axes)
    seen: dict[int, str] = {}
    for name, axes in zip(_LAYOUT_NAMES, layout):
        for a in (axes,) if isinstance(axes, int) else axes:
            if a in seen and seen[a] != name:
                raise ValueError(f"axis {a} is given both as {seen[a]} and as {name}")
            seen[a] = name
    return layout


def layout_config(layout: Layout) -> dict[str, Any]:
    """The entries of ``layout`` that differ from the default, as config items.

    Sequences become lists, so that a config survives a JSON round trip.
    """
    return {
        name: axes if isinstance(axes, int) else list(axes)
        for name, axes, default in zip(_LAYOUT_NAMES, layout, DEFAULT_LAYOUT)
        if axes != default
    }


def compute_fans(
    shape: ShapeLike, *, in_axis: AxisLike = -2, out_axis: AxisLike = -1, batch_axis: AxisLike = ()
) -> tuple[int, int]:
    """Fan-in and fan-out of a weight tensor.

    Parameters
    ----------
    shape : sequence of int
        The weight shape.  With the default axes, TensorFlow layout:
        ``(in, out)`` for dense kernels, ``(*receptive_field, in, out)`` for
        convolution kernels.
    in_axis, out_axis : int or sequence of int, keyword-only
        The axes whose sizes multiply into the input and output sizes.
    batch_axis : int or sequence of int, keyword-only
        Axes that count in neither fan (e.g. a stack of independent
        weights).  Every other axis is part of the receptive field.

    Returns
    -------
    (int, int)
        ``(fan_in, fan_out)``.  With the default axes, TensorFlow's rules:
        ``(1, 1)`` for rank 0, ``(n, n)`` for rank 1, ``(in, out)`` for
        rank 2, and for rank >= 3 ``shape[-2]`` and ``shape[-1]`` times the
        receptive field ``prod(shape[:-2])``.  Otherwise, as in JAX:
        ``prod(shape[in_axis]) * rf`` and ``prod(shape[out_axis]) * rf``, with
        ``rf`` the product of the sizes of the axes named by none of the
        three arguments (the defaults give the same fans for rank >= 2).

    Raises
    ------
    TypeError
        If ``shape`` or an axis argument is not made of integers.
    ValueError
        If ``shape`` is not a valid shape, an axis is out of range for its
        rank, or an axis is named twice.

    Examples
    --------
    >>> import glorot_numba as gn
    >>> gn.compute_fans((784, 256))
    (784, 256)
    >>> gn.compute_fans((3, 3, 64, 128))
    (576, 1152)
    >>> gn.compute_fans(())
    (1, 1)
    >>> gn.compute_fans((128, 64, 3, 3), in_axis=1, out_axis=0)   # PyTorch layout
    (576, 1152)
    >>> gn.compute_fans((8, 3, 3, 64, 128), batch_axis=0)         # 8 stacked kernels
    (576, 1152)
    """
    return fans_of(check_shape(shape), check_layout(in_axis, out_axis, batch_axis))


def _resolve_axes(axes: Axes, ndim: int, name: str) -> list[int]:
    result = []
    for a in (axes,) if isinstance(axes, int) else axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"{name} {a} is out of range for a shape of rank {ndim}")
        result.append(a % ndim)
    return result


def fans_of(dims: tuple[int, ...], layout: Layout = DEFAULT_LAYOUT) -> tuple[int, int]:
    """:func:`compute_fans` of an already validated tuple of ints and layout."""
    if layout == DEFAULT_LAYOUT:
        if len(dims) == 0:
            return 1, 1
        if len(dims) == 1:
            return dims[0], dims[0]
        if len(dims) == 2:
            return dims[0], dims[1]
        receptive_field = math.prod(dims[:-2])
        return dims[-2] * receptive_field, dims[-1] * receptive_field
    ndim = len(dims)
    resolved = [_resolve_axes(axes, ndim, name) for axes, name in zip(layout, _LAYOUT_NAMES)]
    owner: dict[int, str] = {}
    for name, axes in zip(_LAYOUT_NAMES, resolved):
        for a in axes:
            if a in owner:
                both = f"twice by {name}" if owner[a] == name else f"by both {owner[a]} and {name}"
                raise ValueError(f"axis {a} of a rank-{ndim} shape is named {both}")
            owner[a] = name
    in_axes, out_axes, _ = resolved
    receptive_field = math.prod(d for a, d in enumerate(dims) if a not in owner)
    return (
        math.prod(dims[a] for a in in_axes) * receptive_field,
        math.prod(dims[a] for a in out_axes) * receptive_field,
    )


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

    def __init__(self, full_shape: ShapeLike, var_offset: ShapeLike) -> None:
        self.full_shape = check_shape(full_shape, "full_shape")
        self.var_offset = check_shape(var_offset, "var_offset")
        if len(self.full_shape) != len(self.var_offset):
            raise ValueError(
                f"full_shape {self.full_shape} and var_offset {self.var_offset} "
                "must have the same length"
            )

    def __repr__(self) -> str:
        return f"PartitionInfo(full_shape={self.full_shape}, var_offset={self.var_offset})"


def check_partition(
    shape: tuple[int, ...], partition_info: PartitionLike
) -> tuple[tuple[int, ...], tuple[int, ...]]:
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
            f"shape {shape}, full_shape {full} and var_offset {offset} must have the same length"
        )
    for axis, (s, f, o) in enumerate(zip(shape, full, offset)):
        if o + s > f:
            raise ValueError(
                f"partition does not fit on axis {axis}: var_offset {o} + shape {s} "
                f"> full_shape {f}"
            )
    return full, offset
