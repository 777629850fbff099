"""Initializers as Dask arrays: tensors beyond one machine's memory or cores.

Every element is a pure function of (key, flat index in the full tensor,
dtype class), so each chunk of a :mod:`dask.array` can be drawn on its own,
anywhere, from its offset alone (``partition_info``): the chunks fit
together into exactly the tensor that the in-memory call returns, bit for
bit, whatever the chunking, scheduler or cluster.  Nothing is distributed
by hand — Dask's schedulers (threads, processes, ``dask.distributed``) run
the chunks, and :meth:`dask.array.Array.to_zarr` (or :func:`to_zarr`)
writes tensors larger than memory chunk by chunk.

One function per initializer class of the package, named in snake case
(``glorot_normal``, ``variance_scaling``, ...), each taking the class's
constructor arguments as keywords (checked by the class when called);
:func:`from_initializer` takes any initializer object.  Needs ``pip install
'glorot_numba[dask]'``.

Examples
--------
>>> import numpy as np
>>> import glorot_numba as gn
>>> from glorot_numba import dask as gnd
>>> w = gnd.glorot_normal((1000, 600), chunks=(250, 300), seed=7)
>>> w.chunks
((250, 250, 250, 250), (300, 300))
>>> bool(np.array_equal(w.compute(), gn.GlorotNormal(seed=7)((1000, 600))))
True
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

import numpy as np

from . import _registry, _seeding, _shapes
from ._explicit import RandomNormal, RandomUniform, TruncatedNormal
from ._family import GlorotUniform, HeNormal, HeUniform, LecunNormal, LecunUniform
from .initializers import GlorotNormal, Initializer, VarianceScaling

try:
    import dask.array as _da
    from dask.base import tokenize as _tokenize
except ImportError as _exc:  # pragma: no cover - depends on the environment
    raise ImportError("glorot_numba.dask needs Dask: pip install 'glorot_numba[dask]'") from _exc

if TYPE_CHECKING:
    import zarr

    from ._dtypes import DTypeLike
    from ._shapes import ShapeLike

__all__ = [
    "from_initializer",
    "to_zarr",
    "variance_scaling",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
    "random_normal",
    "truncated_normal",
    "random_uniform",
]

# Chunk sizes, in any form dask.array.normalize_chunks takes: a size, "auto",
# sizes per axis (each a size, "auto" or the sizes of the chunks), by axis.
ChunksLike: TypeAlias = "int | str | Sequence[Any] | Mapping[int, Any]"


class _ChunkDrawer:
    """The chunk function: draws one chunk from its place in the full tensor.

    A class (not a closure) so that it pickles by reference to this module
    and reaches worker processes cheaply.
    """

    def __init__(
        self,
        init: Initializer,
        shape: tuple[int, ...],
        dtype: np.dtype[Any],
        seeds: tuple[int, int] | None,
    ) -> None:
        self.init, self.shape, self.dtype, self.seeds = init, shape, dtype, seeds

    def __call__(self, block_info: Any = None) -> np.ndarray[Any, Any]:
        # block_info: Dask's description of the chunk (a dict), passed to
        # every chunk of an array of rank 1 or more.
        if _seeding.get_seed(self.init.seed) != self.seeds:
            raise RuntimeError(
                "a global seed (set_random_seed) was set where this chunk is drawn but not "
                "where the array was defined; the chunks would not fit together"
            )
        if not self.shape:
            return self.init(self.shape, self.dtype)
        location = block_info[None]["array-location"]
        offset = tuple(start for start, _ in location)
        block = tuple(stop - start for start, stop in location)
        return self.init(
            block, self.dtype, partition_info=_shapes.PartitionInfo(self.shape, offset)
        )


def _pinned(init: Initializer) -> tuple[Initializer, tuple[int, int] | None]:
    """``(initializer, seed pair)``: ``init``, or for an unseeded one a copy
    with a seed drawn once, so that all chunks belong to one tensor."""
    if _seeding.get_seed(0) != (_seeding.DEFAULT_GRAPH_SEED, 0):
        raise ValueError(
            "glorot_numba.dask does not follow a global seed (set_random_seed): it is "
            "process-local, and chunks are drawn in other processes; give the initializer "
            "a seed instead, after set_random_seed(None)"
        )
    if init.seed is None:
        config = dict(init.get_config(), seed=secrets.randbelow(_seeding.MAXINT32))
        init = type(init).from_config(config)
    return init, _seeding.get_seed(init.seed)


def from_initializer(
    init: Initializer,
    shape: ShapeLike,
    chunks: ChunksLike = "auto",
    dtype: DTypeLike | None = None,
    name: str | None = None,
) -> _da.Array:
    """A Dask array holding ``init(shape, dtype)``, drawn chunk by chunk.

    Parameters
    ----------
    init : initializer
        Any initializer of this package (any class, any configuration,
        e.g. ``GlorotNormal(seed=1)``).  An unseeded one is given a seed,
        once, so that all chunks belong to the same tensor.  A global seed
        (:func:`glorot_numba.set_random_seed`) is process-local and so not
        supported: it raises ``ValueError``, as do TensorFlow-compatible
        streams (``compat=``), whose blocks are not slices of the whole.
    shape : sequence of int
        Shape of the full tensor.
    chunks : int, tuple, "auto", ...
        Chunk sizes, in any form :func:`dask.array.normalize_chunks` takes.
    dtype : dtype-like, optional
        Output dtype (default: the initializer's).
    name : str, optional
        Dask key prefix; by default derived from the initializer, shape,
        chunks and dtype, so equal arrays share their keys.

    Returns
    -------
    dask.array.Array
        Computing it (with any scheduler) gives exactly ``init(shape,
        dtype)``; each chunk is ``init(chunk_shape, dtype,
        partition_info=PartitionInfo(shape, chunk_offset))``.

    Examples
    --------
    >>> import numpy as np
    >>> import glorot_numba as gn
    >>> from glorot_numba.dask import from_initializer
    >>> init = gn.VarianceScaling(2.0, "fan_in", "uniform", seed=3)
    >>> w = from_initializer(init, (3, 3, 64, 32), chunks=(3, 3, 16, 32), dtype="float64")
    >>> bool(np.array_equal(w.compute(), init((3, 3, 64, 32), "float64")))
    True
    """
    from . import _dtypes

    if not _registry.partitionable(init):
        raise ValueError(
            f"{init!r} draws TensorFlow's stream, in which a block's values depend on the "
            "block's shape, not on its place in the tensor; its chunks would not form "
            "the tensor.  Use the native stream (no compat) for Dask arrays"
        )
    dims = _shapes.check_shape(shape)
    resolved = init.dtype if dtype is None else _dtypes.resolve_dtype(dtype)
    # Validate everything (fans, scale, dtype) now, not on a worker later.
    if dims:
        init(
            (0,) + dims[1:], resolved, partition_info=_shapes.PartitionInfo(dims, (0,) * len(dims))
        )
    init, seeds = _pinned(init)
    normalized = _da.core.normalize_chunks(chunks, dims, dtype=resolved)
    if name is None:
        name = "glorot-numba-" + _tokenize(
            type(init).__name__, init.get_config(), dims, normalized, str(resolved)
        )
    array: _da.Array = _da.map_blocks(
        _ChunkDrawer(init, dims, resolved, seeds),
        chunks=normalized,
        dtype=resolved,
        meta=np.empty((0,) * len(dims), resolved),
        name=name,
    )
    return array


class DaskInitializer(Protocol):
    """What each function below is: ``from_initializer`` of one class, by keywords."""

    def __call__(
        self,
        shape: ShapeLike,
        chunks: ChunksLike = "auto",
        *,
        dtype: DTypeLike | None = None,
        name: str | None = None,
        **config: Any,
    ) -> _da.Array: ...


def _builder(cls: type[Initializer]) -> DaskInitializer:
    snake = _registry.snake_case(cls.__name__)

    def make(
        shape: ShapeLike,
        chunks: ChunksLike = "auto",
        *,
        dtype: DTypeLike | None = None,
        name: str | None = None,
        **config: Any,
    ) -> _da.Array:
        return from_initializer(cls(**config), shape, chunks, dtype=dtype, name=name)

    make.__name__ = make.__qualname__ = snake
    make.__module__ = __name__
    make.__doc__ = f"""A Dask array drawn by :class:`glorot_numba.{cls.__name__}`.

    ``{snake}(shape, chunks, **config)`` is
    ``from_initializer({cls.__name__}(**config), shape, chunks, dtype=dtype)``;
    ``config`` takes the class's constructor arguments (``seed``, ...).
    Computed with any scheduler, it equals ``{cls.__name__}(**config)(shape,
    dtype)`` bit for bit.

    Examples
    --------
    >>> import numpy as np
    >>> import glorot_numba as gn
    >>> from glorot_numba import dask as gnd
    >>> w = gnd.{snake}((64, 48), chunks=(16, 48), seed=1)
    >>> bool(np.array_equal(w.compute(), gn.{cls.__name__}(seed=1)((64, 48))))
    True
    """
    return make


# One function per public initializer class, named as the class in snake
# case (a test holds this list to the classes the package exports).
variance_scaling = _builder(VarianceScaling)
glorot_normal = _builder(GlorotNormal)
glorot_uniform = _builder(GlorotUniform)
he_normal = _builder(HeNormal)
he_uniform = _builder(HeUniform)
lecun_normal = _builder(LecunNormal)
lecun_uniform = _builder(LecunUniform)
random_normal = _builder(RandomNormal)
truncated_normal = _builder(TruncatedNormal)
random_uniform = _builder(RandomUniform)


def to_zarr(array: _da.Array, store: Any, **kwargs: Any) -> zarr.Array[Any]:
    """Write a Dask array (e.g. from :func:`glorot_normal`) to a Zarr store.

    Chunk by chunk, on whatever scheduler is active (a ``dask.distributed``
    client's workers included), so the tensor never has to fit in memory.
    The Zarr chunks are the Dask chunks.  Keyword arguments go to
    :meth:`dask.array.Array.to_zarr` (``overwrite=True``, ``component=...``).
    Needs ``zarr``; bfloat16 is not a Zarr dtype — store it as float32
    (``array.astype("float32")``, exact).

    Returns
    -------
    zarr.Array
        The written array, opened from the store.

    Examples
    --------
    >>> import tempfile, numpy as np, zarr
    >>> import glorot_numba as gn
    >>> from glorot_numba import dask as gnd
    >>> path = tempfile.mkdtemp() + "/w.zarr"
    >>> z = gnd.to_zarr(gnd.glorot_normal((400, 300), chunks=100, seed=2), path)
    >>> bool(np.array_equal(z[:], gn.GlorotNormal(seed=2)((400, 300))))
    True
    """
    import zarr

    if array.dtype.kind not in "fc":
        raise ValueError(f"Zarr cannot store {array.dtype}; convert it (e.g. to float32) first")
    array.to_zarr(store, **kwargs)
    # No component: the root of the store (zarr takes None for it).
    return zarr.open_array(store, mode="r", path=kwargs.get("component"))  # type: ignore[arg-type]
