"""JAX's complex truncated normal: E|w|^2 is 1.87 % above scale / n, and
|w| exceeds the bound 2 sigma / C.

Root cause (JAX 0.10.2, ``jax/_src/nn/initializers.py``, ``variance_scaling``):
for complex dtypes the standard deviation is divided by
``.95311164380491208 = sqrt(1 - 5 e^-4)``.  The modulus law is right
(``_complex_truncated_normal``: ``|z|^2`` is Exp(1) truncated at 4), but its
mean is ``E[|z|^2 | |z| < 2] = (1 - 5 e^-4) / (1 - e^-4)``: the constant
omits the division by the truncated mass ``1 - e^-4``, so the correct value
is ``0.96196...`` and E|w|^2 comes out ``1 / (1 - e^-4) = 1.0187`` times
scale / n.

Run: python docs/audit/repro/jax_complex_constant.py   (about 5 s)
"""

import math

import jax
import numpy as np

from glorot_numba.testing import check_variance_scaling

SHAPE = (1600, 2500)
law = {"scale": 1.0, "mode": "fan_avg", "distribution": "truncated_normal"}
sigma2 = 1.0 / ((SHAPE[0] + SHAPE[1]) / 2)

print(f"predicted E|w|^2 / (scale / n): 1 / (1 - e^-4) = {1 / -math.expm1(-4):.5f}")
for n in (10_000, 4_000_000):
    w = np.asarray(
        jax.nn.initializers.glorot_normal()(jax.random.key(0), SHAPE, "complex64")
    ).reshape(-1)[:n]
    r = check_variance_scaling(w, law, fans=SHAPE)
    power = float(np.mean(np.abs(w.astype(np.complex128)) ** 2)) / sigma2
    beyond = int(np.sum(np.abs(w) > r.allowed_bound))
    print(
        f"n = {n:>9,}: E|w|^2 / (scale / n) = {power:.5f}, {beyond} values with |w| above "
        f"the bound {r.reference.bound:.5g}  -> {'fits' if r.passed else 'does not fit'}"
    )
