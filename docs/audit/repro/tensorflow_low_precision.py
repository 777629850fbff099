"""TensorFlow's initializers in float16 / bfloat16: a product rounded twice,
and uniforms made of 10 / 7 random bits.

Root cause (TensorFlow 2.21):

- ``random_ops.truncated_normal`` and ``random_ops.random_normal``
  (``tensorflow/python/ops/random_ops.py``) return ``rnd * stddev_tensor +
  mean_tensor`` computed in the dtype, where ``rnd`` comes from a kernel that
  runs the float32 algorithm and converts each sample to ``Eigen::half`` /
  ``bfloat16`` (``tensorflow/core/lib/random/random_distributions.h``,
  ``TruncatedNormalDistribution`` / ``NormalDistribution``).  Each value is
  ``round(round(z) * round(sigma))``: the products of an 8-bit (bfloat16) grid
  and an 8-bit factor, rounded again, fall unevenly on the 8-bit grid of the
  output, so neighbouring values come up with unequal frequencies.
- ``random_ops.random_uniform`` makes half / bfloat16 uniforms on ``[0, 1)``
  from 10 / 7 random mantissa bits (``UniformDistribution<..., Eigen::half>``
  with ``Uint16ToHalf``, ``UniformDistribution<..., bfloat16>`` with
  ``Uint16ToBfloat16``): 1024 / 128 values, the lower end included, then
  ``result * (maxval - minval) + minval`` in the dtype.
- Keras 3 on the TensorFlow backend calls the stateless forms of the same
  kernels and arithmetic (``keras/src/backend/tensorflow/random.py``).

This library's ``compat="tf.compat.v1"`` draws TensorFlow's values bit for
bit (tests/test_tf_compat.py), so the script needs no TensorFlow; where
TensorFlow is installed it also draws TensorFlow's own.

Run: python docs/audit/repro/tensorflow_low_precision.py   (about 20 s)
"""

import importlib.util

import ml_dtypes
import numpy as np
from scipy import stats

import glorot_numba as gn
from glorot_numba.testing import check_variance_scaling

FANS = (1600, 2500)
for name, law in (("GlorotNormal", "truncated_normal"), ("GlorotUniform", "uniform")):
    for dtype in ("float16", "bfloat16"):
        w = getattr(gn, name)(seed=1, compat="tf.compat.v1")(FANS, dtype)
        r = check_variance_scaling(w, {"mode": "fan_avg", "distribution": law})
        chi2, df = r.statistics["cells_chi2"], r.statistics["cells_df"]
        print(
            f"{name:13s} {dtype:9s} (compat='tf.compat.v1') distinct values "
            f"{np.unique(w).size:6d}  cells chi2/df {chi2 / df:8.1f}  "
            f"mean {r.statistics['mean_z']:+6.1f} SE"
            f"  -> {'fits' if r.passed else 'does not fit'}"
        )

# The double rounding alone, on one set of float64 truncated normals:
z = stats.truncnorm(-2, 2).rvs(size=4_000_000, random_state=np.random.default_rng(0))
sigma = float(np.asarray((1 / 2050) ** 0.5 / 0.87962566103423978).astype(ml_dtypes.bfloat16))
once = (z * sigma).astype(ml_dtypes.bfloat16)
twice = (z.astype(ml_dtypes.bfloat16).astype(np.float64) * sigma).astype(ml_dtypes.bfloat16)
for label, w in (("rounded once ", once), ("rounded twice", twice)):
    r = check_variance_scaling(w, {"mode": "fan_avg"}, fans=FANS)
    print(
        f"z * sigma {label}: cells chi2/df "
        f"{r.statistics['cells_chi2'] / r.statistics['cells_df']:6.1f} "
        f"-> {'fits' if r.passed else 'does not fit'}"
    )
values, counts = np.unique(twice[(twice > 0.01) & (twice < 0.0105)], return_counts=True)
print("counts of consecutive bfloat16 values near 0.01, rounded twice:", counts.tolist())

if importlib.util.find_spec("tensorflow") is not None:
    import tensorflow as tf

    w = tf.compat.v1.glorot_normal_initializer(seed=1)(FANS, dtype=tf.bfloat16).numpy()
    ours = gn.GlorotNormal(seed=1, compat="tf.compat.v1")(FANS, "bfloat16")
    print(
        "TensorFlow",
        tf.__version__,
        "glorot_normal bfloat16 equals compat='tf.compat.v1':",
        np.array_equal(w.view(np.uint16), ours.view(np.uint16)),
    )
