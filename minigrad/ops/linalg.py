"""Matrix product with numpy's ``matmul`` rules (1-D, 2-D and batched)."""
from __future__ import annotations

import numpy as np

from ..autograd import Function, Input
from .._tensor import Tensor, as_operand
from . import buffers
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
            if _long_inner_axis(a, b) and _stored_transposed(a) and _stored_transposed(b):
                # A flattened batch-last activation times Linear's weight.T: numpy hands
                # BLAS that as a transposed x transposed product, which OpenBLAS ran 1.4x
                # slower (fc1 of the MNIST Net) than the same sums as (b^T @ a^T)^T. The
                # small result is copied back to the C order numpy gives, as gradients
                # follow layouts.
                out = np.ascontiguousarray(np.matmul(b.T, a.T).T)
            else:
                out = np.matmul(a, b, out=self.pooled_output(a, b))
        except ValueError:
            k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
            raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not align: the last "
                             f"axis of a ({a.shape[-1]}) must equal the "
                             f"{'only' if b.ndim == 1 else 'second-to-last'} axis of b ({k_b}), "
                             "and batch axes must broadcast") from None
        need_a, need_b = self.needs_input_grad   # da reads b, db reads a; shapes read both
        self.save_for_backward(Input(0) if need_b else None, Input(1) if need_a else None)
        self._transposed = (need_a and _stored_transposed(a), need_b and _stored_transposed(b))
        return out

    @staticmethod
    def pooled_output(a, b):
        """A large product's output from the buffer pool (``buffers.py``), else None."""
        if a.ndim < 2 or b.ndim < 2 or a.shape[-1] != b.shape[-2]:
            return None   # (numpy makes the 1-D results, and the shape errors)
        try:
            batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            return None
        return buffers.empty_if_large(batch + (a.shape[-2], b.shape[-1]), np.result_type(a, b))

    def backward(self, g):
        a, b = self.saved_tensors
        a_shape, b_shape = self.input_shapes
        # As 2-D (or batched) matrices: a 1-D a is a row, a 1-D b a column.
        a_mat = a_shape if len(a_shape) > 1 else (1,) + a_shape
        b_mat = b_shape if len(b_shape) > 1 else b_shape + (1,)
        batch = np.broadcast_shapes(a_mat[:-2], b_mat[:-2])
        g = g.reshape(batch + (a_mat[-2], b_mat[-1]))
        ga = gb = None
        if b is not None:
            b = b.reshape(b_mat)
            # An operand stored transposed (Linear's weight.T) gets its gradient in the
            # same memory order, (b @ dy^T)^T: the same numbers, but the optimizer then
            # updates the weight with contiguous reads instead of a transposing walk.
            ga = (b @ g.mT).mT if self._transposed[0] else g @ b.mT
            ga = sum_to(ga, a_mat).reshape(a_shape)
        if a is not None:
            a = a.reshape(a_mat)
            gb = (g.mT @ a).mT if self._transposed[1] else a.mT @ g
            gb = sum_to(gb, b_mat).reshape(b_shape)
        return ga, gb


def _long_inner_axis(a, b):
    """Two matrices whose shared axis is at least 4x longer than the result's sides."""
    return a.ndim == b.ndim == 2 and a.shape[1] >= 4 * max(a.shape[0], b.shape[1])


def _stored_transposed(a):
    """True when the array is a matrix (stack) stored transposed: not C-contiguous,
    but its ``.mT`` is (a ``.T`` view of an ordinary array)."""
    return a.ndim >= 2 and not a.flags.c_contiguous and a.swapaxes(-1, -2).flags.c_contiguous


def matmul(a, b):
    if not isinstance(a, Tensor):
        a = as_operand(a, b)
    return MatMul()(a, b if isinstance(b, Tensor) else as_operand(b, a))
