"""Command line: ``glorot-numba init 784 256 --seed 42 [-o w.npy]``."""

import argparse
import math
import sys
import time

import numpy as np

from . import __version__
from ._shapes import compute_fans
from .initializers import TRUNCATED_STD, GlorotNormal, VarianceScaling

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
    init.add_argument("shape", nargs="*", type=int, metavar="DIM",
                      help="dimensions of the tensor (none for a scalar)")
    init.add_argument("--seed", type=int, default=None,
                      help="integer seed (default: fresh OS entropy)")
    init.add_argument("--dtype", default="float32",
                      choices=["float16", "bfloat16", "float32", "float64"])
    init.add_argument("--scale", type=float, default=None,
                      help="VarianceScaling scale (default 1.0, Glorot)")
    init.add_argument("--mode", default=None, choices=["fan_in", "fan_out", "fan_avg"],
                      help="VarianceScaling mode (default fan_avg, Glorot)")
    init.add_argument("--distribution", default=None,
                      choices=["truncated_normal", "untruncated_normal", "uniform", "normal"],
                      help="VarianceScaling distribution (default truncated_normal)")
    init.add_argument("-o", "--output", default=None, metavar="FILE",
                      help="write the array to FILE with numpy.save")
    return parser


def _initializer(args):
    if args.scale is None and args.mode is None and args.distribution is None:
        return GlorotNormal(seed=args.seed, dtype=args.dtype)
    return VarianceScaling(
        scale=1.0 if args.scale is None else args.scale,
        mode=args.mode or "fan_avg",
        distribution=args.distribution or "truncated_normal",
        seed=args.seed,
        dtype=args.dtype,
    )


def _target_std(init, fans):
    std = math.sqrt(init._variance(fans))
    bound = {"uniform": math.sqrt(3) * std, "untruncated_normal": math.inf}
    return std, bound.get(init.distribution, 2 * std / TRUNCATED_STD)


def _run_init(args, out):
    init = _initializer(args)
    shape = tuple(args.shape)
    fans = compute_fans(shape)
    start = time.perf_counter()
    w = init(shape)
    first = time.perf_counter() - start
    # The first call in a process also loads (or compiles) the kernels;
    # a second, discarded draw shows the steady-state speed.
    start = time.perf_counter()
    init(shape)
    elapsed = time.perf_counter() - start
    std, bound = _target_std(init, fans)
    w64 = w.astype(np.float64)
    print(f"initializer : {init!r}", file=out)
    print(f"shape       : {shape}  ({w.size} elements)", file=out)
    print(f"dtype       : {args.dtype}", file=out)
    print(f"fans        : fan_in={fans[0]} fan_out={fans[1]}", file=out)
    print(f"target std  : {std:.6g}  (bound {bound:.6g})", file=out)
    if w.size:
        print(f"observed    : mean={w64.mean():.6g} std={w64.std():.6g} "
              f"min={w64.min():.6g} max={w64.max():.6g}", file=out)
    rate = w.size / elapsed if elapsed > 0 else math.inf
    print(f"time        : {elapsed * 1e3:.3f} ms ({rate / 1e6:.1f} M samples/s); first call "
          f"{first * 1e3:.1f} ms (loads or compiles the kernels)", file=out)
    if args.output:
        if w.dtype.kind == "f":
            np.save(args.output, w)
            print(f"saved       : {args.output}", file=out)
        else:
            # .npy cannot describe bfloat16 (it would load as raw void bytes);
            # float32 holds every bfloat16 value exactly.
            np.save(args.output, w.astype(np.float32))
            print(f"saved       : {args.output} (as float32, exact; "
                  "np.load(...).astype(ml_dtypes.bfloat16) restores the bits)", file=out)


def main(argv=None):
    """Entry point of the ``glorot-numba`` command; returns the exit status.

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
    try:
        _run_init(args, sys.stdout)
    except (TypeError, ValueError, OSError) as exc:
        print(f"glorot-numba: error: {exc}", file=sys.stderr)
        return 2
    return 0
