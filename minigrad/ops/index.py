"""Index ops: gather along a dim, sort, topk and one_hot.

``gather`` picks one element per index along a dim; its backward is the
opposite move, a scatter-add of the gradient to where each value was picked
(repeated indices add up). ``sort`` and ``topk`` compute their indices with a
stable argsort (no gradient) and gather their values at them, so the values'
gradient is scattered back to the indices taken.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from .._tensor import Tensor, make_tensor
from ..checks import check_bool, one_axis
from .extremum import ValuesIndices


def _along(index, axis):
    """The full index tuple that picks ``index`` along ``axis``: every other axis
    counts 0, 1, ... over ``index``'s own shape (as PyTorch's gather)."""
    grid = list(np.indices(index.shape, sparse=True))
    grid[axis] = index
    return tuple(grid)


class Gather(Function):
    """y[..., j, ...] = x[..., index[..., j, ...], ...] along ``axis``.
    dx = zeros like x with dy added at the gathered places (repeated indices add up)
    """

    def __init__(self, axis, index):
        self.axis, self.index = axis, index

    def forward(self, a):
        return a[_along(self.index, self.axis)]

    def backward(self, g):
        return ScatterAddAlong(self.axis, self.index, self.input_shapes[0])(g)

    def settings(self):
        return {"axis": self.axis, "index": f"<int array {self.index.shape}>"}


class ScatterAddAlong(Function):
    """y = zeros(shape) with x[..., j, ...] added at index[..., j, ...] along ``axis`` (gather's
        backward).
    dx = gather(dy, axis, index)
    """

    def __init__(self, axis, index, shape):
        self.axis, self.index, self.shape = axis, index, tuple(shape)

    def forward(self, a):
        out = np.zeros(self.shape, dtype=a.dtype)
        np.add.at(out, _along(self.index, self.axis), a)   # repeated indices add up
        return out

    def backward(self, g):
        return Gather(self.axis, self.index)(g)

    def settings(self):
        return {"axis": self.axis, "index": f"<int array {self.index.shape}>", "shape": self.shape}


def gather(a, dim, index):
    """``out[i][j][k] = a[i][index[i][j][k]][k]`` for dim=1 (and likewise for any dim):
    ``index`` (integers) has ``a``'s number of dims, the output has ``index``'s shape,
    and along every other dim ``index`` may be shorter than ``a``, not longer."""
    axis = one_axis(dim, a.ndim or 1, "gather")
    index = index.array if isinstance(index, Tensor) else np.asarray(index)
    if index.dtype.kind not in "iu":
        raise TypeError(f"gather: index must be an integer tensor, got dtype {index.dtype}")
    if index.ndim != a.ndim:
        raise ValueError(f"gather: index must have as many dims as the input: index shape "
                         f"{index.shape}, input shape {a.shape}")
    if any(n > m for d, (n, m) in enumerate(zip(index.shape, a.shape)) if d != axis):
        raise ValueError(f"gather: index shape {index.shape} is larger than the input shape "
                         f"{a.shape} in a dim other than dim {dim}")
    if a.ndim == 0:
        index = index.reshape(1)
    if index.size and (index.min() < 0 or index.max() >= (a.shape[axis] if a.ndim else 1)):
        bad = index.min() if index.min() < 0 else index.max()
        raise IndexError(f"gather: index {bad} is out of bounds for dim {dim} with size "
                         f"{a.shape[axis] if a.ndim else 1}")
    if a.ndim == 0:
        return a.clone()
    return Gather(axis, index.astype(np.int64, copy=False))(a)


def _stable_argsort(data, axis, descending):
    """Indices that sort ``data`` along ``axis``; equal values keep their order (also
    when descending: argsort the reversed data, then reverse and map the indices
    back). NaN counts as the largest value, as PyTorch."""
    if not descending:
        return np.argsort(data, axis=axis, kind="stable")
    length = data.shape[axis]
    reversed_order = np.argsort(np.flip(data, axis), axis=axis, kind="stable")
    return length - 1 - np.flip(reversed_order, axis)


def _by_order(a, axis, order):
    indices = make_tensor(order.astype(np.int64, copy=False))
    return ValuesIndices(Gather(axis, indices.array)(a), indices)


def sort(a, dim=-1, descending=False, stable=False):
    """``(values, indices)`` sorted along ``dim``; ties keep their original order (a
    stable sort, whatever ``stable`` says). The values' gradient goes to the indices."""
    check_bool(descending, "sort", "descending")
    check_bool(stable, "sort", "stable")
    if a.ndim == 0:   # as PyTorch: the value itself at index 0
        one_axis(dim, 1, "sort")
        return ValuesIndices(a.clone(), make_tensor(np.zeros((), np.int64)))
    axis = one_axis(dim, a.ndim, "sort")
    return _by_order(a, axis, _stable_argsort(a.array, axis, descending))


def argsort(a, dim=-1, descending=False, stable=False):
    return sort(a, dim, descending, stable).indices


def topk(a, k, dim=-1, largest=True, sorted=True):  # noqa: A002  (PyTorch's argument name)
    """The ``k`` largest (``largest=False``: smallest) values along ``dim`` and their
    indices, best first. Among equal values the lower index comes first (PyTorch leaves
    that order unspecified). ``sorted=False`` is accepted: the order is sorted anyway."""
    check_bool(largest, "topk", "largest")
    check_bool(sorted, "topk", "sorted")
    if a.ndim == 0:   # as PyTorch: a 0-d tensor is one value along dim 0 (or -1)
        one_axis(dim, 1, "topk")
        values, indices = topk(a.reshape(1), k, 0, largest)
        if k:
            values, indices = values.reshape(()), indices.reshape(())
        return ValuesIndices(values, indices)
    axis = one_axis(dim, a.ndim, "topk")
    length = a.shape[axis]
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= length:
        raise ValueError(f"topk: k must be an int in [0, {length}] (the length of dim {dim} "
                         f"of shape {a.shape}), got {k!r}")
    order = np.take(_stable_argsort(a.array, axis, largest), np.arange(k), axis=axis)
    return _by_order(a, axis, order)


def one_hot(tensor, num_classes=-1):
    """Class indices (integers) as one-hot rows: shape ``(*tensor.shape, num_classes)``,
    int64, no gradient. ``num_classes=-1``: the largest index + 1."""
    labels = tensor.array if isinstance(tensor, Tensor) else np.asarray(tensor)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expected a tensor of integer class indices, got dtype "
                        f"{labels.dtype} (shape {labels.shape})")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"one_hot: num_classes must be an int, got {num_classes!r}")
    if labels.size and labels.min() < 0:
        raise ValueError(f"one_hot: class indices must be >= 0, got {labels.min()}")
    if num_classes == -1:
        if not labels.size:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor; pass it")
        num_classes = int(labels.max()) + 1
    elif num_classes < 0 or (labels.size and labels.max() >= num_classes):
        raise ValueError(f"one_hot: class index {labels.max() if labels.size else None} does not "
                         f"fit num_classes={num_classes} (expected 0 <= index < num_classes)")
    return make_tensor((labels[..., None] == np.arange(num_classes)).astype(np.int64))


# -- PyTorch's selection functions, made of the ops above and of indexing -------------------

def index_array(index, op):
    index = index.array if isinstance(index, Tensor) else np.asarray(index)
    if index.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must be an integer tensor, got dtype {index.dtype}")
    return index.astype(np.int64, copy=False)


def index_select(a, dim, index):
    """The slices ``index`` (a 1-D integer tensor) along ``dim``; repeated indices
    repeat the slice, and their gradients add up (integer-array indexing)."""
    axis = one_axis(dim, a.ndim or 1, "index_select")
    index = index_array(index, "index_select")
    if index.ndim > 1:
        raise ValueError(f"index_select: index must be 1-D (or 0-d), got shape {index.shape}")
    length = a.shape[axis] if a.ndim else 1
    if index.size and (index.min() < 0 or index.max() >= length):
        raise IndexError(f"index_select: index {index.max() if index.max() >= length else index.min()}"
                         f" is out of range for dim {dim} of size {length}")
    if a.ndim == 0:
        return a.reshape(1)[index.reshape(-1)].reshape(())
    return a[(slice(None),) * axis + (index.reshape(-1),)]


def scatter_add(a, dim, index, src):
    """A copy of ``a`` with ``src`` added at ``index`` along ``dim`` (as ``gather``'s
    positions); repeated indices add up. Gradients: da = dy, dsrc = gather(dy, dim, index)."""
    axis = one_axis(dim, a.ndim or 1, "scatter_add")
    index = index_array(index, "scatter_add")
    if index.ndim != a.ndim or (isinstance(src, Tensor) and src.ndim != a.ndim):
        raise ValueError(f"scatter_add: index and src must have the input's number of dims: "
                         f"input {a.shape}, index {index.shape}, src {np.shape(src)}")
    src = src[tuple(slice(0, n) for n in index.shape)]
    return a + ScatterAddAlong(axis, index, a.shape)(src)


def scatter(a, dim, index, src=None, value=None, reduce=None):
    """A copy of ``a`` with ``src`` (or the number ``value``) written at ``index`` along
    ``dim``. Gradients: da = dy where nothing was written, dsrc = gather(dy, dim, index).
    With repeated indices one of the writes wins, as in PyTorch (which one is unspecified)."""
    if reduce is not None:
        raise ValueError("scatter: reduce= is not supported; use scatter_add for 'add'")
    axis = one_axis(dim, a.ndim or 1, "scatter")
    index = index_array(index, "scatter")
    if src is None:
        src = value
    if not isinstance(src, Tensor):
        src = make_tensor(np.full(index.shape, src, dtype=a.dtype))
    if index.ndim != a.ndim or src.ndim != a.ndim:
        raise ValueError(f"scatter: index and src must have the input's number of dims: input "
                         f"{a.shape}, index {index.shape}, src {src.shape}")
    src = src[tuple(slice(0, n) for n in index.shape)]
    written = np.zeros(a.shape, dtype=bool)
    written[_along(index, axis)] = True
    # one write per target: keep the last source element that writes to each target
    first = np.zeros(a.shape, dtype=np.int64)
    order = np.arange(index.size).reshape(index.shape)
    first[_along(index, axis)] = order
    keep = np.zeros(index.shape, dtype=bool)
    keep.reshape(-1)[first[written]] = True
    from .elementwise import where
    placed = ScatterAddAlong(axis, index, a.shape)(where(keep, src, 0.0))
    return where(written, placed, a)


def narrow(a, dim, start, length):
    """``length`` entries of ``dim`` from ``start`` (a view, as a slice)."""
    axis = one_axis(dim, a.ndim, "narrow")
    size = a.shape[axis]
    start = start + size if start < 0 else start
    if not (0 <= start <= size and 0 <= length <= size - start):
        raise IndexError(f"narrow: start {start} and length {length} do not fit dim {dim} of "
                         f"size {size}")
    return a[(slice(None),) * axis + (slice(start, start + length),)]


def unbind(a, dim=0):
    """The slices along ``dim`` as a tuple of tensors (each a differentiable view)."""
    axis = one_axis(dim, a.ndim, "unbind")
    return tuple(a[(slice(None),) * axis + (i,)] for i in range(a.shape[axis]))


def repeat_interleave(a, repeats, dim=None):
    """Each entry repeated ``repeats`` times along ``dim`` (flattened when dim is None)."""
    if dim is None:
        a, axis = a.reshape(-1), 0
    else:
        axis = one_axis(dim, a.ndim, "repeat_interleave")
    counts = repeats.array if isinstance(repeats, Tensor) else np.asarray(repeats)
    if counts.dtype.kind not in "iu" or np.any(counts < 0):
        raise ValueError(f"repeat_interleave: repeats must be non-negative integers, got {repeats!r}")
    order = np.repeat(np.arange(a.shape[axis]), counts)
    return a[(slice(None),) * axis + (order,)]


def median(a, dim=None, keepdim=False):
    """The lower median (of an even count, the smaller middle value), as PyTorch: no dim,
    the value; with dim, a ``(values, indices)`` pair. Its gradient goes to that entry."""
    if dim is None:
        flat = a.reshape(-1)
        if flat.shape[0] == 0:
            raise ValueError("median: the input is empty")
        return sort(flat).values[(flat.shape[0] - 1) // 2]
    axis = one_axis(dim, a.ndim or 1, "median")
    if a.ndim == 0:
        return ValuesIndices(a.clone(), make_tensor(np.zeros((), np.int64)))
    values, indices = sort(a, axis)
    middle = (a.shape[axis] - 1) // 2
    pick = (slice(None),) * axis + ((slice(middle, middle + 1) if keepdim else middle),)
    return ValuesIndices(values[pick], make_tensor(indices.array[pick]))


def unique(a, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """The distinct values, sorted (no gradient), with the inverse indices and counts
    when asked, as PyTorch's (``dim=None`` only)."""
    if dim is not None:
        raise ValueError("unique: dim= is not supported; the input is flattened")
    values, inverse, counts = np.unique(a.array, return_inverse=True, return_counts=True)
    results = [make_tensor(values)]
    if return_inverse:
        results.append(make_tensor(inverse.reshape(a.shape).astype(np.int64)))
    if return_counts:
        results.append(make_tensor(counts.astype(np.int64)))
    return results[0] if len(results) == 1 else tuple(results)
