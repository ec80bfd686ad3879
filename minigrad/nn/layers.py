"""Layers that are not convolutions or pooling: Identity, Linear, Upsample, Flatten,
Unflatten, PixelShuffle/PixelUnshuffle and Dropout (conv layers: ``conv_layers.py``;
pooling: ``pool_layers.py``). Each one is a thin wrapper over
``minigrad.nn.functional`` (the math and its hand-written gradient live in
``minigrad/ops``); the module owns the parameters and PyTorch's default
initialisation."""
from __future__ import annotations

import numpy as np

from . import functional as F
from .module import Module
from .parameter import empty_parameter, parameter_dtype, pytorch_default_init
from ..checks import check_bool, check_probability, positive_int
from ..ops.rearrange import unflatten, unflattened_sizes

__all__ = ["Identity", "Linear", "Upsample", "Flatten", "Dropout", "PixelShuffle",
           "PixelUnshuffle", "Unflatten"]


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
        self.weight = empty_parameter((self.out_features, self.in_features), dtype)
        self.register_parameter("bias", empty_parameter((self.out_features,), dtype)
                                if bias else None)
        self.reset_parameters()

    def reset_parameters(self):
        pytorch_default_init(self.weight, self.bias, self.in_features)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


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
