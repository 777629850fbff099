"""glorot_numba.jax: key-driven factories in jax.nn.initializers style.

Statistical checks use fixed keys; each states its false-alarm level.
"""

import functools
import itertools
import math

import numpy as np
import pytest

jax = pytest.importorskip("jax", reason="JAX is not installed (pip install '.[jax]')")
jnp = pytest.importorskip("jax.numpy")

import glorot_numba as gn  # noqa: E402
import glorot_numba.jax as gnj  # noqa: E402
from glorot_numba import _adapters  # noqa: E402

from .conftest import same_bits  # noqa: E402

TRUNC_STD = 0.87962566103423978

FACTORIES = {
    "glorot_normal": (gnj.glorot_normal, 1.0, "fan_avg", "truncated_normal"),
    "glorot_uniform": (gnj.glorot_uniform, 1.0, "fan_avg", "uniform"),
    "he_normal": (gnj.he_normal, 2.0, "fan_in", "truncated_normal"),
    "he_uniform": (gnj.he_uniform, 2.0, "fan_in", "uniform"),
    "lecun_normal": (gnj.lecun_normal, 1.0, "fan_in", "truncated_normal"),
    "lecun_uniform": (gnj.lecun_uniform, 1.0, "fan_in", "uniform"),
}


@pytest.mark.parametrize("name", FACTORIES)
def test_family_is_variance_scaling_under_the_key_words(name):
    factory, scale, mode, distribution = FACTORIES[name]
    key = jax.random.key(7)
    w = factory()(key, (3, 3, 8, 16))
    assert isinstance(w, jax.Array) and w.dtype == jnp.float32
    # The Philox key is the JAX key's two words.
    k0, k1 = (int(x) for x in jax.random.key_data(key))
    ref = _adapters.keyed(gn.VarianceScaling(scale, mode, distribution), (k0, k1))
    assert same_bits(w, ref((3, 3, 8, 16)))
    assert same_bits(w, gnj.variance_scaling(scale, mode, distribution)(key, (3, 3, 8, 16)))


def test_aliases():
    assert gnj.xavier_normal is gnj.glorot_normal and gnj.xavier_uniform is gnj.glorot_uniform
    assert gnj.kaiming_normal is gnj.he_normal and gnj.kaiming_uniform is gnj.he_uniform


def test_deterministic_in_the_key_and_different_across_keys():
    init = gnj.glorot_normal()
    a = init(jax.random.key(0), (50, 40))
    assert same_bits(a, init(jax.random.key(0), (50, 40)))
    assert same_bits(a, init(jax.random.PRNGKey(0), (50, 40))), "raw and typed keys agree"
    k1, k2 = jax.random.split(jax.random.key(0))
    b, c = init(k1, (50, 40)), init(k2, (50, 40))
    for x, y in ((a, b), (a, c), (b, c)):
        assert not np.any(np.asarray(x) == np.asarray(y))


def test_other_key_implementations():
    init = gnj.he_uniform()
    a = init(jax.random.key(3, impl="rbg"), (20, 10))
    b = init(jax.random.key(4, impl="rbg"), (20, 10))
    assert same_bits(a, init(jax.random.key(3, impl="rbg"), (20, 10)))
    assert not np.array_equal(np.asarray(a), np.asarray(b))
    assert float(jnp.abs(a).max()) <= math.sqrt(6 / 20)


def test_jit_gives_the_eager_values():
    init = gnj.lecun_normal()
    key = jax.random.key(11)
    eager = init(key, (64, 32))
    jitted = jax.jit(init, static_argnums=(1, 2))(key, (64, 32), jnp.bfloat16)
    assert jitted.dtype == jnp.bfloat16
    assert same_bits(jitted, init(key, (64, 32), jnp.bfloat16))
    # A key computed inside the traced function reaches the host callback.
    f = jax.jit(lambda k: init(jax.random.fold_in(k, 1), (64, 32)))
    assert same_bits(f(key), init(jax.random.fold_in(key, 1), (64, 32)))
    assert not np.array_equal(np.asarray(f(key)), np.asarray(eager))


def test_vmap_over_keys():
    init = gnj.glorot_uniform()
    keys = jax.random.split(jax.random.key(2), 4)
    stacked = jax.vmap(functools.partial(init, shape=(5, 6)))(keys)
    assert stacked.shape == (4, 5, 6)
    for i in range(4):
        assert same_bits(stacked[i], init(keys[i], (5, 6)))


def test_dtypes():
    init = gnj.glorot_normal(dtype=jnp.float16)
    assert init(jax.random.key(0), (4, 4)).dtype == jnp.float16
    assert init(jax.random.key(0), (4, 4), jnp.bfloat16).dtype == jnp.bfloat16
    # Without jax_enable_x64, JAX's default float type is float32.
    assert gnj.he_normal()(jax.random.key(0), (4, 4)).dtype == jnp.result_type(float)


@pytest.mark.parametrize("dtype", [jnp.complex64, jnp.float16])
def test_other_dtypes_are_the_core_values(dtype):
    key = jax.random.key(21)
    init = gnj.glorot_normal()
    w = init(key, (40, 30), dtype)
    assert w.dtype == dtype
    k0, k1 = (int(x) for x in jax.random.key_data(key))
    ref = _adapters.keyed(gn.GlorotNormal(), (k0, k1))((40, 30), np.dtype(dtype))
    assert same_bits(w, ref)
    assert same_bits(jax.jit(init, static_argnums=(1, 2))(key, (40, 30), dtype), ref)


def test_out_sharding_places_the_result():
    device = jax.devices()[0]
    sharding = jax.sharding.SingleDeviceSharding(device)
    init = gnj.glorot_normal()
    w = init(jax.random.key(0), (8, 4), out_sharding=sharding)
    assert w.sharding == sharding
    assert same_bits(w, init(jax.random.key(0), (8, 4)))
    jitted = jax.jit(lambda k: init(k, (8, 4), out_sharding=sharding))(jax.random.key(0))
    assert same_bits(jitted, w)


def test_fan_axes_as_in_jax():
    # Uniform draws: the max of |w| is within 0.1 % of the bound sqrt(3 s / n)
    # unless all draws miss the top 0.1 % (probability (0.999)^N, < 1e-10 here).
    shape = (4, 3, 3, 24, 32)  # batch of 4 conv kernels
    init = gnj.variance_scaling(1.0, "fan_in", "uniform", batch_axis=0)
    w = np.asarray(init(jax.random.key(5), shape))
    bound = math.sqrt(3.0 / (3 * 3 * 24))
    assert bound * 0.999 < np.abs(w).max() <= bound
    init = gnj.variance_scaling(1.0, "fan_out", "uniform", in_axis=(0, 1), out_axis=-1)
    w = np.asarray(init(jax.random.key(5), (6, 5, 4, 40)))
    bound = math.sqrt(3.0 / (40 * 4))
    assert bound * 0.999 < np.abs(w).max() <= bound
    init = gnj.variance_scaling(2.0, "fan_geo_avg", "uniform")
    w = np.asarray(init(jax.random.key(6), (100, 400)))
    bound = math.sqrt(3 * 2.0 / math.sqrt(100 * 400))
    assert bound * 0.999 < np.abs(w).max() <= bound


def test_distribution_names_are_jax_names():
    key = jax.random.key(9)
    shape = (512, 1024)
    std = math.sqrt(1.0 / 1024)  # fan_out
    t = np.asarray(gnj.variance_scaling(1.0, "fan_out", "truncated_normal")(key, shape), np.float64)
    n = np.asarray(gnj.variance_scaling(1.0, "fan_out", "normal")(key, shape), np.float64)
    # 524288 draws: the sample std's relative standard error is ~0.1 %; 1 % is
    # ~10 SE.  Beyond 2 sigma: none when truncated, 4.55 % +- 0.2 % (> 6 SE)
    # when not (JAX's "normal" is untruncated).
    assert abs(t.std() / std - 1) < 0.01 and abs(n.std() / std - 1) < 0.01
    assert np.abs(t).max() < 2 * std / TRUNC_STD
    assert abs(np.mean(np.abs(n) > 2 * std) - 0.0455) < 0.002


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: gnj.glorot_normal()(jax.random.key(0), (5,)), ValueError, "1-dimensional"),
        (lambda: gnj.glorot_normal()(jax.random.key(0), ()), ValueError, "0-dimensional"),
        (
            lambda: gnj.variance_scaling(1.0, "fan_in", "untruncated_normal"),
            ValueError,
            "distribution",
        ),
        (lambda: gnj.variance_scaling(1.0, "FAN_IN", "normal"), ValueError, "mode"),
        (lambda: gnj.variance_scaling(-1.0, "fan_in", "normal"), ValueError, "scale"),
        (lambda: gnj.glorot_normal(in_axis=0, out_axis=0), ValueError, "axis"),
        (lambda: gnj.glorot_normal()(0, (3, 4)), TypeError, "key"),
        (lambda: gnj.glorot_normal()(jnp.zeros(2, jnp.float32), (3, 4)), TypeError, "key"),
        (
            lambda: gnj.glorot_normal()(jax.random.split(jax.random.key(0)), (3, 4)),
            ValueError,
            "single",
        ),
        (lambda: gnj.glorot_normal()(jax.random.key(0), (3, 4), jnp.int32), ValueError, "int32"),
    ],
)
def test_bad_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# --------------------------------------------------------------------------
# JAX's error messages and shardings
# --------------------------------------------------------------------------


def jax_error(call):
    """The (type, message) JAX's own call raises."""
    with pytest.raises(Exception) as info:
        call()
    return type(info.value), str(info.value)


@pytest.mark.parametrize(
    "name, args, shape, dtype",
    [
        ("glorot_normal", (), (5,), None),
        ("variance_scaling", (1.0, "fan_avg", "uniform"), (), None),
        ("glorot_normal", (), (3, 4), jnp.int32),
        ("he_uniform", (), (3, 4), jnp.int32),
        ("variance_scaling", (1.0, "fan_in", "normal"), (3, 4), jnp.int32),
        ("normal", (), (3, 4), jnp.int32),
        ("truncated_normal", (), (3, 4), jnp.complex64),
        ("truncated_normal", (), (3, 4), jnp.int32),
        ("uniform", (), (3, 4), jnp.complex64),
    ],
)
def test_errors_are_jaxs(name, args, shape, dtype):
    key = jax.random.key(0)
    ours = jax_error(lambda: getattr(gnj, name)(*args)(key, shape, dtype))
    theirs = jax_error(lambda: getattr(jax.nn.initializers, name)(*args)(key, shape, dtype))
    assert ours == theirs


def explicit_mesh():
    return jax.make_mesh((1,), ("x",), axis_types=(jax.sharding.AxisType.Explicit,))


@pytest.mark.parametrize(
    "name", ["glorot_normal", "he_uniform", "normal", "truncated_normal", "uniform"]
)
def test_out_sharding_gives_jaxs_sharding(name):
    P = jax.sharding.PartitionSpec
    ours, theirs = getattr(gnj, name)(), getattr(jax.nn.initializers, name)()
    key, mesh = jax.random.key(0), explicit_mesh()
    with jax.set_mesh(mesh):
        for spec in (P("x"), P(), P("x", None)):
            a = ours(key, (4, 3), out_sharding=spec)
            b = theirs(key, (4, 3), out_sharding=spec)
            assert a.sharding == b.sharding and a.sharding.spec == b.sharding.spec
            assert len(a.sharding.spec) == 2, "padded to the rank, as JAX's"
            jitted = jax.jit(lambda k, s=spec: ours(k, (4, 3), out_sharding=s))(key)
            assert jitted.sharding == b.sharding
            assert same_bits(jitted, a)
    named = jax.sharding.NamedSharding(mesh, P("x"))
    assert (
        ours(key, (4, 3, 2), out_sharding=named).sharding
        == theirs(key, (4, 3, 2), out_sharding=named).sharding
    )
    # A PartitionSpec outside a mesh: JAX's error.
    assert jax_error(lambda: ours(key, (4, 3), out_sharding=P("x"))) == jax_error(
        lambda: theirs(key, (4, 3), out_sharding=P("x"))
    )


# --------------------------------------------------------------------------
# normal, truncated_normal, uniform
# --------------------------------------------------------------------------


def key_pair(key):
    return tuple(int(x) for x in jax.random.key_data(key))


@pytest.mark.parametrize(
    "factory, numpy_init",
    [
        (lambda: gnj.normal(0.3), lambda: gn.RandomNormal(0.0, 0.3)),
        (lambda: gnj.normal(-0.3), lambda: gn.RandomNormal(0.0, 0.3)),
        (
            lambda: gnj.truncated_normal(0.3),
            lambda: gn.TruncatedNormal(0.0, 0.3, lower=-0.6, upper=0.6),
        ),
        (
            lambda: gnj.truncated_normal(2.0, lower=-1.0, upper=3.0),
            lambda: gn.TruncatedNormal(0.0, 2.0, lower=-2.0, upper=6.0),
        ),
        (
            lambda: gnj.truncated_normal(-2.0, lower=-1.0, upper=3.0),
            lambda: gn.TruncatedNormal(0.0, 2.0, lower=-6.0, upper=2.0),
        ),
        (lambda: gnj.uniform(3.0), lambda: gn.RandomUniform(0.0, 3.0)),
        (lambda: gnj.uniform(-3.0), lambda: gn.RandomUniform(-3.0, 0.0)),
    ],
)
def test_explicit_factories_draw_the_numpy_api_under_the_key(factory, numpy_init):
    key = jax.random.key(4)
    init = factory()
    w = init(key, (64, 32))
    assert w.dtype == jnp.float32
    assert same_bits(w, _adapters.keyed(numpy_init(), key_pair(key))((64, 32)))
    assert same_bits(jax.jit(init, static_argnums=1)(key, (64, 32)), w)
    stacked = jax.vmap(functools.partial(init, shape=(5,)))(jax.random.split(key, 3))
    assert stacked.shape == (3, 5)


def test_complex_normal_as_in_jax():
    # Real and imaginary parts each of variance stddev**2 / 2.  2**18 draws:
    # relative standard error of each variance 0.3 %; 2 % is 7 of them.
    w = np.asarray(gnj.normal(0.5)(jax.random.key(1), (512, 512), jnp.complex64))
    assert w.dtype == np.complex64
    for part in (w.real, w.imag):
        assert abs(part.var() / 0.125 - 1) < 0.02


def test_zero_scales_give_zeros_as_in_jax():
    key = jax.random.key(0)
    for init in (gnj.normal(0.0), gnj.truncated_normal(0.0), gnj.uniform(0.0)):
        assert not np.any(np.asarray(init(key, (10, 10))))


@pytest.mark.parametrize(
    "name, args",
    [
        ("normal", (2.0,)),
        ("truncated_normal", (2.0, None, -1.0, 3.0)),
        ("truncated_normal", (0.5, None, 2.5, 4.0)),
        ("uniform", (3.0,)),
    ],
)
def test_explicit_factories_follow_jaxs_distributions(name, args):
    # Two-sample Kolmogorov-Smirnov test of 20000 draws against 20000 of
    # jax.nn.initializers' own, at level 1e-4 (fixed keys: decided once).
    # A bound read in absolute units instead of units of stddev, or a
    # forgotten scale, moves the statistic far past it.
    from scipy import stats

    ours = np.asarray(getattr(gnj, name)(*args)(jax.random.key(5), (20000,)))
    theirs = np.asarray(getattr(jax.nn.initializers, name)(*args)(jax.random.key(6), (20000,)))
    assert stats.ks_2samp(ours, theirs).pvalue > 1e-4


def test_truncated_normal_is_exact_far_in_a_tail():
    # z in (5, 6): the normal conditioned on it has mean 5.1865 (scipy's
    # truncnorm) and all of its mass inside.  Standard error of the mean of
    # 10000 draws 0.0018; 0.015 is 8 of them.
    from scipy import stats

    w = np.asarray(
        gnj.truncated_normal(1.0, lower=5.0, upper=6.0)(jax.random.key(2), (10000,)), np.float64
    )
    assert w.min() >= 5.0 and w.max() <= 6.0
    assert abs(w.mean() - stats.truncnorm.mean(5.0, 6.0)) < 0.015


@pytest.mark.parametrize(
    "make, exc, match",
    [
        (lambda: gnj.truncated_normal(1.0, lower=1.0, upper=1.0), ValueError, "lower"),
        (lambda: gnj.truncated_normal(1.0, lower=float("nan")), ValueError, "lower"),
        (lambda: gnj.truncated_normal("a"), TypeError, "stddev"),
        (lambda: gnj.normal(jnp.ones(3)), TypeError, "stddev"),
        (lambda: gnj.normal(float("inf")), ValueError, "stddev"),
        (lambda: gnj.uniform(None), TypeError, "scale"),
    ],
)
def test_explicit_bad_arguments(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_key_compression_keeps_keys_apart():
    seen = {
        _adapters.key_from_words(np.array(w, np.uint32))
        for w in ([1, 2, 3, 4], [1, 2, 3, 5], [1, 2, 3], [1, 2, 3, 0], [0, 0, 0, 0])
    }
    assert len(seen) == 5
    assert _adapters.key_from_words([5, 6]) == (5, 6)


# --------------------------------------------------------------------------
# End to end: an MLP initialised under jit, trained one step; Flax if present
# --------------------------------------------------------------------------


def test_pure_jax_mlp_end_to_end():
    sizes = [12, 32, 4]

    @jax.jit
    def init_params(key):
        params = []
        layers = itertools.pairwise(sizes)
        for k, (m, n) in zip(jax.random.split(key, len(sizes) - 1), layers, strict=True):
            params.append((gnj.he_normal()(k, (m, n)), jnp.zeros(n)))
        return params

    def loss(params, x, y):
        for w, b in params[:-1]:
            x = jax.nn.relu(x @ w + b)
        w, b = params[-1]
        return jnp.mean((x @ w + b - y) ** 2)

    params = init_params(jax.random.key(0))
    keys = jax.random.split(jax.random.key(0), 2)
    assert same_bits(params[0][0], gnj.he_normal()(keys[0], (12, 32)))
    x = jax.random.normal(jax.random.key(1), (16, 12))
    y = jax.random.normal(jax.random.key(2), (16, 4))
    value, grads = jax.jit(jax.value_and_grad(loss))(params, x, y)
    assert np.isfinite(float(value))
    new = jax.tree.map(lambda p, g: p - 0.1 * g, params, grads)
    assert float(loss(new, x, y)) < float(value)


def test_flax_linen_end_to_end():
    nn = pytest.importorskip("flax.linen", reason="Flax is not installed")

    class MLP(nn.Module):
        @nn.compact
        def __call__(self, x):
            x = nn.relu(nn.Dense(32, kernel_init=gnj.he_normal())(x))
            return nn.Dense(3, kernel_init=gnj.glorot_normal())(x)

    model = MLP()
    x = jnp.ones((2, 10))
    variables = jax.jit(model.init)(jax.random.key(0), x)
    eager = model.init(jax.random.key(0), x)
    kernels = jax.tree.leaves(jax.tree.map(same_bits, variables, eager))
    assert all(kernels)
    assert not np.array_equal(
        variables["params"]["Dense_0"]["kernel"],
        model.init(jax.random.key(1), x)["params"]["Dense_0"]["kernel"],
    )
    grads = jax.grad(lambda v: jnp.sum(model.apply(v, x) ** 2))(variables)
    assert all(np.isfinite(np.asarray(g)).all() for g in jax.tree.leaves(grads))


def test_flax_nnx_end_to_end():
    nnx = pytest.importorskip("flax.nnx", reason="Flax is not installed")
    a = nnx.Linear(8, 4, kernel_init=gnj.lecun_uniform(), rngs=nnx.Rngs(0))
    b = nnx.Linear(8, 4, kernel_init=gnj.lecun_uniform(), rngs=nnx.Rngs(0))
    assert same_bits(a.kernel[...], b.kernel[...])
    assert float(jnp.abs(a.kernel[...]).max()) <= math.sqrt(3 / 8)
    assert a(jnp.ones((1, 8))).shape == (1, 4)
