"""Joining and splitting tensors: cat/concatenate, stack, split, chunk.

Each backward moves the gradient back: concatenate <-> slices of dy, stack <-> dy
at each position, split <-> the pieces are slices (``GetItem``) of one tensor.
"""
from __future__ import annotations

import operator

import numpy as np

from ..autograd import Function
from .._tensor import Tensor, as_operand
from ..checks import dim_and_keepdim, one_axis, positive_int, shape_args
from ..promotion import promoted
from .subscript import GetItem


class Concatenate(Function):
    """y = concatenate(x_1, ..., x_k) along ``axis``.
    dx_i = the slice of dy where x_i was placed
    """

    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *arrays):
        try:
            out = np.concatenate(arrays, axis=self.axis)
        except (ValueError, np.exceptions.AxisError) as e:
            raise ValueError(f"concatenate: cannot join shapes {[a.shape for a in arrays]} "
                             f"along axis {self.axis}: {e}") from None
        return out

    def backward(self, g):
        axis = self.axis % g.ndim
        bounds = np.cumsum([0] + [shape[axis] for shape in self.input_shapes])
        lead = (slice(None),) * axis
        return tuple(GetItem(lead + (slice(int(start), int(stop)),))(g) if need else None
                     for start, stop, need in zip(bounds[:-1], bounds[1:], self.needs_input_grad))


class Stack(Function):
    """y = stack(x_1, ..., x_k) along a new ``axis``.
    dx_i = dy at position i of ``axis``
    """

    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *arrays):
        try:
            out = np.stack(arrays, axis=self.axis)
        except (ValueError, np.exceptions.AxisError) as e:
            raise ValueError(f"stack: cannot stack shapes {[a.shape for a in arrays]} along "
                             f"axis {self.axis}: {e}") from None
        return out

    def backward(self, g):
        lead = (slice(None),) * (self.axis % g.ndim)
        return tuple(GetItem(lead + (i,))(g) if need else None
                     for i, need in enumerate(self.needs_input_grad))


def _tensors(ts, op):
    ts = list(ts)
    if not ts:
        raise ValueError(f"{op}: needs at least one tensor")
    first = next((t for t in ts if isinstance(t, Tensor)), None)
    if first is None:
        return [Tensor(t) for t in ts]
    return promoted(*[as_operand(t, first) for t in ts])   # cat([int, float32]) is float32


def _one_dim(op, dim, numpy_names):
    dim, _ = dim_and_keepdim(op, dim, False, numpy_names, default_dim=0)
    try:
        return operator.index(dim)
    except TypeError:
        raise TypeError(f"{op}: dim must be an int, got {dim!r}") from None


def cat(tensors, dim=None, **numpy_names):
    """Join tensors along an existing dim (``torch.cat``, ``numpy.concatenate``)."""
    return Concatenate(_one_dim("cat", dim, numpy_names))(*_tensors(tensors, "cat"))


def concatenate(tensors, axis=None, dim=None):
    """numpy's spelling of :func:`cat` (``axis=``), with PyTorch's ``dim=`` too; dim 0 by default."""
    if axis is not None and dim is not None:
        raise TypeError("concatenate: give dim or axis, not both")
    axis = _one_dim("concatenate", None, {"axis": 0 if axis is None and dim is None
                                          else (dim if axis is None else axis)})
    return Concatenate(axis)(*_tensors(tensors, "concatenate"))


def stack(tensors, dim=None, **numpy_names):
    """Join tensors along a new dim."""
    return Stack(_one_dim("stack", dim, numpy_names))(*_tensors(tensors, "stack"))


def split(a, split_size_or_sections, dim=0):
    """Pieces of ``a`` along ``dim`` as a tuple of tensors (views of ``a``, each
    differentiable): an int is the size of every piece (the last may be smaller), a
    list gives each piece's size (they must add up to the dim's length)."""
    axis = one_axis(dim, a.ndim, "split")
    length = a.shape[axis]
    sizes = split_size_or_sections
    if isinstance(sizes, (list, tuple)):
        sizes = shape_args(tuple(sizes), "split")
        if any(n < 0 for n in sizes) or sum(sizes) != length:
            raise ValueError(f"split: section sizes {list(sizes)} must be >= 0 and add up to "
                             f"{length}, the length of dim {dim} of shape {a.shape}")
    else:
        try:
            size = operator.index(sizes)
        except TypeError:
            raise TypeError(f"split: split_size_or_sections must be an int or a list of ints, "
                            f"got {sizes!r}") from None
        if size < 0 or (size == 0 and length):
            raise ValueError(f"split: split_size must be a positive int, got {size}")
        if not length:   # an empty dim gives one empty piece, as PyTorch
            sizes = [0]
        else:
            sizes = [size] * (length // size) + ([length % size] if length % size else [])
    bounds = np.cumsum([0] + list(sizes))
    lead = (slice(None),) * axis
    return tuple(GetItem(lead + (slice(int(start), int(stop)),))(a)
                 for start, stop in zip(bounds[:-1], bounds[1:]))


def chunk(a, chunks, dim=0):
    """``a`` split into at most ``chunks`` pieces of ceil(length / chunks) along ``dim``
    (fewer pieces when the length runs out, as PyTorch)."""
    chunks = positive_int(chunks, "chunks", "chunk")
    length = a.shape[one_axis(dim, a.ndim, "chunk")]
    if not length:
        return split(a, [0] * chunks, dim)
    return split(a, -(-length // chunks), dim)
