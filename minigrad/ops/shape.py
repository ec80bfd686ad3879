"""Shape views: reshape, transpose/permute, broadcast (expand) and its adjoint sum_to,
squeeze/unsqueeze/flatten (indexing: ``subscript.py``; pad, flip, repeat:
``pad_flip_repeat.py``; joining and splitting tensors: ``join.py``).

They move numbers around without changing them, so each backward moves the
gradient back: reshape <-> reshape, transpose <-> inverse transpose,
broadcast <-> sum_to.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function
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
