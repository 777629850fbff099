"""Nanoseconds per sample of the bits-to-floats transforms, one thread.

    python -m bench.transforms [--repeats N] [--sizes 4096,65536]

Each transform runs in a vectorised loop over words already in memory
(4096 samples: L1; 65536: L2), writing ``f(words) * mult`` as the fill
kernels do: the inverse-CDF truncated normals of ``_quantiles`` next to the
library's Box-Muller transforms (two normals from two words, float32; from
four, float64) and ``ndtri_lower_f64``.  The figure is the minimum over
repetitions (the machine may be shared), and the loops' order alternates.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from numba import njit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout

from glorot_numba._engine.codegen import prefer_wide_vectors  # noqa: E402
from glorot_numba._engine.quantiles import ndtri_lower_f64, trunc2_f32, trunc2_f64  # noqa: E402
from glorot_numba._engine.stream import (  # noqa: E402
    normal_pair_f32,
    normal_pair_from_bits_f64,
    uniform_f32,
)

_U32 = np.uint64(32)


@njit
def _trunc2_f32(words, out, mult):
    prefer_wide_vectors()
    for i in range(out.size):
        out[i] = trunc2_f32(np.uint64(words[i])) * mult


@njit
def _box_muller_f32(words, out, mult):
    prefer_wide_vectors()
    half = out.size // 2
    for i in range(half):
        zc, zs = normal_pair_f32(np.uint64(words[i]), np.uint64(words[half + i]))
        out[i] = zc * mult
        out[half + i] = zs * mult


@njit
def _uniform_f32(words, out, mult):
    prefer_wide_vectors()
    for i in range(out.size):
        out[i] = uniform_f32(np.uint64(words[i])) * mult


@njit
def _trunc2_f64(words, out, mult):
    prefer_wide_vectors()
    for i in range(out.size):
        out[i] = trunc2_f64(np.uint64(words[2 * i]), np.uint64(words[2 * i + 1])) * mult


@njit
def _trunc2_f64_bits(bits, out, mult):
    # The float64 tile stores 64-bit words: (w0 << 32) | w1.
    prefer_wide_vectors()
    for i in range(out.size):
        out[i] = trunc2_f64(bits[i] >> _U32, bits[i] & np.uint64(0xFFFFFFFF)) * mult


@njit
def _box_muller_f64(bits, out, mult):
    prefer_wide_vectors()
    half = out.size // 2
    for i in range(half):
        zc, zs = normal_pair_from_bits_f64(bits[i], bits[half + i])
        out[i] = zc * mult
        out[half + i] = zs * mult


@njit
def _ndtri(p, out, mult):
    prefer_wide_vectors()
    for i in range(out.size):
        out[i] = ndtri_lower_f64(p[i]) * mult


def cases(n, rng):
    words = rng.integers(0, 2**32, 2 * n, dtype=np.uint64).astype(np.uint32)
    bits = rng.integers(0, 2**64, n, dtype=np.uint64)
    p_central = rng.uniform(1 / 16, 0.5, n)
    p_tails = np.exp(rng.uniform(-700, np.log(1 / 16), n))
    out32, out64 = np.empty(n, np.float32), np.empty(n, np.float64)
    m32, m64 = np.float32(0.7), np.float64(0.7)
    return {
        "float32 uniform (reference)": (_uniform_f32, (words, out32, m32)),
        "float32 Box-Muller (normal_pair_f32)": (_box_muller_f32, (words, out32, m32)),
        "float32 trunc2_f32": (_trunc2_f32, (words, out32, m32)),
        "float64 Box-Muller (normal_pair_from_bits_f64)": (_box_muller_f64, (bits, out64, m64)),
        "float64 trunc2_f64 (two 32-bit words)": (_trunc2_f64, (words, out64, m64)),
        "float64 trunc2_f64 (64-bit words)": (_trunc2_f64_bits, (bits, out64, m64)),
        "float64 ndtri_lower_f64, p in [1/16, 1/2]": (_ndtri, (p_central, out64, m64)),
        "float64 ndtri_lower_f64, p in [1e-304, 1/16]": (_ndtri, (p_tails, out64, m64)),
    }


def measure(n, repeats, inner):
    table = cases(n, np.random.default_rng(0))
    for fn, args in table.values():  # compile, first touch
        fn(*args)
    best = dict.fromkeys(table, float("inf"))
    names = list(table)
    for r in range(repeats):
        for name in names if r % 2 == 0 else names[::-1]:
            fn, args = table[name]
            t = time.perf_counter()
            for _ in range(inner):
                fn(*args)
            best[name] = min(best[name], (time.perf_counter() - t) / inner / n)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--sizes", default="4096,65536")
    args = parser.parse_args(argv)
    for n in map(int, args.sizes.split(",")):
        inner = max(1, 2**18 // n)
        print(f"\n{n} samples per loop, minimum of {args.repeats} x {inner} calls, 1 thread")
        for name, seconds in measure(n, args.repeats, inner).items():
            print(f"  {name:48s} {seconds * 1e9:6.3f} ns/sample")


if __name__ == "__main__":
    main()
