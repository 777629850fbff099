"""JAX's initializers in bfloat16 and float16 draw from a grid of 128 / 1024 values.

Root cause (JAX 0.10.2): ``jax.random.uniform`` makes a float of the target
dtype from as many random bits as the dtype has mantissa bits
(``jax/_src/random/core.py``, ``_uniform``: 7 for bfloat16, 10 for float16),
so it has 128 / 1024 possible values in ``[minval, maxval)``: the lower end is
one of them, the upper end is not.  ``truncated_normal`` and ``normal``
(``_truncated_normal``, ``_normal_real``) map that uniform through ``erf_inv``
in the same dtype, and ``jax.nn.initializers.variance_scaling`` multiplies by
a standard deviation computed in the dtype.  Every value of a bfloat16
``glorot_normal`` is therefore one of at most 128, and they lean negative.
``keras.initializers`` on the JAX backend call the same functions
(``keras/src/backend/jax/random.py``).

Run: python docs/audit/repro/jax_low_precision.py   (about 10 s)
"""

import jax
import ml_dtypes
import numpy as np

from glorot_numba.testing import check_variance_scaling

SHAPE = (1600, 2500)  # the audit's weight: fan_in 1600, fan_out 2500
LAWS = {"glorot_normal": "truncated_normal", "glorot_uniform": "uniform"}

for name, distribution in LAWS.items():
    law = {"scale": 1.0, "mode": "fan_avg", "distribution": distribution}
    init = getattr(jax.nn.initializers, name)()
    for dtype in ("bfloat16", "float16", "float32"):
        w = np.asarray(init(jax.random.key(0), SHAPE, dtype))
        r = check_variance_scaling(w, law)
        print(
            f"{name:15s} {dtype:9s} distinct values {np.unique(w).size:8d}  "
            f"mean {r.mean:+.2e} ({r.statistics['mean_z']:+5.1f} SE)  "
            f"std/target {r.std / r.reference.std:.4f}  range [{r.min:.4g}, {r.max:.4g}] "
            f"(bound {r.reference.bound:.4g})  -> {'fits' if r.passed else 'does not fit'}"
        )

u = np.asarray(jax.random.uniform(jax.random.key(1), (1 << 20,), "bfloat16"))
print(
    f"\njax.random.uniform, bfloat16: {np.unique(u).size} distinct values, "
    f"min {float(u.min())}, max {float(u.max())} (step 1/128)"
)

# The same law drawn in float32 and rounded once to bfloat16 fits (the
# standard deviation is then not rounded: round_scale=False).
w = np.asarray(jax.nn.initializers.glorot_normal()(jax.random.key(0), SHAPE, "float32"))
r = check_variance_scaling(
    w.astype(ml_dtypes.bfloat16),
    {"mode": "fan_avg", "distribution": "truncated_normal"},
    round_scale=False,
)
print(
    f"glorot_normal drawn in float32, rounded once to bfloat16: "
    f"{'fits' if r.passed else 'does not fit'}"
)
