"""Import time, first-call (compile) time and steady-state throughput.

Each start-up figure comes from a new Python process, so nothing is warm.
Run ``python bench/first_call.py [--repeat N]``.
Prints one JSON object.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # measure this checkout, installed or not

PROBE = r"""
import json, sys, time
t0 = time.perf_counter()
import glorot_numba as gn
t1 = time.perf_counter()
gn.GlorotNormal(seed=0)((3, 3, 64, 64))             # serial kernel
t2 = time.perf_counter()
gn.GlorotNormal(seed=0)((4096, 4096))               # parallel kernel
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "first_small_call_s": t2 - t1,
                  "first_large_call_s": t3 - t2}))
"""


def steady_state(shape, dtype, repeat):
    import numpy as np

    import glorot_numba as gn

    init = gn.GlorotNormal(seed=1)
    init(shape, dtype)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        init(shape, dtype)
        times.append(time.perf_counter() - start)
    best = min(times)
    return {"shape": list(shape), "dtype": dtype, "best_s": best,
            "median_s": float(np.median(times)),
            "samples_per_s": float(np.prod(shape)) / best}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=ROOT)
    startup = json.loads(subprocess.run([sys.executable, "-c", PROBE], env=env,
                                        capture_output=True, text=True, check=True).stdout)
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "startup": startup,
        "steady": [steady_state((4096, 4096), "float32", args.repeat),
                   steady_state((4096, 4096), "float64", args.repeat),
                   steady_state((3, 3, 64, 64), "float32", 10 * args.repeat)],
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
