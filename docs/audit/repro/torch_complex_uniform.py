"""PyTorch's xavier_uniform_ / kaiming_uniform_ on complex tensors: a
square, with E|w|^2 = 2 scale / n.

Root cause (PyTorch 2.13, ``aten/src/ATen/native/DistributionTemplates.h``,
``uniform_impl_``): a complex tensor is filled through ``view_as_real``, so
the real and imaginary parts are each uniform on ``(-a, a)``, ``a = gain *
sqrt(6 / (fan_in + fan_out))``: the support is a square and ``E|w|^2 = 2 a^2 /
3``, twice ``scale / n``.  ``normal_`` scales each part by ``std / sqrt(2)``
for complex tensors (so ``xavier_normal_`` has ``E|w|^2 = std^2``, and fits);
``uniform_`` has no such step.  PyTorch does not document a complex law for
``xavier_uniform_``; the audit holds it to the uniform disc with
``E|w|^2 = scale / n`` (as JAX's ``glorot_uniform`` and this library draw it).

Run: python docs/audit/repro/torch_complex_uniform.py   (about 5 s)
"""

import numpy as np
import torch

from glorot_numba.testing import check_variance_scaling

FANS = (1600, 2500)  # torch layout (out, in) below
for name, law in (("xavier_normal_", "untruncated_normal"), ("xavier_uniform_", "uniform")):
    t = torch.empty(FANS[1], FANS[0], dtype=torch.complex64)
    getattr(torch.nn.init, name)(t, generator=torch.Generator().manual_seed(0))
    w = t.numpy()
    r = check_variance_scaling(w, {"mode": "fan_avg", "distribution": law}, fans=FANS)
    re_im = np.corrcoef(w.real.ravel(), w.imag.ravel())[0, 1]
    print(
        f"{name:16s} E|w|^2 / (scale / n) = {(r.std / r.reference.std) ** 2:.4f}  "
        f"max |Re w| {np.abs(w.real).max():.4g}, max |w| {np.abs(w).max():.4g} "
        f"(bound {r.reference.bound:.4g}), corr(re, im) {re_im:+.4f}  "
        f"-> {'fits' if r.passed else 'does not fit'}"
    )
