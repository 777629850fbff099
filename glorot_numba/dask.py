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
constructor arguments as keywords; :func:`from_initializer` takes any
initializer object.  Needs ``pip install 'glorot_numba[dask]'``.

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

import secrets

import numpy as np

from . import _registry, _seeding, _shapes

try:
    import dask.array as _da
    from dask.base import tokenize as _tokenize
except ImportError as _exc:  # pragma: no cover - depends on the environment
    raise ImportError("glorot_numba.dask needs Dask: pip install 'glorot_numba[dask]'") from _exc

__all__ = ["from_initializer", "to_zarr"]


class _ChunkDrawer:
    """The chunk function: draws one chunk from its place in the full tensor.

    A class (not a closure) so that it pickles by reference to this module
    and reaches worker processes cheaply.
    """

    def __init__(self, init, shape, dtype, seeds):
        self.init, self.shape, self.dtype, self.seeds = init, shape, dtype, seeds

    def __call__(self, block_info=None):
        if _seeding.get_seed(self.init.seed) != self.seeds:
            raise RuntimeError(
                "a global seed (set_random_seed) was set where this chunk is drawn but not "
                "where the array was defined; the chunks would not fit together")
        if not self.shape:
            return self.init(self.shape, self.dtype)
        location = block_info[None]["array-location"]
        offset = tuple(start for start, _ in location)
        block = tuple(stop - start for start, stop in location)
        return self.init(block, self.dtype,
                         partition_info=_shapes.PartitionInfo(self.shape, offset))


def _pinned(init):
    """``(initializer, seed pair)``: ``init``, or for an unseeded one a copy
    with a seed drawn once, so that all chunks belong to one tensor."""
    if _seeding.get_seed(0) != (_seeding.DEFAULT_GRAPH_SEED, 0):
        raise ValueError(
            "glorot_numba.dask does not follow a global seed (set_random_seed): it is "
            "process-local, and chunks are drawn in other processes; give the initializer "
            "a seed instead, after set_random_seed(None)")
    if init.seed is None:
        config = dict(init.get_config(), seed=secrets.randbelow(_seeding.MAXINT32))
        init = type(init).from_config(config)
    return init, _seeding.get_seed(init.seed)


def from_initializer(init, shape, chunks="auto", dtype=None, name=None):
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
            "the tensor.  Use the native stream (no compat) for Dask arrays")
    shape = _shapes.check_shape(shape)
    dtype = init.dtype if dtype is None else _dtypes.resolve_dtype(dtype)
    # Validate everything (fans, scale, dtype) now, not on a worker later.
    if shape:
        init((0,) + shape[1:], dtype,
             partition_info=_shapes.PartitionInfo(shape, (0,) * len(shape)))
    init, seeds = _pinned(init)
    chunks = _da.core.normalize_chunks(chunks, shape, dtype=dtype)
    if name is None:
        name = "glorot-numba-" + _tokenize(type(init).__name__, init.get_config(), shape,
                                           chunks, str(dtype))
    return _da.map_blocks(_ChunkDrawer(init, shape, dtype, seeds), chunks=chunks, dtype=dtype,
                          meta=np.empty((0,) * len(shape), dtype), name=name)


def _builder(cls):
    snake = _registry.snake_case(cls.__name__)

    def make(shape, chunks="auto", *, dtype=None, name=None, **config):
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


# One function per public initializer class, found by name: a class added
# to the package gets its Dask function here without further code.
for _cls in _registry.initializer_classes().values():
    _fn = _builder(_cls)
    globals()[_fn.__name__] = _fn
    __all__.append(_fn.__name__)
del _cls, _fn


def to_zarr(array, store, **kwargs):
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
    return zarr.open_array(store, mode="r", path=kwargs.get("component"))
