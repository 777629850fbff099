"""The conformance audit (glorot_numba.testing.audit and ``glorot-numba audit``).

End to end on the frameworks the ``test`` extra installs, with small n:
this library's own rows, PyTorch and JAX in this process, Keras on NumPy in
a process of its own.  Every statistical verdict uses the audit's fixed
seeds and its overall alpha = 1e-3 for the whole table.
"""

import json
import sys

import numpy as np
import pytest

import glorot_numba as gn
from glorot_numba import _producers
from glorot_numba import testing as gt
from glorot_numba.cli import main

ALL_DTYPES = ["float16", "bfloat16", "float32", "float64", "complex64", "complex128"]


def by_key(report):
    return {(r["framework"], r["producer"], r["dtype"]): r for r in report.rows}


def test_the_library_rows_all_fit():
    report = gt.audit(["glorot_numba"], n=10_000, progress=False)
    families = {p.name for p in gt.producers(["glorot_numba"])}
    assert {"glorot_numba.GlorotNormal", "glorot_numba.HeUniform"} <= families
    assert len(report.rows) == len(families) * len(ALL_DTYPES)
    assert report.passed, [r for r in report.rows if r["status"] != "fits"]
    assert report.alpha_row == pytest.approx(1e-3 / len(report.rows))
    assert report.fans == (80, 125) and report.n == 10_000
    seeds = [r["seed"] for r in report.rows]
    assert len(set(seeds)) == len(seeds), "each row has a seed of its own"
    again = gt.audit(["glorot_numba"], ["float32"], n=10_000, progress=False)
    assert [r["pvalues"] for r in again.rows] == [
        r["pvalues"] for r in report.rows if r["dtype"] == "float32"
    ], "fixed seeds"


def test_torch_and_jax_in_this_process():
    pytest.importorskip("torch")
    pytest.importorskip("jax")
    report = gt.audit(
        ["torch", "jax"], ["bfloat16", "float32", "complex64"], n=40_000, progress=False
    )
    rows = by_key(report)
    assert set(report.versions) == {"torch", "jax"}
    # float32: every producer fits.
    assert all(r["status"] == "fits" for r in report.rows if r["dtype"] == "float32")
    # The findings docs/auditing.md explains (a change here means a
    # framework changed: update the page).
    jax_bf16 = rows[("jax", "jax.nn.initializers.glorot_normal", "bfloat16")]
    assert jax_bf16["status"] == "does not fit" and jax_bf16["pvalues"]["cells"] < 1e-10
    jax_c64 = rows[("jax", "jax.nn.initializers.glorot_normal", "complex64")]
    assert jax_c64["status"] == "does not fit"
    assert any("beyond the bound" in f for f in jax_c64["failures"])
    assert jax_c64["std_ratio"] == pytest.approx(1.0093, abs=0.004)  # sqrt(1.0187)
    square = rows[("torch", "torch.nn.init.xavier_uniform_", "complex64")]
    assert square["status"] == "does not fit"
    assert square["std_ratio"] == pytest.approx(2**0.5, abs=0.01)
    assert rows[("torch", "torch.nn.init.xavier_normal_", "complex64")]["status"] == "fits"
    assert rows[("torch", "torch.nn.init.xavier_normal_", "bfloat16")]["status"] == "fits"
    text = report.to_markdown()
    assert "| jax | `jax.nn.initializers.glorot_normal` |" in text and "cells chi2/df" in text


def test_keras_backends_run_in_processes_of_their_own():
    pytest.importorskip("keras")
    report = gt.audit(["keras-numpy"], ["float32", "bfloat16"], n=10_000, progress=False)
    assert "keras-numpy" in report.versions and "on numpy" in report.versions["keras-numpy"]
    assert len(report.rows) == 14 and report.passed, report.misfits


def test_keras_on_jax_runs_here_when_loaded():
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "jax":
        pytest.skip("this process runs Keras on another backend")
    report = gt.audit(["keras-jax"], ["float32"], n=10_000, progress=False)
    assert report.passed and len(report.rows) == 7
    assert "on jax" in report.versions["keras-jax"]


def test_unknown_names_list_the_choices():
    with pytest.raises(
        ValueError,
        match="unknown framework 'caffe'; choose from glorot_numba, "
        "torch, jax, tensorflow, keras-jax",
    ):
        gt.audit(["caffe"])
    with pytest.raises(ValueError, match="unknown dtype 'float8'; choose from float16, bfloat16"):
        gt.audit(["glorot_numba"], ["float8"])
    with pytest.raises(ValueError, match="n must be an integer >= 100"):
        gt.audit(["glorot_numba"], n=50)
    with pytest.raises(ValueError, match="alpha"):
        gt.audit(["glorot_numba"], alpha=2.0)
    assert {p.framework for p in gt.producers("glorot_numba, torch")} == {"glorot_numba", "torch"}
    report = gt.audit("glorot_numba", "float32,bfloat16", n=100, progress=False)
    assert {r["dtype"] for r in report.rows} == {"float32", "bfloat16"}
    names = {p.framework for p in gt.producers(["keras"])}
    assert names == {"keras-jax", "keras-torch", "keras-numpy", "keras-tensorflow"}


def test_missing_and_broken_frameworks_are_skipped_with_the_reason(tmp_path, monkeypatch):
    (tmp_path / "broken_framework_for_audit.py").write_text("raise RuntimeError('no CPU')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(_producers.REQUIRES, "torch", ("no_such_framework_for_audit",))
    monkeypatch.setitem(_producers.REQUIRES, "jax", ("broken_framework_for_audit",))
    report = gt.audit(["glorot_numba", "torch", "jax"], ["float32"], n=1_000, progress=False)
    assert report.skipped["torch"] == "no_such_framework_for_audit is not installed"
    assert report.skipped["jax"].startswith(
        "broken_framework_for_audit failed to import (RuntimeError: no CPU)"
    )
    assert {r["framework"] for r in report.rows} == {"glorot_numba"} and report.passed
    assert "- skipped: jax (broken_framework_for_audit failed to import" in report.to_markdown()
    if "tensorflow" not in sys.modules:
        try:
            import tensorflow  # noqa: F401
        except ImportError:
            tf_report = gt.audit(["tensorflow"], n=1_000, progress=False)
            assert tf_report.rows == []
            assert tf_report.skipped == {"tensorflow": "tensorflow is not installed"}


def _uniform_draw(factor=1.0):
    def draw(shape, dtype, seed):
        limit = factor * np.sqrt(6.0 / sum(shape))
        return np.random.default_rng(seed).uniform(-limit, limit, shape).astype(dtype)

    return draw


def test_custom_producers_errors_and_plots(tmp_path):
    pytest.importorskip("matplotlib")

    def broken(shape, dtype, seed):
        raise RuntimeError("out of memory")

    mine = [
        gt.Producer(
            "right",
            "mine",
            1.0,
            "fan_avg",
            "uniform",
            _uniform_draw(),
            dtypes=("float32", "float64"),
        ),
        gt.Producer(
            "ten percent wide",
            "mine",
            1.0,
            "fan_avg",
            "uniform",
            _uniform_draw(1.1),
            dtypes=("float32",),
        ),
        gt.Producer("broken", "mine", 1.0, "fan_avg", "uniform", broken, dtypes=("float32",)),
        gt.Producer(
            "complex",
            "yours",
            1.0,
            "fan_avg",
            "untruncated_normal",
            lambda shape, dtype, seed: gn.GlorotNormal(seed=seed)(shape, dtype) * 1.05,
            dtypes=("complex64",),
        ),
    ]
    report = gt.audit(producers=mine, n=20_000, plot_dir=tmp_path / "plots", progress=False)
    status = {(r["producer"], r["dtype"]): r["status"] for r in report.rows}
    assert status == {
        ("right", "float32"): "fits",
        ("right", "float64"): "fits",
        ("ten percent wide", "float32"): "does not fit",
        ("broken", "float32"): "error",
        ("complex", "complex64"): "does not fit",
    }
    assert not report.passed and len(report.misfits) == 3
    rows = by_key(report)
    assert rows[("mine", "broken", "float32")]["reason"] == "RuntimeError: out of memory"
    plots = sorted(p.name for p in (tmp_path / "plots").iterdir())
    assert plots == ["mine__ten_percent_wide__float32.png", "yours__complex__complex64.png"]
    assert (
        gt.audit(producers=mine, frameworks=["yours"], n=1_000, progress=False).rows[0]["producer"]
        == "complex"
    )
    with pytest.raises(ValueError, match="unknown framework 'torch'; choose from mine, yours"):
        gt.audit(producers=mine, frameworks=["torch"])


def test_report_files(tmp_path):
    report = gt.audit(["glorot_numba"], ["bfloat16"], n=2_000, progress=False)
    report.save(tmp_path / "r.md")
    report.save(tmp_path / "r.json")
    text = (tmp_path / "r.md").read_text()
    assert text.startswith("# Initializer conformance audit")
    assert "Bonferroni" in text and "| glorot_numba | `glorot_numba.GlorotNormal` |" in text
    body = json.loads((tmp_path / "r.json").read_text())
    assert body["alpha"] == 1e-3 and body["counts"] == {"fits": 9}
    assert body["rows"][0]["pvalues"]["cells"] > 0
    with pytest.raises(ValueError, match=".md or .json"):
        report.save(tmp_path / "r.txt")


def test_progress_bar_without_tqdm(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    report = gt.audit(["glorot_numba"], ["float32"], n=1_000, progress=True)
    assert report.passed and capsys.readouterr().err == ""


def test_progress_bar_with_tqdm(capsys):
    pytest.importorskip("tqdm")
    gt.audit(["glorot_numba"], ["float32"], n=1_000, progress=True)
    assert "9/9" in capsys.readouterr().err


def test_cli(tmp_path, capsys):
    out = tmp_path / "audit.json"
    assert (
        main(
            [
                "audit",
                "--frameworks",
                "glorot_numba",
                "--dtypes",
                "float32,complex128",
                "-n",
                "2000",
                "-o",
                str(out),
                "--no-progress",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "| glorot_numba | `glorot_numba.GlorotNormal` |" in printed and "saved" in printed
    assert len(json.loads(out.read_text())["rows"]) == 18
    assert main(["audit", "--frameworks", "caffe"]) == 2
    err = capsys.readouterr().err
    assert "unknown framework 'caffe'; choose from glorot_numba, torch" in err
    assert main(["audit", "--dtypes", "int8"]) == 2
    assert "unknown dtype 'int8'" in capsys.readouterr().err
    assert main(["audit", "--frameworks", "glorot_numba", "-o", str(tmp_path / "a.csv")]) == 2
    assert "-o must end in .md or .json" in capsys.readouterr().err


def test_cli_exit_status_1_on_a_misfit(tmp_path, capsys):
    # From the command line JAX runs in a process of its own, with x64 on:
    # its float64 rows are drawn in float64 and fit; bfloat16 does not.
    pytest.importorskip("jax")
    out = tmp_path / "jax.json"
    assert (
        main(
            [
                "audit",
                "--frameworks",
                "jax",
                "--dtypes",
                "bfloat16",
                "float64",
                "-n",
                "40000",
                "-o",
                str(out),
                "--no-progress",
            ]
        )
        == 1
    )
    assert "does not fit" in capsys.readouterr().out
    body = json.loads(out.read_text())
    assert "jax" in body["versions"]
    status = {r["dtype"]: set() for r in body["rows"]}
    for row in body["rows"]:
        status[row["dtype"]].add(row["status"])
    assert status == {"bfloat16": {"does not fit"}, "float64": {"fits"}}
