"""PyTorch's other ``Tensor`` methods, one family of them (``Tensor`` in
:mod:`minigrad._tensor` is made from this class): the named forms of the operators
(``add``, ``div``...), more elementwise math, tests, matrices, selection, memory and
dtype. Most are also ``minigrad.X(t, ...)`` (:mod:`minigrad.namespace`). Each is one
line calling an op; the longer bodies are in :mod:`minigrad.tensor_methods`.

``Tensor`` is made from this class before the ops can be imported (they need
``Tensor``), so a method names its op by its full path, ``minigrad.ops.linalg.mm``:
every module is loaded by the time a method runs.
"""
from __future__ import annotations

import numpy as np

import minigrad


class PyTorchMethods:
    """Named operators, math, tests, matrices, selection, memory and dtype."""

    __slots__ = ()   # a tensor has no __dict__: its fields are Tensor.__slots__

    # -- the operators by name, and more elementwise math ----------------------------------
    def add(self, other, *, alpha=1): return self + (other if alpha == 1 else other * alpha)
    def sub(self, other, *, alpha=1): return self - (other if alpha == 1 else other * alpha)
    subtract = sub
    def mul(self, other): return self * other
    multiply = mul
    def div(self, other, *, rounding_mode=None):
        """``/``, or with ``rounding_mode='floor'|'trunc'`` the quotient rounded (no gradient
        through the rounding, as PyTorch)."""
        return minigrad.tensor_methods.tensor_div(self, other, rounding_mode=rounding_mode)
    divide = true_divide = div
    def neg(self): return -self
    negative = neg
    def square(self): return self * self
    def reciprocal(self): return 1.0 / self if self.array.dtype.kind in "fc" else 1.0 / self.float()
    def rsqrt(self): return self.sqrt().reciprocal()
    def sign(self): return minigrad.ops.piecewise.step(self, "sign")
    def round(self, decimals=0): return minigrad.ops.piecewise.step(self, "round", decimals)
    def floor(self): return minigrad.ops.piecewise.step(self, "floor")
    def ceil(self): return minigrad.ops.piecewise.step(self, "ceil")
    def trunc(self): return minigrad.ops.piecewise.step(self, "trunc")
    fix = trunc
    def maximum(self, other): return minigrad.ops.piecewise.maximum(self, other)
    def minimum(self, other): return minigrad.ops.piecewise.minimum(self, other)
    def lerp(self, end, weight): return minigrad.ops.piecewise.lerp(self, end, weight)
    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return minigrad.ops.piecewise.nan_to_num(self, nan, posinf, neginf)
    def where(self, condition, other): return minigrad.ops.elementwise.where(condition, self, other)
    def fmod(self, other):
        """The remainder with the dividend's sign (C's fmod): a - trunc(a / b) * b."""
        return minigrad.tensor_methods.tensor_fmod(self, other)

    # -- tests (no gradient) ----------------------------------------------------------------
    def isnan(self): return minigrad._tensor.make_tensor(np.isnan(self.array))
    def isinf(self): return minigrad._tensor.make_tensor(np.isinf(self.array))
    def isfinite(self): return minigrad._tensor.make_tensor(np.isfinite(self.array))
    def logical_not(self): return minigrad._tensor.make_tensor(np.logical_not(self.array))
    def logical_and(self, other):
        return minigrad._tensor.make_tensor(np.logical_and(self.array, np.asarray(other)))
    def logical_or(self, other):
        return minigrad._tensor.make_tensor(np.logical_or(self.array, np.asarray(other)))
    def logical_xor(self, other):
        return minigrad._tensor.make_tensor(np.logical_xor(self.array, np.asarray(other)))
    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return bool(np.allclose(self.array, np.asarray(other), rtol, atol, equal_nan))
    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return minigrad._tensor.make_tensor(
            np.isclose(self.array, np.asarray(other), rtol, atol, equal_nan))
    def equal(self, other):
        return self.shape == np.shape(other) and bool(np.array_equal(self.array, np.asarray(other)))

    # -- matrices ----------------------------------------------------------------------------
    def mm(self, other): return minigrad.ops.linalg.mm(self, other)
    def bmm(self, other): return minigrad.ops.linalg.bmm(self, other)
    def outer(self, other): return minigrad.ops.linalg.outer(self, other)
    ger = outer
    def diag(self, diagonal=0): return minigrad.ops.linalg.diag(self, diagonal)
    def trace(self): return minigrad.ops.linalg.trace(self)
    def tril(self, diagonal=0): return minigrad.ops.linalg.tril(self, diagonal)
    def triu(self, diagonal=0): return minigrad.ops.linalg.triu(self, diagonal)
    def kron(self, other): return minigrad.ops.linalg.kron(self, other)

    # -- selection ----------------------------------------------------------------------------
    def index_select(self, dim, index): return minigrad.ops.index.index_select(self, dim, index)
    def scatter(self, dim, index, src=None, *, value=None, reduce=None):
        return minigrad.ops.index.scatter(self, dim, index, src, value, reduce)
    def scatter_add(self, dim, index, src):
        return minigrad.ops.index.scatter_add(self, dim, index, src)
    def narrow(self, dim, start, length): return minigrad.ops.index.narrow(self, dim, start, length)
    def unbind(self, dim=0): return minigrad.ops.index.unbind(self, dim)
    def repeat_interleave(self, repeats, dim=None):
        return minigrad.ops.index.repeat_interleave(self, repeats, dim)
    def median(self, dim=None, keepdim=False): return minigrad.ops.index.median(self, dim, keepdim)
    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
        return minigrad.ops.index.unique(self, sorted, return_inverse, return_counts, dim)
    def tile(self, *dims):
        return minigrad.ops.pad_flip_repeat.repeat(self, *minigrad.conversion.tile_sizes(self.ndim, dims))
    def ravel(self): return self.reshape(-1)

    # -- memory, dtype and device ---------------------------------------------------------
    def contiguous(self, memory_format=None): return self
    def is_contiguous(self, memory_format=None): return bool(self.array.flags.c_contiguous)
    def data_ptr(self): return int(self.array.__array_interface__["data"][0])
    def element_size(self): return self.array.itemsize
    def half(self): return self.astype(np.float16)
    def type(self, dtype=None):
        """No argument: PyTorch's type name (``'torch.FloatTensor'``); with one, ``to(dtype)``."""
        return minigrad.tensor_methods.tensor_type(self, dtype)
    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        return minigrad.Tensor(data, requires_grad, self.array.dtype if dtype is None else dtype)
    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return self.new_full(minigrad.checks.shape_args(size, "new_zeros"), 0, dtype=dtype,
                             requires_grad=requires_grad)
    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return self.new_full(minigrad.checks.shape_args(size, "new_ones"), 1, dtype=dtype,
                             requires_grad=requires_grad)
    new_empty = new_zeros
    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        return minigrad.tensor_methods.tensor_new_full(self, size, fill_value, dtype, device,
                                                       requires_grad)
    is_cuda = property(lambda self: False)
    def cuda(self, *args, **kwargs):
        raise RuntimeError("cuda: minigrad runs on the CPU only; leave the tensor where it is "
                           "(or use .to('cpu'))")
