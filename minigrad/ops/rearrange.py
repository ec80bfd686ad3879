"""Rearranging elements without changing them: ``pixel_shuffle`` / ``pixel_unshuffle``
(sub-pixel convolution's depth-to-space and its inverse) and ``unflatten``.

Each is a reshape and a permute, so it is exact, and its gradient is the same
rearrangement run backwards (the reshape and permute ops' own backward); no new op
is needed.

pixel_shuffle with factor r: (*, C r^2, H, W) -> (*, C, H r, W r), where
y[..., c, h r + i, w r + j] = x[..., c r^2 + i r + j, h, w];
pixel_unshuffle is its inverse.
"""
from __future__ import annotations

import math
import operator

from .._tensor import Tensor
from ..checks import one_axis, positive_int


def _check_image(x, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(x).__name__}")
    if x.ndim < 3:
        raise ValueError(f"{op}: input must have at least 3 dims (*, C, H, W), got shape "
                         f"{x.shape}")


def pixel_shuffle(input, upscale_factor):  # noqa: A002  (PyTorch's argument name)
    """(*, C r^2, H, W) -> (*, C, H r, W r): each group of r^2 channels becomes an r x r
    block of pixels (PyTorch's F.pixel_shuffle)."""
    op = "pixel_shuffle"
    _check_image(input, op)
    r = positive_int(upscale_factor, "upscale_factor", op)
    *batch, channels, height, width = input.shape
    if channels % (r * r):
        raise ValueError(f"{op}: the channel dim (-3) of input of shape {input.shape} must be "
                         f"divisible by upscale_factor^2 = {r * r}")
    k = len(batch)
    split = input.reshape(*batch, channels // (r * r), r, r, height, width)
    # (*, C, i, j, H, W) -> (*, C, H, i, W, j)
    order = tuple(range(k)) + tuple(k + d for d in (0, 3, 1, 4, 2))
    return split.permute(*order).reshape(*batch, channels // (r * r), height * r, width * r)


def pixel_unshuffle(input, downscale_factor):  # noqa: A002
    """(*, C, H r, W r) -> (*, C r^2, H, W): each r x r block of pixels becomes r^2
    channels, the inverse of pixel_shuffle (PyTorch's F.pixel_unshuffle)."""
    op = "pixel_unshuffle"
    _check_image(input, op)
    r = positive_int(downscale_factor, "downscale_factor", op)
    *batch, channels, height, width = input.shape
    if height % r or width % r:
        raise ValueError(f"{op}: the height and width of input of shape {input.shape} must be "
                         f"divisible by downscale_factor ({r})")
    k = len(batch)
    split = input.reshape(*batch, channels, height // r, r, width // r, r)
    # (*, C, H, i, W, j) -> (*, C, i, j, H, W)
    order = tuple(range(k)) + tuple(k + d for d in (0, 2, 4, 1, 3))
    return split.permute(*order).reshape(*batch, channels * r * r, height // r, width // r)


def unflattened_sizes(sizes, op):
    """``unflattened_size`` as a tuple of ints (one of them may be -1)."""
    if not isinstance(sizes, (tuple, list)):
        raise TypeError(f"{op}: unflattened_size must be a tuple of ints, got "
                        f"{type(sizes).__name__} {sizes!r}")
    try:
        sizes = tuple(operator.index(s) for s in sizes)
    except TypeError:
        raise TypeError(f"{op}: unflattened_size must be a tuple of ints, got {sizes!r}") from None
    if not sizes or sizes.count(-1) > 1 or any(s < -1 for s in sizes):
        raise ValueError(f"{op}: unflattened_size must be non-empty sizes >= 0, at most one "
                         f"of them -1, got {sizes}")
    return sizes


def unflatten(input, dim, sizes):  # noqa: A002
    """Split dim ``dim`` of ``input`` into ``sizes`` (PyTorch's ``Tensor.unflatten``;
    one size may be -1, inferred)."""
    op = "unflatten"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    sizes = unflattened_sizes(sizes, op)
    axis = one_axis(dim, input.ndim, op)
    length = input.shape[axis]
    known = math.prod(s for s in sizes if s != -1)
    if -1 in sizes:
        if known == 0 or length % known:
            raise ValueError(f"{op}: sizes {sizes} cannot split dim {dim} of size {length} "
                             f"(input of shape {input.shape})")
        sizes = tuple(length // known if s == -1 else s for s in sizes)
    elif known != length:
        raise ValueError(f"{op}: sizes {sizes} do not multiply up to the size of dim {dim} "
                         f"({length}) of input of shape {input.shape}")
    return input.reshape(*input.shape[:axis], *sizes, *input.shape[axis + 1:])
