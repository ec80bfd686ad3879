"""Layers with parameters (Linear, Conv2d), pooling, reshaping, dropout and
activation modules. Each one is a thin wrapper over ``minigrad.nn.functional``
(the math and its hand-written gradient live in ``minigrad/ops``); the module
owns the parameters and PyTorch's default initialisation."""
from __future__ import annotations

import math

import numpy as np

from . import functional as F
from . import init
from .module import Module, Parameter, parameter_dtype
from ..checks import as_pair, check_bool, check_probability, positive_int
from ..ops.conv import same_padding
from ..ops.rearrange import unflatten, unflattened_sizes

__all__ = ["Identity", "Linear", "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d",
           "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "Upsample", "Flatten", "Dropout",
           "PixelShuffle", "PixelUnshuffle", "Unflatten"]


def _empty_parameter(shape, dtype):
    """``dtype``: a numpy dtype from ``parameter_dtype``."""
    return Parameter(np.empty(shape, dtype=dtype))


def _default_init(weight, bias, fan_in):
    """PyTorch's default for Linear and Conv: kaiming_uniform_ with a = sqrt(5)
    (which works out to U(-1/sqrt(fan_in), 1/sqrt(fan_in))) for the weight, and
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        init.uniform_(bias, -bound, bound)


class Identity(Module):
    """y = x. Takes and ignores any arguments, as PyTorch's (a drop-in for a layer)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        return x


class Linear(Module):
    """y = x @ weight^T + bias, weight of shape (out_features, in_features)."""

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        dtype = parameter_dtype(device, dtype, "Linear")
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
        self.weight = _empty_parameter(
            (self.in_channels, self.out_channels // self.groups) + self.kernel_size, dtype)
        self.register_parameter("bias", _empty_parameter((self.out_channels,), dtype)
                                if bias else None)
        self.reset_parameters()

    def reset_parameters(self):
        # PyTorch computes fan_in from the weight's dim 1, which here is out_channels // groups.
        fan_in = self.out_channels // self.groups * self.kernel_size[0] * self.kernel_size[1]
        _default_init(self.weight, self.bias, fan_in)

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


class _Pool2d(Module):
    function_name = None   # looked up in F at call time
    #: (name, default) of the options after kernel_size, stride, padding, in F's order
    options = ()

    def __init__(self, kernel_size, stride=None, padding=0, **options):
        super().__init__()
        # Checked here so a bad setting fails where the model is built, not at its first batch.
        name = type(self).__name__
        as_pair(kernel_size, "kernel_size", name, minimum=1)
        as_pair(kernel_size if stride is None else stride, "stride", name, minimum=1)
        as_pair(padding, "padding", name, minimum=0)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        for option, _ in self.options:
            value = options[option]
            if option == "dilation":
                as_pair(value, option, name, minimum=1)
            else:
                check_bool(value, name, option)
            setattr(self, option, value)

    def forward(self, x):
        pool = getattr(F, self.function_name)
        return pool(x, self.kernel_size, self.stride, self.padding,
                    *[getattr(self, option) for option, _ in self.options])

    def extra_repr(self):
        text = f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
        for option, default in self.options:   # PyTorch's own repr lists them all
            if getattr(self, option) != default:
                text += f", {option}={getattr(self, option)}"
        return text


class MaxPool2d(_Pool2d):
    """Maximum over each kernel window (stride defaults to kernel_size); PyTorch's
    arguments and order: dilation, return_indices, ceil_mode."""
    function_name = "max_pool2d"
    options = (("dilation", 1), ("ceil_mode", False), ("return_indices", False))

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__(kernel_size, stride, padding, dilation=dilation,
                         return_indices=return_indices, ceil_mode=ceil_mode)


class AvgPool2d(_Pool2d):
    """Mean over each kernel window (stride defaults to kernel_size)."""
    function_name = "avg_pool2d"
    options = (("ceil_mode", False), ("count_include_pad", True))

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        super().__init__(kernel_size, stride, padding, ceil_mode=ceil_mode,
                         count_include_pad=count_include_pad)


def _check_output_size(output_size, name):
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    if len(sizes) != 2 or not all(s is None or (isinstance(s, (int, np.integer))
                                                and not isinstance(s, bool) and s >= 0)
                                  for s in sizes):
        raise ValueError(f"{name}: output_size must be an int >= 0 or an (H, W) pair of them "
                         f"(None keeps the input's size), got {output_size!r}")
    return output_size


class AdaptiveAvgPool2d(Module):
    """Mean over PyTorch's adaptive windows: any input to an output of ``output_size``."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = _check_output_size(output_size, "AdaptiveAvgPool2d")

    def forward(self, x):
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    """Max over PyTorch's adaptive windows: any input to an output of ``output_size``."""

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = _check_output_size(output_size, "AdaptiveMaxPool2d")
        self.return_indices = check_bool(return_indices, "AdaptiveMaxPool2d", "return_indices")

    def forward(self, x):
        return F.adaptive_max_pool2d(x, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class Upsample(Module):
    """Resize NCHW images to ``size`` or by ``scale_factor`` (``F.interpolate``);
    mode 'nearest' only."""

    def __init__(self, size=None, scale_factor=None, mode="nearest"):
        super().__init__()
        if mode != "nearest":
            raise ValueError(f"Upsample: mode {mode!r} is not supported; minigrad implements "
                             "mode='nearest' only")
        if (size is None) == (scale_factor is None):
            raise ValueError(f"Upsample: give exactly one of size and scale_factor, got "
                             f"size={size!r}, scale_factor={scale_factor!r}")
        self.size = size
        # As PyTorch: a number is kept as a float, a pair as floats.
        self.scale_factor = (None if scale_factor is None else
                             tuple(float(s) for s in scale_factor)
                             if isinstance(scale_factor, (tuple, list)) else float(scale_factor))
        self.mode = mode

    def forward(self, x):
        return F.interpolate(x, self.size, self.scale_factor, self.mode)

    def extra_repr(self):
        if self.scale_factor is not None:
            return f"scale_factor={self.scale_factor!r}, mode={self.mode!r}"
        return f"size={self.size!r}, mode={self.mode!r}"


class Flatten(Module):
    """Merge axes start_dim..end_dim into one (by default: all but the batch axis)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size`` (the inverse of Flatten; one size
    may be -1)."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
            raise TypeError(f"Unflatten: dim must be an int, got {type(dim).__name__} {dim!r}")
        unflattened_sizes(unflattened_size, "Unflatten")   # the checks only
        self.dim, self.unflattened_size = int(dim), unflattened_size

    def forward(self, x):
        return unflatten(x, self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class PixelShuffle(Module):
    """(*, C r^2, H, W) -> (*, C, H r, W r) with r = upscale_factor (sub-pixel
    convolution's upsampling)."""

    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = positive_int(upscale_factor, "upscale_factor", "PixelShuffle")

    def forward(self, x):
        return F.pixel_shuffle(x, self.upscale_factor)

    def extra_repr(self):
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H r, W r) -> (*, C r^2, H, W) with r = downscale_factor (the inverse of
    PixelShuffle)."""

    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = positive_int(downscale_factor, "downscale_factor",
                                             "PixelUnshuffle")

    def forward(self, x):
        return F.pixel_unshuffle(x, self.downscale_factor)

    def extra_repr(self):
        return f"downscale_factor={self.downscale_factor}"


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
