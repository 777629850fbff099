"""Normals truncated to any interval, drawn by the exact inverse distribution function.

Resampling Box-Muller normals (the real kernels' ``TRUNCATED`` kind) serves
intervals that hold most of the normal's mass.  Every other interval --
narrow, one-sided, far in a tail -- is drawn here, from a stream of its own
and with float64 arithmetic for every output dtype:

* ``INTERVAL``: ``z = Phi^-1(Phi(zl) + u (Phi(zh) - Phi(zl)))`` for a uniform
  ``u``, evaluated on the side of the median where the probabilities keep
  their relative precision: with ``pa = Phi(zl)``, ``qb = 1 - Phi(zh)`` and
  ``mass = Phi(zh) - Phi(zl)``, ``z = ndtri(pa + u mass)`` below the median
  and ``z = -ndtri(qb + (1 - u) mass)`` above it.  No rejection.
* ``TAIL``: intervals so far out that ``mass`` is not a normal float64
  (beyond about 37 standard deviations), mirrored to ``[alpha, beta]``,
  ``alpha > 0``: ``z = sqrt(alpha**2 - 2 log(1 - u E))``, ``E = 1 -
  exp(-(beta**2 - alpha**2) / 2)``, is the inverse distribution function
  of the density ``z exp(-z**2 / 2)`` on the interval; kept iff ``v z <=
  alpha`` for a second uniform ``v``, it is the truncated normal exactly
  (Marsaglia's tail method, bounded above).

Stream (path 4 and 5).  A uniform is ``(2k + 1) 2**-54`` from the top 53 bits
``k`` of a 64-bit word (so ``1 - u`` is exact).  ``INTERVAL`` element ``e`` at
attempt ``t`` takes words 0-1 (``e`` even) or 2-3 (``e`` odd) of block ``e //
2`` at counter ``(block, t, 4)``; ``TAIL`` element ``e`` takes ``u`` from
words 0-1 and ``v`` from words 2-3 of block ``e`` at counter ``(e, t, 5)``.

A candidate is written as ``z * mult + shift`` and kept iff ``zl <= z <=
zh``: the front end chose that window so that exactly the kept values lie in
the distribution's bounds once written (the front end's
``glorot_numba._params``).  A rejected candidate (a rounding at the window's edge,
or ``TAIL``'s test) is redrawn from the element's next attempt; after
``MAX_ATTEMPTS`` -- which needs a window narrower than the stream's
resolution -- the last candidate is moved into the window.
"""

import numpy as np
from numba import njit, prange

from .cache import enable_caching
from .codegen import prefer_wide_vectors
from .elementary import log_f64
from .kernels import CHUNK, compile_kernels, shifted
from .kinds import INTERVAL
from .philox import philox_block
from .quantiles import ndtri_lower_f64
from .stream import PATH_INTERVAL, PATH_TAIL

__all__ = ["MAX_ATTEMPTS", "SMALLEST_MASS", "KERNELS", "CACHED", "params", "compile_all"]


MAX_ATTEMPTS = 64


# The least probability of a window that the INTERVAL kind draws: its
# probabilities are then normal float64 numbers for every uniform (mass *
# 2**-54 >= 2**-1000).  Windows of less are drawn by TAIL.
SMALLEST_MASS = 2.0**-946

_MASK32 = np.uint64(0xFFFFFFFF)
_U11 = np.uint64(11)
_U32 = np.uint64(32)
_ONE_U = np.uint64(1)
_TWO_U = np.uint64(2)
_F64_2M54 = np.float64(2.0**-54)
_ONE = np.float64(1.0)
_HALF_U = np.float64(0.5)
_MINUS2 = np.float64(-2.0)
_ZERO = np.float64(0.0)


@njit(inline="always")
def _uniform(hi, lo):
    """``(2k + 1) 2**-54`` in (0, 1), ``k`` the top 53 bits of ``hi:lo``."""
    k = ((hi << _U32) | lo) >> _U11
    return np.float64(_TWO_U * k + _ONE_U) * _F64_2M54


@njit(inline="always")
def _block(k0, k1, block, attempt, path):
    block = np.uint64(block)
    return philox_block(block & _MASK32, block >> _U32, np.uint64(attempt), path, k0, k1)


@njit(inline="always")
def _inverse(u, consts):
    """The INTERVAL kind's ``z`` for uniform ``u``."""
    pa, qb, mass, u0 = consts
    lower = u <= u0
    p = pa + u * mass if lower else qb + (_ONE - u) * mass
    z = ndtri_lower_f64(p)
    return z if lower else -z


@njit(inline="always")
def _tail(u, v, consts):
    """The TAIL kind's candidate for uniforms ``u``, ``v``; NaN if rejected."""
    alpha, alpha2, e, sign = consts
    r = np.sqrt(alpha2 + _MINUS2 * log_f64(_ONE - u * e))
    return sign * r if v * r <= alpha else np.nan


@njit(inline="always")
def _candidate(k0, k1, e, attempt, kind, consts):
    """Candidate ``attempt`` of element ``e`` (NaN for a rejected TAIL one)."""
    if kind == INTERVAL:
        w0, w1, w2, w3 = _block(k0, k1, e >> 1, attempt, PATH_INTERVAL)
        u = _uniform(w2, w3) if e & 1 else _uniform(w0, w1)
        return _inverse(u, consts)
    w0, w1, w2, w3 = _block(k0, k1, e, attempt, PATH_TAIL)
    return _tail(_uniform(w0, w1), _uniform(w2, w3), consts)


@njit(inline="always")
def _first_candidates(k0, k1, e, cnt, kind, consts, u, z):
    """Attempt-0 candidates of elements ``e .. e + cnt - 1`` into ``z[:cnt]``
    (``u``, of ``cnt + 2`` entries, holds the uniforms)."""
    if kind == INTERVAL:
        # Two elements per Philox block: whole blocks into u, which starts
        # one position early when the run starts at an odd element.
        off = e & 1
        b0 = e >> 1
        for b in range(((e + cnt + 1) >> 1) - b0):
            w0, w1, w2, w3 = _block(k0, k1, b0 + b, 0, PATH_INTERVAL)
            u[2 * b] = _uniform(w0, w1)
            u[2 * b + 1] = _uniform(w2, w3)
        for j in range(cnt):
            z[j] = _inverse(u[j + off], consts)
    else:
        for j in range(cnt):
            w0, w1, w2, w3 = _block(k0, k1, e + j, 0, PATH_TAIL)
            z[j] = _tail(_uniform(w0, w1), _uniform(w2, w3), consts)


@njit(inline="always")
def _accepted(z, zl, zh):
    return z >= zl and z <= zh  # False for NaN


@njit(inline="always")
def _item(out, starts, run_len, k0, k1, kind, params, p0, size, u, z, todo_pos, todo_elem):
    """Fill positions ``[p0, p0 + size)`` of ``out``."""
    mult, shift, zl, zh, c0, c1, c2, c3 = params
    consts = (c0, c1, c2, c3)
    m = 0
    p = p0
    while p < p0 + size:
        r = p // run_len
        e = starts[r] + (p - r * run_len)
        cnt = min(run_len - (p - r * run_len), p0 + size - p)
        _first_candidates(k0, k1, e, cnt, kind, consts, u, z)
        for j in range(cnt):
            out[p + j] = shifted(z[j] * mult, shift)
        for j in range(cnt):
            if not _accepted(z[j], zl, zh):
                todo_pos[m] = p + j
                todo_elem[m] = e + j
                m += 1
        p += cnt
    # Rejections are rare (edges of the window, and TAIL's test, which keeps
    # at least 99.9 % of its candidates): each is redrawn on its own.
    for j in range(m):
        e = todo_elem[j]
        attempt = 1
        c = _candidate(k0, k1, e, attempt, kind, consts)
        while not _accepted(c, zl, zh) and attempt < MAX_ATTEMPTS:
            attempt += 1
            c = _candidate(k0, k1, e, attempt, kind, consts)
        if not _accepted(c, zl, zh):
            c = zh if not c < zh else zl  # NaN (a rejected TAIL candidate) too
        out[todo_pos[j]] = shifted(c * mult, shift)


@njit
def _fill(out, starts, run_len, k0, k1, kind, params, worker, workers):
    prefer_wide_vectors()
    n = out.shape[0]
    first = worker * n // workers
    end = (worker + 1) * n // workers
    length = min(CHUNK, max(end - first, 1))
    u = np.empty(length + 2, np.float64)
    z = np.empty(length, np.float64)
    todo_pos = np.empty(length, np.int64)
    todo_elem = np.empty(length, np.int64)
    for p0 in range(first, end, CHUNK):
        _item(
            out,
            starts,
            run_len,
            k0,
            k1,
            kind,
            params,
            p0,
            min(end, p0 + CHUNK) - p0,
            u,
            z,
            todo_pos,
            todo_elem,
        )


@njit(parallel=True)
def interval_fill_f32(out, starts, run_len, k0, k1, kind, params, workers):
    for w in prange(workers):
        _fill(out, starts, run_len, k0, k1, kind, params, w, workers)


@njit
def interval_fill_f32_serial(out, starts, run_len, k0, k1, kind, params, workers):
    _fill(out, starts, run_len, k0, k1, kind, params, 0, 1)


@njit(parallel=True)
def interval_fill_f64(out, starts, run_len, k0, k1, kind, params, workers):
    for w in prange(workers):
        _fill(out, starts, run_len, k0, k1, kind, params, w, workers)


@njit
def interval_fill_f64_serial(out, starts, run_len, k0, k1, kind, params, workers):
    _fill(out, starts, run_len, k0, k1, kind, params, 0, 1)


# path -> (parallel kernel, serial twin); float32 outputs are computed in
# float64 and rounded once.
KERNELS = {
    "f32": (interval_fill_f32, interval_fill_f32_serial),
    "f64": (interval_fill_f64, interval_fill_f64_serial),
}

CACHED = enable_caching(
    [interval_fill_f32, interval_fill_f32_serial, interval_fill_f64, interval_fill_f64_serial]
)


def params(mult, shift, zl, zh, constants):
    """The ``params`` argument of this module's kernels: ``(mult, shift, zl,
    zh, c0, c1, c2, c3)`` as float64 (``shift`` may be None: no shift).

    ``constants`` are ``(Phi(zl), 1 - Phi(zh), Phi(zh) - Phi(zl), u0)`` for
    ``INTERVAL``, ``u0`` the uniform at the median; ``(alpha, alpha**2, E,
    sign)`` for ``TAIL``, the window mirrored to ``[alpha, beta]`` (sign -1
    if mirrored) and ``E = 1 - exp(-(beta**2 - alpha**2) / 2)``.
    """
    f = np.float64
    return (f(mult), None if shift is None else f(shift), f(zl), f(zh)) + tuple(
        f(c) for c in constants
    )


def compile_all():
    """Compile this module's kernels (see :func:`glorot_numba.warmup`)."""
    starts = np.zeros(1, np.int64)
    for native, path in ((np.float32, "f32"), (np.float64, "f64")):
        for shift in (None, 0.0):
            args = (
                np.empty(1, native),
                starts,
                np.int64(1),
                np.uint64(0),
                np.uint64(0),
                INTERVAL,
                params(1.0, shift, 0.0, 0.0, (0.0,) * 4),
                1,
            )
            compile_kernels(KERNELS[path], args)
    return CACHED
