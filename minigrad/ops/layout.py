"""Arrays laid out in memory like another array (the layout contract is in this
package's ``__init__``): pooling allocates its outputs and gradients this way, and
dropout draws its mask this way, so a batch-last conv output stays batch-last."""
from __future__ import annotations

import numpy as np

from . import buffers


def memory_order(a):
    """a's axes from outermost to innermost in memory (ties keep axis order)."""
    return tuple(np.argsort([-abs(s) for s in a.strides], kind="stable"))


def empty_like_layout(shape, like, dtype=None, zero=False):
    """An array of ``shape`` whose axes lie in memory in the same order as ``like``'s
    (so a conv output, laid out batch-last, stays batch-last through pooling)."""
    order = memory_order(like)
    alloc = np.zeros if zero else buffers.empty   # (zeros: calloc's pages are faulted lazily)
    return alloc(tuple(shape[i] for i in order),
                 like.dtype if dtype is None else dtype).transpose(np.argsort(order))


def in_layout_of(a, like):
    """``a`` itself if its axes lie in memory in ``like``'s order, else a copy that does."""
    if memory_order(a) == memory_order(like):
        return a
    out = empty_like_layout(a.shape, like, a.dtype)
    np.copyto(out, a)
    return out


def output_like(a, dtype):
    """Where to write an elementwise result of ``a``'s shape and ``dtype``: a large one
    in an array from the buffer pool laid out as ``a`` (``buffers.py``: no fresh pages
    to fault in); None for a small one, which numpy allocates (``out=None``)."""
    dtype = np.dtype(dtype)
    if a.size * dtype.itemsize < buffers.LARGE:
        return None
    return empty_like_layout(a.shape, a, dtype)
