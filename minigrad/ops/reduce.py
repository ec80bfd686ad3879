"""Reductions: sum, mean, max, min (differentiable), var (composed), argmax/argmin.

Backward of a reduction spreads the output gradient back over the reduced axes:
``dz`` is reshaped to the keepdims shape and broadcast to the input's shape.

Ties in max/min: the gradient is shared equally among all the elements that
reach the extreme value (as ``torch.amax``); e.g. ``max([1, 3, 3])`` sends
half of the gradient to each 3. Each share is a valid subgradient, and equal
sharing keeps the gradient independent of element order.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..autograd import Function
from .._tensor import Tensor, make_tensor
from ..checks import dim_and_keepdim, keepdims_shape, normalize_axis, one_axis


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


class ValuesIndices(NamedTuple):
    """What ``max(dim)``/``min(dim)`` return, as PyTorch: the values (differentiable)
    and the int64 index of each along ``dim``."""
    values: Tensor
    indices: Tensor


def _reduce(op_class, a, dim, keepdim, numpy_names, name):
    dim, keepdim = dim_and_keepdim(name, dim, keepdim, numpy_names)
    return op_class(normalize_axis(dim, a.ndim, name), keepdim)(a)


def sum(a, dim=None, keepdim=False, **numpy_names):  # noqa: A001  (the tensor method's name)
    return _reduce(Sum, a, dim, keepdim, numpy_names, "sum")


def mean(a, dim=None, keepdim=False, **numpy_names):
    return _reduce(Mean, a, dim, keepdim, numpy_names, "mean")


def amax(a, dim=None, keepdim=False, **numpy_names):
    """The maximum over ``dim`` (all by default); ties share the gradient equally."""
    return _reduce(Max, a, dim, keepdim, numpy_names, "amax")


def amin(a, dim=None, keepdim=False, **numpy_names):
    return _reduce(Min, a, dim, keepdim, numpy_names, "amin")


def max(a, dim=None, keepdim=False, **numpy_names):  # noqa: A001
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
    grid[axis] = indices.data
    values = a[tuple(grid)]
    if not keepdim:
        values, indices = values.squeeze(axis), indices.squeeze(axis)
    return ValuesIndices(values, indices)


def var(a, dim=None, unbiased=None, keepdim=False, *, correction=None, **numpy_names):
    """Variance with PyTorch's default ``correction=1`` (divide by n - 1);
    ``unbiased=False``, ``correction=0`` or numpy's ``ddof=0`` divide by n.
    Composed of differentiable ops: sum((a - mean(a))^2) / (n - correction)."""
    correction = _correction("var", unbiased, correction, numpy_names)
    dim, keepdim = dim_and_keepdim("var", dim, keepdim, numpy_names)
    axes = normalize_axis(dim, a.ndim, "var")
    count = reduced_count(a.shape, axes)
    if count - correction <= 0:
        raise ValueError(f"var: {count} element(s) along dim {dim} is too few for "
                         f"correction={correction} (n - correction must be > 0)")
    centered = a - Mean(axes, True)(a)
    return Sum(axes, keepdim)(centered * centered) * (1.0 / (count - correction))


def std(a, dim=None, unbiased=None, keepdim=False, *, correction=None, **numpy_names):
    return var(a, dim, unbiased, keepdim, correction=correction, **numpy_names).sqrt()


def _correction(op, unbiased, correction, numpy_names):
    given = [name for name, v in (("unbiased", unbiased), ("correction", correction),
                                  ("ddof", numpy_names.get("ddof"))) if v is not None]
    if len(given) > 1:
        raise TypeError(f"{op}: give one of unbiased, correction and ddof, got {given}")
    ddof = numpy_names.pop("ddof", None)
    if unbiased is not None:
        return 1 if unbiased else 0
    value = correction if correction is not None else ddof
    return 1 if value is None else value


def _index_of_extreme(fn, name, a, dim, keepdim):
    if a.size == 0:
        raise ValueError(f"{name}: cannot take the {name} of an empty tensor")
    if dim is not None:
        dim = one_axis(dim, a.ndim, name)
    return make_tensor(np.asarray(fn(a.data, axis=dim, keepdims=keepdim), dtype=np.int64))


def argmax(a, dim=None, keepdim=False, **numpy_names):
    """Index of the (first) maximum, int64, no gradient."""
    dim, keepdim = dim_and_keepdim("argmax", dim, keepdim, numpy_names)
    return _index_of_extreme(np.argmax, "argmax", a, dim, keepdim)


def argmin(a, dim=None, keepdim=False, **numpy_names):
    dim, keepdim = dim_and_keepdim("argmin", dim, keepdim, numpy_names)
    return _index_of_extreme(np.argmin, "argmin", a, dim, keepdim)
