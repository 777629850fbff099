"""Philox4x32-10 against the Random123 known-answer vectors and a slow reference."""

import numpy as np
import pytest

import glorot_numba as gn
from glorot_numba._engine import philox as _philox

from . import naive

# Random123 kat_vectors, "philox4x32 10" lines: counter (4 words), key (2 words),
# expected output (4 words).
KAT = [
    (
        (0x00000000, 0x00000000, 0x00000000, 0x00000000),
        (0x00000000, 0x00000000),
        (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8),
    ),
    (
        (0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF),
        (0xFFFFFFFF, 0xFFFFFFFF),
        (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD),
    ),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]


@pytest.mark.parametrize("ctr,key,expected", KAT)
def test_known_answers_public(ctr, key, expected):
    out = gn.philox4x32_10(np.array([ctr], np.uint32), np.array(key, np.uint32))
    assert out.dtype == np.uint32 and out.shape == (1, 4)
    assert tuple(int(w) for w in out[0]) == expected


@pytest.mark.parametrize("ctr,key,expected", KAT)
def test_known_answers_jitted_block_and_pure_python_form(ctr, key, expected):
    args = [np.uint64(w) for w in ctr + key]
    jitted = _philox.philox_block(*args)
    pure = _philox.philox_block.py_func(*args)
    assert tuple(int(w) for w in jitted) == expected
    assert tuple(int(w) for w in pure) == expected
    assert all(isinstance(w, np.uint64) for w in pure)


@pytest.mark.parametrize("ctr,key,expected", KAT)
def test_known_answers_reference(ctr, key, expected):
    assert naive.philox(ctr, key) == expected


def test_batch_matches_reference_and_pure_python_rows():
    rng = np.random.default_rng(20261129)
    counters = rng.integers(0, 2**32, size=(300, 4), dtype=np.uint64).astype(np.uint32)
    key = rng.integers(0, 2**32, size=2, dtype=np.uint64).astype(np.uint32)
    out = gn.philox4x32_10(counters, key)
    expected = np.array(
        [naive.philox(tuple(map(int, c)), tuple(map(int, key))) for c in counters], dtype=np.uint32
    )
    np.testing.assert_array_equal(out, expected)
    pure = np.empty_like(counters)
    _philox._philox_rows.py_func(counters, key, pure)
    np.testing.assert_array_equal(pure, expected)


def test_accepts_lists_and_other_integer_dtypes():
    out = gn.philox4x32_10([[0, 0, 0, 0]], np.array([0, 0], np.int64))
    assert int(out[0, 0]) == 0x6627E8D5
    assert gn.philox4x32_10(np.zeros((0, 4), np.uint32), [0, 0]).shape == (0, 4)
