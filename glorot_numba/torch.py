"""PyTorch adapter: ``torch.nn.init``-style functions that fill tensors in place.

Each function takes a tensor in PyTorch's weight layout, ``(out, in,
*kernel)`` (``nn.Linear``, ``nn.ConvNd``), computes its fans as
``torch.nn.init`` does, fills it in place under ``torch.no_grad()`` and
returns it.  Dtypes: float16, bfloat16, float32, float64, complex64 and
complex128 (complex values as :class:`glorot_numba.VarianceScaling` draws
them).  A CPU tensor is written through a zero-copy NumPy view of its
memory: a contiguous float32, float64 or complex tensor is filled directly
by the sampling kernels, with no temporary array.  Other tensors (other
devices, overlapping layouts, conjugate views, tensor subclasses) get their
values drawn into a NumPy array first and copied in with ``Tensor.copy_``.

.. note::
   ``torch.nn.init.xavier_normal_`` and ``kaiming_normal_`` draw from an
   *untruncated* normal.  The normal variants here follow the TensorFlow /
   Keras definition instead: a normal truncated at two standard deviations
   and rescaled so that the standard deviation after truncation is the
   target ``gain * sqrt(2 / (fan_in + fan_out))`` (or ``gain /
   sqrt(fan)``).  Pass ``truncated=False`` for the untruncated
   distribution; its standard deviation is the same.

Seeds: with ``seed=int`` the values are a pure function of the seed, the
tensor's shape and its dtype class, equal to the NumPy API's
(``glorot_numba.VarianceScaling(gain**2, mode, distribution, seed=seed,
in_axis=1, out_axis=0)``).  With ``seed=None`` the key is drawn from
``generator`` (default: PyTorch's global CPU generator), so
``torch.manual_seed`` makes initialisation reproducible as it does for
``torch.nn.init``.

Examples
--------
>>> import torch
>>> import glorot_numba.torch as gnt
>>> layer = torch.nn.Linear(784, 256)
>>> w = gnt.xavier_normal_(layer.weight, seed=0)
>>> w is layer.weight, tuple(w.shape)
(True, (256, 784))
"""

import math

import ml_dtypes
import numpy as np
import torch

from . import _adapters
from ._shapes import TORCH_LAYOUT
from .initializers import VarianceScaling

__all__ = [
    "xavier_normal_",
    "xavier_uniform_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "lecun_normal_",
    "lecun_uniform_",
    "variance_scaling_",
]

_NUMPY_DTYPES = {
    torch.float16: np.dtype(np.float16),
    torch.bfloat16: np.dtype(ml_dtypes.bfloat16),
    torch.float32: np.dtype(np.float32),
    torch.float64: np.dtype(np.float64),
    torch.complex64: np.dtype(np.complex64),
    torch.complex128: np.dtype(np.complex128),
}


def _check_tensor(tensor):
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"tensor must be a torch.Tensor, got {type(tensor).__name__}")
    if tensor.dim() < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 "
            f"dimensions (got shape {tuple(tensor.shape)})"
        )
    if tensor.dtype not in _NUMPY_DTYPES:
        raise ValueError(
            f"Expected a floating-point or complex tensor, got dtype {tensor.dtype}"
        )
    return _NUMPY_DTYPES[tensor.dtype]


def _check_gain(gain):
    if isinstance(gain, bool) or not isinstance(gain, (int, float)):
        if not (isinstance(gain, torch.Tensor) and gain.numel() == 1):
            raise TypeError(f"gain must be a real number, got {type(gain).__name__}")
    gain = float(gain)
    if not (math.isfinite(gain) and gain > 0.0):
        raise ValueError(f"gain must be a positive, finite number, got {gain}")
    return gain


def _check_mode(mode):
    if not isinstance(mode, str) or mode.lower() not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    return mode.lower()


def _non_overlapping(tensor):
    """True if no two elements of ``tensor`` share memory (a sufficient test)."""
    reach = 1
    for stride, size in sorted((st, sz) for st, sz in zip(tensor.stride(), tensor.shape)
                               if sz > 1):
        if stride < reach:
            return False
        reach += stride * (size - 1)
    return True


def _numpy_view(tensor):
    """A writable NumPy view of ``tensor``'s memory, or None if there is none."""
    if (tensor.device.type != "cpu" or tensor.layout != torch.strided
            or tensor.is_conj() or tensor.is_neg() or not _non_overlapping(tensor)
            or type(tensor) not in (torch.Tensor, torch.nn.Parameter)):
        return None
    data = tensor.detach()
    if data.dtype == torch.bfloat16:
        # NumPy has no bfloat16 of its own: view the bits, then reinterpret.
        return data.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
    return data.numpy()


def _as_tensor(array):
    if array.dtype == ml_dtypes.bfloat16:
        return torch.from_numpy(array.view(np.int16)).view(torch.bfloat16)
    return torch.from_numpy(array)


def _generator_key(generator):
    """Two 32-bit words drawn from ``generator`` (PyTorch's default if None)."""
    device = "cpu" if generator is None else generator.device
    words = torch.randint(0, 2**32, (2,), dtype=torch.int64, generator=generator,
                          device=device)
    return tuple(int(w) for w in words.tolist())


def _fill_(tensor, scale, mode, distribution, seed, generator):
    dtype = _check_tensor(tensor)
    init = VarianceScaling(scale, mode, distribution, seed=seed, **TORCH_LAYOUT)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    if seed is None:
        init = _adapters.keyed(init, _generator_key(generator))
    shape = tuple(tensor.shape)
    with torch.no_grad():
        view = _numpy_view(tensor)
        if view is not None:
            init(shape, dtype, out=view)
            # The write bypassed PyTorch: tell autograd the tensor changed, as
            # an in-place operation would.
            torch.autograd.graph.increment_version(tensor)
        else:
            tensor.copy_(_as_tensor(init(shape, dtype)))
    return tensor


def variance_scaling_(tensor, scale=1.0, mode="fan_in", distribution="truncated_normal",
                      *, seed=None, generator=None):
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
    return _fill_(tensor, scale, mode, distribution, seed, generator)


def xavier_normal_(tensor, gain=1.0, *, seed=None, generator=None, truncated=True):
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
    seed : int or None, default None
        See :func:`variance_scaling_`.
    generator : torch.Generator, optional
        See :func:`variance_scaling_`.
    truncated : bool, default True
        False draws an untruncated normal, as PyTorch does.

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
    return _fill_(tensor, gain * gain, "fan_avg", distribution, seed, generator)


def xavier_uniform_(tensor, gain=1.0, *, seed=None, generator=None):
    """Glorot (Xavier) uniform fill: ``U(-a, a)``, ``a = gain * sqrt(6 / (fan_in + fan_out))``.

    Parameters
    ----------
    tensor : torch.Tensor
        Weight in PyTorch layout ``(out, in, *kernel)``.
    gain : float, default 1.0
        Positive scaling factor.
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
    >>> w = gnt.xavier_uniform_(torch.empty(30, 20), seed=0)
    >>> bool(w.abs().max() <= (6 / 50) ** 0.5)
    True
    """
    gain = _check_gain(gain)
    return _fill_(tensor, gain * gain, "fan_avg", "uniform", seed, generator)


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *,
                    seed=None, generator=None, truncated=True):
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
    seed, generator
        See :func:`variance_scaling_`.
    truncated : bool, default True
        False draws an untruncated normal, as PyTorch does.

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
    gain = _check_gain(torch.nn.init.calculate_gain(nonlinearity, a))
    distribution = "truncated_normal" if truncated else "untruncated_normal"
    return _fill_(tensor, gain * gain, _check_mode(mode), distribution, seed, generator)


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *,
                     seed=None, generator=None):
    """He (Kaiming) uniform fill: ``U(-b, b)``, ``b = gain * sqrt(3 / fan)``.

    Parameters are those of :func:`kaiming_normal_` (without ``truncated``).
    Note that ``torch.nn.Linear`` and ``torch.nn.ConvNd`` reset their weights
    with ``a=sqrt(5)``.

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
    gain = _check_gain(torch.nn.init.calculate_gain(nonlinearity, a))
    return _fill_(tensor, gain * gain, _check_mode(mode), "uniform", seed, generator)


def lecun_normal_(tensor, *, seed=None, generator=None, truncated=True):
    """LeCun normal fill: standard deviation ``1 / sqrt(fan_in)``, truncated by default.

    Parameters
    ----------
    tensor : torch.Tensor
        Weight in PyTorch layout ``(out, in, *kernel)``.
    seed, generator
        See :func:`variance_scaling_`.
    truncated : bool, default True
        False draws an untruncated normal.

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
    return _fill_(tensor, 1.0, "fan_in", distribution, seed, generator)


def lecun_uniform_(tensor, *, seed=None, generator=None):
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
