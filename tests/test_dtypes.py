"""dtype arguments: names, NumPy, ml_dtypes, and the frameworks' own dtype objects."""

import subprocess
import sys

import ml_dtypes
import numpy as np
import pytest

import glorot_numba as gn
from glorot_numba._dtypes import resolve_dtype

from .conftest import python_env

BF16 = np.dtype(ml_dtypes.bfloat16)
F16, F32, F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
C64, C128 = np.dtype(np.complex64), np.dtype(np.complex128)


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("float16", F16),
        ("half", F16),
        ("float32", F32),
        ("single", F32),
        ("float64", F64),
        ("double", F64),
        ("bfloat16", BF16),
        ("BFLOAT16", BF16),
        (np.float16, F16),
        (np.float32, F32),
        (float, F64),
        (np.dtype("f8"), F64),
        (ml_dtypes.bfloat16, BF16),
        (BF16, BF16),
        ("f4", F32),
        ("<f8", F64),
        ("complex64", C64),
        (np.complex64, C64),
        ("complex128", C128),
        (complex, C128),
        ("c16", C128),
        (np.dtype("c8"), C64),
    ],
    ids=repr,
)
def test_names_and_numpy_types(spec, expected):
    assert resolve_dtype(spec) == expected


def test_resolving_again_gives_the_same_and_errors_again():
    # Resolved names and types are remembered; refusals are not.
    for spec in ("bfloat16", np.float64, F32, "f4"):
        assert resolve_dtype(spec) == resolve_dtype(spec)
    assert resolve_dtype("float32") == F32 and resolve_dtype(F32) == F32
    for _ in range(2):
        with pytest.raises(ValueError, match="int8"):
            resolve_dtype("int8")
        with pytest.raises(TypeError):
            resolve_dtype("no such dtype")


class FakeTFDType:
    """What the library relies on of ``tf.DType``: ``as_numpy_dtype``."""

    def __init__(self, numpy_type, name):
        self.as_numpy_dtype = numpy_type
        self.name = name


@pytest.mark.parametrize(
    "numpy_type, expected",
    [
        (np.float32, F32),
        (np.float16, F16),
        (np.float64, F64),
        (ml_dtypes.bfloat16, BF16),
        (np.complex64, C64),
        (np.complex128, C128),
    ],
    ids=str,
)
def test_tensorflow_style_dtypes(numpy_type, expected):
    assert resolve_dtype(FakeTFDType(numpy_type, expected.name)) == expected
    w = gn.GlorotNormal(seed=1)((3, 4), FakeTFDType(numpy_type, expected.name))
    assert w.dtype == expected


def test_tensorflow_style_integer_dtype_is_a_value_error():
    with pytest.raises(ValueError, match="int32"):
        resolve_dtype(FakeTFDType(np.int32, "int32"))


@pytest.mark.parametrize(
    "name",
    [
        "float8_e4m3fn",
        "float8_e5m2",
        "int4",
        "uint4",
        "int8",
        "uint16",
        "bool",
        "int64",
        "complex32",
    ],
)
def test_keras_names_of_unsupported_dtypes_are_value_errors(name):
    """Keras' dtype names that are dtypes, but not ones this library draws."""
    with pytest.raises(ValueError, match=name):
        resolve_dtype(name)


@pytest.mark.parametrize("spec", ["mixed_float16", "Float32", "tf.float32", "", object(), 3])
def test_things_that_are_not_dtypes_are_type_errors(spec):
    with pytest.raises(TypeError, match="dtype"):
        resolve_dtype(spec)


def test_keras_floatx_names():
    for name in ("bfloat16", "float16", "float32", "float64"):
        w = gn.HeNormal(seed=2, dtype=name)((4, 4))
        assert w.dtype.name == name and w.dtype == resolve_dtype(name)
        assert gn.HeNormal(seed=2, dtype=name).get_config()["dtype"] == name


# --- real frameworks (skipped when absent) ----------------------------------


def test_torch_dtypes():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    table = {
        torch.float16: F16,
        torch.half: F16,
        torch.bfloat16: BF16,
        torch.float32: F32,
        torch.float: F32,
        torch.float64: F64,
        torch.double: F64,
        torch.complex64: C64,
        torch.cfloat: C64,
        torch.complex128: C128,
        torch.cdouble: C128,
    }
    for torch_dtype, expected in table.items():
        assert resolve_dtype(torch_dtype) == expected, torch_dtype
        init = gn.GlorotUniform(seed=3, dtype=torch_dtype)
        assert init((2, 5)).dtype == expected
        assert init.get_config()["dtype"] == expected.name
        assert gn.GlorotUniform(seed=3)((2, 5), torch_dtype).dtype == expected
    # The same values as the NumPy dtype.
    a = gn.GlorotNormal(seed=3)((6, 7), torch.bfloat16)
    assert np.array_equal(a.view(np.uint16), gn.GlorotNormal(seed=3)((6, 7), BF16).view(np.uint16))
    for bad in (
        torch.int32,
        torch.int64,
        torch.uint8,
        torch.bool,
        torch.float8_e4m3fn,
        torch.complex32,
        torch.qint8,
        torch.quint4x2,
    ):
        with pytest.raises(ValueError, match=str(bad).rpartition(".")[2]):
            resolve_dtype(bad)


def test_jax_dtypes():
    jnp = pytest.importorskip("jax.numpy", reason="JAX is not installed")
    assert resolve_dtype(jnp.bfloat16) == BF16
    assert resolve_dtype(jnp.float32) == F32
    assert resolve_dtype(jnp.float16) == F16
    assert resolve_dtype(jnp.complex64) == C64
    assert resolve_dtype(jnp.zeros(2, jnp.bfloat16).dtype) == BF16
    with pytest.raises(ValueError, match="int32"):
        resolve_dtype(jnp.int32)


def test_tensorflow_dtypes():
    tf = pytest.importorskip("tensorflow", reason="TensorFlow is not installed")
    for tf_dtype, expected in (
        (tf.float32, F32),
        (tf.float16, F16),
        (tf.float64, F64),
        (tf.bfloat16, BF16),
        (tf.complex64, C64),
        (tf.complex128, C128),
    ):
        assert resolve_dtype(tf_dtype) == expected
    with pytest.raises(ValueError, match="int32"):
        resolve_dtype(tf.int32)


def test_import_does_not_import_the_frameworks():
    code = (
        "import sys, glorot_numba as gn\n"
        "gn.GlorotNormal(seed=1, dtype='bfloat16')((2, 2), 'float32')\n"
        "from glorot_numba._dtypes import resolve_dtype\n"
        "resolve_dtype('float16')\n"
        "print(sorted(m for m in ('torch', 'jax', 'tensorflow', 'keras') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=python_env(),
        check=True,
        timeout=300,
    ).stdout
    assert out.strip() == "[]"
