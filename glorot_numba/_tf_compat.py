"""``compat=``: TensorFlow's own values, from TensorFlow's seeds and stream.

Three modes, each named after the API whose values it reproduces:

``"tf.compat.v1"``
    ``tf.compat.v1.glorot_normal_initializer`` / ``VarianceScaling``: the
    stateful ops ``TruncatedNormal``, ``RandomStandardNormal`` and
    ``RandomUniform`` seeded with TensorFlow v1's pair ``(seed1, seed2)``
    (:func:`._seeding.get_seed`); Philox key ``(lo seed1, hi seed1)``, first
    counter ``(0, 0, lo seed2, hi seed2)`` -- the first execution of the op.
``"tf.keras"``
    Keras 3 on the TensorFlow backend (``tf.keras`` in TensorFlow >= 2.16):
    the stateless ops with seed ``[seed mod (2**31 - 2), 0]``; the uniform
    bounds pass through float32 (``tf.cast`` of a Python float).
``"keras2"``
    ``tf.keras`` of TensorFlow 2.4 (``init_ops_v2``): the stateless ops with
    seed ``[seed, 0]`` read as 64-bit words; the uniform bounds are rounded
    straight to the output dtype.

A stateless seed ``[s0, s1]`` becomes key and counter by one Philox call
(TensorFlow's ``GenerateKey``): ``m = philox((lo s0, hi s0, lo s1, hi s1),
(0x3ec8f720, 0x02461e29))``, key ``(m0, m1)``, counter ``(0, 0, m2, m3)``.

The kernel returns standard samples ``z`` (or uniforms ``u`` on [0, 1));
the result is then formed as TensorFlow forms it, in the output dtype:
``z * dtype(stddev) + dtype(0)``, or ``u * (dtype(hi) - dtype(lo)) +
dtype(lo)``.  float16 and bfloat16 samples are rounded to the dtype first
and the arithmetic is done as Eigen does it: in float32, rounded to the
dtype after each operation (see :func:`._engine.tf_kernels._put`).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np

from . import _dtypes, _engine, _seeding
from ._variance import tf_factor

if TYPE_CHECKING:
    # Four 32-bit words, low first: a Philox counter.
    Counter = tuple[int, int, int, int]

__all__ = ["MODES", "check_compat", "stream_origin", "stateless_key_counter", "draw"]

MODES = ("tf.compat.v1", "tf.keras", "keras2")
# compat= (for annotations): None for the library's own stream, else one of MODES.
Compat: TypeAlias = 'Literal["tf.compat.v1", "tf.keras", "keras2"] | None'

_M32 = 0xFFFFFFFF
_TF_MODES = ("fan_in", "fan_out", "fan_avg")
_STATELESS_KEY = (0x3EC8F720, 0x02461E29)
# Keras 3's TensorFlow backend folds int64 seeds into int32 with
# floormod(seed, tf.int32.max - 1).
_KERAS3_SEED_MOD = 2**31 - 2

# Bits of each word that make a uniform, and their weight, by output dtype
# (TensorFlow's Uint32ToFloat, Uint16ToHalf, Uint16ToGfloat16).
# Keyed by dtype name: bfloat16's dtype exists only once ml_dtypes is loaded.
_UNIFORM_BITS = {
    "float32": (0x7FFFFF, 2.0**-23),
    "float16": (0x3FF, 2.0**-10),
    "bfloat16": (0x7F, 2.0**-7),
    "float64": (0, 1.0),
}

_LOWP = {"float16": 1, "bfloat16": 2}

_M128 = (1 << 128) - 1


def check_compat(compat: object) -> Compat:
    """Return ``compat`` (None or one of :data:`MODES`), or raise."""
    if compat is None:
        return None
    if not isinstance(compat, str):
        raise TypeError(f"compat must be None or a string, got {type(compat).__name__} {compat!r}")
    if compat not in MODES:
        raise ValueError(f"compat must be None or one of {MODES}, got {compat!r}")
    return compat  # type: ignore[return-value]  # one of MODES


def check_compat_mode(compat: Compat, mode: str) -> None:
    """Raise if TensorFlow has no ``mode`` (``fan_geo_avg`` is JAX's)."""
    if compat is not None and mode not in _TF_MODES:
        raise ValueError(
            f"mode {mode!r} has no TensorFlow counterpart, so compat={compat!r} cannot "
            "reproduce it; use compat=None"
        )


def check_compat_dtype(compat: Compat, dtype: np.dtype[Any]) -> None:
    """Raise if TensorFlow's initializers cannot produce ``dtype`` (complex)."""
    if compat is not None and _dtypes.is_complex(dtype):
        raise ValueError(
            f"TensorFlow's initializers have no {_dtypes.dtype_name(dtype)} values to "
            f"reproduce; compat={compat!r} takes float16, bfloat16, float32 or float64"
        )


def _philox_once(counter: Counter, key: tuple[int, int]) -> Counter:
    """One Philox4x32-10 call on Python ints (for seeding only)."""
    c0, c1, c2, c3 = counter
    k0, k1 = key
    for _ in range(10):
        p0 = 0xD2511F53 * c0
        p1 = 0xCD9E8D57 * c2
        c0, c1, c2, c3 = (
            ((p1 >> 32) ^ c1 ^ k0) & _M32,
            p1 & _M32,
            ((p0 >> 32) ^ c3 ^ k1) & _M32,
            p0 & _M32,
        )
        k0 = (k0 + 0x9E3779B9) & _M32
        k1 = (k1 + 0xBB67AE85) & _M32
    return c0, c1, c2, c3


def stateless_key_counter(s0: int, s1: int) -> tuple[tuple[int, int], Counter]:
    """Key and counter of TensorFlow's stateless ops for seed ``[s0, s1]``.

    ``s0`` and ``s1`` are taken modulo 2**64, as TensorFlow reads an int32 or
    int64 seed tensor into 64-bit unsigned words.
    """
    s0 %= 2**64
    s1 %= 2**64
    m = _philox_once((s0 & _M32, s0 >> 32, s1 & _M32, s1 >> 32), _STATELESS_KEY)
    return (m[0], m[1]), (0, 0, m[2], m[3])


def stream_origin(compat: Compat, seed: int | None) -> tuple[tuple[int, int], Counter]:
    """Philox ``(key, counter)`` of the first group, for ``compat`` and ``seed``."""
    if compat == "tf.compat.v1":
        seeds = _seeding.get_seed(seed, tf_sequence=True)
        if seeds is None:
            # TensorFlow draws two fresh 64-bit seeds for an unseeded op.
            seeds = (secrets.randbits(64), secrets.randbits(64))
        s1, s2 = seeds
        return (s1 & _M32, s1 >> 32), (0, 0, s2 & _M32, s2 >> 32)
    if seed is None:
        # No TensorFlow values to match: any fresh stream will do.
        return (secrets.randbits(32), secrets.randbits(32)), (
            0,
            0,
            secrets.randbits(32),
            secrets.randbits(32),
        )
    if compat == "tf.keras":
        seed %= _KERAS3_SEED_MOD
    return stateless_key_counter(seed, 0)


# Distribution names -> the kernels' kinds.
_KINDS = {
    "normal": _engine.TRUNCATED,
    "truncated_normal": _engine.TRUNCATED,
    "untruncated_normal": _engine.NORMAL,
    "uniform": _engine.UNIFORM,
}


def _affine(kind: int, factor: float, dtype: np.dtype[Any], compat: Compat) -> tuple[Any, Any]:
    """``(mul, add)`` as dtype scalars: the result is ``sample * mul + add``."""
    scalar = dtype.type
    with np.errstate(over="ignore"):
        if kind != _engine.UNIFORM:
            return np.asarray(factor).astype(dtype)[()], scalar(0)
        if compat == "tf.keras":
            hi = np.float32(factor).astype(dtype)
            lo = np.float32(-factor).astype(dtype)
        else:
            hi = np.asarray(factor).astype(dtype)[()]
            lo = np.asarray(-factor).astype(dtype)[()]
        return hi - lo, lo


def _counter_plus(counter: Counter, n: int) -> Counter:
    """The 128-bit Philox counter ``(c0, c1, c2, c3)`` (low word first) plus ``n``."""
    c0, c1, c2, c3 = counter
    c = (c0 | c1 << 32 | c2 << 64 | c3 << 96) + n & _M128
    return c & _M32, c >> 32 & _M32, c >> 64 & _M32, c >> 96


def draw(
    compat: Compat,
    seed: int | None,
    distribution: str,
    var: float,
    shape: tuple[int, ...],
    dtype: np.dtype[Any],
    out: np.ndarray[Any, Any] | None,
) -> np.ndarray[Any, Any]:
    """Fill ``out`` (or a new array) with TensorFlow's values in mode ``compat``.

    Arguments are validated already: the operation ``seed`` (or None), the
    ``distribution`` and the variance ``var`` (``scale / n``, from the full
    variable's fans).  The fill runs like a native one (:mod:`._engine`):
    on the threads the call may use, in pieces that each start on a group
    boundary from that group's counter, and through a bounded staging buffer
    where the output cannot hold the kernel's samples in place.
    """
    kind = _KINDS[distribution]
    mul, add = _affine(kind, tf_factor(distribution, var), dtype, compat)
    key, counter = stream_origin(compat, seed)
    result = _engine.allocate(shape, dtype) if out is None else out
    if result.size == 0:
        return result
    path = _dtypes.path_of(dtype)
    native = _dtypes.native_of(dtype)
    tf_kernels = _engine.tf_kernels
    group = tf_kernels.GROUP[path]
    step = tf_kernels.STEP.get((path, kind), 1)
    # float16 and bfloat16: the fill kernel writes the float32 samples, and
    # a second pass does the dtype's arithmetic.
    name = _dtypes.dtype_name(dtype)
    lowp = _LOWP.get(name, 0)
    kmul, kadd = (native.type(1), native.type(0)) if lowp else (native.type(mul), native.type(add))
    umask, uscale = _UNIFORM_BITS[name]
    kernels = tf_kernels.KERNELS[path]
    u = np.uint64
    k0, k1 = u(key[0]), u(key[1])

    def fill_positions(threads: int, buf: np.ndarray[Any, Any], first: int) -> None:
        c0, c1, c2, c3 = _counter_plus(counter, first // group * step)
        _engine.launch_dynamic(
            kernels,
            threads,
            buf.shape[0],
            (
                buf,
                kind,
                k0,
                k1,
                u(c0),
                u(c1),
                u(c2),
                u(c3),
                u(umask),
                native.type(uscale),
                kmul,
                kadd,
            ),
        )

    fmul, fadd = np.float32(mul), np.float32(add)

    def store_lowp(
        threads: int, samples: np.ndarray[Any, Any], block: np.ndarray[Any, Any]
    ) -> None:
        direct = block.flags.c_contiguous and block.flags.aligned
        bits = (
            block.reshape(-1).view(np.uint16) if direct else np.empty(samples.shape[0], np.uint16)
        )
        _engine.launch_dynamic(
            (tf_kernels.tf_finish_lowp, tf_kernels.tf_finish_lowp_serial),
            threads,
            samples.shape[0],
            (samples, bits, fmul, fadd, lowp),
        )
        if not direct:
            block[...] = bits.view(dtype).reshape(block.shape)

    _engine.run_pieces(
        result, native, fill_positions, align=group, store=store_lowp if lowp else None
    )
    return result
