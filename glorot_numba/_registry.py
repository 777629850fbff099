"""Initializer classes by name, and Keras-style (de)serialization.

The command line's spec files, :mod:`glorot_numba.dask` and
:mod:`glorot_numba.testing` find classes here, so a class added to one of
the modules that define initializers (their ``__all__``) is usable
everywhere without being listed anywhere else.
"""

from __future__ import annotations

import importlib
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .initializers import Initializer

__all__ = ["initializer_classes", "lookup", "deserialize", "snake_case", "partitionable"]


# The modules that define the package's initializers.
_MODULES = ("glorot_numba.initializers", "glorot_numba._family", "glorot_numba._explicit")


def _exported() -> dict[str, Any]:
    """``{name: object}`` of everything those modules export (aliases too)."""
    found = {}
    for module_name in _MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            found[name] = getattr(module, name)
    return found


def initializer_classes(base: type[Initializer] | None = None) -> dict[str, type[Initializer]]:
    """The public initializer classes, ``{class name: class}``.

    Every exported initializer class that derives from ``base`` (default:
    ``Initializer``, so every initializer but the abstract base itself).
    """
    from .initializers import Initializer

    base = Initializer if base is None else base
    found: dict[str, type[Initializer]] = {}
    for obj in _exported().values():
        if isinstance(obj, type) and issubclass(obj, base) and obj is not Initializer:
            found.setdefault(obj.__name__, obj)
    return found


def lookup(name: str) -> type[Initializer]:
    """The initializer class called ``name``.

    Accepts class names (``"GlorotNormal"``) and the package's lower-case
    aliases (``"glorot_normal"``), as Keras does.
    """
    if not isinstance(name, str):
        raise TypeError(f"an initializer name must be a string, got {type(name).__name__}")
    classes = initializer_classes()
    if name in classes:
        return classes[name]
    alias = _exported().get(name)
    if isinstance(alias, type) and alias in classes.values():
        return alias
    raise ValueError(f"unknown initializer {name!r}; known: {', '.join(sorted(classes))}")


def deserialize(spec: str | dict[str, Any]) -> Initializer:
    """An initializer from Keras' serialized form, or from a name.

    ``{"class_name": "GlorotNormal", "config": {"seed": 1}}`` (``module``
    and ``registered_name`` keys, as Keras 3 writes them, are ignored), or a
    bare ``"GlorotNormal"`` / ``"glorot_normal"``.
    """
    if isinstance(spec, str):
        return lookup(spec)()
    if not isinstance(spec, dict):
        raise TypeError(
            "an initializer must be a class name or a dict with 'class_name' and "
            f"'config', got {type(spec).__name__}"
        )
    unknown = set(spec) - {"class_name", "config", "module", "registered_name"}
    if unknown:
        raise ValueError(f"unknown key(s) in initializer: {sorted(unknown)}")
    if "class_name" not in spec:
        raise ValueError("an initializer dict needs a 'class_name'")
    config = spec.get("config") or {}
    if not isinstance(config, dict):
        raise TypeError(f"an initializer's 'config' must be a dict, got {type(config).__name__}")
    return lookup(spec["class_name"]).from_config(config)


def snake_case(name: str) -> str:
    """``"GlorotNormal"`` -> ``"glorot_normal"``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def partitionable(init: object) -> bool:
    """Whether a block at ``var_offset`` is exactly that slice of the whole.

    True for the native stream.  TensorFlow's streams (``compat=``) follow
    TensorFlow, where a partition's values depend on its own shape only, so
    a tensor drawn in blocks would not be the tensor drawn whole.
    """
    return getattr(init, "compat", None) is None
