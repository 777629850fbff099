"""glorot_numba.keras: Keras 3 initializers, run on the JAX backend here
(conftest.py chooses it) and on the other installed backends in subprocesses."""

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

import glorot_numba as gn  # noqa: E402
import glorot_numba.keras as gnk  # noqa: E402

FAMILY = [
    (gnk.GlorotNormal, gn.GlorotNormal),
    (gnk.GlorotUniform, gn.GlorotUniform),
    (gnk.HeNormal, gn.HeNormal),
    (gnk.HeUniform, gn.HeUniform),
    (gnk.LecunNormal, gn.LecunNormal),
    (gnk.LecunUniform, gn.LecunUniform),
]


@pytest.fixture(autouse=True)
def _clear_global_seed():
    gn.set_random_seed(None)
    yield
    gn.set_random_seed(None)


def same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return (a.dtype == b.dtype and a.shape == b.shape
            and np.array_equal(np.ascontiguousarray(a).view(np.uint8),
                               np.ascontiguousarray(b).view(np.uint8)))


def test_the_tests_run_on_the_jax_backend():
    assert keras.backend.backend() == "jax"


@pytest.mark.parametrize("keras_cls, numpy_cls", FAMILY)
@pytest.mark.parametrize("shape", [(30, 20), (3, 3, 8, 16), (7,)])
def test_family_values_equal_the_numpy_api(keras_cls, numpy_cls, shape):
    init = keras_cls(seed=17)
    assert isinstance(init, keras.initializers.Initializer)
    w = init(shape)
    assert keras.ops.is_tensor(w) and str(w.dtype) == "float32"
    assert same_bits(w, numpy_cls(seed=17)(shape))
    assert same_bits(init(shape), w), "a seeded instance repeats itself"


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_dtypes(dtype):
    w = gnk.HeNormal(seed=2)((16, 8), dtype=dtype)
    assert str(w.dtype) == dtype
    assert same_bits(w, gn.HeNormal(seed=2)((16, 8), dtype))


def test_default_dtype_is_keras_floatx():
    previous = keras.config.floatx()
    keras.config.set_floatx("bfloat16")
    try:
        w = gnk.GlorotNormal(seed=0)((4, 4))
    finally:
        keras.config.set_floatx(previous)
    assert str(w.dtype) == "bfloat16"
    assert np.asarray(w).dtype == ml_dtypes.bfloat16


def test_variance_scaling_values_and_config():
    init = gnk.VarianceScaling(0.5, "fan_geo_avg", "untruncated_normal", seed=3)
    ref = gn.VarianceScaling(0.5, "fan_geo_avg", "untruncated_normal", seed=3)
    assert same_bits(init((64, 16)), ref((64, 16)))
    config = init.get_config()
    assert config == {"scale": 0.5, "mode": "fan_geo_avg",
                      "distribution": "untruncated_normal", "seed": 3}
    clone = gnk.VarianceScaling.from_config(config)
    assert same_bits(clone((64, 16)), ref((64, 16)))


def test_fan_axes_are_forwarded_and_serialised():
    init = gnk.GlorotNormal(seed=4, in_axis=1, out_axis=0)
    assert init.get_config() == {"seed": 4, "in_axis": 1, "out_axis": 0}
    ref = gn.GlorotNormal(seed=4, in_axis=1, out_axis=0)((8, 24, 3))
    assert same_bits(init((8, 24, 3)), ref)
    again = keras.initializers.deserialize(keras.initializers.serialize(init))
    assert type(again) is gnk.GlorotNormal
    assert same_bits(again((8, 24, 3)), ref)


@pytest.mark.parametrize("keras_cls, numpy_cls", FAMILY)
def test_serialisation_round_trip(keras_cls, numpy_cls):
    init = keras_cls(seed=8)
    config = keras.saving.serialize_keras_object(init)
    assert config["registered_name"] == f"glorot_numba>{keras_cls.__name__}"
    again = keras.saving.deserialize_keras_object(config)
    assert type(again) is keras_cls and again.get_config() == {"seed": 8}
    assert same_bits(again((5, 6)), numpy_cls(seed=8)((5, 6)))
    assert same_bits(init.clone()((5, 6)), init((5, 6)))


def test_lower_case_aliases():
    assert gnk.glorot_normal is gnk.GlorotNormal
    assert gnk.glorot_uniform is gnk.GlorotUniform
    assert gnk.he_normal is gnk.HeNormal and gnk.he_uniform is gnk.HeUniform
    assert gnk.lecun_normal is gnk.LecunNormal and gnk.lecun_uniform is gnk.LecunUniform


def test_unseeded_instances_follow_keras_semantics():
    # Keras 3: an unseeded initializer picks its seed at construction (from
    # Python's random, which keras.utils.set_random_seed seeds), repeats
    # itself, and reports seed None.
    keras.utils.set_random_seed(1)
    a = gnk.GlorotNormal()
    b = gnk.GlorotNormal()
    keras.utils.set_random_seed(1)
    c = gnk.GlorotNormal()
    assert a.get_config() == {"seed": None}
    assert same_bits(a((6, 6)), a((6, 6)))
    assert same_bits(a((6, 6)), c((6, 6)))
    assert not np.array_equal(np.asarray(a((6, 6))), np.asarray(b((6, 6))))
    assert same_bits(a((6, 6)), gn.GlorotNormal(seed=a.seed)((6, 6)))


@pytest.mark.parametrize("make, exc, match", [
    (lambda: gnk.GlorotNormal(seed=1.5), TypeError, "seed"),
    (lambda: gnk.GlorotNormal(seed="a"), TypeError, "seed"),
    (lambda: gnk.VarianceScaling(scale=0.0), ValueError, "scale"),
    (lambda: gnk.VarianceScaling(mode="FAN_IN"), ValueError, "mode"),
    (lambda: gnk.VarianceScaling(distribution="cauchy"), ValueError, "distribution"),
    (lambda: gnk.HeNormal(in_axis=0, out_axis=0), ValueError, "axis"),
    (lambda: gnk.HeNormal(seed=0)((3, 4), dtype="int32"), ValueError, "int32"),
    (lambda: gnk.HeNormal(seed=0)((3, -4)), ValueError, "shape"),
])
def test_bad_arguments(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


# --------------------------------------------------------------------------
# End to end: build, fit one step, save, load
# --------------------------------------------------------------------------

def make_model():
    return keras.Sequential([
        keras.Input((6, 6, 2)),
        keras.layers.Conv2D(4, 3, activation="relu", kernel_initializer=gnk.HeNormal(seed=1)),
        keras.layers.Flatten(),
        keras.layers.Dense(8, activation="tanh", kernel_initializer=gnk.GlorotNormal(seed=2)),
        keras.layers.Dense(1, kernel_initializer=gnk.VarianceScaling(
            1.0, "fan_avg", "uniform", seed=3)),
    ])


# Keras' own Variable.numpy() trips NumPy 2's __array__ copy-keyword warning
# while saving the optimizer; that is Keras' business, not this package's.
@pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")
def test_model_build_fit_save_load(tmp_path):
    model = make_model()
    conv, _, dense, head = model.layers
    assert same_bits(conv.kernel.value, gn.HeNormal(seed=1)((3, 3, 2, 4)))
    assert same_bits(dense.kernel.value, gn.GlorotNormal(seed=2)((64, 8)))
    assert same_bits(head.kernel.value, gn.VarianceScaling(1.0, "fan_avg", "uniform",
                                                            seed=3)((8, 1)))

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
    for w, v in zip(model.weights, loaded.weights):
        assert same_bits(w.value, v.value)
    assert type(loaded.layers[0].kernel_initializer) is gnk.HeNormal
    assert loaded.layers[0].kernel_initializer.get_config() == {"seed": 1}
    assert type(loaded.layers[3].kernel_initializer) is gnk.VarianceScaling
    np.testing.assert_array_equal(np.asarray(loaded.predict(x, verbose=0)),
                                  np.asarray(model.predict(x, verbose=0)))

    # A fresh model from the saved config is initialised exactly as the first.
    fresh = keras.Sequential.from_config(model.get_config())
    for w, v in zip(make_model().weights, fresh.weights):
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
    assert keras.backend.backend() == {backend!r}, keras.backend.backend()
    layer = keras.layers.Dense(5, kernel_initializer=gnk.HeUniform(seed=9))
    layer.build((None, 7))
    kernel = keras.ops.convert_to_numpy(layer.kernel)
    assert np.array_equal(kernel, gn.HeUniform(seed=9)((7, 5))), "values differ"
    out = keras.ops.convert_to_numpy(layer(np.ones((2, 7), "float32")))
    assert out.shape == (2, 5) and np.isfinite(out).all()
    print("ok", keras.backend.backend())
""")


@pytest.mark.parametrize("backend", ["numpy", "torch", "tensorflow"])
def test_other_backends(backend):
    if backend != "numpy" and importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed: no Keras {backend} backend to test")
    env = dict(os.environ, KERAS_BACKEND=backend)
    result = subprocess.run([sys.executable, "-c", BACKEND_SCRIPT.format(backend=backend)],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["ok", backend]
