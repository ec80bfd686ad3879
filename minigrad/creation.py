"""Tensor factories: zeros, ones, full, arange, eye, linspace, logspace, empty, the random
ones (randn, rand, randint, randperm, normal, multinomial) and the *_like forms.

Each takes PyTorch's keywords: ``dtype=``, ``device=`` (the CPU is the only one:
anything else is a clear error), ``requires_grad=`` and, for the random ones,
``generator=`` (a :class:`minigrad.Generator`; the global seeded one by default)."""
from __future__ import annotations

import numpy as np

from . import random as _random
from ._tensor import DEFAULT_DTYPE, Tensor, device as check_device, make_tensor, to_array
from .checks import shape_args
from .promotion import result_dtype


def _sizes(shape, op):
    """A shape of non-negative ints (numpy's own error does not name the function)."""
    shape = shape_args(shape, op)
    if any(n < 0 for n in shape):
        raise ValueError(f"{op}: sizes must be >= 0, got shape {shape}")
    return shape


def _leaf(data, requires_grad, device=None):
    if device is not None:
        check_device(device)
    t = make_tensor(data, False, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _array_of(t):
    return t.array if isinstance(t, Tensor) else np.asarray(t)


def _like_dtype(t, dtype):
    return _array_of(t).dtype if dtype is None else np.dtype(dtype)


def _dtype(dtype):
    return np.dtype(DEFAULT_DTYPE if dtype is None else dtype)


def zeros(*shape, dtype=None, device=None, requires_grad=False):
    return _leaf(np.zeros(_sizes(shape, "zeros"), _dtype(dtype)), requires_grad, device)


def ones(*shape, dtype=None, device=None, requires_grad=False):
    return _leaf(np.ones(_sizes(shape, "ones"), _dtype(dtype)), requires_grad, device)


def full(shape, fill_value, dtype=None, device=None, requires_grad=False):
    """The dtype defaults to ``fill_value``'s, as PyTorch: an int fills int64, a bool
    bool, a float the default float32."""
    if dtype is None:
        dtype = result_dtype(fill_value)
    return _leaf(np.full(_sizes((shape,), "full"), fill_value, np.dtype(dtype)), requires_grad,
                 device)


def zeros_like(t, dtype=None, device=None, requires_grad=False):
    return _leaf(np.zeros_like(_array_of(t), dtype=dtype), requires_grad, device)


def ones_like(t, dtype=None, device=None, requires_grad=False):
    return _leaf(np.ones_like(_array_of(t), dtype=dtype), requires_grad, device)


def arange(start, stop=None, step=1, dtype=None, device=None, requires_grad=False):
    """Like numpy.arange; integers give int64, anything else float32 by default."""
    if step == 0:
        raise ValueError("arange: step must not be zero")
    data = np.arange(start, stop, step) if stop is not None else np.arange(start, step=step)
    if dtype is not None:
        data = data.astype(dtype)
    elif data.dtype.kind == "f":
        data = data.astype(DEFAULT_DTYPE)
    return _leaf(data, requires_grad, device)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    _sizes((n,) if m is None else (n, m), "eye")
    return _leaf(np.eye(n, m, dtype=_dtype(dtype)), requires_grad, device)


def randn(*shape, dtype=None, device=None, requires_grad=False, generator=None):
    """Standard normal samples from minigrad's seeded generator."""
    data = _random.numpy_generator(generator, "randn").standard_normal(_sizes(shape, "randn"))
    return _leaf(data.astype(_dtype(dtype), copy=False), requires_grad, device)


def rand(*shape, dtype=None, device=None, requires_grad=False, generator=None):
    """Uniform samples in [0, 1) from minigrad's seeded generator."""
    data = _random.numpy_generator(generator, "rand").random(_sizes(shape, "rand"))
    return _leaf(data.astype(_dtype(dtype), copy=False), requires_grad, device)


def empty(*shape, dtype=None, device=None, requires_grad=False):
    """Uninitialised memory, as PyTorch's (zeros here: numpy's ``empty`` may hold NaN)."""
    return _leaf(np.zeros(_sizes(shape, "empty"), _dtype(dtype)), requires_grad, device)


def empty_like(t, dtype=None, device=None, requires_grad=False):
    return _leaf(np.zeros_like(_array_of(t), dtype=dtype), requires_grad, device)


def full_like(t, fill_value, dtype=None, device=None, requires_grad=False):
    return _leaf(np.full_like(_array_of(t), fill_value, dtype=dtype), requires_grad, device)


def rand_like(t, dtype=None, device=None, requires_grad=False, generator=None):
    return rand(*np.shape(_array_of(t)), dtype=_like_dtype(t, dtype), device=device,
                requires_grad=requires_grad, generator=generator)


def randn_like(t, dtype=None, device=None, requires_grad=False, generator=None):
    return randn(*np.shape(_array_of(t)), dtype=_like_dtype(t, dtype), device=device,
                 requires_grad=requires_grad, generator=generator)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` (both included)."""
    steps = _sizes((steps,), "linspace")[0]
    return _leaf(np.linspace(float(start), float(end), steps, dtype=np.float64).astype(_dtype(dtype)),
                 requires_grad, device)


def logspace(start, end, steps, base=10.0, dtype=None, device=None, requires_grad=False):
    """``base ** linspace(start, end, steps)``."""
    exponents = np.linspace(float(start), float(end), _sizes((steps,), "logspace")[0])
    return _leaf(np.power(float(base), exponents).astype(_dtype(dtype)), requires_grad, device)


def randint(low, high=None, size=None, *, dtype=None, device=None, requires_grad=False,
            generator=None):
    """Integers in [low, high) (``randint(high, size)`` starts at 0), int64 by default."""
    if size is None:   # randint(high, size) as PyTorch's two-argument form
        low, high, size = 0, low, high
    if size is None or high is None:
        raise TypeError("randint: expected randint(high, size) or randint(low, high, size)")
    if high <= low:
        raise ValueError(f"randint: high must be > low, got low={low}, high={high}")
    data = _random.numpy_generator(generator, "randint").integers(
        low, high, _sizes((size,), "randint"))
    return _leaf(data.astype(np.int64 if dtype is None else dtype), requires_grad, device)


def randperm(n, *, dtype=None, device=None, requires_grad=False, generator=None):
    """A random permutation of 0 .. n-1 (int64 by default)."""
    data = _random.numpy_generator(generator, "randperm").permutation(_sizes((n,), "randperm")[0])
    return _leaf(data.astype(np.int64 if dtype is None else dtype), requires_grad, device)


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False):
    """Normal samples: ``normal(mean_tensor, std_tensor)`` elementwise (broadcast), or
    ``normal(mean, std, size)`` with numbers."""
    rng = _random.numpy_generator(generator, "normal")
    if size is not None:
        data = rng.normal(float(mean), float(std), _sizes((size,), "normal"))
        return _leaf(data.astype(_dtype(dtype)), requires_grad, device)
    m, s = _array_of(mean), _array_of(std)
    if m.dtype.kind != "f" and s.dtype.kind != "f":
        raise TypeError("normal: with no size, mean or std must be a float tensor")
    dtype = np.result_type(*[a.dtype for a in (m, s) if a.dtype.kind == "f"])
    data = m + s * rng.standard_normal(np.broadcast_shapes(m.shape, s.shape))
    return _leaf(data.astype(dtype), requires_grad, device)


def multinomial(probs, num_samples, replacement=False, *, generator=None):
    """Indices drawn from each row of ``probs`` (non-negative weights, not necessarily
    normalised), as PyTorch's: without replacement each index at most once."""
    weights = _array_of(probs).astype(np.float64)
    if weights.ndim not in (1, 2) or np.any(weights < 0) or not np.all(np.isfinite(weights)):
        raise ValueError(f"multinomial: probs must be a 1-D or 2-D tensor of non-negative finite "
                         f"weights, got shape {weights.shape}")
    rows = weights.reshape(-1, weights.shape[-1])
    totals = rows.sum(axis=1, keepdims=True)
    if np.any(totals <= 0):
        raise ValueError("multinomial: every row of probs must have a positive sum")
    if not replacement and num_samples > np.count_nonzero(rows, axis=1).min():
        raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement from "
                         f"{np.count_nonzero(rows, axis=1).min()} non-zero weights")
    rng = _random.numpy_generator(generator, "multinomial")
    if replacement:   # inverse CDF, every row at once
        cdf = np.cumsum(rows / totals, axis=1)
        u = rng.random((rows.shape[0], num_samples))
        picks = (u[:, :, None] >= cdf[:, None, :]).sum(axis=2)
        picks = np.minimum(picks, rows.shape[1] - 1)
    else:   # Gumbel top-k: keys log(w) + Gumbel noise, the largest k without repeats
        with np.errstate(divide="ignore"):
            keys = np.log(rows) - np.log(-np.log(rng.random(rows.shape)))
        picks = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    picks = picks.astype(np.int64)
    return make_tensor(picks[0] if weights.ndim == 1 else picks)


def as_tensor(data, dtype=None, device=None):
    """A tensor sharing memory with ``data`` where it can (a tensor or an ndarray of the
    same dtype), a new one otherwise."""
    if device is not None:
        check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None or np.dtype(dtype) == data.dtype else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or np.dtype(dtype) == data.dtype):
        return make_tensor(data)
    return make_tensor(to_array(data, dtype))


def is_tensor(obj):
    return isinstance(obj, Tensor)
