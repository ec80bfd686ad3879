"""Copying ops that change a shape: pad, flip and repeat.

Each backward moves the gradient back: pad <-> crop, flip <-> flip, repeat <-> sum
of the tiles.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..checks import normalize_axis, shape_args
from .subscript import GetItem


class Pad(Function):
    """y = x padded with ``value`` (numpy's ``pad_width``).
    dx = dy cropped back to x
    """

    def __init__(self, pad_width, value=0.0):
        self.pad_width = pad_width
        self.value = value

    def forward(self, a):
        try:
            width = np.broadcast_to(np.asarray(self.pad_width, dtype=np.int64), (a.ndim, 2))
        except ValueError:
            raise ValueError(f"pad: pad_width {self.pad_width!r} does not fit a tensor of "
                             f"shape {a.shape} (expected an int, a (before, after) pair, or "
                             f"one pair per axis)") from None
        if (width < 0).any():
            raise ValueError(f"pad: pad_width must be >= 0, got {self.pad_width!r}")
        return np.pad(a, width, constant_values=self.value)

    def backward(self, g):
        shape = self.input_shapes[0]
        width = np.broadcast_to(np.asarray(self.pad_width, dtype=np.int64), (len(shape), 2))
        return GetItem(tuple(slice(b, b + n) for (b, _), n in zip(width, shape)))(g)


class Flip(Function):
    """y = x reversed along each axis in ``axes``.
    dx = dy reversed along the same axes
    """

    def __init__(self, axes):
        self.axes = tuple(axes)

    def forward(self, a):
        return np.flip(a, self.axes).copy()   # a copy, as PyTorch's flip (not a view)

    def backward(self, g):
        return Flip(self.axes)(g)


class Repeat(Function):
    """y = x tiled ``repeats`` times along each axis (PyTorch's repeat, numpy's tile).
    dx = the sum of the tiles of dy
    """

    def __init__(self, repeats):
        self.repeats = tuple(repeats)

    def forward(self, a):
        return np.tile(a, self.repeats)

    def backward(self, g):
        # dy viewed as (r_0, n_0, r_1, n_1, ...): summing the r_i axes adds the tiles.
        shape = self.input_shapes[0]
        padded = (1,) * (len(self.repeats) - len(shape)) + tuple(shape)
        interleaved = tuple(n for pair in zip(self.repeats, padded) for n in pair)
        tiles = tuple(range(0, 2 * len(padded), 2))
        return g.reshape(interleaved).sum(dim=tiles).reshape(shape)


# -- functions and Tensor methods ----------------------------------------------------

def pad(a, pad_width, value=0.0):
    return Pad(pad_width, value)(a)


def flip(a, dims):
    """Reverse the order of the elements along ``dims`` (an int or a tuple of ints)."""
    return Flip(normalize_axis(dims, a.ndim, "flip") or ())(a)


def repeat(a, *sizes):
    """PyTorch's ``repeat``: tile ``a`` ``sizes[i]`` times along dim i (numpy's ``tile``);
    ``sizes`` may have more entries than ``a`` has dims (new leading dims)."""
    sizes = shape_args(sizes, "repeat")
    if len(sizes) < a.ndim:
        raise ValueError(f"repeat: give at least one size per dim: {len(sizes)} size(s) "
                         f"{sizes} for a tensor of shape {a.shape}")
    if any(n < 0 for n in sizes):
        raise ValueError(f"repeat: sizes must be >= 0, got {sizes}")
    return Repeat(sizes)(a)
