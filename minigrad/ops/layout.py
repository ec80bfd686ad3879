"""Arrays laid out in memory like another array (the layout contract is in this
package's ``__init__``): pooling allocates its outputs and gradients this way, and
dropout draws its mask this way, so a batch-last conv output stays batch-last.
``sum_over`` sums along the memory's runs when the layout allows it."""
from __future__ import annotations

import math

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


#: sum_over leaves arrays smaller than this to numpy (a BLAS call costs more there)
SMALL_SUM = 1 << 14
#: values in one BLAS dot of ``sum_over``; numpy then sums the dots pairwise. A dot
#: adds its values one after another (per SIMD lane), so its float32 error grows with
#: its length: one dot over 2^20 equal values was 1.5e-4 off, blocks of 256 come as
#: close as numpy's pairwise sum (1.5e-7; tests/ops/test_layout.py).
BLOCK = 256


def sum_over(a, axes, times=None):
    """sum(a) over ``axes`` (a tuple, or None for all), or sum(a * times) for ``times``
    of a's shape, with keepdims. When the summed axes are a's innermost in memory
    (each channel of a batch-last conv output is one contiguous run) and ``times``
    lies alike, it is BLAS dots along each run, reading the arrays once, where
    ``a * times`` would write and read a third array.
    Otherwise numpy, exactly as ``(a * times).sum(axes, keepdims=True)``."""
    sums = run_sums(a, axes, times)
    if sums is None:
        sums = (a if times is None else np.multiply(a, times)).sum(axis=axes, keepdims=True)
    return sums


def mean_over(a, axes, times=None):
    """``sum_over`` divided by the count; numpy's ``mean`` when that is not a BLAS
    case (numpy accumulates a float16 mean in float32)."""
    sums = run_sums(a, axes, times)
    if sums is None:
        return (a if times is None else np.multiply(a, times)).mean(axis=axes, keepdims=True)
    return sums / (a.size // max(sums.size, 1))


def run_sums(a, axes, times):
    """The BLAS sums of ``sum_over``, or None when a and times do not allow them."""
    axes = tuple(range(a.ndim)) if axes is None else tuple(axes)
    if not (a.dtype in (np.float32, np.float64) and SMALL_SUM <= a.size
            and (times is None or (times.shape == a.shape and times.dtype == a.dtype))):
        return None
    runs = _as_runs(a, axes)
    other = runs if times is None else _as_runs(times, axes)
    if runs is None or other is None or runs[2] != other[2] or runs[0].shape[1] < BLOCK:
        return None
    matrix, kept_shape, order = runs
    groups, run = matrix.shape
    whole = run - run % BLOCK
    # dots of BLOCK values (a batch of 1 x BLOCK by BLOCK x 1 products), then numpy
    left = matrix[:, :whole].reshape(groups, -1, 1, BLOCK)
    right = (np.ones((BLOCK, 1), a.dtype) if times is None
             else other[0][:, :whole].reshape(groups, -1, BLOCK, 1))
    sums = np.matmul(left, right).reshape(groups, -1).sum(axis=1)
    if whole < run:
        tail = matrix[:, whole:] if times is None else matrix[:, whole:] * other[0][:, whole:]
        sums += tail.sum(axis=1)
    sums = sums.reshape(kept_shape + (1,) * len(axes))
    return sums.transpose(np.argsort(order))   # back to a's axis order


def _as_runs(a, axes):
    """(matrix, kept shape, memory order): a as a (groups, run) matrix, no copy, each
    row the values that one sum over ``axes`` combines; None if its layout does not
    allow that (summed axes not innermost, or gaps in memory)."""
    order = memory_order(a)
    kept = a.ndim - len(axes)
    if set(order[:kept]) & set(axes):
        return None
    in_memory_order = a.transpose(order)
    if not in_memory_order.flags.c_contiguous:
        return None
    kept_shape = in_memory_order.shape[:kept]
    return in_memory_order.reshape(math.prod(kept_shape), -1), kept_shape, order
