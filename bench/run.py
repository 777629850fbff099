"""glorot_numba against its peers, side by side in one run.

    python -m bench [--quick] [--out DIR] [--docs docs/performance.md] [--peers A,B,...]
                    [--cases SUBSTRING]
    python -m bench --models [--quick] [--out DIR] [--docs docs/performance.md]
                    [--cases SUBSTRING]

Cases: 4096x4096 float32 and float64 (fresh array per call, as users call
it, next to the write limit: ``np.empty`` filled by a parallel first-touch
loop on all cores; and ``np.full``, whose pages one thread faults in), a
small conv kernel (3, 3, 64, 64), the whole parameter list of GPT-2 small,
both methods of the truncated normal (``box_muller``, ``inverse_cdf``), a
thread sweep, ``out=`` next to the same parallel fill of memory already
faulted in, and start-up times measured in new processes.  Writes
``results.json``, ``results.md`` and ``results.png`` to ``--out`` (default
``bench/results``); with ``--docs`` it also rewrites that page's block between
``<!-- bench:start -->`` and ``<!-- bench:end -->`` (the documentation's
performance page).

``--models`` runs the models section instead (see :mod:`bench.models`):
PyTorch / Hugging Face models built plain and inside
``glorot_numba.torch.accelerate()``.
"""

import argparse
import importlib.metadata
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure this checkout, installed or not

GPT2_SMALL = [(50257, 768)] + 12 * [(768, 2304), (768, 768), (768, 3072), (3072, 768)]
CASES = {
    "4096x4096 float32": ([(4096, 4096)], "float32"),
    "4096x4096 float64": ([(4096, 4096)], "float64"),
    "(3, 3, 64, 64) float32": ([(3, 3, 64, 64)], "float32"),
    "GPT-2 small, all weights, float32": (GPT2_SMALL, "float32"),
}


_CASE_FILTER = ""

# Contenders that write a constant: the limits a fill is measured against.
LIMITS = ("np.empty + parallel fill (write limit)", "np.full (pages faulted by 1 thread)")


def timeit(fn, min_runs, min_time, max_time):
    """Median and best wall time of ``fn()`` after one warm-up call."""
    fn()
    times = []
    start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        spent = time.perf_counter() - start
        if (len(times) >= min_runs and spent >= min_time) or spent >= max_time:
            break
    return statistics.median(times), min(times), len(times)


def run_cases(budget, passes, names=None):
    """Time every contender on every case, each in a new process; keep the
    best of ``passes`` passes over all contenders.

    Separate processes keep one library's idle threads and allocator from
    disturbing another's; several short passes rather than one long run
    keep a transient disturbance (a neighbour on a shared machine) from
    deciding a ratio.
    """
    from bench.peers import PEERS

    best = {}
    for _ in range(passes):
        for name in names or PEERS:
            for row in _in_new_process(name, budget):
                key = (row["case"], row["peer"])
                if key not in best or row["median_s"] < best[key]["median_s"]:
                    best[key] = row
    return list(best.values())


def _in_new_process(name, budget):
    env = dict(os.environ, PYTHONPATH=str(ROOT), GLOROT_BENCH_CASES=_CASE_FILTER)
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", "--worker", name, "--budget", json.dumps(budget)],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        print(f"{name}: skipped ({proc.stderr.strip().splitlines()[-1:]})", flush=True)
        return []
    rows = json.loads(proc.stdout.strip().splitlines()[-1])
    for row in rows:
        print(
            f"{row['case']:36s} {name:40s} {row['median_s'] * 1e3:10.3f} ms "
            f"{row['samples_per_s'] / 1e6:9.1f} M/s",
            flush=True,
        )
    return rows


def _worker(name, budget):
    """Run one contender on every case; print the rows as JSON."""
    from bench.peers import PEERS

    make = PEERS[name]()
    results = []
    for case, (shapes, dtype) in CASES.items():
        if os.environ.get("GLOROT_BENCH_CASES", "") not in case:
            continue
        n = sum(math.prod(s) for s in shapes)
        if name in LIMITS and (len(shapes) > 1 or n < 1 << 20):
            continue  # the write limits only mean something for one big array

        def call(shapes=shapes, dtype=dtype):
            for s in shapes:
                make(s, dtype)

        median, best, runs = timeit(call, **budget)
        results.append(
            {
                "case": case,
                "peer": name,
                "samples": n,
                "median_s": median,
                "best_s": best,
                "runs": runs,
                "samples_per_s": n / median,
            }
        )
    print(json.dumps(results))


METHODS = ("box_muller", "inverse_cdf")


def thread_sweep(budget):
    import numba

    import glorot_numba as gn

    shape = (4096, 4096)
    sweep = {}
    before = numba.get_num_threads()
    try:
        for method in METHODS:
            init = gn.GlorotNormal(seed=1, method=method)
            rows = sweep[method] = []
            for k in range(1, numba.config.NUMBA_NUM_THREADS + 1):
                numba.set_num_threads(k)
                median, _, _ = timeit(lambda init=init: init(shape), **budget)
                rows.append({"threads": k, "samples_per_s": math.prod(shape) / median})
            for row in rows:
                row["speedup"] = row["samples_per_s"] / rows[0]["samples_per_s"]
    finally:
        numba.set_num_threads(before)
    return sweep


def out_vs_fill(budget):
    """``out=`` into memory already faulted in, next to the parallel fill of it."""
    import glorot_numba as gn
    from bench.peers import _parallel_fill

    fill = _parallel_fill()
    buf = np.empty((4096, 4096), np.float32)
    fill(buf.shape, buf.dtype, out=buf)  # fault the pages in
    n = buf.size
    limit, _, _ = timeit(lambda: fill(buf.shape, buf.dtype, out=buf), **budget)
    result = {"fill_samples_per_s": n / limit}
    for method in METHODS:
        init = gn.GlorotNormal(seed=1, method=method)
        into, _, _ = timeit(lambda init=init: init(buf.shape, out=buf), **budget)
        result[method] = {"out_samples_per_s": n / into, "fraction_of_fill": limit / into}
    return result


STARTUP = r"""
import json, time
t0 = time.perf_counter()
import glorot_numba as gn
t1 = time.perf_counter()
gn.GlorotNormal(seed=0)((3, 3, 64, 64))
t2 = time.perf_counter()
gn.GlorotNormal(seed=0)((4096, 4096))
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "first_small_call_s": t2 - t1,
                  "first_large_call_s": t3 - t2}))
"""


def startup():
    def fresh(env):
        full = dict(os.environ, PYTHONPATH=str(ROOT), **env)
        proc = subprocess.run(
            [sys.executable, "-c", STARTUP], env=full, check=True, capture_output=True, text=True
        )
        return json.loads(proc.stdout)

    with tempfile.TemporaryDirectory() as cache:
        cold = fresh({"NUMBA_CACHE_DIR": cache})
        warm = fresh({"NUMBA_CACHE_DIR": cache})
    return {"no_cache": cold, "cached": warm}


def machine():
    import numba

    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
    }
    for dist in ("tensorflow", "tensorflow-cpu", "keras", "jax", "torch"):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            pass
    # The widest vectors the kernels can use here: results depend on it.
    from llvmlite import binding as llvm

    features = llvm.get_host_cpu_features().flatten().split(",")
    for flag, name in (("+avx512f", "AVX-512"), ("+avx2", "AVX2"), ("+neon", "NEON")):
        if flag in features:
            model = f"{model} ({name})"
            break
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "system": platform.platform(),
        "versions": versions,
    }


def ratios(results):
    """glorot_numba's speed-up over each contender, per case and method (time
    ratios); ``limit_fraction``: the write limit's time over ours."""
    from bench.peers import OURS, WRITE_LIMIT

    ours = {(r["case"], r["peer"]): r["median_s"] for r in results if r["peer"] in OURS}
    limit = {r["case"]: r["median_s"] for r in results if r["peer"] == WRITE_LIMIT}
    rows = []
    for r in results:
        row = dict(r, ratios={})
        for peer, method in zip(OURS, METHODS):
            if (r["case"], peer) in ours:
                row["ratios"][method] = r["median_s"] / ours[r["case"], peer]
        if r["peer"] in OURS and r["case"] in limit:
            row["limit_fraction"] = limit[r["case"]] / r["median_s"]
        rows.append(row)
    return rows


def markdown(report):
    m = report["machine"]
    lines = [
        f"Measured {report['date']} on {m['cpu']}, {m['cores']} cores "
        f"({', '.join(f'{k} {v}' for k, v in m['versions'].items())}), "
        "each contender in a new process of the same run, median of repeated "
        f"calls (best of {report['passes']} passes), a fresh output array per "
        "call.  The speed-ups are each contender's time divided by glorot_numba's, "
        "for its two methods of the truncated normal: `box_muller` (the default) "
        "and `inverse_cdf`.  The write limit is `np.empty` filled with a constant "
        "by a parallel loop on all cores (each faulting in its own pages); "
        "`np.full` faults its pages in on one thread.",
        "",
    ]
    for case in CASES:
        rows = [r for r in report["results"] if r["case"] == case]
        if not rows:
            continue
        lines += [
            f"**{case}**",
            "",
            "| contender | time per call | samples/s | speed-up (box_muller) "
            "| speed-up (inverse_cdf) |",
            "|---|---:|---:|---:|---:|",
        ]
        for r in rows:
            t = r["median_s"]
            shown = f"{t * 1e6:.0f} µs" if t < 1e-2 else f"{t * 1e3:.1f} ms"
            speedups = " | ".join(
                f"{r['ratios'][m]:.2f}×" if m in r["ratios"] else "–" for m in METHODS
            )
            lines.append(
                f"| {r['peer']} | {shown} | {r['samples_per_s'] / 1e6:,.0f} M | {speedups} |"
            )
        fractions = [
            f"{r['peer']} {r['limit_fraction']:.0%}" for r in rows if "limit_fraction" in r
        ]
        lines.append("")
        if fractions:
            lines += ["Fraction of the write limit: " + ", ".join(fractions) + ".", ""]
    for method, sweep in report["threads"].items():
        lines += [
            f"**Threads**, `{method}` (4096×4096 float32): "
            + ", ".join(
                f"{row['threads']} → {row['samples_per_s'] / 1e6:,.0f} M/s ({row['speedup']:.2f}×)"
                for row in sweep
            ),
            "",
        ]
    o = report["out"]
    lines += [
        "**`out=`** into a preallocated 4096×4096 float32 array whose pages are "
        "faulted in: "
        + ", ".join(
            f"`{m}` {o[m]['out_samples_per_s'] / 1e6:,.0f} M/s "
            f"({o[m]['fraction_of_fill']:.0%} of the parallel fill of the same memory)"
            for m in METHODS
        )
        + f"; the parallel fill writes {o['fill_samples_per_s'] / 1e6:,.0f} M/s.",
        "",
    ]
    s = report["startup"]
    lines += [
        "**Start-up**, new processes: `import glorot_numba` "
        f"{s['cached']['import_s']:.2f} s; first call with the kernels cached "
        f"{s['cached']['first_small_call_s']:.2f} s; first call with no cache "
        f"{s['no_cache']['first_small_call_s']:.1f} s (compiles), and the first large "
        f"call after it {s['no_cache']['first_large_call_s']:.2f} s.",
        "",
    ]
    return "\n".join(lines)


def plot(report, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [3, 1]})
    rows = [r for r in report["results"] if r["case"] == "4096x4096 float32"]
    rows.sort(key=lambda r: r["samples_per_s"])
    names = [r["peer"] for r in rows]
    rates = [r["samples_per_s"] / 1e6 for r in rows]
    colors = [
        "tab:orange"
        if n.startswith("glorot_numba") and "compat" not in n
        else "tab:gray"
        if n in LIMITS
        else "tab:blue"
        for n in names
    ]
    left.barh(names, rates, color=colors)
    left.set_xlabel("M samples/s (higher is better)")
    left.set_title("Glorot normal, 4096x4096 float32")
    for method, sweep in report["threads"].items():
        right.plot(
            [r["threads"] for r in sweep],
            [r["samples_per_s"] / 1e6 for r in sweep],
            "o-" if method == "box_muller" else "s--",
            color="tab:orange",
            label=method,
        )
    right.legend()
    right.set_xlabel("threads")
    right.set_ylabel("M samples/s")
    right.set_title("glorot_numba scaling")
    fig.suptitle(
        f"{report['machine']['cpu']}, {report['machine']['cores']} cores, {report['date']}",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def update_docs(page, text, marker="bench"):
    """Replace the block between ``<!-- marker:start -->`` and ``<!-- marker:end -->`` of a page."""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    content = Path(page).read_text()
    if start not in content or end not in content:
        raise SystemExit(f"{page} has no {start} ... {end} block to rewrite")
    head, rest = content.split(start, 1)
    _, tail = rest.split(end, 1)
    Path(page).write_text(f"{head}{start}\n{text}\n{end}{tail}")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if "--models" in argv:
        from bench.models import main as models_main

        return models_main([a for a in argv if a != "--models"])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument(
        "--docs",
        default=None,
        metavar="PAGE",
        help="Markdown page whose bench block to rewrite (docs/performance.md)",
    )
    parser.add_argument(
        "--peers",
        default=None,
        help="comma-separated contenders to time (glorot_numba's two methods always are)",
    )
    parser.add_argument(
        "--cases", default="", help="time only the cases whose name contains this text"
    )
    parser.add_argument(
        "--models",
        action="store_true",
        help="build PyTorch / Hugging Face models instead (bench.models)",
    )
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--budget", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker, json.loads(args.budget))
        return 0
    budget = (
        dict(min_runs=2, min_time=0.0, max_time=2.0)
        if args.quick
        else dict(min_runs=5, min_time=1.0, max_time=15.0)
    )
    passes = 1 if args.quick else 2

    global _CASE_FILTER
    _CASE_FILTER = args.cases

    import glorot_numba as gn

    gn.warmup()
    report = {"date": time.strftime("%Y-%m-%d"), "machine": machine(), "passes": passes}
    names = None
    if args.peers:
        from bench.peers import OURS, PEERS

        names = list(OURS) + [
            n.strip() for n in args.peers.split(",") if n.strip() and n.strip() not in OURS
        ]
        unknown = [n for n in names if n not in PEERS]
        if unknown:
            parser.error(f"unknown peers {unknown}; known: {list(PEERS)}")
    report["results"] = ratios(run_cases(budget, passes, names))
    report["threads"] = thread_sweep(budget)
    report["out"] = out_vs_fill(budget)
    report["startup"] = startup()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(report, indent=2))
    text = markdown(report)
    (out / "results.md").write_text(text)
    plot(report, out / "results.png")
    if args.docs:
        plot_path = Path(os.path.relpath(out / "results.png", Path(args.docs).parent))
        update_docs(args.docs, text + f"\n![benchmark plot]({plot_path.as_posix()})\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
