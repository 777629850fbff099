"""Measured false-alarm rates and power of the testing kit's new checks.

False alarms: correct samples of this library, one seed per run; the
rejection rate at level alpha must be at most alpha (k tests at alpha / k).
Power: samples with a known defect, simulated in NumPy, one seed per run;
the rate at which the kit rejects them at alpha = 1e-3.

Run: python docs/audit/kit_rates.py > docs/audit/kit_rates.txt   (a few minutes)
"""

import math

import ml_dtypes
import numpy as np
from scipy import stats

import glorot_numba as gn
from glorot_numba.testing import check_variance_scaling

C_TRUNC = 0.9619618334  # sqrt(E[|z|^2 | |z| < 2])


def false_alarms(dtypes, seeds=1000, shape=(50, 60), alpha=0.05):
    print(f"false alarms: {seeds} seeds per row, {shape[0] * shape[1]} samples, alpha {alpha}")
    for distribution in ("truncated_normal", "untruncated_normal", "uniform"):
        for dtype in dtypes:
            init = gn.VarianceScaling(1.5, "fan_avg", distribution)
            count = 0
            for seed in range(10_000, 10_000 + seeds):
                init.seed = seed
                count += not check_variance_scaling(init(shape, dtype), init, alpha=alpha).passed
            low, high = stats.beta.ppf([0.025, 0.975], count + 0.5, seeds - count + 0.5)
            print(
                f"  {distribution:18s} {dtype:10s} {count:4d} / {seeds} = {count / seeds:.3f} "
                f"(95 % interval {low:.3f} to {high:.3f})"
            )


def jax_like(rng, n, sigma, constant):
    r = np.sqrt(-np.log1p(math.expm1(-4.0) * rng.random(n)))
    return r * np.exp(2j * math.pi * rng.random(n)) * sigma / constant


def power(title, make, law, sizes, seeds=200, alpha=1e-3, fans=(1000, 1000), **kw):
    print(title)
    for n in sizes:
        count = sum(
            not check_variance_scaling(
                make(np.random.default_rng(s), n), law, fans=fans, alpha=alpha, **kw
            ).passed
            for s in range(seeds)
        )
        print(f"  n = {n:>9,}: rejected {count:3d} / {seeds} at alpha {alpha:g}")


def main():
    false_alarms(("complex64", "complex128"))
    false_alarms(("float16", "bfloat16"))
    sigma = math.sqrt(1e-3)
    trunc = {"mode": "fan_avg"}
    power(
        "complex truncated normal, JAX's constant 0.95311 (E|w|^2 1.87 % high)",
        lambda rng, n: jax_like(rng, n, sigma, 0.95311164380491208),
        trunc,
        (500, 1000, 2000, 5000, 10_000),
    )
    power(
        "complex truncated normal, E|w|^2 1.87 % low (every value within the bound)",
        lambda rng, n: jax_like(rng, n, sigma, C_TRUNC**2 / 0.95311164380491208),
        trunc,
        (500, 1000, 2000, 5000, 10_000),
    )

    def normal(rng, n, factor=1.0):
        return (rng.standard_normal(n) + 1j * rng.standard_normal(n)) * sigma * factor / 2**0.5

    untrunc = {"mode": "fan_avg", "distribution": "untruncated_normal"}
    power(
        "complex normal, E|w|^2 1 % high (no bound to cross)",
        lambda rng, n: normal(rng, n, 1.01**0.5),
        untrunc,
        (100_000, 200_000, 400_000),
        seeds=100,
    )
    power(
        "complex normal, Re : Im variance 1.04 : 1 (circular symmetry)",
        lambda rng, n: (lambda z: z.real * 1.02 + 1j * z.imag / 1.02)(normal(rng, n)),
        untrunc,
        (10_000, 30_000, 100_000),
        seeds=100,
    )
    a = math.sqrt(6.0 / 4100.0)
    top = np.asarray(a, np.float32).astype(ml_dtypes.bfloat16)

    def torch_like(rng, n):
        x = rng.uniform(-a, a, n).astype(np.float32).astype(ml_dtypes.bfloat16)
        return np.where(x == top, -top, x)

    power(
        "bfloat16 uniform, top value replaced by the bottom one (PyTorch's uniform_; "
        "6.1e-4 of the mass)",
        torch_like,
        {"mode": "fan_avg", "distribution": "uniform"},
        (250_000, 500_000, 1_000_000, 2_000_000),
        seeds=50,
        fans=(1600, 2500),
        round_scale=False,
    )
    m = float(np.asarray(sigma / 0.87962566103423978, np.float32).astype(ml_dtypes.bfloat16))

    def twice(rng, n):
        z = stats.truncnorm(-2, 2).rvs(size=n, random_state=rng)
        return (z.astype(ml_dtypes.bfloat16).astype(np.float64) * m).astype(ml_dtypes.bfloat16)

    power(
        "bfloat16 truncated normal, product rounded twice (TensorFlow's way)",
        twice,
        trunc,
        (3_000, 10_000, 30_000, 100_000),
        seeds=100,
    )


if __name__ == "__main__":
    main()
