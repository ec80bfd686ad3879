"""Differentiable ops, one module per family. Each op is a ``Function`` subclass
with its forward and its hand-written backward side by side, its formula in its
docstring; ``Tensor``'s methods (``minigrad/_tensor.py`` and its families) are
one-line calls into these modules.

The memory-layout contract of the image ops (the one place it is written down):

* ``conv.py`` returns its output as an NCHW *view* of batch-last (C, H, W, N)
  memory (with the default, fast kernels): its im2col kernels
  (``minigrad/kernels/fast/conv.py``) read and write whole window rows across the
  batch as one contiguous run. The reference kernels return plain NCHW arrays.
* Elementwise ops (ReLU, the bias add, BatchNorm) and ``pool.py`` keep whatever
  layout their input has (pooling allocates its outputs and gradients in the same
  axis order with ``layout.py``), so a conv -> ReLU -> pool -> conv chain never
  copies to NCHW.
* ``Flatten`` of a batch-last (N, C, H, W) view is a view too: (N, C*H*W) with the
  batch axis fastest, a transposed matrix that the fully connected layer's matmul
  reads as it is (BLAS takes either order; ``linalg.MatMul`` returns its gradient
  in the same order). Dropout draws its mask in its input's memory order.

* Large outputs (1 MB and up) of conv, ReLU, pooling, dropout, matmul and
  same-shape elementwise ops come from ``buffers.py``, which reuses memory no array
  refers to any more instead of faulting in fresh pages for every batch.

None of this changes a number: shapes, indexing and results are NCHW as in PyTorch.
"""
from . import elementwise, shape, reduce, linalg, activation, loss, dropout, conv, pool  # noqa: F401
from . import reduction_axes, extremum, prod_logsumexp_norm, subscript, pad_flip_repeat  # noqa: F401
from . import norm, embedding  # noqa: F401
from . import index, padding  # noqa: F401
from . import recurrent, recurrent_sequence  # noqa: F401
from . import unary, join, nograd  # noqa: F401
