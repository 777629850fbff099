"""Accuracy, bounds, monotonicity and reproducibility of the quantile functions.

``trunc2_f32`` is checked exhaustively (every 24-bit input) against a
float64 reference that is itself checked against mpmath; ``trunc2_f64`` and
``ndtri_lower_f64`` against mpmath on fixed samples (larger ones behind
``-m slow``); the decimal distribution functions of ``_normal_cdf`` for
correct rounding against mpmath.  Run with ``pytest -s`` to see the
measured errors.
"""

import hashlib
import math
import platform
import subprocess
import sys

import ml_dtypes
import mpmath
import numba
import numpy as np
import pytest

from glorot_numba._engine import quantiles as _quantiles
from glorot_numba._engine.quantiles import ndtri_lower_f64, trunc2_f32, trunc2_f64
from glorot_numba._normal_cdf import normal_cdf, normal_mass, normal_sf, rayleigh_mass

from . import naive
from .conftest import ROOT, python_env

N24 = 2**24

# SHA-256 of the outputs: trunc2_f32 on all 2**24 inputs (k << 8 | 0xA5),
# the others on _golden_inputs().  They pin the bits.
GOLDEN = {
    "trunc2_f32": "c2aef42729b3c98661fa84bc2201bcdeae396fc5145e51f3426ba394b8abb9c4",
    "trunc2_f64": "600c6e499373d8fb3443878ba8ad23bbe86507acff1ff8d299c5c8dff15b93d8",
    "ndtri_lower_f64": "0a82764690c8cff89262f24e8109f0b45b8d5453583c916841110c4d5b380ee4",
}

needs_jit = pytest.mark.skipif(
    numba.config.DISABLE_JIT, reason="exhaustive sweeps are too slow without the JIT"
)


# --------------------------------------------------------------------------
# evaluation loops


@numba.njit(parallel=True)
def _trunc2_f32_of_k(start, low_bits, out):
    # Word of 24-bit input k: k << 8, plus bits that must not matter.
    for i in numba.prange(out.size):
        out[i] = trunc2_f32(np.uint64(((start + i) << 8) | low_bits))


@numba.njit
def _trunc2_f32_of_words(words):
    out = np.empty(words.size, np.float32)
    for i in range(words.size):
        out[i] = trunc2_f32(words[i])
    return out


@numba.njit
def _trunc2_f64_of_bits(bits):
    out = np.empty(bits.size, np.float64)
    for i in range(bits.size):
        out[i] = trunc2_f64(bits[i] >> np.uint64(32), bits[i] & np.uint64(0xFFFFFFFF))
    return out


@numba.njit(parallel=True)
def _trunc2_f64_decreases(starts, length):
    """Per start k0: how many of the 53-bit inputs k0 .. k0 + length - 1 give
    a smaller output than the input before."""
    found = np.zeros(starts.size, np.int64)
    for j in numba.prange(starts.size):
        bits = starts[j] << np.uint64(11)
        prev = trunc2_f64(bits >> np.uint64(32), bits & np.uint64(0xFFFFFFFF))
        for i in range(1, length):
            bits = (starts[j] + np.uint64(i)) << np.uint64(11)
            z = trunc2_f64(bits >> np.uint64(32), bits & np.uint64(0xFFFFFFFF))
            found[j] += z < prev
            prev = z
    return found


@numba.njit
def _ndtri_of(p):
    out = np.empty(p.size, np.float64)
    for i in range(p.size):
        out[i] = ndtri_lower_f64(p[i])
    return out


def _neighbours(x, n):
    """The n floats64 below x, x, and the n - 1 above."""
    return (np.float64(x).view(np.int64) + np.arange(-n, n)).view(np.float64)


# --------------------------------------------------------------------------
# trunc2_f32: exhaustive


def test_float64_reference_is_accurate():
    """The SciPy reference used for float32 agrees with the definition of
    the truncated-normal quantile to far below a float32 ulp."""
    w = naive.trunc2_uniform_f32(np.linspace(0, 2**32 - 1, 300).astype(np.uint64))
    ref = naive.trunc2_quantile_f64(w)
    with mpmath.workdps(30):
        for wi, r in zip(w, ref, strict=True):
            exact = naive.trunc2_quantile_mp(mpmath.mpf(wi))
            assert abs(r - exact) <= 1e-14 * abs(exact)
        # and the erfinv form is the quantile of the truncated distribution
        for wi in (-0.999, -0.5, 0.001, 0.3, 0.9999):
            a = naive.trunc2_quantile_mp(mpmath.mpf(wi))
            b = naive.trunc2_quantile_by_cdf_mp(mpmath.mpf(wi))
            assert abs(a - b) < mpmath.mpf(10) ** -25


@needs_jit
def test_trunc2_f32_exhaustive():
    chunk = 2**22
    out = np.empty(N24, np.float32)
    for start in range(0, N24, chunk):
        _trunc2_f32_of_k(start, 0xA5, out[start : start + chunk])
    w = naive.trunc2_uniform_f32(np.arange(N24, dtype=np.uint64) << np.uint64(8))
    ref = naive.trunc2_quantile_f64(w)
    ulp = np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
    err = np.abs(out.astype(np.float64) - ref) / ulp
    worst, mean = err.max(), err.mean()
    rounded = np.mean(out == ref.astype(np.float32))
    print(
        f"\ntrunc2_f32 (all 2**24 inputs): max {worst:.3f} ulp at w = {w[err.argmax()]:.7f}, "
        f"mean {mean:.4f}, within 1 ulp {np.mean(err <= 1):.2%}, correctly rounded {rounded:.2%}"
    )
    assert worst <= 2.0
    assert mean <= 0.36
    assert rounded >= 0.72
    # strictly increasing in the word, odd, and strictly inside (-2, 2)
    assert np.all(np.diff(out) > 0)
    assert np.array_equal(out[::-1].view(np.uint32), (-out).view(np.uint32))
    assert out[-1] == np.float32(2) - np.float32(5 * 2.0**-23) and out[0] == -out[-1]
    # the bits themselves, which samples will depend on
    assert hashlib.sha256(out.tobytes()).hexdigest() == GOLDEN["trunc2_f32"]


def test_trunc2_f32_ignores_the_low_byte():
    words = np.random.default_rng(3).integers(0, 2**32, 5000, dtype=np.uint64)
    a = _trunc2_f32_of_words(words)
    b = _trunc2_f32_of_words(words & np.uint64(0xFFFFFF00))
    c = _trunc2_f32_of_words(words | np.uint64(0xFF))
    assert np.array_equal(a.view(np.uint32), b.view(np.uint32))
    assert np.array_equal(a.view(np.uint32), c.view(np.uint32))


def test_trunc2_f32_against_mpmath():
    """A few points straight against mpmath, JIT or not (no SciPy between)."""
    words = np.array(
        [
            0,
            0xFF,
            0x7FFFFF00,
            0x80000000,
            0xC0000000,
            0xFFFFFFFF,
            *np.random.default_rng(4).integers(0, 2**32, 300),
        ],
        np.uint64,
    )
    z = _trunc2_f32_of_words(words)
    with mpmath.workdps(30):
        for word, value in zip(words, z, strict=True):
            exact = naive.trunc2_quantile_mp(mpmath.mpf(float(naive.trunc2_uniform_f32(word))))
            ulp = float(np.spacing(np.float32(abs(float(exact)))))
            assert abs(float(value) - exact) <= 2.0 * ulp


# --------------------------------------------------------------------------
# trunc2_f64: against mpmath


def _trunc2_f64_sample(size, seed):
    rng = np.random.default_rng(seed)
    edges = [
        0,
        1 << 11,
        2**63 - 1,
        2**63,
        2**63 + (1 << 11),
        2**64 - 1,
        2**64 - (1 << 11),
        0xF8C268FB6124EE54,
    ]
    # where z crosses 1 (u = 0.8576), the outputs are closest in ulps
    near_one = (np.uint64(int(0.8576 * 2**53)) + np.arange(200, dtype=np.uint64)) << np.uint64(11)
    return np.concatenate(
        [np.array(edges, np.uint64), near_one, rng.integers(0, 2**64, size, dtype=np.uint64)]
    )


def _check_trunc2_f64(size, seed, bound):
    bits = _trunc2_f64_sample(size, seed)
    z = _trunc2_f64_of_bits(bits)
    with mpmath.workdps(30):
        exact = [
            naive.trunc2_quantile_mp(naive.trunc2_uniform_mp(b >> 32, b & 0xFFFFFFFF))
            for b in map(int, bits)
        ]
        err = np.abs([naive.ulp_error(a, e) for a, e in zip(z, exact, strict=True)])
        rounded = np.mean(
            [float(a) == naive.correctly_rounded(e) for a, e in zip(z, exact, strict=True)]
        )
    print(
        f"\ntrunc2_f64 ({bits.size} inputs): max {err.max():.3f} ulp, mean {err.mean():.4f}, "
        f"within 1 ulp {np.mean(err <= 1):.2%}, correctly rounded {rounded:.2%}"
    )
    assert err.max() <= bound
    assert err.mean() <= 0.38
    # the top input, and with it every output, stays 5 ulps below 2
    assert z[5] == 2 - 5 * 2.0**-52 and z[0] == -z[5]
    assert np.all(np.abs(z) < 2)


def test_trunc2_f64_vs_mpmath():
    _check_trunc2_f64(3000, 20261205, 2.2)


@pytest.mark.slow
def test_trunc2_f64_vs_mpmath_large():
    _check_trunc2_f64(100_000, 1205, 2.2)


def _check_trunc2_f64_monotone(windows, length, seed):
    rng = np.random.default_rng(seed)
    # Windows of consecutive 53-bit inputs: at random, and where consecutive
    # outputs are fewest ulps apart (z just above 1, |u - 1/2| ~ 0.358).
    starts = (
        np.concatenate(
            [
                rng.uniform(0, 1, windows),
                rng.uniform(0.8576, 0.87, windows),
                rng.uniform(0.13, 0.1424, windows),
            ]
        )
        * 2**53
    )
    starts = np.concatenate(
        [starts.astype(np.uint64), np.array([0, 2**52 - length // 2, 2**53 - length], np.uint64)]
    )
    assert _trunc2_f64_decreases(starts, length).sum() == 0


def test_trunc2_f64_monotone():
    _check_trunc2_f64_monotone(10, 100_000, 1)


@pytest.mark.slow
def test_trunc2_f64_monotone_large():
    _check_trunc2_f64_monotone(100, 10_000_000, 2)


# --------------------------------------------------------------------------
# trunc2 times a standard deviation: never beyond 2 sigma


def _sigmas(dtype, rng):
    """Positive finite sigmas of ``dtype`` with 2 sigma finite: all of them
    for the 16-bit types, a sample (with the extremes) otherwise."""
    if np.dtype(dtype).itemsize == 2:
        bits = np.arange(1, 2**15, dtype=np.uint16)
        s = bits.view(dtype)
    else:
        info = np.finfo(dtype)
        s = np.concatenate(
            [
                rng.uniform(0.001, 10, 100_000).astype(dtype),
                np.array([info.smallest_subnormal, info.tiny, 1, info.max / 2], dtype),
            ]
        )
        s = np.concatenate([s, np.nextafter(s, dtype(0))])
    s = s[np.isfinite(s) & (s > 0)]
    return s[s <= np.finfo(dtype).max / 2]  # the library refuses larger ones


@pytest.mark.parametrize("dtype", [np.float16, ml_dtypes.bfloat16, np.float32, np.float64])
def test_scaled_samples_stay_within_two_sigma(dtype):
    """``|z| <= pred(2)``, so ``z * sigma`` rounded never passes ``2 * sigma``,
    and stays below it where the product is a normal float; the 16-bit types
    are the float32 product rounded once more, as the library computes them."""
    top32 = np.float32(trunc2_f32(np.uint64(0xFFFFFFFF)))
    top64 = np.float64(trunc2_f64(np.uint64(0xFFFFFFFF), np.uint64(0xFFFFFFFF)))
    sigma = _sigmas(dtype, np.random.default_rng(5))
    with np.errstate(under="ignore"):
        if dtype is np.float64:
            scaled = top64 * sigma
        else:
            scaled = (top32 * sigma.astype(np.float32)).astype(dtype)
    scaled, bound = scaled.astype(np.float64), 2 * sigma.astype(np.float64)
    assert np.all(scaled <= bound)
    if dtype in (np.float32, np.float64):
        normal = scaled >= np.finfo(dtype).tiny
        assert np.all(scaled[normal] < bound[normal])
        assert np.count_nonzero(scaled == bound) > 0  # subnormal products may reach it


# --------------------------------------------------------------------------
# ndtri_lower_f64


def _ndtri_sample(size, seed):
    rng = np.random.default_rng(seed)
    log_uniform = np.exp(rng.uniform(math.log(2.0**-1022), math.log(0.5), size))
    uniform = rng.uniform(0.0, 0.5, size // 4)
    edges = [
        0.5,
        np.nextafter(0.5, 0),
        0.25,
        np.nextafter(0.25, 0),
        1 / 16,
        np.nextafter(1 / 16, 0),
        math.exp(-20.25),
        2.0**-1022,
        np.nextafter(2.0**-1022, 1),
        1e-300,
        1e-100,
        0.5 - 2.0**-30,
    ]
    around = [_neighbours(c, 20) for c in (1 / 16, math.exp(-20.25), 0.25)]
    p = np.concatenate([np.array(edges), log_uniform, uniform, *around])
    return p[(p >= 2.0**-1022) & (p <= 0.5)]


def _check_ndtri(size, seed, bound):
    p = _ndtri_sample(size, seed)
    z = _ndtri_of(p)
    with mpmath.workdps(30):
        exact = [naive.ndtri_mp(float(v)) for v in p]
    err = np.abs(
        [naive.ulp_error(a, e) if e != 0 else float(a != 0) for a, e in zip(z, exact, strict=True)]
    )
    worst = err.argmax()
    print(
        f"\nndtri_lower_f64 ({p.size} inputs): max {err[worst]:.3f} ulp at p = {p[worst]:.4g}, "
        f"mean {err.mean():.4f}, within 1 ulp {np.mean(err <= 1):.2%}"
    )
    assert err.max() <= bound
    assert err.mean() <= 0.35
    assert z[0] == 0 and np.signbit(z[0]) == 0
    assert np.all(z[1:] < 0)


def test_ndtri_lower_f64_vs_mpmath():
    _check_ndtri(3000, 7, 2.2)


@pytest.mark.slow
def test_ndtri_lower_f64_vs_mpmath_large():
    _check_ndtri(100_000, 8, 2.2)


def test_ndtri_lower_f64_monotone():
    """Non-decreasing at any scale the inputs resolve: sorted samples;
    between neighbouring floats -- finer than the output's ulps in the
    tails -- it may step back, by at most one ulp."""
    rng = np.random.default_rng(9)
    p = np.sort(np.exp(rng.uniform(math.log(2.0**-1022), math.log(0.5), 100_000)))
    assert np.all(np.diff(_ndtri_of(p)) >= 0)
    for centre in (0.5 - 2.0**-20, 0.25, 1 / 16, 1e-3, math.exp(-20.25), 1e-200, 2.0**-1021):
        p = _neighbours(centre, 50_000)
        z = _ndtri_of(p[p <= 0.5])
        back = np.diff(z) < 0
        assert np.all(-np.diff(z)[back] <= np.spacing(np.abs(z[1:][back])))


def test_ndtri_lower_f64_below_a_quarter():
    """Where ``p - 1/2`` is inexact (1/16 <= p < 1/4), its rounding error is
    recovered: without that, errors reach 2.1 ulp here (mean 0.52)."""
    p = np.random.default_rng(14).uniform(1 / 16, 1 / 4, 1500)
    z = _ndtri_of(p)
    with mpmath.workdps(30):
        err = np.abs(
            [naive.ulp_error(a, naive.ndtri_mp(float(v))) for a, v in zip(z, p, strict=True)]
        )
    assert err.max() <= 1.6
    assert err.mean() <= 0.4


def _golden_inputs():
    rng = np.random.default_rng(20261206)
    bits = np.concatenate(
        [
            rng.integers(0, 2**64, 4096, dtype=np.uint64),
            np.array([0, 2**63 - 1, 2**63, 2**64 - 1], np.uint64),
        ]
    )
    # p from its bits (no libm between): exponents -1022 .. -2, any mantissa
    exponent = rng.integers(1, 1022, 4096, dtype=np.uint64)
    mantissa = rng.integers(0, 2**52, 4096, dtype=np.uint64)
    p = ((exponent << np.uint64(52)) | mantissa).view(np.float64)
    return bits, np.concatenate([p, [0.5, 0.25, 1 / 16, 2.0**-1022]])


def test_golden_digests():
    bits, p = _golden_inputs()
    assert hashlib.sha256(_trunc2_f64_of_bits(bits).tobytes()).hexdigest() == GOLDEN["trunc2_f64"]
    assert hashlib.sha256(_ndtri_of(p).tobytes()).hexdigest() == GOLDEN["ndtri_lower_f64"]


# --------------------------------------------------------------------------
# code generation and JIT / pure-Python agreement


@pytest.mark.skipif(
    numba.config.DISABLE_JIT or platform.machine() not in ("x86_64", "AMD64"),
    reason="inspects x86-64 code",
)
def test_loops_vectorise_without_fma():
    """The transforms vectorise -- no branch is left in them: their division
    is a packed one -- and LLVM contracts no multiply-add, which would change
    bits between machines."""
    from glorot_numba._engine.codegen import prefer_wide_vectors

    @numba.njit
    def map32(words, out):
        prefer_wide_vectors()
        for i in range(words.size):
            out[i] = trunc2_f32(np.uint64(words[i]))

    @numba.njit
    def map64(bits, out):
        prefer_wide_vectors()
        for i in range(bits.size):
            out[i] = trunc2_f64(bits[i] >> np.uint64(32), bits[i] & np.uint64(0xFFFFFFFF))

    @numba.njit
    def map_nd(p, out):
        prefer_wide_vectors()
        for i in range(p.size):
            out[i] = ndtri_lower_f64(p[i])

    map32(np.zeros(64, np.uint32), np.zeros(64, np.float32))
    map64(np.zeros(64, np.uint64), np.zeros(64))
    map_nd(np.full(64, 0.1), np.zeros(64))
    for fn, packed in ((map32, "divps"), (map64, "divpd"), (map_nd, "divpd")):
        asm = next(iter(fn.inspect_asm().values()))
        assert packed in asm, fn.__name__
        for op in ("vfmadd", "vfnmadd", "vfmsub", "vfnmsub", "vrcp", "vrsqrt"):
            assert op not in asm, (fn.__name__, op)


_PURE_PYTHON_SCRIPT = """
import sys
import numpy as np
from glorot_numba._engine.quantiles import ndtri_lower_f64, trunc2_f32, trunc2_f64
d = np.load(sys.argv[1])
hi, lo = d["bits"] >> np.uint64(32), d["bits"] & np.uint64(0xFFFFFFFF)
out = {
    "t32": np.array([trunc2_f32(w) for w in d["words"]], np.float32),
    "t64": np.array([trunc2_f64(h, l) for h, l in zip(hi, lo)], np.float64),
    "nd": np.array([ndtri_lower_f64(p) for p in d["p"]], np.float64),
}
types = {type(trunc2_f32(d["words"][0])), type(trunc2_f64(hi[0], lo[0])),
         type(ndtri_lower_f64(d["p"][0]))}
assert types == {np.float32, np.float64}, types
np.savez(sys.argv[2], **out)
"""


@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="compares with the JIT")
def test_pure_python_matches_jit(tmp_path):
    """``NUMBA_DISABLE_JIT=1`` gives the same bits as the compiled code."""
    rng = np.random.default_rng(11)
    words = np.concatenate(
        [
            rng.integers(0, 2**32, 3000, dtype=np.uint64),
            np.array([0, 0xFF, 0x7FFFFFFF, 0x80000000, 2**32 - 1], np.uint64),
        ]
    )
    inputs = {"words": words, "bits": _trunc2_f64_sample(3000, 12), "p": _ndtri_sample(3000, 13)}
    np.savez(tmp_path / "in.npz", **inputs)
    subprocess.run(
        [
            sys.executable,
            "-c",
            _PURE_PYTHON_SCRIPT,
            str(tmp_path / "in.npz"),
            str(tmp_path / "out.npz"),
        ],
        env=python_env(NUMBA_DISABLE_JIT="1"),
        check=True,
        timeout=600,
    )
    py = np.load(tmp_path / "out.npz")
    jit = {
        "t32": _trunc2_f32_of_words(words),
        "t64": _trunc2_f64_of_bits(inputs["bits"]),
        "nd": _ndtri_of(inputs["p"]),
    }
    for key, a in jit.items():
        view = np.uint32 if a.dtype == np.float32 else np.uint64
        np.testing.assert_array_equal(a.view(view), py[key].view(view), err_msg=key)


def test_coefficient_signs():
    """Every rational's denominator has positive coefficients and its
    numerator one sign, up to a last term of the tails' numerators that
    stays below 1e-6 of the rest over the region (nothing cancels)."""
    q = _quantiles
    for name in ("T2_F32", "T2_F64", "ND_CENTRAL", "ND_TAIL", "ND_FAR"):
        num, den = getattr(q, name + "_P"), getattr(q, name + "_Q")
        assert all(c > 0 for c in den), name
        signs = {np.sign(c) for c in num[:-1]}
        assert len(signs) == 1, name
        if np.sign(num[-1]) not in signs:
            span = {"ND_TAIL": q.ND_R_SPLIT - q.ND_R_START, "ND_FAR": q.ND_R_END - q.ND_R_SPLIT}[
                name
            ]
            u = np.linspace(0, span, 1001)
            head = np.polyval(np.array(num[:-1][::-1], np.float64), u)
            assert np.all(np.abs(num[-1] * u ** (len(num) - 1)) <= 1e-6 * np.abs(head)), name


@pytest.mark.slow
def test_coefficients_are_reproduced_by_the_fitting_script():
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "fit_quantiles.py"), "--check"],
        check=True,
        timeout=1800,
    )


# --------------------------------------------------------------------------
# the decimal distribution functions


def _points():
    rng = np.random.default_rng(21)
    return [
        0.0,
        -0.0,
        1e-300,
        -1e-300,
        5e-324,
        0.5,
        -1.0,
        2.0,
        -2.0,
        5.999999,
        6.0,
        -6.0,
        8.2,
        8.3,
        -37.5,
        -38.0,
        -38.4,
        -38.5,
        -40.0,
        1e10,
        -1e300,
        *rng.uniform(-39, 9, 150),
        *rng.uniform(-7, 7, 100),
        *-np.exp(rng.uniform(-30, 3.6, 50)),
    ]


def test_normal_cdf_is_correctly_rounded():
    with mpmath.workdps(60):
        for x in _points():
            assert normal_cdf(x) == naive.correctly_rounded(naive.normal_cdf_mp(x)), x
            assert normal_sf(x) == normal_cdf(-x), x
    assert normal_cdf(-math.inf) == 0.0 and normal_cdf(math.inf) == 1.0
    assert normal_cdf(-38.0) > 0 and normal_cdf(-38.0) < 2.0**-1022  # subnormal
    with pytest.raises(ValueError, match="NaN"):
        normal_cdf(math.nan)


def test_normal_mass_is_correctly_rounded():
    rng = np.random.default_rng(22)
    pairs = [
        (-2.0, 2.0),
        (-math.inf, 0.5),
        (0.5, math.inf),
        (-math.inf, math.inf),
        (10.0, 10.0 + 2.0**-40),
        (-10.0 - 2.0**-40, -10.0),
        (-1e-300, 1e-300),
        (-5e-324, 0.0),
        (37.0, 38.0),
        (-38.4, -38.3),
        (3.0, 3.0),
        (0.0, 1e-20),
    ]
    for _ in range(150):
        a, b = sorted(rng.uniform(-40, 40, 2))
        pairs.append((a, b))
        pairs.append((a, a + abs(a) * 10.0 ** rng.uniform(-15, -1)))
    with mpmath.workdps(80):
        for a, b in pairs:
            assert normal_mass(a, b) == naive.correctly_rounded(naive.normal_mass_mp(a, b)), (a, b)
    with pytest.raises(ValueError, match="above"):
        normal_mass(1.0, 0.0)
    with pytest.raises(ValueError, match="NaN"):
        normal_mass(math.nan, 1.0)


def test_rayleigh_mass_is_correctly_rounded():
    rng = np.random.default_rng(23)
    pairs = [
        (0.0, 1.0),
        (1.0, 2.0),
        (40.0, 40.0 + 2.0**-40),
        (30.0, 31.0),
        (0.0, 1e-160),
        (1e300, 1.5e300),
        (5.0, 5.0),
        (0.0, 38.0),
    ]
    for _ in range(150):
        a = rng.uniform(0, 60)
        pairs.append((a, a + rng.uniform(0, 3)))
        pairs.append((a, a * (1 + 10.0 ** rng.uniform(-15, -2))))
    with mpmath.workdps(80):
        for a, b in pairs:
            d = (mpmath.mpf(b) ** 2 - mpmath.mpf(a) ** 2) / 2
            assert rayleigh_mass(a, b) == naive.correctly_rounded(-mpmath.expm1(-d)), (a, b)
    assert rayleigh_mass(3.0, math.inf) == 1.0
    for a, b in ((-1.0, 2.0), (2.0, 1.0), (math.inf, math.inf), (math.nan, 1.0)):
        with pytest.raises(ValueError):
            rayleigh_mass(a, b)
