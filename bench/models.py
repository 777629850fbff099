"""Building real PyTorch models, plain and inside ``glorot_numba.torch.accelerate()``.

    python -m bench --models [--quick] [--out DIR] [--docs docs/performance.md] [--cases TEXT]
    python -m bench.models   [--quick] [--out DIR] [--docs docs/performance.md] [--cases TEXT]

Models: Hugging Face ``transformers`` GPT-2 small, a Llama-architecture
model of 1.5 B parameters (hidden 2048, 16 layers, 32 heads, 8 KV heads,
vocabulary 128256, MLP 8192: Llama 3.2 1B's shape with untied embeddings)
and a smaller Llama (200 M), ViT-B/16 from ``transformers`` and, when timm
is installed, from timm.  A model that cannot be built here (library not
installed) is skipped.

Each model is measured in a process of its own, which builds it plain and
accelerated in turns (same process, same machine state, one model alive at
a time), after a warm-up build of a tiny model of the same architecture
both ways (imports, kernel loading, the first scan of ``sys.modules``).
Every build starts from ``torch.manual_seed(0)``.  Reported: the median
build time of each way, every raw time, parameters per second, and the
speed-up (plain median / accelerated median).  Writes ``models.json`` and
``models.md`` to ``--out`` (default ``bench/results``); with ``--docs``
it also rewrites that page's models table (between ``<!-- models:start -->``
and ``<!-- models:end -->``).
"""

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure this checkout, installed or not


def _transformers(cls_name, config_name, **config):
    def build():
        import transformers

        return getattr(transformers, cls_name)(getattr(transformers, config_name)(**config))

    return build


def _timm(name, **kwargs):
    def build():
        import timm

        return timm.create_model(name, pretrained=False, **kwargs)

    return build


LLAMA_1_5B = dict(
    hidden_size=2048,
    num_hidden_layers=16,
    num_attention_heads=32,
    num_key_value_heads=8,
    vocab_size=128256,
    intermediate_size=8192,
    tie_word_embeddings=False,
)
LLAMA_200M = dict(
    hidden_size=1024,
    num_hidden_layers=12,
    num_attention_heads=16,
    num_key_value_heads=4,
    vocab_size=32000,
    intermediate_size=2816,
    pad_token_id=0,
)

# name -> (build, tiny build of the same architecture for the warm-up, repeats)
MODELS = {
    "GPT-2 small (transformers)": (
        _transformers("GPT2LMHeadModel", "GPT2Config"),
        _transformers(
            "GPT2LMHeadModel",
            "GPT2Config",
            n_embd=64,
            n_layer=1,
            n_head=2,
            vocab_size=256,
            bos_token_id=0,
            eos_token_id=0,
        ),
        5,
    ),
    "Llama 200M (transformers)": (
        _transformers("LlamaForCausalLM", "LlamaConfig", **LLAMA_200M),
        _transformers(
            "LlamaForCausalLM",
            "LlamaConfig",
            hidden_size=64,
            num_hidden_layers=1,
            num_attention_heads=4,
            num_key_value_heads=2,
            vocab_size=256,
            intermediate_size=128,
        ),
        5,
    ),
    "Llama 1.5B (transformers)": (
        _transformers("LlamaForCausalLM", "LlamaConfig", **LLAMA_1_5B),
        _transformers(
            "LlamaForCausalLM",
            "LlamaConfig",
            hidden_size=64,
            num_hidden_layers=1,
            num_attention_heads=4,
            num_key_value_heads=2,
            vocab_size=256,
            intermediate_size=128,
        ),
        2,
    ),
    "ViT-B/16 (transformers)": (
        _transformers("ViTModel", "ViTConfig"),
        _transformers(
            "ViTModel",
            "ViTConfig",
            hidden_size=64,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=128,
        ),
        5,
    ),
    "ViT-B/16 (timm)": (_timm("vit_base_patch16_224"), _timm("vit_tiny_patch16_224", depth=1), 5),
}


def _build(make, accelerated):
    import torch

    import glorot_numba.torch as gnt

    torch.manual_seed(0)
    start = time.perf_counter()
    if accelerated:
        with gnt.accelerate():
            model = make()
    else:
        model = make()
    seconds = time.perf_counter() - start
    params = sum(p.numel() for p in model.parameters())
    del model
    gc.collect()
    return seconds, params


def _worker(name, repeats):
    """Measure one model; print one JSON row."""
    import torch

    make, tiny, default_repeats = MODELS[name]
    repeats = repeats or default_repeats
    for accelerated in (False, True):
        _build(tiny, accelerated)
    times = {"plain": [], "accelerate": []}
    params = 0
    for _ in range(repeats):
        for way in ("plain", "accelerate"):
            seconds, params = _build(make, way == "accelerate")
            times[way].append(seconds)
    plain, fast = (statistics.median(times[w]) for w in ("plain", "accelerate"))
    print(
        json.dumps(
            {
                "model": name,
                "parameters": params,
                "repeats": repeats,
                "plain_s": plain,
                "accelerate_s": fast,
                "speedup": plain / fast,
                "plain_params_per_s": params / plain,
                "accelerate_params_per_s": params / fast,
                "times": times,
                "torch_threads": torch.get_num_threads(),
            }
        )
    )


def run(names, repeats=None):
    rows = []
    for name in names:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        cmd = [sys.executable, "-m", "bench.models", "--worker", name]
        if repeats:
            cmd += ["--repeats", str(repeats)]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
        if proc.returncode != 0:
            last = proc.stderr.strip().splitlines()[-1:] or ["no output"]
            print(f"{name}: skipped ({last[0]})", flush=True)
            continue
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"{name:30s} {row['parameters'] / 1e6:8.1f} M params  plain "
            f"{row['plain_s']:8.3f} s  accelerate {row['accelerate_s']:8.3f} s  "
            f"{row['speedup']:5.2f}x  raw {row['times']}",
            flush=True,
        )
    return rows


def markdown(report):
    m = report["machine"]
    lines = [
        f"Measured {report['date']} on {m['cpu']}, {m['cores']} cores "
        f"({', '.join(f'{k} {v}' for k, v in m['versions'].items())}): building each model "
        "from its configuration (random weights, float32, CPU), plain and inside "
        "`glorot_numba.torch.accelerate()`, in turns in one process per model; median of "
        "the builds.",
        "",
        "| model | parameters | plain | `accelerate()` | speed-up "
        "| parameters/s, plain → accelerated |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in report["models"]:
        lines.append(
            f"| {r['model']} | {r['parameters'] / 1e6:,.0f} M | {r['plain_s']:.2f} s "
            f"| {r['accelerate_s']:.2f} s | {r['speedup']:.1f}× "
            f"| {r['plain_params_per_s'] / 1e6:,.0f} M "
            f"→ {r['accelerate_params_per_s'] / 1e6:,.0f} M |"
        )
    return "\n".join(lines) + "\n"


def _versions():
    import importlib.metadata

    versions = {}
    for dist in ("torch", "transformers", "timm"):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            pass
    return versions


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one build each way, and no 1.5 B model unless --cases names it",
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument(
        "--docs",
        default=None,
        metavar="PAGE",
        help="Markdown page whose models block to rewrite (docs/performance.md)",
    )
    parser.add_argument("--cases", default="", help="only the models whose name contains this")
    parser.add_argument("--models", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker, args.repeats)
        return 0
    names = [n for n in MODELS if args.cases in n]
    if args.quick and not args.cases:
        names = [n for n in names if "1.5B" not in n]
    if not names:
        parser.error(f"no model matches {args.cases!r}; known: {list(MODELS)}")

    from bench.run import machine, update_docs

    report = {"date": time.strftime("%Y-%m-%d"), "machine": machine()}
    report["machine"]["versions"].update(_versions())
    report["models"] = run(names, 1 if args.quick else None)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "models.json").write_text(json.dumps(report, indent=2))
    text = markdown(report)
    (out / "models.md").write_text(text)
    if args.docs:
        update_docs(args.docs, text, "models")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
