"""What the framework adapters share: the family table and draws under a given key.

Kept free of framework imports, so that importing glorot_numba never loads
PyTorch, Keras or JAX.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from . import _family
from ._engine import philox4x32_10
from .initializers import GlorotNormal

if TYPE_CHECKING:
    import numpy.typing as npt

    from .initializers import Initializer, Mode, VarianceScaling

_InitializerT = TypeVar("_InitializerT", bound="Initializer")

__all__ = ["FAMILY", "keyed", "key_from_words"]


def _configuration(cls: type[VarianceScaling]) -> tuple[float, Mode, str]:
    init = cls()
    return init.scale, init.mode, init.distribution


# name -> (scale, mode, distribution), read off the package's classes: each
# member is a VarianceScaling configuration, under the names TensorFlow/Keras
# and JAX give them.
FAMILY: dict[str, tuple[float, Mode, str]] = {
    "glorot_normal": _configuration(GlorotNormal),
    "glorot_uniform": _configuration(_family.GlorotUniform),
    "he_normal": _configuration(_family.HeNormal),
    "he_uniform": _configuration(_family.HeUniform),
    "lecun_normal": _configuration(_family.LecunNormal),
    "lecun_uniform": _configuration(_family.LecunUniform),
}


def keyed(init: _InitializerT, key: Iterable[int | np.integer[Any]]) -> _InitializerT:
    """A shallow copy of ``init`` whose draws use the Philox key ``key``.

    ``key`` is a pair of integers below 2**32.  The copy ignores its seed;
    ``init`` itself is unchanged, so concurrent draws under different keys
    never share state.
    """
    k0, k1 = (np.uint64(int(w)) for w in key)
    clone = copy.copy(init)
    clone._key = lambda: (k0, k1)  # type: ignore[method-assign]  # this copy's key
    return clone


def key_from_words(words: npt.ArrayLike) -> tuple[int, int]:
    """A Philox key (two uint32 words) from a framework key's raw words.

    Two words (a JAX threefry key) are the key itself.  Any other number of
    words is compressed by chaining Philox over blocks of four, the word
    count in the first block, so that distinct inputs keep distinct keys
    with overwhelming probability.
    """
    flat = np.asarray(words, dtype=np.uint32).reshape(-1)
    if flat.size == 2:
        return int(flat[0]), int(flat[1])
    padded = np.concatenate([np.array([flat.size], np.uint32), flat])
    padded = np.concatenate([padded, np.zeros(-padded.size % 4, np.uint32)])
    state = np.zeros(2, np.uint32)
    for block in padded.reshape(-1, 4):
        state = philox4x32_10(block.reshape(1, 4), state)[0, :2]
    return int(state[0]), int(state[1])
