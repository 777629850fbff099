"""Philox4x32-10, the counter-based bit generator (Salmon et al., SC11).

A Philox call maps a 128-bit counter and a 64-bit key to 128 random bits; it
keeps no state, so any output word can be computed on its own.  All words are
held in ``uint64`` scalars whose upper half is zero: Numba widens ``uint32``
arithmetic to 64 bits while NumPy wraps it, so computing in ``uint64`` with
explicit masks is what keeps the JIT and ``NUMBA_DISABLE_JIT=1`` bit-identical.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from numba import njit, prange

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["philox_block", "philox4x32_10"]

_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = np.uint64(0x9E3779B9)
_W1 = np.uint64(0xBB67AE85)
_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)


@njit(inline="always")
def philox_block(c0, c1, c2, c3, k0, k1):
    """Ten Philox4x32 rounds on one counter.

    All arguments are ``np.uint64`` values below 2**32; so are the results.
    """
    # Only the low 32 bits of every word matter, and nothing carries from the
    # high half into the low one (xor, and ``>> 32`` of a product of masked
    # words), so the high halves are left dirty and masked once at the end.
    # Masking the factors instead lets LLVM emit one 32x32->64 ``pmuludq``.
    for _ in range(10):
        p0 = _M0 * (c0 & _MASK32)
        p1 = _M1 * (c2 & _MASK32)
        c0, c1, c2, c3 = (p1 >> _SHIFT32) ^ c1 ^ k0, p1, (p0 >> _SHIFT32) ^ c3 ^ k1, p0
        # The bump after the tenth round is unused; an uniform body unrolls.
        k0 = k0 + _W0
        k1 = k1 + _W1
    return c0 & _MASK32, c1 & _MASK32, c2 & _MASK32, c3 & _MASK32


@njit(parallel=True)
def _philox_rows(counters, key, out):
    k0 = np.uint64(key[0])
    k1 = np.uint64(key[1])
    for i in prange(counters.shape[0]):
        r0, r1, r2, r3 = philox_block(
            np.uint64(counters[i, 0]),
            np.uint64(counters[i, 1]),
            np.uint64(counters[i, 2]),
            np.uint64(counters[i, 3]),
            k0,
            k1,
        )
        out[i, 0] = np.uint32(r0)
        out[i, 1] = np.uint32(r1)
        out[i, 2] = np.uint32(r2)
        out[i, 3] = np.uint32(r3)


# The annotations are strings: this module holds kernels, and is left as
# Numba has always compiled it (no __future__ import).
def _as_uint32_array(
    name: str, value: "npt.ArrayLike", shape_ok: Callable[[tuple[int, ...]], bool], shape_text: str
) -> "npt.NDArray[np.uint32]":
    arr = np.asarray(value)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "ui":
        raise TypeError(
            f"{name} must be an array of unsigned 32-bit integers, got dtype {arr.dtype}"
        )
    if not shape_ok(arr.shape):
        raise ValueError(f"{name} must have shape {shape_text}, got {arr.shape}")
    if arr.size and (int(arr.min()) < 0 or int(arr.max()) > 0xFFFFFFFF):
        raise ValueError(f"{name} values must lie in [0, 2**32 - 1]")
    return np.ascontiguousarray(arr, dtype=np.uint32)


def philox4x32_10(counters: "npt.ArrayLike", key: "npt.ArrayLike") -> "npt.NDArray[np.uint32]":
    """Apply the Philox4x32-10 bijection to a batch of counters.

    Parameters
    ----------
    counters : array_like of uint32, shape (n, 4)
        128-bit counters, word 0 first (Random123 word order).
    key : array_like of uint32, shape (2,)
        The 64-bit key, word 0 first.

    Returns
    -------
    numpy.ndarray of uint32, shape (n, 4)
        ``philox4x32_10(counters[i], key)`` for every row.

    Raises
    ------
    TypeError
        If the inputs are not integer arrays.
    ValueError
        If a shape is wrong or a value does not fit in 32 bits.

    Notes
    -----
    This is the raw bit generator behind every initializer in the package:
    element ``i`` of a draw is a function of the Philox output at a counter
    built from ``i``.  It is the Philox4x32 generator with 10 rounds of
    J. K. Salmon, M. A. Moraes, R. O. Dror and D. E. Shaw, "Parallel random
    numbers: as easy as 1, 2, 3", SC11 (2011), and reproduces the Random123
    known-answer vectors.

    Examples
    --------
    >>> import numpy as np
    >>> import glorot_numba as gn
    >>> out = gn.philox4x32_10(np.zeros((1, 4), np.uint32), np.zeros(2, np.uint32))
    >>> [hex(int(w)) for w in out[0]]
    ['0x6627e8d5', '0xe169c58d', '0xbc57ac4c', '0x9b00dbd8']
    """
    ctr = _as_uint32_array("counters", counters, lambda s: len(s) == 2 and s[1] == 4, "(n, 4)")
    k = _as_uint32_array("key", key, lambda s: s == (2,), "(2,)")
    out = np.empty_like(ctr)
    if ctr.shape[0]:
        _philox_rows(ctr, k, out)
    return out
