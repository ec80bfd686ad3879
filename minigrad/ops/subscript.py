"""Subscripts: reading ``t[index]`` (GetItem) and writing ``t[index] = v`` (IndexPut),
with numpy's basic and integer-array indexing.

Reading and scattering are each other's backward: getitem <-> scatter-add
(repeated indices add up); a write's gradient is dy with the written places zeroed
for the old tensor, and dy at those places for the value.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from .._tensor import Tensor, index_as_numpy


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


# -- functions and Tensor methods ----------------------------------------------------

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
        value = value.expand(*selected)
    return IndexPut(index)(a, value)
