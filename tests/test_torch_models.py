"""Real models built inside accelerate(), checked parameter by parameter.

For each model, three builds from ``torch.manual_seed(0)``:

1. a *tracing* build inside ``accelerate()`` whose random functions record,
   for each tensor they are given, the law PyTorch would draw it from
   (:func:`tests.naive.torch_law`, worked out from PyTorch's documentation)
   and fill it with NaN instead of drawing: after the build, the NaN
   elements of each parameter are those whose last writer was a random
   function, and the recorded law is the one they must follow;
2. a plain PyTorch build: every other element (zeros, ones, padding rows)
   must be PyTorch's, equal in the tracing build -- an element that is not
   NaN but differs was drawn by something that is not intercepted;
3. a build inside ``accelerate()``: each parameter's drawn elements must
   pass the statistical checks against their law, and the other elements
   must equal PyTorch's.

Statistical checks: ``glorot_numba.testing.check_distribution`` (support,
mean, variance, Kolmogorov-Smirnov, Cramer-von Mises, distance of the
extremes to finite bounds) on every parameter's drawn elements -- on every
k-th of them for the largest weights, at most 2**21 -- and, on every drawn
element, the support and the first two moments against SciPy's law.  Each
parameter is tested at alpha = 1e-6, so that a model of a few hundred
parameters fails by chance with probability below 1e-3 for a seed picked at
random; the seed is fixed.

The default run builds tiny configurations of each architecture; the real
sizes (GPT-2 small, Llama 200M and 1.5B, ViT-B/16) are behind
``@pytest.mark.slow`` (the 1.5 B model needs about 7 GB and minutes).
"""

import math

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install '.[torch]')")
transformers = pytest.importorskip("transformers", reason="transformers is not installed")

import glorot_numba as gn  # noqa: E402
import glorot_numba.torch as gnt  # noqa: E402
from glorot_numba import _torch_patch  # noqa: E402
from glorot_numba.testing import check_distribution  # noqa: E402

from . import naive  # noqa: E402
from .naive import torch_law  # noqa: E402

ALPHA = 1e-6
CHECKED = 1 << 20


def tracing_implementation(name, laws):
    """A random function that records its law and writes NaN."""
    original = gnt.accelerate.original(name)

    def trace(tensor, *args, **kwargs):
        kwargs.pop("stacklevel", None)
        law = torch_law(original, tensor, *args, **kwargs)
        laws[(tensor.data_ptr(), tuple(tensor.shape), tuple(tensor.stride()))] = law
        with torch.no_grad():
            tensor.fill_(math.nan)
        return tensor

    return trace


def parameters(model):
    return dict(model.named_parameters())


def key_of(p):
    return (p.data_ptr(), tuple(p.shape), tuple(p.stride()))


def build(make, accelerated=True, trace=None):
    """``make()`` from ``torch.manual_seed(0)``, plain or inside ``accelerate()``;
    with ``trace`` (a dict), a tracing build that fills it with the laws."""
    torch.manual_seed(0)
    if not accelerated:
        return make()
    with pytest.MonkeyPatch.context() as m:
        if trace is not None:
            for name in _torch_patch.NAMES:
                m.setitem(_torch_patch.IMPLEMENTATIONS, name, tracing_implementation(name, trace))
        with gnt.accelerate():
            return make()


def as_initializer(law):
    kind, *p = law
    if kind == "normal":
        return gn.RandomNormal(p[0], p[1])
    if kind == "uniform":
        return gn.RandomUniform(p[0], p[1])
    return gn.TruncatedNormal(p[0], abs(p[1]), lower=p[2], upper=p[3])


def check_model(make):
    """The three builds of the module docstring; returns a summary."""
    laws = {}
    traced = build(make, trace=laws)
    drawn, fixed = {}, {}
    for name, p in parameters(traced).items():
        mask = torch.isnan(p.detach())
        if mask.any():
            assert key_of(p) in laws, f"{name}: NaN written through a view of it"
            drawn[name] = (laws[key_of(p)], None if bool(mask.all()) else mask)
        if not bool(mask.all()):  # (a full mask of a large weight would cost memory)
            fixed[name] = (~mask, p.detach()[~mask].clone())
    del traced

    plain = parameters(build(make, accelerated=False))
    for name, (keep, values) in fixed.items():
        assert torch.equal(plain[name].detach()[keep], values), (
            f"{name}: drawn by something accelerate() does not intercept"
        )
    del plain

    model = parameters(build(make))
    assert set(model) == set(fixed) | set(drawn)
    summary = {"drawn": 0, "fixed": 0}
    for name, p in model.items():
        if name in fixed:
            keep, values = fixed[name]
            assert torch.equal(p.detach()[keep], values), f"{name}: not PyTorch's where not drawn"
            summary["fixed"] += int(keep.sum())
        if name not in drawn:
            continue
        law, mask = drawn[name]
        samples = p.detach() if mask is None else p.detach()[mask]
        x = samples.to(torch.float64).numpy().ravel()
        failures = naive.moment_failures(x, law, ALPHA)
        assert not failures, f"{name} ({law}): {failures}"
        # Elements are independent of their positions: every k-th will do.
        checked = samples.numpy().ravel()[:: max(1, x.size // CHECKED)]
        if checked.size >= 100:  # (check_distribution's minimum)
            # The parameters are float32's, as PyTorch computes them.
            report = check_distribution(
                checked, as_initializer(law), alpha=ALPHA, round_params=False
            )
            assert report.passed, f"{name} ({law}):\n{report}"
        summary["drawn"] += x.size
    assert summary["drawn"] > 0
    return summary


def gpt2(**config):
    return lambda: transformers.GPT2LMHeadModel(transformers.GPT2Config(**config))


def llama(**config):
    return lambda: transformers.LlamaForCausalLM(transformers.LlamaConfig(**config))


def vit(**config):
    return lambda: transformers.ViTModel(transformers.ViTConfig(**config))


TINY = {
    "gpt2": gpt2(
        n_embd=64,
        n_layer=2,
        n_head=4,
        vocab_size=1000,
        n_positions=64,
        bos_token_id=0,
        eos_token_id=0,
    ),
    "llama": llama(
        hidden_size=64,
        intermediate_size=160,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=1000,
        pad_token_id=0,
    ),
    "vit": vit(
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=128,
        image_size=64,
        patch_size=16,
    ),
}

REAL = {
    "gpt2-small": gpt2(),
    "llama-200m": llama(
        hidden_size=1024,
        num_hidden_layers=12,
        num_attention_heads=16,
        num_key_value_heads=4,
        vocab_size=32000,
        intermediate_size=2816,
        pad_token_id=0,
    ),
    "vit-b16": vit(),
    "llama-1.5b": llama(
        hidden_size=2048,
        num_hidden_layers=16,
        num_attention_heads=32,
        num_key_value_heads=8,
        vocab_size=128256,
        intermediate_size=8192,
        tie_word_embeddings=False,
    ),
}


@pytest.mark.parametrize("model", list(TINY))
def test_tiny_models(model):
    summary = check_model(TINY[model])
    assert summary["fixed"] > 0


def test_padding_rows_stay_zero():
    make = TINY["llama"]
    model = build(make)
    assert not model.model.embed_tokens.weight[0].any()
    assert model.model.embed_tokens.weight[1].all()


@pytest.mark.slow
@pytest.mark.parametrize("model", list(REAL))
def test_real_models(model):
    check_model(REAL[model])
