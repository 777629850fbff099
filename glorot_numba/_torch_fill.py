"""How an initializer's draw gets into a PyTorch tensor.

A CPU tensor is written through a zero-copy NumPy view of its memory: a
contiguous tensor of a kernel dtype is filled directly by the sampling
kernels, with no temporary array.  Other tensors (other devices,
overlapping layouts, conjugate or negative views, inference tensors, tensor
subclasses) get their values drawn into a NumPy array first and copied in
with ``Tensor.copy_``, which applies PyTorch's own rules for them.

With ``pairs=True`` a complex tensor is filled as the real tensor of its
``(real, imaginary)`` pairs (``torch.view_as_real``), which is how PyTorch
draws complex normals and uniforms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import ml_dtypes
import numpy as np
import torch

from . import _adapters

if TYPE_CHECKING:
    from .initializers import Initializer

_InitializerT = TypeVar("_InitializerT", bound="Initializer")

__all__ = ["NUMPY_DTYPES", "PAIR_DTYPES", "generator_key", "keyed_init", "plain", "fill"]

# The dtypes the engine writes, and the real dtype of a complex dtype's pairs.
NUMPY_DTYPES: dict[torch.dtype, np.dtype[Any]] = {
    torch.float16: np.dtype(np.float16),
    torch.bfloat16: np.dtype(ml_dtypes.bfloat16),
    torch.float32: np.dtype(np.float32),
    torch.float64: np.dtype(np.float64),
    torch.complex64: np.dtype(np.complex64),
    torch.complex128: np.dtype(np.complex128),
}
PAIR_DTYPES: dict[torch.dtype, np.dtype[Any]] = {
    torch.complex32: np.dtype(np.float16),
    torch.complex64: np.dtype(np.float32),
    torch.complex128: np.dtype(np.float64),
}

# Tensor types whose memory is theirs to write: subclasses (FakeTensor,
# DTensor, lazy parameters, ...) keep rules of their own.
_PLAIN = (torch.Tensor, torch.nn.Parameter)


def plain(tensor: torch.Tensor) -> bool:
    """Whether ``tensor`` is a plain strided tensor with memory: no subclass,
    no sparse layout, not on the meta device."""
    return type(tensor) in _PLAIN and tensor.layout == torch.strided and not tensor.is_meta


def generator_key(generator: torch.Generator | None) -> tuple[int, ...]:
    """Two 32-bit words drawn from ``generator`` (PyTorch's default CPU one if None)."""
    device = "cpu" if generator is None else generator.device
    words = torch.randint(0, 2**32, (2,), dtype=torch.int64, generator=generator, device=device)
    return tuple(int(w) for w in words.tolist())


def keyed_init(
    init: _InitializerT, seed: int | None, generator: torch.Generator | None
) -> _InitializerT:
    """``init`` itself for an integer ``seed``; else a copy keyed from ``generator``."""
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    if seed is not None:
        return init
    return _adapters.keyed(init, generator_key(generator))


def _non_overlapping(tensor: torch.Tensor) -> bool:
    """True if no two elements of ``tensor`` share memory (a sufficient test)."""
    if tensor.is_contiguous():
        return True
    reach = 1
    for stride, size in sorted((st, sz) for st, sz in zip(tensor.stride(), tensor.shape) if sz > 1):
        if stride < reach:
            return False
        reach += stride * (size - 1)
    return True


def _numpy_view(tensor: torch.Tensor) -> np.ndarray[Any, Any] | None:
    """A writable NumPy view of ``tensor``'s memory, or None if there is none."""
    if (
        tensor.device.type != "cpu"
        or not plain(tensor)
        or tensor.is_conj()
        or tensor.is_neg()
        or tensor.is_inference()
        or not _non_overlapping(tensor)
    ):
        return None
    data = tensor.detach()
    if data.dtype == torch.bfloat16:
        # NumPy has no bfloat16 of its own: view the bits, then reinterpret
        # (as ml_dtypes' type, which has no annotations).
        bits = data.view(torch.int16).numpy()
        return bits.view(ml_dtypes.bfloat16)  # type: ignore[no-any-return]
    return data.numpy()


def _as_tensor(array: np.ndarray[Any, Any]) -> torch.Tensor:
    if array.dtype == ml_dtypes.bfloat16:
        return torch.from_numpy(array.view(np.int16)).view(torch.bfloat16)
    return torch.from_numpy(array)


def fill(
    tensor: torch.Tensor, init: Initializer, dtype: np.dtype[Any], *, pairs: bool = False
) -> torch.Tensor:
    """Fill ``tensor`` in place with ``init``'s draw of its shape in ``dtype``.

    ``dtype`` is the NumPy dtype drawn: the tensor's own, or with ``pairs``
    the real dtype of a complex tensor's pairs.  Returns ``tensor``.
    """
    # Values beyond the dtype's range (a float16 normal of mean 1e6) become
    # infinities, silently, as in PyTorch.
    with torch.no_grad(), np.errstate(over="ignore"):
        target: torch.Tensor | None = tensor
        if pairs:
            target = torch.view_as_real(tensor) if not tensor.is_conj() else None
        view = None if target is None else _numpy_view(target)
        if target is not None and view is not None:
            init(tuple(target.shape), dtype, out=view)
            # The write bypassed PyTorch: tell autograd the tensor changed, as
            # an in-place operation would.
            torch.autograd.graph.increment_version(tensor)
            return tensor
        shape = tuple(tensor.shape) + ((2,) if pairs else ())
        values = _as_tensor(init(shape, dtype))
        if pairs:
            values = torch.view_as_complex(values)
        tensor.copy_(values)
    return tensor
