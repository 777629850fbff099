"""Slow, obviously correct references that test modules share.

``torch_law``: the distribution a ``torch.nn.init`` call draws from, worked
out from PyTorch's documentation alone (fans, gains, bounds), independently
of the code under test.
"""

import inspect
import math

__all__ = ["torch_law", "GAINS"]

# torch.nn.init.calculate_gain's table; leaky_relu's depends on the slope.
GAINS = {"linear": 1.0, "conv1d": 1.0, "conv2d": 1.0, "conv3d": 1.0,
         "conv_transpose1d": 1.0, "conv_transpose2d": 1.0, "conv_transpose3d": 1.0,
         "sigmoid": 1.0, "tanh": 5.0 / 3.0, "relu": math.sqrt(2.0), "selu": 0.75}


def _fans(shape):
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _gain(nonlinearity, slope):
    if nonlinearity == "leaky_relu":
        slope = 0.01 if slope is None else slope
        return math.sqrt(2.0 / (1.0 + slope * slope))
    return GAINS[nonlinearity]


def torch_law(function, tensor, *args, **kwargs):
    """The law of a call ``function(tensor, *args, **kwargs)`` of ``torch.nn.init``.

    ``function`` is PyTorch's function itself (its signature binds the
    arguments).  Returns ``("uniform", low, high)``, ``("normal", mean,
    std)`` or ``("truncated", mean, std, low, high)``.
    """
    bound = inspect.signature(function).bind(tensor, *args, **kwargs)
    bound.apply_defaults()
    p = dict(bound.arguments)
    name = function.__name__
    shape = tuple(tensor.shape)
    if name == "uniform_":
        return ("uniform", float(p["a"]), float(p["b"]))
    if name == "normal_":
        return ("normal", float(p["mean"]), float(p["std"]))
    if name == "trunc_normal_":
        return ("truncated", float(p["mean"]), float(p["std"]), float(p["a"]), float(p["b"]))
    if name.startswith("xavier_"):
        fan_in, fan_out = _fans(shape)
        std = p["gain"] * math.sqrt(2.0 / (fan_in + fan_out))
        if name == "xavier_normal_":
            return ("normal", 0.0, std)
        return ("uniform", -math.sqrt(3.0) * std, math.sqrt(3.0) * std)
    if name.startswith("kaiming_"):
        fan_in, fan_out = _fans(shape)
        fan = fan_in if p["mode"].lower() == "fan_in" else fan_out
        std = _gain(p["nonlinearity"], p["a"]) / math.sqrt(fan)
        if name == "kaiming_normal_":
            return ("normal", 0.0, std)
        return ("uniform", -math.sqrt(3.0) * std, math.sqrt(3.0) * std)
    raise ValueError(f"no law for {name}")
