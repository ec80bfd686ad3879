"""``Tensor``'s reductions, one family of its methods (``Tensor`` in
:mod:`minigrad._tensor` is made from this class). Each is one line calling an op of
:mod:`minigrad.ops.reduce`, :mod:`minigrad.ops.extremum` or
:mod:`minigrad.ops.prod_logsumexp_norm`; dim/keepdim (PyTorch) or axis/keepdims (numpy), not both.

``Tensor`` is made from this class before the ops can be imported (they need
``Tensor``), so a method names its op by its full path, ``minigrad.ops.reduce.sum``:
every module is loaded by the time a method runs.
"""
from __future__ import annotations

import minigrad


class ReductionMethods:
    """sum, mean, max, min, amax, amin, var, std, prod, logsumexp, cumsum, norm,
    argmax, argmin."""

    __slots__ = ()   # a tensor has no __dict__: its fields are Tensor.__slots__

    def sum(self, dim=None, keepdim=False, **numpy_names):
        return minigrad.ops.reduce.sum(self, dim, keepdim, **numpy_names)

    def mean(self, dim=None, keepdim=False, **numpy_names):
        return minigrad.ops.reduce.mean(self, dim, keepdim, **numpy_names)

    def max(self, dim=None, keepdim=False, **numpy_names):
        """No dim: the largest value. With dim: a ``(values, indices)`` pair. With a
        tensor in dim's place: the elementwise ``maximum``, as PyTorch's ``max(a, b)``."""
        return minigrad.tensor_methods.tensor_max(self, dim, keepdim, **numpy_names)

    def min(self, dim=None, keepdim=False, **numpy_names):
        return minigrad.tensor_methods.tensor_min(self, dim, keepdim, **numpy_names)

    def amax(self, dim=None, keepdim=False, **numpy_names):
        return minigrad.ops.extremum.amax(self, dim, keepdim, **numpy_names)

    def amin(self, dim=None, keepdim=False, **numpy_names):
        return minigrad.ops.extremum.amin(self, dim, keepdim, **numpy_names)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None, **numpy_names):
        """Unbiased by default (``correction=1``), as PyTorch."""
        return minigrad.ops.reduce.var(self, dim, unbiased, keepdim, correction=correction,
                                       **numpy_names)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None, **numpy_names):
        return minigrad.ops.reduce.std(self, dim, unbiased, keepdim, correction=correction,
                                       **numpy_names)

    def prod(self, dim=None, keepdim=False, **numpy_names):
        """Zeros in the input are fine: the gradient is the product of the others."""
        return minigrad.ops.prod_logsumexp_norm.prod(self, dim, keepdim, **numpy_names)

    def logsumexp(self, dim, keepdim=False, **numpy_names):
        return minigrad.ops.prod_logsumexp_norm.logsumexp(self, dim, keepdim, **numpy_names)

    def cumsum(self, dim=None, **numpy_names):
        return minigrad.ops.reduce.cumsum(self, dim, **numpy_names)

    def norm(self, p=2, dim=None, keepdim=False, **numpy_names):
        """The p-norm over ``dim`` (all elements by default); p = 'fro', inf, -inf, 0 too."""
        return minigrad.ops.prod_logsumexp_norm.norm(self, p, dim, keepdim, **numpy_names)

    def argmax(self, dim=None, keepdim=False, **numpy_names):
        return minigrad.ops.extremum.argmax(self, dim, keepdim, **numpy_names)

    def argmin(self, dim=None, keepdim=False, **numpy_names):
        return minigrad.ops.extremum.argmin(self, dim, keepdim, **numpy_names)
