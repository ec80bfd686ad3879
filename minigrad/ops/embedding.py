"""Embedding lookup: rows of a weight matrix picked by integer indices."""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from .._tensor import Tensor
from ..checks import check_float_tensor
from .subscript import ScatterAdd


class Embedding(Function):
    """y = w[indices] (one row of w per index).
    dw = dy rows added into zeros at their indices (a scatter-add; repeated indices
        accumulate; the padding_idx row gets none)
    """

    def __init__(self, indices, padding_idx=None):
        self.indices, self.padding_idx = indices, padding_idx

    def forward(self, w):
        return w[self.indices]

    def backward(self, dy):
        rows = dy.reshape(-1, dy.shape[-1])
        flat = self.indices.reshape(-1)
        if self.padding_idx is not None:
            kept = flat != self.padding_idx
            rows, flat = rows[kept], flat[kept]
        # ScatterAdd's backward is a gather, so this gradient is differentiable too
        return ScatterAdd((flat,), self.input_shapes[0])(rows)

    def settings(self):
        return {"padding_idx": self.padding_idx}


def embedding(input, weight, padding_idx=None):
    """``weight[input]``: for each integer index in ``input`` (any shape) the row of
    ``weight`` (num_embeddings, embedding_dim); the result has shape
    ``input.shape + (embedding_dim,)``."""
    op = "embedding"
    check_float_tensor(weight, "weight", op, 2, "(num_embeddings, embedding_dim)")
    indices = input.array if isinstance(input, Tensor) else np.asarray(input)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"{op}: input must hold integer indices, got dtype {indices.dtype}")
    count = weight.shape[0]
    if indices.size and (indices.min() < 0 or indices.max() >= count):
        bad = indices[(indices < 0) | (indices >= count)].flat[0]
        raise IndexError(f"{op}: index {bad} is out of range for a weight of {count} rows "
                         f"(expected 0 <= index < {count})")
    if padding_idx is not None:
        if isinstance(padding_idx, bool) or not isinstance(padding_idx, (int, np.integer)) \
                or not -count <= padding_idx < count:
            raise ValueError(f"{op}: padding_idx must be an int in [-{count}, {count}), got "
                             f"{padding_idx!r}")
        padding_idx = int(padding_idx) % count
    return Embedding(indices.astype(np.intp, copy=False), padding_idx)(weight)
