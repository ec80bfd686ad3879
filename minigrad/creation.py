"""Tensor factories: zeros, ones, full, arange, eye, randn, rand and the *_like forms."""
from __future__ import annotations

import numpy as np

from . import random as _random
from ._tensor import DEFAULT_DTYPE, Tensor, make_tensor
from .checks import shape_args
from .promotion import result_dtype


def _sizes(shape, op):
    """A shape of non-negative ints (numpy's own error does not name the function)."""
    shape = shape_args(shape, op)
    if any(n < 0 for n in shape):
        raise ValueError(f"{op}: sizes must be >= 0, got shape {shape}")
    return shape


def _leaf(data, requires_grad):
    t = make_tensor(data, False, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _dtype(dtype):
    return np.dtype(DEFAULT_DTYPE if dtype is None else dtype)


def zeros(*shape, dtype=None, requires_grad=False):
    return _leaf(np.zeros(_sizes(shape, "zeros"), _dtype(dtype)), requires_grad)


def ones(*shape, dtype=None, requires_grad=False):
    return _leaf(np.ones(_sizes(shape, "ones"), _dtype(dtype)), requires_grad)


def full(shape, fill_value, dtype=None, requires_grad=False):
    """The dtype defaults to ``fill_value``'s, as PyTorch: an int fills int64, a bool
    bool, a float the default float32."""
    if dtype is None:
        dtype = result_dtype(fill_value)
    return _leaf(np.full(_sizes((shape,), "full"), fill_value, np.dtype(dtype)), requires_grad)


def zeros_like(t, dtype=None, requires_grad=False):
    data = t.array if isinstance(t, Tensor) else np.asarray(t)
    return _leaf(np.zeros_like(data, dtype=dtype), requires_grad)


def ones_like(t, dtype=None, requires_grad=False):
    data = t.array if isinstance(t, Tensor) else np.asarray(t)
    return _leaf(np.ones_like(data, dtype=dtype), requires_grad)


def arange(start, stop=None, step=1, dtype=None, requires_grad=False):
    """Like numpy.arange; integers give int64, anything else float32 by default."""
    if step == 0:
        raise ValueError("arange: step must not be zero")
    data = np.arange(start, stop, step) if stop is not None else np.arange(start, step=step)
    if dtype is not None:
        data = data.astype(dtype)
    elif data.dtype.kind == "f":
        data = data.astype(DEFAULT_DTYPE)
    return _leaf(data, requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    _sizes((n,) if m is None else (n, m), "eye")
    return _leaf(np.eye(n, m, dtype=_dtype(dtype)), requires_grad)


def randn(*shape, dtype=None, requires_grad=False):
    """Standard normal samples from minigrad's seeded generator."""
    data = _random.generator().standard_normal(_sizes(shape, "randn"))
    return _leaf(data.astype(_dtype(dtype), copy=False), requires_grad)


def rand(*shape, dtype=None, requires_grad=False):
    """Uniform samples in [0, 1) from minigrad's seeded generator."""
    data = _random.generator().random(_sizes(shape, "rand"))
    return _leaf(data.astype(_dtype(dtype), copy=False), requires_grad)
