"""The reductions whose gradient reads the input (and the output): prod,
logsumexp and the p-norm.

Each backward spreads the output gradient back over the reduced axes, then
multiplies by a factor of x: the product of the other elements (prod), softmax(x)
(logsumexp), sign(x) |x|^(p-1) / y^(p-1) (norm).
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function, Input, OUTPUT
from .._tensor import make_tensor
from ..checks import check_float_tensor, check_number, dim_and_keepdim, normalize_axis
from ..promotion import accumulate_dtype
from .reduction_axes import reduced_count, reduced_shape, reduction_axes, spread_over_reduced


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
        return spread_over_reduced(g, shape, self.axis, self.keepdims) * others


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
        return spread_over_reduced(g, shape, self.axis, self.keepdims) * (
            x - spread_over_reduced(out, shape, self.axis, self.keepdims)).exp()


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
        g = spread_over_reduced(g, shape, self.axis, self.keepdims)
        y = spread_over_reduced(out, shape, self.axis, self.keepdims)
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
