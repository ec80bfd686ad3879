"""Weight initialisation, with PyTorch's formulas (``torch.nn.init``).

Each function fills a tensor in place from minigrad's seeded generator
(``minigrad.manual_seed``), bumps its version (a graph that saved the old value
then refuses a stale backward) and returns it.

- uniform_(a, b), normal_(mean, std), constant_, zeros_, ones_
- xavier_uniform_: U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out))
- xavier_normal_: N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))
- kaiming_uniform_: U(-b, b), b = gain * sqrt(3 / fan), gain = calculate_gain(nonlinearity, a)
- kaiming_normal_: N(0, std^2), std = gain / sqrt(fan)
- eye_ (2-D identity), dirac_ (convolution weights that pass the input through)
- orthogonal_: Q of the QR decomposition of a standard normal (rows, numel / rows)
  matrix (transposed when wide), each column's sign flipped by the sign of R's
  diagonal so Q is uniformly distributed, times ``gain``
- trunc_normal_: N(mean, std^2) conditioned on [a, b] (absolute bounds, as PyTorch),
  drawn by redrawing the values that fall outside

For a weight of shape (out, in, k1, k2, ...): fan_in = in * k1 * k2 * ...,
fan_out = out * k1 * k2 * ...
"""
from __future__ import annotations

import math

import numpy as np

from .. import random as _random
from .._tensor import Tensor

__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "zeros_", "ones_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "eye_",
           "dirac_", "orthogonal_", "trunc_normal_"]


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


def eye_(tensor):
    """The identity matrix (a 2-D tensor; ones on the diagonal of a rectangular one)."""
    if getattr(tensor, "ndim", None) != 2:
        raise ValueError(f"eye_: only 2-D tensors are supported, got shape "
                         f"{getattr(tensor, 'shape', type(tensor).__name__)}")
    return _fill(tensor, np.eye(*tensor.shape), "eye_")


def dirac_(tensor, groups=1):
    """A conv weight (out, in, k...) of 3 to 5 dims that passes each of the first
    min(out / groups, in) input channels of every group unchanged to the matching
    output channel (a one at the kernel's centre)."""
    shape = getattr(tensor, "shape", None)
    if shape is None or len(shape) not in (3, 4, 5):
        raise ValueError(f"dirac_: only 3, 4 or 5-D tensors are supported, got shape {shape}")
    groups = int(groups)
    if groups < 1 or shape[0] % groups:
        raise ValueError(f"dirac_: dim 0 of shape {shape} must be divisible by groups ({groups})")
    per_group = shape[0] // groups
    kept = np.arange(min(per_group, shape[1]))
    out_channels = (np.arange(groups)[:, None] * per_group + kept).ravel()
    in_channels = np.tile(kept, groups)
    values = np.zeros(shape)
    values[(out_channels, in_channels) + tuple(k // 2 for k in shape[2:])] = 1
    return _fill(tensor, values, "dirac_")


def orthogonal_(tensor, gain=1.0):
    """A (semi-)orthogonal matrix (rows = dim 0, columns = the other dims flattened),
    times ``gain``: orthonormal rows when rows <= columns, orthonormal columns
    otherwise."""
    shape = getattr(tensor, "shape", None)
    if shape is None or len(shape) < 2:
        raise ValueError(f"orthogonal_: only tensors with 2 or more dimensions are supported, "
                         f"got shape {shape}")
    rows = shape[0]
    if tensor.numel() == 0:
        return tensor
    cols = tensor.numel() // rows
    matrix = _random.generator().standard_normal((rows, cols))
    wide = rows < cols
    q, r = np.linalg.qr(matrix.T if wide else matrix)
    q *= np.sign(np.diagonal(r))   # makes the decomposition unique, so Q is Haar-distributed
    return _fill(tensor, (q.T if wide else q).reshape(shape) * gain, "orthogonal_")


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0):
    """N(mean, std^2) restricted to [a, b] (absolute bounds, as PyTorch): draws that
    fall outside are drawn again, so the values follow the truncated distribution
    exactly."""
    op = "trunc_normal_"
    if not std > 0 or not a < b:
        raise ValueError(f"{op}: needs std > 0 and a < b, got std={std!r}, a={a!r}, b={b!r}")
    # the probability of a draw landing in [a, b]: each round draws 1/p times what is missing
    cdf = [0.5 * (1 + math.erf((bound - mean) / (std * math.sqrt(2)))) for bound in (a, b)]
    inside = cdf[1] - cdf[0]
    if inside < 1e-6:
        raise ValueError(f"{op}: [a, b] = [{a}, {b}] lies too far in the tail of N({mean}, "
                         f"{std}^2) (probability {inside:.1e}) for sampling by redrawing")
    values = np.empty(tensor.numel())
    filled = 0
    while filled < values.size:
        missing = values.size - filled
        draws = _random.generator().normal(mean, std, int(missing / inside * 1.1) + 16)
        draws = draws[(draws >= a) & (draws <= b)][:missing]
        values[filled:filled + draws.size] = draws
        filled += draws.size
    return _fill(tensor, values.reshape(tensor.shape), op)
