"""PyTorch's type promotion, the one rule every op that combines dtypes follows.

The result takes the highest *category* among the operands (bool < integer <
floating < complex) and, within it, the widest dtype of the highest-priority tier
of operands that reaches that category. The tiers, by priority: tensors with
dimensions, 0-d tensors, Python (and numpy) numbers. So a 0-d tensor or a number
only ever raises the category: float32 tensor + int64 tensor -> float32,
float32 tensor * 0-d float64 -> float32, int64 tensor + 2.5 -> float32 (a Python
float counts as the default float dtype, an int as int64, a bool as bool).
numpy's own rule differs (int64 with float32 gives float64), hence this module.
"""
from __future__ import annotations

import numbers

import numpy as np

from ._tensor import DEFAULT_DTYPE, Tensor

BOOL, INTEGER, FLOATING, COMPLEX = range(4)
_CATEGORY_OF_KIND = {"b": BOOL, "i": INTEGER, "u": INTEGER, "f": FLOATING, "c": COMPLEX}
INT64 = np.dtype(np.int64)
DEFAULT_FLOAT = np.dtype(DEFAULT_DTYPE)
DEFAULT_COMPLEX = np.dtype(np.complex64)
BOOL_DTYPE = np.dtype(np.bool_)


def category(dtype):
    return _CATEGORY_OF_KIND[np.dtype(dtype).kind]


def promote_types(a, b):
    """Two dtypes as one: the higher category's dtype, or within one category the
    wider (uint8 with int8 is int16, as in numpy and PyTorch)."""
    a, b = np.dtype(a), np.dtype(b)
    if a == b:
        return a
    category_a, category_b = category(a), category(b)
    if category_a == category_b or COMPLEX in (category_a, category_b):
        return np.promote_types(a, b)
    return a if category_a > category_b else b


def is_number(value):
    """A Python or numpy number: it takes part in promotion only by its category."""
    return isinstance(value, (numbers.Number, np.generic)) and not isinstance(value, Tensor)


def number_dtype(value):
    """The dtype a lone number stands for: bool, int64, the default float, complex64."""
    if isinstance(value, (bool, np.bool_)):
        return BOOL_DTYPE
    if isinstance(value, numbers.Integral):
        return INT64
    if isinstance(value, numbers.Real):
        return DEFAULT_FLOAT
    if isinstance(value, numbers.Complex):
        return DEFAULT_COMPLEX
    raise TypeError(f"cannot combine a tensor with {type(value).__name__} {value!r}; "
                    "expected a number, an array of numbers or a tensor")


def result_dtype(*operands):
    """The dtype of an op on ``operands``: Tensors, ndarrays (as tensors) and numbers;
    None is skipped. See the module's docstring for the rule."""
    tiers = [None, None, None]   # dimensioned tensors, 0-d tensors, numbers
    for value in operands:
        if value is None:
            continue
        if isinstance(value, (Tensor, np.ndarray)):
            array = value.array if isinstance(value, Tensor) else value
            tier, dtype = (0 if array.ndim else 1), array.dtype
        else:
            tier, dtype = 2, number_dtype(value)
        tiers[tier] = dtype if tiers[tier] is None else promote_types(tiers[tier], dtype)
    present = [dtype for dtype in tiers if dtype is not None]
    if not present:
        raise ValueError("result_dtype: needs at least one operand")
    top = max(category(dtype) for dtype in present)
    return next(dtype for dtype in present if category(dtype) == top)


def float_result_dtype(t):
    """The dtype of a float function (exp, sqrt, mean, ...) of ``t``: its own if it is
    floating, else the default float (an int tensor's exp is float32)."""
    return result_dtype(t, 0.0)


def accumulate_dtype(dtype):
    """The dtype of a sum, product or running sum: int64 for bools and integers
    (uint8.sum() is int64), else the input's."""
    return INT64 if np.dtype(dtype).kind in "biu" else np.dtype(dtype)


def cast_all(tensors, dtype):
    """Each tensor in ``dtype`` (a differentiable cast where one is needed)."""
    return [t if t.array.dtype == dtype else t.astype(dtype) for t in tensors]


def promoted(*tensors):
    """The tensors cast to their common dtype (unchanged when they share one)."""
    first = tensors[0].array.dtype
    if all(t.array.dtype == first for t in tensors):
        return list(tensors)
    return cast_all(tensors, result_dtype(*tensors))
