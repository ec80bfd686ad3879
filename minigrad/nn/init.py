"""Weight initialisation, with PyTorch's formulas (``torch.nn.init``).

Each function fills a tensor in place from minigrad's seeded generator
(``minigrad.manual_seed``), bumps its version (a graph that saved the old value
then refuses a stale backward) and returns it.

- uniform_(a, b), normal_(mean, std), constant_, zeros_, ones_
- xavier_uniform_: U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out))
- xavier_normal_: N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))
- kaiming_uniform_: U(-b, b), b = gain * sqrt(3 / fan), gain = calculate_gain(nonlinearity, a)
- kaiming_normal_: N(0, std^2), std = gain / sqrt(fan)

For a weight of shape (out, in, k1, k2, ...): fan_in = in * k1 * k2 * ...,
fan_out = out * k1 * k2 * ...
"""
from __future__ import annotations

import math

import numpy as np

from .. import random as _random
from .._tensor import Tensor

__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "zeros_", "ones_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]


def calculate_gain(nonlinearity, param=None):
    """The recommended scale for a nonlinearity (as ``torch.nn.init.calculate_gain``)."""
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
              "conv_transpose2d", "conv_transpose3d", "sigmoid")
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculate_gain: negative_slope {slope!r} is not a number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _fans(tensor, op):
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(f"{op}: fan in and fan out need a tensor with at least 2 "
                         f"dimensions, got shape {shape}")
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _fill(tensor, values, op):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(tensor).__name__}")
    tensor.array[...] = values
    tensor.bump_version()
    return tensor


def uniform_(tensor, a=0.0, b=1.0):
    return _fill(tensor, _random.generator().uniform(a, b, tensor.shape), "uniform_")


def normal_(tensor, mean=0.0, std=1.0):
    return _fill(tensor, _random.generator().normal(mean, std, tensor.shape), "normal_")


def constant_(tensor, value):
    return _fill(tensor, value, "constant_")


def zeros_(tensor):
    return constant_(tensor, 0)


def ones_(tensor):
    return constant_(tensor, 1)


def xavier_uniform_(tensor, gain=1.0):
    fan_in, fan_out = _fans(tensor, "xavier_uniform_")
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor, gain=1.0):
    fan_in, fan_out = _fans(tensor, "xavier_normal_")
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def _kaiming_std(tensor, a, mode, nonlinearity, op):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{op}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(tensor, op)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform_")
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal_"))
