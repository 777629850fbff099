"""Seeds: validation, the global seed, and the (seed1, seed2) -> key rule.

The rules are those of ``tf.compat.v1.set_random_seed`` / ``get_seed``:

* an operation seed ``s`` with no global seed gives the pair
  ``(87654321, s mod (2**31 - 1))``;
* with a global seed ``g`` it gives ``(g mod M, s mod M)``, ``M = 2**31 - 1``;
* an unseeded call under a global seed takes the next operation seed from a
  ``random.Random(g mod M)`` sequence (reset by every ``set_random_seed``), so the
  k-th unseeded call of a program always gets the k-th seed; TensorFlow's
  eager runtime seeds that sequence with ``g`` itself, and a second sequence,
  advanced in step, serves the calls that reproduce TensorFlow's values;
* an unseeded call with no global seed uses fresh OS entropy.

The Philox key of the native stream is the pair itself, ``(seed1, seed2)``.
"""

from __future__ import annotations

import numbers
import random
import secrets
import threading
from typing import TYPE_CHECKING, TypeAlias

import numpy as np

if TYPE_CHECKING:
    from typing import Any

__all__ = ["DEFAULT_GRAPH_SEED", "MAXINT32", "check_seed", "set_random_seed", "get_seed", "key_for"]

DEFAULT_GRAPH_SEED = 87654321
MAXINT32 = 2**31 - 1

# What the API takes as an operation seed (for annotations): a Python or
# NumPy integer, or None for fresh entropy.
SeedLike: TypeAlias = "int | np.integer[Any] | None"

_lock = threading.Lock()
_global_seed: int | None = None
# (random.Random(g mod M), random.Random(g)) while a global seed is set.
_op_seeds: tuple[random.Random, random.Random] | None = None
# (global seed, operation seed) -> Philox key, see key_for.
_keys: dict[tuple[int | None, int], tuple[np.uint64, np.uint64]] = {}


def check_seed(seed: object, name: str = "seed") -> int | None:
    """Return ``seed`` as a Python int (or None); reject non-integers."""
    if seed is None or type(seed) is int:  # plain ints skip the slow ABC checks
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be an integer or None, got {type(seed).__name__} {seed!r}")
    return int(seed)


def set_random_seed(seed: SeedLike) -> None:
    """Set or clear the global random seed.

    Mirrors ``tf.compat.v1.set_random_seed``: afterwards every initializer
    call is deterministic.  Seeded initializers combine the global seed with
    their own; unseeded ones draw the k-th operation seed of a sequence that
    depends only on the global seed and restarts at each call of this
    function.

    Parameters
    ----------
    seed : int or None
        The global seed (any Python or NumPy integer, reduced modulo
        2**31 - 1 as TensorFlow does), or None to clear it, after which
        unseeded initializers draw fresh OS entropy again.

    Raises
    ------
    TypeError
        If ``seed`` is not an integer or None.

    Examples
    --------
    >>> import numpy as np
    >>> import glorot_numba as gn
    >>> gn.set_random_seed(1234)
    >>> a = gn.GlorotNormal()((3, 4))
    >>> gn.set_random_seed(1234)
    >>> b = gn.GlorotNormal()((3, 4))
    >>> bool(np.array_equal(a, b))
    True
    >>> gn.set_random_seed(None)
    """
    global _global_seed, _op_seeds
    seed = check_seed(seed)
    with _lock:
        _global_seed = seed
        _op_seeds = None if seed is None else (random.Random(seed % MAXINT32), random.Random(seed))


def get_seed(op_seed: int | None, tf_sequence: bool = False) -> tuple[int, int] | None:
    """The ``(seed1, seed2)`` pair for an operation seed, or None for entropy.

    With ``tf_sequence``, an unseeded call under a global seed takes its
    operation seed from TensorFlow eager's sequence (``random.Random(g)``).
    """
    with _lock:
        global_seed = _global_seed
        if _op_seeds is not None and op_seed is None:  # a global seed is set
            native = _op_seeds[0].randint(0, MAXINT32)
            tf_seed = _op_seeds[1].randint(0, MAXINT32)
            op_seed = tf_seed if tf_sequence else native
    return _seed_pair(global_seed, op_seed)


def _seed_pair(global_seed: int | None, op_seed: int | None) -> tuple[int, int] | None:
    """The pair for an operation seed under a global seed (None: not set)."""
    if global_seed is not None and op_seed is not None:
        seeds = (global_seed % MAXINT32, op_seed % MAXINT32)
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, op_seed % MAXINT32)
    else:
        return None
    # TensorFlow reserves (0, 0) for "nondeterministic"; keep its remapping so
    # seed pairs mean the same thing here as there.
    if seeds == (0, 0):
        return (0, MAXINT32)
    return seeds


def key_for(op_seed: int | None) -> tuple[np.uint64, np.uint64]:
    """The Philox key ``(k0, k1)`` as two ``np.uint64`` words below 2**32."""
    if op_seed is not None:
        # The key of a given seed depends on nothing but it and the global
        # seed, so it is remembered: making the two NumPy scalars again
        # costs about a microsecond, a few percent of a small call.
        global_seed = _global_seed
        key = _keys.get((global_seed, op_seed))
        if key is None:
            pair = _seed_pair(global_seed, op_seed)
            assert pair is not None  # an operation seed always gives a pair
            key = np.uint64(pair[0]), np.uint64(pair[1])
            if len(_keys) < 1024:
                _keys[global_seed, op_seed] = key
        return key
    seeds = get_seed(None)
    if seeds is None:
        bits = secrets.randbits(64)
        seeds = (bits & 0xFFFFFFFF, bits >> 32)
    return np.uint64(seeds[0]), np.uint64(seeds[1])
