"""Layers with parameters (Linear, Conv2d), pooling, reshaping, dropout and
activation modules. Each one is a thin wrapper over ``minigrad.nn.functional``
(the math and its hand-written gradient live in ``minigrad/ops``); the module
owns the parameters and PyTorch's default initialisation."""
from __future__ import annotations

import math

import numpy as np

from . import functional as F
from . import init
from .module import Module, Parameter
from ..checks import as_pair, check_bool, check_probability, positive_int
from .._tensor import DEFAULT_DTYPE

__all__ = ["Identity", "Linear", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "Dropout",
]


def _empty_parameter(shape, dtype):
    return Parameter(np.empty(shape, dtype=np.dtype(DEFAULT_DTYPE if dtype is None else dtype)))


def _default_init(weight, bias, fan_in):
    """PyTorch's default for Linear and Conv: kaiming_uniform_ with a = sqrt(5)
    (which works out to U(-1/sqrt(fan_in), 1/sqrt(fan_in))) for the weight, and
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        init.uniform_(bias, -bound, bound)


class Identity(Module):
    def forward(self, x):
        return x


class Linear(Module):
    """y = x @ weight^T + bias, weight of shape (out_features, in_features)."""

    def __init__(self, in_features, out_features, bias=True, dtype=None):
        super().__init__()
        self.in_features = positive_int(in_features, "in_features", "Linear")
        self.out_features = positive_int(out_features, "out_features", "Linear")
        self.weight = _empty_parameter((self.out_features, self.in_features), dtype)
        self.register_parameter("bias", _empty_parameter((self.out_features,), dtype)
                                if bias else None)
        self.reset_parameters()

    def reset_parameters(self):
        _default_init(self.weight, self.bias, self.in_features)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Conv2d(Module):
    """2-D convolution (cross-correlation, as PyTorch) over NCHW input; weight of
    shape (out_channels, in_channels // groups, kH, kW)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, dtype=None):
        super().__init__()
        self.in_channels = positive_int(in_channels, "in_channels", "Conv2d")
        self.out_channels = positive_int(out_channels, "out_channels", "Conv2d")
        self.groups = positive_int(groups, "groups", "Conv2d")
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(f"Conv2d: in_channels ({in_channels}) and out_channels "
                             f"({out_channels}) must both be divisible by groups ({groups})")
        self.kernel_size = as_pair(kernel_size, "kernel_size", "Conv2d", minimum=1)
        self.stride = as_pair(stride, "stride", "Conv2d", minimum=1)
        self.padding = as_pair(padding, "padding", "Conv2d", minimum=0)
        self.dilation = as_pair(dilation, "dilation", "Conv2d", minimum=1)
        self.weight = _empty_parameter(
            (self.out_channels, self.in_channels // self.groups) + self.kernel_size, dtype)
        self.register_parameter("bias", _empty_parameter((self.out_channels,), dtype)
                                if bias else None)
        self.reset_parameters()

    def reset_parameters(self):
        fan_in = self.in_channels // self.groups * self.kernel_size[0] * self.kernel_size[1]
        _default_init(self.weight, self.bias, fan_in)

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, stride=self.stride, padding=self.padding,
                        dilation=self.dilation, groups=self.groups)

    def extra_repr(self):
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class _Pool2d(Module):
    function_name = None   # looked up in F at call time

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        # Checked here so a bad setting fails where the model is built, not at its first batch.
        name = type(self).__name__
        as_pair(kernel_size, "kernel_size", name, minimum=1)
        as_pair(kernel_size if stride is None else stride, "stride", name, minimum=1)
        as_pair(padding, "padding", name, minimum=0)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding

    def forward(self, x):
        pool = getattr(F, self.function_name)
        return pool(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """Maximum over each kernel window (stride defaults to kernel_size)."""
    function_name = "max_pool2d"


class AvgPool2d(_Pool2d):
    """Mean over each kernel window (stride defaults to kernel_size)."""
    function_name = "avg_pool2d"


class Flatten(Module):
    """Merge axes start_dim..end_dim into one (by default: all but the batch axis)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


INPLACE_NOTE = ("``inplace=True`` is accepted so PyTorch model code runs unchanged, but the "
                 "result is computed out of place (a new tensor): overwriting the input "
                 "would destroy values that backward may still need.")


class Dropout(Module):
    __doc__ = ("""Zero each element with probability p in training mode (scaling the rest by
    1 / (1 - p)); the identity in eval mode. """ + INPLACE_NOTE)

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        self.p = check_probability(p, "Dropout")
        self.inplace = check_bool(inplace, "Dropout")

    def forward(self, x):
        return F.dropout(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
