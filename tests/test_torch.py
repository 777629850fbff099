"""glorot_numba.torch: in-place fills of PyTorch tensors.

Statistical checks use fixed seeds; each states its false-alarm level.
"""

import math
import tracemalloc

import ml_dtypes
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install '.[torch]')")

import glorot_numba as gn  # noqa: E402
import glorot_numba.torch as gnt  # noqa: E402

from .conftest import as_numpy, same_bits  # noqa: E402

TRUNC_STD = 0.87962566103423978
TORCH = gn.TORCH_LAYOUT

TORCH_TO_NUMPY = {
    torch.float16: np.float16,
    torch.bfloat16: ml_dtypes.bfloat16,
    torch.float32: np.float32,
    torch.float64: np.float64,
}


# --------------------------------------------------------------------------
# Values: the NumPy API's, in PyTorch's layout
# --------------------------------------------------------------------------

CASES = [
    # (call, scale, mode, distribution)
    (lambda t, s: gnt.xavier_normal_(t, seed=s), 1.0, "fan_avg", "truncated_normal"),
    (
        lambda t, s: gnt.xavier_normal_(t, 0.5, seed=s, truncated=False),
        0.25,
        "fan_avg",
        "untruncated_normal",
    ),
    (lambda t, s: gnt.xavier_uniform_(t, 2.0, seed=s), 4.0, "fan_avg", "uniform"),
    (lambda t, s: gnt.kaiming_normal_(t, seed=s), 2.0, "fan_in", "truncated_normal"),
    (
        lambda t, s: gnt.kaiming_normal_(t, a=0.1, mode="FAN_OUT", seed=s, truncated=False),
        2.0 / (1 + 0.1**2),
        "fan_out",
        "untruncated_normal",
    ),
    (lambda t, s: gnt.kaiming_uniform_(t, a=math.sqrt(5), seed=s), 2.0 / 6.0, "fan_in", "uniform"),
    (
        lambda t, s: gnt.kaiming_uniform_(t, nonlinearity="tanh", mode="fan_out", seed=s),
        (5.0 / 3) ** 2,
        "fan_out",
        "uniform",
    ),
    (lambda t, s: gnt.lecun_normal_(t, seed=s), 1.0, "fan_in", "truncated_normal"),
    (lambda t, s: gnt.lecun_uniform_(t, seed=s), 1.0, "fan_in", "uniform"),
    (
        lambda t, s: gnt.variance_scaling_(t, 3.0, "fan_geo_avg", "uniform", seed=s),
        3.0,
        "fan_geo_avg",
        "uniform",
    ),
]


@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("shape", [(48, 20), (16, 8, 3, 3), (4, 6, 5)])
def test_values_equal_the_numpy_api_in_torch_layout(case, shape):
    call, scale, mode, distribution = CASES[case]
    t = torch.empty(shape)
    assert call(t, 11) is t
    ref = gn.VarianceScaling(scale, mode, distribution, seed=11, **TORCH)(shape)
    # Equal up to the last bit of the scale (gain**2 rounds differently).
    assert np.allclose(as_numpy(t), ref, rtol=1e-6, atol=0)


@pytest.mark.parametrize("dtype", list(TORCH_TO_NUMPY))
def test_every_float_dtype_gets_the_numpy_api_bits(dtype):
    t = torch.empty(40, 30, dtype=dtype)
    gnt.xavier_normal_(t, seed=5)
    ref = gn.GlorotNormal(seed=5, **TORCH)((40, 30), TORCH_TO_NUMPY[dtype])
    assert same_bits(as_numpy(t), ref)


def test_torch_fan_layout_is_out_in_kernel():
    # Conv weight (out=64, in=16, 5, 5): fan_in = 16 * 25 = 400, fan_out = 1600.
    # The uniform bound sqrt(3 * 2 / fan_in) is attained to within 0.1 % by
    # the max of 25,600 draws (the chance it is not is (1 - 0.001)^25600 ~ 7e-12).
    w = gnt.kaiming_uniform_(torch.empty(64, 16, 5, 5), nonlinearity="relu", seed=0)
    bound = math.sqrt(6.0 / 400)
    assert bound * 0.999 < float(w.abs().max()) <= bound
    w = gnt.kaiming_uniform_(torch.empty(64, 16, 5, 5), nonlinearity="relu", mode="fan_out", seed=0)
    bound = math.sqrt(6.0 / 1600)
    assert bound * 0.999 < float(w.abs().max()) <= bound


# --------------------------------------------------------------------------
# Distribution (fixed seeds; tolerances are > 6 standard errors, so a false
# alarm has probability < 1e-9 while a wrong constant is caught)
# --------------------------------------------------------------------------


def test_xavier_normal_std_and_truncation():
    out_f, in_f = 512, 1024
    std = math.sqrt(2.0 / (in_f + out_f))
    w = gnt.xavier_normal_(torch.empty(out_f, in_f, dtype=torch.float64), seed=1)
    # The relative standard error of a sample std is about 1/sqrt(2n) (0.1 %
    # here; a bit more for the truncated normal's kurtosis); 1 % is ~10 SE.
    # Dropping the 0.8796 correction would give 12 % too little.
    assert abs(float(w.std()) / std - 1) < 0.01
    assert float(w.abs().max()) < 2 * std / TRUNC_STD
    u = gnt.xavier_normal_(torch.empty(out_f, in_f, dtype=torch.float64), seed=1, truncated=False)
    assert abs(float(u.std()) / std - 1) < 0.01
    # An untruncated normal has 4.55 % of its mass beyond 2 sigma; with
    # 524288 draws the count is within 4.55 % +- 0.2 % (> 6 SE).
    beyond = float((u.abs() > 2 * std).double().mean())
    assert abs(beyond - 0.0455) < 0.002


def test_kaiming_normal_relu_std_uses_fan_in():
    w = gnt.kaiming_normal_(torch.empty(256, 128, 3, 3), nonlinearity="relu", seed=2)
    fan_in = 128 * 9
    assert abs(float(w.std()) / math.sqrt(2.0 / fan_in) - 1) < 0.01  # ~7 SE


# --------------------------------------------------------------------------
# In place, zero copy
# --------------------------------------------------------------------------


def test_contiguous_float32_is_filled_in_place_without_a_temporary():
    t = torch.empty(2048, 2048)  # 16 MiB
    ptr = t.data_ptr()
    gnt.xavier_normal_(t, seed=0)  # warm-up: kernels loaded, caches filled
    tracemalloc.start()
    try:
        gnt.xavier_normal_(t, seed=3)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert t.data_ptr() == ptr
    # A temporary array (generate, then copy) would show up as >= 16 MiB;
    # what remains (about 0.3 MiB, measured) is the fixed cost of a kernel
    # call, the same for a 4x4 array.
    assert peak < 2 * 2**20
    assert same_bits(as_numpy(t), gn.GlorotNormal(seed=3, **TORCH)((2048, 2048)))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float16, torch.bfloat16])
def test_other_cpu_dtypes_keep_their_storage(dtype):
    t = torch.empty(30, 40, dtype=dtype)
    ptr = t.data_ptr()
    gnt.lecun_normal_(t, seed=4)
    assert t.data_ptr() == ptr
    assert same_bits(as_numpy(t), gn.LecunNormal(seed=4, **TORCH)((30, 40), TORCH_TO_NUMPY[dtype]))


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_non_contiguous_views_get_the_values_of_their_shape(dtype):
    base = torch.zeros(50, 60, dtype=dtype)
    view = base.T  # (60, 50), strides (1, 60)
    gnt.xavier_normal_(view, seed=6)
    ref = gn.GlorotNormal(seed=6, **TORCH)((60, 50), TORCH_TO_NUMPY[dtype])
    assert same_bits(as_numpy(view), ref)

    base = torch.zeros(20, 31, dtype=dtype)
    strided = base[::2, 1::3]  # (10, 10)
    gnt.xavier_uniform_(strided, seed=6)
    assert same_bits(
        as_numpy(strided), gn.GlorotUniform(seed=6, **TORCH)((10, 10), TORCH_TO_NUMPY[dtype])
    )
    rest = base.clone()
    rest[::2, 1::3] = 0
    assert not rest.any(), "elements outside the view were written"


def test_overlapping_tensor_is_refused_untouched():
    base = torch.zeros(1, 5)
    with pytest.raises(RuntimeError, match="single memory location"):
        gnt.xavier_normal_(base.expand(4, 5), seed=0)
    assert not base.any()


@pytest.mark.parametrize("dtype", [torch.complex64, torch.complex128])
def test_complex_tensors(dtype):
    t = torch.zeros(30, 20, dtype=dtype)
    ptr = t.data_ptr()
    gnt.xavier_normal_(t, seed=12)
    ref = gn.GlorotNormal(seed=12, **TORCH)((30, 20), str(dtype).rpartition(".")[2])
    assert t.data_ptr() == ptr and same_bits(as_numpy(t), ref)
    # A conjugate view has no NumPy view; written through copy_, it must
    # still read the drawn values.
    conj = torch.zeros(30, 20, dtype=dtype).conj()
    gnt.xavier_normal_(conj, seed=12)
    assert conj.is_conj() and torch.equal(conj, t)


class Tagged(torch.Tensor):
    """A tensor subclass: no NumPy view is taken of it, so values go through copy_."""


def test_tensor_subclasses_are_written_through_copy():
    t = torch.zeros(8, 6).as_subclass(Tagged)
    ptr = t.data_ptr()
    assert gnt.xavier_normal_(t, seed=9) is t
    assert type(t) is Tagged and t.data_ptr() == ptr
    assert same_bits(
        as_numpy(t.as_subclass(torch.Tensor)), gn.GlorotNormal(seed=9, **TORCH)((8, 6))
    )


@pytest.mark.parametrize("shape", [(0, 5), (3, 0), (0, 0, 3)])
def test_empty_tensors(shape):
    # PyTorch divides by zero for some of these; fans here are clamped to 1.
    t = torch.empty(shape)
    assert gnt.xavier_normal_(t, seed=0) is t and tuple(t.shape) == shape


def test_meta_tensors_are_returned_as_they_are():
    t = torch.empty(4, 5, device="meta")
    assert gnt.kaiming_normal_(t, seed=0) is t


# --------------------------------------------------------------------------
# Autograd, like torch.nn.init
# --------------------------------------------------------------------------


def test_parameters_stay_leaves_and_the_version_counter_moves():
    layer = torch.nn.Linear(6, 4)
    w = layer.weight
    version = w._version
    assert gnt.xavier_uniform_(w, seed=0) is w
    assert w.requires_grad and w.is_leaf and w.grad_fn is None
    assert w._version > version


def test_reinitialising_a_tensor_saved_for_backward_is_detected():
    # As with any in-place change, autograd must refuse the stale graph.
    w = torch.nn.Parameter(torch.ones(3, 4))
    loss = (w * w).sum()
    gnt.xavier_normal_(w, seed=0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


# --------------------------------------------------------------------------
# Seeds and generators
# --------------------------------------------------------------------------


def test_unseeded_calls_follow_torch_manual_seed():
    torch.manual_seed(123)
    a = gnt.xavier_normal_(torch.empty(20, 10))
    b = gnt.xavier_normal_(torch.empty(20, 10))
    torch.manual_seed(123)
    c = gnt.xavier_normal_(torch.empty(20, 10))
    assert torch.equal(a, c)
    assert not torch.equal(a, b)


def test_explicit_generator():
    g1 = torch.Generator().manual_seed(5)
    g2 = torch.Generator().manual_seed(5)
    a = gnt.kaiming_normal_(torch.empty(20, 10), generator=g1)
    b = gnt.kaiming_normal_(torch.empty(20, 10), generator=g2)
    c = gnt.kaiming_normal_(torch.empty(20, 10), generator=g2)
    assert torch.equal(a, b) and not torch.equal(b, c)


def test_seed_wins_over_generator_and_repeats():
    g = torch.Generator().manual_seed(0)
    a = gnt.xavier_normal_(torch.empty(5, 7), seed=3, generator=g)
    b = gnt.xavier_normal_(torch.empty(5, 7), seed=3)
    assert torch.equal(a, b)


# --------------------------------------------------------------------------
# Errors: raised before anything is written
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda t: gnt.xavier_normal_(t.reshape(-1)), ValueError, "fewer than 2 dimensions"),
        (lambda t: gnt.xavier_normal_(t, gain=0.0), ValueError, "gain"),
        (lambda t: gnt.xavier_normal_(t, gain=-1.0), ValueError, "gain"),
        (lambda t: gnt.xavier_uniform_(t, gain=float("nan")), ValueError, "gain"),
        (lambda t: gnt.xavier_normal_(t, gain="1"), TypeError, "gain"),
        (lambda t: gnt.kaiming_normal_(t, mode="fan_avg"), ValueError, "fan_in, fan_out"),
        (lambda t: gnt.kaiming_uniform_(t, nonlinearity="swish"), ValueError, "swish"),
        (lambda t: gnt.xavier_normal_(t, seed=1.5), TypeError, "seed"),
        (lambda t: gnt.xavier_normal_(t, generator=3), TypeError, "generator"),
        (lambda t: gnt.variance_scaling_(t, 1.0, "fan_sum"), ValueError, "mode"),
        (lambda t: gnt.variance_scaling_(t, 1.0, "fan_in", "cauchy"), ValueError, "distribution"),
    ],
)
def test_bad_arguments_leave_the_tensor_untouched(call, exc, match):
    t = torch.full((6, 5), 7.0)
    with pytest.raises(exc, match=match):
        call(t)
    assert bool((t == 7.0).all())


def test_integer_tensors_and_non_tensors_are_refused():
    t = torch.full((6, 5), 7, dtype=torch.int32)
    with pytest.raises(ValueError, match="dtype torch.int32"):
        gnt.xavier_normal_(t, seed=0)
    assert bool((t == 7).all())
    with pytest.raises(TypeError, match="torch.Tensor"):
        gnt.xavier_normal_(np.zeros((3, 3), np.float32), seed=0)


# --------------------------------------------------------------------------
# End to end: a module initialised, run forward and backward, one step
# --------------------------------------------------------------------------


class SmallNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.fc1 = torch.nn.Linear(8 * 8 * 8, 32)
        self.fc2 = torch.nn.Linear(32, 10)

    def forward(self, x):
        x = torch.relu(self.conv(x))
        x = torch.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)


def init_net(net, seed):
    gnt.kaiming_normal_(net.conv.weight, nonlinearity="relu", seed=seed)
    gnt.kaiming_uniform_(net.fc1.weight, nonlinearity="relu", seed=seed + 1)
    gnt.xavier_normal_(net.fc2.weight, seed=seed + 2)
    for m in (net.conv, net.fc1, net.fc2):
        torch.nn.init.zeros_(m.bias)


def test_module_end_to_end():
    torch.manual_seed(0)
    net = SmallNet()
    init_net(net, seed=100)
    twin = SmallNet()
    init_net(twin, seed=100)
    for p, q in zip(net.parameters(), twin.parameters(), strict=True):
        assert torch.equal(p, q)
    assert same_bits(as_numpy(net.fc2.weight), gn.GlorotNormal(seed=102, **TORCH)((10, 32)))

    x = torch.randn(4, 3, 8, 8)
    y = torch.tensor([0, 3, 5, 9])
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    before = net.fc1.weight.detach().clone()
    loss = torch.nn.functional.cross_entropy(net(x), y)
    loss.backward()
    assert math.isfinite(float(loss.detach()))
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in net.parameters())
    assert float(net.fc1.weight.grad.abs().sum()) > 0
    opt.step()
    assert not torch.equal(net.fc1.weight.detach(), before)
    # Re-initialising through the optimizer's parameters works too.
    net.apply(
        lambda m: gnt.xavier_uniform_(m.weight, seed=1) if isinstance(m, torch.nn.Linear) else None
    )
    assert same_bits(as_numpy(net.fc1.weight), gn.GlorotUniform(seed=1, **TORCH)((32, 512)))


# --------------------------------------------------------------------------
# PyTorch's argument positions and warnings
# --------------------------------------------------------------------------


def test_generator_is_the_positional_argument_after_torchs_own():
    a = gnt.xavier_normal_(torch.empty(20, 10), 1.0, torch.Generator().manual_seed(5))
    b = gnt.xavier_normal_(torch.empty(20, 10), generator=torch.Generator().manual_seed(5))
    assert torch.equal(a, b)
    c = gnt.kaiming_uniform_(
        torch.empty(20, 10), 0.0, "fan_in", "relu", torch.Generator().manual_seed(5)
    )
    d = gnt.kaiming_uniform_(
        torch.empty(20, 10), nonlinearity="relu", generator=torch.Generator().manual_seed(5)
    )
    assert torch.equal(c, d)


@pytest.mark.parametrize("call", [gnt.kaiming_normal_, gnt.kaiming_uniform_])
def test_kaiming_warns_on_zero_element_tensors_as_torch(call):
    t = torch.empty(0, 4)
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op") as w:
        assert call(t, seed=0) is t
    assert w[0].filename == __file__
