"""glorot_numba: TensorFlow-v1 Glorot normal / VarianceScaling initialisers on Numba.

Drop-in, NumPy-returning replacements for
``tf.compat.v1.keras.initializers.glorot_normal`` and ``VarianceScaling``,
computed by multicore Numba kernels from a counter-based Philox4x32-10
stream: every output element is a pure function of (seed, its index, dtype
class), so results are reproducible to the bit across thread counts,
machines and partitionings.

Examples
--------
>>> import glorot_numba as gn
>>> w = gn.GlorotNormal(seed=42)((784, 256))
>>> w.shape, str(w.dtype)
((784, 256), 'float32')
"""

# First: the engine makes the tbb wheel's library loadable before Numba
# picks a threading layer.
from ._engine import num_threads, philox4x32_10, runtime_info, warmup  # isort: skip
from ._explicit import (
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    random_normal,
    random_uniform,
    truncated_normal,
)
from ._family import (
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    glorot_uniform,
    glorot_uniform_initializer,
    he_normal,
    he_uniform,
    lecun_normal,
    lecun_uniform,
    xavier_uniform,
)
from ._seeding import set_random_seed
from ._shapes import TORCH_LAYOUT, PartitionInfo, compute_fans
from ._version import __version__
from .initializers import (
    GlorotNormal,
    Initializer,
    VarianceScaling,
    glorot_normal,
    glorot_normal_initializer,
    xavier_normal,
)

__all__ = [
    "GlorotNormal",
    "VarianceScaling",
    "glorot_normal",
    "glorot_normal_initializer",
    "xavier_normal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "LecunNormal",
    "LecunUniform",
    "glorot_uniform",
    "glorot_uniform_initializer",
    "xavier_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
    "RandomNormal",
    "TruncatedNormal",
    "RandomUniform",
    "random_normal",
    "truncated_normal",
    "random_uniform",
    "Initializer",
    "compute_fans",
    "TORCH_LAYOUT",
    "PartitionInfo",
    "set_random_seed",
    "philox4x32_10",
    "warmup",
    "num_threads",
    "runtime_info",
    "__version__",
]
