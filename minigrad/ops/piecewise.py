"""Piecewise elementwise ops: the larger or smaller of two tensors, and the step
functions (round, floor, ceil, trunc, sign), whose derivative is 0 wherever it exists.

``maximum(a, b)`` picks one operand per element, so the gradient goes to the one
picked; where the two are equal, PyTorch splits it in half between them, and so
does this."""
from __future__ import annotations

import numpy as np

from ..autograd import Function, Input
from .._tensor import Tensor, make_tensor
from .elementwise import where


class _PickOne(Function):
    """What Maximum and Minimum share: ``compute`` picks one operand per element, and
    the gradient goes to the one that ``wins`` (half to each on a tie)."""

    def forward(self, a, b):
        self.save_for_backward(Input(0), Input(1))
        try:
            return self.compute(a, b)
        except ValueError:
            raise ValueError(f"{self.name.lower()}: shapes {a.shape} and {b.shape} cannot be "
                             "broadcast together") from None

    def backward(self, g):
        return split_by_comparison(self, g, self.wins)


class Maximum(_PickOne):
    """y = max(a, b) elementwise.
    da = dy where a > b, dy/2 where a = b, else 0,  db = dy where b > a, dy/2 where a = b, else 0
    """
    compute, wins = staticmethod(np.maximum), staticmethod(np.greater)


class Minimum(_PickOne):
    """y = min(a, b) elementwise.
    da = dy where a < b, dy/2 where a = b, else 0,  db = dy where b < a, dy/2 where a = b, else 0
    """
    compute, wins = staticmethod(np.minimum), staticmethod(np.less)


def split_by_comparison(node, g, wins):
    """The gradient of max/min: all of dy to the operand that ``wins``, half to each on a tie."""
    a, b = node.saved_arrays
    share_a = np.where(wins(a, b), 1.0, np.where(a == b, 0.5, 0.0)).astype(g.dtype)
    need_a, need_b = node.needs_input_grad
    return (g * share_a if need_a else None,   # the engine sums each to its input's shape
            g * (1 - share_a) if need_b else None)


class Step(Function):
    """y = step(x), for a piecewise-constant step: round, floor, ceil, trunc or sign.
    dx = 0 * dy  (the steps are flat wherever the derivative exists)
    """
    FUNCTIONS = {"round": np.round, "floor": np.floor, "ceil": np.ceil, "trunc": np.trunc,
                 "sign": np.sign}

    def __init__(self, kind):
        if kind not in self.FUNCTIONS:
            raise ValueError(f"Step: kind must be one of {sorted(self.FUNCTIONS)}, got {kind!r}")
        self.kind = kind

    def forward(self, a):
        return self.FUNCTIONS[self.kind](a)

    def backward(self, g):
        return g * 0


def maximum(a, b):
    a, b = tensor_pair(a, b, "maximum")
    return Maximum()(a, b)


def minimum(a, b):
    a, b = tensor_pair(a, b, "minimum")
    return Minimum()(a, b)


def tensor_pair(a, b, op):
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(f"{op}: both arguments must be Tensors, got {type(a).__name__} and "
                        f"{type(b).__name__}")
    if a.dtype != b.dtype:
        common = np.result_type(a.array.dtype, b.array.dtype)
        a, b = a.to(common), b.to(common)
    return a, b


def step(a, kind, decimals=0):
    """round/floor/ceil/trunc/sign of a tensor; integer and bool tensors are their own
    round/floor/ceil/trunc, as in PyTorch."""
    if kind != "sign" and a.array.dtype.kind in "biu":
        return a.clone() if a.array.dtype.kind != "b" else a
    if decimals:
        scale = 10.0 ** decimals
        return Step(kind)(a * scale) / scale
    return Step(kind)(a)


def nan_to_num(a, nan=0.0, posinf=None, neginf=None):
    """NaN, +inf and -inf replaced by numbers (the dtype's largest finite values by
    default); the gradient flows only through the elements kept."""
    if a.array.dtype.kind not in "fc":
        return a.clone()
    info = np.finfo(a.array.dtype)
    replaced = np.nan_to_num(a.array, nan=nan, posinf=info.max if posinf is None else posinf,
                             neginf=info.min if neginf is None else neginf)
    return where(np.isfinite(a.array), a, make_tensor(replaced))


def lerp(start, end, weight):
    """start + weight * (end - start)."""
    return start + (end - start) * (weight if isinstance(weight, Tensor) else float(weight))


__all__ = ["Maximum", "Minimum", "Step", "maximum", "minimum", "step", "nan_to_num", "lerp"]
