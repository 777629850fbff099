"""VarianceScaling's arithmetic: from fans to a variance, and the truncation constants.

Shared by the native stream (:mod:`.initializers`), TensorFlow's stream
(:mod:`._tf_compat`) and the command line; the statistical testing kit
derives the same constants on its own, on purpose.
"""

import math

__all__ = ["TRUNCATED_STD", "COMPLEX_TRUNCATED_RMS", "variance", "tf_factor"]

# Standard deviation of a standard normal truncated to (-2, 2):
# scipy.stats.truncnorm.std(-2, 2).  Dividing by it makes the post-truncation
# standard deviation exactly sqrt(scale / n), as in TensorFlow.
TRUNCATED_STD = 0.87962566103423978

# Root mean square of a standard complex normal (E|z|^2 = 1) conditioned on
# |z| < 2: |z|^2 is then Exp(1) truncated at 4, of mean 1 - 4 e^-4 / (1 - e^-4).
# Dividing by it makes E|w|^2 exactly scale / n.  (JAX divides by
# sqrt(1 - 5 e^-4), which leaves E|w|^2 at 1 / (1 - e^-4) = 1.0187 scale / n.)
COMPLEX_TRUNCATED_RMS = math.sqrt(1.0 - 4.0 * math.exp(-4.0) / -math.expm1(-4.0))


def variance(scale: float, mode: str, fans: tuple[int, int]) -> float:
    """``scale / n`` for ``(fan_in, fan_out)``, in TensorFlow's arithmetic:
    ``n`` the fan-in, the fan-out, their mean or their geometric mean,
    at least 1."""
    fan_in, fan_out = fans
    if mode == "fan_in":
        n = max(1.0, float(fan_in))
    elif mode == "fan_out":
        n = max(1.0, float(fan_out))
    elif mode == "fan_geo_avg":
        n = max(1.0, math.sqrt(fan_in * fan_out))
    else:
        n = max(1.0, (fan_in + fan_out) / 2.0)
    return scale / n


def tf_factor(distribution: str, var: float) -> float:
    """TensorFlow's standard deviation (normals) or limit (uniform) for a
    variance, in float64."""
    if distribution in ("normal", "truncated_normal"):
        return math.sqrt(var) / TRUNCATED_STD
    if distribution == "untruncated_normal":
        return math.sqrt(var)
    return math.sqrt(3.0 * var)
