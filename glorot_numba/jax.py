"""JAX / Flax adapter: ``jax.nn.initializers``-style factories.

Each factory takes JAX's arguments (``in_axis=-2, out_axis=-1,
batch_axis=(), dtype=None``) and returns ``init(key, shape, dtype=None,
out_sharding=None)``, a pure function of the PRNG key that returns a
``jax.Array`` — so it can be handed to Flax as ``kernel_init=...``.  The
values are drawn by glorot_numba's CPU kernels under a Philox key taken
from the JAX key's data: a raw ``uint32[2]`` key (``jax.random.PRNGKey``)
or a typed key (``jax.random.key``) of the default implementation gives its
two words directly, other implementations' words are compressed to two.
The same key always gives the same values, different keys independent
ones.  Under ``jax.jit`` (and ``vmap``) the draw runs as a
``jax.pure_callback`` on the host.

Differences from ``jax.nn.initializers``: distribution names are JAX's
(``"normal"`` is the untruncated normal, ``"truncated_normal"`` truncates at
two standard deviations), fans are clamped to at least 1 (JAX divides by
zero for empty shapes), and the random stream is glorot_numba's, not JAX's.

Examples
--------
>>> import jax
>>> import glorot_numba.jax as gnj
>>> init = gnj.glorot_normal()
>>> w = init(jax.random.key(0), (784, 256))
>>> w.shape, str(w.dtype)
((784, 256), 'float32')
"""

import functools
import numbers

import jax
import jax.numpy as jnp
import numpy as np

from . import _adapters
from .initializers import VarianceScaling

__all__ = [
    "variance_scaling",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
    "xavier_normal",
    "xavier_uniform",
    "kaiming_normal",
    "kaiming_uniform",
]

# JAX's distribution names -> glorot_numba's.
_DISTRIBUTIONS = {
    "truncated_normal": "truncated_normal",
    "normal": "untruncated_normal",
    "uniform": "uniform",
}


def _key_words(key):
    """The raw uint32 words of one JAX key (typed or raw)."""
    if not hasattr(key, "dtype") or not hasattr(key, "shape"):
        raise TypeError(f"key must be a JAX PRNG key, got {type(key).__name__}")
    if jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key):
        if key.shape != ():
            raise ValueError(f"expected a single PRNG key, got an array of shape {key.shape}")
        return jax.random.key_data(key)
    if key.dtype != jnp.uint32 or key.ndim != 1:
        raise TypeError(
            "key must be a typed PRNG key (jax.random.key) or a raw uint32 key "
            f"(jax.random.PRNGKey), got an array of dtype {key.dtype} and shape {key.shape}"
        )
    return key


def _check_rank(shape, layout):
    """JAX's rule: every named axis must exist in ``shape``."""
    ndim = len(shape)
    for name, axes in zip(("in_axis", "out_axis", "batch_axis"), layout):
        for a in (axes,) if isinstance(axes, numbers.Integral) else axes:
            if not -ndim <= a < ndim:
                raise ValueError(
                    f"Can't compute input and output sizes of a {ndim}-dimensional "
                    f"weights tensor: {name}={a} is not one of its axes"
                )


def _draw(words, *, numpy_init, shape, dtype):
    key = _adapters.key_from_words(np.asarray(words))
    return _adapters.keyed(numpy_init, key)(shape, dtype)


def variance_scaling(scale, mode, distribution, in_axis=-2, out_axis=-1, batch_axis=(),
                     dtype=None):
    """An initializer whose samples have variance ``scale / n``, as in JAX.

    Parameters
    ----------
    scale : float
        Positive, finite scaling factor.
    mode : {"fan_in", "fan_out", "fan_avg", "fan_geo_avg"}
        Which fan sets ``n``.
    distribution : {"truncated_normal", "normal", "uniform"}
        JAX's names: ``"normal"`` is untruncated; ``"truncated_normal"`` is
        truncated at two standard deviations and rescaled to keep the
        standard deviation ``sqrt(scale / n)``.
    in_axis, out_axis, batch_axis : int or sequence of int
        Fan axes, as in ``jax.nn.initializers.variance_scaling``.
    dtype : dtype-like, optional
        Default dtype of the returned initializer; JAX's default float type
        if None.

    Returns
    -------
    callable
        ``init(key, shape, dtype=dtype, out_sharding=None) -> jax.Array``.

    Raises
    ------
    TypeError, ValueError
        For invalid arguments (here, not at call time as JAX does).

    Examples
    --------
    >>> import jax
    >>> import numpy as np
    >>> import glorot_numba.jax as gnj
    >>> init = gnj.variance_scaling(2.0, "fan_in", "uniform")
    >>> w = jax.jit(init, static_argnums=1)(jax.random.key(1), (64, 32))
    >>> bool(np.array_equal(w, init(jax.random.key(1), (64, 32))))
    True
    """
    if distribution not in _DISTRIBUTIONS:
        raise ValueError(
            f"distribution must be one of {tuple(_DISTRIBUTIONS)}, got {distribution!r}"
        )
    numpy_init = VarianceScaling(scale, mode, _DISTRIBUTIONS[distribution],
                                 in_axis=in_axis, out_axis=out_axis, batch_axis=batch_axis)
    layout = (numpy_init.in_axis, numpy_init.out_axis, numpy_init.batch_axis)
    default_dtype = dtype

    def init(key, shape, dtype=default_dtype, out_sharding=None):
        if dtype is None:
            dtype = jnp.result_type(float)
        dtype = jax.dtypes.canonicalize_dtype(dtype)
        shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
        _check_rank(shape, layout)
        words = _key_words(key)
        draw = functools.partial(_draw, numpy_init=numpy_init, shape=shape, dtype=dtype)
        try:
            concrete = np.asarray(words)
        except jax.errors.TracerArrayConversionError:
            values = jax.pure_callback(draw, jax.ShapeDtypeStruct(shape, dtype), words,
                                       vmap_method="sequential")
            if out_sharding is not None:
                values = jax.device_put(values, out_sharding)
            return values
        return jax.device_put(draw(concrete), out_sharding)

    return init


_TITLES = {
    "glorot_normal": "Glorot (Xavier) normal",
    "glorot_uniform": "Glorot (Xavier) uniform",
    "he_normal": "He (Kaiming) normal",
    "he_uniform": "He (Kaiming) uniform",
    "lecun_normal": "LeCun normal",
    "lecun_uniform": "LeCun uniform",
}


_FANS = {"fan_in": "fan-in", "fan_avg": "mean of fan-in and fan-out"}


def _member(name):
    scale, mode, distribution = _adapters.FAMILY[name]

    def factory(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
        return variance_scaling(scale, mode, distribution, in_axis=in_axis,
                                out_axis=out_axis, batch_axis=batch_axis, dtype=dtype)

    factory.__name__ = factory.__qualname__ = name
    kind = "a truncated normal" if distribution == "truncated_normal" else "a uniform"
    factory.__doc__ = f"""{_TITLES[name]} initializer factory, as ``jax.nn.initializers.{name}``.

    Draws from {kind} distribution of variance ``{scale:g} / n``, ``n`` the
    {_FANS[mode]}: it is
    ``variance_scaling({scale!r}, {mode!r}, {distribution!r}, ...)``.

    Parameters
    ----------
    in_axis, out_axis, batch_axis : int or sequence of int
        Fan axes, as in JAX.
    dtype : dtype-like, optional
        Default dtype of the returned initializer.

    Returns
    -------
    callable
        ``init(key, shape, dtype=dtype, out_sharding=None) -> jax.Array``.

    Examples
    --------
    >>> import jax
    >>> import glorot_numba.jax as gnj
    >>> w = gnj.{name}()(jax.random.key(0), (3, 3, 16, 32))
    >>> w.shape
    (3, 3, 16, 32)
    """
    return factory


glorot_normal = _member("glorot_normal")
glorot_uniform = _member("glorot_uniform")
he_normal = _member("he_normal")
he_uniform = _member("he_uniform")
lecun_normal = _member("lecun_normal")
lecun_uniform = _member("lecun_uniform")
xavier_normal = glorot_normal
xavier_uniform = glorot_uniform
kaiming_normal = he_normal
kaiming_uniform = he_uniform
