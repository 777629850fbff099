"""What the test modules share: helpers, settings and the fixtures every test gets.

Test modules import the helpers from here (``from .conftest import
same_bits``); slow reference implementations live in ``tests/naive.py``.
No test module imports another one.  pytest loads this module, as
``tests.conftest``, before any test module of ``tests/``, so the
fixtures below apply to every test there; the session set-up shared with
the doctests (the Keras backend) is the repository's top-level
``conftest.py``.
"""

import hashlib
import os
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import glorot_numba as gn

# The checkout under test: children get it first on their PYTHONPATH.
ROOT = Path(__file__).resolve().parents[1]

# Hypothesis judges by time as well as by result: a deadline per example and
# the too_slow health check fail correct code on a busy machine.  Both are
# off for every test; tests set their own numbers of examples.
settings.register_profile(
    "glorot_numba", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("glorot_numba")


def python_env(**env):
    """The environment for a child Python process that imports the
    ``glorot_numba`` of this checkout: the current one, ``PYTHONPATH`` set to
    the checkout, then ``env``."""
    return dict(os.environ, PYTHONPATH=str(ROOT), **env)


def reap(*procs):
    """Kill the ``subprocess.Popen`` children still running and close their
    pipes -- also after a failed test, or the pipes are collected in a later
    test and fail it with a ResourceWarning."""
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


# --------------------------------------------------------------------------
# Comparing bits


def bits(a):
    """Raw bytes, for NaN-safe and bfloat16-safe bitwise comparison."""
    return np.ascontiguousarray(a).reshape(-1).view(np.uint8)


def same_bits(a, b):
    """Whether ``a`` and ``b`` (arrays, or anything ``np.asarray`` takes: JAX
    arrays, Dask results) have the same dtype, shape and bytes."""
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(bits(a), bits(b))


def digest(a):
    """The first 16 hex digits of the SHA-256 of ``a``'s bytes (C order): the
    golden hashes."""
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()[:16]


# --------------------------------------------------------------------------
# Frameworks' values as NumPy (only the modules that test a framework call
# these, after importing it)


def as_numpy(t):
    """A copy of a PyTorch tensor's values as NumPy (bfloat16 through its bits)."""
    import torch

    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16).copy()
    return t.numpy().copy()


def values(variable):
    """A Keras variable's values as NumPy."""
    import keras

    return np.asarray(keras.ops.convert_to_numpy(variable.value))


# --------------------------------------------------------------------------
# Fixtures


@pytest.fixture(autouse=True)
def _clear_global_seed():
    """Every test starts and ends without a global seed, whatever it sets."""
    gn.set_random_seed(None)
    yield
    gn.set_random_seed(None)
