"""PyTorch's own tests of ``torch.nn.init``, run against glorot_numba.

Source: pytorch/pytorch, ``test/nn/test_init.py`` (classes ``TestNNInit`` and
``TestNNInitDeviceType``, as of PyTorch 2.13; BSD-3-Clause, the PyTorch
contributors).  The assertions and tolerances are upstream's: KS p-values
above 1e-4, bounds as the dtype represents them, unique-value counts, exact
error types and warning texts, ``atol=1e-6`` for orthogonality.

Adapted, and why:

* Two targets.  ``gnt``: glorot_numba.torch's functions, for the tests of
  the functions it offers (``uniform_``, ``normal_``, ``trunc_normal_``,
  ``xavier_*``, ``kaiming_*``); its ``xavier_normal_`` and
  ``kaiming_normal_`` are called with ``truncated=False``, because their
  default follows TensorFlow's truncated definition and upstream tests
  PyTorch's untruncated one.  ``accelerated``: ``torch.nn.init`` itself
  inside ``glorot_numba.torch.accelerate()``, for every test of the file --
  the functions it draws through the engine, and those it must leave
  working (``constant_``, ``eye_``, ``dirac_``, ``orthogonal_``,
  ``sparse_``, the deprecated aliases, ``calculate_gain``).
* unittest classes became pytest functions with a fixture for the target;
  ``@parametrize_test`` became ``pytest.mark.parametrize``; the device-type
  tests run on the CPU only.  ``assertEqual`` on tensors became
  ``torch.testing.assert_close`` (the same default tolerances).
* Skip decorators: SciPy is required (``importorskip``); TorchDynamo and
  LAPACK skips do not apply; upstream's ``@slowTest`` on
  ``test_xavier_uniform`` is dropped (it takes milliseconds here).
* ``is_trunc_normal`` runs upstream's KS test (same samples, same p-value
  threshold) with the truncated normal's CDF written out from
  ``scipy.special.ndtr`` instead of ``scipy.stats.truncnorm``, whose CDF
  took 5.6 of the 6 s of a KS test on the 6.25 M values of the 4-D case;
  the statistics agree to 1e-15 (checked against ``truncnorm`` in
  ``test_the_truncated_normal_cdf_is_scipys``).
* Seeds: upstream seeds Python's ``random`` (123) for sizes and parameters
  and leaves PyTorch's generator as it finds it; here PyTorch's is seeded
  too (123), so that each run draws the same values and a KS test at alpha
  1e-4 cannot fail by chance from one run to the next.

No test is skipped or changed in what it asserts; there is no exception to
report.
"""

import functools
import math
import random
import string
from functools import reduce
from operator import mul
from types import SimpleNamespace

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install '.[torch]')")
stats = pytest.importorskip("scipy.stats")
special = pytest.importorskip("scipy.special")

import torch.nn.functional as F  # noqa: E402

import glorot_numba.torch as gnt  # noqa: E402

SEED = 123

# glorot_numba.torch's functions, under torch.nn.init's names and with its
# (untruncated) normal distributions.
GNT = SimpleNamespace(
    uniform_=gnt.uniform_,
    normal_=gnt.normal_,
    trunc_normal_=gnt.trunc_normal_,
    xavier_uniform_=gnt.xavier_uniform_,
    xavier_normal_=functools.partial(gnt.xavier_normal_, truncated=False),
    kaiming_uniform_=gnt.kaiming_uniform_,
    kaiming_normal_=functools.partial(gnt.kaiming_normal_, truncated=False),
)


def _seed():
    random.seed(SEED)
    torch.manual_seed(SEED)


@pytest.fixture(params=["gnt", "accelerated"])
def init(request):
    """The functions under test: glorot_numba.torch's, or torch.nn.init's inside a block."""
    _seed()
    if request.param == "gnt":
        yield GNT
    else:
        with gnt.accelerate():
            yield torch.nn.init


@pytest.fixture
def accelerated():
    """torch.nn.init inside accelerate(), for the functions glorot_numba does not offer."""
    _seed()
    with gnt.accelerate():
        yield torch.nn.init


# --- upstream's helpers ------------------------------------------------------


def is_normal(tensor, mean, std):
    samples = tensor.view(-1).tolist()
    return stats.kstest(samples, "norm", args=(mean, std))[1] > 0.0001


def _truncnorm_cdf(a0, b0):
    """The CDF of N(0, 1) truncated to [a0, b0], from differences of
    ``ndtr`` (of survival functions in the upper tail, where they keep
    their digits)."""
    if a0 > 0:
        qa, qb = special.ndtr(-a0), special.ndtr(-b0)
        inside = lambda z: (qa - special.ndtr(-z)) / (qa - qb)  # noqa: E731
    else:
        pa, pb = special.ndtr(a0), special.ndtr(b0)
        inside = lambda z: (special.ndtr(z) - pa) / (pb - pa)  # noqa: E731
    # 0 below the interval and 1 above it, as truncnorm's.
    return lambda z: np.clip(inside(np.asarray(z, dtype=np.float64)), 0.0, 1.0)


def is_trunc_normal(tensor, mean, std, a, b):
    # scipy's truncnorm is standard: test the standardised samples.
    z = ((tensor.view(-1) - mean) / std).numpy()
    a0, b0 = (a - mean) / std, (b - mean) / std
    return stats.kstest(z, _truncnorm_cdf(a0, b0))[1] > 0.0001


@pytest.mark.parametrize("a0, b0", [(-2.0, 2.0), (-0.3, 1.7), (2.0, 3.0), (-6.0, -5.5), (5.0, 5.1)])
def test_the_truncated_normal_cdf_is_scipys(a0, b0):
    z = np.linspace(a0 - 1.0, b0 + 1.0, 1001)
    expected = stats.truncnorm.cdf(z, a0, b0)
    np.testing.assert_allclose(_truncnorm_cdf(a0, b0)(z), expected, rtol=1e-9, atol=1e-12)


def is_uniform(tensor, a, b):
    samples = tensor.view(-1).tolist()
    return stats.kstest(samples, "uniform", args=(a, (b - a)))[1] > 0.0001


def random_nd_tensor(dims, size_min, size_max):
    return torch.zeros([random.randint(size_min, size_max) for _ in range(dims)])


def random_float(a, b):
    return (b - a) * random.random() + a


def fans(tensor):
    fan_in, fan_out = tensor.size(1), tensor.size(0)
    if tensor.dim() > 2:
        fan_in *= tensor[0, 0].numel()
        fan_out *= tensor[0, 0].numel()
    return fan_in, fan_out


# --- TestNNInit: the functions glorot_numba offers ---------------------------


@pytest.mark.parametrize("dims", [1, 2, 4])
def test_uniform(init, dims):
    tensor = random_nd_tensor(dims, size_min=30, size_max=50)
    a = random_float(-3, 3)
    b = a + random_float(1, 5)
    init.uniform_(tensor, a=a, b=b)
    assert is_uniform(tensor, a, b), "Expected uniform distribution"


@pytest.mark.parametrize("dims", [1, 2, 4])
def test_normal(init, dims):
    tensor = random_nd_tensor(dims, size_min=30, size_max=50)
    mean = random_float(-3, 3)
    std = random_float(1, 5)
    init.normal_(tensor, mean=mean, std=std)
    assert is_normal(tensor, mean, std), "Expected normal distribution"


def test_trunc_normal_generator(init):
    gen = torch.Generator()
    gen.manual_seed(42)
    tensor = torch.empty(5)
    init.trunc_normal_(tensor, generator=gen)

    ref = torch.empty(5)
    torch.manual_seed(42)
    init.trunc_normal_(ref)

    torch.testing.assert_close(tensor, ref)
    assert is_trunc_normal(tensor, mean=0, std=1, a=0, b=1), (
        "Expected truncated normal distribution"
    )


@pytest.mark.parametrize(
    "name", ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]
)
@pytest.mark.parametrize("dims", [0, 1])
def test_errors_on_inputs_smaller_than_2d(init, name, dims):
    tensor = random_nd_tensor(dims, size_min=1, size_max=1)
    with pytest.raises(ValueError):
        getattr(init, name)(tensor)


@pytest.mark.parametrize("name", ["kaiming_uniform_", "kaiming_normal_"])
def test_kaiming_warning_on_0element_tensor(init, name):
    tensor = torch.empty(0, 1)
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        getattr(init, name)(tensor)


@pytest.mark.parametrize("use_gain", [True, False])
@pytest.mark.parametrize("dims", [2, 4])
def test_xavier_uniform(init, use_gain, dims):
    tensor = random_nd_tensor(dims, size_min=20, size_max=25)
    gain = 1
    if use_gain:
        gain = random_float(0.1, 2)
        init.xavier_uniform_(tensor, gain=gain)
    else:
        init.xavier_uniform_(tensor)
    fan_in, fan_out = fans(tensor)
    expected_std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    bounds = expected_std * math.sqrt(3)
    assert is_uniform(tensor, -bounds, bounds), "Expected uniform distribution"


@pytest.mark.parametrize("use_gain", [True, False])
@pytest.mark.parametrize("dims", [2, 4])
def test_xavier_normal(init, use_gain, dims):
    tensor = random_nd_tensor(dims, size_min=20, size_max=25)
    gain = 1
    if use_gain:
        gain = random_float(0.1, 2)
        init.xavier_normal_(tensor, gain=gain)
    else:
        init.xavier_normal_(tensor)
    fan_in, fan_out = fans(tensor)
    expected_std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    assert is_normal(tensor, 0, expected_std), "Expected normal distribution"


@pytest.mark.parametrize(
    "name, check", [("kaiming_uniform_", "uniform"), ("kaiming_normal_", "normal")]
)
@pytest.mark.parametrize("use_a", [True, False])
@pytest.mark.parametrize("dims", [2, 4])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming(init, name, check, use_a, dims, mode):
    tensor = random_nd_tensor(dims, size_min=20, size_max=25)
    if use_a:
        a = random_float(0.1, 2)
        getattr(init, name)(tensor, a=a, mode=mode)
    else:
        a = 0
        getattr(init, name)(tensor, mode=mode)
    fan_in, fan_out = fans(tensor)
    n = fan_in if mode == "fan_in" else fan_out
    expected_std = math.sqrt(2.0 / ((1 + a**2) * n))
    if check == "uniform":
        bounds = expected_std * math.sqrt(3.0)
        assert is_uniform(tensor, -bounds, bounds), "Expected uniform distribution"
    else:
        assert is_normal(tensor, 0, expected_std), "Expected normal distribution"


# --- TestNNInitDeviceType (CPU) ------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("dims", [1, 2, 4])
def test_trunc_normal_all_dtypes(init, dims, dtype):
    size = [random.randint(30, 50) for _ in range(dims)]
    tensor = torch.zeros(size, dtype=dtype)
    mean = random.uniform(-3, 3)
    std = random.uniform(0.01, 1)
    a = random.uniform(mean - 2 * std, mean)
    b = random.uniform(mean, mean + 2 * std)
    init.trunc_normal_(tensor, mean=mean, std=std, a=a, b=b)
    # Bounds at the tensor's precision.
    lo = torch.tensor(a, dtype=dtype).item()
    hi = torch.tensor(b, dtype=dtype).item()
    assert tensor.min().item() >= lo, f"{dtype}: values below lower bound a={a}"
    assert tensor.max().item() <= hi, f"{dtype}: values above upper bound b={b}"
    assert is_trunc_normal(tensor.float(), mean, std, a, b), (
        f"{dtype}: failed KS test against truncated normal"
    )


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_trunc_normal_low_precision(init, dtype):
    mean, std, a, b = 0.0, 1.0, -2.0, 2.0
    t = torch.empty(10000, dtype=dtype)
    init.trunc_normal_(t, mean=mean, std=std, a=a, b=b)
    assert t.min().item() >= a, f"{dtype}: values below lower bound a={a}"
    assert t.max().item() <= b, f"{dtype}: values above upper bound b={b}"
    assert is_trunc_normal(t.float(), mean, std, a, b), (
        f"{dtype}: failed KS test against truncated normal"
    )


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
def test_trunc_normal_narrow_interval(init, dtype):
    # bfloat16 is left out upstream: 65 values in [2, 3] fail KS by their steps.
    mean, std, a, b = 0.0, 1.0, 2.0, 3.0
    t = torch.empty(10000, dtype=dtype)
    init.trunc_normal_(t, mean=mean, std=std, a=a, b=b)
    assert t.min().item() >= a, f"{dtype}: values below lower bound a={a}"
    assert t.max().item() <= b, f"{dtype}: values above upper bound b={b}"
    assert is_trunc_normal(t.float(), mean, std, a, b), (
        f"{dtype}: failed KS test against truncated normal"
    )


@pytest.mark.parametrize(
    "dtype, min_unique",
    [(torch.float32, 5000), (torch.float64, 5000), (torch.float16, 3000), (torch.bfloat16, 1000)],
)
def test_trunc_normal_unique_values(init, dtype, min_unique):
    t = torch.empty(10000, dtype=dtype)
    init.trunc_normal_(t, mean=0.0, std=1.0, a=-2.0, b=2.0)
    assert t.min().item() >= -2.0, f"{dtype}: values below lower bound"
    assert t.max().item() <= 2.0, f"{dtype}: values above upper bound"
    unique = t.unique().numel()
    assert unique > min_unique, f"{dtype}: only {unique} unique values, expected > {min_unique}"
    assert not t.isinf().any().item(), f"{dtype}: trunc_normal_ produced inf values"
    assert not t.isnan().any().item(), f"{dtype}: trunc_normal_ produced nan values"


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16])
def test_trunc_normal_no_boundary_values_small_std(init, dtype):
    t = torch.empty(10000, dtype=dtype)
    init.trunc_normal_(t, mean=0.0, std=0.1, a=-2.0, b=2.0)
    at_lower = (t == -2.0).sum().item()
    at_upper = (t == 2.0).sum().item()
    assert at_lower == 0, f"{dtype}: {at_lower} values clamped to lower bound a=-2.0"
    assert at_upper == 0, f"{dtype}: {at_upper} values clamped to upper bound b=2.0"


# --- TestNNInit: the rest of torch.nn.init, which accelerate() must leave working ----


def test_calculate_gain_linear(accelerated):
    for fn in [
        "linear",
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose2d",
        "conv_transpose2d",
        "conv_transpose3d",
    ]:
        assert accelerated.calculate_gain(fn) == 1


@pytest.mark.parametrize(
    "fn, expected",
    [
        ("sigmoid", 1),
        ("tanh", 1.6666666666666667),
        ("relu", 1.4142135623730951),
        ("leaky_relu", 1.4141428569978354),
    ],
)
def test_calculate_gain_nonlinear(accelerated, fn, expected):
    assert accelerated.calculate_gain(fn) == expected


@pytest.mark.parametrize(
    "param, expected",
    [
        (None, 1.4141428569978354),
        (0, 1.4142135623730951),
        (0.01, 1.4141428569978354),
        (10, 0.14071950894605836),
    ],
)
def test_calculate_gain_leaky_relu(accelerated, param, expected):
    assert accelerated.calculate_gain("leaky_relu", param) == expected


def test_calculate_gain_leaky_relu_only_accepts_numbers(accelerated):
    for param in [True, [1], {"a": "b"}]:
        with pytest.raises(ValueError):
            accelerated.calculate_gain("leaky_relu", param)


def test_calculate_gain_only_accepts_valid_nonlinearities(accelerated):
    for n in [2, 5, 25]:
        name = "".join(random.choice(string.ascii_lowercase) for _ in range(n))
        with pytest.raises(ValueError):
            accelerated.calculate_gain(name)


@pytest.mark.parametrize("dims", [1, 2, 4])
def test_constant(accelerated, dims):
    tensor = random_nd_tensor(dims, size_min=1, size_max=5)
    val = random_float(1, 10)
    accelerated.constant_(tensor, val)
    torch.testing.assert_close(tensor, tensor.clone().fill_(val))


@pytest.mark.parametrize("dims", [1, 2, 4])
def test_ones_and_zeros(accelerated, dims):
    for init_fn_, val in zip([accelerated.ones_, accelerated.zeros_], [1, 0], strict=True):
        tensor = random_nd_tensor(dims, size_min=1, size_max=5)
        init_fn_(tensor)
        torch.testing.assert_close(tensor, tensor.clone().fill_(val))


def test_eye(accelerated):
    tensor = random_nd_tensor(2, size_min=1, size_max=5)
    accelerated.eye_(tensor)
    for i in range(tensor.size(0)):
        for j in range(tensor.size(1)):
            assert tensor[i][j] == (1 if i == j else 0), f"wrong value at [{i}][{j}]"


@pytest.mark.parametrize("dims", [1, 3])
def test_eye_only_works_on_2d_inputs(accelerated, dims):
    with pytest.raises(ValueError):
        accelerated.eye_(random_nd_tensor(dims, size_min=1, size_max=3))


@pytest.mark.parametrize("dims", [3, 4, 5])
@pytest.mark.parametrize("groups", [1, 2, 3])
def test_dirac_properties(accelerated, dims, groups):
    a, c, d, e = (random.randint(1, 5) for _ in range(4))
    b = random.randint(1, 5 * groups)
    tensor = torch.randn((a * groups, b, c, d, e)[:dims])
    accelerated.dirac_(tensor, groups)
    c_out, c_in = tensor.size(0) // groups, tensor.size(1)
    min_d = min(c_out, c_in)
    assert torch.nonzero(tensor).size(0) == min_d * groups
    torch.testing.assert_close(tensor.sum(), torch.tensor(float(min_d * groups)))


@pytest.mark.parametrize("groups", [1, 3])
@pytest.mark.parametrize("conv, spatial", [(F.conv1d, 1), (F.conv2d, 2), (F.conv3d, 3)])
def test_dirac_identity(accelerated, groups, conv, spatial):
    batch, in_c, out_c, size, kernel_size = 8, 3, 9, 5, 3
    eff_out_c = out_c // groups
    x = torch.randn(batch, in_c, *[size] * spatial)
    w = torch.cat([torch.zeros(eff_out_c, in_c, *[kernel_size] * spatial)] * groups)
    accelerated.dirac_(w, groups)
    y = conv(x, w)
    inner = (slice(None), slice(None)) + (slice(1, -1),) * spatial
    for g in range(groups):
        # The in_c outputs of each group are preserved; its extra outputs are 0.
        torch.testing.assert_close(x[inner], y[:, eff_out_c * g : eff_out_c * g + in_c])
        assert torch.nonzero(y[:, eff_out_c * g + in_c : eff_out_c * (g + 1)]).numel() == 0


@pytest.mark.parametrize("dims", [1, 2, 6])
def test_dirac_only_works_on_3_4_5d_inputs(accelerated, dims):
    with pytest.raises(ValueError):
        accelerated.dirac_(random_nd_tensor(dims, size_min=1, size_max=3))


@pytest.mark.parametrize("dims", [1, 3])
def test_sparse_only_works_on_2d_inputs(accelerated, dims):
    with pytest.raises(ValueError):
        sparsity = random_float(0.1, 0.9)
        accelerated.sparse_(random_nd_tensor(dims, size_min=1, size_max=3), sparsity)


@pytest.mark.parametrize("use_random_std", [True, False])
def test_sparse_default_std(accelerated, use_random_std):
    tensor = random_nd_tensor(2, size_min=30, size_max=35)
    rows = tensor.size(0)
    sparsity = random_float(0.1, 0.2)
    std = 0.01
    if use_random_std:
        std = random_float(0.01, 0.2)
        accelerated.sparse_(tensor, sparsity=sparsity, std=std)
    else:
        accelerated.sparse_(tensor, sparsity=sparsity)
    for col_idx in range(tensor.size(1)):
        column = tensor[:, col_idx]
        assert column[column == 0].nelement() >= math.ceil(sparsity * rows)
    assert is_normal(tensor[tensor != 0], 0, std), (
        "Expected normal distribution for non-zero elements"
    )


@pytest.mark.parametrize("use_gain", [True, False])
@pytest.mark.parametrize("tensor_size", [[3, 4], [4, 3], [20, 2, 3, 4], [2, 3, 4, 5]])
def test_orthogonal(accelerated, use_gain, tensor_size):
    tensor = torch.zeros(tensor_size)
    gain = 1.0
    if use_gain:
        gain = random_float(0.1, 2)
        accelerated.orthogonal_(tensor, gain=gain)
    else:
        accelerated.orthogonal_(tensor)
    rows, cols = tensor_size[0], reduce(mul, tensor_size[1:])
    flat = tensor.view(rows, cols)
    if rows > cols:
        torch.testing.assert_close(flat.t() @ flat, torch.eye(cols) * gain**2, atol=1e-6, rtol=0)
    else:
        torch.testing.assert_close(flat @ flat.t(), torch.eye(rows) * gain**2, atol=1e-6, rtol=0)


def test_deprecation(accelerated):
    x = torch.randn(3, 3)
    with pytest.warns(FutureWarning, match="deprecated"):
        accelerated.normal(x)
