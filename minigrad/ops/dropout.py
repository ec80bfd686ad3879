"""Dropout: zero each element (``dropout``) or each whole channel (``dropout2d``)
with probability p, and scale the rest by 1/(1-p)."""
from __future__ import annotations

import warnings

import numpy as np

from ..autograd import Function
from .. import random as _random
from ..checks import check_float_tensor, check_probability
from . import buffers
from .layout import output_like


class Dropout(Function):
    """y = x * m / (1 - p), m ~ Bernoulli(1 - p) drawn in forward.
    dx = dy * m / (1 - p) (the same mask)
    """

    def __init__(self, p=0.5):
        self.p = p

    def mask_shape(self, shape):
        return shape

    def forward(self, a):
        shape = self.mask_shape(a.shape)
        # Drawn in C order, so the mask depends on the shape and the seed only, never on
        # how a lies in memory. (Large arrays come from the buffer pool: ops/buffers.py.)
        uniform = _random.generator().random(shape, out=buffers.empty_if_large(shape, np.float64))
        keep = np.greater_equal(uniform, self.p, out=output_like(uniform, np.bool_))
        scale = np.asarray(0.0 if self.p == 1 else 1.0 / (1.0 - self.p), dtype=a.dtype)
        # The mask is laid out like a (a conv output is stored batch-last), so the
        # multiply below streams through both and y and dy keep a's layout.
        if shape == a.shape:
            pooled = output_like(a, a.dtype)
            mask = np.multiply(keep, scale, out=np.empty_like(a) if pooled is None else pooled)
        else:
            mask = np.multiply(keep, scale, out=output_like(keep, a.dtype))
        self.save_for_backward(mask)   # the same mask zeroes the same elements of dy
        same_shape = a.shape == mask.shape   # (dropout2d's mask broadcasts)
        return np.multiply(a, mask, out=output_like(a, np.result_type(a, mask)) if same_shape
                           else None)

    def backward(self, g):
        mask, = self.saved_tensors
        return g * mask


class Dropout2d(Dropout):
    """y = x * m / (1 - p), one m ~ Bernoulli(1 - p) per (sample, channel), drawn in
        forward and shared by the channel's positions.
    dx = dy * m / (1 - p) (the same mask)
    """

    def mask_shape(self, shape):
        return shape[:2] + (1,) * (len(shape) - 2)


def dropout(x, p=0.5, training=True):
    """Zero each element of x with probability p (training only), scaling the rest
    by 1/(1-p). x must be a float tensor: an integer one would be truncated."""
    check_float_tensor(x, "input", "dropout")
    p = check_probability(p, "dropout")
    if not training or p == 0:
        return x
    return Dropout(p)(x)


def dropout2d(x, p=0.5, training=True):
    """Zero whole channels: each (sample, channel) of (N, C, H, W) input, or of
    (N, C, L) input as PyTorch reads a 3-D one, is dropped with probability p (in
    training), the rest scaled by 1/(1-p). As PyTorch, other ranks of at least 2
    dims warn and still run: a 2-D (N, C) input drops single elements, a 5-D one
    whole (N, C) volumes; a 3-D input warns that it is read as (N, C, L)."""
    op = "dropout2d"
    check_float_tensor(x, "input", op)
    p = check_probability(p, op)
    if x.ndim < 2:
        raise ValueError(f"{op}: input must have at least 2 dims (a channel axis 1), got shape "
                         f"{x.shape}")
    # The warnings open as PyTorch's do, so a filter on PyTorch's message silences them too.
    if x.ndim not in (3, 4):
        warnings.warn(f"{op}: Received a {x.ndim}-D input to dropout2d, which PyTorch "
                      f"deprecates: it drops whole channels of (N, C, H, W) or (N, C, L) input; "
                      f"for a {x.ndim}-D input use dropout (shape {x.shape})",
                      UserWarning, stacklevel=2)
    if x.ndim == 3:
        warnings.warn(f"{op}: Received a 3D input to dropout2d and assuming that channel-wise "
                      f"1D dropout is meant: the input of shape {x.shape} is read as (N, C, L), "
                      f"not as an unbatched (C, H, W) image, as PyTorch reads it",
                      UserWarning, stacklevel=2)
    if not training or p == 0:
        return x
    return Dropout2d(p)(x)
