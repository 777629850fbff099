"""Keras 3 on the PyTorch backend: truncated normals with untruncated values,
and float16 / bfloat16 samples rounded more than once.

Root cause (Keras 3.15.1, ``keras/src/backend/torch/random.py``):

- ``truncated_normal`` draws 4 normal candidates per element and keeps one
  with ``|x| < 2`` through ``valid.max(-1, keepdim=True)[1]``.  When none of
  the 4 is valid (probability ``0.0455**4 = 4.3e-6``) the index is 0: an
  untruncated candidate is kept.  About 17 of 4 million values lie beyond
  ``2 sigma``, in every dtype.
- the candidates are drawn in the target dtype, so in float16 / bfloat16 the
  test ``|x| < 2`` sees rounded values, and ``mul_(stddev)`` rounds a second
  time.
- ``uniform`` is ``(maxval - minval) * torch.rand(..., dtype) + minval``: the
  bfloat16 uniform on ``[0, 1)`` (steps of 2**-8 near 1, finer near 0), scaled
  and shifted with a rounding after each operation.

Run: python docs/audit/repro/keras_torch.py   (about 30 s)
"""

import os

os.environ["KERAS_BACKEND"] = "torch"

import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from glorot_numba.testing import check_variance_scaling  # noqa: E402

FANS = (1600, 2500)
x = torch.tensor([[3.0, -4.0, 5.0, 2.5]])  # no valid candidate
valid = (x > -2) & (x < 2)
print(
    "candidates",
    x.tolist(),
    "-> kept index",
    valid.max(-1, keepdim=True)[1].item(),
    "(value 3.0, beyond the bound)",
)
print(
    f"P(no valid candidate among 4) = {(1 - 0.9544997) ** 4:.2e}; "
    f"expected per 4e6 values: {4e6 * (1 - 0.9544997) ** 4:.1f}"
)

for name, law in (("GlorotNormal", "truncated_normal"), ("GlorotUniform", "uniform")):
    for dtype in ("float64", "float32", "bfloat16"):
        w = keras.ops.convert_to_numpy(getattr(keras.initializers, name)(seed=3)(FANS, dtype=dtype))
        r = check_variance_scaling(
            w, {"mode": "fan_avg", "distribution": law}, dtype=dtype, round_scale=False
        )
        beyond = int(np.sum(np.abs(w.astype(np.float64)) > r.allowed_bound))
        cells = r.statistics.get("cells_chi2", 0) / max(r.statistics.get("cells_df", 1), 1)
        print(
            f"{name:13s} {dtype:9s} beyond the bound: {beyond:3d}  max |x| / bound "
            f"{np.abs(w.astype(np.float64)).max() / r.reference.bound:.3f}  "
            + (f"cells chi2/df {cells:.1f}  " if dtype == "bfloat16" else "")
            + f"-> {'fits' if r.passed else 'does not fit'}"
        )
