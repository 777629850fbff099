"""``method=``: the truncated normal by resampling Box-Muller normals or by its
exact inverse distribution function.

Distribution tests of both methods are in test_statistics.py (the same
assertions for each), their golden hashes and stream properties in
test_reproducibility.py.
"""

import math

import ml_dtypes
import numpy as np
import pytest

import glorot_numba as gn
from glorot_numba import _engine

FAMILY_NORMALS = [gn.GlorotNormal, gn.HeNormal, gn.LecunNormal]


def test_default_is_box_muller_and_stays_out_of_configs():
    for cls in FAMILY_NORMALS + [gn.VarianceScaling]:
        init = cls(seed=1)
        assert init.method == "box_muller"
        assert "method" not in init.get_config()


@pytest.mark.parametrize("cls", FAMILY_NORMALS)
def test_config_round_trip(cls):
    init = cls(seed=1, method="inverse_cdf")
    config = init.get_config()
    assert config["method"] == "inverse_cdf"
    again = cls.from_config(config)
    assert again.method == "inverse_cdf"
    assert again((30, 40)).tobytes() == init((30, 40)).tobytes()
    vs = gn.VarianceScaling(2.0, "fan_in", "normal", seed=3, method="inverse_cdf")
    assert gn.VarianceScaling.from_config(vs.get_config())((5, 6)).tobytes() == vs((5, 6)).tobytes()


@pytest.mark.parametrize("dtype", ["float16", ml_dtypes.bfloat16, "float32", "float64"])
def test_a_stream_of_its_own_with_the_same_law(dtype):
    bm = gn.GlorotNormal(seed=4)((500, 400), dtype).astype(np.float64)
    icdf = gn.GlorotNormal(seed=4, method="inverse_cdf")((500, 400), dtype).astype(np.float64)
    assert not np.array_equal(bm, icdf)
    # Same multiplier, same bound: sigma / 0.8796... and 2 sigma / 0.8796...
    sigma = math.sqrt(2.0 / 900.0) / 0.87962566103423978
    bound = float(np.asarray(2.0 * sigma).astype(dtype))
    assert np.abs(icdf).max() <= bound
    if dtype in ("float32", "float64"):
        assert np.abs(icdf).max() < bound  # strictly inside, as resampling gives
    assert icdf.std() == pytest.approx(bm.std(), rel=0.02)


def test_inverse_cdf_never_redraws():
    # One Philox word (float32) or two (float64) per element, at attempt 0:
    # the kernel's list pass only serves the ragged ends of runs.
    kind, params = gn.GlorotNormal(method="inverse_cdf")._sampling((10, 10), np.dtype("f4"))
    assert kind == _engine.INVERSE_CDF


def test_complex_dtypes_have_one_method():
    a = gn.GlorotNormal(seed=2)((20, 30), "complex64")
    b = gn.GlorotNormal(seed=2, method="inverse_cdf")((20, 30), "complex64")
    assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize(
    "make, exc, match",
    [
        (lambda: gn.GlorotNormal(method="icdf"), ValueError, "method must be one of"),
        (lambda: gn.GlorotNormal(method=None), TypeError, "method must be a string"),
        (lambda: gn.GlorotUniform(method="inverse_cdf"), ValueError, "truncated normals only"),
        (
            lambda: gn.VarianceScaling(distribution="untruncated_normal", method="inverse_cdf"),
            ValueError,
            "truncated normals only",
        ),
        (
            lambda: gn.GlorotNormal(compat="tf.keras", method="inverse_cdf"),
            ValueError,
            "TensorFlow's",
        ),
    ],
)
def test_refused_where_it_has_no_meaning(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_the_box_muller_default_is_still_accepted_everywhere():
    gn.GlorotUniform(method="box_muller")
    gn.GlorotNormal(compat="tf.keras", method="box_muller")


def test_partitions_and_threads():
    init = gn.HeNormal(seed=5, method="inverse_cdf")
    full = init((300, 257), "float32")
    with gn.num_threads(1):
        assert init((300, 257), "float32").tobytes() == full.tobytes()
    part = init((100, 100), "float32", partition_info=gn.PartitionInfo((300, 257), (101, 57)))
    assert part.tobytes() == full[101:201, 57:157].tobytes()


# --------------------------------------------------------------------------
# Passed through everywhere a truncated normal is drawn
# --------------------------------------------------------------------------


def test_dask_arrays_keep_the_method():
    pytest.importorskip("dask")
    from glorot_numba import dask as gnd

    w = gnd.glorot_normal((64, 48), chunks=(16, 48), seed=1, method="inverse_cdf")
    expected = gn.GlorotNormal(seed=1, method="inverse_cdf")((64, 48))
    assert w.compute().tobytes() == expected.tobytes()


def test_keras_classes_take_and_keep_the_method():
    pytest.importorskip("jax")
    keras = pytest.importorskip("keras")
    import glorot_numba.keras as gnk

    init = gnk.HeNormal(seed=3, method="inverse_cdf")
    assert init.get_config()["method"] == "inverse_cdf"
    again = keras.initializers.deserialize(keras.initializers.serialize(init))
    expected = gn.HeNormal(seed=3, method="inverse_cdf")((30, 40))
    assert np.array_equal(keras.ops.convert_to_numpy(again((30, 40))), expected)
    assert "method" not in gnk.HeNormal(seed=3).get_config()
    with pytest.raises(ValueError, match="truncated normals only"):
        gnk.HeUniform(method="inverse_cdf")


def test_jax_factories_take_the_method():
    jax = pytest.importorskip("jax")
    import glorot_numba.jax as gnj

    init = gnj.lecun_normal(method="inverse_cdf")
    key = jax.random.key(5)
    w = np.asarray(init(key, (20, 30)))
    box_muller = np.asarray(gnj.lecun_normal()(key, (20, 30)))
    assert w.shape == (20, 30) and not np.array_equal(w, box_muller)
    with pytest.raises(ValueError, match="truncated normals only"):
        gnj.lecun_uniform(method="inverse_cdf")


def test_torch_family_functions_take_the_method():
    torch = pytest.importorskip("torch")
    import glorot_numba.torch as gnt

    w = gnt.kaiming_normal_(torch.empty(30, 40), seed=2, method="inverse_cdf")
    expected = gn.VarianceScaling(2.0, "fan_in", seed=2, method="inverse_cdf", **gn.TORCH_LAYOUT)(
        (30, 40)
    )
    assert np.array_equal(w.numpy(), expected)
    with pytest.raises(ValueError, match="truncated normals only"):
        gnt.xavier_normal_(torch.empty(3, 4), truncated=False, method="inverse_cdf")
