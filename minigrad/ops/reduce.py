"""Reductions: sum, mean, max, min, prod, logsumexp, norm, cumsum (differentiable),
var (composed), argmax/argmin.

Backward of a reduction spreads the output gradient back over the reduced axes:
``dy`` is reshaped to the keepdims shape and broadcast to the input's shape.

Ties in amax/amin (and in max()/min() with no dim): the gradient is shared
equally among all the elements that reach the extreme value, as PyTorch; e.g.
``amax([1, 3, 3])`` sends half of the gradient to each 3. Each share is a valid
subgradient, and equal sharing keeps the gradient independent of element order.
``max(dim)``/``min(dim)`` return indices, and send the gradient to the element
each index names (as PyTorch).

(Just over 400 lines: every reduction and its tie rule in one family.)
"""
from __future__ import annotations

import math
import warnings
from typing import NamedTuple

import numpy as np

from ..autograd import Function, Input, OUTPUT
from .._tensor import Tensor, make_tensor
from ..checks import (check_float_tensor, check_number, dim_and_keepdim, keepdims_shape,
                      normalize_axis, one_axis)
from ..promotion import accumulate_dtype, float_result_dtype
from .layout import mean_over, sum_over
from .shape import Flip


def reduced_count(shape, axes):
    """How many elements each output of a reduction over ``axes`` combines."""
    return int(np.prod(shape if axes is None else [shape[i] for i in axes]))


def reduced_shape(shape, axes):
    """The shape of a reduction over ``axes`` (None: all) without keepdims."""
    return () if axes is None else tuple(n for i, n in enumerate(shape) if i not in axes)


def output_shape(shape, axes, keepdims):
    return keepdims_shape(shape, axes) if keepdims else reduced_shape(shape, axes)


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
        self.axis = normalize_axis(self.axis, a.ndim, "sum")   # Sum(axis=-1) may come directly
        if a.dtype.kind in "biu":   # as PyTorch: bools and integers sum to int64
            sums = a.sum(axis=self.axis, keepdims=True, dtype=accumulate_dtype(a.dtype))
        else:
            sums = sum_over(a, self.axis)
        return sums.reshape(output_shape(a.shape, self.axis, self.keepdims))

    def backward(self, g):
        return _spread(g, self.input_shapes[0], self.axis, self.keepdims)


class Mean(Function):
    """y = x.mean(axis).
    dx = dy broadcast back over ``axis``, divided by the count
    """

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, a):
        self.axis = normalize_axis(self.axis, a.ndim, "mean")
        shape = output_shape(a.shape, self.axis, self.keepdims)
        if reduced_count(a.shape, self.axis) == 0:   # as PyTorch: 0 / 0, NaN
            return np.full(shape, np.nan, dtype=a.dtype)
        return mean_over(a, self.axis).reshape(shape)

    def backward(self, g):
        shape = self.input_shapes[0]
        count = reduced_count(shape, self.axis)   # 0: the input, and its gradient, are empty
        return _spread(g, shape, self.axis, self.keepdims) * (1.0 / count if count else 1.0)


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


class Prod(Function):
    """y = x.prod(axis) (one axis, or all elements).
    dx = dy * (the product of the other elements), broadcast back over ``axis``
    """

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, a):
        self.axis = normalize_axis(self.axis, a.ndim, "prod")   # an int axis too
        self.save_for_backward(Input(0))
        return np.asarray(np.prod(a, axis=self.axis, keepdims=self.keepdims,
                                  dtype=accumulate_dtype(a.dtype)))

    def backward(self, g):
        # No division by x (it breaks at zeros): the product of the others is a
        # product of exclusive left and right running products (ProdOthers).
        x, = self.saved_tensors
        shape = self.input_shapes[0]
        if self.axis == ():   # a 0-d tensor's prod is the value itself
            return g
        if self.axis is None:
            others = ProdOthers()(x.reshape(-1)).reshape(shape)
        else:
            axis = self.axis[0]
            others = ProdOthers()(x.transpose(axis, -1)).transpose(axis, -1)
        return _spread(g, shape, self.axis, self.keepdims) * others


class ProdOthers(Function):
    """y_i = the product of x_j over j != i along the last axis (prod's gradient factor).
    dx_k = sum over i != k of dy_i * (the product of x_j over j != i, k)
    """

    def forward(self, a):
        self.save_for_backward(Input(0))
        if a.shape[-1] == 0:
            return a.copy()
        ones = np.ones(a.shape[:-1] + (1,), dtype=a.dtype)
        before = np.cumprod(np.concatenate([ones, a[..., :-1]], axis=-1), axis=-1)
        after = np.cumprod(np.concatenate([ones, a[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
        return before * after

    def backward(self, g):
        # Row k of a (..., n, n) copy of x with x_k set to 1: its ProdOthers at i != k
        # is the product over j != i, k. Only second derivatives of prod come here.
        x, = self.saved_tensors
        n = x.shape[-1]
        diagonal = np.eye(n, dtype=bool)
        rows = x.unsqueeze(-2).expand(*x.shape[:-1], n, n).masked_fill(diagonal, 1.0)
        return (ProdOthers()(rows) * g.unsqueeze(-2)).masked_fill(diagonal, 0.0).sum(-1)


class LogSumExp(Function):
    """y = log(sum(exp(x), axis)), shifted by the max so huge values do not overflow.
    dx = dy * exp(x - y) (softmax of x), broadcast back over ``axis``
    """

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, a):
        self.axis = normalize_axis(self.axis, a.ndim, "logsumexp")   # an int axis too
        self.save_for_backward(Input(0), OUTPUT)
        top = np.max(a, axis=self.axis, keepdims=True) if a.size else np.zeros((1,) * a.ndim, a.dtype)
        top = np.where(np.isfinite(top), top, 0)   # all -inf (or an inf): no shift, as PyTorch
        with np.errstate(divide="ignore"):
            out = np.log(np.exp(a - top).sum(axis=self.axis, keepdims=True)) + top
        return out if self.keepdims else out.reshape(reduced_shape(a.shape, self.axis))

    def backward(self, g):
        x, out = self.saved_tensors
        shape = self.input_shapes[0]
        return _spread(g, shape, self.axis, self.keepdims) * (
            x - _spread(out, shape, self.axis, self.keepdims)).exp()


class Cumsum(Function):
    """y_i = x_1 + ... + x_i along ``axis``.
    dx_i = dy_i + ... + dy_n (the cumulative sum from the end: flip, cumsum, flip)
    """

    def __init__(self, axis):
        self.axis = axis

    def forward(self, a):
        if a.dtype.kind in "biu":   # as PyTorch: int64
            return np.cumsum(a, axis=self.axis, dtype=accumulate_dtype(a.dtype))
        if a.dtype.itemsize < 8 and a.dtype.kind == "f":
            # a float32 running sum drifts (3,000 x 0.1 ends at 300.009); PyTorch's CPU
            # kernel accumulates wider, so float64 here, then back to the input's dtype
            return np.cumsum(a, axis=self.axis, dtype=np.float64).astype(a.dtype)
        return np.cumsum(a, axis=self.axis)

    def backward(self, g):
        return Flip((self.axis,))(Cumsum(self.axis)(Flip((self.axis,))(g)))


class Norm(Function):
    """y = (sum |x|^p)^(1/p) over ``axis`` (p = inf: max |x|, p = 0: the nonzero count).
    dx = dy * sign(x) * |x|^(p-1) / y^(p-1) (p = 2: dy * x / y; p = 1: dy * sign(x);
        p = inf: dy * sign(x) at the largest |x|, ties sharing it; 0 where y = 0)
    """

    def __init__(self, p=2.0, axis=None, keepdims=False):
        self.p, self.axis, self.keepdims = p, axis, keepdims

    def forward(self, a):
        self.axis = normalize_axis(self.axis, a.ndim, "norm")   # an int axis too
        p, axis, magnitude = self.p, self.axis, np.abs(a)
        if self.needs_input_grad[0]:
            self.save_for_backward(Input(0), OUTPUT)
        if p == 2:
            out = np.sqrt((a * a).sum(axis=axis, keepdims=self.keepdims))
        elif p == 1:
            out = magnitude.sum(axis=axis, keepdims=self.keepdims)
        elif np.isinf(p):
            extreme = np.max if p > 0 else np.min
            out = extreme(magnitude, axis=axis, keepdims=self.keepdims)
        elif p == 0:
            out = (a != 0).sum(axis=axis, keepdims=self.keepdims).astype(a.dtype)
        else:
            out = (magnitude ** p).sum(axis=axis, keepdims=self.keepdims) ** (1.0 / p)
        return np.asarray(out, dtype=a.dtype)

    def backward(self, g):
        x, out = self.saved_tensors
        shape, p = self.input_shapes[0], self.p
        g = _spread(g, shape, self.axis, self.keepdims)
        y = _spread(out, shape, self.axis, self.keepdims)
        zero_norm = y.array == 0   # as PyTorch: the gradient at a zero norm is 0
        sign = make_tensor(np.sign(x.array), False, None)
        if p == 0:
            return g * 0.0
        if p == 1:
            return g * sign
        if np.isinf(p):
            at_extreme = np.abs(x.array) == y.array
            ties = at_extreme.sum(axis=self.axis, keepdims=True)
            return g * sign * make_tensor(at_extreme / ties.astype(x.dtype), False, None)
        safe_y = y.masked_fill(zero_norm, 1.0)
        if p == 2:
            return (g * x / safe_y).masked_fill(zero_norm, 0.0)
        magnitude = x.abs()
        if p < 1:   # |x|^(p-1) is infinite at x = 0, where PyTorch's gradient is 0 (sign 0)
            magnitude = magnitude.masked_fill(x.array == 0, 1.0)
        return (g * sign * (magnitude / safe_y) ** (p - 1)).masked_fill(zero_norm, 0.0)


class ValuesIndices(NamedTuple):
    """What ``max(dim)``/``min(dim)`` return, as PyTorch: the values (differentiable)
    and the int64 index of each along ``dim``."""
    values: Tensor
    indices: Tensor


def reduction_axes(dim, ndim, op):
    """The axes a reduction over ``dim`` covers (None: all). As PyTorch, an empty
    tuple or list of dims reduces over all of them, not over none."""
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        return None
    return normalize_axis(dim, ndim, op)


def _reduce(op_class, a, dim, keepdim, numpy_names, name):
    dim, keepdim = dim_and_keepdim(name, dim, keepdim, numpy_names)
    return op_class(reduction_axes(dim, a.ndim, name), keepdim)(a)


def sum(a, dim=None, keepdim=False, **numpy_names):  # noqa: A001  (the tensor method's name)
    return _reduce(Sum, a, dim, keepdim, numpy_names, "sum")


def mean(a, dim=None, keepdim=False, **numpy_names):
    """The mean over ``dim``; an integer tensor's is float32 (API.md), an empty one's NaN."""
    if a.array.dtype.kind not in "fc":
        a = a.astype(float_result_dtype(a))
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
    grid[axis] = indices.array
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
    axes = reduction_axes(dim, a.ndim, "var")
    count = reduced_count(a.shape, axes)
    if count - correction > 0:
        centered = a - Mean(axes, True)(a)
        return Sum(axes, keepdim)(centered * centered) * (1.0 / (count - correction))
    # As PyTorch: the divisor is max(n - correction, 0), so one element's variance is
    # 0 / 0 = NaN (a warning, not an error), and a spread over too few is inf.
    warnings.warn(f"var: degrees of freedom <= 0 ({count} element(s) along dim {dim}, "
                  f"correction={correction}); the result is NaN or inf", UserWarning, stacklevel=3)
    with np.errstate(invalid="ignore", divide="ignore"):
        centered = a - Mean(axes, True)(a)
        return Sum(axes, keepdim)(centered * centered) * math.inf


class SqrtOfVariance(Function):
    """y = sqrt(x) (x a variance: std is the square root of var).
    dx = dy / (2 * y), and 0 where y = 0 (as PyTorch's std: a constant row's gradient is 0)
    """

    def forward(self, a):
        if self.needs_input_grad[0]:
            self.save_for_backward(OUTPUT)
        return np.sqrt(a)

    def backward(self, g):
        y, = self.saved_tensors
        zero = y.array == 0
        return (g / (y.masked_fill(zero, 1.0) * 2.0)).masked_fill(zero, 0.0)


def std(a, dim=None, unbiased=None, keepdim=False, *, correction=None, **numpy_names):
    return SqrtOfVariance()(var(a, dim, unbiased, keepdim, correction=correction, **numpy_names))


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
    return make_tensor(np.asarray(fn(a.array, axis=dim, keepdims=keepdim), dtype=np.int64))


def argmax(a, dim=None, keepdim=False, **numpy_names):
    """Index of the (first) maximum, int64, no gradient."""
    dim, keepdim = dim_and_keepdim("argmax", dim, keepdim, numpy_names)
    return _index_of_extreme(np.argmax, "argmax", a, dim, keepdim)


def argmin(a, dim=None, keepdim=False, **numpy_names):
    dim, keepdim = dim_and_keepdim("argmin", dim, keepdim, numpy_names)
    return _index_of_extreme(np.argmin, "argmin", a, dim, keepdim)


def prod(a, dim=None, keepdim=False, **numpy_names):
    """The product over one ``dim`` (all elements by default, as PyTorch)."""
    dim, keepdim = dim_and_keepdim("prod", dim, keepdim, numpy_names)
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"prod: dim must be one int or None, got {dim!r}")
    return Prod(normalize_axis(dim, a.ndim, "prod"), keepdim)(a)


def logsumexp(a, dim, keepdim=False, **numpy_names):
    """log(sum(exp(a))) over ``dim`` (an int or a tuple), stable for huge values."""
    dim, keepdim = dim_and_keepdim("logsumexp", dim, keepdim, numpy_names)
    check_float_tensor(a, "input", "logsumexp")
    if dim is None:
        raise TypeError("logsumexp: dim is required (an int or a tuple of ints), as in PyTorch")
    return LogSumExp(normalize_axis(dim, a.ndim, "logsumexp"), keepdim)(a)


def cumsum(a, dim=None, **numpy_names):
    """Running sums along ``dim`` (required: numpy's default of flattening is not PyTorch's)."""
    dim, _ = dim_and_keepdim("cumsum", dim, False, numpy_names)
    if dim is None or isinstance(dim, (tuple, list)):
        raise TypeError(f"cumsum: dim must be one int (it is required, as in PyTorch), got {dim!r}")
    if a.ndim == 0:
        one_axis(dim, 1, "cumsum")
        return a.clone()
    return Cumsum(one_axis(dim, a.ndim, "cumsum"))(a)


def norm(a, p=2, dim=None, keepdim=False, **numpy_names):
    """The p-norm over ``dim`` (all elements by default): p a positive number, inf,
    -inf (the smallest |x|), 0 (the count of nonzeros) or 'fro' (= 2)."""
    dim, keepdim = dim_and_keepdim("norm", dim, keepdim, numpy_names)
    check_float_tensor(a, "input", "norm")
    if isinstance(p, str):
        if p != "fro":
            raise ValueError(f"norm: p must be a number, inf or 'fro', got {p!r}")
        p = 2
    p = check_number(p, "p", "norm")
    if p < 0 and not np.isinf(p):
        raise ValueError(f"norm: p must be >= 0, inf or -inf, got {p}")
    axes = reduction_axes(dim, a.ndim, "norm")
    if np.isinf(p) and reduced_count(a.shape, axes) == 0:
        raise ValueError(f"norm: the inf-norm of an empty tensor is undefined (shape {a.shape}, "
                         f"dim {dim})")
    return Norm(p, axes, keepdim)(a)
