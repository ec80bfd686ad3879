"""Reductions: sum, mean, max, min (differentiable), var (composed), argmax/argmin.

Backward of a reduction spreads the output gradient back over the reduced axes:
``dz`` is reshaped to the keepdims shape and broadcast to the input's shape.

Ties in max/min: the gradient is shared equally among all the elements that
reach the extreme value (as ``torch.amax``); e.g. ``max([1, 3, 3])`` sends
half of the gradient to each 3. Each share is a valid subgradient, and equal
sharing keeps the gradient independent of element order.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..tensor import Tensor, _make
from ._util import keepdims_shape, normalize_axis, one_axis


def _spread(g, in_shape, axes, keepdims):
    """dz of a reduction, broadcast back over the reduced axes of the input."""
    if not keepdims:
        g = g.reshape(keepdims_shape(in_shape, axes))
    return g.expand(*in_shape)


class Sum(Function):
    """z = a.sum(axis).   da = dz broadcast back over ``axis``."""

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, a):
        self._in_shape = a.shape
        return a.sum(axis=self.axis, keepdims=self.keepdims)

    def backward(self, g):
        return _spread(g, self._in_shape, self.axis, self.keepdims)


class Mean(Function):
    """z = a.mean(axis).   da = dz broadcast back over ``axis``, divided by the count."""

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, a):
        self._in_shape = a.shape
        self._count = a.size if self.axis is None else int(np.prod([a.shape[i] for i in self.axis]))
        if self._count == 0:
            raise ValueError(f"mean: cannot average over an empty axis (shape {a.shape}, "
                             f"axis {self.axis})")
        return a.mean(axis=self.axis, keepdims=self.keepdims)

    def backward(self, g):
        return _spread(g, self._in_shape, self.axis, self.keepdims) * (1.0 / self._count)


class _Extremum(Function):
    """Shared by Max and Min: the gradient goes to the elements that reach the
    extreme, split equally among ties."""
    reducer = None

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, a):
        self._in_shape = a.shape
        if a.size == 0 or (self.axis is not None and any(a.shape[i] == 0 for i in self.axis)):
            raise ValueError(f"{self.name.lower()}: cannot reduce an empty tensor "
                             f"(shape {a.shape}, axis {self.axis})")
        out = self.reducer(a, axis=self.axis, keepdims=True)
        hits = a == out
        self.save_for_backward(hits / hits.sum(axis=self.axis, keepdims=True, dtype=a.dtype))
        return out if self.keepdims else out.reshape(
            tuple(n for i, n in enumerate(a.shape) if self.axis is not None and i not in self.axis))

    def backward(self, g):
        share, = self.saved_tensors
        return _spread(g, self._in_shape, self.axis, self.keepdims) * share


class Max(_Extremum):
    """z = a.max(axis).   da = dz at the maxima (ties share it equally), 0 elsewhere."""
    reducer = staticmethod(np.max)


class Min(_Extremum):
    """z = a.min(axis).   da = dz at the minima (ties share it equally), 0 elsewhere."""
    reducer = staticmethod(np.min)


def _reduction(op_class, name):
    def method(self, axis=None, keepdims=False):
        return op_class(normalize_axis(axis, self.ndim, name), bool(keepdims))(self)
    method.__name__ = name
    return method


def var(a, axis=None, keepdims=False, ddof=0):
    """Variance, numpy's convention (``ddof=0``: divide by n; ``ddof=1``: by n - 1).
    Composed of differentiable ops: mean((a - mean(a))^2) * n / (n - ddof)."""
    axes = normalize_axis(axis, a.ndim, "var")
    count = a.size if axes is None else int(np.prod([a.shape[i] for i in axes]))
    if count - ddof <= 0:
        raise ValueError(f"var: {count} element(s) along axis {axis} is too few for ddof={ddof}")
    centered = a - Mean(axes, True)(a)
    return Sum(axes, bool(keepdims))(centered * centered) * (1.0 / (count - ddof))


def std(a, axis=None, keepdims=False, ddof=0):
    return var(a, axis, keepdims, ddof).sqrt()


def _arg(fn, name):
    def method(self, axis=None, keepdims=False):
        if self.size == 0:
            raise ValueError(f"{name}: cannot take the {name} of an empty tensor")
        if axis is not None:
            axis = one_axis(axis, self.ndim, name)
        return _make(np.asarray(fn(self.data, axis=axis, keepdims=keepdims)), False, None)
    method.__name__ = name
    return method


Tensor.sum = _reduction(Sum, "sum")
Tensor.mean = _reduction(Mean, "mean")
Tensor.max = _reduction(Max, "max")
Tensor.min = _reduction(Min, "min")
Tensor.var = var
Tensor.std = std
Tensor.argmax = _arg(np.argmax, "argmax")
Tensor.argmin = _arg(np.argmin, "argmin")
