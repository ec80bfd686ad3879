"""Ops with no gradient on elementwise operands: comparisons, bitwise and logical
ops of bool and integer tensors, and floor division (a constant: its derivative is 0
wherever it exists)."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, as_operand, make_tensor
from ..promotion import promoted, result_dtype
from .elementwise import check_integer_divisor


def compare(ufunc, a, b):
    """A comparison as a boolean tensor (no gradient), of the operands promoted to
    one dtype as PyTorch (float32 tensor == 0-d float64 tensor compares in float32)."""
    other = b.array if isinstance(b, Tensor) else b
    left = a.array
    if isinstance(other, np.ndarray) and other.dtype != left.dtype:
        dtype = result_dtype(a, other)
        left, other = left.astype(dtype, copy=False), other.astype(dtype, copy=False)
    try:
        return make_tensor(np.asarray(ufunc(left, other)))
    except ValueError:
        raise ValueError(f"{ufunc.__name__}: shapes {a.shape} and {np.shape(other)} cannot be "
                         "broadcast together") from None


def integer_operands(a, b, op):
    """``a`` and ``b`` (a tensor and a tensor or number) as arrays of their promoted
    dtype, which must be bool or integer (bitwise ops have no float form)."""
    dtype = result_dtype(a, b)
    if dtype.kind not in "biu":
        raise TypeError(f"{op}: only integer and bool tensors are supported, got dtype "
                        f"{dtype} (operands {describe(a)} and {describe(b)})")
    return tuple(np.asarray(v.array if isinstance(v, Tensor) else v).astype(dtype, copy=False)
                 for v in (a, b))


def describe(value):
    if isinstance(value, Tensor):
        return f"a {value.dtype} tensor of shape {value.shape}"
    return f"{type(value).__name__} {value!r}"


def bitwise(ufunc, a, b, op):
    """``a & b``, ``a | b``, ``a ^ b`` of bool or integer tensors (no gradient)."""
    left, right = integer_operands(a, b, op)
    try:
        return make_tensor(np.asarray(ufunc(left, right)))
    except ValueError:
        raise ValueError(f"{op}: shapes {np.shape(left)} and {np.shape(right)} cannot be "
                         "broadcast together") from None


def bitwise_not(a):
    """``~a``: logical not of a bool tensor, bitwise not of an integer tensor."""
    if a.array.dtype.kind not in "biu":
        raise TypeError(f"~ (bitwise_not): only integer and bool tensors are supported, got "
                        f"dtype {a.dtype} (shape {a.shape}); for a mask use ~(x > 0) or 1 - x")
    return make_tensor(np.invert(a.array))


def floor_divide(a, b):
    """``a // b``: floor(a / b), rounding toward minus infinity as Python's ``//``. A
    constant (it requires no grad): its derivative is 0 wherever it exists, and
    PyTorch's floor_divide has no backward."""
    tensor = a if isinstance(a, Tensor) else b
    a, b = (v if isinstance(v, Tensor) else as_operand(v, tensor) for v in (a, b))
    a, b = promoted(a, b)
    if a.array.dtype.kind == "b":
        raise TypeError(f"floor_divide: not supported for bool tensors (shapes {a.shape} and "
                        f"{b.shape}); convert with .long() first")
    check_integer_divisor(a.array, b.array, "floor_divide")
    try:
        with np.errstate(divide="ignore", invalid="ignore"):   # x // 0.0 is +-inf, as PyTorch
            return make_tensor(np.asarray(np.floor_divide(a.array, b.array)))
    except ValueError:
        raise ValueError(f"floor_divide: shapes {a.shape} and {b.shape} cannot be broadcast "
                         "together") from None
