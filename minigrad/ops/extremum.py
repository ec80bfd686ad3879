"""The extremum reductions: amax/amin, max/min (with a dim: values and indices) and
argmax/argmin.

Ties in amax/amin (and in max()/min() with no dim): the gradient is shared
equally among all the elements that reach the extreme value, as PyTorch; e.g.
``amax([1, 3, 3])`` sends half of the gradient to each 3. Each share is a valid
subgradient, and equal sharing keeps the gradient independent of element order.
``max(dim)``/``min(dim)`` return indices, and send the gradient to the element
each index names (as PyTorch).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..autograd import Function
from .._tensor import Tensor, make_tensor
from ..checks import dim_and_keepdim, normalize_axis, one_axis
from .reduction_axes import reduce_over_dim, spread_over_reduced


class _Extremum(Function):
    """Shared by Max and Min: the gradient goes to the elements that reach the
    extreme, split equally among ties."""
    reducer = None

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, a):
        self.axis = normalize_axis(self.axis, a.ndim, self.name.lower())   # an int axis too
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
        return spread_over_reduced(g, self.input_shapes[0], self.axis, self.keepdims) * share


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


class ValuesIndices(NamedTuple):
    """What ``max(dim)``/``min(dim)`` return, as PyTorch: the values (differentiable)
    and the int64 index of each along ``dim``."""
    values: Tensor
    indices: Tensor


def amax(a, dim=None, keepdim=False, **numpy_names):
    """The maximum over ``dim`` (all by default); ties share the gradient equally."""
    return reduce_over_dim(Max, a, dim, keepdim, numpy_names, "amax")


def amin(a, dim=None, keepdim=False, **numpy_names):
    return reduce_over_dim(Min, a, dim, keepdim, numpy_names, "amin")


def max(a, dim=None, keepdim=False, **numpy_names):  # noqa: A001  (the tensor method's name)
    """As PyTorch: with no ``dim`` the largest value (ties share its gradient); with
    ``dim`` a ``(values, indices)`` pair, the gradient going to each index taken."""
    return _extreme_along(a, dim, keepdim, numpy_names, "max", Max, np.argmax)


def min(a, dim=None, keepdim=False, **numpy_names):  # noqa: A001
    return _extreme_along(a, dim, keepdim, numpy_names, "min", Min, np.argmin)


def _extreme_along(a, dim, keepdim, numpy_names, name, op_class, arg):
    dim, keepdim = dim_and_keepdim(name, dim, keepdim, numpy_names)
    if dim is None:
        if keepdim:
            raise TypeError(f"{name}: keepdim needs a dim (with no dim the result is one value)")
        return op_class(None, False)(a)
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{name}: dim must be one int (got {dim!r}); for several dims use "
                        f"a{name}, which returns the values only")
    axis = one_axis(dim, a.ndim or 1, name)
    if a.ndim == 0:   # as PyTorch: dim 0 (or -1) of a 0-d tensor is the value itself
        return ValuesIndices(a.clone(), make_tensor(np.zeros((), np.int64)))
    if a.shape[axis] == 0:
        raise ValueError(f"{name}: cannot reduce an empty dim (shape {a.shape}, dim {dim})")
    indices = _index_of_extreme(arg, name, a, dim, True)
    # values = a at the indices: a gather, so the gradient goes to those elements only.
    grid = list(np.indices(indices.shape, sparse=True))
    grid[axis] = indices.array
    values = a[tuple(grid)]
    if not keepdim:
        values, indices = values.squeeze(axis), indices.squeeze(axis)
    return ValuesIndices(values, indices)


def _index_of_extreme(fn, name, a, dim, keepdim):
    if a.size == 0:
        raise ValueError(f"{name}: cannot take the {name} of an empty tensor")
    if dim is not None:
        dim = one_axis(dim, a.ndim, name)
    return make_tensor(np.asarray(fn(a.array, axis=dim, keepdims=keepdim), dtype=np.int64))


def argmax(a, dim=None, keepdim=False, **numpy_names):
    """Index of the (first) maximum, int64, no gradient."""
    dim, keepdim = dim_and_keepdim("argmax", dim, keepdim, numpy_names)
    return _index_of_extreme(np.argmax, "argmax", a, dim, keepdim)


def argmin(a, dim=None, keepdim=False, **numpy_names):
    dim, keepdim = dim_and_keepdim("argmin", dim, keepdim, numpy_names)
    return _index_of_extreme(np.argmin, "argmin", a, dim, keepdim)
