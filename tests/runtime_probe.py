"""Subprocess probes for tests/test_runtime_processes.py.

Run as ``python tests/runtime_probe.py NAME [ARGS]``; each probe prints its
result as one JSON line (the interrupt probes first print a line when their
fill begins).  They run in processes of their own because what they exercise
can abort, hang or kill a process, or depends on process-wide state (the
threading layer, peak memory, signals).
"""

import hashlib
import json
import multiprocessing as mp
import os
import resource
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np

import glorot_numba as gn
from glorot_numba._engine import kernels as _kernels
from glorot_numba._engine import tf_kernels as _tf_kernels
from glorot_numba._engine import threads as _threads

# Every initializer variety and output kind; all large enough for the
# parallel kernels (SERIAL_BELOW elements or more).
CASES = [
    ("glorot-f32", lambda: gn.GlorotNormal(seed=1)((300, 200))),
    ("glorot-f64", lambda: gn.GlorotNormal(seed=2)((300, 200), "float64")),
    ("glorot-f16", lambda: gn.GlorotNormal(seed=3)((300, 200), "float16")),
    ("glorot-bf16", lambda: gn.GlorotNormal(seed=4)((300, 200), "bfloat16")),
    (
        "uniform-f64",
        lambda: gn.VarianceScaling(distribution="uniform", seed=5)((70, 900), "float64"),
    ),
    (
        "normal-f32",
        lambda: gn.VarianceScaling(2.0, "fan_out", "untruncated_normal", seed=6)((3, 3, 64, 40)),
    ),
    (
        "partition",
        lambda: gn.GlorotNormal(seed=7)(
            (200, 150), partition_info=gn.PartitionInfo((400, 300), (100, 120))
        ),
    ),
    (
        "out-strided",
        lambda: gn.GlorotNormal(seed=8)((250, 100), out=np.empty((250, 300), np.float32)[:, ::3]),
    ),
    # compat=: TensorFlow's stream, filled by its own kernels.
    ("compat-f32-truncated", lambda: gn.GlorotNormal(seed=9, compat="tf.compat.v1")((300, 200))),
    ("compat-f16", lambda: gn.VarianceScaling(seed=10, compat="tf.keras")((300, 200), "float16")),
    (
        "compat-f64-uniform",
        lambda: gn.VarianceScaling(distribution="uniform", seed=11, compat="keras2")(
            (70, 900), "float64"
        ),
    ),
]
# Kernel launches per call of each case, with parallel kernels: compat
# float16 has a second pass for the dtype's arithmetic.
LAUNCHES = {name: 2 if name == "compat-f16" else 1 for name, _ in CASES}


def digest(a):
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


class Counting:
    """Wraps a kernel to count its launches (by any thread)."""

    def __init__(self, kernel, counts, name):
        self.kernel, self.counts, self.name = kernel, counts, name

    def __call__(self, *args):
        with COUNT_LOCK:
            self.counts[self.name] = self.counts.get(self.name, 0) + 1
            self.counts["numba_threads_at_last_launch"] = numba.get_num_threads()
        return self.kernel(*args)


COUNT_LOCK = threading.Lock()


def count_launches():
    counts = {}
    for kernels in (_kernels.KERNELS, _tf_kernels.KERNELS):
        for path, (par, ser) in list(kernels.items()):
            kernels[path] = (Counting(par, counts, "parallel"), Counting(ser, counts, "serial"))
    _tf_kernels.tf_finish_lowp = Counting(_tf_kernels.tf_finish_lowp, counts, "parallel")
    _tf_kernels.tf_finish_lowp_serial = Counting(
        _tf_kernels.tf_finish_lowp_serial, counts, "serial"
    )
    return counts


def threads_probe(unsafe=False):
    """Many Python threads calling every case at once."""
    reference = {name: digest(make()) for name, make in CASES}
    counts = count_launches()
    if unsafe:  # what the lock prevents: every call tries the parallel kernel

        class Always:
            def acquire(self, blocking=True):
                return True

            def release(self):
                pass

            def locked(self):
                return False

        _threads._workqueue_lock = Always()
    tasks = [CASES[i % len(CASES)] for i in range(48)]
    with ThreadPoolExecutor(8) as ex:
        pool = list(ex.map(lambda c: (c[0], digest(c[1]())), tasks))
    barrier = threading.Barrier(6)
    bare = []

    def worker(k):
        barrier.wait()
        for name, make in CASES[k:] + CASES[:k]:
            if k % 3 == 0:  # thread limits come and go while others draw
                with gn.num_threads(2 + k % 2):
                    bare.append((name, digest(make())))
            else:
                bare.append((name, digest(make())))

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    results = pool + bare
    launches = {k: v for k, v in counts.items() if k != "numba_threads_at_last_launch"}
    with gn.num_threads(2):
        gn.GlorotNormal(seed=1)((300, 200))
        limited = counts["numba_threads_at_last_launch"]
    with gn.num_threads(2):
        dict(CASES)["compat-f32-truncated"]()
        compat_limited = counts["numba_threads_at_last_launch"]
    return {
        "compat_limited_launch_threads": compat_limited,
        "expected_launches": sum(LAUNCHES[n] for n, _ in results),
        "limited_launch_threads": limited,
        "numba_threads_after": numba.get_num_threads(),
        "layer": gn.runtime_info()["threading_layer"],
        "max_threads": gn.runtime_info()["max_threads"],
        "calls": len(results),
        "mismatches": sum(reference[n] != d for n, d in results),
        "launches": launches,
    }


def _child_work(name):
    gn.warmup(compat=True)  # compiles only: a launch would kill a child under omp
    make = dict(CASES)[name]
    return name, digest(make()), gn.runtime_info()["parallel"], os.getpid()


def fork_probe(method):
    """A pool of another start method after the parent ran parallel kernels."""
    reference = {name: digest(make()) for name, make in CASES}
    layer = gn.runtime_info()["threading_layer"]
    ctx = mp.get_context(method)
    t0 = time.monotonic()
    with ctx.Pool(2) as pool:
        results = pool.map_async(_child_work, [n for n, _ in CASES] * 2).get(timeout=120)
    elapsed = time.monotonic() - t0
    return {
        "layer": layer,
        "method": method,
        "calls": len(results),
        "children": len({r[3] for r in results}),
        "mismatches": sum(reference[n] != d for n, d, _, _ in results),
        "child_parallel": sorted({p for _, _, p, _ in results}),
        "seconds": round(elapsed, 2),
    }


# The interrupt probes fill (INTERRUPT_ROWS, 1) arrays, on the two threads
# the test gives them: on two threads an in-place fill is cut into pieces of
# 2 * SPAN_PER_THREAD = 2**24 elements, so each fill has at least 8 pieces
# (the staged and partition paths, far more).  Their size is fixed, not
# worked out from a timing: the probe fills again and again until the
# interrupt comes, so no fill can end "too early".
INTERRUPT_ROWS = 1 << 27
CHECK_ROWS = 1 << 20


class Recording:
    """Wraps a kernel: logs each launch as ``[start, end, elements]``
    (CLOCK_MONOTONIC), and says on stdout when the first one begins."""

    def __init__(self, kernel, log):
        self.kernel, self.log = kernel, log

    def __call__(self, *args):
        if not self.log:
            print(json.dumps({"filling": True}), flush=True)
        # Logged before the call, so that a launch that a KeyboardInterrupt
        # cuts short of its ``end`` is in the log all the same.
        launch = [time.monotonic(), None, int(args[0].shape[0])]
        self.log.append(launch)
        result = self.kernel(*args)
        launch[1] = time.monotonic()
        return result


def record_launches(log):
    """Wrap every kernel with :class:`Recording`; returns the undo."""
    tables = (_kernels.KERNELS, _tf_kernels.KERNELS)
    saved = [dict(table) for table in tables]
    lowp = (_tf_kernels.tf_finish_lowp, _tf_kernels.tf_finish_lowp_serial)
    for table in tables:
        for path, (par, ser) in list(table.items()):
            table[path] = (Recording(par, log), Recording(ser, log))
    _tf_kernels.tf_finish_lowp = Recording(lowp[0], log)
    _tf_kernels.tf_finish_lowp_serial = Recording(lowp[1], log)

    def undo():
        for table, before in zip(tables, saved, strict=True):
            table.update(before)
        _tf_kernels.tf_finish_lowp, _tf_kernels.tf_finish_lowp_serial = lowp

    return undo


def _interrupted_fill(draw, dtype):
    """Fill an ``(INTERRUPT_ROWS, 1)`` array again and again until SIGINT.

    ``draw(n, dtype, out=None)`` fills an ``(n, 1)`` array.  Prints
    ``{"filling": true}`` when the first kernel launch begins; returns the
    moment the KeyboardInterrupt arrived (CLOCK_MONOTONIC, the clock of
    every process), the last launches, and whether the process is still
    usable afterwards.
    """
    # Python's own SIGINT handler, whatever this process inherited: a shell
    # that starts a job in the background (`cmd &`, nohup) makes SIGINT
    # ignored for it and every child, and the test would wait in vain.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sample = draw(CHECK_ROWS, dtype)  # compiles, and the values to get again
    # Lazily committed pages: the memory touched before the interrupt is small.
    out = np.empty((INTERRUPT_ROWS, 1), dtype)
    log = []
    undo = record_launches(log)
    fills = 0
    try:
        while True:
            draw(INTERRUPT_ROWS, dtype, out=out)
            fills += 1
    except KeyboardInterrupt:
        caught = time.monotonic()
    undo()
    # The process carries on: the same call on a small shape is still exact.
    again = draw(CHECK_ROWS, dtype)
    ended = [end - start for start, end, _ in log if end is not None]
    return {
        "rows": INTERRUPT_ROWS,
        "caught": caught,
        "fills": fills,
        "launch_count": len(log),
        "longest_launch_s": max(ended, default=None),
        "last_launches": log[-64:],
        "usable": bool(np.array_equal(again, sample)),
        "threads_restored": gn.runtime_info()["threads"],
    }


def interrupt_probe(dtype):
    """Fills interrupted by SIGINT.

    ``float32`` is filled in place, ``float16`` through the staging buffer;
    one-element runs of a partition are the slowest path, per element.
    """
    init = gn.GlorotNormal(seed=11)

    def draw(n, dtype, out=None):
        return init((n, 1), dtype, gn.PartitionInfo((n, 7), (0, 3)), out=out)

    return _interrupted_fill(draw, dtype)


def compat_interrupt_probe(dtype):
    """Compat fills interrupted by SIGINT.

    ``float32`` is filled in place, ``float16`` through the staging buffer.
    """
    init = gn.GlorotNormal(seed=11, compat="tf.compat.v1")

    def draw(n, dtype, out=None):
        return init((n, 1), dtype, out=out)

    return _interrupted_fill(draw, dtype)


def _rss(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(field)


def memory_probe(kind):
    """Peak resident memory of one large fill, above what the output needs."""
    label = kind
    compat = kind.startswith("compat-")
    if compat:
        kind = kind[len("compat-") :]
    init = gn.GlorotNormal(seed=12, compat="tf.compat.v1" if compat else None)
    n = 1 << 26  # 64 Mi elements
    dtype = {
        "f32": "float32",
        "f16": "float16",
        "bf16": "bfloat16",
        "f64": "float64",
        "strided": "float32",
    }[kind]
    gn.warmup(compat=compat)
    init((4096, 4), dtype)  # every kernel and cast loaded before measuring
    if kind == "strided":
        base = np.ones((n // 1024, 2048), np.float32)  # resident before measuring
        out = base[:, ::2]
        output_bytes = 0
    else:
        out = None
        output_bytes = n * np.dtype(gn.GlorotNormal(dtype=dtype).dtype).itemsize
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak (VmHWM) to the current resident size
    before = _rss("VmRSS")
    if out is None:
        a = init((n // 1024, 1024), dtype)
    else:
        a = init(out.shape, out=out)
    peak = _rss("VmHWM")
    del a
    return {
        "kind": label,
        "output_bytes": output_bytes,
        "extra_bytes": peak - before - output_bytes,
        "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


if __name__ == "__main__":
    name, *args = sys.argv[1:]
    probe = {
        "threads": threads_probe,
        "fork": fork_probe,
        "interrupt": interrupt_probe,
        "compat-interrupt": compat_interrupt_probe,
        "memory": memory_probe,
    }[name]
    if name == "threads" and args:
        result = probe(unsafe=args[0] == "unsafe")
    else:
        result = probe(*args)
    print(json.dumps(result), flush=True)
