"""Shape ops: reshape, transpose, broadcast, sum_to, pad, indexing, flip, repeat
(joining and splitting tensors: ``join.py``).

They move numbers around without changing them, so each backward moves the
gradient back: reshape <-> reshape, transpose <-> inverse transpose,
broadcast <-> sum_to, getitem <-> scatter-add, pad <-> crop, flip <-> flip, repeat <-> sum of the tiles.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from .._tensor import Tensor, index_as_numpy
from ..checks import dim_and_keepdim, normalize_axis, one_axis, shape_args


class Reshape(Function):
    """y = x.reshape(shape).
    dx = dy.reshape(x.shape)
    """

    def __init__(self, shape):
        self.shape = shape

    def forward(self, a):
        try:
            out = a.reshape(self.shape)
            # a view only when numpy did not have to copy (as PyTorch's reshape): a
            # write into a copy must not bump the input's version
            self.is_view = np.may_share_memory(out, a)
            return out
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {a.shape} "
                             f"({a.size} elements) into shape {self.shape}") from None

    def backward(self, g):
        self.check_viewed_graph()
        return g.reshape(self.input_shapes[0])


class Transpose(Function):
    """y = x.transpose(axes) (a permutation of the axes).
    dx = dy.transpose(inverse permutation of axes)
    """
    is_view = True

    def __init__(self, axes):
        self.axes = axes

    def forward(self, a):
        return a.transpose(self.axes)

    def backward(self, g):
        self.check_viewed_graph()
        return Transpose(tuple(np.argsort(self.axes)))(g)


class BroadcastTo(Function):
    """y = x broadcast to ``shape``.
    dx = dy summed over the broadcast axes (sum_to)
    """
    is_view = True

    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, a):
        try:
            return np.broadcast_to(a, self.shape)
        except ValueError:
            raise ValueError(f"expand: cannot broadcast a tensor of shape {a.shape} to "
                             f"shape {self.shape}") from None

    def backward(self, g):
        self.check_viewed_graph()
        return sum_to(g, self.input_shapes[0])


class SumTo(Function):
    """y = x summed down to ``shape`` (the adjoint of broadcasting).
    dx = dy broadcast to x.shape
    """

    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, a):
        lead = a.ndim - len(self.shape)
        if lead < 0:
            raise ValueError(f"sum_to: cannot sum a tensor of shape {a.shape} to the "
                             f"longer shape {self.shape}")
        axes = tuple(range(lead)) + tuple(
            lead + i for i, n in enumerate(self.shape) if n == 1 and a.shape[lead + i] != 1)
        out = a.sum(axis=axes, keepdims=True) if axes else a
        if lead:
            out = out.reshape(out.shape[lead:])
        if out.shape != self.shape:
            raise ValueError(f"sum_to: shape {a.shape} does not broadcast from {self.shape}")
        return out

    def backward(self, g):
        return BroadcastTo(self.input_shapes[0])(g)


def sum_to(g, shape):
    """Sum ``g`` down to ``shape``: undoes numpy broadcasting in backward."""
    return g if g.array.shape == shape else SumTo(shape)(g)


def _is_scatter_index(index):
    """Integer arrays may repeat an element, so their gradients must be added up."""
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, np.ndarray) and i.dtype.kind in "iu" for i in items)


class GetItem(Function):
    """y = x[index] (basic or integer-array indexing).
    dx = zeros like x with dy added at ``index`` (repeated indices accumulate)
    """

    def __init__(self, index):
        self.index = index
        self.is_view = not _is_advanced(index)

    def forward(self, a):
        try:
            return a[self.index]
        except IndexError as e:
            raise IndexError(f"getitem: {e} (tensor of shape {a.shape}, index {self.index!r})") from None

    def backward(self, g):
        self.check_viewed_graph()
        return ScatterAdd(self.index, self.input_shapes[0])(g)

    def settings(self):
        return {"index": _describe_index(self.index)}


class ScatterAdd(Function):
    """y = zeros(shape) with x added at ``index`` (the backward of getitem).
    dx = dy[index]
    """

    def __init__(self, index, shape):
        self.index = index
        self.shape = tuple(shape)

    def forward(self, a):
        out = np.zeros(self.shape, dtype=a.dtype)
        if _is_scatter_index(self.index):
            np.add.at(out, self.index, a)
        else:
            out[self.index] = a
        return out

    def backward(self, g):
        return GetItem(self.index)(g)

    def settings(self):
        return {"index": _describe_index(self.index), "shape": self.shape}


class IndexPut(Function):
    """y = x with y[index] = v (``t[index] = v`` in the graph; v has x[index]'s shape).
    dx = dy with zeros at ``index``
    dv = dy[index]
    A repeated integer index writes several values to one place: the last one wins,
    as in numpy (PyTorch leaves which one unspecified), and each of them gets that
    place's gradient, as PyTorch's.
    """

    def __init__(self, index):
        self.index = index

    def forward(self, a, value):
        out = a.copy()
        out[self.index] = value
        return out

    def backward(self, g):
        dx = dv = None
        if self.needs_input_grad[0]:
            zeros = Tensor(np.zeros(self.input_shapes[1], dtype=g.dtype))
            dx = IndexPut(self.index)(g, zeros)
        if self.needs_input_grad[1]:
            dv = GetItem(self.index)(g)
        return dx, dv

    def settings(self):
        return {"index": _describe_index(self.index)}


def _is_advanced(index):
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, (np.ndarray, list)) for i in items)


def _describe_index(index):
    items = index if isinstance(index, tuple) else (index,)
    return "[" + ", ".join(f"<array {i.shape}>" if isinstance(i, np.ndarray) else
                           (":" if i == slice(None) else repr(i)) for i in items) + "]"


class Pad(Function):
    """y = x padded with ``value`` (numpy's ``pad_width``).
    dx = dy cropped back to x
    """

    def __init__(self, pad_width, value=0.0):
        self.pad_width = pad_width
        self.value = value

    def forward(self, a):
        try:
            width = np.broadcast_to(np.asarray(self.pad_width, dtype=np.int64), (a.ndim, 2))
        except ValueError:
            raise ValueError(f"pad: pad_width {self.pad_width!r} does not fit a tensor of "
                             f"shape {a.shape} (expected an int, a (before, after) pair, or "
                             f"one pair per axis)") from None
        if (width < 0).any():
            raise ValueError(f"pad: pad_width must be >= 0, got {self.pad_width!r}")
        return np.pad(a, width, constant_values=self.value)

    def backward(self, g):
        shape = self.input_shapes[0]
        width = np.broadcast_to(np.asarray(self.pad_width, dtype=np.int64), (len(shape), 2))
        return GetItem(tuple(slice(b, b + n) for (b, _), n in zip(width, shape)))(g)


class Flip(Function):
    """y = x reversed along each axis in ``axes``.
    dx = dy reversed along the same axes
    """

    def __init__(self, axes):
        self.axes = tuple(axes)

    def forward(self, a):
        return np.flip(a, self.axes).copy()   # a copy, as PyTorch's flip (not a view)

    def backward(self, g):
        return Flip(self.axes)(g)


class Repeat(Function):
    """y = x tiled ``repeats`` times along each axis (PyTorch's repeat, numpy's tile).
    dx = the sum of the tiles of dy
    """

    def __init__(self, repeats):
        self.repeats = tuple(repeats)

    def forward(self, a):
        return np.tile(a, self.repeats)

    def backward(self, g):
        # dy viewed as (r_0, n_0, r_1, n_1, ...): summing the r_i axes adds the tiles.
        shape = self.input_shapes[0]
        padded = (1,) * (len(self.repeats) - len(shape)) + tuple(shape)
        interleaved = tuple(n for pair in zip(self.repeats, padded) for n in pair)
        tiles = tuple(range(0, 2 * len(padded), 2))
        return g.reshape(interleaved).sum(dim=tiles).reshape(shape)


# -- functions and Tensor methods ----------------------------------------------------

def reshape(a, *shape):
    shape = shape_args(shape, "reshape")
    return a if shape == a.shape else Reshape(shape)(a)


def permute(a, *dims):
    """The axes in the order ``dims`` (a permutation; numpy's ``transpose(axes)``)."""
    dims = shape_args(dims, "permute")
    ndim = a.ndim
    if (len(dims) != ndim or not all(-ndim <= d < ndim for d in dims)
            or sorted(d % ndim for d in dims) != list(range(ndim))):
        raise ValueError(f"permute: dims {dims} is not a permutation of the {ndim} dims of a "
                         f"tensor of shape {a.shape}")
    dims = tuple(d % ndim for d in dims)
    return a if dims == tuple(range(ndim)) else Transpose(dims)(a)


def transpose(a, dim0, dim1):
    """Swap two axes, as PyTorch (for numpy's reordering of all axes use permute)."""
    dims = list(range(a.ndim))
    i, j = one_axis(dim0, a.ndim, "transpose"), one_axis(dim1, a.ndim, "transpose")
    dims[i], dims[j] = dims[j], dims[i]
    return permute(a, *dims)


def reverse_axes(a):
    """``a.T``: all axes reversed."""
    return permute(a, *range(a.ndim - 1, -1, -1))


def matrix_transpose(a, op="t"):
    """``a.t()`` (at most 2-D, as PyTorch) and ``a.mT`` (the last two axes)."""
    if op == "t":
        if a.ndim > 2:
            raise ValueError(f"t: expects a tensor with at most 2 dims, got shape {a.shape} "
                             "(use transpose(dim0, dim1) or .mT)")
        return reverse_axes(a)
    if a.ndim < 2:
        raise ValueError(f"mT: needs at least 2 dims, got shape {a.shape}")
    return transpose(a, -2, -1)


def expand(a, *shape):
    shape = shape_args(shape, "expand")
    lead = len(shape) - a.ndim
    if lead < 0:
        raise ValueError(f"expand: target shape {shape} has fewer dimensions than the "
                         f"tensor's shape {a.shape}")
    shape = tuple(a.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(shape))
    return a if shape == a.shape else BroadcastTo(shape)(a)


def squeeze(a, dim=None, **numpy_names):
    dim, _ = dim_and_keepdim("squeeze", dim, False, numpy_names)
    if dim is None:
        dims = tuple(i for i, n in enumerate(a.shape) if n == 1)
    else:
        # as PyTorch: a named dim whose size is not 1 stays (no error)
        dims = tuple(i for i in normalize_axis(dim, a.ndim, "squeeze") if a.shape[i] == 1)
    return reshape(a, tuple(n for i, n in enumerate(a.shape) if i not in dims))


def unsqueeze(a, dim=None, **numpy_names):
    dim, _ = dim_and_keepdim("unsqueeze", dim, False, numpy_names)
    ndim = a.ndim + 1
    if dim is None or isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"unsqueeze: dim must be an int, got {dim!r}")
    if not -ndim <= dim < ndim:
        raise ValueError(f"unsqueeze: dim {dim} is out of range for a result with {ndim} dims")
    shape = list(a.shape)
    shape.insert(dim % ndim, 1)
    return reshape(a, tuple(shape))


def flatten(a, start_dim=0, end_dim=-1):
    """Dims ``start_dim`` to ``end_dim`` (inclusive) merged into one."""
    if a.ndim == 0:
        return reshape(a, (1,))
    start = one_axis(start_dim, a.ndim, "flatten")
    end = one_axis(end_dim, a.ndim, "flatten")
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} "
                         f"(shape {a.shape})")
    shape = a.shape[:start] + (int(np.prod(a.shape[start:end + 1])),) + a.shape[end + 1:]
    return reshape(a, shape)


def pad(a, pad_width, value=0.0):
    return Pad(pad_width, value)(a)


def getitem(a, index):
    return GetItem(index_as_numpy(index))(a)


def index_put(a, index, value):
    """A copy of ``a`` with ``value`` written at ``index`` (numpy's index, see
    ``index_as_numpy``), recorded: ``value`` (a tensor or a number) is cast to ``a``'s
    dtype and broadcast to the selection, as PyTorch's ``a[index] = value``."""
    try:
        selected = a.array[index].shape
    except IndexError as e:
        raise IndexError(f"__setitem__: {e} (tensor of shape {a.shape}, index "
                         f"{_describe_index(index)})") from None
    if not isinstance(value, Tensor):
        value = Tensor(value, dtype=a.dtype)
    elif value.dtype != a.dtype:
        value = value.astype(a.dtype)
    shape = value.shape
    while len(shape) > len(selected) and shape[0] == 1:   # numpy drops leading 1s
        shape = shape[1:]
    try:
        np.broadcast_shapes(shape, selected)
        fits = len(shape) <= len(selected)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"__setitem__: a value of shape {value.shape} cannot be written into "
                         f"the {selected} elements selected by {_describe_index(index)} of a "
                         f"tensor of shape {a.shape}")
    if shape != value.shape:
        value = value.reshape(shape)
    if shape != selected:
        value = BroadcastTo(selected)(value)
    return IndexPut(index)(a, value)


def flip(a, dims):
    """Reverse the order of the elements along ``dims`` (an int or a tuple of ints)."""
    return Flip(normalize_axis(dims, a.ndim, "flip") or ())(a)


def repeat(a, *sizes):
    """PyTorch's ``repeat``: tile ``a`` ``sizes[i]`` times along dim i (numpy's ``tile``);
    ``sizes`` may have more entries than ``a`` has dims (new leading dims)."""
    sizes = shape_args(sizes, "repeat")
    if len(sizes) < a.ndim:
        raise ValueError(f"repeat: give at least one size per dim: {len(sizes)} size(s) "
                         f"{sizes} for a tensor of shape {a.shape}")
    if any(n < 0 for n in sizes):
        raise ValueError(f"repeat: sizes must be >= 0, got {sizes}")
    return Repeat(sizes)(a)
