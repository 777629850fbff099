"""Initializer classes by name, and Keras-style (de)serialization.

The command line's spec files, :mod:`glorot_numba.dask` and
:mod:`glorot_numba.testing` find classes here, so a class exported by the
package is usable everywhere without being listed anywhere else.
"""

import re

__all__ = ["initializer_classes", "lookup", "deserialize", "snake_case", "partitionable"]


def initializer_classes(base=None):
    """The public initializer classes, ``{class name: class}``.

    Every class exported by :mod:`glorot_numba` (its ``__all__``) that
    derives from ``base`` (default: ``Initializer``, so every initializer
    but the abstract base itself).
    """
    import glorot_numba as gn

    base = gn.Initializer if base is None else base
    found = {}
    for name in getattr(gn, "__all__", dir(gn)):
        obj = getattr(gn, name, None)
        if isinstance(obj, type) and issubclass(obj, base) and obj is not gn.Initializer:
            found.setdefault(obj.__name__, obj)
    return found


def lookup(name):
    """The initializer class called ``name``.

    Accepts class names (``"GlorotNormal"``) and the package's lower-case
    aliases (``"glorot_normal"``), as Keras does.
    """
    import glorot_numba as gn

    if not isinstance(name, str):
        raise TypeError(f"an initializer name must be a string, got {type(name).__name__}")
    classes = initializer_classes()
    if name in classes:
        return classes[name]
    alias = getattr(gn, name, None) if name in getattr(gn, "__all__", ()) else None
    if isinstance(alias, type) and alias in classes.values():
        return alias
    raise ValueError(
        f"unknown initializer {name!r}; known: {', '.join(sorted(classes))}"
    )


def deserialize(spec):
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


def snake_case(name):
    """``"GlorotNormal"`` -> ``"glorot_normal"``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def partitionable(init):
    """Whether a block at ``var_offset`` is exactly that slice of the whole.

    True for the native stream.  TensorFlow's streams (``compat=``) follow
    TensorFlow, where a partition's values depend on its own shape only, so
    a tensor drawn in blocks would not be the tensor drawn whole.
    """
    return getattr(init, "compat", None) is None
