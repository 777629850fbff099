"""Accuracy and reproducibility of the libm-free elementary functions.

The float32 kernels are checked exhaustively over the domain the library
uses, against NumPy float64; the float64 kernels on a fixed sample plus edge
cases against 200-bit mpmath.  Run with ``pytest -s`` to see the measured
maximum errors.
"""

import subprocess
import sys

import mpmath
import numba
import numpy as np
import pytest
from numba import types

from glorot_numba._engine import elementary as el
from glorot_numba._engine import ieee as _ieee
from glorot_numba._engine.elementary import (
    log_f32,
    log_f64,
    sincos_turn_f32,
    sincos_turn_f64,
)

from .conftest import python_env

MAX_ULP = 2.0
N32 = 2**24
N64 = 2**53
CHUNK = 2**22

needs_jit = pytest.mark.skipif(
    numba.config.DISABLE_JIT,
    reason="exhaustive sweeps are too slow without the JIT",
)


# --------------------------------------------------------------------------
# constants


def _assert_nearest(c, exact):
    """``c`` (np.float32 / np.float64) is the value of ``exact`` rounded to
    nearest in its own precision: no neighbour is closer."""
    dt = type(c)
    up = np.nextafter(c, dt(np.inf))
    down = np.nextafter(c, dt(-np.inf))
    d = abs(mpmath.mpf(float(c)) - exact)
    assert d <= abs(mpmath.mpf(float(up)) - exact), (c, exact)
    assert d <= abs(mpmath.mpf(float(down)) - exact), (c, exact)


@pytest.mark.parametrize("dt,bits", [(np.float32, 24), (np.float64, 53)])
def test_constants_are_correctly_rounded(dt, bits):
    pre = "_F32_" if dt is np.float32 else "_F64_"
    c = {
        name: getattr(el, pre + name)
        for name in ("LN2_HI", "LN2_LO", "PI4_HI", "PI4_LO", "ATANH", "SIN", "COS")
    }
    with mpmath.workprec(200):
        ln2, pi4 = mpmath.log(2), mpmath.pi / 4
        # LN2_HI: ln 2 rounded to (bits - 7) significant bits, so that
        # e * LN2_HI is exact for |e| <= 64.
        scale = mpmath.mpf(2) ** (bits - 7)
        hi = mpmath.mpf(float(c["LN2_HI"]))
        assert hi == mpmath.nint(ln2 * scale) / scale
        for e in range(-64, 65):
            assert mpmath.mpf(float(dt(e) * c["LN2_HI"])) == e * hi
        _assert_nearest(c["LN2_LO"], ln2 - hi)
        assert c["PI4_HI"] == 0.75
        _assert_nearest(c["PI4_LO"], pi4 - mpmath.mpf(0.75))
        for j, a in enumerate(c["ATANH"], start=1):
            _assert_nearest(a, mpmath.mpf(2) / (2 * j + 1))
        for j, a in enumerate(c["SIN"], start=1):
            _assert_nearest(a, (-1) ** j * pi4 ** (2 * j + 1) / mpmath.factorial(2 * j + 1))
        for j, a in enumerate(c["COS"], start=1):
            exact = (-1) ** j * pi4 ** (2 * j) / mpmath.factorial(2 * j)
            _assert_nearest(a, exact + (mpmath.mpf(1) / 4 if j == 1 else 0))
        for v in (*c["ATANH"], *c["SIN"], *c["COS"], c["LN2_LO"], c["PI4_LO"]):
            assert type(v) is dt


def test_sqrt_half_thresholds():
    with mpmath.workprec(200):
        h = mpmath.sqrt(mpmath.mpf(0.5))
        _assert_nearest(np.uint32(_ieee._SQRT_HALF_BITS).view(np.float32), h)
        _assert_nearest(np.uint64(el._F64_SQRTH).view(np.float64), h)
    assert _ieee._CENTRE_SHIFT == np.float32(1).view(np.uint32) - _ieee._SQRT_HALF_BITS
    assert el._F64_OFFSET == np.float64(1).view(np.uint64) - el._F64_SQRTH


# --------------------------------------------------------------------------
# float32: exhaustive against NumPy float64


@numba.njit
def _fill_log_f32(start, out):
    for i in range(out.size):
        out[i] = log_f32(np.float32(start + i) * np.float32(2.0**-24))


@numba.njit
def _fill_sincos_f32(start, s, c):
    for i in range(s.size):
        s[i], c[i] = sincos_turn_f32(np.uint64(start + i))


def _quadrant_reference(k, bits):
    """sin, cos of 2*pi*k/2**bits in float64 via the same exact reduction."""
    m = (k + 2 ** (bits - 3)) >> (bits - 2)
    q = m & 3
    theta = (np.pi / 4) * ((k - (m << (bits - 2))) * 2.0 ** -(bits - 3))
    s, c = np.sin(theta), np.cos(theta)
    quads = [q == 0, q == 1, q == 2, q == 3]
    return np.select(quads, [s, c, -s, -c]), np.select(quads, [c, -s, -c, s])


def _max_ulp_f32(approx, ref):
    exact_zero = ref == 0
    assert np.all(approx[exact_zero] == 0)
    ulp = np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
    err = np.abs(approx.astype(np.float64) - ref) / ulp
    return float(np.max(np.where(exact_zero, 0.0, err)))


@needs_jit
def test_log_f32_exhaustive():
    worst = 0.0
    out = np.empty(CHUNK, np.float32)
    for start in range(1, N32 + 1, CHUNK):
        _fill_log_f32(start, out)
        x = np.arange(start, start + CHUNK, dtype=np.float64) * 2.0**-24
        worst = max(worst, _max_ulp_f32(out, np.log(x)))
    print(f"\nlog_f32 max error {worst:.4f} ulp (all 2**24 arguments)")
    assert worst <= MAX_ULP


@needs_jit
def test_sincos_f32_exhaustive():
    worst_s = worst_c = 0.0
    s = np.empty(CHUNK, np.float32)
    c = np.empty(CHUNK, np.float32)
    for start in range(0, N32, CHUNK):
        _fill_sincos_f32(start, s, c)
        ref_s, ref_c = _quadrant_reference(np.arange(start, start + CHUNK, dtype=np.int64), 24)
        worst_s = max(worst_s, _max_ulp_f32(s, ref_s))
        worst_c = max(worst_c, _max_ulp_f32(c, ref_c))
    print(
        f"\nsincos_turn_f32 max error sin {worst_s:.4f} ulp, "
        f"cos {worst_c:.4f} ulp (all 2**24 arguments)"
    )
    assert worst_s <= MAX_ULP
    assert worst_c <= MAX_ULP


# --------------------------------------------------------------------------
# float64: sampled against mpmath


@numba.njit
def _eval_log_f64(n):
    out = np.empty(n.size, np.float64)
    for i in range(n.size):
        out[i] = log_f64(np.float64(n[i]) * 2.0**-53)
    return out


@numba.njit
def _eval_sincos_f64(k):
    s = np.empty(k.size, np.float64)
    c = np.empty(k.size, np.float64)
    for i in range(k.size):
        s[i], c[i] = sincos_turn_f64(k[i])
    return s, c


def _sample_n(rng, size):
    # Log-uniform over [1, 2**53], so that every binade (exponent) appears.
    e = rng.integers(0, 53, size=size)
    n = rng.integers(
        np.uint64(1) << e.astype(np.uint64), np.uint64(2) << e.astype(np.uint64), dtype=np.uint64
    )
    edges = [1, 2, 3, 2**52 - 1, 2**52, 2**52 + 1, 2**53 - 1, 2**53]
    return np.concatenate([np.array(edges, np.uint64), n])


def _sample_k(rng, size):
    # Uniform turns plus log-uniform small angles (relative accuracy near 0).
    uniform = rng.integers(0, N64, size=size, dtype=np.uint64)
    e = rng.integers(0, 53, size=size // 3).astype(np.uint64)
    small = rng.integers(np.uint64(1) << e, np.uint64(2) << e, dtype=np.uint64)
    edges = [
        0,
        1,
        2,
        2**50 - 1,
        2**50,
        2**50 + 1,
        2**51 - 1,
        2**51,
        2**51 + 1,
        2**52 - 1,
        2**52,
        2**52 + 1,
        3 * 2**51 - 1,
        3 * 2**51,
        3 * 2**51 + 1,
        2**53 - 2**50,
        2**53 - 1,
    ]
    return np.concatenate([np.array(edges, np.uint64), small, uniform])


def _ulp_err_f64(approx, exact):
    if exact == 0:
        assert approx == 0
        return 0.0
    ulp = np.spacing(abs(float(exact)))
    return float(abs(mpmath.mpf(float(approx)) - exact) / ulp)


def test_log_f64_vs_mpmath():
    n = _sample_n(np.random.default_rng(20240611), 3000)
    approx = _eval_log_f64(n)
    with mpmath.workprec(200):
        worst = max(
            _ulp_err_f64(a, mpmath.log(mpmath.mpf(int(m)) / 2**53))
            for a, m in zip(approx, n, strict=True)
        )
    print(f"\nlog_f64 max error {worst:.4f} ulp ({n.size} arguments)")
    assert worst <= MAX_ULP


def test_sincos_f64_vs_mpmath():
    k = _sample_k(np.random.default_rng(20240612), 3000)
    s, c = _eval_sincos_f64(k)
    with mpmath.workprec(200):
        # sinpi/cospi take the exact rational k / 2**52 (turns times 2).
        turns = [mpmath.mpf(int(j)) / 2**52 for j in k]
        worst_s = max(_ulp_err_f64(a, mpmath.sinpi(t)) for a, t in zip(s, turns, strict=True))
        worst_c = max(_ulp_err_f64(a, mpmath.cospi(t)) for a, t in zip(c, turns, strict=True))
    print(
        f"\nsincos_turn_f64 max error sin {worst_s:.4f} ulp, "
        f"cos {worst_c:.4f} ulp ({k.size} arguments)"
    )
    assert worst_s <= MAX_ULP
    assert worst_c <= MAX_ULP


# --------------------------------------------------------------------------
# exact values, types, and JIT / pure-Python agreement


def _bits(v, dt):
    return np.array(v, dt).view(np.uint32 if dt is np.float32 else np.uint64)


def test_exact_values():
    assert _bits(log_f32(np.float32(1)), np.float32) == 0
    assert _bits(log_f64(np.float64(1)), np.float64) == 0
    for f, dt, quarter in (
        (sincos_turn_f32, np.float32, 2**22),
        (sincos_turn_f64, np.float64, 2**51),
    ):
        s, c = f(np.uint64(0))
        assert _bits(s, dt) == 0 and c == 1  # +0 exactly
        s, c = f(np.uint64(quarter))
        assert s == 1 and c == 0
        s, c = f(np.uint64(2 * quarter))
        assert s == 0 and c == -1
        s, c = f(np.uint64(3 * quarter))
        assert s == -1 and c == 0


def test_return_types():
    f32, f64 = types.float32, types.float64
    if numba.config.DISABLE_JIT:
        assert type(log_f32(np.float32(0.5))) is np.float32
        assert type(log_f64(np.float64(0.5))) is np.float64
        assert {type(v) for v in sincos_turn_f32(np.uint64(3))} == {np.float32}
        assert {type(v) for v in sincos_turn_f64(np.uint64(3))} == {np.float64}
        return
    log_f64(np.float64(0.5))
    sincos_turn_f32(np.uint64(3))
    sincos_turn_f64(np.uint64(3))
    assert log_f32.nopython_signatures[0].return_type == f32
    assert log_f64.nopython_signatures[0].return_type == f64
    pair32, pair64 = types.UniTuple(f32, 2), types.UniTuple(f64, 2)
    assert sincos_turn_f32.nopython_signatures[0].return_type == pair32
    assert sincos_turn_f64.nopython_signatures[0].return_type == pair64


_PURE_PYTHON_SCRIPT = """
import sys
import numpy as np
from glorot_numba._engine.elementary import (
    log_f32, log_f64, sincos_turn_f32, sincos_turn_f64)
d = np.load(sys.argv[1])
out = {
    "log32": np.array([log_f32(v) for v in d["x32"]], np.float32),
    "log64": np.array([log_f64(v) for v in d["x64"]], np.float64),
    "sc32": np.array([sincos_turn_f32(v) for v in d["k32"]], np.float32),
    "sc64": np.array([sincos_turn_f64(v) for v in d["k64"]], np.float64),
}
t32 = {type(log_f32(d["x32"][0])), *map(type, sincos_turn_f32(d["k32"][0]))}
t64 = {type(log_f64(d["x64"][0])), *map(type, sincos_turn_f64(d["k64"][0]))}
assert t32 == {np.float32} and t64 == {np.float64}, (t32, t64)
np.savez(sys.argv[2], **out)
"""


@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="compares with the JIT")
def test_pure_python_matches_jit(tmp_path):
    """``NUMBA_DISABLE_JIT=1`` gives the same bits as the compiled kernels.

    Compiled, the bitcasts are LLVM intrinsics that plain Python cannot call,
    so the pure-Python forms run in a subprocess with the JIT disabled."""
    rng = np.random.default_rng(7)
    size = 2000
    inputs = {
        "x32": (rng.integers(1, N32 + 1, size) * 2.0**-24).astype(np.float32),
        "x64": _sample_n(rng, size).astype(np.float64) * 2.0**-53,
        # Random angles and every quadrant's edges (the integer reduction
        # rounds k / 2**22 half up: k = 2**21 is the first of quadrant 1).
        "k32": np.concatenate(
            [
                rng.integers(0, N32, size, dtype=np.uint64),
                np.array(
                    [
                        q * 2**21 + d
                        for q in range(9)
                        for d in (-1, 0, 1)
                        if 0 <= q * 2**21 + d < N32
                    ],
                    np.uint64,
                ),
            ]
        ),
        "k64": _sample_k(rng, size),
    }
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
        timeout=300,
    )
    py = np.load(tmp_path / "out.npz")

    x32, x64, k32, k64 = (inputs[n] for n in ("x32", "x64", "k32", "k64"))
    jit = {
        "log32": np.array([log_f32(v) for v in x32], np.float32),
        "log64": np.array([log_f64(v) for v in x64], np.float64),
        "sc32": np.array([sincos_turn_f32(v) for v in k32], np.float32),
        "sc64": np.array([sincos_turn_f64(v) for v in k64], np.float64),
    }
    for key, a in jit.items():
        view = np.uint32 if a.dtype == np.float32 else np.uint64
        np.testing.assert_array_equal(a.view(view), py[key].view(view), err_msg=key)
