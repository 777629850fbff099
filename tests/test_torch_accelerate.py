"""glorot_numba.torch.accelerate: torch.nn.init drawn by the engine while a block is active.

What is checked: every place that holds one of PyTorch's functions holds the
engine's while a block is active and PyTorch's again afterwards (after an
exception too, with nesting and with threads); the engine really draws
(its values, for the generator's key); reproducibility under
``torch.manual_seed``; and, when ``transformers`` is installed, a small
model built through it.
"""

import importlib
import math
import sys
import threading
import types

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install '.[torch]')")

import glorot_numba.torch as gnt  # noqa: E402
from glorot_numba import _torch_init, _torch_patch  # noqa: E402

from .naive import torch_law  # noqa: E402

NAMES = _torch_init.NAMES
ORIGINAL = {name: gnt.accelerate.original(name) for name in NAMES}


def sites():
    """Every module attribute and module-level dict entry (one level down)
    that holds PyTorch's function or its replacement, found by brute force."""
    wanted = {id(f): n for n, f in ORIGINAL.items()}
    wanted.update({id(f): n for n, f in _torch_patch.REPLACEMENTS.items()})
    found = {}
    own = {
        id(_torch_patch.ORIGINALS),
        id(_torch_patch.REPLACEMENTS),
        id(_torch_patch.IMPLEMENTATIONS),
        id(ORIGINAL),
    }
    for mod_name, module in list(sys.modules.items()):
        if not isinstance(module, types.ModuleType):
            continue
        for key, value in list(vars(module).items()):
            if id(value) in wanted:
                found[(mod_name, key)] = value
            elif type(value) is dict and id(value) not in own:
                for k, v in list(value.items()):
                    if id(v) in wanted:
                        found[(mod_name, key, k)] = v
    return found


def assert_all_original():
    for where, value in sites().items():
        name = where[-1] if isinstance(where[-1], str) and where[-1] in NAMES else None
        assert value is ORIGINAL.get(name, value) and not hasattr(
            value, "__glorot_numba_replaces__"
        ), where


def assert_all_replaced():
    found = sites()
    for where, value in found.items():
        assert hasattr(value, "__glorot_numba_replaces__"), where
    return found


@pytest.fixture(autouse=True)
def _no_block_left():
    assert not _torch_patch._blocks
    yield
    assert not _torch_patch._blocks
    assert_all_original()


# --------------------------------------------------------------------------
# What is swapped, and back
# --------------------------------------------------------------------------


def test_every_site_is_swapped_and_restored():
    assert_all_original()
    before = sites()
    with gnt.accelerate():
        during = assert_all_replaced()
        assert set(during) == set(before)
        for name in NAMES:
            assert getattr(torch.nn.init, name) is _torch_patch.REPLACEMENTS[name]
        # torch's own modules that bound names at import (found, not listed):
        assert (
            torch.nn.modules.activation.xavier_uniform_
            is _torch_patch.REPLACEMENTS["xavier_uniform_"]
        )
    after = sites()
    assert after == before


def test_replacements_keep_torchs_signatures_and_names():
    import inspect

    with gnt.accelerate():
        for name in NAMES:
            f = getattr(torch.nn.init, name)
            assert f.__name__ == name and f.__doc__ == ORIGINAL[name].__doc__
            assert inspect.signature(f) == inspect.signature(ORIGINAL[name])


def test_tables_and_late_imports(tmp_path, monkeypatch):
    # A table made before the block, and a module imported during it that
    # binds names and builds a table of its own.
    early = types.ModuleType("gn_test_early_table")
    early.TABLE = {"normal_": torch.nn.init.normal_, "other": len}
    monkeypatch.setitem(sys.modules, early.__name__, early)
    (tmp_path / "gn_test_late_import.py").write_text(
        "import torch.nn.init\n"
        "from torch.nn.init import trunc_normal_\n"
        "TABLE = {'kaiming_uniform_': torch.nn.init.kaiming_uniform_}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with gnt.accelerate():
        assert early.TABLE["normal_"] is _torch_patch.REPLACEMENTS["normal_"]
        late = importlib.import_module("gn_test_late_import")
        assert late.trunc_normal_ is _torch_patch.REPLACEMENTS["trunc_normal_"]
    assert early.TABLE == {"normal_": ORIGINAL["normal_"], "other": len}
    assert late.trunc_normal_ is ORIGINAL["trunc_normal_"]
    assert late.TABLE["kaiming_uniform_"] is ORIGINAL["kaiming_uniform_"]
    monkeypatch.delitem(sys.modules, "gn_test_late_import")


def test_a_site_changed_by_someone_else_is_left_to_them():
    with gnt.accelerate():
        mine = torch.nn.init.sparse_  # not a random function we swap: untouched
        torch.nn.init.normal_ = mine
    try:
        assert torch.nn.init.normal_ is mine
    finally:
        torch.nn.init.normal_ = ORIGINAL["normal_"]


def test_restored_after_an_exception():
    with pytest.raises(KeyError, match="boom"):
        with gnt.accelerate():
            torch.nn.Linear(3, 3)
            raise KeyError("boom")
    assert_all_original()


def test_nesting_and_the_decorator():
    @gnt.accelerate()
    def inner():
        assert gnt.accelerate.active()
        return torch.nn.init.normal_ is _torch_patch.REPLACEMENTS["normal_"]

    with gnt.accelerate() as block:
        assert block.active()
        with gnt.accelerate():
            assert inner()
        assert gnt.accelerate.active()
        assert torch.nn.init.normal_ is _torch_patch.REPLACEMENTS["normal_"]
    assert not gnt.accelerate.active()
    assert torch.nn.init.normal_ is ORIGINAL["normal_"]
    assert inner()  # the same decorator instance, entered again


def test_exit_without_enter_is_refused():
    with pytest.raises(RuntimeError, match="no accelerate"):
        gnt.accelerate().__exit__(None, None, None)


# --------------------------------------------------------------------------
# The engine draws, with the generator's keys
# --------------------------------------------------------------------------

ENGINE_CALLS = [
    ("normal_", (0.5, 0.02), {}),
    ("uniform_", (-0.2, 0.3), {}),
    ("trunc_normal_", (0.0, 0.02), {}),
    ("trunc_normal_", (0.0, 1.0, 1.0, 2.5), {}),
    ("xavier_uniform_", (1.5,), {}),
    ("xavier_normal_", (), {"gain": 0.5}),
    ("kaiming_uniform_", (), {"a": math.sqrt(5)}),
    ("kaiming_normal_", (), {"mode": "fan_out", "nonlinearity": "relu"}),
]


@pytest.mark.parametrize("name, args, kwargs", ENGINE_CALLS)
def test_calls_inside_draw_the_engines_values(name, args, kwargs):
    engine = torch.empty(64, 48)
    getattr(_torch_init, name)(engine, *args, generator=torch.Generator().manual_seed(9), **kwargs)
    through = torch.empty(64, 48)
    with gnt.accelerate():
        getattr(torch.nn.init, name)(
            through, *args, generator=torch.Generator().manual_seed(9), **kwargs
        )
    assert torch.equal(through, engine)
    outside = torch.empty(64, 48)
    getattr(torch.nn.init, name)(
        outside, *args, generator=torch.Generator().manual_seed(9), **kwargs
    )
    reference = torch.empty(64, 48)
    ORIGINAL[name](reference, *args, generator=torch.Generator().manual_seed(9), **kwargs)
    assert torch.equal(outside, reference) and not torch.equal(outside, through)


def test_xavier_and_kaiming_normal_are_untruncated_inside():
    # 4.55 % of a normal lies beyond 2 sigma; 65536 draws give 4.55 +- 0.2 %
    # (> 6 standard errors); a truncated draw has none.
    with gnt.accelerate():
        torch.manual_seed(0)
        w = torch.nn.init.xavier_normal_(torch.empty(256, 256, dtype=torch.float64))
        k = torch.nn.init.kaiming_normal_(torch.empty(256, 256, dtype=torch.float64))
    for t, std in ((w, math.sqrt(2.0 / 512)), (k, math.sqrt(2.0 / 256))):
        beyond = float((t.abs() > 2 * std).double().mean())
        assert abs(beyond - 0.0455) < 0.002


def test_zero_element_warning_names_the_caller():
    with gnt.accelerate():
        with pytest.warns(UserWarning, match="zero-element") as caught:
            torch.nn.init.kaiming_uniform_(torch.empty(0, 3))
    assert caught[0].filename == __file__


def test_not_intercepted_stays_torchs():
    g1, g2 = torch.Generator().manual_seed(2), torch.Generator().manual_seed(2)
    with gnt.accelerate():
        a = torch.empty(20, 20).normal_(generator=g1)  # a tensor method
        o = torch.nn.init.orthogonal_(torch.empty(5, 5))
        with pytest.warns(FutureWarning, match="deprecated"):
            torch.nn.init.normal(torch.empty(3))  # the deprecated alias
    assert torch.equal(a, torch.empty(20, 20).normal_(generator=g2))
    assert torch.allclose(o @ o.T, torch.eye(5), atol=1e-5)


def test_modules_built_inside_are_reproducible_and_seeded():
    def build(seed):
        torch.manual_seed(seed)
        return torch.nn.Sequential(
            torch.nn.Conv2d(3, 16, 3),
            torch.nn.Flatten(),
            torch.nn.Linear(16 * 30 * 30, 64),
            torch.nn.MultiheadAttention(64, 4),
            torch.nn.Embedding(100, 64),
        )

    with gnt.accelerate():
        a, b, c = build(0), build(0), build(1)
    plain = build(0)
    for pa, pb, pc, pp in zip(
        a.parameters(), b.parameters(), c.parameters(), plain.parameters(), strict=True
    ):
        assert torch.equal(pa, pb)
        if pa.numel() > 1 and float(pa.detach().std()) > 0:  # random, not zeros
            assert not torch.equal(pa, pc) and not torch.equal(pa, pp)


def test_every_random_init_of_torch_modules_goes_through_the_engine(monkeypatch):
    calls = []

    def recording(name):
        def record(tensor, *args, **kwargs):
            calls.append((name, tensor))
            return _torch_init.__dict__[name](tensor, *args, **kwargs)

        return record

    for name in NAMES:
        monkeypatch.setitem(_torch_patch.IMPLEMENTATIONS, name, recording(name))
    with gnt.accelerate():
        mha = torch.nn.MultiheadAttention(32, 4)
        lin = torch.nn.Linear(8, 4)
        emb = torch.nn.Embedding(10, 4, padding_idx=0)
    drawn = {id(t): name for name, t in calls}
    assert drawn[id(mha.in_proj_weight)] == "xavier_uniform_"  # a name bound at import
    assert drawn[id(lin.weight)] == "kaiming_uniform_"
    assert drawn[id(lin.bias)] == "uniform_"
    assert drawn[id(emb.weight)] == "normal_"
    assert not emb.weight[0].any()  # the padding row, zeroed after the draw


# --------------------------------------------------------------------------
# Threads and contexts
# --------------------------------------------------------------------------


def test_a_thread_outside_the_block_keeps_torchs_values():
    inside, release = threading.Event(), threading.Event()
    result = {}

    def block():
        with gnt.accelerate():
            inside.set()
            release.wait()  # set by the finally clause below

    worker = threading.Thread(target=block)
    worker.start()
    try:
        assert inside.wait(30)
        assert torch.nn.init.normal_ is _torch_patch.REPLACEMENTS["normal_"]
        assert not gnt.accelerate.active()
        result["here"] = torch.nn.init.normal_(
            torch.empty(50), generator=torch.Generator().manual_seed(1)
        )
    finally:
        release.set()
        worker.join()
    reference = ORIGINAL["normal_"](torch.empty(50), generator=torch.Generator().manual_seed(1))
    assert torch.equal(result["here"], reference)


def test_many_threads_entering_and_leaving():
    errors = []
    barrier = threading.Barrier(8)

    def work(i):
        try:
            barrier.wait()  # all eight threads are started below
            for j in range(20):
                with gnt.accelerate():
                    with gnt.accelerate():
                        t = torch.nn.init.normal_(
                            torch.empty(16, 16), generator=torch.Generator().manual_seed(i)
                        )
                    expected = _torch_init.normal_(
                        torch.empty(16, 16), generator=torch.Generator().manual_seed(i)
                    )
                    if not torch.equal(t, expected):
                        errors.append((i, j))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert_all_original()


# --------------------------------------------------------------------------
# A Hugging Face model
# --------------------------------------------------------------------------


def _transformers():
    return pytest.importorskip("transformers", reason="transformers is not installed")


def tiny_gpt2():
    tf = _transformers()
    config = tf.GPT2Config(
        n_embd=64,
        n_layer=2,
        n_head=4,
        vocab_size=512,
        n_positions=64,
        bos_token_id=0,
        eos_token_id=0,
    )
    return tf.GPT2LMHeadModel(config)


def tiny_llama():
    tf = _transformers()
    config = tf.LlamaConfig(
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=512,
        max_position_embeddings=64,
    )
    return tf.LlamaForCausalLM(config)


@pytest.mark.parametrize("build", [tiny_gpt2, tiny_llama], ids=["gpt2", "llama"])
def test_transformers_model(build, monkeypatch):
    laws = {}

    def recording(name):
        def record(tensor, *args, **kwargs):
            kwargs.pop("stacklevel", None)
            laws[id(tensor)] = torch_law(ORIGINAL[name], tensor, *args, **kwargs)
            return _torch_init.__dict__[name](tensor, *args, **kwargs)

        return record

    build()  # transformers' modules imported and scanned before the block
    for name in NAMES:
        monkeypatch.setitem(_torch_patch.IMPLEMENTATIONS, name, recording(name))
    with gnt.accelerate():
        torch.manual_seed(0)
        model = build()
        torch.manual_seed(0)
        twin = build()
        torch.manual_seed(1)
        other = build()
    assert_all_original()
    params = dict(model.named_parameters())
    for (name, p), q, r in zip(params.items(), twin.parameters(), other.parameters(), strict=True):
        assert torch.equal(p, q), name
        if id(p) in laws:
            law = laws[id(p)]
            assert not torch.equal(p, r), name
            # transformers draws its weights from N(0, initializer_range), some
            # scaled down (GPT-2's residual projections: by sqrt(2 n_layer)).
            assert law[0] == "normal" and law[1] == 0.0, name
            assert 0 < law[2] <= model.config.initializer_range, name
            assert abs(float(p.detach().std()) / law[2] - 1) < 0.2, name  # >= 4096 draws: SE < 2 %
        else:  # zeros and ones: not drawn
            assert bool(((p == 0) | (p == 1)).all()), name
    assert any(id(p) in laws for p in params.values())
    x = torch.randint(0, 512, (2, 10))
    with torch.no_grad():
        assert torch.isfinite(model(x).logits).all()
