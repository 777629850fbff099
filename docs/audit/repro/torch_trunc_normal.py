"""PyTorch's trunc_normal_ in bfloat16 truncates at the rounded bound plus
half a step: the standard deviation comes out 0.2 % high.

Root cause (PyTorch 2.13, ``torch/nn/init.py``, ``_no_grad_trunc_normal_``):
when the interval holds more than 30 % of the mass, the tensor is filled with
``normal_`` in its own dtype (computed in float32, rounded to bfloat16) and
redrawn where ``result < lo`` or ``result > hi``, with ``lo, hi =
tensor.new_tensor(a).item(), tensor.new_tensor(b).item()``: the bounds rounded
to bfloat16, compared with values already rounded.  For the TensorFlow-style
Glorot normal at fans 1600 / 2500, ``b = 2 std = 0.050218`` rounds up to
``0.050293``, and every value that rounds to it is kept, so the law is
truncated at about ``2.008 std`` instead of ``2 std``.

Run: python docs/audit/repro/torch_trunc_normal.py   (about 10 s)
"""

import math

import ml_dtypes
import numpy as np
import torch

from glorot_numba.testing import check_variance_scaling

FANS = (1600, 2500)
std = math.sqrt(2.0 / sum(FANS)) / 0.87962566103423978
b = 2 * std
law = {"mode": "fan_avg", "distribution": "truncated_normal"}
hi = torch.empty(1, dtype=torch.bfloat16).new_tensor(b).item()
step = (
    hi
    - torch.tensor(hi, dtype=torch.bfloat16)
    .nextafter(torch.tensor(0.0, dtype=torch.bfloat16))
    .item()
)
print(
    f"b = 2 std = {b:.6f}; hi as rounded to bfloat16 = {hi:.6f}; kept up to about "
    f"{hi + step / 2:.6f} = {(hi + step / 2) / std:.4f} std"
)
for dtype in (torch.bfloat16, torch.float32):
    t = torch.empty(FANS[1], FANS[0], dtype=dtype)
    torch.nn.init.trunc_normal_(t, 0.0, std, -b, b, generator=torch.Generator().manual_seed(0))
    w = t.float().numpy()
    if dtype == torch.float32:
        label, w = "float32, rounded once to bfloat16", w.astype(ml_dtypes.bfloat16)
    else:
        label = "bfloat16"
    r = check_variance_scaling(w, law, fans=FANS, round_scale=False)
    share = np.mean(np.abs(w.astype(np.float64)) == hi)
    print(
        f"{label:34s} std/target {r.std / r.reference.std:.4f} (variance p "
        f"{r.pvalues['variance']:.1g}), share of +-{hi:.6f}: {share:.2e}  "
        f"-> {'fits' if r.passed else 'does not fit'}"
    )
