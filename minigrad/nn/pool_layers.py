"""Pooling layers: MaxPool2d, AvgPool2d and the adaptive AdaptiveAvgPool2d and
AdaptiveMaxPool2d. They have no parameters: each checks its settings where the model
is built and calls ``minigrad.nn.functional``."""
from __future__ import annotations

import numpy as np

from . import functional as F
from .module import Module
from ..checks import as_pair, check_bool

__all__ = ["MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d"]


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
