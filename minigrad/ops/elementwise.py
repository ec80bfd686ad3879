"""Elementwise arithmetic and math with numpy broadcasting.

Broadcasting in forward is undone in backward: an input that was stretched
along an axis receives the sum of the gradient over that axis (``sum_to``).
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Function
from ..tensor import Tensor, _const, _make
from ._util import check_number
from .shape import sum_to


class _Binary(Function):
    """Two broadcast operands. Remembers their shapes when they differ, to undo
    broadcasting in backward; ``keeps_inputs`` ops save both operands."""
    keeps_inputs = False
    _shapes = None

    def forward(self, a, b):
        if a.shape != b.shape:
            self._shapes = (a.shape, b.shape)
        if self.keeps_inputs:
            self.saved = (a, b)
        try:
            return self.compute(a, b)
        except ValueError as exc:
            op = self.name.lower()
            try:
                np.broadcast_shapes(a.shape, b.shape)
            except ValueError:
                raise ValueError(
                    f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together "
                    "(numpy rules: trailing axes must be equal or 1)") from None
            # Not a shape problem (e.g. an integer to a negative integer power): say so.
            raise ValueError(f"{op}: {exc} (operands of dtype {a.dtype} and {b.dtype}, shapes "
                             f"{a.shape} and {b.shape})") from None

    def reduce_grads(self, ga, gb):
        if self._shapes is None:
            return ga, gb
        a_shape, b_shape = self._shapes
        return (sum_to(ga, a_shape) if ga is not None else None,
                sum_to(gb, b_shape) if gb is not None else None)


class Add(_Binary):
    """z = a + b.   da = dz,  db = dz  (each summed back to its own shape)."""
    compute = staticmethod(np.add)

    def backward(self, g):
        return self.reduce_grads(g, g)


class Sub(_Binary):
    """z = a - b.   da = dz,  db = -dz."""
    compute = staticmethod(np.subtract)

    def backward(self, g):
        return self.reduce_grads(g, -g if self.parents[1] is not None else None)


class Mul(_Binary):
    """z = a * b.   da = dz * b,  db = dz * a."""
    compute = staticmethod(np.multiply)
    keeps_inputs = True

    def backward(self, g):
        a, b = self.saved_tensors
        need_a, need_b = self.parents
        return self.reduce_grads(g * b if need_a is not None else None,
                                 g * a if need_b is not None else None)


class Div(_Binary):
    """z = a / b.   da = dz / b,  db = -dz * a / b^2."""
    compute = staticmethod(np.true_divide)
    keeps_inputs = True

    def backward(self, g):
        a, b = self.saved_tensors
        need_a, need_b = self.parents
        return self.reduce_grads(g / b if need_a is not None else None,
                                 -(g * a) / (b * b) if need_b is not None else None)


class Pow(_Binary):
    """z = a ** b.   da = dz * b * a^(b-1),  db = dz * z * log(a)."""
    compute = staticmethod(np.power)

    def forward(self, a, b):
        out = super().forward(a, b)
        self.save_for_backward(a, b, out)
        return out

    def backward(self, g):
        a, b, out = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        # At a = 0, out * log(a) is 0 * -inf; its limit is 0, so log reads 1 there.
        return self.reduce_grads(g * b * a ** (b - 1) if need_a else None,
                                 g * out * where(a.data == 0, 1.0, a).log() if need_b else None)


class Neg(Function):
    """z = -a.   da = -dz."""

    def forward(self, a):
        return -a

    def backward(self, g):
        return -g


class Exp(Function):
    """z = exp(a).   da = dz * z."""

    def forward(self, a):
        out = np.exp(a)
        self.save_for_backward(out)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        return g * out


class Log(Function):
    """z = log(a).   da = dz / a."""

    def forward(self, a):
        self.save_for_backward(a)
        return np.log(a)

    def backward(self, g):
        a, = self.saved_tensors
        return g / a


class Sqrt(Function):
    """z = sqrt(a).   da = dz / (2 z)."""

    def forward(self, a):
        out = np.sqrt(a)
        self.save_for_backward(out)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        return g / (out * 2)


class Abs(Function):
    """z = |a|.   da = dz * sign(a)  (0 at a = 0, a valid subgradient)."""

    def forward(self, a):
        self.save_for_backward(np.sign(a))
        return np.abs(a)

    def backward(self, g):
        sign, = self.saved_tensors
        return g * sign


class Clip(Function):
    """z = min(max(a, lo), hi).   da = dz where lo <= a <= hi, else 0 (as PyTorch's clamp)."""

    def __init__(self, lo=None, hi=None):
        if lo is None and hi is None:
            raise ValueError("clip: give at least one of lo and hi")
        for name, bound in (("lo", lo), ("hi", hi)):
            if bound is not None:
                check_number(bound, name, "clip")
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"clip: lo ({lo}) must not exceed hi ({hi})")
        self.lo, self.hi = lo, hi

    def forward(self, a):
        inside = np.ones(a.shape, dtype=bool)
        if self.lo is not None:
            inside &= a >= self.lo
        if self.hi is not None:
            inside &= a <= self.hi
        self.save_for_backward(inside)
        return np.clip(a, self.lo, self.hi).astype(a.dtype, copy=False)

    def backward(self, g):
        inside, = self.saved_tensors
        return where(inside, g, 0.0)


class Erf(Function):
    """z = erf(a).   da = dz * 2/sqrt(pi) * exp(-a^2)."""
    _erf = np.frompyfunc(math.erf, 1, 1)

    def forward(self, a):
        self.save_for_backward(a)
        return np.asarray(self._erf(a)).astype(a.dtype if a.dtype.kind == "f" else np.float64)

    def backward(self, g):
        a, = self.saved_tensors
        return g * (-(a * a)).exp() * (2.0 / math.sqrt(math.pi))


class Where(Function):
    """z = where(cond, a, b).   da = dz where cond, db = dz where not cond
    (cond is a constant boolean array)."""

    def __init__(self, cond):
        self.cond = cond

    def forward(self, a, b):
        self._shapes = (a.shape, b.shape)
        try:
            return np.where(self.cond, a, b)
        except ValueError:
            raise ValueError(f"where: condition {self.cond.shape}, a {a.shape} and b "
                             f"{b.shape} cannot be broadcast together") from None

    def backward(self, g):
        need_a, need_b = self.needs_input_grad
        zero = _make(np.zeros((), dtype=g.dtype), False, None)
        a_shape, b_shape = self._shapes
        return (sum_to(Where(self.cond)(g, zero), a_shape) if need_a else None,
                sum_to(Where(self.cond)(zero, g), b_shape) if need_b else None)

    def settings(self):
        return {}


class Cast(Function):
    """z = a as another dtype.   da = dz cast back to a's dtype."""

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)

    def forward(self, a):
        self._in_dtype = a.dtype
        return a.astype(self.dtype)

    def backward(self, g):
        return g.astype(self._in_dtype)


class Clone(Function):
    """z = a copy of a.   da = dz."""

    def forward(self, a):
        return a.copy()

    def backward(self, g):
        return g


def where(cond, a, b):
    """``where(cond, a, b)``: elements of ``a`` where ``cond`` holds, else of ``b``."""
    cond = cond.data if isinstance(cond, Tensor) else np.asarray(cond)
    if cond.dtype != np.bool_:
        cond = cond.astype(bool)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = Tensor(a)
    if isinstance(a, Tensor):
        b = _const(b, a)
    else:
        a = _const(a, b)
    return Where(cond)(a, b)


def clip(a, lo=None, hi=None):
    return Clip(lo, hi)(a)


def erf(a):
    return Erf()(a)


# -- operators on Tensor -------------------------------------------------------------

def _bind():
    def binary(op):
        def forward_op(self, other):
            return op()(self, other if isinstance(other, Tensor) else _const(other, self))

        def reflected_op(self, other):
            return op()(_const(other, self), self)
        return forward_op, reflected_op

    Tensor.__add__, Tensor.__radd__ = binary(Add)
    Tensor.__sub__, Tensor.__rsub__ = binary(Sub)
    Tensor.__mul__, Tensor.__rmul__ = binary(Mul)
    Tensor.__truediv__, Tensor.__rtruediv__ = binary(Div)
    Tensor.__pow__, Tensor.__rpow__ = binary(Pow)
    Tensor.__neg__ = lambda self: Neg()(self)
    Tensor.__pos__ = lambda self: self
    Tensor.exp = lambda self: Exp()(self)
    Tensor.log = lambda self: Log()(self)
    Tensor.sqrt = lambda self: Sqrt()(self)
    Tensor.abs = lambda self: Abs()(self)
    Tensor.__abs__ = Tensor.abs
    Tensor.clip = clip
    Tensor.clamp = clip
    Tensor.erf = erf

    def compare(ufunc):
        def method(self, other):
            other = other.data if isinstance(other, Tensor) else other
            try:
                return _make(np.asarray(ufunc(self.data, other)), False, None)
            except ValueError:
                raise ValueError(f"{ufunc.__name__}: shapes {self.shape} and "
                                 f"{np.shape(other)} cannot be broadcast together") from None
        return method

    Tensor.__lt__ = compare(np.less)
    Tensor.__le__ = compare(np.less_equal)
    Tensor.__gt__ = compare(np.greater)
    Tensor.__ge__ = compare(np.greater_equal)
    Tensor.__eq__ = compare(np.equal)
    Tensor.__ne__ = compare(np.not_equal)


_bind()
