"""Building a whole Keras model: Keras' own draws against ``glorot_numba.keras.accelerate()``.

    python -m bench.keras_models [--rounds 5] [--quick] [--check] [--out DIR]
                                 [--docs docs/performance.md]

The model is GPT-2 small's shape on Keras 3's JAX backend: 12 blocks of
``MultiHeadAttention(12 heads, key_dim 64)``, ``Dense(3072)``,
``Dense(768)`` and two ``LayerNormalization`` on a 768-wide input, and a
``Dense(50257)`` head -- 124 M parameters, every kernel with Keras' default
``"glorot_uniform"``.  Three contenders build it:

* ``keras``: as is, Keras drawing every kernel;
* ``accelerate``: the same code inside ``glorot_numba.keras.accelerate()``;
* ``zeros``: every kernel initializer ``"zeros"`` -- the cost of building
  the model without drawing anything, the floor for both.

Two measurements, ``--rounds`` timed builds of each contender in each.
*First builds*: a new process per build, warmed up by building a small model
of the same layers, then timed on its first full-size build -- what a
program that builds its model once sees, memory the process has never
touched included.  *Repeated builds*: one process per contender, warmed up
the same way; the three take turns build by build (so all see the same
machine even when other jobs share it), each build freed before the next
turn.  A build is timed until its weights exist: JAX computes
asynchronously, and Keras' own draws would otherwise finish during the next
contender's turn.  Prints a Markdown table of medians and writes ``keras_models.json``
and ``keras_models.md`` to ``--out`` (default ``bench/results``); with
``--docs`` it also rewrites that page's Keras model section (between
``<!-- keras-bench:start -->`` and ``<!-- keras-bench:end -->``).

``--check`` also builds the model once more under ``accelerate()`` and
tests every kernel against the distribution Keras' own initializer defines
for it (``glorot_numba.testing.assert_variance_scaling``, with the fans
Keras gives the kernel: the einsum's axes for the attention projections).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTENDERS = ("keras", "accelerate", "zeros")
WIDTH, HEADS, FFN, BLOCKS, VOCAB = 768, 12, 3072, 12, 50257


def build(
    keras,
    width=WIDTH,
    heads=HEADS,
    ffn=FFN,
    blocks=BLOCKS,
    vocab=VOCAB,
    kernel_initializer="glorot_uniform",
):
    """The GPT-2-sized functional model (or a smaller one of the same layers)."""
    layers = keras.layers
    inputs = keras.Input((None, width))
    x = inputs
    for _ in range(blocks):
        attention = layers.MultiHeadAttention(
            heads, width // heads, kernel_initializer=kernel_initializer
        )
        x = layers.LayerNormalization()(x + attention(x, x))
        hidden = layers.Dense(ffn, kernel_initializer=kernel_initializer)(x)
        x = layers.LayerNormalization()(
            x + layers.Dense(width, kernel_initializer=kernel_initializer)(hidden)
        )
    outputs = layers.Dense(vocab, kernel_initializer=kernel_initializer)(x)
    return keras.Model(inputs, outputs)


def _worker(contender):
    """Answer each request line with the seconds one build took."""
    os.environ["KERAS_BACKEND"] = "jax"
    sys.path.insert(0, str(ROOT))
    import contextlib
    import gc

    import jax
    import keras

    import glorot_numba as gn
    import glorot_numba.keras as gnk

    gn.warmup()
    initializer = "zeros" if contender == "zeros" else "glorot_uniform"
    scope = gnk.accelerate if contender == "accelerate" else contextlib.nullcontext

    def one(**small):
        with scope():
            return build(keras, kernel_initializer=initializer, **small)

    # Warm-up: the layers' own code, on a small model.
    small = one(width=64, heads=4, ffn=128, blocks=2, vocab=100)
    jax.block_until_ready([w.value for w in small.weights])
    del small
    keras.backend.clear_session()
    print("ready", flush=True)
    for _ in sys.stdin:
        t0 = time.perf_counter()
        model = one()
        # JAX computes asynchronously: a build is done when its weights are.
        jax.block_until_ready([w.value for w in model.weights])
        seconds = time.perf_counter() - t0
        parameters = model.count_params()
        # Free this build before answering: the next contender's turn starts
        # on the answer and must not share the machine with this clean-up.
        del model
        keras.backend.clear_session()
        gc.collect()
        print(json.dumps({"seconds": seconds, "parameters": parameters}), flush=True)


def check():
    """Build under accelerate() and test every kernel's distribution; return
    the number of kernels checked (raises AssertionError on a misfit)."""
    os.environ["KERAS_BACKEND"] = "jax"
    sys.path.insert(0, str(ROOT))
    import keras
    import numpy as np

    import glorot_numba.keras as gnk
    from glorot_numba.testing import assert_variance_scaling

    keras.utils.set_random_seed(0)
    with gnk.accelerate():
        model = build(keras)
    kernels = [
        layer for layer in model._flatten_layers() if not layer._layers and hasattr(layer, "kernel")
    ]
    # The fans Keras gives each kernel: an einsum's axes for EinsumDense,
    # TensorFlow's rules for Dense.
    axes = {"abc,cde->abde": ([0], [1, 2]), "abcd,cde->abe": ([0, 1], [2])}
    # One misfit among all kernels by chance with probability <= 1 %.
    alpha = 0.01 / len(kernels)
    for layer in kernels:
        w = np.asarray(keras.ops.convert_to_numpy(layer.kernel.value))
        if layer.__class__.__name__ == "EinsumDense":
            ins, outs = axes[layer.equation]
            fans = (
                int(np.prod([w.shape[a] for a in ins])),
                int(np.prod([w.shape[a] for a in outs])),
            )
        else:
            fans = w.shape
        # The first 2**21 values of the largest kernels: a sample of
        # independent draws like any other, and a bounded test time.
        assert_variance_scaling(
            w.reshape(-1)[: 1 << 21], layer.kernel_initializer, fans=fans, alpha=alpha
        )
    return len(kernels)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed builds per contender")
    parser.add_argument("--quick", action="store_true", help="2 rounds, for a smoke run")
    parser.add_argument(
        "--check", action="store_true", help="also test every kernel's distribution"
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument(
        "--docs",
        default=None,
        metavar="PAGE",
        help="Markdown page whose keras-bench block to rewrite (docs/performance.md)",
    )
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker)
        return 0
    rounds = 2 if args.quick else args.rounds
    sys.path.insert(0, str(ROOT))
    from bench.run import machine, update_docs

    env = dict(os.environ, PYTHONPATH=str(ROOT), KERAS_BACKEND="jax")

    def start(name):
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.keras_models", "--worker", name],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if proc.stdout.readline().strip() != "ready":
            proc.kill()
            raise SystemExit(f"{name}: failed to start")
        return proc

    def build_once(proc):
        proc.stdin.write("build\n")
        proc.stdin.flush()
        return json.loads(proc.stdout.readline())

    def stop(proc):
        proc.stdin.close()
        proc.wait()

    # Repeated builds: one process per contender, taking turns.
    builds = {name: [] for name in CONTENDERS}
    workers = {}
    try:
        for name in CONTENDERS:
            workers[name] = start(name)
        for _ in range(rounds):
            for name, proc in workers.items():
                builds[name].append(build_once(proc))
    finally:
        for proc in workers.values():
            stop(proc)
    # First builds: each the first full-size build of a new process (after
    # the same small warm-up), as a program builds its model once.
    firsts = {name: [] for name in CONTENDERS}
    for _ in range(rounds):
        for name in CONTENDERS:
            proc = start(name)
            try:
                firsts[name].append(build_once(proc))
            finally:
                stop(proc)

    medians = {name: statistics.median(b["seconds"] for b in runs) for name, runs in builds.items()}
    first = {name: statistics.median(b["seconds"] for b in runs) for name, runs in firsts.items()}
    report = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "rounds": rounds,
        "parameters": builds["keras"][0]["parameters"],
        "builds": builds,
        "first_builds": firsts,
        "median_s": medians,
        "first_median_s": first,
        "speedup": medians["keras"] / medians["accelerate"],
        "first_speedup": first["keras"] / first["accelerate"],
    }
    if args.check:
        report["kernels_checked"] = check()
    m = report["machine"]
    lines = [
        f"GPT-2-sized Keras model ({report['parameters'] / 1e6:.1f} M parameters, Keras "
        f"{m['versions'].get('keras', '?')} on JAX {m['versions'].get('jax', '?')}), "
        f"measured {report['date']} on {m['cpu']}, {m['cores']} cores, medians of {rounds} "
        "builds per contender. *First build*: the first full-size build of a new process "
        "(each after the same small warm-up), as a program builds its model once. "
        "*Repeated builds*: one process per contender, the three taking turns build by build, "
        "each build freed before the next contender's turn.",
        "",
        "| contender | first build | speed-up over Keras | repeated builds | speed-up over Keras |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in CONTENDERS:
        lines.append(
            f"| {name} | {first[name]:.2f} s | {first['keras'] / first[name]:.2f}× "
            f"| {medians[name]:.2f} s | {medians['keras'] / medians[name]:.2f}× |"
        )
    if args.check:
        lines += [
            "",
            f"Every kernel ({report['kernels_checked']}) built under `accelerate()` "
            "follows the distribution Keras' own initializer defines for it "
            "(`glorot_numba.testing.assert_variance_scaling`, overall level 1 %).",
        ]
    text = "\n".join(lines)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "keras_models.json").write_text(json.dumps(report, indent=2))
    (out / "keras_models.md").write_text(text + "\n")
    if args.docs:
        update_docs(args.docs, text, "keras-bench")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
