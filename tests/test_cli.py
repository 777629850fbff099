"""The command line, end to end: ``python -m glorot_numba init ...``.

Most cases call ``glorot_numba.cli.main`` in-process (fast); two run the
module in a subprocess, each paying one Numba compilation.
"""

import math
import re
import subprocess
import sys
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

import glorot_numba as gn
from glorot_numba.cli import main

from .conftest import ROOT, python_env, same_bits

TRUNC_STD = 0.87962566103423978
NUM = r"([-+0-9.eE]+|inf|nan)"


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
    m = re.fullmatch(
        rf"{NUM} ms \({NUM} M samples/s\); first call {NUM} ms "
        r"\(loads or compiles the kernels\)",
        f["time"],
    )
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
    return subprocess.run(
        [sys.executable, "-m", "glorot_numba", *map(str, argv)],
        cwd=ROOT,
        env=python_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_subprocess_init_saves_the_glorot_draw(tmp_path):
    path = tmp_path / "w.npy"
    proc = run_module("init", "784", "256", "--seed", "42", "-o", path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "Warning" not in proc.stderr
    fan_in, fan_out = 784, 256
    std = math.sqrt(2 / (fan_in + fan_out))
    expected = gn.GlorotNormal(seed=42)((784, 256))
    f = check_summary(
        proc.stdout, expected, (784, 256), "float32", (fan_in, fan_out), std, 2 * std / TRUNC_STD
    )
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
    rc, out, err = run_main(
        capsys, "init", 3, 3, 16, 32, "--seed", 7, "--dtype", "float64", "-o", path
    )
    assert rc == 0 and err == ""
    expected = gn.GlorotNormal(seed=7)((3, 3, 16, 32), "float64")
    std = math.sqrt(2 / (144 + 288))
    check_summary(out, expected, (3, 3, 16, 32), "float64", (144, 288), std, 2 * std / TRUNC_STD)
    saved = np.load(path)
    assert saved.dtype == np.float64
    assert same_bits(saved, expected)


def test_main_bfloat16_bytes(capsys, tmp_path):
    path = tmp_path / "bf16.npy"
    rc, out, err = run_main(capsys, "init", 100, 60, "--seed", 3, "--dtype", "bfloat16", "-o", path)
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
    rc, out, err = run_main(capsys, "init", 50, 70, "--seed", 5, "--dtype", "float16", "-o", path)
    assert rc == 0 and err == ""
    saved = np.load(path)
    assert same_bits(saved, gn.GlorotNormal(seed=5)((50, 70), "float16"))


def test_main_variance_scaling_uniform(capsys, tmp_path):
    path = tmp_path / "u.npy"
    rc, out, err = run_main(
        capsys,
        "init",
        784,
        256,
        "--seed",
        42,
        "--scale",
        2,
        "--mode",
        "fan_in",
        "--distribution",
        "uniform",
        "-o",
        path,
    )
    assert rc == 0 and err == ""
    expected = gn.VarianceScaling(2.0, "fan_in", "uniform", seed=42)((784, 256))
    std = math.sqrt(2 / 784)
    f = check_summary(out, expected, (784, 256), "float32", (784, 256), std, math.sqrt(3) * std)
    assert f["initializer"].startswith(
        "VarianceScaling(scale=2.0, mode='fan_in', distribution='uniform', seed=42"
    )
    saved = np.load(path)
    assert same_bits(saved, expected)
    assert not np.array_equal(saved, gn.GlorotNormal(seed=42)((784, 256)))


@pytest.mark.parametrize(
    "argv, config",
    [
        (["--mode", "fan_out"], (1.0, "fan_out", "truncated_normal")),
        (["--scale", "0.5"], (0.5, "fan_avg", "truncated_normal")),
        (["--distribution", "untruncated_normal"], (1.0, "fan_avg", "untruncated_normal")),
    ],
    ids=["mode-only", "scale-only", "distribution-only"],
)
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


@pytest.mark.parametrize(
    "argv, expected",
    [
        ([], gn.GlorotNormal(seed=5, method="inverse_cdf")),
        (
            ["--scale", "2", "--mode", "fan_in"],
            gn.VarianceScaling(2.0, "fan_in", seed=5, method="inverse_cdf"),
        ),
    ],
    ids=["glorot", "variance-scaling"],
)
def test_main_method(capsys, tmp_path, argv, expected):
    path = tmp_path / "m.npy"
    rc, out, err = run_main(
        capsys, "init", 40, 30, "--seed", 5, "--method", "inverse_cdf", *argv, "-o", path
    )
    assert rc == 0 and err == ""
    assert "method='inverse_cdf'" in out
    assert same_bits(np.load(path), expected((40, 30)))


def test_main_method_refused_for_uniform(capsys):
    rc, out, err = run_main(
        capsys, "init", 4, 3, "--distribution", "uniform", "--method", "inverse_cdf"
    )
    assert rc == 2 and "truncated normals only" in err


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
    check_summary(
        out,
        np.empty((3, 3, 0, 8), np.float32),
        (3, 3, 0, 8),
        "float32",
        (0, 72),
        std,
        2 * std / TRUNC_STD,
    )


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


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["init", "-1", "3"], r"-1"),
        (["init", "4", "-3", "--seed", "1"], r"-3"),
        (["init", "4", "3", "--scale", "0"], r"scale"),
        (["init", "4", "3", "--scale", "nan"], r"scale"),
        (["init", "4", "3", "--scale", "-2"], r"scale"),
        (["init", "4", "3", "--seed", "1", "--scale", "1e80"], r"float32"),
    ],
    ids=[
        "negative-first-dim",
        "negative-last-dim",
        "scale-zero",
        "scale-nan",
        "scale-negative",
        "scale-unrepresentable",
    ],
)
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


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["init", "4", "3", "--dtype", "int32"], r"int32"),
        (["init", "4", "3", "--dtype", "complex64"], r"complex64"),
        (["init", "4.5", "3"], r"4\.5"),
        (["init", "4", "3", "--seed", "1.5"], r"1\.5"),
        (["init", "4", "3", "--mode", "FAN_IN"], r"FAN_IN"),
        (["init", "4", "3", "--distribution", "gaussian"], r"gaussian"),
        (["init", "4", "3", "--scale", "a"], r"'a'"),
        ([], r"command"),
        (["frobnicate"], r"frobnicate"),
    ],
    ids=[
        "dtype-int32",
        "dtype-complex64",
        "float-dim",
        "float-seed",
        "mode-upper",
        "distribution-gaussian",
        "scale-str",
        "no-command",
        "unknown-command",
    ],
)
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


# --------------------------------------------------------------------------
# init --spec, streaming, check, bench
# --------------------------------------------------------------------------

import json  # noqa: E402

from glorot_numba import _files, _modelspec  # noqa: E402

SPEC = {
    "tensors": {
        "emb": {
            "shape": [3000, 64],
            "initializer": {"class_name": "GlorotNormal", "config": {"seed": 1}},
        },
        "conv": {
            "shape": [3, 3, 16, 32],
            "dtype": "float64",
            "initializer": {
                "class_name": "VarianceScaling",
                "config": {"scale": 2.0, "mode": "fan_in", "seed": 2},
            },
        },
        "head": {
            "shape": [64, 10],
            "dtype": "bfloat16",
            "initializer": {"class_name": "glorot_normal", "config": {"seed": 3}},
        },
        "scalar": {"shape": [], "initializer": "GlorotNormal"},
    }
}


def expected_tensors():
    return {
        "emb": gn.GlorotNormal(seed=1)((3000, 64)),
        "conv": gn.VarianceScaling(2.0, "fan_in", seed=2)((3, 3, 16, 32), "float64"),
        "head": gn.GlorotNormal(seed=3)((64, 10), "bfloat16"),
    }


def write_spec(tmp_path, spec=SPEC):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(spec))
    return path


def test_subprocess_spec_to_safetensors(tmp_path):
    from safetensors import safe_open

    out = tmp_path / "w.safetensors"
    # A small block size: the bar and the blocks are exercised on a small model.
    proc = run_module(
        "init", "--spec", write_spec(tmp_path), "-o", out, "--progress", "--block-mb", "0.1"
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert re.search(r"init: 100%.*el", proc.stderr), proc.stderr  # the progress bar
    assert f"saved       : {out} (4 tensors" in proc.stdout
    arrays, recorded = _files.read_tensors(out)
    for name, value in expected_tensors().items():
        assert same_bits(np.asarray(arrays[name]), value), name
    assert arrays["scalar"].shape == ()
    assert recorded["tensors"]["conv"]["initializer"]["config"]["scale"] == 2.0
    # The safetensors package reads the same values (its NumPy loader has no
    # bfloat16; the header says BF16).
    data = out.read_bytes()
    header = json.loads(data[8 : 8 + int.from_bytes(data[:8], "little")])
    assert header["head"]["dtype"] == "BF16"
    with safe_open(str(out), framework="numpy") as f:
        for name, value in expected_tensors().items():
            if name != "head":
                assert same_bits(f.get_tensor(name), value)


def test_subprocess_spec_to_npz_and_check(tmp_path):
    out = tmp_path / "w.npz"
    proc = run_module("init", "--spec", write_spec(tmp_path), "-o", out, "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    with np.load(out) as data:
        assert sorted(data.files) == ["conv", "emb", "head", "scalar"]
        exp = expected_tensors()
        assert same_bits(data["emb"], exp["emb"])
        assert same_bits(data["conv"], exp["conv"])
        # .npz, like .npy, holds bfloat16 as float32 (exact).
        assert same_bits(data["head"].astype(ml_dtypes.bfloat16), exp["head"])
    proc = run_module("check", out, "--tensor", "emb", "--plot", tmp_path / "emb.png")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    f = parse(proc.stdout)
    assert f["verdict"] == "fits"
    assert f["fans"] == "fan_in=3000 fan_out=64 (of the shape)"
    png = (tmp_path / "emb.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


STREAM_RSS = r"""
import sys
import glorot_numba as gn
from glorot_numba.cli import main

def status(field):
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) * 1024 for l in f if l.startswith(field + ":"))

gn.warmup()                      # kernels loaded (or compiled) before measuring
before = status("VmRSS")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")                 # reset the peak RSS (VmHWM) to the current RSS
rc = main(sys.argv[1:])
print("rss_before", before, "peak", status("VmHWM"), file=sys.stderr)
sys.exit(rc)
"""


def test_subprocess_streaming_has_constant_memory(tmp_path):
    # 8000 x 8000 float32 is a 256 MB file.  Streamed in 16 MiB blocks, the
    # process's resident memory grows by about a block while it draws and
    # writes the whole tensor (measured as the peak RSS, reset once the
    # kernels are loaded, minus the RSS at that moment).
    if not sys.platform.startswith("linux"):
        pytest.skip("peak RSS is read from /proc (Linux)")
    big = tmp_path / "big.npy"
    proc = subprocess.run(
        [sys.executable, "-c", STREAM_RSS, "init", "8000", "8000", "--seed", "3", "-o", str(big)],
        cwd=ROOT,
        env=python_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    before, peak = map(int, re.search(r"rss_before (\d+) peak (\d+)", proc.stderr).groups())
    size = big.stat().st_size
    assert size == 8000 * 8000 * 4 + 128
    assert "drawn and written in 16 blocks of at most 16 MiB" in proc.stdout
    assert peak - before < 48 * 2**20, (peak, before)  # a block and the statistics' slices
    streamed = np.load(big, mmap_mode="r")
    expected = gn.GlorotNormal(seed=3)((8000, 8000))
    assert streamed.dtype == np.float32 and streamed.shape == (8000, 8000)
    assert np.array_equal(streamed, expected)
    print(
        f"streaming 8000x8000 float32 ({size / 2**20:.0f} MiB file): RSS {before / 2**20:.0f} "
        f"MiB before, peak {peak / 2**20:.0f} MiB (+{(peak - before) / 2**20:.1f} MiB)"
    )


@pytest.mark.parametrize(
    "shape, dtype",
    [((301, 7, 5), "float32"), ((2000, 33), "bfloat16"), ((5000,), "float64"), ((), "float16")],
)
def test_streamed_file_equals_in_memory(capsys, tmp_path, shape, dtype):
    path = tmp_path / "s.npy"
    rc = main(
        [
            "init",
            *map(str, shape),
            "--seed",
            "4",
            "--dtype",
            dtype,
            "-o",
            str(path),
            "--block-mb",
            "0.01",
        ]
    )
    out, err = capsys.readouterr()
    assert rc == 0 and err == ""
    expected = gn.GlorotNormal(seed=4)(shape, dtype)
    saved = np.load(path)
    assert same_bits(saved.astype(expected.dtype), expected)
    if math.prod(shape) * 4 > 0.01 * 2**20:
        f = parse(out)
        assert "drawn and written in" in f["time"]
        m = re.fullmatch(rf"mean={NUM} std={NUM} min={NUM} max={NUM}", f["observed"])
        x = expected.astype(np.float64)
        assert float(m[2]) == pytest.approx(x.std(), rel=1e-4)
        assert float(m[3]) == pytest.approx(x.min(), rel=1e-4)
    assert not list(tmp_path.glob("*.partial"))


def test_check_rejects_a_wrong_distribution(capsys, tmp_path):
    # He-scaled values checked as Glorot, and uniform values checked as a
    # truncated normal: both exit 1 with "does not fit".
    path = tmp_path / "he.npy"
    np.save(path, gn.VarianceScaling(2.0, "fan_in", seed=1)((500, 400)))
    rc = main(["check", str(path)])
    out, _ = capsys.readouterr()
    assert rc == 1 and "does not fit" in parse(out)["verdict"]
    rc = main(["check", str(path), "--config", "VarianceScaling"])  # scale 1 fan_in
    out, _ = capsys.readouterr()
    assert rc == 1
    config = json.dumps(
        {"class_name": "VarianceScaling", "config": {"scale": 2.0, "mode": "fan_in"}}
    )
    rc = main(["check", str(path), "--config", config])
    out, _ = capsys.readouterr()
    assert rc == 0 and parse(out)["verdict"] == "fits"
    uniform = tmp_path / "u.npy"
    limit = math.sqrt(3 * 2 / 900)
    np.save(uniform, np.random.default_rng(0).uniform(-limit, limit, (500, 400)))
    rc = main(["check", str(uniform), "--plot", str(tmp_path / "u.png")])
    out, _ = capsys.readouterr()
    assert rc == 1 and "does not fit" in out and (tmp_path / "u.png").stat().st_size > 0


def test_check_fans_dtype_and_config_file(capsys, tmp_path):
    # A PyTorch-layout weight (out, in): the fans are given explicitly.
    w = gn.GlorotNormal(seed=5)((300, 700)).T.copy()
    path = tmp_path / "t.npy"
    np.save(path, w)
    assert main(["check", str(path), "--fan-in", "300", "--fan-out", "700"]) == 0
    out, _ = capsys.readouterr()
    assert parse(out)["fans"] == "fan_in=300 fan_out=700"
    # bfloat16 values stored as float32 (what init -o writes for bfloat16).
    b = tmp_path / "b.npy"
    assert main(["init", "400", "300", "--seed", "6", "--dtype", "bfloat16", "-o", str(b)]) == 0
    capsys.readouterr()
    assert main(["check", str(b), "--dtype", "bfloat16"]) == 0
    assert "(bfloat16)" in capsys.readouterr().out
    cfg = tmp_path / "init.json"
    cfg.write_text(json.dumps({"class_name": "GlorotNormal", "config": {}}))
    assert main(["check", str(b), "--dtype", "bfloat16", "--config", str(cfg)]) == 0
    capsys.readouterr()


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["check", "{f}", "--fan-in", "3"], "both --fan-in and --fan-out"),
        (["check", "{f}", "--fan-in", "-3", "--fan-out", "2"], "fan-in"),
        (["check", "{f}", "--config", "NoSuchNormal"], "unknown initializer"),
        (["check", "{f}", "--config", "{{bad json"], "JSON"),
        (["check", "{f}", "--tensor", "w"], "no tensor 'w'"),
        (["check", "{d}/missing.npy"], "missing.npy"),
        (["check", "{d}/x.txt"], "expected .npy"),
        (["check", "{f}", "--alpha", "2"], "alpha"),
    ],
    ids=[
        "one-fan",
        "negative-fan",
        "unknown-class",
        "bad-json",
        "no-tensor",
        "missing",
        "suffix",
        "alpha",
    ],
)
def test_check_errors(capsys, tmp_path, argv, fragment):
    f = tmp_path / "w.npz"
    np.savez(f, a=np.zeros((20, 20), np.float32))
    (tmp_path / "x.txt").write_text("x")
    rc = main([a.format(f=f, d=tmp_path) for a in argv])
    out, err = capsys.readouterr()
    assert rc == 2 and err.startswith("glorot-numba: error:") and fragment in err, err


def test_check_plot_needs_one_tensor(capsys, tmp_path):
    f = tmp_path / "w.npz"
    np.savez(f, a=np.zeros((20, 20), np.float32), b=np.zeros((20, 20), np.float32))
    assert main(["check", str(f), "--plot", str(tmp_path / "p.png")]) == 2
    assert "--tensor" in capsys.readouterr().err
    assert not (tmp_path / "p.png").exists()


def spec_with(**changes):
    spec = json.loads(json.dumps(SPEC))
    for key, value in changes.items():
        spec["tensors"]["emb"][key] = value
    return spec


@pytest.mark.parametrize(
    "spec, fragment",
    [
        ({"tensor": {}}, '"tensors"'),
        ({"tensors": {}}, "non-empty"),
        (spec_with(shape=[3, -1]), "'emb': shape[1] must be >= 0"),
        (spec_with(shape="3x4"), "list of integers"),
        (spec_with(shape=[3, 4.0]), "must be an integer"),
        (spec_with(initializer={"class_name": "GlorotSomething"}), "unknown initializer"),
        (spec_with(initializer={"class_name": "GlorotNormal", "config": {"seed": 1.5}}), "1.5"),
        (spec_with(initializer={"class_name": "GlorotNormal", "config": {"sed": 1}}), "sed"),
        (spec_with(dtype="int8"), "int8"),
        (
            spec_with(initializer={"class_name": "VarianceScaling", "config": {"scale": 1e80}}),
            "cannot represent",
        ),
        (spec_with(init="x"), "unknown key"),
    ],
    ids=[
        "top-key",
        "empty",
        "negative-dim",
        "shape-str",
        "float-dim",
        "unknown-class",
        "float-seed",
        "unknown-config",
        "dtype",
        "unrepresentable",
        "unknown-key",
    ],
)
def test_spec_errors_write_nothing(capsys, tmp_path, spec, fragment):
    out = tmp_path / "w.safetensors"
    rc = main(["init", "--spec", str(write_spec(tmp_path, spec)), "-o", str(out)])
    _, err = capsys.readouterr()
    assert rc == 2 and fragment in err, err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == [tmp_path / "model.json"]


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["init", "--spec", "{s}"], "needs -o"),
        (["init", "--spec", "{s}", "-o", "{d}/w.npy"], ".safetensors or .npz"),
        (["init", "4", "--spec", "{s}", "-o", "{d}/w.npz"], "not both"),
        (["init", "--spec", "{s}", "-o", "{d}/w.npz", "--seed", "1"], "--seed"),
        (["init", "--spec", "{d}/nope.json", "-o", "{d}/w.npz"], "nope.json"),
        (["init", "--spec", "{d}/bad.json", "-o", "{d}/w.npz"], "not valid JSON"),
        (["init", "4", "4", "-o", "{d}/w.npz"], "--spec"),
        (["init", "4", "4", "-o", "{d}/w.npy", "--block-mb", "0"], "block-mb"),
    ],
    ids=[
        "no-output",
        "npy-output",
        "dims-and-spec",
        "seed-with-spec",
        "missing-spec",
        "bad-json",
        "npz-without-spec",
        "block-zero",
    ],
)
def test_spec_usage_errors(capsys, tmp_path, argv, fragment):
    s = write_spec(tmp_path)
    (tmp_path / "bad.json").write_text("{")
    rc = main([a.format(s=s, d=tmp_path) for a in argv])
    _, err = capsys.readouterr()
    assert rc == 2 and fragment in err, err
    assert not list(tmp_path.glob("w.*"))


def test_example_spec_is_valid():
    entries = _modelspec.load_spec(ROOT / "examples" / "model.json")
    assert entries[0].name == "wte" and entries[0].shape == (50257, 768)
    assert all(isinstance(e.init, gn.VarianceScaling) for e in entries)


def test_spec_finds_classes_added_to_the_package(monkeypatch, capsys, tmp_path):
    class Doubled(gn.VarianceScaling):
        def __init__(self, seed=None, dtype="float32"):
            super().__init__(2.0, "fan_avg", "truncated_normal", seed=seed, dtype=dtype)

        def get_config(self):
            return {"seed": self.seed, "dtype": "float32"}

    # A class added to one of the modules that define initializers.
    from glorot_numba import _family

    monkeypatch.setattr(_family, "Doubled", Doubled, raising=False)
    monkeypatch.setattr(_family, "__all__", [*_family.__all__, "Doubled"])
    spec = {
        "tensors": {
            "w": {
                "shape": [40, 30],
                "initializer": {"class_name": "Doubled", "config": {"seed": 4}},
            }
        }
    }
    out = tmp_path / "w.npz"
    assert main(["init", "--spec", str(write_spec(tmp_path, spec)), "-o", str(out)]) == 0
    capsys.readouterr()
    with np.load(out) as data:
        assert same_bits(data["w"], gn.VarianceScaling(2.0, "fan_avg", seed=4)((40, 30)))


def test_bench_runs_the_quick_suite_of_the_checkout(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(subprocess, "call", lambda cmd, **kw: calls.append((cmd, kw)) or 0)
    assert main(["bench"]) == 0
    ((cmd, kw),) = calls
    assert cmd[:4] == [sys.executable, "-m", "bench", "--quick"]
    assert cmd[4] == "--out"
    assert Path(kw["cwd"]) == ROOT
    assert "-m bench --quick --out" in capsys.readouterr().out
    calls.clear()
    assert main(["bench", "--full", "--out", "results"]) == 0
    assert "--quick" not in calls[0][0] and calls[0][0][-1].endswith("results")


def test_bench_without_a_source_tree(capsys, tmp_path):
    assert main(["bench", "--source", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "not of the installed package" in err and str(tmp_path) in err


@pytest.mark.slow
def test_subprocess_bench_quick(tmp_path):
    proc = run_module("bench", "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "**4096x4096 float32**" in proc.stdout
    assert (tmp_path / "results.json").is_file()


def test_check_with_a_spec(capsys, tmp_path):
    spec = write_spec(tmp_path)
    out = tmp_path / "w.npz"
    assert main(["init", "--spec", str(spec), "-o", str(out)]) == 0
    capsys.readouterr()
    # npz files record no spec: --spec supplies each tensor's initializer.
    assert main(["check", str(out), "--tensor", "conv", "--spec", str(spec)]) == 0
    text = capsys.readouterr().out
    assert "scale=2.0" in text and "(from --spec)" in text
    assert main(["check", str(out), "--tensor", "conv"]) == 1  # checked as Glorot: He values
    capsys.readouterr()
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"tensors": {"emb": SPEC["tensors"]["emb"]}}))
    assert main(["check", str(out), "--tensor", "conv", "--spec", str(other)]) == 2
    assert "has no tensor 'conv'" in capsys.readouterr().err
    assert main(["check", str(out), "--spec", str(spec), "--config", "GlorotNormal"]) == 2
    assert "not both" in capsys.readouterr().err


def test_check_skips_tiny_tensors_of_a_model(capsys, tmp_path):
    out = tmp_path / "w.safetensors"
    assert main(["init", "--spec", str(write_spec(tmp_path)), "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["check", str(out)]) == 0
    text = capsys.readouterr().out
    assert "not tested (fewer than 100 elements)" in text  # the scalar
    assert text.count("verdict     : fits") == 3
    assert "(from file)" in text


def test_streams_without_slices_are_drawn_whole(tmp_path):
    # Blocks of such a stream are not slices of the tensor, so files are
    # written from one whole draw (and stay equal to the Python API's result).
    from glorot_numba import _chunked_io

    init = gn.GlorotNormal(seed=2, compat="tf.compat.v1")
    blocks = list(_chunked_io.draw_blocks(init, (300, 40), "float32", 1024))
    assert len(blocks) == 1 and same_bits(blocks[0], init((300, 40)))
    path = tmp_path / "s.npy"
    _files.write_npy(init, (300, 40), np.dtype(np.float32), path, 1024)
    assert same_bits(np.load(path), init((300, 40)))
