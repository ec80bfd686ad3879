"""Sums: sum, mean, cumsum (differentiable), var and std (composed of them).

Backward of a reduction spreads the output gradient back over the reduced axes
(``reduction_axes.spread_over_reduced``); a running sum's backward is the running
sum from the other end.
(The extremum family lives in ``extremum.py``; prod, logsumexp and norm in
``prod_logsumexp_norm.py``.)
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..autograd import Function, OUTPUT
from ..checks import dim_and_keepdim, normalize_axis, one_axis
from ..promotion import accumulate_dtype, float_result_dtype
from .layout import mean_over, sum_over
from .pad_flip_repeat import Flip
from .reduction_axes import (output_shape, reduce_over_dim, reduced_count, reduction_axes,
                             spread_over_reduced)


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
        return spread_over_reduced(g, self.input_shapes[0], self.axis, self.keepdims)


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
        return spread_over_reduced(g, shape, self.axis, self.keepdims) * (
            1.0 / count if count else 1.0)


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


def sum(a, dim=None, keepdim=False, **numpy_names):  # noqa: A001  (the tensor method's name)
    return reduce_over_dim(Sum, a, dim, keepdim, numpy_names, "sum")


def mean(a, dim=None, keepdim=False, **numpy_names):
    """The mean over ``dim``; an integer tensor's is float32 (API.md), an empty one's NaN."""
    if a.array.dtype.kind not in "fc":
        a = a.astype(float_result_dtype(a))
    return reduce_over_dim(Mean, a, dim, keepdim, numpy_names, "mean")


def cumsum(a, dim=None, **numpy_names):
    """Running sums along ``dim`` (required: numpy's default of flattening is not PyTorch's)."""
    dim, _ = dim_and_keepdim("cumsum", dim, False, numpy_names)
    if dim is None or isinstance(dim, (tuple, list)):
        raise TypeError(f"cumsum: dim must be one int (it is required, as in PyTorch), got {dim!r}")
    if a.ndim == 0:
        one_axis(dim, 1, "cumsum")
        return a.clone()
    return Cumsum(one_axis(dim, a.ndim, "cumsum"))(a)


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
