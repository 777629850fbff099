"""The distribution a kernel draws (``kind``), one integer per distribution.

Every kernel takes a ``kind``; the native kernels (:mod:`.kernels`,
:mod:`.interval`) and TensorFlow's (:mod:`.tf_kernels`) share the codes of
the distributions they both draw.
"""

__all__ = ["UNIFORM", "NORMAL", "TRUNCATED", "INVERSE_CDF", "INTERVAL", "TAIL", "INTERVAL_KINDS"]

# Uniform on (-1, 1), the standard normal, and the standard normal truncated
# to a window (lo, hi) by resampling: the real kernels, the complex kernels
# (in polar form) and TensorFlow's.
UNIFORM = 0
NORMAL = 1
TRUNCATED = 2
# The normal truncated to (-2, 2) by its exact inverse distribution
# function: one word (float32) or two (float64) per element, no redraws.
INVERSE_CDF = 3
# Normals truncated to any other interval, by the inverse distribution
# function (INTERVAL) or, far in a tail, by Marsaglia's method (TAIL): the
# kernels of .interval.
INTERVAL = 4
TAIL = 5
INTERVAL_KINDS = (INTERVAL, TAIL)
