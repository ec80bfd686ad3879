"""Convolution layers: Conv2d and ConvTranspose2d. Each checks its settings where the
model is built, owns its weight and bias with PyTorch's shapes and default
initialisation, and calls ``minigrad.nn.functional``."""
from __future__ import annotations

import numpy as np

from . import functional as F
from .module import Module
from .parameter import empty_parameter, parameter_dtype, pytorch_default_init
from ..checks import as_pair, positive_int
from ..ops.conv import same_padding

__all__ = ["Conv2d", "ConvTranspose2d"]


def _check_padding_mode(padding_mode, op):
    if padding_mode != "zeros":
        raise ValueError(f"{op}: padding_mode {padding_mode!r} is not supported; minigrad pads "
                         "with zeros only (padding_mode='zeros')")
    return padding_mode


def _channels_and_groups(module, in_channels, out_channels, groups):
    name = type(module).__name__
    module.in_channels = positive_int(in_channels, "in_channels", name)
    module.out_channels = positive_int(out_channels, "out_channels", name)
    module.groups = positive_int(groups, "groups", name)
    if module.in_channels % module.groups or module.out_channels % module.groups:
        raise ValueError(f"{name}: in_channels ({in_channels}) and out_channels "
                         f"({out_channels}) must both be divisible by groups ({groups})")


def _conv_repr(module, defaults):
    text = (f"{module.in_channels}, {module.out_channels}, kernel_size={module.kernel_size}, "
            f"stride={module.stride}")
    for name, default in defaults:
        value = getattr(module, name)
        if value != default:
            text += f", {name}={value}"
    if module.bias is None:
        text += ", bias=False"
    return text


def _add_parameters(module, channel_dims, bias, dtype):
    """A conv's weight, ``channel_dims + kernel_size``, and its bias (or None), then
    PyTorch's initialisation."""
    module.weight = empty_parameter(channel_dims + module.kernel_size, dtype)
    module.register_parameter("bias", empty_parameter((module.out_channels,), dtype)
                              if bias else None)
    module.reset_parameters()


def _reset_parameters(module):
    """PyTorch's default initialisation, whose fan_in is the weight's dim 1 times the kernel
    area: in_channels // groups for Conv2d, out_channels // groups for ConvTranspose2d."""
    kh, kw = module.kernel_size
    pytorch_default_init(module.weight, module.bias, module.weight.shape[1] * kh * kw)


class Conv2d(Module):
    """2-D convolution (cross-correlation, as PyTorch) over NCHW input; weight of
    shape (out_channels, in_channels // groups, kH, kW). ``padding``: an int, a
    pair, 'valid' or 'same' (stride 1 only)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        dtype = parameter_dtype(device, dtype, "Conv2d")
        _channels_and_groups(self, in_channels, out_channels, groups)
        self.kernel_size = as_pair(kernel_size, "kernel_size", "Conv2d", minimum=1)
        self.stride = as_pair(stride, "stride", "Conv2d", minimum=1)
        self.dilation = as_pair(dilation, "dilation", "Conv2d", minimum=1)
        same_padding(padding, stride, dilation, self.kernel_size, "Conv2d")   # the checks only
        self.padding = padding if isinstance(padding, str) else as_pair(padding, "padding",
                                                                        "Conv2d", minimum=0)
        self.padding_mode = _check_padding_mode(padding_mode, "Conv2d")
        _add_parameters(self, (self.out_channels, self.in_channels // self.groups), bias, dtype)

    def reset_parameters(self):
        _reset_parameters(self)

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, stride=self.stride, padding=self.padding,
                        dilation=self.dilation, groups=self.groups)

    def extra_repr(self):
        return _conv_repr(self, (("padding", (0, 0)), ("dilation", (1, 1)), ("groups", 1)))


class ConvTranspose2d(Module):
    """Transposed convolution (the adjoint of Conv2d, "fractionally strided") over
    NCHW input; weight of shape (in_channels, out_channels // groups, kH, kW), as
    PyTorch, with PyTorch's initialisation (its fan_in is out_channels // groups * kH * kW).
    ``forward(x, output_size=None)``: an (H, W) within ``stride`` of the smallest
    output chooses the output_padding, as PyTorch."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        super().__init__()
        name = "ConvTranspose2d"
        dtype = parameter_dtype(device, dtype, name)
        _channels_and_groups(self, in_channels, out_channels, groups)
        self.kernel_size = as_pair(kernel_size, "kernel_size", name, minimum=1)
        self.stride = as_pair(stride, "stride", name, minimum=1)
        self.padding = as_pair(padding, "padding", name, minimum=0)
        self.output_padding = as_pair(output_padding, "output_padding", name, minimum=0)
        self.dilation = as_pair(dilation, "dilation", name, minimum=1)
        if any(self.output_padding[i] >= max(self.stride[i], self.dilation[i]) for i in (0, 1)):
            raise ValueError(f"{name}: output_padding {self.output_padding} must be smaller than "
                             f"stride {self.stride} or dilation {self.dilation} (per axis)")
        self.padding_mode = _check_padding_mode(padding_mode, name)
        _add_parameters(self, (self.in_channels, self.out_channels // self.groups), bias, dtype)

    def reset_parameters(self):
        _reset_parameters(self)

    def forward(self, x, output_size=None):
        output_padding = self.output_padding
        if output_size is not None:
            output_padding = self._output_padding(x, output_size)
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                  output_padding, self.groups, self.dilation)

    def _output_padding(self, x, output_size):
        size = tuple(output_size)
        if len(size) == 4:
            size = size[2:]
        if len(size) != 2 or not all(isinstance(v, (int, np.integer)) for v in size):
            raise ValueError(f"ConvTranspose2d: output_size must be (H, W) or (N, C, H, W) ints, "
                             f"got {output_size!r}")
        if getattr(x, "ndim", None) != 4:
            raise ValueError(f"ConvTranspose2d: input must be 4-D (N, C_in, H, W), got shape "
                             f"{getattr(x, 'shape', None)}")
        padding = []
        for i in (0, 1):
            smallest = ((x.shape[2 + i] - 1) * self.stride[i] - 2 * self.padding[i]
                        + self.dilation[i] * (self.kernel_size[i] - 1) + 1)
            if not smallest <= size[i] < smallest + self.stride[i]:
                raise ValueError(f"ConvTranspose2d: requested an output size of {size}, but "
                                 f"valid sizes along axis {i} range from {smallest} to "
                                 f"{smallest + self.stride[i] - 1} (for an input of "
                                 f"{tuple(x.shape[2:])})")
            padding.append(int(size[i] - smallest))
        return tuple(padding)

    def extra_repr(self):
        return _conv_repr(self, (("padding", (0, 0)), ("output_padding", (0, 0)),
                                 ("dilation", (1, 1)), ("groups", 1)))
