"""TensorFlow's own values, two ways: glorot_numba ``compat=`` against TensorFlow.

    python -m bench.compat [--shape 4096 4096] [--rounds 5]

Times ``VarianceScaling(1.0, "fan_avg", distribution, seed=1)`` for every
distribution and dtype, once through glorot_numba's ``compat="tf.compat.v1"``
and once through ``tf.compat.v1.variance_scaling_initializer`` -- the same
numbers.  Each side lives in a process of its own (all cores, a fresh array
per call); the two processes take turns call by call, ``--rounds`` calls
each per case after a warm-up call, so that both see the same machine even
when other jobs share it.  Prints a Markdown table of the medians with the
speed-up (TensorFlow's time over glorot_numba's).
"""

import argparse
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


def _worker(side):
    """Answer each request line ``dtype distribution shape...`` with one time."""
    if side == "glorot_numba":
        sys.path.insert(0, str(ROOT))
        import glorot_numba as gn

        gn.warmup(compat=True)

        def make(dist, dtype, shape):
            init = gn.VarianceScaling(1.0, "fan_avg", dist, seed=1, compat="tf.compat.v1")
            return lambda: init(shape, dtype)
    else:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf

        def make(dist, dtype, shape):
            init = tf.compat.v1.variance_scaling_initializer(1.0, "fan_avg", dist, seed=1)
            return lambda: init(shape, dtype=tf.as_dtype(dtype)).numpy()

    print("ready", flush=True)
    calls = {}
    for line in sys.stdin:
        dtype, dist, *dims = line.split()
        key = (dtype, dist, tuple(map(int, dims)))
        if key not in calls:
            calls[key] = make(dist, dtype, key[2])
            calls[key]()  # warm-up
        t0 = time.perf_counter()
        calls[key]()
        print(time.perf_counter() - t0, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", type=int, nargs="+", default=[4096, 4096])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker)
        return 0
    shape = tuple(args.shape)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    workers = {}
    for side in ("glorot_numba", "tensorflow"):
        workers[side] = subprocess.Popen(
            [sys.executable, "-m", "bench.compat", "--worker", side],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
    try:
        for side, proc in workers.items():
            if proc.stdout.readline().strip() != "ready":
                print(f"{side}: failed to start")
                return 1
        times = {}
        for dtype in DTYPES:
            for dist in DISTRIBUTIONS:
                request = f"{dtype} {dist} {' '.join(map(str, shape))}\n"
                for _ in range(args.rounds):
                    for side, proc in workers.items():
                        proc.stdin.write(request)
                        proc.stdin.flush()
                        times.setdefault((side, dtype, dist), []).append(
                            float(proc.stdout.readline())
                        )
    finally:
        for proc in workers.values():
            proc.stdin.close()
            proc.wait()
    n = math.prod(shape)
    print(
        f"{'x'.join(map(str, shape))}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}, "
        f"median of {args.rounds} calls per side, the two sides taking turns\n"
    )
    print("| dtype | distribution | glorot_numba compat | TensorFlow | speed-up |")
    print("|---|---|---:|---:|---:|")
    for dtype in DTYPES:
        for dist in DISTRIBUTIONS:
            ours = statistics.median(times[("glorot_numba", dtype, dist)])
            theirs = statistics.median(times[("tensorflow", dtype, dist)])
            print(
                f"| {dtype} | {dist} | {ours * 1e3:.1f} ms ({n / ours / 1e6:.0f} M/s) "
                f"| {theirs * 1e3:.1f} ms ({n / theirs / 1e6:.0f} M/s) "
                f"| {theirs / ours:.2f}× |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
