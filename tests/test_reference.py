"""The fast kernels against a slow reference written from the stream's description.

The reference uses Python integers for Philox and NumPy float64 ``log``,
``sin``, ``cos`` for the transforms, so it shares no code with the library.
It pins the stream layout: counter = (block lo, block hi, attempt, path),
word-to-element mapping, cosine before sine, uniforms in (0, 1], redraws from
the element's own attempt counter.  Values agree to float rounding; an
accept/reject decision may differ only for candidates within rounding of 2.
"""

import math

import numpy as np
import pytest

import glorot_numba as gn
from glorot_numba import _seeding

from .test_philox import naive_philox

PATH = {"float32": 0, "float64": 1}


def naive_block_lane(index, dtype):
    """Tiles of 64 blocks: lane j of a tile is 64 consecutive elements."""
    lanes = 4 if dtype == "float32" else 2
    tile, rest = divmod(index, 64 * lanes)
    lane, offset = divmod(rest, 64)
    return 64 * tile + offset, lane


def naive_candidate(key, index, attempt, dtype):
    """Standard normal candidate ``attempt`` of element ``index``."""
    block, lane = naive_block_lane(index, dtype)
    ctr = (block & 0xFFFFFFFF, block >> 32, attempt, PATH[dtype])
    w = naive_philox(ctr, key)
    if dtype == "float32":
        pair = w[0:2] if lane in (0, 2) else w[2:4]  # lanes: cos A, cos B, sin A, sin B
        u = ((pair[0] >> 8) + 1) / 2.0**24
        turn = (pair[1] >> 8) / 2.0**24
    else:
        u = ((((w[0] << 32) | w[1]) >> 11) + 1) / 2.0**53
        turn = (((w[2] << 32) | w[3]) >> 11) / 2.0**53
    radius = math.sqrt(-2.0 * math.log(u))
    if dtype == "float32":
        trig = math.cos if lane < 2 else math.sin
    else:
        trig = math.cos if lane == 0 else math.sin
    return radius * trig(2.0 * math.pi * turn)


def naive_truncated(key, index, dtype):
    attempt = 0
    while True:
        z = naive_candidate(key, index, attempt, dtype)
        if abs(z) < 2.0:
            return z, attempt
        attempt += 1


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_truncated_normal_stream_matches_reference(dtype):
    seed = 31
    shape = (37, 29)  # 1073 elements: whole tiles and a ragged end
    key = tuple(int(k) for k in _seeding.key_for(seed))
    w = gn.VarianceScaling(1.0, "fan_in", seed=seed)(shape, dtype).astype(np.float64).ravel()
    sigma = math.sqrt(1.0 / shape[0]) / 0.87962566103423978
    tol = 4e-6 if dtype == "float32" else 1e-13
    redrawn = 0
    for i in range(w.size):
        z, attempts = naive_truncated(key, i, dtype)
        redrawn += attempts > 0
        assert abs(w[i] / sigma - z) <= tol * max(1.0, abs(z)), (i, w[i] / sigma, z)
    assert redrawn > 10  # the resampling path was exercised


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_uniform_stream_matches_reference(dtype):
    seed = 8
    key = tuple(int(k) for k in _seeding.key_for(seed))
    w = gn.VarianceScaling(1.0, "fan_in", "uniform", seed=seed)((40, 13), dtype)
    limit = np.asarray(math.sqrt(3.0 * (1.0 / 40)), dtype).astype(np.float64)  # TF order
    for i, value in enumerate(w.astype(np.float64).ravel()):
        block, lane = naive_block_lane(i, dtype)
        if dtype == "float32":
            j = naive_philox((block, 0, 0, 0), key)[(0, 2, 1, 3)[lane]] >> 9
            v = (2 * j + 1) / 2.0**23 - 1
        else:
            words = naive_philox((block, 0, 0, 1), key)
            j = ((words[2 * lane] << 32) | words[2 * lane + 1]) >> 12
            v = (2 * j + 1) / 2.0**52 - 1
        assert value == np.asarray(v * limit, dtype)


def test_key_is_the_tf_seed_pair():
    assert tuple(int(k) for k in _seeding.key_for(5)) == (87654321, 5)
    assert tuple(int(k) for k in _seeding.key_for(-1)) == (87654321, 2**31 - 2)
