"""The hook behind :func:`glorot_numba.keras.accelerate`.

Every weight a Keras layer owns is made by ``keras.layers.Layer.add_weight``
(``add_variable`` and the built-in layers call it).  While an ``accelerate()``
context is open in any thread, that method is replaced by a wrapper; the
original is put back when the last context closes.  The wrapper looks at
the calling context only: in threads and asyncio tasks outside an
``accelerate()`` block it calls the original unchanged.  Inside one, it
first offers the initializer to a ``substitute`` function (which returns an
initializer drawing the same distribution through the engine, or None to
leave it alone), then calls the original with whatever it got.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["substituting"]

# Depth of accelerate() blocks around the running code.
_depth = contextvars.ContextVar("glorot_numba.keras.accelerate", default=0)

_lock = threading.Lock()
_open = 0  # accelerate() blocks open in any thread
# Layer.add_weight as found when the wrapper went in, and the substitute.
# Both stay set after it comes out: a thread that looked the wrapper up just
# before still calls through it.
_original: Callable[..., Any] | None = None
_substitute: Callable[[Any], Any] | None = None


def _default_initializer(layer: Any, dtype: Any) -> str:
    """What ``add_weight`` uses when given no initializer (as Keras decides it)."""
    import keras

    dtype = layer.variable_dtype if dtype is None else keras.backend.standardize_dtype(dtype)
    return "glorot_uniform" if "float" in dtype else "zeros"


def _add_weight(self: Any, *args: Any, **kwargs: Any) -> Any:
    if _depth.get():
        # Keras 2's add_weight(shape, initializer, dtype) is still accepted.
        positional = len(args) >= 2
        initializer = args[1] if positional else kwargs.get("initializer")
        if initializer is None:
            dtype = args[2] if len(args) >= 3 else kwargs.get("dtype")
            initializer = _default_initializer(self, dtype)
        replacement = _substitute(initializer)  # type: ignore[misc]  # set while in use
        if replacement is not None:
            if positional:
                args = (args[0], replacement, *args[2:])
            else:
                kwargs["initializer"] = replacement
    return _original(self, *args, **kwargs)  # type: ignore[misc]  # set while in use


@contextlib.contextmanager
def substituting(substitute: Callable[[Any], Any]) -> Iterator[None]:
    """Within the block, ``add_weight`` in this context offers initializers
    to ``substitute`` first.  Nestable, and safe to enter from several
    threads; ``substitute`` must be the same function for every block."""
    global _open, _original, _substitute
    from keras.layers import Layer

    with _lock:
        if _open == 0:
            _original = Layer.__dict__["add_weight"]
            _substitute = substitute
            Layer.add_weight = _add_weight
        _open += 1
    token = _depth.set(_depth.get() + 1)
    try:
        yield
    finally:
        _depth.reset(token)
        with _lock:
            _open -= 1
            if _open == 0:
                Layer.add_weight = _original
