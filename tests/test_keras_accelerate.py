"""glorot_numba.keras.accelerate(): Keras layers' random weights drawn by the engine.

Run on Keras' JAX backend (conftest.py); tests/test_keras.py runs a build
under accelerate() on the other backends.  Statistical checks use fixed
seeds; each states its false-alarm level.
"""

import threading

import numpy as np
import pytest

pytest.importorskip("jax", reason="the Keras tests run on Keras' JAX backend; JAX is not installed")
keras = pytest.importorskip("keras", reason="Keras 3 is not installed (pip install '.[keras]')")
if not keras.__version__.startswith("3."):
    pytest.skip(f"Keras 3 is needed, found Keras {keras.__version__}", allow_module_level=True)

import glorot_numba as gn  # noqa: E402
import glorot_numba.keras as gnk  # noqa: E402
from glorot_numba import _adapters  # noqa: E402
from glorot_numba.testing import assert_distribution, assert_variance_scaling  # noqa: E402

from .conftest import same_bits, values  # noqa: E402

K = keras.initializers
ORIGINAL_ADD_WEIGHT = keras.layers.Layer.__dict__["add_weight"]

pytestmark = pytest.mark.filterwarnings(
    # Keras' own Variable.numpy() trips NumPy 2's __array__ copy-keyword warning.
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


@pytest.fixture(autouse=True)
def _add_weight_restored():
    # The global seed is cleared around every test by conftest.py.
    yield
    assert keras.layers.Layer.__dict__["add_weight"] is ORIGINAL_ADD_WEIGHT


class Weighted(keras.layers.Layer):
    """A layer whose one weight gets ``initializer`` as given (None: the default)."""

    def __init__(self, shape, initializer=None, positional=False, **kwargs):
        super().__init__(**kwargs)
        self.shape, self.initializer, self.positional = shape, initializer, positional

    def build(self, input_shape=None):
        if self.positional:  # Keras 2's add_weight(shape, initializer)
            self.w = self.add_weight(self.shape, self.initializer)
        elif self.initializer is None:
            self.w = self.add_weight(shape=self.shape)
        else:
            self.w = self.add_weight(shape=self.shape, initializer=self.initializer)


def twin_values(keras_init, shape):
    """What this package's class of the same name draws with ``keras_init``'s
    configuration and seed."""
    cls = getattr(gnk, type(keras_init).__name__)
    config = keras_init.get_config()
    config["seed"] = keras_init.seed
    return np.asarray(cls.from_config(config)(shape))


# --------------------------------------------------------------------------
# What is drawn by the engine
# --------------------------------------------------------------------------

NAMES = [
    "glorot_uniform",
    "glorot_normal",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
    "variance_scaling",
    "random_normal",
    "truncated_normal",
    "random_uniform",
    "normal",
    "uniform",
    "GlorotNormal",
    "RandomUniform",
]


@pytest.mark.parametrize("name", NAMES)
def test_dense_with_a_named_initializer(name):
    with gnk.accelerate():
        dense = keras.layers.Dense(24, kernel_initializer=name)
        dense.build((None, 40))
    keras_init = dense.kernel_initializer
    assert type(keras_init).__module__.startswith("keras."), "the layer keeps Keras' initializer"
    kernel = values(dense.kernel)
    assert same_bits(kernel, twin_values(keras_init, (40, 24)))
    assert not np.array_equal(kernel, np.asarray(keras_init((40, 24)))), "Keras' own stream"
    assert not np.any(values(dense.bias)), "constant initializers are Keras'"


@pytest.mark.parametrize(
    "initializer",
    [
        None,  # Keras' default for float weights: "glorot_uniform"
        "he_normal",
        "positional",
    ],
)
def test_add_weight_with_a_default_or_a_name(initializer):
    # The initializer Keras resolves inside add_weight is not kept anywhere:
    # its seed is the one Keras picks from Python's random after the reseed.
    expected_cls = {
        None: gn.GlorotUniform,
        "he_normal": gn.HeNormal,
        "positional": gn.LecunUniform,
    }[initializer]
    keras.utils.set_random_seed(21)
    expected_seed = K.GlorotUniform().seed
    keras.utils.set_random_seed(21)
    with gnk.accelerate():
        if initializer == "positional":
            layer = Weighted((6, 5), "lecun_uniform", positional=True)
        else:
            layer = Weighted((6, 5), initializer)
        layer.build()
    assert same_bits(values(layer.w), expected_cls(seed=expected_seed)((6, 5)))


def test_dense_with_a_config():
    with gnk.accelerate():
        dense = keras.layers.Dense(
            8, kernel_initializer={"class_name": "HeUniform", "config": {"seed": 9}}
        )
        dense.build((None, 16))
    assert same_bits(values(dense.kernel), gn.HeUniform(seed=9)((16, 8)))


@pytest.mark.parametrize(
    "keras_init",
    [
        K.GlorotNormal(seed=3),
        K.VarianceScaling(2.0, "fan_out", "untruncated_normal", seed=5),
        K.RandomNormal(0.5, 0.1, seed=6),
        K.TruncatedNormal(0.0, 0.3),
        K.RandomUniform(-1.0, 2.0, seed=7),
    ],
    ids=lambda init: type(init).__name__,
)
def test_keras_instances_are_drawn_with_their_configuration_and_seed(keras_init):
    with gnk.accelerate():
        layer = Weighted((30, 20), keras_init)
        layer.build()
    assert same_bits(values(layer.w), twin_values(keras_init, (30, 20)))


def test_a_seed_generator_is_advanced_as_keras_does():
    generator = keras.random.SeedGenerator(3)
    with gnk.accelerate():
        layer = Weighted((8, 8), K.RandomNormal(stddev=0.2, seed=generator))
        layer.build()
    assert np.asarray(generator.state.value).tolist() == [3, 1]
    assert same_bits(values(layer.w), _adapters.keyed(gn.RandomNormal(0.0, 0.2), (3, 0))((8, 8)))


class OwnGlorot(K.GlorotUniform):
    pass


@pytest.mark.parametrize(
    "make",
    [
        lambda: K.Orthogonal(seed=3),
        lambda: OwnGlorot(seed=3),
        lambda: lambda shape, dtype=None: keras.ops.ones(shape, dtype),
        lambda: "zeros",
        lambda: gnk.HeNormal(seed=3),  # ours already
    ],
    ids=["Orthogonal", "subclass", "function", "zeros", "ours"],
)
def test_other_initializers_are_left_alone(make):
    with gnk.accelerate():
        inside = Weighted((9, 9), make())
        inside.build()
    outside = Weighted((9, 9), make())
    outside.build()
    assert same_bits(values(inside.w), values(outside.w))


def test_unknown_names_raise_keras_error():
    with gnk.accelerate(), pytest.raises(ValueError, match="Could not interpret initializer"):
        Weighted((2, 2), "no_such_initializer").build()


# --------------------------------------------------------------------------
# Whole models: Keras' distributions, Keras' seeds, Keras' configs
# --------------------------------------------------------------------------


def small_model():
    tokens = keras.Input((10,), dtype="int32")
    x = keras.layers.Embedding(100, 32)(tokens)
    x = x + keras.layers.MultiHeadAttention(num_heads=8, key_dim=16)(x, x)
    x = keras.layers.LayerNormalization()(x)
    x = keras.layers.EinsumDense("abc,cd->abd", output_shape=(None, 64), bias_axes="d")(x)
    x = keras.layers.Reshape((10, 64, 1))(x)
    x = keras.layers.Conv2D(16, 3, kernel_initializer="he_normal")(x)
    x = keras.layers.Flatten()(x)
    return keras.Model(tokens, keras.layers.Dense(20)(x))


def test_model_kernels_follow_keras_distributions():
    # Every random kernel of a model built under accelerate() is tested
    # against the distribution Keras' own initializer defines for it, with
    # the fans Keras gives it (an einsum's axes for EinsumDense and the
    # attention projections).  Each check fails a correct draw with
    # probability <= 1e-3 (fixed seeds: decided once).
    keras.utils.set_random_seed(0)
    with gnk.accelerate():
        model = small_model()
    einsum_axes = {
        "abc,cde->abde": ([0], [1, 2]),
        "abcd,cde->abe": ([0, 1], [2]),
        "abc,cd->abd": ([0], [1]),
    }
    checked = 0
    for layer in model._flatten_layers():
        kernel = getattr(layer, "kernel", None) if not layer._layers else None
        if isinstance(layer, keras.layers.Embedding):
            init = layer.embeddings_initializer  # Keras' RandomUniform(-0.05, 0.05)
            assert_distribution(
                values(layer.embeddings), gn.RandomUniform(init.minval, init.maxval), alpha=1e-3
            )
            checked += 1
        elif kernel is not None:
            w = values(kernel)
            init = layer.kernel_initializer
            if isinstance(layer, keras.layers.EinsumDense):
                ins, outs = einsum_axes[layer.equation]
                fans = (
                    int(np.prod([w.shape[a] for a in ins])),
                    int(np.prod([w.shape[a] for a in outs])),
                )
            else:
                fans = gn.compute_fans(w.shape)
            assert_variance_scaling(w, init, fans=fans, alpha=1e-3)
            checked += 1
    assert checked == 8  # embedding, 4 attention projections, einsum, conv, dense


def test_builds_are_reproducible_and_take_keras_seeds():
    def build(accelerated):
        keras.utils.set_random_seed(7)
        if accelerated:
            with gnk.accelerate():
                return small_model()
        return small_model()

    a, b, plain = build(True), build(True), build(False)
    for x, y in zip(a.weights, b.weights, strict=True):
        assert same_bits(values(x), values(y))

    def seeds(model):
        return [
            layer.kernel_initializer.seed
            for layer in model.layers
            if hasattr(layer, "kernel_initializer")
        ]

    assert seeds(a) == seeds(plain), "the seeds Keras picks, whether accelerated or not"
    assert not same_bits(values(a.layers[-1].kernel), values(plain.layers[-1].kernel))


def test_configs_and_saved_models_are_plain_keras(tmp_path):
    with gnk.accelerate():
        model = small_model()
    dense = model.layers[-1].get_config()["kernel_initializer"]
    assert dense["module"] == "keras.initializers" and dense["class_name"] == "GlorotUniform"
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded.layers[-1].kernel_initializer) is K.GlorotUniform
    for w, v in zip(model.weights, loaded.weights, strict=True):
        assert same_bits(values(w), values(v))


# --------------------------------------------------------------------------
# Entering and leaving
# --------------------------------------------------------------------------


def test_add_weight_is_restored_after_nesting_and_errors():
    with gnk.accelerate():
        assert keras.layers.Layer.add_weight is not ORIGINAL_ADD_WEIGHT
        with gnk.accelerate():
            pass
        # Still accelerated after the inner block.
        layer = Weighted((5, 5), K.HeNormal(seed=1))
        layer.build()
        assert same_bits(values(layer.w), gn.HeNormal(seed=1)((5, 5)))
    assert keras.layers.Layer.__dict__["add_weight"] is ORIGINAL_ADD_WEIGHT

    with pytest.raises(RuntimeError, match="boom"), gnk.accelerate():
        raise RuntimeError("boom")
    assert keras.layers.Layer.__dict__["add_weight"] is ORIGINAL_ADD_WEIGHT
    layer = Weighted((5, 5), K.HeNormal(seed=1))
    layer.build()
    assert same_bits(values(layer.w), np.asarray(K.HeNormal(seed=1)((5, 5))))


def test_usable_as_a_decorator():
    @gnk.accelerate()
    def build():
        layer = Weighted((4, 4), K.LecunNormal(seed=2))
        layer.build()
        return layer

    assert same_bits(values(build().w), gn.LecunNormal(seed=2)((4, 4)))
    assert keras.layers.Layer.__dict__["add_weight"] is ORIGINAL_ADD_WEIGHT


def test_only_the_entering_thread_is_accelerated():
    # Events order the two threads: the other thread holds accelerate() open
    # while this one builds a layer, then builds its own inside the block.
    entered, built, results = threading.Event(), threading.Event(), {}

    def other():
        try:
            with gnk.accelerate():
                entered.set()
                built.wait()  # set by the main thread's finally clause
                layer = Weighted((6, 6), K.GlorotUniform(seed=4))
                layer.build()
                results["inside"] = values(layer.w)
        except BaseException as exc:  # reported by the main thread
            results["error"] = exc
            entered.set()

    thread = threading.Thread(target=other)
    thread.start()
    try:
        assert entered.wait(timeout=60)
        assert keras.layers.Layer.add_weight is not ORIGINAL_ADD_WEIGHT  # installed ...
        layer = Weighted((6, 6), K.GlorotUniform(seed=4))
        layer.build()
        results["outside"] = values(layer.w)
    finally:
        built.set()
        thread.join()
    assert "error" not in results, results.get("error")
    # ... but this thread, outside any block, drew Keras' own values.
    assert same_bits(results["outside"], np.asarray(K.GlorotUniform(seed=4)((6, 6))))
    assert same_bits(results["inside"], gn.GlorotUniform(seed=4)((6, 6)))
