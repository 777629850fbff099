"""Model spec files: named tensors, each a shape and a serialized initializer.

::

    {"tensors": {
        "emb": {"shape": [50257, 768],
                "initializer": {"class_name": "GlorotNormal", "config": {"seed": 1}}},
        "head": {"shape": [768, 10], "dtype": "float64",
                 "initializer": {"class_name": "VarianceScaling",
                                 "config": {"scale": 2.0, "seed": 2}}}}}

``dtype`` is optional (default: the initializer's).  Everything is checked
(names, shapes, initializers, dtypes, and that each standard deviation is
representable) before any tensor is drawn.
"""

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _dtypes, _registry, _shapes

__all__ = ["Entry", "load_spec", "parse_spec", "validate_draw"]


@dataclass
class Entry:
    name: str
    init: object
    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    serialized: dict[str, Any]

    @property
    def size(self):
        return math.prod(self.shape)


def load_spec(path):
    """Parse the JSON spec file at ``path``; see :func:`parse_spec`."""
    with open(path, encoding="utf-8") as fp:
        try:
            spec = json.load(fp)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not valid JSON ({exc})") from None
    try:
        return parse_spec(spec)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{path}: {exc}") from None


def parse_spec(spec):
    """The list of :class:`Entry` of a spec dict, in the spec's order."""
    if not isinstance(spec, dict) or set(spec) != {"tensors"}:
        raise ValueError('a spec is an object with one key, "tensors"')
    tensors = spec["tensors"]
    if not isinstance(tensors, dict) or not tensors:
        raise ValueError('"tensors" must be a non-empty object of named tensors')
    entries = []
    for name, item in tensors.items():
        where = f"tensor {name!r}"
        if not name:
            raise ValueError("tensor names must not be empty")
        if not isinstance(item, dict):
            raise TypeError(f"{where}: expected an object, got {type(item).__name__}")
        unknown = set(item) - {"shape", "initializer", "dtype"}
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}")
        for key in ("shape", "initializer"):
            if key not in item:
                raise ValueError(f"{where}: missing {key!r}")
        try:
            if not isinstance(item["shape"], list):
                raise TypeError(f"shape must be a list of integers, got {item['shape']!r}")
            shape = _shapes.check_shape(item["shape"])
            init = _registry.deserialize(item["initializer"])
            dtype = (
                init.dtype if item.get("dtype") is None else _dtypes.resolve_dtype(item["dtype"])
            )
            validate_draw(init, shape, dtype)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{where}: {exc}") from None
        serialized = {"class_name": type(init).__name__, "config": init.get_config()}
        entries.append(Entry(name, init, shape, dtype, serialized))
    return entries


def validate_draw(init, shape, dtype):
    """Run every check of ``init(shape, dtype)`` without drawing the tensor."""
    if shape:
        # An empty block of the full tensor: fans, scale and dtype are
        # validated, no element is computed.
        empty = (0,) + shape[1:]
        init(empty, dtype, partition_info=_shapes.PartitionInfo(shape, (0,) * len(shape)))
    else:
        init(shape, dtype)
