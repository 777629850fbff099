"""The registry of initializers that :func:`glorot_numba.testing.audit` draws.

A :class:`Producer` is one initializer of one framework: how to draw
samples for a shape, a dtype and a seed, and the VarianceScaling law it
claims to follow.  Adding a producer is adding one entry to
``_REGISTRY`` below; nothing here imports a framework until it draws.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

REAL = ("float16", "bfloat16", "float32", "float64")
COMPLEX = ("complex64", "complex128")
DTYPES = REAL + COMPLEX

KERAS_BACKENDS = ("jax", "torch", "numpy", "tensorflow")
FRAMEWORKS = ("glorot_numba", "torch", "jax", "tensorflow") + tuple(
    f"keras-{b}" for b in KERAS_BACKENDS
)
# What each framework needs importable; Keras' backend is chosen per process.
REQUIRES = {
    "glorot_numba": (),
    "torch": ("torch",),
    "jax": ("jax",),
    "tensorflow": ("tensorflow",),
    "keras-numpy": ("keras",),
}
REQUIRES.update({f"keras-{b}": ("keras", b) for b in ("jax", "torch", "tensorflow")})

_LABELS = {
    "truncated_normal": "truncated normal",
    "untruncated_normal": "normal",
    "uniform": "uniform",
}


class SkipRow(Exception):
    """A producer cannot draw this dtype here (the reason is the message)."""


@dataclass(frozen=True)
class Producer:
    """One initializer of one framework, as the audit draws it.

    Parameters
    ----------
    name : str
        The initializer as its users spell it, e.g.
        ``"torch.nn.init.xavier_normal_"``.
    framework : str
        A name to select it by (``audit(frameworks=[...])``).
    scale, mode, distribution
        The VarianceScaling law the producer claims (``distribution`` one
        of ``"truncated_normal"``, ``"untruncated_normal"``, ``"uniform"``;
        for complex dtypes the complex law of the same name).
    draw : callable
        ``draw(shape, dtype, seed)`` returns an array (anything NumPy
        converts; narrow values may be held in float32) of ``shape``, drawn
        in ``dtype`` (a name from ``dtypes``) with the integer ``seed``.
        It raises :class:`SkipRow` for a dtype it cannot draw here.
    dtypes : tuple of str
        The dtypes the producer offers.
    layout : {"tf", "torch"}
        ``"tf"``: shapes are ``(fan_in, fan_out)``; ``"torch"``: ``(fan_out,
        fan_in)``.
    round_scale : bool
        Whether the producer rounds its standard deviation to float16 /
        bfloat16 before scaling (see :func:`~glorot_numba.testing.reference`).
    note : str
        What a reader of the report should know about the claim.

    Examples
    --------
    >>> import numpy as np
    >>> from glorot_numba.testing import Producer, audit
    >>> def draw(shape, dtype, seed):
    ...     limit = np.sqrt(6.0 / sum(shape))
    ...     return np.random.default_rng(seed).uniform(-limit, limit, shape).astype(dtype)
    >>> mine = Producer("numpy glorot uniform", "mine", 1.0, "fan_avg", "uniform", draw,
    ...                 dtypes=("float32", "float64"))
    >>> audit(producers=[mine], n=10_000, progress=False).passed
    True
    """

    name: str
    framework: str
    scale: float
    mode: str
    distribution: str
    draw: Callable[[tuple[int, ...], str, int], Any] = field(repr=False, compare=False)
    dtypes: tuple[str, ...] = REAL
    layout: str = "tf"
    round_scale: bool = True
    note: str = ""

    @property
    def config(self) -> dict[str, Any]:
        """The claimed law, as :func:`~glorot_numba.testing.reference` takes it."""
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution}

    @property
    def claim(self) -> str:
        """The claimed law, in words: distribution, mode and scale."""
        return (
            f"{_LABELS.get(self.distribution, self.distribution)}, {self.mode}, "
            f"scale {self.scale:g}"
        )

    def shape_for(self, fans: tuple[int, int]) -> tuple[int, int]:
        """The shape of a weight with fans ``(fan_in, fan_out)`` in the producer's layout."""
        fan_in, fan_out = fans
        return (fan_out, fan_in) if self.layout == "torch" else (fan_in, fan_out)


# --------------------------------------------------------------------------
# glorot_numba
# --------------------------------------------------------------------------


def _glorot_numba():
    import inspect

    from . import _registry

    out = []
    # Every public preset (a class whose constructor fixes the law); the
    # three laws through VarianceScaling itself.
    for name, cls in sorted(_registry.initializer_classes().items()):
        params = inspect.signature(cls.__init__).parameters
        if name == "VarianceScaling" or "distribution" in params:
            continue
        probe: Any = cls()  # a preset: its law is in its attributes, if it has them
        if not all(hasattr(probe, a) for a in ("scale", "mode", "distribution")):
            continue
        out.append(
            Producer(
                f"glorot_numba.{name}",
                "glorot_numba",
                probe.scale,
                probe.mode,
                probe.distribution,
                _gn_draw(cls),
                DTYPES,
            )
        )
    vs = _registry.lookup("VarianceScaling")
    for distribution in ("truncated_normal", "untruncated_normal", "uniform"):
        out.append(
            Producer(
                f'glorot_numba.VarianceScaling(2.0, "fan_geo_avg", "{distribution}")',
                "glorot_numba",
                2.0,
                "fan_geo_avg",
                distribution,
                _gn_draw(vs, 2.0, "fan_geo_avg", distribution),
                DTYPES,
            )
        )
    return out


def _gn_draw(cls, *args):
    def draw(shape, dtype, seed):
        return cls(*args, seed=seed)(shape, dtype)

    return draw


# --------------------------------------------------------------------------
# PyTorch: torch.nn.init fills (out, in, *kernel) tensors in float32 /
# float64 arithmetic (ATen's opmath), so the scale is not rounded.
# --------------------------------------------------------------------------


def _torch():
    both = REAL + COMPLEX
    return [
        Producer(
            "torch.nn.init.xavier_normal_",
            "torch",
            1.0,
            "fan_avg",
            "untruncated_normal",
            _torch_draw("xavier_normal_"),
            both,
            "torch",
            False,
        ),
        Producer(
            "torch.nn.init.xavier_uniform_",
            "torch",
            1.0,
            "fan_avg",
            "uniform",
            _torch_draw("xavier_uniform_"),
            both,
            "torch",
            False,
            "complex: each of the real and imaginary parts uniform on (-a, a)",
        ),
        Producer(
            "torch.nn.init.kaiming_normal_",
            "torch",
            2.0,
            "fan_in",
            "untruncated_normal",
            _torch_draw("kaiming_normal_"),
            both,
            "torch",
            False,
        ),
        Producer(
            "torch.nn.init.kaiming_uniform_",
            "torch",
            2.0,
            "fan_in",
            "uniform",
            _torch_draw("kaiming_uniform_"),
            both,
            "torch",
            False,
        ),
        Producer(
            "torch.nn.init.trunc_normal_",
            "torch",
            1.0,
            "fan_avg",
            "truncated_normal",
            _torch_trunc_draw,
            REAL,
            "torch",
            False,
            "std = sqrt(2 / (fan_in + fan_out)) / 0.8796, a = -2 std, b = 2 std "
            "(TensorFlow's truncated Glorot normal)",
        ),
    ]


def _torch_tensor(shape, dtype, seed):
    import torch

    return torch.empty(shape, dtype=getattr(torch, dtype)), torch.Generator().manual_seed(seed)


def _torch_numpy(t):
    import torch

    if t.dtype == torch.bfloat16:
        from ._dtypes import BFLOAT16

        return t.view(torch.int16).numpy().view(BFLOAT16)
    return t.numpy()


def _torch_draw(function):
    def draw(shape, dtype, seed):
        import torch

        t, generator = _torch_tensor(shape, dtype, seed)
        getattr(torch.nn.init, function)(t, generator=generator)
        return _torch_numpy(t)

    return draw


def _torch_trunc_draw(shape, dtype, seed):
    import torch

    t, generator = _torch_tensor(shape, dtype, seed)
    fan_out, fan_in = shape
    std = math.sqrt(2.0 / (fan_in + fan_out)) / 0.87962566103423978
    torch.nn.init.trunc_normal_(t, 0.0, std, -2.0 * std, 2.0 * std, generator=generator)
    return _torch_numpy(t)


# --------------------------------------------------------------------------
# JAX: jax.nn.initializers compute the scale in the target dtype.
# --------------------------------------------------------------------------

_JAX = [
    ("glorot_normal", 1.0, "fan_avg", "truncated_normal"),
    ("glorot_uniform", 1.0, "fan_avg", "uniform"),
    ("he_normal", 2.0, "fan_in", "truncated_normal"),
    ("he_uniform", 2.0, "fan_in", "uniform"),
    ("lecun_normal", 1.0, "fan_in", "truncated_normal"),
    ("lecun_uniform", 1.0, "fan_in", "uniform"),
]


def _jax():
    out = [
        Producer(
            f"jax.nn.initializers.{name}", "jax", scale, mode, distribution, _jax_draw(name), DTYPES
        )
        for name, scale, mode, distribution in _JAX
    ]
    out.append(
        Producer(
            'jax.nn.initializers.variance_scaling(1.0, "fan_avg", "normal")',
            "jax",
            1.0,
            "fan_avg",
            "untruncated_normal",
            _jax_draw("variance_scaling", 1.0, "fan_avg", "normal"),
            DTYPES,
        )
    )
    return out


@contextlib.contextmanager
def _jax_wide(dtype):
    """64-bit types for one draw: JAX makes float64 float32 unless x64 is on."""
    import jax

    if dtype not in ("float64", "complex128") or jax.config.read("jax_enable_x64"):
        yield
        return
    enable = getattr(jax, "enable_x64", None)
    if enable is None:
        enable = getattr(getattr(jax, "experimental", None), "enable_x64", None)
    if enable is None:
        raise SkipRow(f"{dtype} needs jax_enable_x64 (JAX_ENABLE_X64=1)")
    with enable(True):
        yield


def _jax_draw(name, *args):
    def draw(shape, dtype, seed):
        import jax

        with _jax_wide(dtype):
            init = getattr(jax.nn.initializers, name)(*args)
            return np.asarray(init(jax.random.key(seed), shape, dtype))

    return draw


# --------------------------------------------------------------------------
# Keras 3, on each backend (one per process).
# --------------------------------------------------------------------------

_KERAS = [
    ("GlorotNormal", 1.0, "fan_avg", "truncated_normal"),
    ("GlorotUniform", 1.0, "fan_avg", "uniform"),
    ("HeNormal", 2.0, "fan_in", "truncated_normal"),
    ("HeUniform", 2.0, "fan_in", "uniform"),
    ("LecunNormal", 1.0, "fan_in", "truncated_normal"),
    ("LecunUniform", 1.0, "fan_in", "uniform"),
]
# Whether the backend rounds the scale to the dtype: JAX and TensorFlow
# multiply in it; PyTorch in float32; NumPy in float64, then casts.
_KERAS_ROUNDS = {"jax": True, "tensorflow": True, "torch": False, "numpy": False}


def _keras(backend):
    framework, rounds = f"keras-{backend}", _KERAS_ROUNDS[backend]
    out = [
        Producer(
            f"keras.initializers.{name}",
            framework,
            scale,
            mode,
            distribution,
            _keras_draw(name),
            REAL,
            "tf",
            rounds,
        )
        for name, scale, mode, distribution in _KERAS
    ]
    out.append(
        Producer(
            'keras.initializers.VarianceScaling(1.0, "fan_avg", "untruncated_normal")',
            framework,
            1.0,
            "fan_avg",
            "untruncated_normal",
            _keras_draw("VarianceScaling", 1.0, "fan_avg", "untruncated_normal"),
            REAL,
            "tf",
            rounds,
        )
    )
    return out


def _keras_draw(name, *args):
    def draw(shape, dtype, seed):
        import keras

        wide = _jax_wide(dtype) if keras.backend.backend() == "jax" else contextlib.nullcontext()
        with wide:
            init = getattr(keras.initializers, name)(*args, seed=seed)
            return keras.ops.convert_to_numpy(init(shape, dtype=dtype))

    return draw


# --------------------------------------------------------------------------
# TensorFlow's own (v1) initializers, which this library's compat= mirrors.
# --------------------------------------------------------------------------

_TF = [
    ("glorot_normal_initializer", 1.0, "fan_avg", "truncated_normal"),
    ("glorot_uniform_initializer", 1.0, "fan_avg", "uniform"),
    ("initializers.he_normal", 2.0, "fan_in", "truncated_normal"),
    ("initializers.he_uniform", 2.0, "fan_in", "uniform"),
    ("initializers.lecun_normal", 1.0, "fan_in", "truncated_normal"),
    ("initializers.lecun_uniform", 1.0, "fan_in", "uniform"),
]


def _tensorflow():
    out = [
        Producer(f"tf.compat.v1.{name}", "tensorflow", scale, mode, distribution, _tf_draw(name))
        for name, scale, mode, distribution in _TF
    ]
    out.append(
        Producer(
            'tf.compat.v1.variance_scaling_initializer(1.0, "fan_avg", "untruncated_normal")',
            "tensorflow",
            1.0,
            "fan_avg",
            "untruncated_normal",
            _tf_draw("variance_scaling_initializer", 1.0, "fan_avg", "untruncated_normal"),
        )
    )
    return out


def _tf_draw(path, *args):
    def draw(shape, dtype, seed):
        import tensorflow as tf

        factory = tf.compat.v1
        for part in path.split("."):
            factory = getattr(factory, part)
        return factory(*args, seed=seed)(shape, dtype=getattr(tf, dtype)).numpy()

    return draw


_REGISTRY: dict[str, Callable[[], list[Producer]]] = {
    "glorot_numba": _glorot_numba,
    "torch": _torch,
    "jax": _jax,
    "tensorflow": _tensorflow,
}
_REGISTRY.update({f"keras-{b}": functools.partial(_keras, b) for b in KERAS_BACKENDS})


def builtin(framework):
    """The built-in producers of one framework (nothing is imported)."""
    return _REGISTRY[framework]()


def missing(framework):
    """Why ``framework`` cannot run in this environment, or None."""
    for module in REQUIRES[framework]:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return f"{module} is not installed"
    return None
