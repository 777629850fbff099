"""The machinery of ``glorot_numba.torch.accelerate``: where ``torch.nn.init``'s
random functions are bound, and how they are swapped for the engine's.

A library reaches ``torch.nn.init.normal_`` in three ways: as an attribute of
``torch.nn.init`` (``init.normal_(w)``), as a name of its own module bound
at import (``from torch.nn.init import xavier_uniform_``, as
``torch.nn.modules.activation`` does), or through a table that holds the
function (``transformers.initialization.TORCH_INIT_FUNCTIONS``).  Every one
of these *sites* is a slot of a dict -- a module's namespace, or a dict at
module level -- holding PyTorch's function object itself, so the sites are
found by scanning the namespaces of ``sys.modules``, and the dicts at their
top level, for values identical to it.

While a block is active anywhere, every site holds a *replacement*: a
function with the original's signature that draws through the engine when
the calling context (thread, or asyncio task) is inside a block, and calls
the original otherwise.  When the last block ends, every site that holds a
replacement gets the original back -- including sites created during the
block, by modules imported then.  A replacement that escapes (copied where
no scan looks) still behaves as the original outside a block.

Each module is scanned once, when first seen; the sites found are
remembered.  Scanning all of ``sys.modules`` the first time takes a few
milliseconds to a few tens of milliseconds with large libraries loaded.
"""

from __future__ import annotations

import builtins
import contextvars
import functools
import sys
import threading
import types
from collections.abc import Callable, Mapping
from typing import Any

import torch

from . import _torch_init

__all__ = ["NAMES", "ORIGINALS", "REPLACEMENTS", "IMPLEMENTATIONS", "enter", "exit", "active"]

NAMES = _torch_init.NAMES

# PyTorch's functions, as torch.nn.init held them when this module was imported.
ORIGINALS: dict[str, Callable[..., Any]] = {name: getattr(torch.nn.init, name) for name in NAMES}

# What a replacement calls inside a block: the engine's functions (tests
# put recording ones here).
IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {
    name: getattr(_torch_init, name) for name in NAMES
}

# The engine's kaiming_ functions warn at a stack level one deeper behind a
# replacement, so that the warning names the replacement's caller.
_EXTRA: dict[str, dict[str, int]] = {
    "kaiming_uniform_": {"stacklevel": 3},
    "kaiming_normal_": {"stacklevel": 3},
}

# How many blocks the current context is inside.
_depth = contextvars.ContextVar("glorot_numba_accelerate_depth", default=0)


def active() -> bool:
    """Whether the calling context is inside an ``accelerate()`` block."""
    return _depth.get() > 0


def _replacement(name: str) -> Callable[..., Any]:
    original = ORIGINALS[name]
    extra = _EXTRA.get(name, {})

    @functools.wraps(original)
    def replacement(*args: Any, **kwargs: Any) -> Any:
        if _depth.get():
            return IMPLEMENTATIONS[name](*args, **kwargs, **extra)
        return original(*args, **kwargs)

    replacement.__glorot_numba_replaces__ = name  # type: ignore[attr-defined]
    return replacement


REPLACEMENTS = {name: _replacement(name) for name in NAMES}

# This module's own tables are not sites.
_OWN = frozenset(map(id, (ORIGINALS, IMPLEMENTATIONS, REPLACEMENTS)))

# id -> name of every original and replacement: what a scan looks for.
_TARGETS = {id(f): name for table in (ORIGINALS, REPLACEMENTS) for name, f in table.items()}
_TARGET_IDS = frozenset(_TARGETS)

# Every module's __builtins__: searched by no one.
_BUILTINS = builtins.__dict__

_lock = threading.Lock()
_blocks = 0  # active blocks, in all contexts
_scanned: dict[str, object] = {}  # module name -> the module object scanned under that name
# (id(namespace), key) -> (namespace, key, name)
_sites: dict[tuple[int, object], tuple[dict[Any, Any], object, str]] = {}


def _check_originals() -> None:
    for name, function in ORIGINALS.items():
        if (
            getattr(function, "__module__", None) != "torch.nn.init"
            or getattr(function, "__name__", None) != name
            or hasattr(function, "__glorot_numba_replaces__")
        ):
            raise RuntimeError(
                f"torch.nn.init.{name} was {function!r}, not PyTorch's function, when "
                "glorot_numba.torch was imported (imported inside another library's "
                "patching context?); import glorot_numba.torch before that"
            )


def _record(namespace: dict[Any, Any]) -> None:
    """Remember the sites of ``namespace`` (a dict) that hold a target."""
    for key, value in list(namespace.items()):
        name = _TARGETS.get(id(value))
        if name is not None:
            _sites[(id(namespace), key)] = (namespace, key, name)


def _scan(namespace: dict[Any, Any]) -> None:
    """Find the sites of a module namespace and of the dicts at its top level."""
    values = list(namespace.values())
    # Identity tests run in C (map, isdisjoint): a module with no site costs
    # well under a microsecond per name.
    if not _TARGET_IDS.isdisjoint(map(id, values)):
        _record(namespace)
    kinds = list(map(type, values))
    i = -1
    while True:
        try:
            i = kinds.index(dict, i + 1)  # the next dict, found in C
        except ValueError:
            return
        table = values[i]
        if (
            table is not namespace
            and table is not _BUILTINS
            and id(table) not in _OWN
            and not _TARGET_IDS.isdisjoint(map(id, list(table.values())))
        ):
            _record(table)


def _scan_new_modules() -> None:
    for name, module in list(sys.modules.items()):
        if _scanned.get(name) is module:
            continue
        _scanned[name] = module
        if isinstance(module, types.ModuleType):
            _scan(module.__dict__)


def _swap(
    source: Mapping[str, Callable[..., Any]], target: Mapping[str, Callable[..., Any]]
) -> None:
    """Every site holding ``source[name]`` gets ``target[name]``."""
    for namespace, key, name in list(_sites.values()):
        try:
            if namespace.get(key) is source[name]:
                namespace[key] = target[name]
        except TypeError:  # a key that no longer hashes (mutated object)
            continue


def enter() -> None:
    """Start a block in the calling context; install the replacements if it is the first."""
    global _blocks
    with _lock:
        if _blocks == 0:
            _check_originals()
            _scan_new_modules()
            _swap(ORIGINALS, REPLACEMENTS)
        _blocks += 1
        _depth.set(_depth.get() + 1)


def exit() -> None:
    """End a block of the calling context; restore the originals if it was the last."""
    global _blocks
    with _lock:
        if _blocks == 0 or _depth.get() == 0:
            raise RuntimeError("no accelerate() block to end in this context")
        _depth.set(_depth.get() - 1)
        _blocks -= 1
        if _blocks == 0:
            _scan_new_modules()
            _swap(REPLACEMENTS, ORIGINALS)
