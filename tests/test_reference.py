"""The fast kernels against a slow reference written from the stream's description.

The reference (tests/naive.py) uses Python integers for Philox and float64
``log``, ``sin``, ``cos`` for the transforms, so it shares no code with the
library.
It pins the stream layout: counter = (block lo, block hi, attempt, path),
word-to-element mapping, cosine before sine, uniforms in (0, 1], redraws from
the element's own attempt counter.  Values agree to float rounding; an
accept/reject decision may differ only for candidates within rounding of 2.
"""

import math

import numpy as np
import pytest
from scipy import special

import glorot_numba as gn
from glorot_numba import _seeding

from . import naive


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
        z, attempts = naive.truncated(key, i, dtype)
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
        block, lane = naive.block_lane(i, dtype)
        if dtype == "float32":
            j = naive.philox((block, 0, 0, 0), key)[(0, 2, 1, 3)[lane]] >> 9
            v = (2 * j + 1) / 2.0**23 - 1
        else:
            words = naive.philox((block, 0, 0, 1), key)
            j = ((words[2 * lane] << 32) | words[2 * lane + 1]) >> 12
            v = (2 * j + 1) / 2.0**52 - 1
        assert value == np.asarray(v * limit, dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_inverse_cdf_stream_matches_reference(dtype):
    # The uniform's word layout on paths 6 / 7, each word (pair of words)
    # through the truncated normal's quantile, computed here with SciPy's
    # erfinv: values agree to float rounding.
    seed = 12
    shape = (37, 29)  # whole tiles and a ragged end
    key = tuple(int(k) for k in _seeding.key_for(seed))
    w = gn.VarianceScaling(1.0, "fan_in", seed=seed, method="inverse_cdf")(shape, dtype)
    sigma = math.sqrt(1.0 / shape[0]) / 0.87962566103423978
    z = w.astype(np.float64).ravel() / sigma
    expected = []
    for i in range(z.size):
        block, lane = naive.block_lane(i, dtype)
        if dtype == "float32":
            k = naive.philox((block, 0, 0, 6), key)[(0, 2, 1, 3)[lane]] >> 8
            u = (k + 0.5) / 2.0**24
        else:
            words = naive.philox((block, 0, 0, 7), key)
            k = ((words[2 * lane] << 32) | words[2 * lane + 1]) >> 11
            u = (k + 0.5) / 2.0**53
        expected.append(math.sqrt(2.0) * special.erfinv(math.erf(math.sqrt(2.0)) * (2 * u - 1)))
    tol = 4e-6 if dtype == "float32" else 1e-13
    np.testing.assert_allclose(z, expected, rtol=tol, atol=tol)


def test_interval_stream_matches_reference():
    # Elements 2b and 2b + 1 take words 0-1 and 2-3 of block b on path 4, a
    # uniform (2k + 1) 2**-54 each; the value is the normal's quantile at
    # Phi(a) + u (Phi(b) - Phi(a)), here from SciPy.
    seed, mean, std, lower, upper = 3, 1.0, 0.5, 1.2, 2.5
    key = tuple(int(k) for k in _seeding.key_for(seed))
    init = gn.TruncatedNormal(mean, std, seed=seed, lower=lower, upper=upper)
    w = init((7, 33), "float64").ravel()
    a, b = (lower - mean) / std, (upper - mean) / std
    for i, value in enumerate(w):
        words = naive.philox((i // 2, 0, 0, 4), key)
        hi, lo = words[2 * (i % 2)], words[2 * (i % 2) + 1]
        u = (2 * (((hi << 32) | lo) >> 11) + 1) / 2.0**54
        # Above the median, from the upper tail, as the kernel does.
        z = -special.ndtri(special.ndtr(-b) + (1 - u) * (special.ndtr(b) - special.ndtr(a)))
        assert value == pytest.approx(mean + std * z, rel=1e-12), i


def test_key_is_the_tf_seed_pair():
    assert tuple(int(k) for k in _seeding.key_for(5)) == (87654321, 5)
    assert tuple(int(k) for k in _seeding.key_for(-1)) == (87654321, 2**31 - 2)
