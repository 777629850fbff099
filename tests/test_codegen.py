"""glorot_numba/_codegen.py (the wide-vector hint, borrowed views) and _ieee.nonzero_mask64.

That it never changes values is what the golden hashes and the JIT-off
comparisons of test_reproducibility.py check (they also cover the pure-Python
twin of nonzero_mask64); here: that the hint takes effect at all, and touches
nothing but the functions that ask for it.
"""

import numba
import numpy as np
import pytest
from llvmlite import binding as llvm
from numba import njit

from glorot_numba._engine import codegen as _codegen
from glorot_numba._engine import ieee as _ieee

from .conftest import python_env, reap

pytestmark = pytest.mark.skipif(numba.config.DISABLE_JIT, reason="needs the JIT")


@njit(inline="always")
def _scale(x, out):
    for i in range(x.shape[0]):
        out[i] = x[i] * np.float32(3.0) + np.float32(1.0)


@njit
def _wide(x, out):
    _codegen.prefer_wide_vectors()
    _scale(x, out)


@njit
def _plain(x, out):
    _scale(x, out)


def test_hint_parses_with_this_llvmlite():
    # If this fails the kernels still compile and give the same values,
    # only without the hint: slower on AVX-512 machines.
    assert _codegen.hint_usable()


def test_hint_wanted_where_512_bit_units_run_at_full_speed():
    features = llvm.get_host_cpu_features().flatten().split(",")
    expected = "+avx512f" in features and "+avx512ifma" in features
    assert _codegen.hint_wanted() == expected


def test_hint_is_set_only_where_asked():
    x = np.arange(1024, dtype=np.float32)
    a, b = np.empty_like(x), np.empty_like(x)
    _wide(x, a)
    _plain(x, b)
    np.testing.assert_array_equal(a, b)
    hint = '"prefer-vector-width"="512"'
    assert (hint in _wide.inspect_llvm(_wide.signatures[0])) == _codegen.hint_wanted()
    # Per function: _plain, compiled after _wide in the same process, is
    # left to LLVM's default for this CPU.
    assert hint not in _plain.inspect_llvm(_plain.signatures[0])


@pytest.mark.skipif(not _codegen.hint_wanted(), reason="no hint on this CPU")
def test_hint_gives_512_bit_vectors():
    x = np.arange(1024, dtype=np.float32)
    _wide(x, np.empty_like(x))
    assert "zmm" in _wide.inspect_asm(_wide.signatures[0])


@njit
def _mask_jit(words, start):
    return _ieee.nonzero_mask64(words, start)


@pytest.mark.parametrize("dtype", [np.uint32, np.int32])
def test_nonzero_mask64_matches_a_plain_loop(dtype):
    rng = np.random.default_rng(5)
    words = (rng.integers(0, 3, 64 * 5) * rng.integers(1, 2**31, 64 * 5)).astype(dtype)
    words[64:128] = 0
    words[128:192] = -1 if dtype == np.int32 else 0xFFFFFFFF
    words[200] = 1 << 31 if dtype == np.uint32 else -(1 << 31)
    for start in (0, 64, 128, 192, 7, 64 * 4):
        expected = sum(1 << i for i in range(64) if words[start + i])
        assert int(_mask_jit(words, start)) == expected


_KERNEL_ASM = r"""
import json, re, sys
import numpy as np
from numba import typeof
from glorot_numba import _engine
from glorot_numba._engine import kernels as _kernels
counts = {}
for path in sys.argv[1:]:
    real = {"f32": np.float32, "f64": np.float64}[path]
    args = (np.empty(1, real), np.zeros(1, np.int64), np.int64(1), np.uint64(0),
            np.uint64(0), _engine.TRUNCATED, _kernels.params(real, 1.0), 1)
    for kernel in _kernels.KERNELS[path]:
        # Compiled in memory: this process has caching off.
        kernel.compile(tuple(typeof(a) for a in args))
        asm = kernel.inspect_asm(kernel.signatures[0])
        name = kernel.py_func.__name__
        counts[name] = {w: len(re.findall(r"vsqrtp[sd]\s+%" + w, asm))
                        for w in ("xmm", "ymm", "zmm")}
print(json.dumps(counts))
"""


@pytest.mark.skipif(not _codegen.hint_wanted(), reason="no hint on this CPU")
def test_kernels_transform_in_512_bit_vectors():
    # The Box-Muller transform is the one place with a square root: packed
    # square roots on 512-bit registers show that the tile loop and the
    # list loop were vectorised, 16 float32 or 8 float64 lanes wide.  (Code
    # in a process of its own, compiled without the cache: Numba cannot
    # show the assembly of cached code; float32 and float64 compile in two
    # processes at once, which halves the test's time on two cores.)
    import json
    import subprocess
    import sys

    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _KERNEL_ASM, path],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=python_env(GLOROT_NUMBA_CACHE="0"),
        )
        for path in ("f32", "f64")
    ]
    counts = {}
    try:
        for proc in procs:
            stdout, stderr = proc.communicate(timeout=600)
            assert proc.returncode == 0, stderr
            counts.update(json.loads(stdout))
    finally:
        reap(*procs)
    assert set(counts) == {"fill_f32", "fill_f32_serial", "fill_f64", "fill_f64_serial"}
    for name, by_width in counts.items():
        assert by_width["zmm"] >= 2, (name, by_width)  # tile pass and list pass


@njit
def _borrow_and_write(a, lo, hi):
    v = _codegen.borrowed(a, lo, hi)
    for i in range(v.shape[0]):
        v[i] = i + 100
    return v.shape[0], v[0] if v.shape[0] else -1.0


def test_borrowed_is_the_slice_without_a_reference():
    a = np.zeros(10)
    assert _borrow_and_write(a, 3, 7) == (4, 100.0)
    np.testing.assert_array_equal(a, [0, 0, 0, 100, 101, 102, 103, 0, 0, 0])
    assert _borrow_and_write(a, 5, 5) == (0, -1.0)
