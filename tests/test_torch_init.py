"""glorot_numba.torch's uniform_, normal_ and trunc_normal_: torch.nn.init's
semantics, the engine's values.

The same arguments give the same exceptions and warnings as PyTorch's
functions (compared call by call), the distributions are PyTorch's
(Kolmogorov-Smirnov tests at fixed seeds, each at a false-alarm level alpha
= 1e-4: the probability that a correct sampler fails it for a seed picked
at random), and the values are the NumPy API's for the same seed.
"""

import math
import warnings

import ml_dtypes
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install '.[torch]')")
stats = pytest.importorskip("scipy.stats")

import glorot_numba as gn  # noqa: E402
import glorot_numba.torch as gnt  # noqa: E402
from glorot_numba import _torch_init  # noqa: E402

from .conftest import as_numpy  # noqa: E402

KS_ALPHA = 1e-4
FLOATS = [torch.float16, torch.bfloat16, torch.float32, torch.float64]
NUMPY = {
    torch.float16: np.float16,
    torch.bfloat16: ml_dtypes.bfloat16,
    torch.float32: np.float32,
    torch.float64: np.float64,
}


def as64(t):
    return t.detach().to(torch.float64).numpy().ravel()


# --------------------------------------------------------------------------
# Values: the NumPy API's, computed in float32 for float16 and bfloat16
# --------------------------------------------------------------------------


def numpy_twin(init, shape, dtype):
    """What the engine writes for a torch draw: half dtypes are computed in
    float32 and rounded once, as PyTorch computes them."""
    if dtype in (torch.float16, torch.bfloat16):
        return init(shape, "float32").astype(NUMPY[dtype])
    return init(shape, NUMPY[dtype])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(
    "call, init",
    [
        (lambda t: gnt.normal_(t, 0.5, 0.02, seed=7), gn.RandomNormal(0.5, 0.02, seed=7)),
        (lambda t: gnt.uniform_(t, -0.3, 0.1, seed=7), gn.RandomUniform(-0.3, 0.1, seed=7)),
        (
            lambda t: gnt.trunc_normal_(t, 0.0, 0.02, -0.04, 0.04, seed=7),
            gn.TruncatedNormal(0.0, 0.02, seed=7, lower=-0.04, upper=0.04),
        ),
        (
            lambda t: gnt.trunc_normal_(t, std=0.02, seed=7),  # PyTorch's default bounds, +-2
            gn.TruncatedNormal(0.0, 0.02, seed=7, lower=-2.0, upper=2.0),
        ),
    ],
    ids=["normal", "uniform", "trunc_normal", "trunc_normal_wide"],
)
def test_values_are_the_numpy_api_in_the_precision_torch_computes(call, init, dtype):
    t = torch.empty(33, 70, dtype=dtype)
    assert call(t) is t
    np.testing.assert_array_equal(as_numpy(t), numpy_twin(init, (33, 70), dtype))


@pytest.mark.parametrize(
    "dtype, real", [(torch.complex64, "float32"), (torch.complex128, "float64")]
)
def test_complex_tensors_are_pairs_of_reals_as_torch_draws_them(dtype, real):
    t = torch.empty(20, 30, dtype=dtype)
    gnt.normal_(t, 1.0, 2.0, seed=3)
    # Real and imaginary parts each N(mean, std**2 / 2).
    ref = gn.RandomNormal(1.0, 2.0 / math.sqrt(2.0), seed=3)((20, 30, 2), real)
    np.testing.assert_array_equal(torch.view_as_real(t).numpy(), ref)
    gnt.uniform_(t, -1.0, 3.0, seed=3)
    ref = gn.RandomUniform(-1.0, 3.0, seed=3)((20, 30, 2), real)
    np.testing.assert_array_equal(torch.view_as_real(t).numpy(), ref)


def test_complex32_is_filled_as_float16_pairs():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ComplexHalf support is experimental")
        t = torch.empty(10, 12, dtype=torch.complex32)
    gnt.normal_(t, 0.0, 1.0, seed=2)
    ref = gn.RandomNormal(0.0, 1.0 / math.sqrt(2.0), seed=2)((10, 12, 2), "float32")
    np.testing.assert_array_equal(torch.view_as_real(t).numpy(), ref.astype(np.float16))


# --------------------------------------------------------------------------
# Distributions (alpha = 1e-4 each)
# --------------------------------------------------------------------------


def test_normal_and_uniform_fit():
    w = as64(gnt.normal_(torch.empty(400, 500, dtype=torch.float64), -1.0, 2.0, seed=11))
    assert stats.kstest(w, stats.norm(-1.0, 2.0).cdf).pvalue > KS_ALPHA
    u = as64(gnt.uniform_(torch.empty(400, 500, dtype=torch.float64), 2.0, 5.0, seed=11))
    assert stats.kstest(u, stats.uniform(2.0, 3.0).cdf).pvalue > KS_ALPHA
    assert u.min() >= 2.0 and u.max() <= 5.0


def test_complex_normal_parts_and_mean():
    c = gnt.normal_(torch.empty(200_000, dtype=torch.complex128), 1.0, 2.0, seed=4)
    # The mean is added to both parts, as PyTorch adds it (mean 1 + 1j).
    for part in (c.real.numpy(), c.imag.numpy()):
        assert stats.kstest(part, stats.norm(1.0, math.sqrt(2.0)).cdf).pvalue > KS_ALPHA


@pytest.mark.parametrize(
    "mean, std, a, b",
    [
        (0.0, 1.0, -2.0, 2.0),  # PyTorch's default
        (0.0, 0.02, -2.0, 2.0),  # the transformers / timm call: bounds at 100 sigma
        (0.3, 1.0, -0.5, 0.1),  # narrow
        (0.0, 1.0, 2.0, 3.0),  # in one tail (upstream's narrow-interval test)
        (1.0, 0.5, 4.0, math.inf),  # one-sided, 6 sigma out
        (0.0, 1.0, 40.0, 41.0),  # beyond 37 sigma: the tail method
        (-3.0, 2.0, -math.inf, math.inf),
    ],
)
def test_trunc_normal_fits_any_interval(mean, std, a, b):
    w = as64(gnt.trunc_normal_(torch.empty(200_000, dtype=torch.float64), mean, std, a, b, seed=5))
    assert w.min() >= a and w.max() <= b
    law = stats.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)
    assert stats.kstest(w, law.cdf).pvalue > KS_ALPHA


def test_trunc_normal_with_negative_std_is_torchs_law_of_abs_std():
    # PyTorch's sampler only sees std**2: a negative std gives the law of -std.
    w = as64(
        gnt.trunc_normal_(torch.empty(100_000, dtype=torch.float64), 0.0, -1.0, -1.0, 0.5, seed=2)
    )
    assert stats.kstest(w, stats.truncnorm(-1.0, 0.5).cdf).pvalue > KS_ALPHA


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("a, b", [(-0.7, 0.3), (1.1, 1.3), (-2.0, 2.0)])
def test_trunc_normal_bounds_hold_as_the_dtype_represents_them(dtype, a, b):
    t = gnt.trunc_normal_(torch.empty(50_000, dtype=dtype), 0.0, 1.0, a, b, seed=8)
    lo = torch.tensor(a, dtype=dtype).item()
    hi = torch.tensor(b, dtype=dtype).item()
    assert t.min().item() >= lo and t.max().item() <= hi
    assert torch.isfinite(t).all()


def test_degenerate_parameters_as_torch():
    assert bool((gnt.normal_(torch.empty(50), 3.0, 0.0, seed=0) == 3.0).all())
    assert bool((gnt.uniform_(torch.empty(50), 2.5, 2.5, seed=0) == 2.5).all())
    assert bool((gnt.trunc_normal_(torch.empty(50), 0.0, 1.0, 1.5, 1.5, seed=0) == 1.5).all())


# --------------------------------------------------------------------------
# PyTorch's checks, exceptions and warnings, call by call
# --------------------------------------------------------------------------


def outcome(call):
    """``(exception type and message, or "ok"; warning messages)`` of ``call()``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            call()
            result = "ok"
        except Exception as exc:  # noqa: BLE001 - comparing whatever is raised
            result = (type(exc), str(exc))
    return result, [str(w.message) for w in caught]


def empty(*shape, dtype=torch.float32, **kw):
    return lambda: torch.empty(*shape, dtype=dtype, **kw)


with torch.inference_mode():
    _INFERENCE = torch.empty(3)

SAME_AS_TORCH = [
    # (function name, tensor factory, args, kwargs)
    *[
        (name, empty(4, 5, dtype=dt), (), {})
        for name in _torch_init.NAMES
        for dt in [
            torch.int32,
            torch.int64,
            torch.uint8,
            torch.bool,
            torch.float8_e4m3fn,
            torch.float8_e5m2,
        ]
    ],
    ("trunc_normal_", empty(4, 5, dtype=torch.complex64), (), {}),
    ("trunc_normal_", empty(4, 5, dtype=torch.complex128), (), {}),
    ("uniform_", empty(3, 3), (1.0, 0.0), {}),
    ("uniform_", empty(3, 3), (-math.inf, 0.0), {}),
    ("uniform_", empty(3, 3), (math.nan, 0.0), {}),
    ("uniform_", empty(3, 3), (-3e38, 3e38), {}),
    ("uniform_", empty(3, dtype=torch.float16), (0.0, 1e6), {}),
    ("uniform_", empty(3, 3), ("a", 1.0), {}),
    ("uniform_", empty(0, 3, dtype=torch.int32), (), {}),
    ("normal_", empty(3, 3), (0.0, -1.0), {}),
    ("normal_", empty(3, 3), (0.0, math.nan), {}),
    ("normal_", empty(3, 3), ("a", 1.0), {}),
    ("normal_", empty(3, 3), (), {"generator": 3}),
    ("normal_", empty(0, 3, dtype=torch.int32), (), {}),
    ("normal_", lambda: torch.empty(3, 3).to_sparse(), (), {}),
    ("normal_", lambda: torch.zeros(1, 5).expand(4, 5), (), {}),
    ("uniform_", lambda: torch.zeros(1, 5).expand(4, 5), (), {}),
    ("normal_", lambda: _INFERENCE, (), {}),
    ("normal_", empty(3, device="meta"), (0.0, -1.0), {}),
    ("trunc_normal_", empty(3, 3), (0.0, 0.0), {}),
    ("trunc_normal_", empty(3, 3), (0.0, 1.0, 2.0, 1.0), {}),
    ("trunc_normal_", empty(3, 3), (0.0, 1.0, math.nan, 1.0), {}),
    ("trunc_normal_", empty(3, 3), (), {"generator": 3}),
    ("trunc_normal_", empty(3, 3), (0.0, 1.0, 1.0, 1.5), {"generator": 3}),
    ("trunc_normal_", empty(0, 3, dtype=torch.int32), (), {}),
    ("trunc_normal_", empty(3, device="meta"), (), {}),
    ("xavier_normal_", empty(0, 0), (), {}),
    ("xavier_uniform_", empty(3), (), {}),
    ("xavier_normal_", empty(3, 3), (), {"gain": -1.0}),
    ("xavier_uniform_", empty(3, 3), (), {"gain": -1.0}),
    *[
        (name, factory, (), kwargs)
        for name in ("kaiming_normal_", "kaiming_uniform_")
        for factory, kwargs in [
            (empty(0, 3), {}),
            (empty(3), {}),
            (lambda: torch.tensor(1.0), {}),
            (empty(3, 3), {"mode": "fan_avg"}),
            (empty(3, 3), {"nonlinearity": "swish"}),
            (empty(3, 3), {"a": True}),
        ]
    ],
]


@pytest.mark.parametrize("name, make, args, kwargs", SAME_AS_TORCH)
def test_same_exceptions_and_warnings_as_torch(name, make, args, kwargs):
    theirs = outcome(lambda: gnt.accelerate.original(name)(make(), *args, **kwargs))
    ours = outcome(lambda: getattr(_torch_init, name)(make(), *args, **kwargs))
    assert ours == theirs


@pytest.mark.parametrize(
    "make, call",
    [
        (empty(6, 5), lambda t: gnt.normal_(t, 0.0, -1.0)),
        (empty(6, 5), lambda t: gnt.uniform_(t, 1.0, 0.0)),
        (empty(6, 5), lambda t: gnt.trunc_normal_(t, 0.0, 1.0, 1.0, 0.0)),
        (empty(6, 5), lambda t: gnt.normal_(t, seed=1.5)),
        (empty(6, 5), lambda t: gnt.uniform_(t, generator="gen")),
    ],
)
def test_errors_leave_the_tensor_untouched(make, call):
    t = make().fill_(7.0)
    with pytest.raises((RuntimeError, TypeError)):
        call(t)
    assert bool((t == 7.0).all())


def test_non_tensors_raise_type_error():
    for call in (gnt.normal_, gnt.uniform_, gnt.trunc_normal_):
        with pytest.raises(TypeError, match="torch.Tensor"):
            call(np.zeros(3))


def test_trunc_normal_never_warns_and_takes_infinite_bounds_everywhere():
    # PyTorch warns that its distribution "may be incorrect" and refuses
    # [3, inf), which holds 0.13 % of the mass; the engine draws it exactly.
    t = torch.empty(1000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gnt.trunc_normal_(t, 0.0, 1.0, 3.0, math.inf, seed=0)
    assert t.min().item() >= 3.0


@pytest.mark.parametrize("std", [math.inf])
@pytest.mark.parametrize("mean", [math.nan, math.inf, 0.0])
def test_parameters_without_an_engine_equal_give_torchs_values(mean, std):
    # Non-finite parameters are PyTorch's to draw: the same generator state
    # gives PyTorch's own values (infinities and NaNs).
    a, b = torch.empty(8), torch.empty(8)
    gnt.normal_(a, mean, std, torch.Generator().manual_seed(1))
    gnt.accelerate.original("normal_")(b, mean, std, torch.Generator().manual_seed(1))
    assert torch.equal(a.isnan(), b.isnan()) and torch.equal(a.nan_to_num(), b.nan_to_num())


def test_out_of_range_values_become_infinities_silently_as_in_torch():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = gnt.normal_(torch.empty(100, dtype=torch.float16), 1e6, 1.0, seed=0)
    assert bool(torch.isinf(t).all())


# --------------------------------------------------------------------------
# Seeds and generators
# --------------------------------------------------------------------------


@pytest.mark.parametrize("call", [gnt.normal_, gnt.uniform_, gnt.trunc_normal_])
def test_generators_and_manual_seed(call):
    torch.manual_seed(3)
    a = call(torch.empty(40, 7))
    b = call(torch.empty(40, 7))
    torch.manual_seed(3)
    c = call(torch.empty(40, 7))
    assert torch.equal(a, c) and not torch.equal(a, b)
    # An explicit generator seeded alike gives the default generator's values.
    d = call(torch.empty(40, 7), generator=torch.Generator().manual_seed(3))
    assert torch.equal(a, d)


def test_seed_wins_and_leaves_the_generator_alone():
    g = torch.Generator().manual_seed(0)
    state = g.get_state()
    a = gnt.normal_(torch.empty(5, 7), seed=3, generator=g)
    assert torch.equal(g.get_state(), state)
    assert torch.equal(a, gnt.normal_(torch.empty(5, 7), seed=3))


def test_a_draw_advances_the_generator_but_an_empty_or_meta_tensor_does_not():
    g = torch.Generator().manual_seed(0)
    state = g.get_state()
    gnt.normal_(torch.empty(0, 3), generator=g)
    gnt.trunc_normal_(torch.empty(4, device="meta"), generator=g)
    assert torch.equal(g.get_state(), state)
    gnt.normal_(torch.empty(2, 3), generator=g)
    assert not torch.equal(g.get_state(), state)


# --------------------------------------------------------------------------
# Layouts, autograd, PyTorch's own paths
# --------------------------------------------------------------------------


def test_views_conjugates_and_subclasses_get_their_values():
    base = torch.zeros(20, 31)
    view = base[::2, 1::3]
    gnt.normal_(view, 0.0, 1.0, seed=6)
    np.testing.assert_array_equal(view.numpy(), gn.RandomNormal(0.0, 1.0, seed=6)((10, 10)))
    rest = base.clone()
    rest[::2, 1::3] = 0
    assert not rest.any(), "elements outside the view were written"

    c = torch.zeros(6, 4, dtype=torch.complex64)
    gnt.uniform_(c, 0.0, 1.0, seed=1)
    conj = torch.zeros(6, 4, dtype=torch.complex64).conj()
    gnt.uniform_(conj, 0.0, 1.0, seed=1)
    assert conj.is_conj() and torch.equal(conj, c)


class Tagged(torch.Tensor):
    """A tensor subclass: PyTorch's own function fills it."""


def test_tensor_subclasses_go_to_torch():
    t = torch.zeros(8, 6).as_subclass(Tagged)
    g1, g2 = torch.Generator().manual_seed(4), torch.Generator().manual_seed(4)
    gnt.normal_(t, 0.0, 1.0, g1)
    ref = torch.zeros(8, 6).normal_(0.0, 1.0, generator=g2)
    assert type(t) is Tagged and torch.equal(t.as_subclass(torch.Tensor), ref)


def test_parameters_stay_leaves_and_the_version_counter_moves():
    w = torch.nn.Linear(6, 4).weight
    version = w._version
    for call in (gnt.normal_, gnt.uniform_, gnt.trunc_normal_):
        assert call(w, seed=0) is w
        assert w.requires_grad and w.is_leaf and w.grad_fn is None
        assert w._version > version
        version = w._version
