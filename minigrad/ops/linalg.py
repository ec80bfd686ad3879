"""Matrix product with numpy's ``matmul`` rules (1-D, 2-D and batched)."""
from __future__ import annotations

import numpy as np

from ..autograd import Function, Input
from .._tensor import Tensor, as_operand
from .shape import sum_to


class MatMul(Function):
    """y = a @ b.
    da = dy @ b^T,  db = a^T @ dy

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
        need_a, need_b = self.needs_input_grad   # da reads b, db reads a; shapes read both
        self.save_for_backward(Input(0) if need_b else None, Input(1) if need_a else None)
        return out

    def backward(self, g):
        a, b = self.saved_tensors
        a_shape, b_shape = self.input_shapes
        # As 2-D (or batched) matrices: a 1-D a is a row, a 1-D b a column.
        a_mat = a_shape if len(a_shape) > 1 else (1,) + a_shape
        b_mat = b_shape if len(b_shape) > 1 else b_shape + (1,)
        batch = np.broadcast_shapes(a_mat[:-2], b_mat[:-2])
        g = g.reshape(batch + (a_mat[-2], b_mat[-1]))
        ga = sum_to(g @ b.reshape(b_mat).mT, a_mat).reshape(a_shape) if b is not None else None
        gb = sum_to(a.reshape(a_mat).mT @ g, b_mat).reshape(b_shape) if a is not None else None
        return ga, gb


def matmul(a, b):
    if not isinstance(a, Tensor):
        a = as_operand(a, b)
    return MatMul()(a, b if isinstance(b, Tensor) else as_operand(b, a))
