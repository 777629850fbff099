"""The contenders: one callable per peer, ``make(shape, dtype) -> ndarray``.

Each draws a TensorFlow-v1-style Glorot normal weight (truncated at two
standard deviations, std after truncation sqrt(2 / (fan_in + fan_out))) the
way a user of that library would, and returns a NumPy array or the library's
own tensor (timings include any device-to-host conversion the user needs).
Peers whose library is not installed are skipped.
"""

import concurrent.futures
import math
import os

import numpy as np

TRUNC_STD = 0.87962566103423978
WRITE_LIMIT = "np.empty + parallel fill (write limit)"


def fans(shape):
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def sigma(shape):
    fan_in, fan_out = fans(shape)
    return math.sqrt(1.0 / max(1.0, (fan_in + fan_out) / 2.0)) / TRUNC_STD


def _numpy_truncated(rng, out):
    """Standard normals into ``out`` (1-D), redrawn until |z| < 2."""
    rng.standard_normal(out=out, dtype=out.dtype)
    bad = np.flatnonzero(np.abs(out) >= 2)
    while bad.size:
        out[bad] = rng.standard_normal(bad.size, dtype=out.dtype)
        bad = bad[np.abs(out[bad]) >= 2]


def numpy_single(shape, dtype, seed=1):
    out = np.empty(math.prod(shape), dtype)
    _numpy_truncated(np.random.default_rng(seed), out)
    out *= out.dtype.type(sigma(shape))
    return out.reshape(shape)


class NumpyThreaded:
    """The NumPy documentation's multithreaded pattern: SeedSequence.spawn,
    one Generator per thread, each filling its own slice."""

    def __init__(self, threads=None):
        self.threads = threads or os.cpu_count()
        self.pool = concurrent.futures.ThreadPoolExecutor(self.threads)

    def __call__(self, shape, dtype, seed=1):
        out = np.empty(math.prod(shape), dtype)
        gens = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(self.threads)]
        step = -(-out.size // self.threads)
        jobs = [
            self.pool.submit(_numpy_truncated, g, out[i * step : (i + 1) * step])
            for i, g in enumerate(gens)
        ]
        for job in jobs:
            job.result()
        out *= out.dtype.type(sigma(shape))
        return out.reshape(shape)


def _glorot_numba(method="box_muller"):
    def load():
        import glorot_numba as gn

        gn.warmup()
        return lambda shape, dtype: gn.GlorotNormal(seed=1, method=method)(shape, dtype)

    return load


def _parallel_fill():
    """The write limit of a fresh array: ``np.empty`` filled by all cores,
    each touching (and so faulting in) its own share of the pages."""
    from numba import get_num_threads, njit, prange

    @njit(parallel=True)
    def fill(flat, value, parts):
        n = flat.size
        for p in prange(parts):
            for i in range(p * n // parts, (p + 1) * n // parts):
                flat[i] = value

    def make(shape, dtype, out=None):
        out = np.empty(shape, dtype) if out is None else out
        fill(out.reshape(-1), out.dtype.type(1.0), get_num_threads())
        return out

    make((8,), "float32")
    make((8,), "float64")
    return make


def _glorot_numba_compat(compat):
    """TensorFlow's own values (``compat=``), to time against TensorFlow itself."""

    def load():
        import glorot_numba as gn

        gn.warmup(compat=True)
        init = gn.GlorotNormal(seed=1, compat=compat)
        return lambda shape, dtype: init(shape, dtype)

    return load


def _tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    init = tf.compat.v1.keras.initializers.glorot_normal(seed=1)
    return lambda shape, dtype: init(shape, dtype=dtype).numpy()


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    init = keras.initializers.GlorotNormal(seed=1)
    return lambda shape, dtype: keras.ops.convert_to_numpy(init(shape, dtype=dtype))


def _jax():
    import jax

    jax.config.update("jax_enable_x64", True)
    init = jax.nn.initializers.glorot_normal()
    key = jax.random.key(1)
    return lambda shape, dtype: np.asarray(init(key, shape, dtype))


def _torch_tensor(shape, dtype):
    import torch

    return torch.empty(shape, dtype=getattr(torch, np.dtype(dtype).name))


def _torch_trunc():
    import torch

    def make(shape, dtype):
        s = sigma(shape)
        return torch.nn.init.trunc_normal_(
            _torch_tensor(shape, dtype), 0.0, s, -2 * s, 2 * s
        ).numpy()

    return make


def _torch_xavier():
    import torch

    return lambda shape, dtype: torch.nn.init.xavier_normal_(_torch_tensor(shape, dtype)).numpy()


# name -> loader returning make(shape, dtype); each is timed in a process of
# its own, so that no library's threads or allocator disturb another's.
PEERS = {
    "glorot_numba": _glorot_numba(),
    "glorot_numba inverse_cdf": _glorot_numba("inverse_cdf"),
    "glorot_numba compat='tf.compat.v1'": _glorot_numba_compat("tf.compat.v1"),
    "glorot_numba compat='tf.keras'": _glorot_numba_compat("tf.keras"),
    "numpy 1 thread": lambda: numpy_single,
    "numpy threads": NumpyThreaded,
    "tf.compat.v1 glorot_normal": _tensorflow,
    "keras 3 GlorotNormal (tensorflow)": _keras,
    "jax glorot_normal": _jax,
    "torch trunc_normal_": _torch_trunc,
    "torch xavier_normal_ (untruncated)": _torch_xavier,
    WRITE_LIMIT: _parallel_fill,
    "np.full (pages faulted by 1 thread)": lambda: lambda shape, dtype: np.full(shape, 1.0, dtype),
}

# The two methods of glorot_numba, whose speed-ups every table shows.
OURS = ("glorot_numba", "glorot_numba inverse_cdf")
