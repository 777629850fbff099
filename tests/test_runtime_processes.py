"""Threads, threading layers, fork, signals and peak memory, each in a fresh
process (tests/runtime_probe.py) with a timeout: what these tests guard
against aborts, hangs or kills a process."""

import json
import os
import select
import signal
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import numba
import pytest

from .conftest import ROOT, python_env, reap

PROBE = str(Path(__file__).with_name("runtime_probe.py"))
LINUX_X86_64 = sys.platform.startswith("linux") and os.uname().machine == "x86_64"

pytestmark = pytest.mark.skipif(numba.config.DISABLE_JIT, reason="needs the JIT")


def environment(**env):
    full = python_env()
    for name in ("NUMBA_THREADING_LAYER", "NUMBA_NUM_THREADS"):
        full.pop(name, None)
    full.update(env)
    return full


def run_probe(*args, timeout=180, **env):
    proc = subprocess.run(
        [sys.executable, PROBE, *args],
        capture_output=True,
        text=True,
        env=environment(**env),
        cwd=ROOT,
        timeout=timeout,
    )
    assert proc.returncode == 0, f"rc={proc.returncode}\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def skip_unless_layer(result, layer):
    if layer != "default" and result["layer"] != layer:
        pytest.skip(f"Numba's {layer} layer cannot be loaded here (got {result['layer']})")


# --------------------------------------------------------------------------
# Threads, under every layer
# --------------------------------------------------------------------------


@pytest.mark.parametrize("layer", ["default", "omp", "workqueue", "tbb"])
def test_many_threads_under_each_layer(layer):
    """8 pool threads and 6 bare threads, all calling every kind of
    initializer (compat= too) at once, on 4 Numba threads: no abort,
    serial-call bits."""
    result = run_probe("threads", NUMBA_THREADING_LAYER=layer, NUMBA_NUM_THREADS="4")
    skip_unless_layer(result, layer)
    assert result["calls"] == 114
    assert result["mismatches"] == 0
    # num_threads(2) sets the launching thread's Numba count, then restores it.
    if result["layer"] != "workqueue":
        assert result["limited_launch_threads"] == 2
        assert result["compat_limited_launch_threads"] == 2
    assert result["numba_threads_after"] == 4
    launches = result["launches"]
    assert launches.get("parallel", 0) >= 1
    if result["layer"] == "workqueue":
        # Launches that would have overlapped ran on the serial twin.
        assert launches.get("serial", 0) >= 1
    else:
        assert launches == {"parallel": result["expected_launches"]}


def test_workqueue_without_the_guard_aborts():
    """The hazard is real: with the guard defeated the same probe is killed
    by Numba's workqueue (SIGABRT), so the test above can fail."""
    proc = subprocess.run(
        [sys.executable, PROBE, "threads", "unsafe"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
        env=environment(NUMBA_THREADING_LAYER="workqueue", NUMBA_NUM_THREADS="4"),
    )
    assert proc.returncode != 0
    assert "workqueue threading layer is not threadsafe" in proc.stderr


@pytest.mark.skipif(not LINUX_X86_64, reason="the tbb wheel exists for Linux x86-64 only")
def test_tbb_is_the_default_layer_after_pip_install():
    """The tbb package's library is not on the loader's path in a virtual
    environment; glorot_numba makes it loadable, so Numba's default choice
    is the thread- and fork-safe TBB layer."""
    try:
        metadata.version("tbb")
    except metadata.PackageNotFoundError:
        pytest.fail("the tbb package, a dependency on this platform, is not installed")
    code = (
        "import ctypes, json\n"
        "try:\n    ctypes.CDLL('libtbb.so.12'); on_path = True\n"
        "except OSError:\n    on_path = False\n"
        "import glorot_numba as gn\n"
        "gn.GlorotNormal(seed=1)((64, 64))\n"
        "print(json.dumps(dict(gn.runtime_info(), on_path=on_path)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environment(),
        cwd=ROOT,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["threading_layer"] == "tbb"
    assert info["parallel"] is True
    if not info["on_path"]:
        assert info["tbb_library"] and info["tbb_library"].endswith("libtbb.so.12")


# --------------------------------------------------------------------------
# fork, spawn, forkserver
# --------------------------------------------------------------------------


@pytest.mark.parametrize("layer", ["omp", "tbb", "workqueue"])
def test_fork_after_parallel_kernels(layer):
    """Children forked after the parent ran parallel kernels finish with the
    parent's values.  Under GNU OpenMP they must use the serial twin: a
    parallel launch there is killed by Numba's fork guard."""
    result = run_probe("fork", "fork", NUMBA_THREADING_LAYER=layer)
    skip_unless_layer(result, layer)
    assert result["calls"] == 22 and result["mismatches"] == 0
    if layer == "omp":
        assert result["child_parallel"] == [False]
    else:
        assert result["child_parallel"] == [True]


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_spawn_and_forkserver(method):
    result = run_probe("fork", method)
    assert result["calls"] == 22 and result["mismatches"] == 0
    assert result["child_parallel"] == [True]


# --------------------------------------------------------------------------
# Ctrl-C
# --------------------------------------------------------------------------


def read_line(proc, timeout):
    """The child's next line of stdout, waiting at most ``timeout`` seconds."""
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, f"no line from the child in {timeout} s"
    return proc.stdout.readline()


# The slowest kernel call, a compat float32 piece (2**23 elements a thread),
# takes about 0.45 s on a 2-core x86-64 machine with nothing else to do: the
# interrupt is answered within 5 s even when other work on the machine slows
# the fill tenfold.
CTRL_C_SECONDS = 5.0


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("probe", ["interrupt", "compat-interrupt"])
@pytest.mark.parametrize("dtype", ["float32", "float16"], ids=["in-place", "staged"])
def test_ctrl_c_stops_a_long_fill_within_a_piece(probe, dtype):
    """SIGINT during a fill raises KeyboardInterrupt once the kernel call in
    progress returns: no piece of the fill runs after it.

    Decided by events, not by how fast this machine fills: the signal is
    sent once the child says that a kernel call has begun, and the child
    fills again and again until it comes, so it always comes during a fill.
    Each kernel call is logged (start, end, elements); the calls that had
    not ended when the signal was sent must be at most the one in progress
    and one begun as the signal arrived, and hold at most a quarter of a
    fill -- a fill made in one call (no pieces) fails that, however fast.
    The time from the signal to the KeyboardInterrupt has a generous bound,
    CTRL_C_SECONDS."""
    proc = subprocess.Popen(
        [sys.executable, PROBE, probe, dtype],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=environment(NUMBA_NUM_THREADS="2"),
    )
    try:
        # The first fill compiles the kernels (or loads them): minutes at most.
        line = read_line(proc, timeout=600)
        assert line, proc.stderr.read()[-3000:]
        assert json.loads(line) == {"filling": True}, line
        before = time.monotonic()  # CLOCK_MONOTONIC: the same clock in both processes
        proc.send_signal(signal.SIGINT)
        # kill() has returned: the child's main thread runs the C-level
        # handler before any more of its own code.
        after = time.monotonic()
        out, err = proc.communicate(timeout=120)
    finally:
        reap(proc)
    assert proc.returncode == 0, err[-3000:]
    result = json.loads(out.strip().splitlines()[-1])
    late = [launch for launch in result["last_launches"] if launch[1] is None or launch[1] > after]
    assert len(late) <= 2, (late, result)
    assert sum(elements for _, _, elements in late) <= result["rows"] // 4, (late, result)
    latency = result["caught"] - after
    assert result["caught"] >= before and latency < CTRL_C_SECONDS, (latency, result)
    assert result["usable"] is True
    assert result["threads_restored"] == 2


# --------------------------------------------------------------------------
# Peak memory
# --------------------------------------------------------------------------


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("kind", ["f32", "f16", "bf16", "strided", "compat-f32", "compat-f16"])
def test_peak_memory_is_the_output_plus_a_constant(kind):
    """64 Mi elements; the peak resident memory during the call, less the
    output, stays under a constant -- a full-size temporary would add at
    least 128 MiB (the float16 output's float32 samples)."""
    result = run_probe("memory", kind)
    bound = (32 << 20) + numba.config.NUMBA_NUM_THREADS * (1 << 20)
    assert result["extra_bytes"] < bound, result


def test_import_changes_no_numba_setting_and_starts_no_threads():
    code = (
        "import json, numba\n"
        "from numba.np.ufunc import parallel\n"
        "def settings():\n"
        "    return {k: repr(getattr(numba.config, k)) for k in dir(numba.config)\n"
        "            if k.isupper()}\n"
        "before = settings()\n"
        "import glorot_numba\n"
        "print(json.dumps({'changed': sorted(k for k, v in settings().items()\n"
        "                                   if before.get(k) != v),\n"
        "                  'threads_started': parallel._is_initialized}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environment(),
        cwd=ROOT,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"changed": [], "threads_started": False}
