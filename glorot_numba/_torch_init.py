"""``torch.nn.init``'s random functions as PyTorch defines them, drawn by the engine.

Each function here takes the arguments of its ``torch.nn.init`` namesake
(plus a keyword-only ``seed``), checks them as PyTorch does, with PyTorch's
exceptions and warnings, and fills the tensor from the distribution PyTorch
would have drawn from -- with the engine's values.  PyTorch's own argument
checks are run on an empty tensor of the same dtype and device (a *probe*),
so that the errors are PyTorch's to the letter and nothing is written when
one is raised.

Where the engine has no equal, the call is PyTorch's own: dtypes it does
not write (integers, bool, float8: PyTorch raises), tensor subclasses and
sparse or meta tensors, parameters that are not finite or that the dtype
cannot hold, and complex ``trunc_normal_`` (PyTorch raises).

Deliberate differences from PyTorch 2.13:

* ``trunc_normal_`` never warns that "the distribution of values may be
  incorrect" when the mean is far from ``[a, b]``: the draw is exact for any
  interval (see :class:`glorot_numba.TruncatedNormal`).  For the same reason
  it accepts an infinite bound on an interval that holds 30 % of the mass or
  less, which PyTorch refuses (its sampler proposes uniforms there).
* A non-tensor raises ``TypeError`` (PyTorch: ``AttributeError``).

float16 and bfloat16 values are computed in float32 and rounded once, from
the parameters as float32 holds them, as PyTorch computes them.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from . import _seeding, _torch_fill
from ._explicit import RandomNormal, RandomUniform, TruncatedNormal
from ._torch_fill import NUMPY_DTYPES, PAIR_DTYPES

if TYPE_CHECKING:
    from ._explicit import _Explicit
    from ._seeding import SeedLike
    from .initializers import Sampling

    # (NumPy dtype drawn, whether as (real, imaginary) pairs): see _engine_dtype.
    Target = tuple[np.dtype[Any], bool]

__all__ = [
    "NAMES",
    "uniform_",
    "normal_",
    "trunc_normal_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
]

# The random functions of torch.nn.init that this module draws.
NAMES = (
    "uniform_",
    "normal_",
    "trunc_normal_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
)

_SINGLE = np.dtype(np.float32)


def _computed_in(dtype: np.dtype[Any]) -> np.dtype[Any]:
    """The dtype whose precision a draw's parameters are rounded to: float32
    for float16 and bfloat16, whose values PyTorch computes in float32."""
    return _SINGLE if dtype.itemsize == 2 else dtype


class _Normal(RandomNormal):
    def _sampling_for(self, dtype: np.dtype[Any]) -> Sampling:
        return super()._sampling_for(_computed_in(dtype))


class _Uniform(RandomUniform):
    def _sampling_for(self, dtype: np.dtype[Any]) -> Sampling:
        return super()._sampling_for(_computed_in(dtype))


class _Truncated(TruncatedNormal):
    def _sampling_for(self, dtype: np.dtype[Any]) -> Sampling:
        return super()._sampling_for(_computed_in(dtype))


# Empty CPU tensors, one per dtype, that PyTorch's argument checks run on.
_probes: dict[torch.dtype, torch.Tensor] = {}


def _probe(tensor: torch.Tensor) -> torch.Tensor:
    """An empty tensor of ``tensor``'s dtype and device."""
    if tensor.device.type == "cpu":
        probe = _probes.get(tensor.dtype)
        if probe is None:
            probe = _probes.setdefault(tensor.dtype, torch.empty(0, dtype=tensor.dtype))
        return probe
    return torch.empty(0, dtype=tensor.dtype, device=tensor.device)


def _check_tensor(tensor: object) -> None:
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"tensor must be a torch.Tensor, got {type(tensor).__name__}")


def _engine_dtype(tensor: torch.Tensor) -> Target | None:
    """``(numpy dtype, pairs)`` the engine fills ``tensor`` with, or None."""
    if not _torch_fill.plain(tensor):
        return None
    dtype = PAIR_DTYPES.get(tensor.dtype)
    if dtype is not None:
        return dtype, True
    dtype = NUMPY_DTYPES.get(tensor.dtype)
    return None if dtype is None else (dtype, False)


def _drawable(init: _Explicit, dtype: np.dtype[Any]) -> bool:
    """Whether ``init`` can draw ``dtype`` (parameters the dtype can hold)."""
    try:
        init._sampling(None, dtype)
    except ValueError:
        return False
    return True


def _fill(
    tensor: torch.Tensor,
    init: _Explicit,
    target: Target,
    seed: int | None,
    generator: torch.Generator | None,
) -> torch.Tensor:
    dtype, pairs = target
    return _torch_fill.fill(
        tensor, _torch_fill.keyed_init(init, seed, generator), dtype, pairs=pairs
    )


def _uniform(
    tensor: torch.Tensor, a: float, b: float, generator: torch.Generator | None, seed: int | None
) -> torch.Tensor:
    """``Tensor.uniform_(a, b)``, drawn by the engine where it can."""
    with torch.no_grad():
        _probe(tensor).uniform_(a, b, generator=generator)
        target = None if tensor.numel() == 0 else _engine_dtype(tensor)
        if target is None:
            return tensor.uniform_(a, b, generator=generator)
    a, b = float(a), float(b)
    init = _Uniform(a, b, seed=seed)
    if not _drawable(init, target[0]):
        with torch.no_grad():
            return tensor.uniform_(a, b, generator=generator)
    return _fill(tensor, init, target, seed, generator)


def _normal(
    tensor: torch.Tensor,
    mean: float,
    std: float,
    generator: torch.Generator | None,
    seed: int | None,
) -> torch.Tensor:
    """``Tensor.normal_(mean, std)``, drawn by the engine where it can."""
    with torch.no_grad():
        _probe(tensor).normal_(mean, std, generator=generator)
        target = None if tensor.numel() == 0 else _engine_dtype(tensor)
        if target is None:
            return tensor.normal_(mean, std, generator=generator)
    mean, std = float(mean), float(std)
    init: _Normal | None = None
    if math.isfinite(mean) and math.isfinite(std):
        # A complex normal is a pair of real ones, each of variance std**2 / 2
        # and mean ``mean``, as PyTorch draws it.
        init = _Normal(mean, std / math.sqrt(2.0) if target[1] else std, seed=seed)
    if init is None or not _drawable(init, target[0]):
        with torch.no_grad():
            return tensor.normal_(mean, std, generator=generator)
    return _fill(tensor, init, target, seed, generator)


def uniform_(
    tensor: torch.Tensor,
    a: float = 0.0,
    b: float = 1.0,
    generator: torch.Generator | None = None,
    *,
    seed: SeedLike = None,
) -> torch.Tensor:
    """Fill ``tensor`` with values from the uniform distribution on ``[a, b]``.

    As ``torch.nn.init.uniform_``, drawn by glorot_numba's engine: the
    same arguments, checks, errors and distribution, other values.

    Parameters
    ----------
    tensor : torch.Tensor
        Any shape; float16, bfloat16, float32, float64 or complex (real and
        imaginary parts each uniform on ``[a, b]``, as PyTorch draws them).
        Other dtypes raise PyTorch's ``NotImplementedError``.
    a, b : float, default 0.0, 1.0
        The bounds, ``a <= b``, each finite and within the dtype's range.
    generator : torch.Generator, optional
        The generator the call's key is drawn from; PyTorch's default CPU
        generator if None, so ``torch.manual_seed`` makes the values
        reproducible.  Drawing the key advances the generator.
    seed : int, optional, keyword-only
        A fixed seed instead: the values then depend on nothing else, and
        no generator is used.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.

    Raises
    ------
    RuntimeError, TypeError, NotImplementedError
        Those of ``torch.nn.init.uniform_`` for the same arguments (e.g.
        ``a > b``), before anything is written.  ``TypeError`` for an
        invalid ``seed`` or a non-tensor.

    Notes
    -----
    Every value lies in ``[a, b]`` as the dtype represents the bounds (see
    :class:`glorot_numba.RandomUniform`).

    Examples
    --------
    >>> import torch
    >>> import glorot_numba.torch as gnt
    >>> w = gnt.uniform_(torch.empty(3, 5), -0.1, 0.1, seed=0)
    >>> bool(w.abs().max() <= 0.1)
    True
    """
    if torch.overrides.has_torch_function_variadic(tensor):
        return torch.overrides.handle_torch_function(
            uniform_, (tensor,), tensor=tensor, a=a, b=b, generator=generator, seed=seed
        )
    seed = _seeding.check_seed(seed)
    _check_tensor(tensor)
    return _uniform(tensor, a, b, generator, seed)


def normal_(
    tensor: torch.Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    generator: torch.Generator | None = None,
    *,
    seed: SeedLike = None,
) -> torch.Tensor:
    """Fill ``tensor`` with values from the normal distribution ``N(mean, std**2)``.

    As ``torch.nn.init.normal_``, drawn by glorot_numba's engine: the same
    arguments, checks, errors and distribution, other values.

    Parameters
    ----------
    tensor : torch.Tensor
        Any shape; float16, bfloat16, float32, float64 or complex (real and
        imaginary parts each ``N(mean, std**2 / 2)``, as PyTorch draws
        them).  Other dtypes raise PyTorch's ``NotImplementedError``.
    mean : float, default 0.0
        The mean.
    std : float, default 1.0
        The standard deviation, ``>= 0``.
    generator : torch.Generator, optional
        See :func:`uniform_`.
    seed : int, optional, keyword-only
        See :func:`uniform_`.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.

    Raises
    ------
    RuntimeError, TypeError, NotImplementedError
        Those of ``torch.nn.init.normal_`` for the same arguments (e.g. a
        negative ``std``), before anything is written.  ``TypeError`` for
        an invalid ``seed`` or a non-tensor.

    Examples
    --------
    >>> import torch
    >>> import glorot_numba.torch as gnt
    >>> w = gnt.normal_(torch.empty(1024, 768), std=0.02, seed=0)
    >>> round(float(w.std()), 3)
    0.02
    """
    if torch.overrides.has_torch_function_variadic(tensor):
        return torch.overrides.handle_torch_function(
            normal_, (tensor,), tensor=tensor, mean=mean, std=std, generator=generator, seed=seed
        )
    seed = _seeding.check_seed(seed)
    _check_tensor(tensor)
    return _normal(tensor, mean, std, generator, seed)


def _norm_cdf(x: float) -> float:
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def trunc_normal_(
    tensor: torch.Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: torch.Generator | None = None,
    *,
    seed: SeedLike = None,
) -> torch.Tensor:
    """Fill ``tensor`` with values from a normal distribution truncated to ``[a, b]``.

    As ``torch.nn.init.trunc_normal_``, drawn by glorot_numba's engine:
    ``N(mean, std**2)`` conditioned on ``a <= value <= b``, with ``a`` and
    ``b`` absolute bounds (not multiples of ``std``).  Exact for any
    interval -- wide, narrow, or far in one tail -- and never by clipping.

    Parameters
    ----------
    tensor : torch.Tensor
        Any shape; float16, bfloat16, float32 or float64.  Complex and
        other dtypes raise PyTorch's ``NotImplementedError``.
    mean, std : float, default 0.0, 1.0
        Mean and standard deviation of the normal before truncation; ``std
        = 0`` raises ``ZeroDivisionError``, as in PyTorch.
    a, b : float, default -2.0, 2.0
        The bounds, ``a <= b``; either may be infinite.  ``a == b`` fills
        ``a``.
    generator : torch.Generator, optional
        See :func:`uniform_`.
    seed : int, optional, keyword-only
        See :func:`uniform_`.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.

    Raises
    ------
    RuntimeError, TypeError, ZeroDivisionError, NotImplementedError
        Those of ``torch.nn.init.trunc_normal_`` for the same arguments
        (e.g. ``a > b``), before anything is written.

    Notes
    -----
    Every value lies in ``[a, b]`` as the dtype represents the bounds.
    Unlike PyTorch, no warning is given for a mean more than two standard
    deviations away from ``[a, b]`` (the draw is exact there too), and an
    infinite bound is accepted whatever mass the interval holds.

    Examples
    --------
    >>> import torch
    >>> import glorot_numba.torch as gnt
    >>> w = gnt.trunc_normal_(torch.empty(768, 768), std=0.02, a=-0.04, b=0.04, seed=0)
    >>> bool(w.abs().max() <= 0.04)
    True
    >>> tail = gnt.trunc_normal_(torch.empty(1000), a=5.0, b=float("inf"), seed=1)
    >>> bool(tail.min() >= 5.0)
    True
    """
    seed = _seeding.check_seed(seed)
    _check_tensor(tensor)
    if tensor.is_meta:
        return tensor
    # PyTorch's mass of [a, b], computed as PyTorch computes it, which
    # decides the checks it makes (and raises ZeroDivisionError for std=0).
    p = _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std)
    target = _engine_dtype(tensor)
    if target is None or target[1]:
        return torch.nn.init._no_grad_trunc_normal_(tensor, mean, std, a, b, generator=generator)
    with torch.no_grad():
        if p > 0.3:
            _probe(tensor).normal_(mean, std, generator=generator)
        elif _uniform_checks(a, b):
            _probe(tensor).uniform_(a, b, generator=generator)
        else:  # an infinite bound: only the generator is left to check
            _probe(tensor).normal_(0.0, 1.0, generator=generator)
    if tensor.numel() == 0:
        return tensor
    mean, std, a, b = float(mean), float(std), float(a), float(b)
    if not (math.isfinite(mean) and math.isfinite(std)):
        return torch.nn.init._no_grad_trunc_normal_(tensor, mean, std, a, b, generator=generator)
    if a == b:  # the interval is a point
        with torch.no_grad():
            return tensor.fill_(a)
    # A negative std gives PyTorch's sampler the density of -std.
    init = _Truncated(mean, abs(std), seed=seed, lower=a, upper=b)
    if not _drawable(init, target[0]):
        return torch.nn.init._no_grad_trunc_normal_(tensor, mean, std, a, b, generator=generator)
    return _fill(tensor, init, target, seed, generator)


def _uniform_checks(a: float, b: float) -> bool:
    """Whether PyTorch's uniform checks apply to ``[a, b]``: every interval
    but a proper one with an infinite bound, which the engine draws."""
    a, b = float(a), float(b)
    return not (a < b) or (math.isfinite(a) and math.isfinite(b))


# --- the Glorot and He functions, as PyTorch defines them --------------------
#
# Untruncated normals and uniforms, with PyTorch's fans, gains and
# arithmetic; glorot_numba.torch's public xavier_normal_ and kaiming_normal_
# truncate by default instead.


def xavier_uniform_(
    tensor: torch.Tensor,
    gain: float = 1.0,
    generator: torch.Generator | None = None,
    *,
    seed: SeedLike = None,
) -> torch.Tensor:
    """``torch.nn.init.xavier_uniform_``, drawn by the engine.

    Examples
    --------
    >>> import torch
    >>> from glorot_numba import _torch_init
    >>> w = _torch_init.xavier_uniform_(torch.empty(30, 20), seed=0)
    >>> bool(w.abs().max() <= (6 / 50) ** 0.5)
    True
    """
    seed = _seeding.check_seed(seed)
    _check_tensor(tensor)
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return _uniform(tensor, -a, a, generator, seed)


def xavier_normal_(
    tensor: torch.Tensor,
    gain: float = 1.0,
    generator: torch.Generator | None = None,
    *,
    seed: SeedLike = None,
) -> torch.Tensor:
    """``torch.nn.init.xavier_normal_`` (untruncated), drawn by the engine.

    Examples
    --------
    >>> import torch
    >>> from glorot_numba import _torch_init
    >>> w = _torch_init.xavier_normal_(torch.empty(512, 512), seed=0)
    >>> round(float(w.std()) * 512 ** 0.5, 2)
    1.0
    """
    seed = _seeding.check_seed(seed)
    _check_tensor(tensor)
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return _normal(tensor, 0.0, std, generator, seed)


def _he_std(tensor: torch.Tensor, a: float, mode: str, nonlinearity: str) -> float:
    fan = torch.nn.init._calculate_correct_fan(tensor, mode)  # type: ignore[arg-type]
    # PyTorch checks the name (its annotation lists them).
    gain = torch.nn.init.calculate_gain(nonlinearity, a)  # type: ignore[arg-type]
    return gain / math.sqrt(fan)


def kaiming_uniform_(
    tensor: torch.Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: torch.Generator | None = None,
    *,
    seed: SeedLike = None,
    stacklevel: int = 2,
) -> torch.Tensor:
    """``torch.nn.init.kaiming_uniform_``, drawn by the engine.

    ``stacklevel`` places the zero-element warning, as for ``warnings.warn``.

    Examples
    --------
    >>> import torch
    >>> from glorot_numba import _torch_init
    >>> w = _torch_init.kaiming_uniform_(torch.empty(64, 100), a=5 ** 0.5, seed=0)
    >>> bool(w.abs().max() <= 0.1)
    True
    """
    if torch.overrides.has_torch_function_variadic(tensor):
        return torch.overrides.handle_torch_function(
            kaiming_uniform_,
            (tensor,),
            tensor=tensor,
            a=a,
            mode=mode,
            nonlinearity=nonlinearity,
            generator=generator,
            seed=seed,
        )
    seed = _seeding.check_seed(seed)
    _check_tensor(tensor)
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=stacklevel)
        return tensor
    bound = math.sqrt(3.0) * _he_std(tensor, a, mode, nonlinearity)
    return _uniform(tensor, -bound, bound, generator, seed)


def kaiming_normal_(
    tensor: torch.Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: torch.Generator | None = None,
    *,
    seed: SeedLike = None,
    stacklevel: int = 2,
) -> torch.Tensor:
    """``torch.nn.init.kaiming_normal_`` (untruncated), drawn by the engine.

    ``stacklevel`` places the zero-element warning, as for ``warnings.warn``.

    Examples
    --------
    >>> import torch
    >>> from glorot_numba import _torch_init
    >>> w = _torch_init.kaiming_normal_(torch.empty(256, 512), nonlinearity="relu", seed=0)
    >>> round(float(w.std()) * 16, 2)
    1.0
    """
    seed = _seeding.check_seed(seed)
    _check_tensor(tensor)
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=stacklevel)
        return tensor
    return _normal(tensor, 0, _he_std(tensor, a, mode, nonlinearity), generator, seed)
