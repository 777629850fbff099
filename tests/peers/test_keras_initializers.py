"""Keras' own initializer tests, run against glorot_numba.keras.

Ported from keras-team/keras, ``keras/src/initializers/random_initializers_test.py``
(Keras 3.15.1, identical at upstream commit 3422977; Apache License 2.0).
The assertions and tolerances are Keras'; what was adapted, and why:

- ``initializers.RandomNormal``, ``RandomUniform``, ``VarianceScaling`` are
  ``glorot_numba.keras``'s classes of those names (``gnk.*``): the subject
  under test.  The tests run on Keras' JAX backend (conftest.py chooses it).
- ``test_mha_query_projection_variance`` builds its layer with the string
  ``"lecun_normal"`` inside ``gnk.accelerate()`` (so the string resolves to
  a weight drawn by glorot_numba), and once more with ``gnk.LecunNormal()``.
- ``test_compute_fans_with_axes`` tests Keras' ``compute_fans``; here the
  same shapes and axes go to ``glorot_numba.compute_fans`` (whose
  ``in_axis``/``out_axis`` the Keras adapter maps ``input_axes``/
  ``output_axes`` to) and, through the values, to a ``gnk.VarianceScaling``
  with those ``input_axes``/``output_axes``.
- ``test_get_method`` and ``test_get_method_with_tensor`` test
  ``keras.initializers.get``, which glorot_numba does not replace; they run
  inside ``gnk.accelerate()`` to show that it leaves ``get`` unchanged.
- Not ported: ``test_orthogonal`` and the ``Orthogonal`` part of
  ``test_serialization_with_seed_generator`` -- glorot_numba has no
  orthogonal initializer.  The ``skip_if_backend("openvino")`` markers are
  dropped (OpenVINO is not a backend these tests run on).
- Keras fixes its backend at import: here the tests run on JAX in this
  process, and ``test_other_backends`` runs them again under ``unittest``
  in a process per other installed backend (NumPy, PyTorch, TensorFlow).
- Keras' ``keras.src.testing.TestCase`` (in the installed wheel) provides
  ``run_class_serialization_test``, ``assertAllClose`` and
  ``assertNotAllClose``, as upstream.
- Keras' ``convert_to_numpy`` of a ``Variable`` trips NumPy 2's
  ``__array__`` copy-keyword DeprecationWarning; that warning (Keras' own,
  raised by upstream's test too) is ignored, as this project runs with
  warnings as errors.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("jax", reason="the Keras tests run on Keras' JAX backend; JAX is not installed")
keras = pytest.importorskip("keras", reason="Keras 3 is not installed (pip install '.[keras]')")
pytest.importorskip("absl", reason="Keras' TestCase needs absl-py")

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

from keras.src import backend, initializers, random, testing, utils  # noqa: E402
from keras.src.layers.attention.multi_head_attention import MultiHeadAttention  # noqa: E402

import glorot_numba as gn  # noqa: E402
import glorot_numba.keras as gnk  # noqa: E402


class RandomInitializersTest(testing.TestCase):
    def test_random_normal(self):
        utils.set_random_seed(1337)
        shape = (25, 20)
        mean = 0.0
        stddev = 1.0
        seed = 1234
        initializer = gnk.RandomNormal(mean=mean, stddev=stddev, seed=seed)
        values = initializer(shape=shape)
        self.assertEqual(initializer.mean, mean)
        self.assertEqual(initializer.stddev, stddev)
        self.assertEqual(initializer.seed, seed)
        self.assertEqual(values.shape, shape)
        self.assertAllClose(np.std(backend.convert_to_numpy(values)), stddev, atol=1e-1)

        self.run_class_serialization_test(initializer)

        # Test that a fixed seed yields the same results each call.
        initializer = gnk.RandomNormal(mean=mean, stddev=stddev, seed=1337)
        values = initializer(shape=shape)
        next_values = initializer(shape=shape)
        self.assertAllClose(values, next_values)

        # Test that a SeedGenerator yields different results each call.
        initializer = gnk.RandomNormal(
            mean=mean, stddev=stddev, seed=backend.random.SeedGenerator(1337)
        )
        values = initializer(shape=shape)
        next_values = initializer(shape=shape)
        self.assertNotAllClose(values, next_values)

        # Test serialization with SeedGenerator
        initializer = gnk.RandomNormal(
            mean=mean, stddev=stddev, seed=backend.random.SeedGenerator(1337)
        )
        values = initializer(shape=shape)

        # Test that unseeded generator gets different results after cloning
        initializer = gnk.RandomNormal(mean=mean, stddev=stddev, seed=None)
        values = initializer(shape=shape)
        cloned_initializer = gnk.RandomNormal.from_config(initializer.get_config())
        new_values = cloned_initializer(shape=shape)
        self.assertNotAllClose(values, new_values)

        # Test that seeded generator gets same results after cloning
        initializer = gnk.RandomNormal(mean=mean, stddev=stddev, seed=1337)
        values = initializer(shape=shape)
        cloned_initializer = gnk.RandomNormal.from_config(initializer.get_config())
        new_values = cloned_initializer(shape=shape)
        self.assertAllClose(values, new_values)

    def test_random_uniform(self):
        shape = (5, 5)
        minval = -1.0
        maxval = 1.0
        seed = 1234
        initializer = gnk.RandomUniform(minval=minval, maxval=maxval, seed=seed)
        values = initializer(shape=shape)
        self.assertEqual(initializer.minval, minval)
        self.assertEqual(initializer.maxval, maxval)
        self.assertEqual(initializer.seed, seed)
        self.assertEqual(values.shape, shape)
        values = backend.convert_to_numpy(values)
        self.assertGreaterEqual(np.min(values), minval)
        self.assertLess(np.max(values), maxval)

        self.run_class_serialization_test(initializer)

    def test_variance_scaling(self):
        utils.set_random_seed(1337)
        shape = (25, 20)
        scale = 2.0
        seed = 1234
        initializer = gnk.VarianceScaling(scale=scale, seed=seed, mode="fan_in")
        values = initializer(shape=shape)
        self.assertEqual(initializer.scale, scale)
        self.assertEqual(initializer.seed, seed)
        self.assertEqual(values.shape, shape)
        self.assertAllClose(
            np.std(backend.convert_to_numpy(values)), np.sqrt(scale / 25), atol=1e-1
        )
        self.run_class_serialization_test(initializer)

        initializer = gnk.VarianceScaling(scale=scale, seed=seed, mode="fan_out")
        values = initializer(shape=shape)
        self.assertEqual(initializer.scale, scale)
        self.assertEqual(initializer.seed, seed)
        self.assertEqual(values.shape, shape)
        self.assertAllClose(
            np.std(backend.convert_to_numpy(values)), np.sqrt(scale / 20), atol=1e-1
        )
        self.run_class_serialization_test(initializer)

    def test_get_method(self):
        with gnk.accelerate():
            obj = initializers.get("glorot_normal")
            self.assertTrue(obj, initializers.GlorotNormal)

            obj = initializers.get(None)
            self.assertEqual(obj, None)

            with self.assertRaises(ValueError):
                initializers.get("typo")

    def test_get_method_with_tensor(self):
        with gnk.accelerate():
            shape = (5, 5)

            # Test backend tensor
            tensor = random.uniform(shape=shape)
            initializer = initializers.get(tensor)
            values = initializer(shape=shape)
            self.assertAllClose(values, tensor)

            # Test numpy array
            tensor = np.random.uniform(size=shape).astype("float32")
            initializer = initializers.get(tensor)
            values = initializer(shape=shape)
            self.assertAllClose(values, tensor)

            # Test bad `shape` argument
            with self.assertRaisesRegex(ValueError, r"Expected `shape` to be"):
                initializer(shape=(10, 10))

    def test_variance_scaling_invalid_scale(self):
        seed = 1234

        with self.assertRaisesRegex(ValueError, "Argument `scale` must be positive float."):
            gnk.VarianceScaling(scale=-1.0, seed=seed, mode="fan_in")

    def test_variance_scaling_invalid_mode(self):
        scale = 2.0
        seed = 1234

        with self.assertRaisesRegex(ValueError, "Invalid `mode` argument:"):
            gnk.VarianceScaling(scale=scale, seed=seed, mode="invalid_mode")

    def test_variance_scaling_invalid_distribution(self):
        scale = 2.0
        seed = 1234

        with self.assertRaisesRegex(ValueError, "Invalid `distribution` argument:"):
            gnk.VarianceScaling(scale=scale, seed=seed, mode="fan_in", distribution="invalid_dist")

    def test_serialization_with_seed_generator(self):
        seed = random.SeedGenerator()
        initializer = gnk.VarianceScaling(seed=seed)
        self.run_class_serialization_test(initializer)

        seed = random.SeedGenerator()
        initializer = gnk.RandomUniform(seed=seed)
        self.run_class_serialization_test(initializer)

        seed = random.SeedGenerator()
        initializer = gnk.RandomNormal(seed=seed)
        self.run_class_serialization_test(initializer)

    def test_compute_fans_with_axes(self):
        shape = (512, 8, 64)

        # Test with explicit axes (e.g. Query projection)
        fan_in, fan_out = gn.compute_fans(shape, in_axis=[0], out_axis=[1, 2])
        self.assertEqual(fan_in, 512)
        self.assertEqual(fan_out, 512)
        self._assert_fans_used(shape, [0], [1, 2], (512, 512))

        # Test with another combination (e.g. Output projection)
        fan_in, fan_out = gn.compute_fans(shape, in_axis=[0, 1], out_axis=[2])
        self.assertEqual(fan_in, 512 * 8)
        self.assertEqual(fan_out, 64)
        self._assert_fans_used(shape, [0, 1], [2], (512 * 8, 64))

    def _assert_fans_used(self, shape, input_axes, output_axes, fans):
        # Uniform draws reach within 0.1 % of the bound sqrt(3 / fan) unless
        # all 262144 draws miss the top 0.1 % (probability < 1e-100).
        for mode, fan in zip(("fan_in", "fan_out"), fans, strict=True):
            initializer = gnk.VarianceScaling(
                mode=mode,
                distribution="uniform",
                seed=1,
                input_axes=input_axes,
                output_axes=output_axes,
            )
            top = np.abs(backend.convert_to_numpy(initializer(shape=shape))).max()
            bound = np.float32(np.sqrt(3.0 / fan))
            self.assertLessEqual(top, bound)
            self.assertGreater(top, 0.999 * bound)

    def test_variance_scaling_with_axes(self):
        utils.set_random_seed(1337)
        shape = (32, 4, 16)
        scale = 2.0
        seed = 1234

        # Testing standard deviation with given axes
        initializer = gnk.VarianceScaling(
            scale=scale, seed=seed, mode="fan_in", input_axes=[0], output_axes=[1, 2]
        )
        values = initializer(shape=shape)
        self.assertEqual(values.shape, shape)
        self.assertAllClose(
            np.std(backend.convert_to_numpy(values)), np.sqrt(scale / 32), atol=1e-1
        )

        # Test output standard deviation without axes
        initializer = gnk.VarianceScaling(scale=scale, seed=seed, mode="fan_in")
        values = initializer(shape=shape)
        self.assertAllClose(
            np.std(backend.convert_to_numpy(values)), np.sqrt(scale / 128), atol=1e-1
        )

    def test_mha_query_projection_variance(self):
        for kernel_initializer in ("lecun_normal", gnk.LecunNormal()):
            utils.set_random_seed(1337)
            num_heads = 8
            key_dim = 16
            dim = 32

            with gnk.accelerate():
                mha = MultiHeadAttention(
                    num_heads=num_heads, key_dim=key_dim, kernel_initializer=kernel_initializer
                )
                # Build with a typical shape: (batch, seq, dim)
                mha.build((None, 10, dim), (None, 10, dim))

            # Access the query dense layer
            query_dense = mha.query_dense
            kernel = query_dense.kernel

            # Kernel shape should be (dim, num_heads, key_dim) -> (32, 8, 16)
            self.assertEqual(kernel.shape, (dim, num_heads, key_dim))

            # Expected fan_in is dim (32)
            # So expected stddev is sqrt(1 / dim)
            expected_std = np.sqrt(1.0 / dim)
            actual_std = np.std(backend.convert_to_numpy(kernel))
            self.assertAllClose(actual_std, expected_std, atol=1e-1)

    def test_variance_scaling_serialization_with_axes(self):
        initializer = gnk.VarianceScaling(input_axes=[0], output_axes=[1, 2])
        self.run_class_serialization_test(initializer)


@pytest.mark.parametrize("backend", ["numpy", "torch", "tensorflow"])
def test_other_backends(backend):
    if backend != "numpy" and importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed: no Keras {backend} backend to test")
    root = Path(__file__).resolve().parents[2]
    env = dict(
        os.environ,
        KERAS_BACKEND=backend,
        PYTHONPATH=os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    )
    script = (
        "import keras, unittest\n"
        f"assert keras.backend.backend() == {backend!r}, keras.backend.backend()\n"
        "unittest.main(module='tests.peers.test_keras_initializers', argv=['peers'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr.rstrip().endswith("OK"), result.stderr[-3000:]
