"""Dropout: zero each element with probability p, scale the rest by 1/(1-p)."""
from __future__ import annotations

import numbers

import numpy as np

from ..autograd import Function
from .. import random as _random
from ..checks import check_float_tensor, check_probability


class Dropout(Function):
    """y = x * m / (1 - p), m ~ Bernoulli(1 - p) drawn in forward.
    dx = dy * m / (1 - p) (the same mask)
    """

    def __init__(self, p=0.5):
        self.p = p

    def forward(self, a):
        keep = _random.generator().random(a.shape) >= self.p
        scale = np.asarray(0.0 if self.p == 1 else 1.0 / (1.0 - self.p), dtype=a.dtype)
        mask = keep * scale
        self.save_for_backward(mask)   # the same mask zeroes the same elements of dy
        return a * mask

    def backward(self, g):
        mask, = self.saved_tensors
        return g * mask


def dropout(x, p=0.5, training=True):
    """Zero each element of x with probability p (training only), scaling the rest
    by 1/(1-p). x must be a float tensor: an integer one would be truncated."""
    check_float_tensor(x, "input", "dropout")
    p = check_probability(p, "dropout")
    if not training or p == 0:
        return x
    return Dropout(p)(x)
