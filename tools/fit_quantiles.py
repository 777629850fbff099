"""Fit the rational approximations of glorot_numba/_engine/quantiles.py and write them there.

Usage::

    python tools/fit_quantiles.py           # refit, rewrite the generated block
    python tools/fit_quantiles.py --check   # refit, fail if the block differs

Needs mpmath (a test dependency, not a run-time one).  Every fit is pure
mpmath arithmetic at a fixed precision, so the hex literals come out the
same on every machine; the run takes about a minute.

Every approximation has the *chord form* (see the module docstring of
``_engine/quantiles.py``): a function ``S`` on ``[a, b]`` is written as

    S(x) = A + B*v - v*w*K,    v = x - a,  w = b - x,

with ``A = S(a)`` and ``B = (S(b) - S(a)) / (b - a)`` (the chord through
the end points) and ``K = P/Q`` a rational function of ``w`` or of ``v``
(whichever gives coefficients of one sign), ``Q`` monic.  The rational only
carries the curvature; its rounding errors are damped by ``v*w*K / S``, and
vanish at both ends.

``K`` is fitted by Lawson's iteration on a linearised weighted least-squares
problem (Sanathanan-Koerner: the denominator of the previous step divides
the residual), which converges to a near-minimax fit of the error of ``S``
*relative to S* -- the quantity that becomes ulps of the result.
"""

import argparse
import re
import sys
from pathlib import Path

import mpmath as mp

MODULE = Path(__file__).resolve().parents[1] / "glorot_numba" / "_engine" / "quantiles.py"
BEGIN = "# --- begin of the block written by tools/fit_quantiles.py ---"
END = "# --- end of the block written by tools/fit_quantiles.py ---"
DPS = 40


# --------------------------------------------------------------------------
# the functions


def erf_sqrt2():
    return mp.erf(mp.sqrt(2))


def trunc2_ratio(s):
    """z/x for z = sqrt(2) erfinv(erf(sqrt 2) x), as a function of s = x**2."""
    e = erf_sqrt2()
    if s == 0:
        return e * mp.sqrt(mp.pi / 2)
    x = mp.sqrt(s)
    return mp.sqrt(2) * mp.erfinv(e * x) / x


def ndtri(p):
    """Phi^-1(p) for 0 < p <= 1/2 (p exact: an mpf or a float)."""
    p = mp.mpf(p)
    if p > mp.mpf(10) ** -10:
        # 1 - 2p loses at most 10 digits here.
        with mp.extradps(20):
            return -mp.sqrt(2) * mp.erfinv(1 - 2 * p)
    # Newton's method on log Phi(z) = log p, from the asymptotic root.
    tolerance = mp.mpf(10) ** -(mp.mp.dps + 3)
    with mp.extradps(10):
        t = -mp.log(p)
        z = -mp.sqrt(2 * t - mp.log(4 * mp.pi * t))
        for _ in range(100):
            cdf = mp.ncdf(z)
            step = (mp.log(cdf) + t) * cdf / mp.npdf(z)
            z -= step
            if abs(step) < tolerance * abs(z):
                break
    return +z


def central_ratio(v):
    """Phi^-1(1/2 - sqrt(v)) / -sqrt(v): z/q as a function of v = q**2."""
    if v == 0:
        return mp.sqrt(2 * mp.pi)
    q = -mp.sqrt(v)
    return ndtri(mp.mpf(0.5) + q) / q


def tail_square_ratio(r):
    """(z/r)**2, z = Phi^-1(exp(-r**2)): as a function of r = sqrt(-log p)."""
    return (ndtri(mp.exp(-r * r)) / r) ** 2


# --------------------------------------------------------------------------
# the fit


def _chebyshev(t, degree):
    out = [mp.mpf(1), t]
    while len(out) <= degree:
        out.append(2 * t * out[-1] - out[-2])
    return out[: degree + 1]


def _rational_fit(f, weight, a, b, p, q, iterations):
    """Near-minimax P/Q (degrees p, q) of f on [a, b]: minimises the max of
    |weight(x) * (P/Q - f)| over Chebyshev points (interior: f may be 0/0 at
    the ends).  P and Q come in the Chebyshev basis of [a, b]."""
    n = 12 * (p + q + 1) + 40
    ts = [mp.cos(mp.pi * (2 * k + 1) / (2 * n)) for k in range(n)]
    xs = [(a + b) / 2 + (b - a) / 2 * t for t in ts]
    fs = [f(x) for x in xs]
    ws = [weight(x, fx) for x, fx in zip(xs, fs)]
    basis = [_chebyshev(t, max(p, q)) for t in ts]
    lam = [mp.mpf(1) / n] * n
    q_prev = [mp.mpf(1)] * n
    best = None
    for _ in range(iterations):
        rows, rhs = [], []
        for k in range(n):
            c = mp.sqrt(lam[k]) * ws[k] / q_prev[k]
            if c == 0:  # mpmath's QR does not take rows of zeros
                continue
            rows.append(
                [basis[k][i] * c for i in range(p + 1)]
                + [-fs[k] * basis[k][j] * c for j in range(1, q + 1)]
            )
            rhs.append(fs[k] * c)
        sol = mp.qr_solve(mp.matrix(rows), mp.matrix(rhs))[0]
        num = [sol[i] for i in range(p + 1)]
        den = [mp.mpf(1)] + [sol[p + 1 + j] for j in range(q)]
        errors = []
        for k in range(n):
            pk = mp.fsum(num[i] * basis[k][i] for i in range(p + 1))
            q_prev[k] = mp.fsum(den[j] * basis[k][j] for j in range(q + 1))
            errors.append(abs(ws[k] * (pk / q_prev[k] - fs[k])))
        worst = max(errors)
        if best is None or worst < best[0]:
            best = (worst, num, den)
        total = mp.fsum(lam[k] * errors[k] for k in range(n))
        lam = [lam[k] * errors[k] / total for k in range(n)]
    return best


def _monomials(cheb, a, b, origin, sign):
    """Chebyshev coefficients on [a, b] -> monomial ones in u = sign*(x - origin)."""
    m = len(cheb) - 1
    powers = [[mp.mpf(1)], [mp.mpf(0), mp.mpf(1)]]
    while len(powers) <= m:
        nxt = [mp.mpf(0)] + [2 * c for c in powers[-1]]
        for i, c in enumerate(powers[-2]):
            nxt[i] -= c
        powers.append(nxt)
    in_t = [mp.mpf(0)] * (m + 1)
    for k in range(m + 1):
        for i, c in enumerate(powers[k]):
            in_t[i] += cheb[k] * c
    # t = alpha*x + beta and x = origin + sign*u, so t = alpha*sign*u + (alpha*origin + beta)
    alpha, beta = 2 / (b - a), -(a + b) / (b - a)
    c1, c0 = alpha * sign, alpha * origin + beta
    out = [mp.mpf(0)] * (m + 1)
    for i in range(m + 1):
        for j in range(i + 1):
            out[j] += in_t[i] * mp.binomial(i, j) * c1**j * c0 ** (i - j)
    return out


def fit_chord(S, a, b, p, q, variable, iterations=40):
    """The chord form of S on [a, b] (see the module docstring), K = P/Q of
    degrees (p, q) in ``variable`` ('w' = b - x or 'v' = x - a), Q monic.
    Returns a dict with A, B, P, Q (lowest power first, Q without its
    leading 1) and the fit's max error relative to S."""
    a, b = mp.mpf(a), mp.mpf(b)
    sa, sb = S(a), S(b)
    slope = (sb - sa) / (b - a)

    def k_of(x):
        return (sa + (x - a) * slope - S(x)) / ((x - a) * (b - x))

    def weight(x, k):
        vw = (x - a) * (b - x)
        return vw / (sa + (x - a) * slope - vw * k)

    err, num, den = _rational_fit(k_of, weight, a, b, p, q, iterations)
    origin, sign = (b, -1) if variable == "w" else (a, 1)
    P = _monomials(num, a, b, origin, sign)
    Q = _monomials(den, a, b, origin, sign)
    lead = Q[-1]
    return {
        "A": sa,
        "B": slope,
        "P": [c / lead for c in P],
        "Q": [c / lead for c in Q[:-1]],
        "fit_error": err,
    }


# --------------------------------------------------------------------------
# the regions (the design: see _engine/quantiles.py)

# ndtri_lower_f64: central region p >= 1/16, v = (p - 1/2)**2 <= (7/16)**2;
# tails r = sqrt(-log p) from sqrt(log 16) to the smallest normal float64,
# split at R_SPLIT.
P_CENTRAL = mp.mpf(1) / 16
V_END = (mp.mpf(1) / 2 - P_CENTRAL) ** 2
R_SPLIT = mp.mpf("4.5")
R_END = mp.mpf("26.625")  # > sqrt(-log(2**-1022)) = 26.6157...


def float_of(x):
    return float(mp.mpf(x))


def f32_of(x):
    """x rounded to float32 (nearest even), as a Python float."""
    import struct

    return struct.unpack("<f", struct.pack("<f", float(x)))[0]


def _split(x, rnd):
    hi = rnd(x)
    return hi, rnd(x - mp.mpf(hi))


def fits():
    """[(name, float rounding, chord dict, region notes)]"""
    out = []
    s_lo, s_hi = mp.mpf(0), mp.mpf(1)
    out.append(("T2_F32", f32_of, fit_chord(trunc2_ratio, s_lo, s_hi, 4, 4, "w"), "x**2 in [0, 1]"))
    out.append(
        ("T2_F64", float_of, fit_chord(trunc2_ratio, s_lo, s_hi, 9, 9, "w"), "x**2 in [0, 1]")
    )
    r_start = mp.mpf(float_of(mp.sqrt(mp.log(16))))
    out.append(
        (
            "ND_CENTRAL",
            float_of,
            fit_chord(central_ratio, 0, V_END, 7, 7, "w"),
            "(p - 1/2)**2 in [0, (7/16)**2]",
        )
    )
    out.append(
        (
            "ND_TAIL",
            float_of,
            fit_chord(tail_square_ratio, r_start, R_SPLIT, 7, 7, "v"),
            f"r in [sqrt(log 16), {R_SPLIT}]",
        )
    )
    out.append(
        (
            "ND_FAR",
            float_of,
            fit_chord(tail_square_ratio, R_SPLIT, R_END, 7, 7, "v"),
            f"r in [{R_SPLIT}, {R_END}]",
        )
    )
    return out, r_start


def _hex(x, rnd):
    return float(rnd(x)).hex()


def render():
    mp.mp.dps = DPS
    results, r_start = fits()
    lines = [BEGIN, "# fmt: off"]
    for name, rnd, d, note in results:
        kind = "_f32" if rnd is f32_of else "_f64"
        lines.append(f"# {name}: {note}; fit error relative to S {mp.nstr(d['fit_error'], 3)}")
        hi, lo = _split(d["A"], rnd)
        lines.append(f"{name}_A = {kind}({float(hi).hex()!r}, {float(lo).hex()!r})")
        scalar = "np.float32" if rnd is f32_of else "np.float64"
        lines.append(f"{name}_B = {scalar}(float.fromhex({_hex(d['B'], rnd)!r}))")
        for key in ("P", "Q"):
            items = [repr(_hex(c, rnd)) for c in d[key]]
            body = ",\n    ".join(", ".join(items[i : i + 3]) for i in range(0, len(items), 3))
            lines.append(f"{name}_{key} = {kind}(\n    {body},\n)")
    for name, value in (
        ("ND_V_END", V_END),
        ("ND_R_START", r_start),
        ("ND_R_SPLIT", R_SPLIT),
        ("ND_R_END", R_END),
    ):
        lines.append(f"{name} = np.float64(float.fromhex({float_of(value).hex()!r}))")
    lines.append("# fmt: on")
    lines.append(END)
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the module's block differs"
    )
    args = parser.parse_args(argv)
    block = render()
    text = MODULE.read_text()
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        sys.exit(f"{MODULE}: no generated block between the markers")
    new = pattern.sub(lambda _: block, text)
    if args.check:
        if new != text:
            sys.exit("the generated block of _engine/quantiles.py is out of date")
        print("up to date")
        return
    MODULE.write_text(new)
    print(block)


if __name__ == "__main__":
    main()
