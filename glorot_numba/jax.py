"""JAX / Flax adapter: ``jax.nn.initializers``-style factories.

Each factory takes JAX's arguments and returns ``init(key, shape,
dtype=None, out_sharding=None)``, a pure function of the PRNG key that
returns a ``jax.Array`` -- so it can be handed to Flax as
``kernel_init=...``.  The values are drawn by glorot_numba's CPU kernels
under a Philox key taken from the JAX key's data: a raw ``uint32[2]`` key
(``jax.random.PRNGKey``) or a typed key (``jax.random.key``) of the default
implementation gives its two words directly, other implementations' words
are compressed to two.  The same key always gives the same values,
different keys independent ones.  Under ``jax.jit`` (and ``vmap``) the draw
runs as a ``jax.pure_callback`` on the host.

The family (``variance_scaling``, ``glorot_*``, ``he_*``, ``lecun_*``) and
the explicit distributions (``normal``, ``truncated_normal``, ``uniform``)
have JAX's signatures, distributions and error messages; ``out_sharding``
places the result with the sharding JAX gives it.

Differences from ``jax.nn.initializers``: arguments are checked when the
factory is called, not at every draw; fans are clamped to at least 1 (JAX
divides by zero for empty shapes); the random stream is glorot_numba's, not
JAX's; a float64 request without ``jax_enable_x64`` gives float32 without
JAX's warning; ``out_sharding`` also accepts any ``jax.sharding.Sharding``.

Examples
--------
>>> import jax
>>> import glorot_numba.jax as gnj
>>> init = gnj.glorot_normal()
>>> w = init(jax.random.key(0), (784, 256))
>>> w.shape, str(w.dtype)
((784, 256), 'float32')
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, SupportsIndex, TypeAlias

import jax
import jax.numpy as jnp
import numpy as np

from . import _adapters, _explicit, _shapes, _zero_copy
from .initializers import VarianceScaling

if TYPE_CHECKING:
    import numpy.typing as npt

    from ._dtypes import DTypeLike
    from ._shapes import AxisLike, Layout
    from .initializers import Initializer, Method, Mode, RealLike

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
    "normal",
    "truncated_normal",
    "uniform",
]

# JAX's distribution names -> glorot_numba's.
_DISTRIBUTIONS = {
    "truncated_normal": "truncated_normal",
    "normal": "untruncated_normal",
    "uniform": "uniform",
}

_P = jax.sharding.PartitionSpec

# What the initializers place their result with (JAX's out_sharding, and any
# other Sharding).
OutSharding: TypeAlias = "jax.sharding.Sharding | jax.sharding.PartitionSpec | None"
# A number, or a concrete scalar array.
Scalar: TypeAlias = "RealLike | jax.Array | npt.NDArray[Any]"
# A dtype check of a call: raises JAX's error for a shape and dtype.
_Check: TypeAlias = "Callable[[tuple[int, ...], Any], None]"


class Factory(Protocol):
    """A family member's factory, as ``jax.nn.initializers.glorot_normal``."""

    def __call__(
        self,
        in_axis: AxisLike = -2,
        out_axis: AxisLike = -1,
        batch_axis: AxisLike = (),
        dtype: DTypeLike | None = None,
        *,
        method: Method = "box_muller",
    ) -> jax.nn.initializers.Initializer: ...


def _key_words(key: jax.Array) -> jax.Array:
    """The raw uint32 words of one JAX key (typed or raw)."""
    if not hasattr(key, "dtype") or not hasattr(key, "shape"):
        raise TypeError(f"key must be a JAX PRNG key, got {type(key).__name__}")
    if jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key):  # type: ignore[attr-defined]
        if key.shape != ():
            raise ValueError(f"expected a single PRNG key, got an array of shape {key.shape}")
        return jax.random.key_data(key)
    if key.dtype != jnp.uint32 or key.ndim != 1:
        raise TypeError(
            "key must be a typed PRNG key (jax.random.key) or a raw uint32 key "
            f"(jax.random.PRNGKey), got an array of dtype {key.dtype} and shape {key.shape}"
        )
    return key


def _check_rank(shape: tuple[int, ...], layout: Layout) -> None:
    """JAX's rule: every named axis must exist in ``shape``."""
    ndim = len(shape)
    in_axis = layout[0]
    if isinstance(in_axis, int) and in_axis == -2 and ndim <= 1:
        raise ValueError(
            f"Can't compute input and output sizes of a {ndim}-dimensional weights "
            "tensor with default in_axis. Must be at least 2D or specify in_axis explicitly."
        )
    for name, axes in zip(("in_axis", "out_axis", "batch_axis"), layout):
        for a in (axes,) if isinstance(axes, int) else axes:
            if not -ndim <= a < ndim:
                raise ValueError(
                    f"Can't compute input and output sizes of a {ndim}-dimensional "
                    f"weights tensor: {name}={a} is not one of its axes"
                )


def _placement(out_sharding: OutSharding, ndim: int) -> OutSharding:
    """``out_sharding`` as JAX's samplers apply it: a ``PartitionSpec`` needs a
    mesh, and the spec is padded with None to the rank of the result."""
    if out_sharding is None:
        return None
    if isinstance(out_sharding, _P):
        if jax.sharding.get_abstract_mesh().empty:
            raise ValueError(
                "Using PartitionSpec when you are not under a mesh context is not allowed. "
                "Please pass a NamedSharding instance or enter into a mesh context via "
                f"`jax.set_mesh`. Got {out_sharding}"
            )
        return _P(*out_sharding, *(None,) * (ndim - len(out_sharding)))
    if isinstance(out_sharding, jax.sharding.NamedSharding):
        spec = out_sharding.spec
        return out_sharding.update(spec=_P(*spec, *(None,) * (ndim - len(spec))))
    return out_sharding


def _draw(
    words: npt.ArrayLike, *, numpy_init: Initializer, shape: tuple[int, ...], dtype: np.dtype[Any]
) -> np.ndarray[Any, Any]:
    key = _adapters.key_from_words(np.asarray(words))
    values = _zero_copy.aligned_empty(shape, dtype)
    return _adapters.keyed(numpy_init, key)(shape, dtype, out=values)


def _initializer(
    numpy_init: Initializer, default_dtype: DTypeLike | None, check: _Check
) -> jax.nn.initializers.Initializer:
    """``init(key, shape, dtype, out_sharding)`` drawing ``numpy_init`` under
    the key; ``check(shape, dtype)`` raises JAX's errors for the call."""

    def init(
        key: jax.Array,
        shape: SupportsIndex | Sequence[SupportsIndex],
        dtype: Any = default_dtype,
        out_sharding: OutSharding = None,
    ) -> jax.Array:
        dtype = jax.dtypes.canonicalize_dtype(jnp.result_type(float) if dtype is None else dtype)
        # One int is a rank-1 shape (mypy's typing does not see int as Integral).
        sides = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)  # type: ignore[arg-type]
        dims = _shapes.check_shape(sides)
        check(dims, dtype)
        placement = _placement(out_sharding, len(dims))
        words = _key_words(key)
        draw = functools.partial(_draw, numpy_init=numpy_init, shape=dims, dtype=dtype)
        try:
            concrete = np.asarray(words)
        except jax.errors.TracerArrayConversionError:
            values: jax.Array = jax.pure_callback(
                draw, jax.ShapeDtypeStruct(dims, dtype), words, vmap_method="sequential"
            )
            if placement is not None:
                values = jax.device_put(values, placement)
            return values
        # On the CPU, JAX adopts the aligned host array without a copy.
        return jax.device_put(draw(concrete), placement)  # type: ignore[no-any-return]

    return init


# What JAX's samplers say of a dtype they refuse.
_SAMPLER_DTYPES = {
    "normal": "a float or complex dtype",
    "uniform": "a float dtype",
    "truncated_normal": "a float dtype",
}


def _needs(accepted: type[Any], sampler: str) -> _Check:
    """A dtype check: ``accepted`` (``jnp.floating`` or ``jnp.inexact``) or
    JAX's error, as ``sampler`` (the ``jax.random`` function JAX's
    initializer reaches for such a dtype) raises it."""

    def check(shape: tuple[int, ...], dtype: Any) -> None:
        if not jnp.issubdtype(dtype, accepted):
            raise ValueError(
                f"dtype argument to `{sampler}` must be {_SAMPLER_DTYPES[sampler]}, got {dtype}"
            )

    return check


def _concrete(value: object, name: str) -> Any:
    """A Python number for a number or a concrete scalar array (JAX takes both).

    Whether it is a real number is left to the caller to check.
    """
    if isinstance(value, numbers.Number):
        return value
    try:
        array = np.asarray(value)
    except jax.errors.TracerArrayConversionError:
        raise TypeError(f"{name} must be a concrete number, not a traced value") from None
    if array.shape != () or array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    return array.item()


def variance_scaling(
    scale: RealLike,
    mode: Mode,
    distribution: Literal["truncated_normal", "normal", "uniform"],
    in_axis: AxisLike = -2,
    out_axis: AxisLike = -1,
    batch_axis: AxisLike = (),
    dtype: DTypeLike | None = None,
    *,
    method: Method = "box_muller",
) -> jax.nn.initializers.Initializer:
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
        if None.  Real or complex.
    method : {"box_muller", "inverse_cdf"}, keyword-only
        How the truncated normal is drawn (see
        :class:`glorot_numba.VarianceScaling`); this library's addition.

    Returns
    -------
    callable
        ``init(key, shape, dtype=dtype, out_sharding=None) -> jax.Array``.

    Raises
    ------
    TypeError, ValueError
        For invalid arguments (here, not at call time as JAX does); the
        initializer raises JAX's errors for a shape without the axes and a
        dtype that is not a float or complex one.

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
    numpy_init = VarianceScaling(
        scale,
        mode,
        _DISTRIBUTIONS[distribution],
        method=method,
        in_axis=in_axis,
        out_axis=out_axis,
        batch_axis=batch_axis,
    )
    layout = (numpy_init.in_axis, numpy_init.out_axis, numpy_init.batch_axis)
    # Complex dtypes are drawn too; for others, JAX fails in the sampler it
    # reaches for complex ones (uniform), or in the normal one.
    check_dtype = _needs(jnp.inexact, "normal" if distribution == "normal" else "uniform")

    def check(shape: tuple[int, ...], dtype: Any) -> None:
        _check_rank(shape, layout)
        check_dtype(shape, dtype)

    return _initializer(numpy_init, dtype, check)


_TITLES = {
    "glorot_normal": "Glorot (Xavier) normal",
    "glorot_uniform": "Glorot (Xavier) uniform",
    "he_normal": "He (Kaiming) normal",
    "he_uniform": "He (Kaiming) uniform",
    "lecun_normal": "LeCun normal",
    "lecun_uniform": "LeCun uniform",
}


_FANS = {"fan_in": "fan-in", "fan_avg": "mean of fan-in and fan-out"}


def _member(name: str) -> Factory:
    scale, mode, distribution = _adapters.FAMILY[name]

    def factory(
        in_axis: AxisLike = -2,
        out_axis: AxisLike = -1,
        batch_axis: AxisLike = (),
        dtype: DTypeLike | None = None,
        *,
        method: Method = "box_muller",
    ) -> jax.nn.initializers.Initializer:
        # The family's distributions are named alike here and in JAX.
        return variance_scaling(
            scale,
            mode,
            distribution,  # type: ignore[arg-type]
            in_axis=in_axis,
            out_axis=out_axis,
            batch_axis=batch_axis,
            dtype=dtype,
            method=method,
        )

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
    method : {{"box_muller", "inverse_cdf"}}, keyword-only
        How a truncated normal is drawn (normal members only; see
        :class:`glorot_numba.VarianceScaling`).

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


# --------------------------------------------------------------------------
# Explicit distributions
# --------------------------------------------------------------------------


def _magnitude(value: Scalar, name: str) -> float:
    """``|value|`` of a scale parameter, which JAX multiplies standard samples by."""
    number = _concrete(value, name)
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(number).__name__} {number!r}")
    return abs(float(number))


def normal(
    stddev: Scalar = 1e-2, dtype: DTypeLike | None = None
) -> jax.nn.initializers.Initializer:
    """An initializer drawing ``N(0, stddev**2)``, as ``jax.nn.initializers.normal``.

    Parameters
    ----------
    stddev : float, default 0.01
        Standard deviation, a number or a concrete scalar array (JAX
        multiplies standard normals by it, so a negative one draws the
        distribution of its magnitude).
    dtype : dtype-like, optional
        Default dtype of the returned initializer; real or complex (a
        complex value has real and imaginary parts of variance
        ``stddev**2 / 2``, as in JAX).

    Returns
    -------
    callable
        ``init(key, shape, dtype=dtype, out_sharding=None) -> jax.Array``.

    Examples
    --------
    >>> import jax
    >>> import numpy as np
    >>> import glorot_numba.jax as gnj
    >>> w = np.asarray(gnj.normal(0.02)(jax.random.key(0), (512, 256)))
    >>> round(float(w.std()), 3)
    0.02
    """
    return _initializer(
        _explicit.RandomNormal(0.0, _magnitude(stddev, "stddev")),
        dtype,
        _needs(jnp.inexact, "normal"),
    )


def truncated_normal(
    stddev: Scalar = 1e-2, dtype: DTypeLike | None = None, lower: Scalar = -2.0, upper: Scalar = 2.0
) -> jax.nn.initializers.Initializer:
    """An initializer drawing a truncated normal, as ``jax.nn.initializers.truncated_normal``.

    The values are ``stddev * z``, ``z`` a standard normal conditioned on
    ``lower < z < upper``: the normal ``N(0, stddev**2)`` conditioned on
    lying between ``lower * stddev`` and ``upper * stddev``.  Exact for any
    interval -- wide, narrow or far in a tail -- and never by clipping; as
    in JAX, ``stddev`` is the standard deviation *before* truncation.

    Parameters
    ----------
    stddev : float, default 0.01
        Standard deviation of the untruncated normal; a number or a
        concrete scalar array.
    dtype : dtype-like, optional
        Default dtype of the returned initializer (a real float type).
    lower, upper : float, default -2.0, 2.0
        Truncation bounds in units of ``stddev``, ``lower < upper``; either
        may be infinite.

    Returns
    -------
    callable
        ``init(key, shape, dtype=dtype, out_sharding=None) -> jax.Array``.

    Raises
    ------
    TypeError, ValueError
        For arguments that are not real numbers, NaN, or ``lower >= upper``.

    Examples
    --------
    >>> import jax
    >>> import numpy as np
    >>> import glorot_numba.jax as gnj
    >>> w = np.asarray(gnj.truncated_normal(0.5)(jax.random.key(0), (256, 256)))
    >>> bool(np.abs(w).max() <= 1.0)
    True
    >>> tail = gnj.truncated_normal(1.0, lower=3.0, upper=float("inf"))
    >>> bool(np.asarray(tail(jax.random.key(1), (1000,))).min() >= 3.0)
    True
    """
    signed = _concrete(stddev, "stddev")
    scale = _magnitude(signed, "stddev")
    low, high = _concrete(lower, "lower"), _concrete(upper, "upper")
    for value, name in ((low, "lower"), (high, "upper")):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    if not float(low) < float(high):
        raise ValueError(f"lower must be below upper, got lower={low}, upper={high}")
    numpy_init: Initializer
    if scale == 0.0:
        # Every value is 0 * z.
        numpy_init = _explicit.RandomNormal(0.0, 0.0)
    else:
        # A negative stddev mirrors the interval.
        bounds = sorted((float(low) * signed, float(high) * signed))
        numpy_init = _explicit.TruncatedNormal(0.0, scale, lower=bounds[0], upper=bounds[1])
    return _initializer(numpy_init, dtype, _needs(jnp.floating, "truncated_normal"))


def uniform(
    scale: Scalar = 1e-2, dtype: DTypeLike | None = None
) -> jax.nn.initializers.Initializer:
    """An initializer drawing ``U(0, scale)``, as ``jax.nn.initializers.uniform``.

    Parameters
    ----------
    scale : float, default 0.01
        The upper bound (JAX multiplies ``U(0, 1)`` by it: a negative one
        gives ``U(scale, 0)``); a number or a concrete scalar array.
    dtype : dtype-like, optional
        Default dtype of the returned initializer (a real float type).

    Returns
    -------
    callable
        ``init(key, shape, dtype=dtype, out_sharding=None) -> jax.Array``.
        Every value lies in ``[0, scale]`` as the dtype represents it.

    Examples
    --------
    >>> import jax
    >>> import numpy as np
    >>> import glorot_numba.jax as gnj
    >>> w = np.asarray(gnj.uniform(10.0)(jax.random.key(0), (1000,)))
    >>> bool(w.min() >= 0.0 and w.max() <= 10.0)
    True
    """
    number = _concrete(scale, "scale")
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        raise TypeError(f"scale must be a real number, got {type(number).__name__} {number!r}")
    low, high = sorted((0.0, float(number)))
    return _initializer(_explicit.RandomUniform(low, high), dtype, _needs(jnp.floating, "uniform"))
