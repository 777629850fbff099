"""Test-session set-up shared by tests/ and the doctests of glorot_numba/.

Keras reads ``KERAS_BACKEND`` once, when it is first imported, so the
backend is chosen here, before any test module or doctest imports Keras:
the tests run Keras 3 on JAX (other backends are exercised in
subprocesses by tests/test_keras.py).  The framework adapters' doctests are
collected only where their framework is installed; their tests in tests/
skip with the reason.
"""

import importlib.util
import os
import sys

if importlib.util.find_spec("jax") is not None and "keras" not in sys.modules:
    os.environ["KERAS_BACKEND"] = "jax"

_ADAPTERS = {
    "torch.py": ("torch",),
    "_torch_fill.py": ("torch",),
    "_torch_init.py": ("torch",),
    "_torch_patch.py": ("torch",),
    "keras.py": ("keras", "jax"),
    "jax.py": ("jax",),
}


def _installed(name):
    return importlib.util.find_spec(name) is not None


def pytest_ignore_collect(collection_path, config):
    """Skip an adapter module's doctests when its framework is absent."""
    if collection_path.parent.name != "glorot_numba":
        return None
    needs = _ADAPTERS.get(collection_path.name)
    if needs and not all(_installed(name) for name in needs):
        return True
    return None
