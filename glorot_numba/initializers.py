"""The initializer classes: ``VarianceScaling`` and ``GlorotNormal``.

Front end only: validation, seeds, scale arithmetic and dispatch.  Sampling
happens in the kernels of :mod:`glorot_numba._kernels`.
"""

import math
import numbers

import numba
import numpy as np

from . import _dtypes, _kernels, _seeding, _shapes, _tf_compat

__all__ = [
    "VarianceScaling",
    "GlorotNormal",
    "glorot_normal",
    "glorot_normal_initializer",
    "xavier_normal",
]

# Standard deviation of a standard normal truncated to (-2, 2):
# scipy.stats.truncnorm.std(-2, 2).  Dividing by it makes the post-truncation
# standard deviation exactly sqrt(scale / n), as in TensorFlow.
TRUNCATED_STD = 0.87962566103423978

_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("normal", "truncated_normal", "untruncated_normal", "uniform")
_KIND = {
    "normal": _kernels.TRUNCATED,
    "truncated_normal": _kernels.TRUNCATED,
    "untruncated_normal": _kernels.NORMAL,
    "uniform": _kernels.UNIFORM,
}

# Below this many elements (two short chunks) the serial twin is faster
# than waking threads (measured on 2 cores: 4096 elements take 9 us
# serially, 7 us on two threads).
SERIAL_BELOW = 2 * _kernels.SMALL_CHUNK


def _check_scale(scale):
    if isinstance(scale, (bool, np.bool_)) or not isinstance(scale, numbers.Real):
        raise TypeError(f"scale must be a real number, got {type(scale).__name__} {scale!r}")
    scale = float(scale)
    if not (math.isfinite(scale) and scale > 0.0):
        raise ValueError(f"scale must be a positive, finite number, got {scale}")
    return scale


def _check_mode(mode):
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES} (case-sensitive), got {mode!r}")
    return mode


def _check_distribution(distribution):
    if not isinstance(distribution, str):
        raise TypeError(
            f"distribution must be a string, got {type(distribution).__name__} {distribution!r}"
        )
    lowered = distribution.lower()
    if lowered not in _DISTRIBUTIONS:
        raise ValueError(f"distribution must be one of {_DISTRIBUTIONS}, got {distribution!r}")
    return lowered


def _check_out(out, shape, dtype):
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy.ndarray, got {type(out).__name__}")
    if out.shape != shape:
        raise ValueError(f"out has shape {out.shape}, expected {shape}")
    if out.dtype != dtype:
        raise ValueError(
            f"out has dtype {out.dtype}, expected {_dtypes.dtype_name(dtype)}"
        )
    if not out.flags.writeable:
        raise ValueError("out is read-only")


def _in_dtype(value, dtype):
    """``value`` rounded to ``dtype``, then widened to the path's float type."""
    rounded = np.asarray(value, dtype=np.float64).astype(dtype)
    if _dtypes.path_of(dtype) == "f64":
        return np.float64(rounded)
    return np.float32(rounded)


class VarianceScaling:
    """Initializer whose samples have variance ``scale / n``.

    ``n`` is the fan-in, the fan-out or their mean (``mode``), clamped to at
    least 1.  Semantics are those of ``tf.compat.v1.keras.initializers.
    VarianceScaling``; the result is a NumPy array.

    Parameters
    ----------
    scale : float, default 1.0
        Positive, finite scaling factor.
    mode : {"fan_in", "fan_out", "fan_avg"}, default "fan_in"
        Which fan sets ``n`` (case-sensitive, as in TensorFlow).
    distribution : {"truncated_normal", "untruncated_normal", "uniform", "normal"}
        Case-insensitive.  ``"truncated_normal"`` draws a standard normal
        truncated to (-2, 2) by resampling and multiplies it by
        ``sqrt(scale / n) / 0.87962566103423978``, so the standard deviation
        after truncation is ``sqrt(scale / n)``.  ``"normal"`` is TensorFlow's
        deprecated alias of it (kept verbatim in ``get_config``).
        ``"untruncated_normal"`` draws ``N(0, scale / n)``; ``"uniform"``
        draws ``U(-limit, limit)`` with ``limit = sqrt(3 * scale / n)``.
    seed : int or None, default None
        An integer makes every call return the same values for the same
        shape and dtype, in every process and on every machine.  None draws
        fresh OS entropy on every call, unless a global seed is set with
        :func:`set_random_seed`.
    dtype : dtype-like, default "float32"
        Default output dtype: float16, bfloat16, float32 or float64.
    compat : {None, "tf.compat.v1", "tf.keras", "keras2"}, default None
        None draws this library's own stream (see Notes).  A string draws
        TensorFlow's values for the same arguments, bit for bit:
        ``"tf.compat.v1"`` those of ``tf.compat.v1.keras.initializers.
        VarianceScaling(..., seed=seed)`` (a graph op, or the first eager
        call in a fresh process; :func:`set_random_seed` plays the part of
        ``tf.compat.v1.set_random_seed``), ``"tf.keras"`` those of Keras 3's
        (TensorFlow backend; ``tf.keras`` in TensorFlow >= 2.16) and
        ``"keras2"`` those of ``tf.keras`` in TensorFlow 2.4.  See the
        README section "Same numbers as TensorFlow".

    Raises
    ------
    TypeError
        For arguments of the wrong type (e.g. ``seed=1.5``).
    ValueError
        For out-of-range values (e.g. ``scale=0``, ``mode="FAN_IN"``,
        ``dtype="int32"``).

    Notes
    -----
    Output element ``i`` (flat C-order index in the full tensor) is a pure
    function of the seed, ``i`` and whether the dtype is float64 or not, so
    the values do not depend on thread count, threading layer, JIT mode or
    partitioning.  float16 and bfloat16 values are the float32 samples
    multiplied by the standard deviation rounded to that dtype, rounded once.
    No value ever exceeds the truncation bound ``2 * stddev`` (or ``limit``)
    as represented in the output dtype.

    With ``compat``, values are TensorFlow's: TensorFlow's seeds, Philox
    counters and Box-Muller arithmetic (float32 through the C library's
    ``logf``, ``sinf``, ``cosf``, as TensorFlow's Linux build), and with
    ``partition_info`` TensorFlow's partition rule: fans from
    ``full_shape``, values those of an unpartitioned call for the
    partition's own shape.

    Examples
    --------
    >>> import glorot_numba as gn
    >>> init = gn.VarianceScaling(scale=2.0, mode="fan_in", seed=0)
    >>> w = init((512, 256))
    >>> w.shape, w.dtype
    ((512, 256), dtype('float32'))
    >>> init.get_config()
    {'scale': 2.0, 'mode': 'fan_in', 'distribution': 'truncated_normal', 'seed': 0, 'dtype': 'float32'}
    >>> tf_init = gn.VarianceScaling(distribution="uniform", seed=3, compat="tf.keras")
    >>> tf_init.get_config()["compat"]
    'tf.keras'
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal",
                 seed=None, dtype="float32", compat=None):
        self.scale = _check_scale(scale)
        self.mode = _check_mode(mode)
        self.distribution = _check_distribution(distribution)
        self.seed = _seeding.check_seed(seed)
        self.dtype = _dtypes.resolve_dtype(dtype)
        self.compat = _tf_compat.check_compat(compat)

    def __call__(self, shape, dtype=None, partition_info=None, *, out=None):
        """Draw a new array (or fill ``out``).

        Parameters
        ----------
        shape : sequence of int
            Shape of the result (of the partition, with ``partition_info``).
        dtype : dtype-like, optional
            Output dtype; defaults to ``out.dtype`` when ``out`` is given,
            else to the constructor's ``dtype``.
        partition_info : PartitionInfo, optional
            The full variable this call initialises a slice of.  Fans come
            from ``full_shape``, and the values are those of the slice at
            ``var_offset`` of the full tensor (with ``compat``, as in
            TensorFlow: those of an unpartitioned call for ``shape``).
        out : numpy.ndarray, optional
            Array of exactly ``shape`` and the output dtype to fill in place.
            It is left untouched if any argument is invalid.

        Returns
        -------
        numpy.ndarray
            C-contiguous for new arrays; ``out`` itself when given.

        Examples
        --------
        >>> import numpy as np
        >>> import glorot_numba as gn
        >>> buf = np.empty((784, 256), np.float32)
        >>> gn.GlorotNormal(seed=1)((784, 256), out=buf) is buf
        True
        """
        shape = _shapes.check_shape(shape)
        if dtype is not None:
            dtype = _dtypes.resolve_dtype(dtype)
        elif out is not None and isinstance(out, np.ndarray):
            dtype = _dtypes.resolve_dtype(out.dtype)
        else:
            dtype = self.dtype
        if partition_info is None:
            full, offset = shape, (0,) * len(shape)
        else:
            full, offset = _shapes.check_partition(shape, partition_info)
        if out is not None:
            _check_out(out, shape, dtype)
        fans = _shapes.fans_of(full)
        mult = self._multiplier(fans, dtype)
        if self.compat is not None:
            return _tf_compat.draw(self, shape, dtype, fans, out)
        key = _seeding.key_for(self.seed)
        result = np.empty(shape, dtype) if out is None else out
        if result.size:
            _fill(result, full, offset, key, mult, _KIND[self.distribution])
        return result

    def _variance(self, fans):
        """``scale / n`` for ``(fan_in, fan_out)``, in TensorFlow's arithmetic."""
        fan_in, fan_out = fans
        if self.mode == "fan_in":
            n = max(1.0, float(fan_in))
        elif self.mode == "fan_out":
            n = max(1.0, float(fan_out))
        else:
            n = max(1.0, (fan_in + fan_out) / 2.0)
        return self.scale / n

    def _multiplier(self, fans, dtype):
        """The factor applied to standard samples, rounded to ``dtype``."""
        variance = self._variance(fans)
        kind = _KIND[self.distribution]
        if kind == _kernels.TRUNCATED:
            factor, reach = math.sqrt(variance) / TRUNCATED_STD, 2.0
        elif kind == _kernels.NORMAL:
            factor, reach = math.sqrt(variance), 1.0
        else:
            factor, reach = math.sqrt(3.0 * variance), 1.0
        # Overflow is detected below and reported as an error, not a warning.
        with np.errstate(over="ignore"):
            mult = _in_dtype(factor, dtype)
            bound = np.asarray(reach * float(mult)).astype(dtype)
        if not np.isfinite(bound) or mult == 0:
            raise ValueError(
                f"scale {self.scale} with fans {fans} gives a standard deviation that "
                f"{_dtypes.dtype_name(dtype)} cannot represent"
            )
        return mult

    def get_config(self):
        """The constructor arguments, as a new dict.

        Examples
        --------
        >>> import glorot_numba as gn
        >>> gn.VarianceScaling(distribution="Normal", seed=3).get_config()["distribution"]
        'normal'
        """
        config = {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "seed": self.seed,
            "dtype": _dtypes.dtype_name(self.dtype),
        }
        if self.compat is not None:
            config["compat"] = self.compat
        return config

    @classmethod
    def from_config(cls, config):
        """Build an initializer from ``get_config()`` output.

        The caller's dict is not modified.

        Examples
        --------
        >>> import glorot_numba as gn
        >>> init = gn.GlorotNormal.from_config({"seed": 5, "dtype": "float32"})
        >>> init.get_config()
        {'seed': 5, 'dtype': 'float32'}
        """
        return cls(**dict(config))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class GlorotNormal(VarianceScaling):
    """Glorot (Xavier) normal initializer, as in TensorFlow v1.

    Draws from a normal distribution truncated at two standard deviations
    and rescaled so that the standard deviation after truncation is
    ``sqrt(2 / (fan_in + fan_out))`` (Glorot & Bengio, AISTATS 2010).  It is
    ``VarianceScaling(scale=1.0, mode="fan_avg",
    distribution="truncated_normal")``.

    Parameters
    ----------
    seed : int or None, default None
        See :class:`VarianceScaling`.
    dtype : dtype-like, default "float32"
        Default output dtype.  Unlike TensorFlow v1, which ignores this
        argument, it is honoured (as TensorFlow's documentation describes).
    compat : {None, "tf.compat.v1", "tf.keras", "keras2"}, default None
        None for this library's own stream; otherwise TensorFlow's values,
        bit for bit (see :class:`VarianceScaling`): ``"tf.compat.v1"``
        those of ``tf.compat.v1.glorot_normal_initializer(seed=seed)``,
        ``"tf.keras"`` those of ``keras.initializers.GlorotNormal(seed=seed)``
        on TensorFlow (Keras 3), ``"keras2"`` those of
        ``tf.keras.initializers.GlorotNormal(seed=seed)`` in TensorFlow 2.4.

    Examples
    --------
    >>> import numpy as np
    >>> import glorot_numba as gn
    >>> init = gn.GlorotNormal(seed=42)
    >>> w = init((784, 256))
    >>> w.dtype, w.flags.c_contiguous
    (dtype('float32'), True)
    >>> bool(np.array_equal(w, init((784, 256))))
    True
    >>> bool(np.abs(w).max() <= 2 * np.sqrt(2 / (784 + 256)) / 0.87962566103423978)
    True

    TensorFlow's own numbers, here those that
    ``tf.compat.v1.glorot_normal_initializer(seed=7)((2, 3))`` returns:

    >>> print(gn.GlorotNormal(seed=7, compat="tf.compat.v1")((2, 3)))
    [[-0.0337542  -0.8656122   0.83896077]
     [ 0.8416824   0.515258    0.41064805]]
    """

    def __init__(self, seed=None, dtype="float32", compat=None):
        super().__init__(scale=1.0, mode="fan_avg", distribution="truncated_normal",
                         seed=seed, dtype=dtype, compat=compat)

    def get_config(self):
        """``{"seed": ..., "dtype": ...}``, as TensorFlow v1 reports it.

        Examples
        --------
        >>> import glorot_numba as gn
        >>> gn.GlorotNormal(seed=42).get_config()
        {'seed': 42, 'dtype': 'float32'}
        >>> gn.GlorotNormal(seed=42, compat="tf.compat.v1").get_config()
        {'seed': 42, 'dtype': 'float32', 'compat': 'tf.compat.v1'}
        """
        config = {"seed": self.seed, "dtype": _dtypes.dtype_name(self.dtype)}
        if self.compat is not None:
            config["compat"] = self.compat
        return config


glorot_normal = GlorotNormal
glorot_normal_initializer = GlorotNormal
xavier_normal = GlorotNormal


def _fill(result, full, offset, key, mult, kind):
    """Run the kernel for ``result``, an array of the slice's shape."""
    dtype = result.dtype
    path = _dtypes.path_of(dtype)
    native = np.float64 if path == "f64" else np.float32
    direct = dtype == native and result.flags.c_contiguous
    flat = result.reshape(-1) if direct else np.empty(result.size, native)
    starts, run_len = _shapes.index_runs(result.shape, full, offset)
    parallel, serial = _kernels.KERNELS[path]
    kernel = serial if flat.size < SERIAL_BELOW else parallel
    # No more workers than chunks: idle ones would only cost their wake-up.
    workers = min(numba.get_num_threads(), -(-flat.size // _kernels.SMALL_CHUNK))
    kernel(flat, starts, np.int64(run_len), key[0], key[1], mult, kind, workers)
    if not direct:
        result[...] = flat.reshape(result.shape)
