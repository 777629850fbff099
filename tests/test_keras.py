"""glorot_numba.keras: Keras 3 initializers, run on the JAX backend here
(conftest.py chooses it) and on the other installed backends in subprocesses.

Statistical checks use fixed seeds; each states its false-alarm level.
"""

import importlib.util
import os
import subprocess
import sys
import textwrap

import ml_dtypes
import numpy as np
import pytest

pytest.importorskip("jax", reason="the Keras tests run on Keras' JAX backend; JAX is not installed")
keras = pytest.importorskip("keras", reason="Keras 3 is not installed (pip install '.[keras]')")
if not keras.__version__.startswith("3."):
    pytest.skip(f"Keras 3 is needed, found Keras {keras.__version__}", allow_module_level=True)

import jax.numpy as jnp  # noqa: E402

import glorot_numba as gn  # noqa: E402
import glorot_numba.jax as gnj  # noqa: E402
import glorot_numba.keras as gnk  # noqa: E402
from glorot_numba import _adapters  # noqa: E402
from glorot_numba.testing import assert_variance_scaling  # noqa: E402

from .conftest import same_bits, values  # noqa: E402

K = keras.initializers

# (ours, the NumPy API's, Keras' own)
FAMILY = [
    (gnk.GlorotNormal, gn.GlorotNormal, K.GlorotNormal),
    (gnk.GlorotUniform, gn.GlorotUniform, K.GlorotUniform),
    (gnk.HeNormal, gn.HeNormal, K.HeNormal),
    (gnk.HeUniform, gn.HeUniform, K.HeUniform),
    (gnk.LecunNormal, gn.LecunNormal, K.LecunNormal),
    (gnk.LecunUniform, gn.LecunUniform, K.LecunUniform),
]

# (ours, Keras' own, constructor arguments, the NumPy API's equivalent)
EXPLICIT = [
    (
        gnk.RandomNormal,
        K.RandomNormal,
        {"mean": 0.5, "stddev": 0.02},
        lambda seed: gn.RandomNormal(0.5, 0.02, seed=seed),
    ),
    (
        gnk.TruncatedNormal,
        K.TruncatedNormal,
        {"mean": -1.0, "stddev": 0.3},
        lambda seed: gn.TruncatedNormal(-1.0, 0.3, seed=seed),
    ),
    (
        gnk.RandomUniform,
        K.RandomUniform,
        {"minval": -0.2, "maxval": 0.7},
        lambda seed: gn.RandomUniform(-0.2, 0.7, seed=seed),
    ),
]

# Keras' own Variable.numpy() trips NumPy 2's __array__ copy-keyword warning;
# that is Keras' business, not this package's.
keras_array_warning = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


def test_the_tests_run_on_the_jax_backend():
    assert keras.backend.backend() == "jax"


# --------------------------------------------------------------------------
# The classes are Keras' own, as far as Keras can tell
# --------------------------------------------------------------------------


@pytest.mark.parametrize("ours, numpy_cls, theirs", FAMILY)
@pytest.mark.parametrize("shape", [(30, 20), (3, 3, 8, 16), (7,)])
def test_family_values_equal_the_numpy_api(ours, numpy_cls, theirs, shape):
    init = ours(seed=17)
    assert isinstance(init, theirs) and isinstance(init, K.VarianceScaling)
    w = init(shape)
    assert keras.ops.is_tensor(w) and str(w.dtype) == "float32"
    assert same_bits(w, numpy_cls(seed=17)(shape))
    assert same_bits(init(shape), w), "a seeded instance repeats itself"


@pytest.mark.parametrize("ours, numpy_cls, theirs", FAMILY)
def test_family_attributes_and_config_are_keras(ours, numpy_cls, theirs):
    for kwargs in ({"seed": 3}, {"seed": 3, "input_axes": [0], "output_axes": [1, 2]}):
        init, keras_init = ours(**kwargs), theirs(**kwargs)
        for name in ("scale", "mode", "distribution", "seed", "input_axes", "output_axes"):
            assert getattr(init, name) == getattr(keras_init, name), name
        assert init.get_config() == keras_init.get_config()
        assert list(init.get_config()) == list(keras_init.get_config())


def test_variance_scaling_attributes_and_config_are_keras():
    args = (0.5, "fan_avg", "Normal", 3)
    init, keras_init = gnk.VarianceScaling(*args), K.VarianceScaling(*args)
    assert init.distribution == "truncated_normal"  # Keras' reading of "normal"
    assert init.get_config() == keras_init.get_config()
    assert list(init.get_config()) == list(keras_init.get_config())
    assert same_bits(init((40, 10)), gn.VarianceScaling(0.5, "fan_avg", seed=3)((40, 10)))


@pytest.mark.parametrize("ours, theirs, kwargs, numpy_init", EXPLICIT)
def test_explicit_classes_are_keras_and_draw_the_numpy_api(ours, theirs, kwargs, numpy_init):
    init, keras_init = ours(**kwargs, seed=5), theirs(**kwargs, seed=5)
    assert isinstance(init, theirs)
    for name in (*kwargs, "seed"):
        assert getattr(init, name) == getattr(keras_init, name)
    assert init.get_config() == keras_init.get_config()
    assert list(init.get_config()) == list(keras_init.get_config())
    for dtype in ("float32", "bfloat16", "float16"):
        w = init((64, 32), dtype=dtype)
        assert str(w.dtype) == dtype
        assert same_bits(w, numpy_init(5)((64, 32), dtype))


def test_variance_scaling_values_and_config():
    init = gnk.VarianceScaling(0.5, "fan_geo_avg", "untruncated_normal", seed=3)
    ref = gn.VarianceScaling(0.5, "fan_geo_avg", "untruncated_normal", seed=3)
    assert same_bits(init((64, 16)), ref((64, 16)))
    config = init.get_config()
    assert config == {
        "seed": 3,
        "scale": 0.5,
        "mode": "fan_geo_avg",
        "distribution": "untruncated_normal",
        "input_axes": None,
        "output_axes": None,
    }
    clone = gnk.VarianceScaling.from_config(config)
    assert same_bits(clone((64, 16)), ref((64, 16)))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_dtypes(dtype):
    w = gnk.HeNormal(seed=2)((16, 8), dtype=dtype)
    assert str(w.dtype) == dtype
    assert same_bits(w, gn.HeNormal(seed=2)((16, 8), dtype))


def test_float64_without_x64_is_float32_as_in_keras():
    # Keras' own draws on JAX come back float32 (with JAX's warning) unless
    # JAX's x64 mode is on; these come back float32 too.
    w = gnk.GlorotNormal(seed=2)((16, 8), dtype="float64")
    with pytest.warns(UserWarning, match="float64 is not available"):
        theirs = K.GlorotNormal(seed=2)((16, 8), dtype="float64")
    assert str(w.dtype) == str(theirs.dtype) == "float32"
    assert same_bits(w, gn.GlorotNormal(seed=2)((16, 8)))


def test_default_dtype_is_keras_floatx():
    previous = keras.config.floatx()
    keras.config.set_floatx("bfloat16")
    try:
        w = gnk.GlorotNormal(seed=0)((4, 4))
    finally:
        keras.config.set_floatx(previous)
    assert str(w.dtype) == "bfloat16"
    assert np.asarray(w).dtype == ml_dtypes.bfloat16


# --------------------------------------------------------------------------
# Fan axes: Keras' input_axes/output_axes, and the NumPy API's
# --------------------------------------------------------------------------


def test_keras_axes_decide_the_fans_as_in_keras():
    # Keras: fan_in = prod(shape[input_axes]), fan_out = prod(shape[output_axes]);
    # axes in neither count in neither fan.  Here axis 1 of (4, 5, 6) is left out.
    shape = (4, 5, 6)
    from keras.src.initializers.random_initializers import compute_fans

    assert compute_fans(shape, input_axes=[0], output_axes=[2]) == (4, 6)
    init = gnk.VarianceScaling(3.0, "fan_avg", "uniform", seed=1, input_axes=[0], output_axes=[-1])
    ref = gn.VarianceScaling(
        3.0, "fan_avg", "uniform", seed=1, in_axis=(0,), out_axis=(-1,), batch_axis=(1,)
    )
    w = np.asarray(init(shape))
    assert same_bits(w, ref(shape))
    # Uniform bound sqrt(3 * scale / 5): 120 draws all miss the top 5 % with
    # probability 0.95 ** 120 < 0.003 (fixed seed: decided once).
    bound = np.float32(np.sqrt(3 * 3.0 / 5))
    assert 0.95 * bound < np.abs(w).max() <= bound


def test_keras_axes_take_precedence_and_need_both():
    both = gnk.GlorotNormal(seed=1, input_axes=[0], output_axes=[1, 2], in_axis=1, out_axis=0)
    ref = gn.GlorotNormal(seed=1, in_axis=(0,), out_axis=(1, 2))((8, 3, 5))
    assert same_bits(both((8, 3, 5)), ref)
    # As in Keras, one of the two alone is not used.
    one = gnk.GlorotNormal(seed=1, input_axes=[0])
    assert same_bits(one((8, 3, 5)), gn.GlorotNormal(seed=1)((8, 3, 5)))


def test_keras_axes_round_trip_through_the_config():
    init = gnk.HeUniform(seed=6, input_axes=[0, 1], output_axes=[2])
    assert init.get_config() == {"seed": 6, "input_axes": [0, 1], "output_axes": [2]}
    again = keras.initializers.deserialize(keras.initializers.serialize(init))
    assert type(again) is gnk.HeUniform and again.input_axes == [0, 1]
    assert same_bits(again((8, 16, 32)), init((8, 16, 32)))


def test_numpy_fan_axes_are_forwarded_and_serialised():
    init = gnk.GlorotNormal(seed=4, in_axis=1, out_axis=0)
    assert (init.in_axis, init.out_axis, init.batch_axis) == (1, 0, ())
    assert init.get_config() == {
        "seed": 4,
        "input_axes": None,
        "output_axes": None,
        "in_axis": 1,
        "out_axis": 0,
    }
    ref = gn.GlorotNormal(seed=4, in_axis=1, out_axis=0)((8, 24, 3))
    assert same_bits(init((8, 24, 3)), ref)
    again = keras.initializers.deserialize(keras.initializers.serialize(init))
    assert type(again) is gnk.GlorotNormal
    assert same_bits(again((8, 24, 3)), ref)


# --------------------------------------------------------------------------
# MultiHeadAttention and EinsumDense hand their axes over
# --------------------------------------------------------------------------

# Each MultiHeadAttention kernel and its einsum's (input_axes, output_axes),
# for dim 32, 8 heads of key_dim 16.
MHA_KERNELS = {
    "query_dense": ((32, 8, 16), [0], [1, 2]),
    "key_dense": ((32, 8, 16), [0], [1, 2]),
    "value_dense": ((32, 8, 16), [0], [1, 2]),
    "output_dense": ((8, 16, 32), [0, 1], [2]),
}


def keras_fans(shape, input_axes, output_axes):
    return (
        int(np.prod([shape[a] for a in input_axes])),
        int(np.prod([shape[a] for a in output_axes])),
    )


@keras_array_warning
@pytest.mark.parametrize(
    "ours, theirs",
    [
        (gnk.GlorotNormal, K.GlorotNormal),
        (gnk.GlorotUniform, K.GlorotUniform),
        (gnk.LecunNormal, K.LecunNormal),
    ],
)
def test_multi_head_attention_kernels_have_keras_std(ours, theirs):
    # Each kernel must follow the distribution Keras' own initializer gives
    # it (fans from the einsum's axes: query fan_in 32, not the 256 of the
    # rank-3 rule).  Keras' own layer passes the same check, which makes the
    # expected fans a fact about Keras, not an assumption.  Each
    # assert_variance_scaling fails a correct draw with probability <= 1e-3
    # (fixed seeds: decided once); a wrong fan moves the std by 2x or more.
    for init, _seed in ((ours(seed=11), 11), (theirs(seed=11), 11)):
        mha = keras.layers.MultiHeadAttention(num_heads=8, key_dim=16, kernel_initializer=init)
        mha.build((None, 10, 32), (None, 10, 32))
        for name, (shape, input_axes, output_axes) in MHA_KERNELS.items():
            kernel = values(getattr(mha, name).kernel)
            assert kernel.shape == shape
            fans = keras_fans(shape, input_axes, output_axes)
            assert_variance_scaling(kernel, theirs(), fans=fans, alpha=1e-3)
            expected = np.sqrt(
                theirs().scale / {"fan_in": fans[0], "fan_avg": sum(fans) / 2}[theirs().mode]
            )
            # 4096 samples: the sample std's relative standard error is below
            # 1.1 %; 6 % is more than 5 of them.
            assert abs(kernel.std() / expected - 1) < 0.06, (name, kernel.std(), expected)


@keras_array_warning
def test_einsum_dense_passes_its_axes_to_our_initializer():
    layer = keras.layers.EinsumDense(
        "abc,cde->abde",
        output_shape=(None, 4, 64),
        kernel_initializer=gnk.VarianceScaling(1.0, "fan_in", "uniform", seed=2),
    )
    layer.build((None, 10, 48))
    kernel = values(layer.kernel)
    assert kernel.shape == (48, 4, 64)
    # Keras gives the cloned initializer the einsum's axes and the same seed.
    ref = gn.VarianceScaling(1.0, "fan_in", "uniform", seed=2, in_axis=(0,), out_axis=(1, 2))
    assert same_bits(kernel, ref((48, 4, 64)))


# --------------------------------------------------------------------------
# Seeds
# --------------------------------------------------------------------------


def test_seed_generator_gives_new_values_per_call_keyed_by_its_seed_tensor():
    generator = keras.random.SeedGenerator(7)
    init = gnk.GlorotNormal(seed=generator)
    a, b = np.asarray(init((40, 30))), np.asarray(init((40, 30)))
    assert not np.any(a == b)
    # Each call advances the generator once, as Keras' draws do, and uses
    # the seed tensor [7, n] as its key: the key glorot_numba.jax takes
    # from the raw JAX key [7, n].
    assert np.asarray(generator.state.value).tolist() == [7, 2]
    for n, w in enumerate((a, b)):
        assert same_bits(w, _adapters.keyed(gn.GlorotNormal(), (7, n))((40, 30)))
        raw_key = jnp.array([7, n], dtype=jnp.uint32)
        assert same_bits(w, gnj.glorot_normal()(raw_key, (40, 30)))


def test_seed_generator_is_reproducible_under_set_random_seed():
    def draws():
        keras.utils.set_random_seed(123)
        init = gnk.RandomUniform(seed=keras.random.SeedGenerator())
        return np.asarray(init((50,))), np.asarray(init((50,)))

    first, second = draws(), draws()
    assert same_bits(first[0], second[0]) and same_bits(first[1], second[1])
    assert not np.array_equal(first[0], first[1])


def test_seed_generator_round_trips_through_the_config():
    init = gnk.HeNormal(seed=keras.random.SeedGenerator(9))
    config = init.get_config()
    assert config["seed"]["class_name"] == "SeedGenerator"
    assert config == K.HeNormal(seed=keras.random.SeedGenerator(9)).get_config() | {
        "seed": config["seed"]
    }
    again = gnk.HeNormal.from_config(config)
    assert isinstance(again.seed, keras.random.SeedGenerator)
    assert same_bits(again((9, 9)), init((9, 9))), "both generators start at [9, 0]"


def test_unseeded_instances_follow_keras_semantics():
    # Keras 3: an unseeded initializer picks its seed at construction (from
    # Python's random, which keras.utils.set_random_seed seeds), repeats
    # itself, and reports seed None.
    keras.utils.set_random_seed(1)
    a = gnk.GlorotNormal()
    b = gnk.GlorotNormal()
    keras.utils.set_random_seed(1)
    c = gnk.GlorotNormal()
    keras.utils.set_random_seed(1)
    keras_seed = K.GlorotNormal().seed
    assert a.seed == c.seed == keras_seed, "the seed Keras itself would pick"
    assert a.get_config() == {"seed": None, "input_axes": None, "output_axes": None}
    assert same_bits(a((6, 6)), a((6, 6)))
    assert same_bits(a((6, 6)), c((6, 6)))
    assert not np.array_equal(np.asarray(a((6, 6))), np.asarray(b((6, 6))))
    assert same_bits(a((6, 6)), gn.GlorotNormal(seed=a.seed)((6, 6)))
    assert not same_bits(a.clone()((6, 6)), a((6, 6))), "a clone picks a seed of its own"


# --------------------------------------------------------------------------
# Explicit distributions: Keras' parameter semantics
# --------------------------------------------------------------------------


def test_negative_stddev_draws_its_magnitude_as_keras_does():
    # Keras multiplies standard samples by stddev: the law is that of |stddev|.
    for ours, numpy_cls in (
        (gnk.RandomNormal, gn.RandomNormal),
        (gnk.TruncatedNormal, gn.TruncatedNormal),
    ):
        init = ours(mean=0.25, stddev=-0.5, seed=3)
        assert init.stddev == -0.5 and init.get_config()["stddev"] == -0.5
        assert same_bits(init((20, 20)), numpy_cls(0.25, 0.5, seed=3)((20, 20)))


def test_truncated_normal_of_zero_width_is_the_mean():
    w = np.asarray(gnk.TruncatedNormal(mean=1.5, stddev=0.0, seed=0)((4, 5)))
    assert np.all(w == 1.5)


def test_scalar_tensor_parameters_are_accepted_as_in_keras():
    mean = keras.ops.convert_to_tensor(0.5)
    init = gnk.RandomNormal(mean=mean, stddev=np.float32(0.1), seed=2)
    assert init.mean is mean
    assert same_bits(init((8, 8)), gn.RandomNormal(0.5, np.float32(0.1), seed=2)((8, 8)))


# --------------------------------------------------------------------------
# Serialization, aliases, errors
# --------------------------------------------------------------------------

ALL_CLASSES = [f[0] for f in FAMILY] + [e[0] for e in EXPLICIT] + [gnk.VarianceScaling]


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_serialisation_round_trip(cls):
    init = cls(seed=8)
    config = keras.saving.serialize_keras_object(init)
    assert config["registered_name"] == f"glorot_numba>{cls.__name__}"
    again = keras.saving.deserialize_keras_object(config)
    assert type(again) is cls and again.get_config() == init.get_config()
    assert same_bits(again((5, 6)), init((5, 6)))
    assert same_bits(init.clone()((5, 6)), init((5, 6)))


def test_lower_case_aliases():
    assert gnk.variance_scaling is gnk.VarianceScaling
    assert gnk.glorot_normal is gnk.GlorotNormal
    assert gnk.glorot_uniform is gnk.GlorotUniform
    assert gnk.he_normal is gnk.HeNormal and gnk.he_uniform is gnk.HeUniform
    assert gnk.lecun_normal is gnk.LecunNormal and gnk.lecun_uniform is gnk.LecunUniform
    assert gnk.random_normal is gnk.RandomNormal
    assert gnk.truncated_normal is gnk.TruncatedNormal
    assert gnk.random_uniform is gnk.RandomUniform


@pytest.mark.parametrize(
    "make, exc, match",
    [
        # Keras' own errors and messages ...
        (lambda: gnk.GlorotNormal(seed=1.5), ValueError, "`seed` argument should be"),
        (lambda: gnk.RandomNormal(seed="a"), ValueError, "`seed` argument should be"),
        (lambda: gnk.VarianceScaling(scale=0.0), ValueError, "Argument `scale` must be positive"),
        (lambda: gnk.VarianceScaling(mode="FAN_IN"), ValueError, "Invalid `mode` argument"),
        (
            lambda: gnk.VarianceScaling(distribution="cauchy"),
            ValueError,
            "Invalid `distribution` argument",
        ),
        # ... and the NumPy API's, for what it refuses beyond them.
        (lambda: gnk.VarianceScaling(scale=float("inf")), ValueError, "scale"),
        (lambda: gnk.HeNormal(in_axis=0, out_axis=0), ValueError, "axis"),
        (lambda: gnk.HeNormal(input_axes=[0], output_axes=[0]), ValueError, "input_axes"),
        (lambda: gnk.HeNormal(input_axes=[0, 0], output_axes=[1]), ValueError, "input_axes"),
        (lambda: gnk.HeNormal(input_axes="0", output_axes=[1]), TypeError, "input_axes"),
        (
            lambda: gnk.HeNormal(seed=0, input_axes=[0], output_axes=[3])((3, 4)),
            ValueError,
            "out of range",
        ),
        (lambda: gnk.HeNormal(seed=0)((3, 4), dtype="int32"), ValueError, "int32"),
        (lambda: gnk.HeNormal(seed=0)((3, -4)), ValueError, "shape"),
        (lambda: gnk.RandomUniform(1.0, 0.0), ValueError, "minval"),
        (lambda: gnk.RandomNormal(mean="a"), TypeError, "mean"),
        (lambda: gnk.TruncatedNormal(stddev=float("nan")), ValueError, "stddev"),
    ],
)
def test_bad_arguments(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


# --------------------------------------------------------------------------
# End to end: build, fit one step, save, load
# --------------------------------------------------------------------------


def make_model():
    return keras.Sequential(
        [
            keras.Input((6, 6, 2)),
            keras.layers.Conv2D(4, 3, activation="relu", kernel_initializer=gnk.HeNormal(seed=1)),
            keras.layers.Flatten(),
            keras.layers.Dense(8, activation="tanh", kernel_initializer=gnk.GlorotNormal(seed=2)),
            keras.layers.Dense(
                1, kernel_initializer=gnk.VarianceScaling(1.0, "fan_avg", "uniform", seed=3)
            ),
        ]
    )


@keras_array_warning
def test_model_build_fit_save_load(tmp_path):
    model = make_model()
    conv, _, dense, head = model.layers
    assert same_bits(conv.kernel.value, gn.HeNormal(seed=1)((3, 3, 2, 4)))
    assert same_bits(dense.kernel.value, gn.GlorotNormal(seed=2)((64, 8)))
    assert same_bits(
        head.kernel.value, gn.VarianceScaling(1.0, "fan_avg", "uniform", seed=3)((8, 1))
    )

    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 6, 6, 2)).astype("float32")
    y = rng.standard_normal((8, 1)).astype("float32")
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    before = np.asarray(dense.kernel.value).copy()
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert not np.array_equal(np.asarray(dense.kernel.value), before), "fit did not train"

    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    for w, v in zip(model.weights, loaded.weights, strict=True):
        assert same_bits(w.value, v.value)
    assert type(loaded.layers[0].kernel_initializer) is gnk.HeNormal
    assert loaded.layers[0].kernel_initializer.get_config() == {
        "seed": 1,
        "input_axes": None,
        "output_axes": None,
    }
    assert type(loaded.layers[3].kernel_initializer) is gnk.VarianceScaling
    np.testing.assert_array_equal(
        np.asarray(loaded.predict(x, verbose=0)), np.asarray(model.predict(x, verbose=0))
    )

    # A fresh model from the saved config is initialised exactly as the first.
    fresh = keras.Sequential.from_config(model.get_config())
    for w, v in zip(make_model().weights, fresh.weights, strict=True):
        assert same_bits(w.value, v.value)


# --------------------------------------------------------------------------
# Other backends, each in a process of its own (Keras fixes the backend at
# import)
# --------------------------------------------------------------------------

BACKEND_SCRIPT = textwrap.dedent("""
    import numpy as np
    import keras
    import glorot_numba as gn
    import glorot_numba.keras as gnk
    from glorot_numba import _adapters
    assert keras.backend.backend() == {backend!r}, keras.backend.backend()
    layer = keras.layers.Dense(5, kernel_initializer=gnk.HeUniform(seed=9))
    layer.build((None, 7))
    kernel = keras.ops.convert_to_numpy(layer.kernel)
    assert np.array_equal(kernel, gn.HeUniform(seed=9)((7, 5))), "values differ"
    out = keras.ops.convert_to_numpy(layer(np.ones((2, 7), "float32")))
    assert out.shape == (2, 5) and np.isfinite(out).all()

    # A SeedGenerator's state (signed on some backends) keys each call.
    init = gnk.RandomNormal(stddev=0.1, seed=keras.random.SeedGenerator(123457))
    for n in range(2):
        w = keras.ops.convert_to_numpy(init((6, 4)))
        ref = _adapters.keyed(gn.RandomNormal(stddev=0.1), (123457, n))((6, 4))
        assert np.array_equal(w, ref), "SeedGenerator draw differs"

    with gnk.accelerate():
        dense = keras.layers.Dense(3)
        dense.build((None, 4))
    seed = dense.kernel_initializer.seed
    assert np.array_equal(keras.ops.convert_to_numpy(dense.kernel),
                          gn.GlorotUniform(seed=seed)((4, 3))), "accelerate() differs"
    print("ok", keras.backend.backend())
""")


@pytest.mark.parametrize("backend", ["numpy", "torch", "tensorflow"])
def test_other_backends(backend):
    if backend != "numpy" and importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed: no Keras {backend} backend to test")
    env = dict(os.environ, KERAS_BACKEND=backend)
    result = subprocess.run(
        [sys.executable, "-c", BACKEND_SCRIPT.format(backend=backend)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["ok", backend]
