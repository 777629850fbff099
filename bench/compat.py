"""TensorFlow's own values, two ways: glorot_numba ``compat=`` against TensorFlow.

    python -m bench.compat [--shape 4096 4096] [--passes 2] [--runs 3]

Times ``VarianceScaling(1.0, "fan_avg", distribution, seed=1)`` for every
distribution and dtype, once through glorot_numba's ``compat="tf.compat.v1"``
and once through ``tf.compat.v1.variance_scaling_initializer`` -- the same
numbers -- each side in a new process (all cores, a fresh array per call,
median of ``--runs`` calls after a warm-up call), alternating sides for
``--passes`` passes and keeping each side's best median.  Prints a Markdown
table with the speed-up (TensorFlow's time over glorot_numba's).
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DTYPES = ("float32", "float64", "float16", "bfloat16")
DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


def _worker(side, shape, runs):
    if side == "glorot_numba":
        sys.path.insert(0, str(ROOT))
        import glorot_numba as gn

        gn.warmup(compat=True)

        def make(dist, dtype):
            init = gn.VarianceScaling(1.0, "fan_avg", dist, seed=1, compat="tf.compat.v1")
            return lambda: init(shape, dtype)
    else:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf

        def make(dist, dtype):
            init = tf.compat.v1.variance_scaling_initializer(1.0, "fan_avg", dist, seed=1)
            return lambda: init(shape, dtype=tf.as_dtype(dtype)).numpy()
    rows = []
    for dtype in DTYPES:
        for dist in DISTRIBUTIONS:
            call = make(dist, dtype)
            call()
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                call()
                times.append(time.perf_counter() - t0)
            rows.append({"side": side, "dtype": dtype, "distribution": dist,
                         "median_s": statistics.median(times)})
    print(json.dumps(rows))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", type=int, nargs="+", default=[4096, 4096])
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    shape = tuple(args.shape)
    if args.worker:
        _worker(args.worker, shape, args.runs)
        return 0
    best = {}
    for _ in range(args.passes):
        for side in ("glorot_numba", "tensorflow"):
            proc = subprocess.run(
                [sys.executable, "-m", "bench.compat", "--worker", side, "--runs",
                 str(args.runs), "--shape", *map(str, shape)],
                cwd=ROOT, capture_output=True, text=True,
                env=dict(os.environ, PYTHONPATH=str(ROOT)))
            if proc.returncode != 0:
                print(f"{side}: failed: {proc.stderr.strip().splitlines()[-1:]}")
                return 1
            for row in json.loads(proc.stdout.strip().splitlines()[-1]):
                key = (row["side"], row["dtype"], row["distribution"])
                best[key] = min(best.get(key, math.inf), row["median_s"])
    n = math.prod(shape)
    print(f"{'x'.join(map(str, shape))}, {os.cpu_count()} cores, "
          f"{time.strftime('%Y-%m-%d')}, best of {args.passes} passes\n")
    print("| dtype | distribution | glorot_numba compat | TensorFlow | speed-up |")
    print("|---|---|---:|---:|---:|")
    for dtype in DTYPES:
        for dist in DISTRIBUTIONS:
            ours = best[("glorot_numba", dtype, dist)]
            theirs = best[("tensorflow", dtype, dist)]
            print(f"| {dtype} | {dist} | {ours * 1e3:.1f} ms ({n / ours / 1e6:.0f} M/s) "
                  f"| {theirs * 1e3:.1f} ms ({n / theirs / 1e6:.0f} M/s) "
                  f"| {theirs / ours:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
