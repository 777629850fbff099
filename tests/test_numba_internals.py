"""Every use of Numba's and llvmlite's private surface, each called and checked.

The engine reaches these through ``glorot_numba/_engine/numba_internals.py``
and falls back quietly where it can (compiling in memory, without the vector
hint); these tests are what fails -- loudly -- when a Numba or llvmlite
release changes one of them.
"""

import numba
import numpy as np
import pytest
from llvmlite import ir
from numba import njit, prange

from glorot_numba._engine import codegen, numba_internals, threads

pytestmark = pytest.mark.skipif(numba.config.DISABLE_JIT, reason="needs the JIT")


@njit(parallel=True)
def _parallel_sum(a):
    total = 0.0
    for i in prange(a.shape[0]):
        total += a[i]
    return total


def test_thread_state_is_readable_once_threads_run():
    _parallel_sum(np.ones(1000))
    assert numba_internals.threads_started() is True
    assert numba_internals.running_layer() == numba.threading_layer()
    assert numba_internals.thread_count_unlocked() == numba.get_num_threads()
    with threads.num_threads(1):
        pass  # no effect on Numba's own per-thread count
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        assert numba_internals.thread_count_unlocked() == 1
    finally:
        numba.set_num_threads(before)


def test_dispatcher_cache_is_reachable_and_replaceable(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))

    @njit
    def f(x):
        return x + 1

    f.enable_caching()
    cache = numba_internals.dispatcher_cache(f)
    assert hasattr(cache, "cache_path") and hasattr(cache, "flush")
    assert hasattr(cache, "load_overload") and hasattr(cache, "save_overload")
    marker = object()
    numba_internals.set_dispatcher_cache(f, marker)
    assert numba_internals.dispatcher_cache(f) is marker
    numba_internals.disable_cache(f)
    assert f(1) == 2  # compiles in memory with Numba's null cache


def test_an_unlisted_llvm_attribute_can_be_attached():
    module = ir.Module(name="probe")
    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), []), name="probe")
    with pytest.raises(ValueError):
        fn.attributes.add('"prefer-vector-width"="512"')  # llvmlite's own check
    numba_internals.add_function_attribute(fn, '"prefer-vector-width"="512"')
    ir.IRBuilder(fn.append_basic_block()).ret_void()
    assert '"prefer-vector-width"="512"' in str(module)
    assert codegen.hint_usable() is True  # the whole probe, as the kernels run it


@njit
def _view_and_write(a, lo, hi):
    v = codegen.borrowed(a, lo, hi)
    for i in range(v.shape[0]):
        v[i] = i + 1
    return v.shape[0]


def test_array_views_without_references():
    a = np.zeros(8)
    assert _view_and_write(a, 2, 5) == 3
    np.testing.assert_array_equal(a, [0, 0, 1, 2, 3, 0, 0, 0])
