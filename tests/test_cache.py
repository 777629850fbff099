"""On-disk caching of the kernels: used when possible, never breaks a call."""

import json
import os
import shutil
import subprocess
import sys

import numba
import pytest
from numba.core.caching import NullCache

from glorot_numba._engine import cache as _cache

from .conftest import ROOT, python_env, reap

# The first call of a process, and what Numba compiled for it: the names of
# the functions its "numba:compile" events were for (a cache hit sends none).
PROBE = (
    "import hashlib, json\n"
    "from numba.core import event\n"
    "import glorot_numba as gn\n"
    "from glorot_numba._engine import kernels as K\n"
    "with event.install_listener('numba:compile', event.RecordingListener()) as seen:\n"
    "    w = gn.GlorotNormal(seed=4)((50, 60))\n"
    "compiled = [e.data['dispatcher'].py_func.__name__ for _, e in seen.buffer if e.is_start]\n"
    "print(json.dumps({'cached': K.CACHED, 'compiled': compiled,\n"
    "                  'hits': sum(K.fill_f32_serial.stats.cache_hits.values()),\n"
    "                  'digest': hashlib.sha256(w.tobytes()).hexdigest()}))\n"
)


def probe_process(env, pythonpath=ROOT, cwd=ROOT):
    """Run PROBE in a new process with warnings shown; return (result, warning lines)."""
    full_env = dict(os.environ, PYTHONPATH=str(pythonpath), **env)
    proc = subprocess.run(
        [sys.executable, "-W", "always", "-c", PROBE],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    warned = [line for line in proc.stderr.splitlines() if "Warning" in line]
    return json.loads(proc.stdout), warned


def probe(**env):
    return probe_process(env)[0]


pytestmark = pytest.mark.skipif(numba.config.DISABLE_JIT, reason="needs the JIT")


@pytest.fixture(scope="module")
def warm(tmp_path_factory):
    """A cache directory filled by one cold process, and what that process saw."""
    path = tmp_path_factory.mktemp("warm-cache")
    return path, probe(NUMBA_CACHE_DIR=str(path))


@pytest.fixture
def warm_copy(warm, tmp_path):
    """A private copy of the warm cache, for tests that damage it."""
    path, cold = warm
    shutil.copytree(path, tmp_path / "cache")
    return tmp_path / "cache", cold


def test_second_process_loads_the_cache(warm):
    path, cold = warm
    second = probe(NUMBA_CACHE_DIR=str(path))
    assert cold["cached"] and second["cached"]
    assert cold["hits"] == 0 and second["hits"] >= 1
    assert cold["digest"] == second["digest"]
    assert any(path.rglob("*.nbi"))
    # What makes the second process's first call fast: it compiles nothing
    # (an event, unlike its duration, which depends on the machine's load).
    assert "fill_f32_serial" in cold["compiled"]
    assert second["compiled"] == []


def test_cache_can_be_turned_off(tmp_path):
    result = probe(NUMBA_CACHE_DIR=str(tmp_path), GLOROT_NUMBA_CACHE="0")
    assert result["cached"] is False and result["hits"] == 0
    assert not any(tmp_path.rglob("*.nbi"))


def test_changed_dependency_empties_the_cache(warm_copy):
    path, _ = warm_copy
    markers = list(path.rglob("fill_f32_serial.sources"))
    assert len(markers) == 1
    markers[0].write_text("a digest of other sources")
    result = probe(NUMBA_CACHE_DIR=str(path))
    assert result["hits"] == 0  # recompiled instead of loading stale code
    assert markers[0].read_text() != "a digest of other sources"


def test_an_edit_to_any_engine_module_empties_the_cache(tmp_path):
    """The digest covers every module of the engine without a list: an edit
    to one the kernels only inline from (a new module would count too)
    makes the next process recompile rather than load old code."""
    package = tmp_path / "site" / "glorot_numba"
    shutil.copytree(ROOT / "glorot_numba", package, ignore=shutil.ignore_patterns("__pycache__"))
    env = {"NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    first, _ = probe_process(env, pythonpath=package.parent, cwd=tmp_path)
    again, _ = probe_process(env, pythonpath=package.parent, cwd=tmp_path)
    assert first["hits"] == 0 and again["hits"] >= 1
    (package / "_engine" / "new_helpers.py").write_text("# a module added to the engine\n")
    edited, _ = probe_process(env, pythonpath=package.parent, cwd=tmp_path)
    assert edited["hits"] == 0  # recompiled
    assert edited["digest"] == first["digest"]


class _Unwritable:
    """A dispatcher stand-in whose cache cannot be located."""

    __qualname__ = "unwritable"

    def __init__(self):
        self._cache = None

    def enable_caching(self):
        raise RuntimeError("cannot cache function: no locator available")


def test_no_cache_location_falls_back_to_memory():
    d = _Unwritable()
    assert _cache.enable_caching([d]) is False
    assert isinstance(d._cache, NullCache)


@pytest.mark.parametrize("value,expected", [("0", False), ("off", False), ("1", True), ("", True)])
def test_environment_switch(monkeypatch, value, expected):
    monkeypatch.setenv("GLOROT_NUMBA_CACHE", value)
    assert _cache.caching_requested() is expected


# --------------------------------------------------------------------------
# Damaged, unwritable and contended caches never break a call
# --------------------------------------------------------------------------


def reference_digest():
    """Digest of the probe's draw, computed in this process."""
    import hashlib

    import glorot_numba as gn

    return hashlib.sha256(gn.GlorotNormal(seed=4)((50, 60)).tobytes()).hexdigest()


@pytest.mark.parametrize("damage", ["index", "data"])
def test_damaged_cache_files_are_recompiled_and_replaced(warm_copy, damage):
    path, cold = warm_copy
    files = list(
        path.rglob("*fill_f32_serial*.nbi" if damage == "index" else "*fill_f32_serial*.nbc")
    )
    assert files
    for f in files:
        f.write_bytes(f.read_bytes()[:40])  # as a crash or a full disk leaves it
    second, warned = probe_process({"NUMBA_CACHE_DIR": str(path)})
    assert second["digest"] == cold["digest"] == reference_digest()
    assert second["hits"] == 0 and warned == []
    third, _ = probe_process({"NUMBA_CACHE_DIR": str(path)})
    assert third["hits"] >= 1  # the damaged entry was replaced
    assert third["digest"] == cold["digest"]


def test_read_only_install_without_a_home_compiles_in_memory(tmp_path):
    """Neither the package directory nor a user cache directory can be
    written (a regular file stands where each directory would be, which
    stops root too): the call works, with at most one warning."""
    package = tmp_path / "site" / "glorot_numba"
    shutil.copytree(ROOT / "glorot_numba", package, ignore=shutil.ignore_patterns("__pycache__"))
    for directory in (package, package / "_engine"):  # the kernels' modules
        (directory / "__pycache__").write_text("not a directory")
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    env = {
        "HOME": str(blocker / "home"),
        "XDG_CACHE_HOME": str(blocker / "cache"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    result, warned = probe_process(env, pythonpath=package.parent, cwd=tmp_path)
    assert result["cached"] is False
    assert result["digest"] == reference_digest()
    assert len(warned) <= 1, warned


def test_unusable_cache_dir_setting_does_not_break_a_call(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    result, warned = probe_process({"NUMBA_CACHE_DIR": str(blocker / "cache")})
    assert result["digest"] == reference_digest()
    assert len(warned) <= 1, warned


def test_four_processes_compiling_at_once(tmp_path):
    """A fresh cache, four processes compiling and saving the same kernels at
    the same moment: all succeed with the same values, and a fifth process
    loads what they stored."""
    env = python_env(NUMBA_CACHE_DIR=str(tmp_path))
    procs = [
        subprocess.Popen(
            [sys.executable, "-W", "always", "-c", PROBE],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=600)
            assert p.returncode == 0, err
            assert [line for line in err.splitlines() if "Warning" in line] == []
            results.append(json.loads(out))
    finally:
        reap(*procs)
    assert {r["digest"] for r in results} == {reference_digest()}
    assert sum(r["hits"] == 0 for r in results) >= 2  # at least two really compiled
    fifth, _ = probe_process({"NUMBA_CACHE_DIR": str(tmp_path)})
    assert fifth["hits"] >= 1 and fifth["digest"] == reference_digest()


class _Broken:
    """A Numba cache stand-in whose files cannot be read, written or emptied."""

    def __init__(self):
        self.enabled = True

    def load_overload(self, sig, target_context):
        raise EOFError("truncated")

    def save_overload(self, sig, data):
        raise OSError(28, "No space left on device")

    def flush(self):
        raise PermissionError(13, "Permission denied")

    def disable(self):
        self.enabled = False


def test_guarded_cache_turns_failures_into_one_warning(monkeypatch):
    monkeypatch.setattr(_cache, "_warned", [])
    inner = _Broken()
    guarded = _cache.GuardedCache(inner, "fill_f32")
    with pytest.warns(RuntimeWarning, match="fill_f32.*EOFError"):
        assert guarded.load_overload(None, None) is None
    assert inner.enabled is False
    guarded.save_overload(None, None)  # no second warning: warnings are errors here
    assert guarded.disable == inner.disable  # everything else is the inner cache's
