"""The VarianceScaling family (GlorotUniform, He*, Lecun*) and mode fan_geo_avg."""

import json
import math

import numpy as np
import pytest

import glorot_numba as gn

from .conftest import bits

# (class, aliases, scale, mode, distribution), as TensorFlow 2 / Keras 3 /
# JAX define them (checked against keras 3.15 and jax.nn.initializers).
FAMILY = [
    (
        gn.GlorotNormal,
        ("glorot_normal", "glorot_normal_initializer", "xavier_normal"),
        1.0,
        "fan_avg",
        "truncated_normal",
    ),
    (
        gn.GlorotUniform,
        ("glorot_uniform", "glorot_uniform_initializer", "xavier_uniform"),
        1.0,
        "fan_avg",
        "uniform",
    ),
    (gn.HeNormal, ("he_normal",), 2.0, "fan_in", "truncated_normal"),
    (gn.HeUniform, ("he_uniform",), 2.0, "fan_in", "uniform"),
    (gn.LecunNormal, ("lecun_normal",), 1.0, "fan_in", "truncated_normal"),
    (gn.LecunUniform, ("lecun_uniform",), 1.0, "fan_in", "uniform"),
]
IDS = [row[0].__name__ for row in FAMILY]


@pytest.mark.parametrize("cls, aliases, scale, mode, distribution", FAMILY, ids=IDS)
def test_names_and_aliases(cls, aliases, scale, mode, distribution):
    assert getattr(gn, cls.__name__) is cls
    assert cls.__name__ in gn.__all__
    assert issubclass(cls, gn.VarianceScaling)
    for alias in aliases:
        assert getattr(gn, alias) is cls, alias
        assert alias in gn.__all__, alias


@pytest.mark.parametrize("cls, aliases, scale, mode, distribution", FAMILY, ids=IDS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_is_its_variance_scaling_configuration(cls, aliases, scale, mode, distribution, dtype):
    init = cls(seed=5)
    assert (init.scale, init.mode, init.distribution) == (scale, mode, distribution)
    # fan_in != fan_out != their mean here, so a wrong mode (or scale, or
    # distribution) changes the bits.
    shape = (3, 5, 40, 24)
    ref = gn.VarianceScaling(scale, mode, distribution, seed=5)(shape, dtype)
    assert np.array_equal(bits(init(shape, dtype)), bits(ref))
    for other_mode in {"fan_in", "fan_out", "fan_avg"} - {mode}:
        other = gn.VarianceScaling(scale, other_mode, distribution, seed=5)(shape, dtype)
        assert not np.array_equal(bits(init(shape, dtype)), bits(other))


@pytest.mark.parametrize("cls, aliases, scale, mode, distribution", FAMILY, ids=IDS)
def test_std_and_bound(cls, aliases, scale, mode, distribution):
    shape = (300, 500)
    fan_in, fan_out = shape
    n = {"fan_in": fan_in, "fan_avg": (fan_in + fan_out) / 2}[mode]
    w = cls(seed=11)(shape, "float64")
    # 150000 draws: the sample std is within 1% of sqrt(scale / n) with
    # overwhelming probability (its relative standard error is ~0.2%).
    assert abs(w.std() / math.sqrt(scale / n) - 1) < 0.01
    bound = (
        math.sqrt(3 * scale / n)
        if distribution == "uniform"
        else 2 * math.sqrt(scale / n) / 0.87962566103423978
    )
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > 0.99 * bound


@pytest.mark.parametrize("cls, aliases, scale, mode, distribution", FAMILY, ids=IDS)
def test_config_round_trip(cls, aliases, scale, mode, distribution):
    init = cls(seed=7, dtype="float64")
    assert init.get_config() == {"seed": 7, "dtype": "float64"}
    again = cls.from_config(init.get_config())
    assert type(again) is cls and again.get_config() == init.get_config()
    assert np.array_equal(init((6, 9)), again((6, 9)))
    assert repr(init) == f"{cls.__name__}(seed=7, dtype='float64')"
    assert eval(repr(init), {cls.__name__: cls}).get_config() == init.get_config()

    torch_like = cls(seed=7, in_axis=1, out_axis=0)
    config = torch_like.get_config()
    assert config == {"seed": 7, "dtype": "float32", "in_axis": 1, "out_axis": 0}
    restored = cls.from_config(json.loads(json.dumps(config)))
    assert np.array_equal(restored((8, 4, 3)), torch_like((8, 4, 3)))


@pytest.mark.parametrize("cls", [row[0] for row in FAMILY], ids=IDS)
def test_presets_reject_variance_scaling_arguments(cls):
    for kwargs in ({"scale": 2.0}, {"mode": "fan_in"}, {"distribution": "uniform"}):
        with pytest.raises(TypeError, match=next(iter(kwargs))):
            cls(**kwargs)


# --- fan_geo_avg ----------------------------------------------------------


@pytest.mark.parametrize(
    "shape, n",
    [
        ((16, 64), 32.0),
        ((3, 3, 8, 32), math.sqrt(72 * 288)),
        ((0, 5), 1.0),  # sqrt(0) clamps to 1, as every mode does
        ((1, 0), 1.0),
        ((7,), 7.0),
        ((), 1.0),
    ],
    ids=str,
)
def test_fan_geo_avg_variance(shape, n):
    init = gn.VarianceScaling(scale=3.0, mode="fan_geo_avg", seed=1)
    fans = gn.compute_fans(shape)
    assert init._variance(fans) == 3.0 / n
    assert init(shape).shape == shape


def test_fan_geo_avg_bits_equal_an_equivalent_fan_out():
    # (16, 64): sqrt(16 * 64) = 32, so scale 2 over fan_geo_avg is exactly
    # scale 4 over fan_out (both 1/16): the same multiplier, the same bits.
    shape = (16, 64)
    geo = gn.VarianceScaling(2.0, "fan_geo_avg", "truncated_normal", seed=9)(shape)
    out = gn.VarianceScaling(4.0, "fan_out", "truncated_normal", seed=9)(shape)
    avg = gn.VarianceScaling(2.0, "fan_avg", "truncated_normal", seed=9)(shape)
    assert np.array_equal(geo, out)
    assert not np.array_equal(geo, avg)


def test_fan_geo_avg_config_and_case():
    assert gn.VarianceScaling(mode="fan_geo_avg").get_config()["mode"] == "fan_geo_avg"
    with pytest.raises(ValueError, match="FAN_GEO_AVG"):
        gn.VarianceScaling(mode="FAN_GEO_AVG")
