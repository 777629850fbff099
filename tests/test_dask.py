"""Dask arrays of initializers: chunks drawn independently fit together exactly.

One module-scoped ``dask.distributed.LocalCluster`` of two worker processes
(one thread each) checks the claim where it matters: chunks drawn in other
processes, then gathered or written to Zarr.
"""

import math

import numpy as np
import pytest

pytest.importorskip("dask.array", reason="the dask extra is not installed")
distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

import glorot_numba as gn  # noqa: E402
from glorot_numba import _registry  # noqa: E402
from glorot_numba import dask as gnd  # noqa: E402

from .conftest import same_bits  # noqa: E402


@pytest.mark.parametrize(
    "shape, chunks",
    [
        ((1000, 600), (250, 300)),
        ((1000, 600), (333, 77)),  # ragged chunks on both axes
        ((3, 3, 64, 32), (2, 3, 20, 7)),
        ((5000,), 999),
        ((), ()),
        ((40, 0, 3), (10, 0, 3)),
    ],
)
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_equals_the_in_memory_tensor(shape, chunks, dtype):
    init = gn.VarianceScaling(2.0, "fan_in", "truncated_normal", seed=12)
    w = gnd.variance_scaling(shape, chunks, scale=2.0, mode="fan_in", seed=12, dtype=dtype)
    assert w.dtype == np.dtype(init(shape, dtype).dtype)
    assert same_bits(w.compute(scheduler="threads"), init(shape, dtype))


def test_one_function_per_initializer_class():
    classes = _registry.initializer_classes()
    for name, cls in classes.items():
        fn = getattr(gnd, _registry.snake_case(name))
        assert fn.__name__ in gnd.__all__
        w = fn((64, 48), (16, 48), seed=3)
        assert same_bits(w.compute(), cls(seed=3)((64, 48)))
    assert {"glorot_normal", "variance_scaling"} <= set(gnd.__all__)


def test_a_single_chunk_is_its_slice():
    w = gnd.glorot_normal((900, 700), (300, 350), seed=5)
    full = gn.GlorotNormal(seed=5)((900, 700))
    assert same_bits(w.blocks[2, 1].compute(), full[600:900, 350:700])


def test_keys_are_deterministic():
    a = gnd.glorot_normal((100, 100), 50, seed=1)
    b = gnd.glorot_normal((100, 100), 50, seed=1)
    c = gnd.glorot_normal((100, 100), 50, seed=2)
    assert a.name == b.name != c.name


def test_unseeded_array_is_one_tensor():
    w = gnd.glorot_normal((600, 400), (150, 400))
    first, second = w.compute(), w.compute()
    assert same_bits(first, second)
    # A second unseeded array gets a seed of its own.
    assert not np.array_equal(first, gnd.glorot_normal((600, 400), (150, 400)).compute())


def test_global_seed_is_refused():
    gn.set_random_seed(3)
    try:
        with pytest.raises(ValueError, match="global seed"):
            gnd.glorot_normal((10, 10), 5, seed=1)
    finally:
        gn.set_random_seed(None)


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: gnd.glorot_normal((-1, 3), 2, seed=1), ValueError),
        (lambda: gnd.glorot_normal((4, 3), 2, seed=1.5), TypeError),
        (lambda: gnd.variance_scaling((4, 3), 2, scale=0.0), ValueError),
        (lambda: gnd.glorot_normal((4, 3), 2, dtype="int32"), ValueError),
        (lambda: gnd.variance_scaling((4, 3), 2, scale=1e80, seed=1), ValueError),
    ],
)
def test_bad_input_raises_at_definition(call, error):
    with pytest.raises(error):
        call()


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_cluster_of_processes_equals_in_memory(client):
    shape = (2000, 1500)
    cases = [
        (gnd.glorot_normal, gn.GlorotNormal(seed=21), "float32", {}),
        (
            gnd.variance_scaling,
            gn.VarianceScaling(3.0, "fan_out", "uniform", seed=22),
            "float64",
            dict(scale=3.0, mode="fan_out", distribution="uniform"),
        ),
    ]
    for fn, init, dtype, config in cases:
        w = fn(shape, (512, 700), seed=init.seed, dtype=dtype, **config)
        futures = client.compute(w)
        result = futures.result()
        assert same_bits(result, init(shape, dtype))
    # The chunks really ran in both worker processes.
    workers = client.run(lambda: __import__("os").getpid())
    assert len(set(workers.values())) == 2


def test_zarr_round_trip_from_the_cluster(client, tmp_path):
    zarr = pytest.importorskip("zarr", reason="the dask extra is not installed")
    shape = (1500, 1100)
    w = gnd.glorot_normal(shape, (400, 550), seed=31)
    z = gnd.to_zarr(w, str(tmp_path / "w.zarr"))
    assert z.shape == shape and z.chunks == (400, 550)
    again = zarr.open_array(str(tmp_path / "w.zarr"), mode="r")
    assert same_bits(again[:], gn.GlorotNormal(seed=31)(shape))


def test_zarr_refuses_bfloat16(tmp_path):
    w = gnd.glorot_normal((10, 10), 5, seed=1, dtype="bfloat16")
    with pytest.raises(ValueError, match="float32"):
        gnd.to_zarr(w, str(tmp_path / "b.zarr"))
    z = gnd.to_zarr(w.astype("float32"), str(tmp_path / "f.zarr"))
    expected = gn.GlorotNormal(seed=1)((10, 10), "bfloat16").astype(np.float32)
    assert same_bits(z[:], expected)
    assert math.prod(z.shape) == 100


def test_streams_without_slices_are_refused():
    with pytest.raises(ValueError, match="compat"):
        gnd.from_initializer(gn.GlorotNormal(seed=1, compat="tf.keras"), (100, 100), 50)
