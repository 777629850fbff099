"""The command line, end to end: ``python -m glorot_numba init ...``.

Most cases call ``glorot_numba.cli.main`` in-process (fast); two run the
module in a subprocess, each paying one Numba compilation.
"""

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

import glorot_numba as gn
from glorot_numba.cli import main

ROOT = Path(__file__).resolve().parents[1]
TRUNC_STD = 0.87962566103423978
NUM = r"([-+0-9.eE]+|inf|nan)"


def same_bits(a, b):
    return (a.dtype == b.dtype and a.shape == b.shape
            and np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes())


def parse(stdout):
    """The summary as a dict of label -> rest of line."""
    fields = {}
    for line in stdout.splitlines():
        label, sep, rest = line.partition(":")
        if sep:
            fields[label.strip()] = rest.strip()
    return fields


def check_summary(stdout, w, shape, dtype_name, fans, std, bound):
    f = parse(stdout)
    assert f["shape"] == f"{shape}  ({w.size} elements)"
    assert f["dtype"] == dtype_name
    assert f["fans"] == f"fan_in={fans[0]} fan_out={fans[1]}"
    m = re.fullmatch(rf"{NUM}  \(bound {NUM}\)", f["target std"])
    assert m, f["target std"]
    assert float(m[1]) == pytest.approx(std, rel=1e-5)
    assert float(m[2]) == pytest.approx(bound, rel=1e-5)
    if w.size:
        m = re.fullmatch(rf"mean={NUM} std={NUM} min={NUM} max={NUM}", f["observed"])
        assert m, f["observed"]
        w64 = w.astype(np.float64)
        mean, sd, lo, hi = (float(m[i]) for i in range(1, 5))
        assert mean == pytest.approx(w64.mean(), rel=1e-4, abs=1e-12)
        assert sd == pytest.approx(w64.std(), rel=1e-4)
        assert lo == pytest.approx(w64.min(), rel=1e-4)
        assert hi == pytest.approx(w64.max(), rel=1e-4)
    else:
        assert "observed" not in f
    m = re.fullmatch(rf"{NUM} ms \({NUM} M samples/s\); first call {NUM} ms "
                     r"\(loads or compiles the kernels\)", f["time"])
    assert m, f["time"]
    assert float(m[1]) >= 0.0 and float(m[2]) >= 0.0 and float(m[3]) >= 0.0
    return f


def run_main(capsys, *argv):
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


# --------------------------------------------------------------------------
# Subprocess: the real entry point (2 runs)
# --------------------------------------------------------------------------


def run_module(*argv):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "glorot_numba", *map(str, argv)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_subprocess_init_saves_the_glorot_draw(tmp_path):
    path = tmp_path / "w.npy"
    proc = run_module("init", "784", "256", "--seed", "42", "-o", path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "Warning" not in proc.stderr
    fan_in, fan_out = 784, 256
    std = math.sqrt(2 / (fan_in + fan_out))
    expected = gn.GlorotNormal(seed=42)((784, 256))
    f = check_summary(proc.stdout, expected, (784, 256), "float32", (fan_in, fan_out), std,
                      2 * std / TRUNC_STD)
    assert f["initializer"] == "GlorotNormal(seed=42, dtype='float32')"
    assert f["saved"] == str(path)
    saved = np.load(path)
    assert same_bits(saved, expected)


def test_subprocess_bad_dim_fails_cleanly():
    proc = run_module("init", "-1", "3", "--seed", "1")
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert re.search(r"error.*-1", proc.stderr), proc.stderr
    assert proc.stdout == ""


# --------------------------------------------------------------------------
# In-process
# --------------------------------------------------------------------------


def test_main_default_glorot(capsys, tmp_path):
    path = tmp_path / "a.npy"
    rc, out, err = run_main(capsys, "init", 784, 256, "--seed", 42, "-o", path)
    assert rc == 0 and err == ""
    expected = gn.GlorotNormal(seed=42)((784, 256))
    std = math.sqrt(2 / 1040)
    check_summary(out, expected, (784, 256), "float32", (784, 256), std, 2 * std / TRUNC_STD)
    assert same_bits(np.load(path), expected)


def test_main_float64(capsys, tmp_path):
    path = tmp_path / "f64.npy"
    rc, out, err = run_main(capsys, "init", 3, 3, 16, 32, "--seed", 7, "--dtype", "float64",
                            "-o", path)
    assert rc == 0 and err == ""
    expected = gn.GlorotNormal(seed=7)((3, 3, 16, 32), "float64")
    std = math.sqrt(2 / (144 + 288))
    check_summary(out, expected, (3, 3, 16, 32), "float64", (144, 288), std,
                  2 * std / TRUNC_STD)
    saved = np.load(path)
    assert saved.dtype == np.float64
    assert same_bits(saved, expected)


def test_main_bfloat16_bytes(capsys, tmp_path):
    path = tmp_path / "bf16.npy"
    rc, out, err = run_main(capsys, "init", 100, 60, "--seed", 3, "--dtype", "bfloat16",
                            "-o", path)
    assert rc == 0 and err == ""
    expected = gn.GlorotNormal(seed=3)((100, 60), ml_dtypes.bfloat16)
    std = math.sqrt(2 / 160)
    check_summary(out, expected, (100, 60), "bfloat16", (100, 60), std, 2 * std / TRUNC_STD)
    saved = np.load(path)
    assert saved.shape == (100, 60) and saved.dtype == np.float32
    assert saved.astype(ml_dtypes.bfloat16).tobytes() == expected.tobytes()
    assert "as float32, exact" in out


def test_main_bfloat16_file_round_trips_exactly(capsys, tmp_path):
    """.npy has no bfloat16 type, so the file holds the values as float32,
    which represents every bfloat16 exactly: loading and casting back gives
    the original bits, and the file is usable without ml_dtypes."""
    path = tmp_path / "bf16.npy"
    assert main(["init", "10", "6", "--seed", "3", "--dtype", "bfloat16", "-o", str(path)]) == 0
    capsys.readouterr()
    saved = np.load(path)
    assert saved.dtype == np.float32
    expected = gn.GlorotNormal(seed=3)((10, 6), "bfloat16")
    assert same_bits(saved.astype(ml_dtypes.bfloat16), expected)
    assert np.array_equal(saved, expected.astype(np.float32))


def test_main_float16(capsys, tmp_path):
    path = tmp_path / "f16.npy"
    rc, out, err = run_main(capsys, "init", 50, 70, "--seed", 5, "--dtype", "float16",
                            "-o", path)
    assert rc == 0 and err == ""
    saved = np.load(path)
    assert same_bits(saved, gn.GlorotNormal(seed=5)((50, 70), "float16"))


def test_main_variance_scaling_uniform(capsys, tmp_path):
    path = tmp_path / "u.npy"
    rc, out, err = run_main(capsys, "init", 784, 256, "--seed", 42, "--scale", 2,
                            "--mode", "fan_in", "--distribution", "uniform", "-o", path)
    assert rc == 0 and err == ""
    expected = gn.VarianceScaling(2.0, "fan_in", "uniform", seed=42)((784, 256))
    std = math.sqrt(2 / 784)
    f = check_summary(out, expected, (784, 256), "float32", (784, 256), std,
                      math.sqrt(3) * std)
    assert f["initializer"].startswith("VarianceScaling(scale=2.0, mode='fan_in', "
                                       "distribution='uniform', seed=42")
    saved = np.load(path)
    assert same_bits(saved, expected)
    assert not np.array_equal(saved, gn.GlorotNormal(seed=42)((784, 256)))


@pytest.mark.parametrize("argv, config", [
    (["--mode", "fan_out"], (1.0, "fan_out", "truncated_normal")),
    (["--scale", "0.5"], (0.5, "fan_avg", "truncated_normal")),
    (["--distribution", "untruncated_normal"], (1.0, "fan_avg", "untruncated_normal")),
], ids=["mode-only", "scale-only", "distribution-only"])
def test_main_partial_variance_scaling_defaults(capsys, tmp_path, argv, config):
    path = tmp_path / "p.npy"
    rc, out, err = run_main(capsys, "init", 40, 30, "--seed", 1, *argv, "-o", path)
    assert rc == 0 and err == ""
    expected = gn.VarianceScaling(*config, seed=1)((40, 30))
    assert same_bits(np.load(path), expected)
    scale, mode, dist = config
    n = {"fan_in": 40, "fan_out": 30, "fan_avg": 35}[mode]
    std = math.sqrt(scale / n)
    bound = math.inf if dist == "untruncated_normal" else 2 * std / TRUNC_STD
    check_summary(out, expected, (40, 30), "float32", (40, 30), std, bound)


def test_main_scalar_shape(capsys, tmp_path):
    path = tmp_path / "s.npy"
    rc, out, err = run_main(capsys, "init", "--seed", 9, "-o", path)
    assert rc == 0 and err == ""
    expected = gn.GlorotNormal(seed=9)(())
    std = 1.0  # fans (1, 1) -> n = 1
    check_summary(out, expected, (), "float32", (1, 1), std, 2 / TRUNC_STD)
    saved = np.load(path)
    assert saved.shape == () and same_bits(saved, expected)


def test_main_empty_shape(capsys):
    rc, out, err = run_main(capsys, "init", 3, 3, 0, 8, "--seed", 1)
    assert rc == 0 and err == ""
    std = math.sqrt(1 / 36)  # fans (0, 72): n = 36 (research section 8, row 7)
    check_summary(out, np.empty((3, 3, 0, 8), np.float32), (3, 3, 0, 8), "float32", (0, 72),
                  std, 2 * std / TRUNC_STD)


def test_main_without_output_writes_nothing(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc, out, err = run_main(capsys, "init", 8, 4, "--seed", 1)
    assert rc == 0 and err == ""
    assert "saved" not in parse(out)
    assert list(tmp_path.iterdir()) == []


def test_main_unseeded_runs(capsys):
    rc, out, err = run_main(capsys, "init", 8, 4)
    assert rc == 0 and err == ""
    assert parse(out)["initializer"] == "GlorotNormal(seed=None, dtype='float32')"


@pytest.mark.parametrize("argv, fragment", [
    (["init", "-1", "3"], r"-1"),
    (["init", "4", "-3", "--seed", "1"], r"-3"),
    (["init", "4", "3", "--scale", "0"], r"scale"),
    (["init", "4", "3", "--scale", "nan"], r"scale"),
    (["init", "4", "3", "--scale", "-2"], r"scale"),
    (["init", "4", "3", "--seed", "1", "--scale", "1e80"], r"float32"),
], ids=["negative-first-dim", "negative-last-dim", "scale-zero", "scale-nan",
        "scale-negative", "scale-unrepresentable"])
def test_main_library_errors(capsys, argv, fragment):
    rc = main(argv)
    out, err = capsys.readouterr()
    assert rc == 2
    assert err.startswith("glorot-numba: error:")
    assert re.search(fragment, err), err
    assert "Traceback" not in err
    assert out == ""


def test_main_unwritable_output(capsys, tmp_path):
    rc = main(["init", "4", "3", "--seed", "1", "-o", str(tmp_path / "no" / "such" / "w.npy")])
    out, err = capsys.readouterr()
    assert rc != 0
    assert "glorot-numba: error:" in err and "Traceback" not in err


@pytest.mark.parametrize("argv, fragment", [
    (["init", "4", "3", "--dtype", "int32"], r"int32"),
    (["init", "4", "3", "--dtype", "complex64"], r"complex64"),
    (["init", "4.5", "3"], r"4\.5"),
    (["init", "4", "3", "--seed", "1.5"], r"1\.5"),
    (["init", "4", "3", "--mode", "FAN_IN"], r"FAN_IN"),
    (["init", "4", "3", "--distribution", "gaussian"], r"gaussian"),
    (["init", "4", "3", "--scale", "a"], r"'a'"),
    ([], r"command"),
    (["frobnicate"], r"frobnicate"),
], ids=["dtype-int32", "dtype-complex64", "float-dim", "float-seed", "mode-upper",
        "distribution-gaussian", "scale-str", "no-command", "unknown-command"])
def test_main_usage_errors(capsys, argv, fragment):
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    assert info.value.code == 2
    assert "usage:" in err and re.search(fragment, err), err
    assert "Traceback" not in err
    assert out == ""


def test_main_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert gn.__version__ in capsys.readouterr().out
