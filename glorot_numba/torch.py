"""PyTorch adapter: ``torch.nn.init``'s random functions on glorot_numba's engine.

Two sets of functions fill a tensor in place (under ``torch.no_grad()``)
and return it:

* ``uniform_``, ``normal_`` and ``trunc_normal_`` are ``torch.nn.init``'s,
  with PyTorch's arguments, checks, errors, warnings and distributions --
  only the values are the engine's.
* ``xavier_*``, ``kaiming_*``, ``lecun_*`` and ``variance_scaling_`` are
  the VarianceScaling family in PyTorch's weight layout, ``(out, in,
  *kernel)`` (``nn.Linear``, ``nn.ConvNd``), with the fans of
  ``torch.nn.init``.

:class:`accelerate` makes ``torch.nn.init`` itself draw through the engine
while a model is built, with PyTorch's distributions throughout (see
``docs/torch.md``).

Dtypes: float16, bfloat16, float32, float64, complex64 and complex128
(``uniform_`` and ``normal_`` also complex32, as pairs of float16).  A CPU
tensor is written through a zero-copy NumPy view of its memory: a
contiguous tensor is filled directly by the sampling kernels, with no
temporary array.  Other tensors (other devices, overlapping layouts,
conjugate views, tensor subclasses) get their values drawn into a NumPy
array first and copied in with ``Tensor.copy_``.

.. note::
   ``torch.nn.init.xavier_normal_`` and ``kaiming_normal_`` draw from an
   *untruncated* normal.  The normal variants of the family here follow the
   TensorFlow / Keras definition instead: a normal truncated at two
   standard deviations and rescaled so that the standard deviation after
   truncation is the target ``gain * sqrt(2 / (fan_in + fan_out))`` (or
   ``gain / sqrt(fan)``).  Pass ``truncated=False`` for the untruncated
   distribution; its standard deviation is the same.  Under
   :class:`accelerate`, ``torch.nn.init.xavier_normal_`` stays untruncated.

Seeds: with ``seed=int`` the values are a pure function of the seed, the
tensor's shape and its dtype class (for the family, equal to the NumPy
API's ``glorot_numba.VarianceScaling(gain**2, mode, distribution,
seed=seed, in_axis=1, out_axis=0)``).  With ``seed=None`` the key is drawn
from ``generator`` (default: PyTorch's global CPU generator), so
``torch.manual_seed`` makes initialisation reproducible as it does for
``torch.nn.init``; drawing the key advances that generator.

Examples
--------
>>> import torch
>>> import glorot_numba.torch as gnt
>>> layer = torch.nn.Linear(784, 256)
>>> w = gnt.xavier_normal_(layer.weight, seed=0)
>>> w is layer.weight, tuple(w.shape)
(True, (256, 784))
>>> e = gnt.normal_(torch.nn.Embedding(1000, 64).weight, std=0.02, seed=0)
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import torch

from . import _torch_fill, _torch_patch
from ._shapes import TORCH_LAYOUT
from ._torch_init import normal_, trunc_normal_, uniform_
from .initializers import VarianceScaling

if TYPE_CHECKING:
    import numpy as np

    from ._seeding import SeedLike
    from .initializers import Method, Mode, RealLike

__all__ = [
    "uniform_",
    "normal_",
    "trunc_normal_",
    "xavier_normal_",
    "xavier_uniform_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "lecun_normal_",
    "lecun_uniform_",
    "variance_scaling_",
    "accelerate",
    "INTERCEPTED",
]

# The torch.nn.init functions that accelerate() draws through the engine.
INTERCEPTED = tuple(f"torch.nn.init.{name}" for name in _torch_patch.NAMES)


def _check_weight(tensor: object) -> np.dtype[Any]:
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"tensor must be a torch.Tensor, got {type(tensor).__name__}")
    if tensor.dim() < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 "
            f"dimensions (got shape {tuple(tensor.shape)})"
        )
    if tensor.dtype not in _torch_fill.NUMPY_DTYPES:
        raise ValueError(f"Expected a floating-point or complex tensor, got dtype {tensor.dtype}")
    return _torch_fill.NUMPY_DTYPES[tensor.dtype]


def _check_gain(gain: object) -> float:
    if isinstance(gain, bool) or not isinstance(gain, (int, float)):
        if not (isinstance(gain, torch.Tensor) and gain.numel() == 1):
            raise TypeError(f"gain must be a real number, got {type(gain).__name__}")
    gain = float(gain)
    if not (math.isfinite(gain) and gain > 0.0):
        raise ValueError(f"gain must be a positive, finite number, got {gain}")
    return gain


def _check_fan_mode(mode: object) -> Literal["fan_in", "fan_out"]:
    if not isinstance(mode, str) or mode.lower() not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    return mode.lower()  # type: ignore[return-value]  # fan_in or fan_out


def _fill_(
    tensor: torch.Tensor,
    scale: RealLike,
    mode: Mode,
    distribution: str,
    seed: SeedLike,
    generator: torch.Generator | None,
    method: Method = "box_muller",
) -> torch.Tensor:
    dtype = _check_weight(tensor)
    init = VarianceScaling(scale, mode, distribution, seed=seed, method=method, **TORCH_LAYOUT)
    if tensor.is_meta:
        return tensor
    init = _torch_fill.keyed_init(init, init.seed, generator)
    return _torch_fill.fill(tensor, init, dtype)


def _empty(tensor: object) -> bool:
    """torch.nn.init's warning for the He functions: a zero-element tensor is left as it is."""
    if isinstance(tensor, torch.Tensor) and 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def variance_scaling_(
    tensor: torch.Tensor,
    scale: RealLike = 1.0,
    mode: Mode = "fan_in",
    distribution: str = "truncated_normal",
    *,
    seed: SeedLike = None,
    generator: torch.Generator | None = None,
    method: Method = "box_muller",
) -> torch.Tensor:
    """Fill ``tensor`` with a VarianceScaling draw, in PyTorch's layout.

    Parameters
    ----------
    tensor : torch.Tensor
        At least two dimensions, laid out ``(out, in, *kernel)``; a
        floating-point or complex dtype (see the module notes), on any device.
    scale, mode, distribution
        As for :class:`glorot_numba.VarianceScaling`: the samples have
        variance ``scale / n``, ``n`` the fan-in, the fan-out or their mean.
    seed : int or None, default None
        An integer gives values that depend on nothing else (see the module
        notes).  None draws the key from ``generator``.
    generator : torch.Generator, optional
        The generator to draw the key from when ``seed`` is None; PyTorch's
        global CPU generator by default.
    method : {"box_muller", "inverse_cdf"}, default "box_muller"
        How a truncated normal is drawn (see
        :class:`glorot_numba.VarianceScaling`).

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.

    Raises
    ------
    TypeError, ValueError
        For a non-tensor, a tensor of rank below 2 or of a non-float dtype,
        or invalid ``scale``, ``mode`` or ``distribution``.  The tensor is
        left untouched.

    Examples
    --------
    >>> import torch
    >>> import glorot_numba.torch as gnt
    >>> conv = torch.nn.Conv2d(64, 128, 3)
    >>> w = gnt.variance_scaling_(conv.weight, 2.0, "fan_in", "uniform", seed=1)
    >>> bool(w.abs().max() <= (3 * 2.0 / (64 * 9)) ** 0.5)
    True
    """
    return _fill_(tensor, scale, mode, distribution, seed, generator, method)


def xavier_normal_(
    tensor: torch.Tensor,
    gain: RealLike | torch.Tensor = 1.0,
    generator: torch.Generator | None = None,
    *,
    seed: SeedLike = None,
    truncated: bool = True,
    method: Method = "box_muller",
) -> torch.Tensor:
    """Glorot (Xavier) normal fill, with TensorFlow's truncation by default.

    The standard deviation is ``gain * sqrt(2 / (fan_in + fan_out))``, as for
    ``torch.nn.init.xavier_normal_``; but the draw is a normal truncated at
    two standard deviations (rescaled to keep that standard deviation) unless
    ``truncated=False``.  PyTorch's own function is untruncated.

    Parameters
    ----------
    tensor : torch.Tensor
        Weight in PyTorch layout ``(out, in, *kernel)``.
    gain : float, default 1.0
        Positive scaling factor, e.g. ``torch.nn.init.calculate_gain("tanh")``.
    generator : torch.Generator, optional
        See :func:`variance_scaling_`.
    seed : int or None, default None, keyword-only
        See :func:`variance_scaling_`.
    truncated : bool, default True
        False draws an untruncated normal, as PyTorch does.
    method : {"box_muller", "inverse_cdf"}, default "box_muller"
        How the truncated normal is drawn, see :func:`variance_scaling_`.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.

    Examples
    --------
    >>> import torch
    >>> import glorot_numba.torch as gnt
    >>> w = gnt.xavier_normal_(torch.empty(256, 784), seed=42)
    >>> bound = 2 * (2 / (784 + 256)) ** 0.5 / 0.87962566103423978
    >>> bool(w.abs().max() < bound)
    True
    >>> torch.equal(w, gnt.xavier_normal_(torch.empty(256, 784), seed=42))
    True
    """
    gain = _check_gain(gain)
    distribution = "truncated_normal" if truncated else "untruncated_normal"
    return _fill_(tensor, gain * gain, "fan_avg", distribution, seed, generator, method)


def xavier_uniform_(
    tensor: torch.Tensor,
    gain: RealLike | torch.Tensor = 1.0,
    generator: torch.Generator | None = None,
    *,
    seed: SeedLike = None,
) -> torch.Tensor:
    """Glorot (Xavier) uniform fill: ``U(-a, a)``, ``a = gain * sqrt(6 / (fan_in + fan_out))``.

    Parameters
    ----------
    tensor : torch.Tensor
        Weight in PyTorch layout ``(out, in, *kernel)``.
    gain : float, default 1.0
        Positive scaling factor.
    generator, seed
        See :func:`variance_scaling_`; ``seed`` is keyword-only.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.

    Examples
    --------
    >>> import torch
    >>> import glorot_numba.torch as gnt
    >>> w = gnt.xavier_uniform_(torch.empty(30, 20), seed=0)
    >>> bool(w.abs().max() <= (6 / 50) ** 0.5)
    True
    """
    gain = _check_gain(gain)
    return _fill_(tensor, gain * gain, "fan_avg", "uniform", seed, generator)


def kaiming_normal_(
    tensor: torch.Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: torch.Generator | None = None,
    *,
    seed: SeedLike = None,
    truncated: bool = True,
    method: Method = "box_muller",
) -> torch.Tensor:
    """He (Kaiming) normal fill, with TensorFlow's truncation by default.

    The standard deviation is ``gain / sqrt(fan)``, ``gain =
    torch.nn.init.calculate_gain(nonlinearity, a)``, as for
    ``torch.nn.init.kaiming_normal_``; the draw is truncated at two standard
    deviations (rescaled) unless ``truncated=False``.  The defaults give
    Keras' ``HeNormal``.

    Parameters
    ----------
    tensor : torch.Tensor
        Weight in PyTorch layout ``(out, in, *kernel)``.
    a : float, default 0.0
        Negative slope of the rectifier (``leaky_relu`` only).
    mode : {"fan_in", "fan_out"}, default "fan_in"
        Case-insensitive, as in PyTorch.
    nonlinearity : str, default "leaky_relu"
        Any name ``torch.nn.init.calculate_gain`` accepts.
    generator, seed
        See :func:`variance_scaling_`; ``seed`` is keyword-only.
    truncated : bool, default True
        False draws an untruncated normal, as PyTorch does.
    method : {"box_muller", "inverse_cdf"}, default "box_muller"
        How the truncated normal is drawn, see :func:`variance_scaling_`.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.

    Examples
    --------
    >>> import torch
    >>> import glorot_numba.torch as gnt
    >>> w = gnt.kaiming_normal_(torch.empty(512, 1024), nonlinearity="relu", seed=3)
    >>> round(float(w.std()) * (1024 / 2) ** 0.5, 2)
    1.0
    """
    if _empty(tensor):
        return tensor
    # PyTorch checks the name (its annotation lists them).
    gain = _check_gain(torch.nn.init.calculate_gain(nonlinearity, a))  # type: ignore[arg-type]
    distribution = "truncated_normal" if truncated else "untruncated_normal"
    return _fill_(tensor, gain * gain, _check_fan_mode(mode), distribution, seed, generator, method)


def kaiming_uniform_(
    tensor: torch.Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: torch.Generator | None = None,
    *,
    seed: SeedLike = None,
) -> torch.Tensor:
    """He (Kaiming) uniform fill: ``U(-b, b)``, ``b = gain * sqrt(3 / fan)``.

    Parameters are those of :func:`kaiming_normal_` (without ``truncated``).
    Note that ``torch.nn.Linear`` and ``torch.nn.ConvNd`` reset their weights
    with ``a=sqrt(5)``.  A tensor with a zero-size dimension is returned
    as it is, with PyTorch's warning.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.

    Examples
    --------
    >>> import torch
    >>> import glorot_numba.torch as gnt
    >>> w = gnt.kaiming_uniform_(torch.empty(64, 32, 3, 3), mode="fan_out", seed=0)
    >>> bool(w.abs().max() <= (6 / (64 * 9)) ** 0.5)
    True
    """
    if _empty(tensor):
        return tensor
    # PyTorch checks the name (its annotation lists them).
    gain = _check_gain(torch.nn.init.calculate_gain(nonlinearity, a))  # type: ignore[arg-type]
    return _fill_(tensor, gain * gain, _check_fan_mode(mode), "uniform", seed, generator)


def lecun_normal_(
    tensor: torch.Tensor,
    *,
    seed: SeedLike = None,
    generator: torch.Generator | None = None,
    truncated: bool = True,
    method: Method = "box_muller",
) -> torch.Tensor:
    """LeCun normal fill: standard deviation ``1 / sqrt(fan_in)``, truncated by default.

    Parameters
    ----------
    tensor : torch.Tensor
        Weight in PyTorch layout ``(out, in, *kernel)``.
    seed, generator
        See :func:`variance_scaling_`.
    truncated : bool, default True
        False draws an untruncated normal.
    method : {"box_muller", "inverse_cdf"}, default "box_muller"
        How the truncated normal is drawn, see :func:`variance_scaling_`.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.

    Examples
    --------
    >>> import torch
    >>> import glorot_numba.torch as gnt
    >>> w = gnt.lecun_normal_(torch.empty(10, 100, dtype=torch.float64), seed=0)
    >>> w.dtype
    torch.float64
    """
    distribution = "truncated_normal" if truncated else "untruncated_normal"
    return _fill_(tensor, 1.0, "fan_in", distribution, seed, generator, method)


def lecun_uniform_(
    tensor: torch.Tensor, *, seed: SeedLike = None, generator: torch.Generator | None = None
) -> torch.Tensor:
    """LeCun uniform fill: ``U(-b, b)``, ``b = sqrt(3 / fan_in)``.

    Parameters
    ----------
    tensor : torch.Tensor
        Weight in PyTorch layout ``(out, in, *kernel)``.
    seed, generator
        See :func:`variance_scaling_`.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.

    Examples
    --------
    >>> import torch
    >>> import glorot_numba.torch as gnt
    >>> w = gnt.lecun_uniform_(torch.empty(10, 300, dtype=torch.bfloat16), seed=0)
    >>> bool(w.abs().max() <= 0.1)
    True
    """
    return _fill_(tensor, 1.0, "fan_in", "uniform", seed, generator)


class accelerate(contextlib.ContextDecorator):
    """Build PyTorch models with their random initial weights drawn by the engine.

    A context manager (and decorator): inside the block, the random
    functions of ``torch.nn.init`` -- ``uniform_``, ``normal_``,
    ``trunc_normal_``, ``xavier_uniform_``, ``xavier_normal_``,
    ``kaiming_uniform_`` and ``kaiming_normal_`` -- draw through
    glorot_numba's engine, with PyTorch's arguments, checks, warnings and
    distributions (untruncated ``xavier_normal_`` and ``kaiming_normal_``
    included).  That covers the functions wherever they are reached:
    ``torch.nn.init.normal_``, the names that modules bound at import
    (``from torch.nn.init import xavier_uniform_``, as PyTorch's own
    ``nn.MultiheadAttention`` module does) and the tables that libraries
    keep of them (``transformers.initialization``'s), so building an
    ``nn.Linear``, a Hugging Face ``transformers`` model or any module that
    initialises itself through ``torch.nn.init`` is accelerated.

    The block affects calls made in the context that entered it (the
    thread, or asyncio task); other threads keep PyTorch's functions.  On
    exit -- also by an exception -- PyTorch's functions are back in every
    place they were found, and in the places that modules imported during
    the block bound.  Blocks nest, and may be entered from several threads
    at once.

    Not intercepted (PyTorch draws them, as before): tensor methods called
    directly (``w.normal_()``, ``torch.randn``), ``orthogonal_`` and
    ``sparse_`` (their cost is not in the draw), the deprecated aliases
    without underscore (``torch.nn.init.normal``), functions kept in
    closures, default arguments, class attributes or containers other than
    dicts at module level, and other libraries' own initialisers (timm's
    ``trunc_normal_`` is its own code).  Tensor subclasses, meta and sparse
    tensors, dtypes the engine does not write, and parameters a dtype
    cannot hold are passed to PyTorch's own function.

    Seeds: each call draws its key from the ``generator`` passed, or
    PyTorch's default CPU generator, so after ``torch.manual_seed(s)`` a
    model is built with the same weights every time; different seeds give
    different weights.  Drawing a key advances the generator (by two 32-bit
    words per call), so code that draws from the generator after building a
    model sees other numbers than it would without the block.

    Examples
    --------
    >>> import torch
    >>> import glorot_numba.torch as gnt
    >>> with gnt.accelerate():
    ...     _ = torch.manual_seed(0)
    ...     a = torch.nn.Linear(512, 256)
    ...     _ = torch.manual_seed(0)
    ...     b = torch.nn.Linear(512, 256)
    >>> torch.equal(a.weight, b.weight)
    True
    >>> torch.nn.init.normal_ is gnt.accelerate.original("normal_")
    True

    As a decorator:

    >>> @gnt.accelerate()
    ... def build():
    ...     return torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU())
    >>> net = build()
    """

    def __enter__(self) -> accelerate:
        _torch_patch.enter()
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        _torch_patch.exit()
        return False

    @staticmethod
    def original(name: str) -> Callable[..., Any]:
        """PyTorch's own ``torch.nn.init`` function ``name`` (e.g. ``"normal_"``).

        Examples
        --------
        >>> import glorot_numba.torch as gnt
        >>> gnt.accelerate.original("trunc_normal_").__module__
        'torch.nn.init'
        """
        return _torch_patch.ORIGINALS[name]

    @staticmethod
    def active() -> bool:
        """Whether the calling context is inside a block.

        Examples
        --------
        >>> import glorot_numba.torch as gnt
        >>> gnt.accelerate.active()
        False
        """
        return _torch_patch.active()

    def __repr__(self) -> str:
        return "accelerate()"
