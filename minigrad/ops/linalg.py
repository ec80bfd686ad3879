"""Matrix product with numpy's ``matmul`` rules (1-D, 2-D and batched)."""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..tensor import Tensor, _const
from .shape import sum_to


class MatMul(Function):
    """z = a @ b.   da = dz @ b^T,  db = a^T @ dz.

    A 1-D operand is treated as a row (a) or column (b) vector, and batch axes
    that were broadcast are summed back, exactly undoing what forward did."""

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul: operands must have at least 1 dimension, got shapes "
                             f"{a.shape} and {b.shape} (use * for scalars)")
        try:
            out = np.matmul(a, b)
        except ValueError:
            k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
            raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not align: the last "
                             f"axis of a ({a.shape[-1]}) must equal the "
                             f"{'only' if b.ndim == 1 else 'second-to-last'} axis of b ({k_b}), "
                             "and batch axes must broadcast") from None
        self.save_for_backward(a, b)
        return out

    def backward(self, g):
        a, b = self.saved_tensors
        a_shape, b_shape = a.shape, b.shape
        if a.ndim == 1:
            a = a.reshape(1, -1)
        if b.ndim == 1:
            b = b.reshape(-1, 1)
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        g = g.reshape(batch + (a.shape[-2], b.shape[-1]))
        need_a, need_b = self.needs_input_grad
        ga = sum_to(g @ b.mT, a.shape).reshape(a_shape) if need_a else None
        gb = sum_to(a.mT @ g, b.shape).reshape(b_shape) if need_b else None
        return ga, gb


def matmul(a, b):
    if not isinstance(a, Tensor):
        a = _const(a, b)
    return MatMul()(a, b if isinstance(b, Tensor) else _const(b, a))


Tensor.__matmul__ = lambda self, other: matmul(self, other)
Tensor.__rmatmul__ = lambda self, other: matmul(_const(other, self), self)
Tensor.matmul = matmul
