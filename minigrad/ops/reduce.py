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
from .._tensor import Tensor, make_tensor
from ..checks import keepdims_shape, normalize_axis, one_axis


def reduced_count(shape, axes):
    """How many elements each output of a reduction over ``axes`` combines."""
    return int(np.prod(shape if axes is None else [shape[i] for i in axes]))


def _spread(g, in_shape, axes, keepdims):
    """dz of a reduction, broadcast back over the reduced axes of the input."""
    if not keepdims:
        g = g.reshape(keepdims_shape(in_shape, axes))
    return g.expand(*in_shape)


class Sum(Function):
    """y = x.sum(axis).
    dx = dy broadcast back over ``axis``
    """

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, a):
        return a.sum(axis=self.axis, keepdims=self.keepdims)

    def backward(self, g):
        return _spread(g, self.input_shapes[0], self.axis, self.keepdims)


class Mean(Function):
    """y = x.mean(axis).
    dx = dy broadcast back over ``axis``, divided by the count
    """

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, a):
        if reduced_count(a.shape, self.axis) == 0:
            raise ValueError(f"mean: cannot average over an empty axis (shape {a.shape}, "
                             f"axis {self.axis})")
        return a.mean(axis=self.axis, keepdims=self.keepdims)

    def backward(self, g):
        shape = self.input_shapes[0]
        return _spread(g, shape, self.axis, self.keepdims) * (1.0 / reduced_count(shape, self.axis))


class _Extremum(Function):
    """Shared by Max and Min: the gradient goes to the elements that reach the
    extreme, split equally among ties."""
    reducer = None

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, a):
        if a.size == 0 or (self.axis is not None and any(a.shape[i] == 0 for i in self.axis)):
            raise ValueError(f"{self.name.lower()}: cannot reduce an empty tensor "
                             f"(shape {a.shape}, axis {self.axis})")
        out = self.reducer(a, axis=self.axis, keepdims=True)
        hits = a == out
        if self.needs_input_grad[0]:   # each element's share of dy: 1/ties at an extreme
            self.save_for_backward(hits / hits.sum(axis=self.axis, keepdims=True, dtype=a.dtype))
        return out if self.keepdims else out.reshape(
            tuple(n for i, n in enumerate(a.shape) if self.axis is not None and i not in self.axis))

    def backward(self, g):
        share, = self.saved_tensors
        return _spread(g, self.input_shapes[0], self.axis, self.keepdims) * share


class Max(_Extremum):
    """y = x.max(axis).
    dx = dy at the maxima (ties share it equally), 0 elsewhere
    """
    reducer = staticmethod(np.max)


class Min(_Extremum):
    """y = x.min(axis).
    dx = dy at the minima (ties share it equally), 0 elsewhere
    """
    reducer = staticmethod(np.min)


def _reduce(op_class, a, axis, keepdims, name):
    return op_class(normalize_axis(axis, a.ndim, name), bool(keepdims))(a)


def sum(a, axis=None, keepdims=False):  # noqa: A001  (the tensor method's name)
    return _reduce(Sum, a, axis, keepdims, "sum")


def mean(a, axis=None, keepdims=False):
    return _reduce(Mean, a, axis, keepdims, "mean")


def max(a, axis=None, keepdims=False):  # noqa: A001
    return _reduce(Max, a, axis, keepdims, "max")


def min(a, axis=None, keepdims=False):  # noqa: A001
    return _reduce(Min, a, axis, keepdims, "min")


def var(a, axis=None, keepdims=False, ddof=0):
    """Variance, numpy's convention (``ddof=0``: divide by n; ``ddof=1``: by n - 1).
    Composed of differentiable ops: mean((a - mean(a))^2) * n / (n - ddof)."""
    axes = normalize_axis(axis, a.ndim, "var")
    count = reduced_count(a.shape, axes)
    if count - ddof <= 0:
        raise ValueError(f"var: {count} element(s) along axis {axis} is too few for ddof={ddof}")
    centered = a - Mean(axes, True)(a)
    return Sum(axes, bool(keepdims))(centered * centered) * (1.0 / (count - ddof))


def std(a, axis=None, keepdims=False, ddof=0):
    return var(a, axis, keepdims, ddof).sqrt()


def _index_of_extreme(fn, name, a, axis, keepdims):
    if a.size == 0:
        raise ValueError(f"{name}: cannot take the {name} of an empty tensor")
    if axis is not None:
        axis = one_axis(axis, a.ndim, name)
    return make_tensor(np.asarray(fn(a.data, axis=axis, keepdims=keepdims)))


def argmax(a, axis=None, keepdims=False):
    """Index of the (first) maximum, no gradient."""
    return _index_of_extreme(np.argmax, "argmax", a, axis, keepdims)


def argmin(a, axis=None, keepdims=False):
    return _index_of_extreme(np.argmin, "argmin", a, axis, keepdims)
