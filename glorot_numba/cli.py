"""Command line: ``glorot-numba init | check | audit | bench``.

- ``init 784 256 --seed 42 [-o w.npy]``: one tensor, with a summary; large
  tensors stream to ``.npy`` in blocks, with constant memory;
- ``init --spec model.json -o weights.safetensors|.npz``: named tensors;
- ``check FILE``: goodness of fit against the VarianceScaling definition;
- ``audit``: the testing kit over every installed framework's initializers;
- ``bench``: the quick benchmark suite of a source checkout.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from . import _files, _modelspec, _registry
from ._shapes import compute_fans
from ._variance import TRUNCATED_STD, variance
from ._version import __version__
from .initializers import GlorotNormal, VarianceScaling

__all__ = ["main"]


def _parser():
    parser = argparse.ArgumentParser(
        prog="glorot-numba",
        description="Glorot normal / VarianceScaling initialisation with Numba kernels.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    init = commands.add_parser(
        "init",
        help="draw one weight tensor, print a summary, optionally save it",
        description="Draw a weight tensor of the given shape (TensorFlow layout: "
        "... in, out), print shape, fans, target and observed statistics and "
        "throughput, and save it as .npy with -o.",
    )
    init.add_argument(
        "shape",
        nargs="*",
        type=int,
        metavar="DIM",
        help="dimensions of the tensor (none for a scalar)",
    )
    init.add_argument(
        "--spec",
        default=None,
        metavar="JSON",
        help="draw the named tensors of a model spec file instead (see "
        "examples/model.json) and write them to -o .safetensors or .npz",
    )
    init.add_argument(
        "--seed", type=int, default=None, help="integer seed (default: fresh OS entropy)"
    )
    init.add_argument(
        "--dtype", default="float32", choices=["float16", "bfloat16", "float32", "float64"]
    )
    init.add_argument(
        "--scale", type=float, default=None, help="VarianceScaling scale (default 1.0, Glorot)"
    )
    init.add_argument(
        "--mode",
        default=None,
        choices=["fan_in", "fan_out", "fan_avg"],
        help="VarianceScaling mode (default fan_avg, Glorot)",
    )
    init.add_argument(
        "--distribution",
        default=None,
        choices=["truncated_normal", "untruncated_normal", "uniform", "normal"],
        help="VarianceScaling distribution (default truncated_normal)",
    )
    init.add_argument(
        "--method",
        default="box_muller",
        choices=["box_muller", "inverse_cdf"],
        help="how a truncated normal is drawn: resampling Box-Muller normals "
        "(default) or the exact inverse distribution function (faster, a "
        "stream of its own)",
    )
    init.add_argument(
        "-o",
        "--output",
        default=None,
        metavar="FILE",
        help="write the array to FILE (.npy; tensors larger than "
        "--block-mb are streamed in blocks with constant memory)",
    )
    init.add_argument(
        "--block-mb",
        type=float,
        default=16.0,
        metavar="MB",
        help="largest block drawn at once when writing files (default 16)",
    )
    _progress_flags(init)

    check = commands.add_parser(
        "check",
        help="test a saved tensor against the VarianceScaling definition",
        description="Report n, mean, std against the target, bounds and goodness-of-fit "
        "p-values (KS, Cramer-von Mises, moments, reach of the extremes) of the "
        "tensors in FILE (.npy, .npz or .safetensors); exit with status 1 when "
        "they do not fit.  The reference is GlorotNormal with the fans of each "
        "array's shape (TensorFlow rules) unless --config, --spec or --fan-in/--fan-out "
        "say otherwise; a safetensors file written by 'init --spec' records its own.",
    )
    check.add_argument("file", metavar="FILE")
    check.add_argument(
        "--tensor",
        default=None,
        metavar="NAME",
        help="check only this tensor of a .npz or .safetensors file",
    )
    check.add_argument(
        "--config",
        default=None,
        metavar="INIT",
        help="the initializer: a class name (HeNormal), a serialized "
        'initializer as JSON ({"class_name": ..., "config": ...}) or a '
        "file holding one",
    )
    check.add_argument(
        "--spec",
        default=None,
        metavar="JSON",
        help="take each tensor's initializer from this model spec",
    )
    check.add_argument("--fan-in", type=int, default=None, metavar="N")
    check.add_argument("--fan-out", type=int, default=None, metavar="M")
    check.add_argument(
        "--dtype",
        default=None,
        choices=["float16", "bfloat16", "float32", "float64"],
        help="the dtype the values were drawn in, if the file stores them "
        "wider (bfloat16 .npy files hold float32)",
    )
    check.add_argument(
        "--alpha", type=float, default=1e-3, help="overall significance level (default 1e-3)"
    )
    check.add_argument(
        "--plot",
        default=None,
        metavar="PNG",
        help="save a histogram against the exact density (needs matplotlib)",
    )

    audit = commands.add_parser(
        "audit",
        help="test the initializers of every installed framework against their laws",
        description="Draw every initializer of torch.nn.init, jax.nn.initializers, "
        "keras.initializers (on each installed backend), TensorFlow's tf.compat.v1 and "
        "this library in each dtype it offers, with fixed seeds, and test each against "
        "the law it claims (glorot_numba.testing).  The overall level --alpha holds for "
        "the whole table (Bonferroni over rows).  Prints a Markdown table; exit status "
        "1 when a row does not fit.  Frameworks other than this library run in "
        "processes of their own.",
    )
    audit.add_argument(
        "--frameworks",
        nargs="+",
        default=None,
        metavar="NAME",
        help="among glorot_numba, torch, jax, tensorflow, keras-jax, "
        "keras-torch, keras-numpy, keras-tensorflow (keras: all four); "
        "default all",
    )
    audit.add_argument(
        "--dtypes",
        nargs="+",
        default=None,
        metavar="DTYPE",
        help="among float16, bfloat16, float32, float64, complex64, complex128; default all",
    )
    audit.add_argument(
        "-n",
        "--samples",
        type=int,
        default=1_000_000,
        metavar="N",
        help="samples per row (default 1000000)",
    )
    audit.add_argument(
        "--alpha",
        type=float,
        default=1e-3,
        help="overall significance level of the table (default 1e-3)",
    )
    audit.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    audit.add_argument(
        "-o",
        "--output",
        default=None,
        metavar="FILE",
        help="also write the report to FILE (.md or .json)",
    )
    audit.add_argument(
        "--plot",
        default=None,
        metavar="DIR",
        help="save a plot of each misfit against the exact reference in DIR (needs matplotlib)",
    )
    _progress_flags(audit)

    bench = commands.add_parser(
        "bench",
        help="run the quick benchmark suite (needs a source checkout)",
        description="Run the benchmark suite of the source tree (python -m bench "
        "--quick): glorot_numba and every installed peer, each in a process of its "
        "own.  The suite is not part of the installed package.",
    )
    bench.add_argument("--full", action="store_true", help="the full suite, not --quick")
    bench.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="keep results.json/.md/.png in DIR (default: discard)",
    )
    bench.add_argument(
        "--source",
        default=None,
        metavar="DIR",
        help="the source checkout (default: the one this package "
        "runs from, or the current directory)",
    )
    return parser


def _progress_flags(parser):
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="show a progress bar (default: when stderr is a terminal)",
    )
    group.add_argument("--no-progress", dest="progress", action="store_false")


class _Progress:
    """A tqdm bar over elements, or nothing when tqdm is absent or unwanted."""

    def __init__(self, total, wanted, desc):
        self.bar = None
        if wanted is False or total == 0:
            return
        try:
            from tqdm import tqdm
        except ImportError:
            return
        self.bar = tqdm(
            total=total,
            unit="el",
            unit_scale=True,
            desc=desc,
            disable=None if wanted is None else False,
            file=sys.stderr,
            mininterval=0.2,
        )

    def __call__(self, block):
        if self.bar is not None:
            self.bar.update(block.size)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def _initializer(args):
    if args.scale is None and args.mode is None and args.distribution is None:
        return GlorotNormal(seed=args.seed, dtype=args.dtype, method=args.method)
    return VarianceScaling(
        scale=1.0 if args.scale is None else args.scale,
        mode=args.mode or "fan_avg",
        distribution=args.distribution or "truncated_normal",
        seed=args.seed,
        dtype=args.dtype,
        method=args.method,
    )


def _target_std(init, fans):
    std = math.sqrt(variance(init.scale, init.mode, fans))
    bound = {"uniform": math.sqrt(3) * std, "untruncated_normal": math.inf}
    return std, bound.get(init.distribution, 2 * std / TRUNCATED_STD)


class _Moments:
    """Running count, mean, second moment, min and max of streamed blocks."""

    def __init__(self):
        self.n, self.total, self.total_sq = 0, 0.0, 0.0
        self.low, self.high = math.inf, -math.inf

    def __call__(self, block):
        flat = block.reshape(-1)
        # float64 in slices of 1 Mi elements: 8 MiB whatever the block size.
        for start in range(0, flat.size, 1 << 20):
            x = flat[start : start + (1 << 20)].astype(np.float64)
            self.n += x.size
            self.total += float(x.sum())
            self.total_sq += float(np.dot(x, x))
            self.low = min(self.low, float(x.min()))
            self.high = max(self.high, float(x.max()))

    def summary(self):
        mean = self.total / self.n
        std = math.sqrt(max(0.0, self.total_sq / self.n - mean * mean))
        return mean, std, self.low, self.high


def _npy_path(path):
    # As numpy.save names it.
    return path if str(path).endswith(".npy") else f"{path}.npy"


def _run_init(args, out):
    if args.spec is not None:
        return _run_init_spec(args, out)
    if args.output is not None and os.path.splitext(args.output)[1].lower() in (
        ".safetensors",
        ".npz",
    ):
        raise ValueError(
            f"{args.output}: .safetensors and .npz files are written from a "
            "--spec; a single tensor is written as .npy"
        )
    init = _initializer(args)
    shape = tuple(args.shape)
    fans = compute_fans(shape)
    dtype = init.dtype
    _modelspec.validate_draw(init, shape, dtype)
    block_bytes = _block_bytes(args)
    streamed = args.output is not None and math.prod(shape) * dtype.itemsize > block_bytes
    std, bound = _target_std(init, fans)
    if streamed:
        moments, path = _Moments(), _npy_path(args.output)
        bar = _Progress(math.prod(shape), args.progress, "init")
        blocks = 0

        def on_block(block):
            nonlocal blocks
            blocks += 1
            moments(block)
            bar(block)

        start = time.perf_counter()
        try:
            _files.write_npy(init, shape, dtype, path, block_bytes, on_block)
        finally:
            bar.close()
        elapsed = time.perf_counter() - start
        size = moments.n
        observed = moments.summary()
    else:
        start = time.perf_counter()
        w = init(shape)
        first = time.perf_counter() - start
        # The first call in a process also loads (or compiles) the kernels;
        # a second, discarded draw shows the steady-state speed.
        start = time.perf_counter()
        init(shape)
        elapsed = time.perf_counter() - start
        size = w.size
        w64 = w.astype(np.float64)
        observed = (w64.mean(), w64.std(), w64.min(), w64.max()) if w.size else None
    print(f"initializer : {init!r}", file=out)
    print(f"shape       : {shape}  ({size} elements)", file=out)
    print(f"dtype       : {args.dtype}", file=out)
    print(f"fans        : fan_in={fans[0]} fan_out={fans[1]}", file=out)
    print(f"target std  : {std:.6g}  (bound {bound:.6g})", file=out)
    if size:
        mean, sd, low, high = observed
        print(f"observed    : mean={mean:.6g} std={sd:.6g} min={low:.6g} max={high:.6g}", file=out)
    rate = size / elapsed if elapsed > 0 else math.inf
    if streamed:
        print(
            f"time        : {elapsed * 1e3:.3f} ms ({rate / 1e6:.1f} M samples/s), drawn "
            f"and written in {blocks} blocks of at most {block_bytes / 2**20:.4g} MiB",
            file=out,
        )
    else:
        print(
            f"time        : {elapsed * 1e3:.3f} ms ({rate / 1e6:.1f} M samples/s); first "
            f"call {first * 1e3:.1f} ms (loads or compiles the kernels)",
            file=out,
        )
    if args.output:
        if not streamed:
            path = _npy_path(args.output)
            with _files.atomic(path) as partial, open(partial, "wb") as fp:
                # .npy cannot describe bfloat16 (it would load as raw void
                # bytes); float32 holds every bfloat16 value exactly.
                np.save(fp, w.astype(_files.npy_dtype(w.dtype), copy=False))
        if dtype.kind == "f":
            print(f"saved       : {args.output}", file=out)
        else:
            print(
                f"saved       : {args.output} (as float32, exact; "
                "np.load(...).astype(ml_dtypes.bfloat16) restores the bits)",
                file=out,
            )
    return 0


def _block_bytes(args):
    if not (math.isfinite(args.block_mb) and args.block_mb > 0):
        raise ValueError(f"--block-mb must be positive, got {args.block_mb}")
    return max(1, int(args.block_mb * 2**20))


def _run_init_spec(args, out):
    if args.shape:
        raise ValueError("give either DIMs or --spec, not both")
    ignored = [
        f"--{k}" for k in ("scale", "mode", "distribution", "seed") if getattr(args, k) is not None
    ]
    if ignored or args.dtype != "float32":
        raise ValueError(
            "with --spec, initializers and dtypes come from the spec "
            f"(drop {', '.join(ignored) or '--dtype'})"
        )
    if args.output is None:
        raise ValueError("--spec needs -o FILE (.safetensors or .npz)")
    if os.path.splitext(args.output)[1].lower() not in (".safetensors", ".npz"):
        raise ValueError(f"-o must end in .safetensors or .npz, got {args.output!r}")
    entries = _modelspec.load_spec(args.spec)
    block_bytes = _block_bytes(args)
    total = sum(e.size for e in entries)
    for e in entries:
        print(f"{e.name:24s} {str(e.shape):18s} {np.dtype(e.dtype).name:9s} {e.init!r}", file=out)
    bar = _Progress(total, args.progress, "init")
    start = time.perf_counter()
    try:
        _files.write_tensors(entries, args.output, block_bytes, bar)
    finally:
        bar.close()
    elapsed = time.perf_counter() - start
    print(
        f"saved       : {args.output} ({len(entries)} tensors, {total} elements, {elapsed:.2f} s)",
        file=out,
    )
    return 0


def _check_config(text):
    """An initializer from --config: a class name, JSON, or a JSON file."""
    if text is None:
        return None
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            spec = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ValueError(f"--config is not valid JSON ({exc})") from None
    elif os.path.isfile(text):
        with open(text, encoding="utf-8") as fp:
            try:
                spec = json.load(fp)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{text}: not valid JSON ({exc})") from None
    else:
        spec = stripped
    return _registry.deserialize(spec)


def _run_check(args, out):
    from . import testing

    if (args.fan_in is None) != (args.fan_out is None):
        raise ValueError("give both --fan-in and --fan-out, or neither")
    for flag in ("fan_in", "fan_out"):
        value = getattr(args, flag)
        if value is not None and value < 0:
            raise ValueError(f"--{flag.replace('_', '-')} must be >= 0, got {value}")
    if args.spec is not None and args.config is not None:
        raise ValueError("give --spec or --config, not both")
    config = _check_config(args.config)
    arrays, recorded = _files.read_tensors(args.file)
    if args.tensor is not None:
        if args.tensor not in arrays:
            raise ValueError(
                f"{args.file} has no tensor {args.tensor!r}; it has {', '.join(sorted(arrays))}"
            )
        arrays = {args.tensor: arrays[args.tensor]}
    if args.plot and len(arrays) != 1:
        raise ValueError("--plot draws one tensor: choose it with --tensor")
    if args.spec is not None:
        recorded = {
            "tensors": {
                e.name: {"initializer": e.serialized} for e in _modelspec.load_spec(args.spec)
            }
        }
        missing = sorted(set(arrays) - set(recorded["tensors"]))
        if missing:
            raise ValueError(f"{args.spec} has no tensor {', '.join(map(repr, missing))}")
    recorded = (recorded or {}).get("tensors", {})
    fans_given = None if args.fan_in is None else (args.fan_in, args.fan_out)
    all_fit = True
    for name, array in arrays.items():
        if config is not None:
            init, source = config, "--config"
        elif name in recorded:
            init = _registry.deserialize(recorded[name]["initializer"])
            source = "--spec" if args.spec else "file"
        else:
            init, source = GlorotNormal(), "default"
        fans = fans_given or compute_fans(array.shape)
        if array.size < 100 and len(arrays) > 1:
            print(
                f"tensor      : {name}\nshape       : {array.shape}  ({array.size} "
                "elements)\nverdict     : not tested (fewer than 100 elements)\n",
                file=out,
            )
            continue
        report = testing.check_variance_scaling(
            array, init, fans=fans, alpha=args.alpha, dtype=args.dtype
        )
        print(f"tensor      : {name}", file=out)
        print(f"shape       : {array.shape}  ({array.size} elements)", file=out)
        print(f"initializer : {init!r} (from {source})", file=out)
        print(
            f"fans        : fan_in={fans[0]} fan_out={fans[1]}"
            + ("" if fans_given else " (of the shape)"),
            file=out,
        )
        print(str(report), file=out)
        all_fit &= report.passed
        if args.plot:
            base = os.path.basename(args.file)
            _plot(array, report, args.plot, base if name == base else f"{base}: {name}")
            print(f"plot        : {args.plot}", file=out)
        if len(arrays) > 1:
            print(file=out)
    return 0 if all_fit else 1


def _plot(array, report, path, title):
    try:
        import matplotlib
    except ImportError:
        raise ImportError("--plot needs matplotlib: pip install 'glorot_numba[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ref = report.reference
    x = np.asarray(array, dtype=np.float64).reshape(-1)
    x = x[np.isfinite(x)]
    reach = ref.bound if math.isfinite(ref.bound) else 4.5 * ref.std
    reach = max(reach, float(np.abs(x).max()) if x.size else 0.0) * 1.05
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.hist(
        x,
        bins=200,
        range=(-reach, reach),
        density=True,
        color="tab:blue",
        alpha=0.6,
        label=f"data (n = {x.size:,})",
    )
    grid = np.linspace(-reach, reach, 2001)
    ax.plot(
        grid,
        ref.pdf(grid),
        color="black",
        lw=1.2,
        label=f"exact {ref.distribution.replace('_', ' ')} density",
    )
    if math.isfinite(ref.bound):
        for edge in (-ref.bound, ref.bound):
            ax.axvline(edge, color="tab:red", lw=0.8, ls="--")
    ax.set_xlabel("value")
    ax.set_ylabel("density")
    verdict = "fits" if report.passed else "does not fit"
    p = ", ".join(f"{k} {v:.2g}" for k, v in report.pvalues.items())
    ax.set_title(f"{title} — {verdict}\np-values: {p}", fontsize=8)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _run_audit(args, out):
    from . import testing

    if args.output is not None and os.path.splitext(args.output)[1].lower() not in (".md", ".json"):
        raise ValueError(f"-o must end in .md or .json, got {args.output!r}")
    if args.plot is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise ImportError("--plot needs matplotlib: pip install 'glorot_numba[plot]'") from None
    report = testing.audit(
        args.frameworks,
        args.dtypes,
        n=args.samples,
        alpha=args.alpha,
        seed=args.seed,
        plot_dir=args.plot,
        progress=args.progress,
        isolate=True,
    )
    print(report.to_markdown(), file=out)
    if args.output is not None:
        report.save(args.output)
        print(f"saved       : {args.output}", file=out)
    return 0 if report.passed else 1


def _bench_root(explicit):
    candidates = [Path(explicit)] if explicit else [Path(__file__).resolve().parents[1], Path.cwd()]
    for root in candidates:
        if (root / "bench" / "run.py").is_file() and (root / "glorot_numba").is_dir():
            return root
    return None


def _run_bench(args, out):
    root = _bench_root(args.source)
    if root is None:
        where = args.source or "this installation or the current directory"
        print(
            "glorot-numba: error: the benchmark suite (bench/) is part of the source "
            f"tree, not of the installed package, and none was found in {where}; run "
            "this command from a checkout, or pass --source DIR",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        target = args.out or scratch
        command = [sys.executable, "-m", "bench", "--out", str(Path(target).resolve())]
        if not args.full:
            command.insert(3, "--quick")
        print(f"running     : {' '.join(command[1:])} (in {root})", file=out, flush=True)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
        return subprocess.call(command, cwd=root, env=env)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``glorot-numba`` command; returns the exit status.

    0 on success, 1 when ``check`` or ``audit`` finds data that do not fit, 2
    on errors.

    Examples
    --------
    >>> from glorot_numba.cli import main
    >>> main(["init", "4", "3", "--seed", "1"])  # doctest: +ELLIPSIS
    initializer : GlorotNormal(seed=1, dtype='float32')
    shape       : (4, 3)  (12 elements)
    ...
    0
    """
    parser = _parser()
    args = parser.parse_args(argv)
    run: Callable[..., int] = {
        "init": _run_init,
        "check": _run_check,
        "audit": _run_audit,
        "bench": _run_bench,
    }[args.command]
    try:
        return run(args, sys.stdout)
    except (TypeError, ValueError, OSError, ImportError) as exc:
        print(f"glorot-numba: error: {exc}", file=sys.stderr)
        return 2
