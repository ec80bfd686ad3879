"""Tensor factories: zeros, ones, full, arange, eye, randn, rand and the *_like forms."""
from __future__ import annotations

import numpy as np

from . import random as _random
from .tensor import DEFAULT_DTYPE, Tensor, _make
from .ops.shape import _shape_args


def _leaf(data, requires_grad):
    t = _make(data, False, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _dtype(dtype):
    return np.dtype(DEFAULT_DTYPE if dtype is None else dtype)


def zeros(*shape, dtype=None, requires_grad=False):
    return _leaf(np.zeros(_shape_args(shape, "zeros"), _dtype(dtype)), requires_grad)


def ones(*shape, dtype=None, requires_grad=False):
    return _leaf(np.ones(_shape_args(shape, "ones"), _dtype(dtype)), requires_grad)


def full(shape, fill_value, dtype=None, requires_grad=False):
    return _leaf(np.full(_shape_args((shape,), "full"), fill_value, _dtype(dtype)), requires_grad)


def zeros_like(t, dtype=None, requires_grad=False):
    data = t.data if isinstance(t, Tensor) else np.asarray(t)
    return _leaf(np.zeros_like(data, dtype=dtype), requires_grad)


def ones_like(t, dtype=None, requires_grad=False):
    data = t.data if isinstance(t, Tensor) else np.asarray(t)
    return _leaf(np.ones_like(data, dtype=dtype), requires_grad)


def arange(start, stop=None, step=1, dtype=None, requires_grad=False):
    """Like numpy.arange; integers give int64, anything else float32 by default."""
    data = np.arange(start, stop, step) if stop is not None else np.arange(start, step=step)
    if dtype is not None:
        data = data.astype(dtype)
    elif data.dtype.kind == "f":
        data = data.astype(DEFAULT_DTYPE)
    return _leaf(data, requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    return _leaf(np.eye(n, m, dtype=_dtype(dtype)), requires_grad)


def randn(*shape, dtype=None, requires_grad=False):
    """Standard normal samples from minigrad's seeded generator."""
    data = _random.generator().standard_normal(_shape_args(shape, "randn"))
    return _leaf(data.astype(_dtype(dtype), copy=False), requires_grad)


def rand(*shape, dtype=None, requires_grad=False):
    """Uniform samples in [0, 1) from minigrad's seeded generator."""
    data = _random.generator().random(_shape_args(shape, "rand"))
    return _leaf(data.astype(_dtype(dtype), copy=False), requires_grad)
