"""On-disk caching of the kernels: used when possible, never breaks a call."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numba
import pytest

from glorot_numba import _cache

ROOT = Path(__file__).resolve().parents[1]

PROBE = (
    "import json, glorot_numba as gn\n"
    "from glorot_numba import _kernels as K\n"
    "w = gn.GlorotNormal(seed=4)((50, 60))\n"
    "print(json.dumps({'cached': K.CACHED, 'hits': sum(K.fill_f32_serial.stats.cache_hits.values()),"
    " 'digest': __import__('hashlib').sha256(w.tobytes()).hexdigest()}))\n"
)


def probe(**env):
    full_env = dict(os.environ, PYTHONPATH=str(ROOT), **env)
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          env=full_env, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


pytestmark = pytest.mark.skipif(numba.config.DISABLE_JIT, reason="needs the JIT")


def test_second_process_loads_the_cache(tmp_path):
    first = probe(NUMBA_CACHE_DIR=str(tmp_path))
    second = probe(NUMBA_CACHE_DIR=str(tmp_path))
    assert first["cached"] and second["cached"]
    assert second["hits"] >= 1
    assert first["digest"] == second["digest"]
    assert any(tmp_path.rglob("*.nbi"))


def test_cache_can_be_turned_off(tmp_path):
    result = probe(NUMBA_CACHE_DIR=str(tmp_path), GLOROT_NUMBA_CACHE="0")
    assert result["cached"] is False and result["hits"] == 0
    assert not any(tmp_path.rglob("*.nbi"))


def test_changed_dependency_empties_the_cache(tmp_path):
    probe(NUMBA_CACHE_DIR=str(tmp_path))
    markers = list(tmp_path.rglob("fill_f32_serial.sources"))
    assert len(markers) == 1
    markers[0].write_text("a digest of other sources")
    result = probe(NUMBA_CACHE_DIR=str(tmp_path))
    assert result["hits"] == 0  # recompiled instead of loading stale code
    assert markers[0].read_text() != "a digest of other sources"


class _Unwritable:
    """A dispatcher stand-in whose cache cannot be located."""

    __qualname__ = "unwritable"

    def __init__(self):
        self._cache = None

    def enable_caching(self):
        raise RuntimeError("cannot cache function: no locator available")


def test_no_cache_location_falls_back_to_memory(tmp_path):
    source = tmp_path / "src.py"
    source.write_text("x = 1\n")
    d = _Unwritable()
    assert _cache.enable_caching([d], [source]) is False
    assert isinstance(d._cache, _cache.NullCache)


@pytest.mark.parametrize("value,expected", [("0", False), ("off", False), ("1", True), ("", True)])
def test_environment_switch(monkeypatch, value, expected):
    monkeypatch.setenv("GLOROT_NUMBA_CACHE", value)
    assert _cache.caching_requested() is expected
