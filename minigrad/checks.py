"""Argument checks shared by the ops, nn, optim, data and creation: each turns a
bad argument into a clear error naming the op, the argument and what was expected."""
from __future__ import annotations

import numbers
import operator

import numpy as np

from ._tensor import Tensor


def normalize_axis(axis, ndim, op):
    """``axis`` (None, an int or a tuple of ints) as a sorted tuple of non-negative
    axes, or None for "all axes"; a clear error when it is out of range. A 0-d
    tensor accepts axis 0 or -1, as PyTorch does, meaning no axis at all: ()."""
    if axis is None:
        return None
    axes = (axis,) if not isinstance(axis, (tuple, list)) else tuple(axis)
    if ndim == 0 and all(isinstance(a, (int, np.integer)) and a in (0, -1) for a in axes):
        return ()
    result = []
    for a in axes:
        try:
            a = operator.index(a)
        except TypeError:
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}") from None
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"{op}: axis {a} is out of range for a tensor with {ndim} "
                             f"dimension(s) (expected -{ndim} <= axis < {ndim})")
        result.append(a % ndim if ndim else 0)
    if len(set(result)) != len(result):
        raise ValueError(f"{op}: axis {axis!r} repeats an axis")
    return tuple(sorted(result))


def one_axis(axis, ndim, op):
    """A single axis as a non-negative int (for ops that work along one axis)."""
    axes = normalize_axis(axis, ndim, op)
    if not axes:
        raise ValueError(f"{op}: a 0-d tensor has no axis {axis} to work along")
    return axes[0]


def keepdims_shape(shape, axes):
    """The shape of a reduction over ``axes`` with keepdims=True."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def as_pair(value, name, op, minimum=0):
    """An int or a pair of ints as a pair, checked against ``minimum``."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                 for v in pair):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    if any(v < minimum for v in pair):
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {value!r}")
    return tuple(int(v) for v in pair)


def check_number(value, name, op):
    """A real-number hyper-parameter as a float (a string or None would otherwise
    fail later inside a numpy ufunc, far from the call)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{op}: {name} must be a number, got {type(value).__name__} {value!r}")
    return float(value)


def check_float_tensor(t, name, op, ndim=None, what=""):
    """``t`` must be a floating-point Tensor (of ``ndim`` dimensions, if given):
    a TypeError for an ndarray, a list, an integer or bool tensor (which cannot
    carry a gradient and would silently change the result's dtype), a ValueError
    for the wrong rank. ``what`` describes the expected layout, e.g. "(N, C, H, W)"."""
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__} "
                        "(wrap arrays with minigrad.tensor(...))")
    if t.dtype.kind != "f":
        raise TypeError(f"{op}: {name} must be a floating-point tensor, got dtype {t.dtype} "
                        f"(shape {t.shape}); convert with .astype('float32')")
    if ndim is not None and t.ndim not in ((ndim,) if isinstance(ndim, int) else ndim):
        dims = ndim if isinstance(ndim, int) else " or ".join(map(str, ndim))
        layout = f" {what}" if what else ""
        raise ValueError(f"{op}: {name} must be {dims}-D{layout}, got shape {t.shape}")


def check_same_dtype(op, *named):
    """``named``: (name, tensor or None) pairs that must share one dtype (numpy
    would silently promote float32 with float64 to float64)."""
    dtypes = {t.dtype for _, t in named if t is not None}
    if len(dtypes) > 1:
        seen = ", ".join(f"{name} {t.dtype}" for name, t in named if t is not None)
        names = ", ".join(name for name, t in named if t is not None)
        raise TypeError(f"{op}: {names} must share one dtype, got {seen}")


def shape_args(shape, op):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    try:
        return tuple(operator.index(s) for s in shape)
    except TypeError:
        raise TypeError(f"{op}: shape must be ints, got {shape!r}") from None


def positive_int(value, name, op):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{op}: {name} must be a positive int, got {value!r}")
    return int(value)


def check_probability(p, op):
    """``p`` as a float, if it is a real number in [0, 1] (numpy scalars such as
    np.float32 included; bools, strings and NaN are not)."""
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
        raise ValueError(f"{op}: p must be a probability in [0, 1], got {p!r}")
    return float(p)


def as_index_array(indices, length, op):
    indices = np.asarray(indices)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"{op}: indices must be integers, got dtype {indices.dtype}")
    if indices.size and (indices.min() < -length or indices.max() >= length):
        raise IndexError(f"{op}: index out of range for a dataset of {length} samples")
    return indices


def check_bool(value, op, name="inplace"):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{op}: {name} must be a bool, got {type(value).__name__} {value!r}")
    return bool(value)


def dim_and_keepdim(op, dim, keepdim, numpy_names, default_dim=None):
    """PyTorch's ``dim``/``keepdim`` or numpy's ``axis``/``keepdims`` (given as
    keywords in ``numpy_names``): one spelling of each, not both."""
    unknown = set(numpy_names) - {"axis", "keepdims"}
    if unknown:
        raise TypeError(f"{op}() got an unexpected keyword argument {sorted(unknown)[0]!r}")
    if "axis" in numpy_names:
        if dim is not None:
            raise TypeError(f"{op}: give dim or axis, not both (the same argument in PyTorch's "
                            f"and numpy's spelling; got dim={dim!r}, axis={numpy_names['axis']!r})")
        dim = numpy_names["axis"]
    if "keepdims" in numpy_names:
        if keepdim:
            raise TypeError(f"{op}: give keepdim or keepdims, not both (the same argument in "
                            "PyTorch's and numpy's spelling)")
        keepdim = numpy_names["keepdims"]
    return (default_dim if dim is None else dim), bool(keepdim)


def bounds_of_clamp(low, high, numpy_names):
    """``clamp``'s bounds from PyTorch's ``min=``/``max=`` or numpy's ``lo=``/``hi=``
    (``a_min``/``a_max``); giving one bound both ways is a TypeError."""
    for key, value in numpy_names.items():
        if key in ("lo", "a_min"):
            if low is not None:
                raise TypeError(f"clamp: got the lower bound twice (min and {key})")
            low = value
        elif key in ("hi", "a_max"):
            if high is not None:
                raise TypeError(f"clamp: got the upper bound twice (max and {key})")
            high = value
        else:
            raise TypeError(f"clamp() got an unexpected keyword argument {key!r}")
    return low, high
