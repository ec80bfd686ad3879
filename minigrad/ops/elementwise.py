"""Elementwise arithmetic and math with numpy broadcasting.

Broadcasting in forward is undone by the engine: a backward returns each gradient
in the broadcast shape, and the engine sums it to its input's shape.

The one-input math ops (exp, log, sin, ...) are rows of a table in ``unary.py``;
comparisons, bitwise ops and floor division (no gradient) are in ``nograd.py``.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function, Input, OUTPUT
from .._tensor import DEFAULT_DTYPE, Tensor, as_operand, make_tensor
from ..checks import check_number
from ..promotion import is_number, promoted, result_dtype
from . import buffers
from .layout import output_like


class _Binary(Function):
    """Two broadcast operands; backward returns gradients in the broadcast shape (the
    engine sums each to its input's shape)."""

    def forward(self, a, b):   # Add and Sub: backward reads no operand
        return self.compute_broadcast(a, b)

    def compute_broadcast(self, a, b):
        """``compute(a, b)``, with an error that names the op and both shapes."""
        try:
            out = None
            if a.shape == b.shape and a.size >= buffers.LARGE // 8:   # maybe a pooled output
                out = output_like(a, self.compute.resolve_dtypes((a.dtype, b.dtype, None))[2])
            return self.compute(a, b, out=out)
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


class Add(_Binary):
    """y = a + b.
    da = dy,  db = dy  (each summed back to its own shape)
    """
    compute = staticmethod(np.add)

    def backward(self, g):
        return g, g


class Sub(_Binary):
    """y = a - b.
    da = dy,  db = -dy
    """
    compute = staticmethod(np.subtract)

    def backward(self, g):
        return g, -g if self.needs_input_grad[1] else None


class Mul(_Binary):
    """y = a * b.
    da = dy * b,  db = dy * a
    """

    compute = staticmethod(np.multiply)

    def forward(self, a, b):
        need_a, need_b = self.needs_input_grad   # keep only what they read: da b, db a
        self.save_for_backward(Input(0) if need_b else None, Input(1) if need_a else None)
        return self.compute_broadcast(a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        return (g * b if b is not None else None,
                g * a if a is not None else None)


class Div(_Binary):
    """y = a / b.
    da = dy / b,  db = -dy * a / b^2
    """
    compute = staticmethod(np.true_divide)

    def forward(self, a, b):
        need_a, need_b = self.needs_input_grad   # db reads a and b, da reads b
        self.save_for_backward(Input(0) if need_b else None, Input(1))
        if a.dtype.kind in "biu" and b.dtype.kind in "biu":   # PyTorch: int / int is float32
            a, b = a.astype(DEFAULT_DTYPE), b.astype(DEFAULT_DTYPE)
        return self.compute_broadcast(a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return (g / b if need_a else None,
                -(g * a) / (b * b) if need_b else None)


class Pow(_Binary):
    """y = a ** b.
    da = dy * b * a^(b-1),  db = dy * y * log(a)
    """
    compute = staticmethod(np.power)

    def forward(self, a, b):
        self.save_for_backward(Input(0), Input(1), OUTPUT)
        return self.compute_broadcast(a, b)

    def backward(self, g):
        a, b, out = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        # b = 0: y = 1 whatever a is, so da = 0 (also at a = 0, where a^(b-1) is
        # inf): the exponent reads 1 there and the factor b makes it 0.
        # At a = 0, y * log(a) is 0 * -inf; its limit is 0, so log reads 1 there.
        return (g * b * a ** where(b.array == 0, 1.0, b - 1) if need_a else None,
                g * out * where(a.array == 0, 1.0, a).log() if need_b else None)


class Remainder(_Binary):
    """y = a - floor(a / b) * b (Python's %: the sign of the divisor).
    da = dy,  db = -dy * floor(a / b)  (floor(a / b) is piecewise constant)
    """
    compute = staticmethod(np.remainder)

    def forward(self, a, b):
        if a.dtype.kind == "b":
            raise TypeError(f"remainder: not supported for bool tensors (shapes {a.shape} and "
                            f"{b.shape}); convert with .long() first")
        check_integer_divisor(a, b, "remainder")
        if self.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                self.save_for_backward(np.floor_divide(a, b))
        with np.errstate(divide="ignore", invalid="ignore"):   # x % 0.0 is nan, as PyTorch
            return self.compute_broadcast(a, b)

    def backward(self, g):
        need_a, need_b = self.needs_input_grad
        if need_b:
            quotient, = self.saved_tensors
        return g if need_a else None, -(g * quotient) if need_b else None


def check_integer_divisor(a, b, op):
    """Integer division by zero is PyTorch's RuntimeError (numpy would give 0 and warn)."""
    if b.dtype.kind in "biu" and a.dtype.kind in "biu" and not np.all(b):
        raise RuntimeError(f"{op}: ZeroDivisionError (an integer divisor holds 0; operands "
                           f"of dtype {a.dtype} and {b.dtype}, shapes {a.shape} and {b.shape})")


class AddScalar(Function):
    """y = x + c, for a Python number c (``t + 0.5``; a setting, not an input).
    dx = dy
    """

    def __init__(self, c):
        self.c = c

    def forward(self, a):
        return np.add(a, self.c, dtype=a.dtype)   # (numpy 1 would make a 0-d a float64)

    def backward(self, g):
        return g


class MulScalar(Function):
    """y = x * c, for a Python number c (``t * 2``; a setting, not an input).
    dx = dy * c
    """

    def __init__(self, c):
        self.c = c

    def forward(self, a):
        return np.multiply(a, self.c, dtype=a.dtype)

    def backward(self, g):
        return MulScalar(self.c)(g)


class MaskedFill(Function):
    """y = value where mask, else x (mask a constant boolean array broadcast to x).
    dx = dy where not mask, else 0 (masked_fill(dy, mask, 0): the op is its own adjoint)
    """

    def __init__(self, mask, value):
        self.mask, self.value = mask, value

    def forward(self, a):
        return np.where(self.mask, np.asarray(self.value, dtype=a.dtype), a)

    def backward(self, g):
        return MaskedFill(self.mask, 0.0)(g)

    def settings(self):
        return {"mask": f"<bool array {self.mask.shape}>", "value": self.value}


class Clip(Function):
    """y = min(max(x, lo), hi).
    dx = dy where lo <= x <= hi, else 0 (as PyTorch's clamp)
    """

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
        if self.needs_input_grad[0]:
            self.save_for_backward(inside)
        return np.clip(a, self.lo, self.hi).astype(a.dtype, copy=False)

    def backward(self, g):
        inside, = self.saved_tensors
        return where(inside, g, 0.0)


class Where(Function):
    """y = where(cond, a, b) (cond a constant boolean array).
    da = dy where cond, else 0,  db = dy where not cond, else 0
    """

    def __init__(self, cond):
        self.cond = cond

    def forward(self, a, b):
        try:
            return np.where(self.cond, a, b)
        except ValueError:
            raise ValueError(f"where: condition {self.cond.shape}, a {a.shape} and b "
                             f"{b.shape} cannot be broadcast together") from None

    def backward(self, g):
        need_a, need_b = self.needs_input_grad
        zero = make_tensor(np.zeros((), dtype=g.dtype), False, None)
        return (Where(self.cond)(g, zero) if need_a else None,
                Where(self.cond)(zero, g) if need_b else None)

    def settings(self):
        return {}


class Cast(Function):
    """y = x as another dtype.
    dx = dy cast back to x's dtype
    """

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)

    def forward(self, a):
        return a.astype(self.dtype)

    def backward(self, g):
        return g.astype(self.input_dtypes[0])


class Clone(Function):
    """y = a copy of x.
    dx = dy
    """

    def forward(self, a):
        return a.copy()

    def backward(self, g):
        return g


def where(cond, a, b):
    """``where(cond, a, b)``: elements of ``a`` where ``cond`` holds, else of ``b``."""
    cond = cond.array if isinstance(cond, Tensor) else np.asarray(cond)
    if cond.dtype != np.bool_:
        cond = cond.astype(bool)
    dtype = result_dtype(*(v if isinstance(v, Tensor) or is_number(v) else Tensor(v)
                           for v in (a, b)))
    a, b = (v.astype(dtype) if isinstance(v, Tensor) else Tensor(v, dtype=dtype) for v in (a, b))
    return Where(cond)(a, b)


def masked_fill(a, mask, value):
    """``value`` where the boolean ``mask`` (broadcast to ``a``'s shape) holds, else ``a``;
    no gradient reaches the filled places. ``value``: a number or a one-element tensor."""
    mask_array = mask.array if isinstance(mask, Tensor) else np.asarray(mask)
    if mask_array.dtype != np.bool_:
        raise TypeError(f"masked_fill: mask must be a boolean tensor, got dtype {mask_array.dtype} "
                        "(compare to get one, e.g. x > 0)")
    try:
        if np.broadcast_shapes(mask_array.shape, a.shape) != a.shape:
            raise ValueError
    except ValueError:
        raise ValueError(f"masked_fill: mask of shape {mask_array.shape} does not broadcast to "
                         f"the tensor's shape {a.shape}") from None
    if isinstance(value, Tensor):
        if value.array.size != 1:
            raise ValueError(f"masked_fill: value must be a number or a one-element tensor, got "
                             f"a tensor of shape {value.shape}")
        value = value.array.item()
    return MaskedFill(mask_array, check_number(value, "value", "masked_fill"))(a)


def clip(a, lo=None, hi=None):
    """``clamp``: a float bound makes an integer tensor float (PyTorch's promotion:
    ``tensor([1, 2, 3]).clamp(1.5)`` is ``[1.5, 2., 3.]``)."""
    op = Clip(lo, hi)
    dtype = result_dtype(a, lo, hi)
    return op(a if a.array.dtype == dtype else a.astype(dtype))


#: ops that a Python number on either side turns into one-input ops (they commute)
SCALAR_FORMS = {Add: AddScalar, Mul: MulScalar}


def binary(op, a, b):
    """``op()(a, b)`` with PyTorch's type promotion (:mod:`minigrad.promotion`); a
    number, list or array on either side is a constant (``2 * t``, ``t / np.sqrt(d)``).
    A float tensor plus or times a Python number is ``AddScalar``/``MulScalar``: no
    constant tensor to make, save and rebuild, a node of the size of ``tanh``'s."""
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        if a.array.dtype != b.array.dtype:
            a, b = promoted(a, b)
        return op()(a, b)
    number_on_left = not isinstance(a, Tensor)
    tensor, other = (b, a) if number_on_left else (a, b)
    kind = type(other)
    if (kind is float or kind is int) and tensor.array.dtype.kind == "f":   # keeps the dtype
        if op in SCALAR_FORMS:
            return SCALAR_FORMS[op](other)(tensor)
    elif is_number(other):
        dtype = result_dtype(tensor, other)
        if tensor.array.dtype != dtype:   # int tensor * 2.5 is float32
            tensor = tensor.astype(dtype)
        if (kind is float or kind is int) and op in SCALAR_FORMS and dtype.kind == "f":
            return SCALAR_FORMS[op](other)(tensor)
    constant = as_operand(other, tensor)
    return binary(op, constant, tensor) if number_on_left else binary(op, tensor, constant)
