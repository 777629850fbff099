"""JAX's own initializer tests, run against glorot_numba.jax.

Ported from jax-ml/jax, ``tests/nn_test.py`` (class ``NNInitializersTest``
and its ``INITIALIZER_RECS`` table; upstream commit cec06d1, JAX 0.10;
Apache License 2.0).  The assertions are JAX's; what was adapted, and why:

- ``nn.initializers.<name>`` is ``glorot_numba.jax.<name>``: the subject
  under test.
- JAX's test-case machinery (``jtu.JaxTestCase``, ``jtu.sample_product``,
  absl's ``parameterized``) is replaced by ``pytest.mark.parametrize`` over
  every shape and dtype of a record (JAX samples a few of them per run).
  ``jtu.dtypes.floating`` / ``inexact`` are spelled out as JAX defines them
  on a CPU: float32 (and complex64 for ``inexact``), plus float64 (and
  complex128) where 64-bit types are enabled.  The tests run as JAX's CI
  runs them by default, and under ``jax.enable_x64(True)`` for the 64-bit
  dtypes.
- Not ported: the ``orthogonal`` and ``delta_orthogonal`` records and
  ``testInitializerOrthogonalZeroSize`` -- glorot_numba has no orthogonal
  initializers.  The rest of ``nn_test.py`` tests activation functions and
  attention, not initializers.
"""

import itertools
from functools import partial

import numpy as np
import pytest

jax = pytest.importorskip("jax", reason="JAX is not installed (pip install '.[jax]')")

import jax.numpy as jnp  # noqa: E402
from jax import random  # noqa: E402

from glorot_numba import jax as nn_initializers  # noqa: E402


def floating(x64):
    return [np.float32, np.float64] if x64 else [np.float32]


def inexact(x64):
    return floating(x64) + ([np.complex64, np.complex128] if x64 else [np.complex64])


ALL_SHAPES = [(), (2,), (2, 2), (2, 3), (3, 2), (2, 3, 4), (4, 3, 2), (2, 3, 4, 5)]


def initializer_record(name, initializer, dtypes, min_dims=2, max_dims=4):
    shapes = [shape for shape in ALL_SHAPES if min_dims <= len(shape) <= max_dims]
    return name, initializer, shapes, dtypes


INITIALIZER_RECS = [
    initializer_record("uniform", nn_initializers.uniform, floating, 1),
    initializer_record("normal", nn_initializers.normal, inexact, 1),
    initializer_record("he_normal", nn_initializers.he_normal, inexact),
    initializer_record("he_uniform", nn_initializers.he_uniform, inexact),
    initializer_record("glorot_normal", nn_initializers.glorot_normal, inexact),
    initializer_record("glorot_uniform", nn_initializers.glorot_uniform, inexact),
    initializer_record("lecun_normal", nn_initializers.lecun_normal, inexact),
    initializer_record("lecun_uniform", nn_initializers.lecun_uniform, inexact),
    initializer_record("truncated_normal", nn_initializers.truncated_normal, floating, 1),
    initializer_record(
        "variance_scaling_fan_geo_avg",
        partial(nn_initializers.variance_scaling, 1, "fan_geo_avg", "normal"),
        floating,
    ),
    initializer_record(
        "variance_scaling_fan_in",
        partial(nn_initializers.variance_scaling, 1, "fan_in", "normal", in_axis=[0], out_axis=[]),
        floating,
        min_dims=1,
    ),
    initializer_record(
        "variance_scaling_fan_in",
        partial(nn_initializers.variance_scaling, 1, "fan_in", "normal", in_axis=[], out_axis=[0]),
        floating,
        min_dims=1,
    ),
    initializer_record(
        "variance_scaling_fan_in",
        partial(nn_initializers.variance_scaling, 1, "fan_in", "normal", in_axis=[], out_axis=[]),
        floating,
        min_dims=0,
    ),
]

# Under x64, the dtypes that only it has (the others were run without it).
CASES = [
    pytest.param(
        initializer,
        shape,
        dtype,
        x64,
        id=f"{name}-{shape}-{np.dtype(dtype).name}{'-x64' if x64 else ''}",
    )
    for x64 in (False, True)
    for name, initializer, shapes, dtypes in INITIALIZER_RECS
    for shape, dtype in itertools.product(shapes, dtypes(x64))
    if not x64 or dtype not in dtypes(False)
]


@pytest.fixture(params=[False, True], ids=["x32", "x64"])
def x64(request):
    with jax.enable_x64(request.param):
        yield request.param


@pytest.mark.parametrize("initializer_provider, shape, dtype, x64_case", CASES)
def testInitializer(initializer_provider, shape, dtype, x64_case):
    with jax.enable_x64(x64_case):
        initializer = initializer_provider()
        rng = random.PRNGKey(0)
        val = initializer(rng, shape, dtype)

        assert shape == jnp.shape(val)
        assert jax.dtypes.canonicalize_dtype(dtype) == val.dtype


@pytest.mark.parametrize("initializer_provider, shape, dtype, x64_case", CASES)
def testInitializerProvider(initializer_provider, shape, dtype, x64_case):
    with jax.enable_x64(x64_case):
        rng = random.PRNGKey(0)
        initializer = initializer_provider(dtype=dtype)
        val = initializer(rng, shape)

        assert shape == jnp.shape(val)
        assert jax.dtypes.canonicalize_dtype(dtype) == val.dtype


def testVarianceScalingMultiAxis(x64):
    rng = random.PRNGKey(0)
    shape = (2, 3, 4, 5)
    initializer = nn_initializers.variance_scaling(
        scale=1.0,
        mode="fan_avg",
        distribution="truncated_normal",
        in_axis=(0, 1),
        out_axis=(-2, -1),
    )
    val = initializer(rng, shape)

    assert shape == jnp.shape(val)


def testVarianceScalingBatchAxis(x64):
    rng = random.PRNGKey(0)
    shape = (2, 3, 4, 5)
    initializer = nn_initializers.variance_scaling(
        scale=1.0,
        mode="fan_avg",
        distribution="truncated_normal",
        in_axis=0,
        out_axis=(2, 3),
        batch_axis=1,
    )
    val = initializer(rng, shape)

    assert shape == jnp.shape(val)


def testVarianceScalingError(x64):
    rng = random.PRNGKey(0)
    shape = (5,)
    initializer = nn_initializers.variance_scaling(
        scale=1.0, mode="fan_avg", distribution="truncated_normal"
    )

    with pytest.raises(
        ValueError,
        match="Can't compute input and output sizes of a 1-dimensional"
        " weights tensor with default in_axis. Must be at least 2D or specify"
        " in_axis explicitly.",
    ):
        initializer(rng, shape)


def testAccidentalUpcasting(x64):
    rng = random.PRNGKey(0)
    shape = (4, 4)
    scalar_param = jnp.array(1.0, dtype=jnp.float32)
    for init_fn in (
        nn_initializers.uniform(scalar_param, jnp.bfloat16),
        nn_initializers.normal(scalar_param, jnp.bfloat16),
        nn_initializers.truncated_normal(scalar_param, jnp.bfloat16),
    ):
        sub_rng, rng = random.split(rng)
        val = init_fn(sub_rng, shape)
        assert val.dtype == jnp.bfloat16
