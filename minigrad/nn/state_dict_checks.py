"""Checking a state dict against a module before ``load_state_dict`` writes anything:
missing and unexpected keys, values that are not numeric arrays, shapes that differ
and casts that would change a number. Every problem is collected and reported in one
:class:`StateDictError`."""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .._tensor import Tensor

__all__ = ["StateDictError", "IncompatibleKeys", "checked_updates"]


class StateDictError(ValueError, RuntimeError):
    """A state dict that does not fit the module (missing, unexpected or
    mis-shaped keys). A ValueError as the API's bad arguments are, and a
    RuntimeError as PyTorch raises for the same problem."""


IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


def checked_updates(owner, state_dict, targets, may_lack, strict):
    """The ``(target tensor, array)`` pairs to copy and the ``IncompatibleKeys``, or a
    :class:`StateDictError` naming every problem. ``targets``: key -> tensor of the
    module (``owner`` names it); ``may_lack``: keys an older checkpoint may miss."""
    if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
        raise TypeError(f"load_state_dict: expected a dict of arrays, got "
                        f"{type(state_dict).__name__}")
    missing = [k for k in targets if k not in state_dict and k not in may_lack]
    unexpected = [k for k in state_dict.keys() if k not in targets]
    problems = []
    if strict and missing:
        problems.append("missing key(s): " + ", ".join(missing))
    if strict and unexpected:
        problems.append("unexpected key(s): " + ", ".join(map(str, unexpected)))
    updates = []
    for key, target in targets.items():
        if key not in state_dict:
            continue
        value = _as_array(state_dict[key], key)
        if value.shape != target.array.shape:
            problems.append(f"size mismatch for {key}: checkpoint has shape "
                            f"{value.shape}, the model has {target.array.shape}")
        elif (problem := _cast_problem(key, value, target.array.dtype)) is not None:
            problems.append(problem)
        else:
            updates.append((target, value))
    if problems:
        raise StateDictError(f"load_state_dict for {owner}: " + "; ".join(problems)
                             + " (nothing was loaded)")
    return updates, IncompatibleKeys(missing, unexpected)


def _as_array(value, key):
    """A state-dict value (Tensor, ndarray, number, or anything ``np.asarray``
    takes, such as a CPU torch tensor) as an ndarray."""
    if isinstance(value, Tensor):
        return value.array
    try:
        array = np.asarray(value)
    except Exception as exc:   # e.g. a torch tensor that requires grad
        raise TypeError(f"load_state_dict: value for {key!r} ({type(value).__name__}) cannot "
                        f"be read as an array: {exc}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"load_state_dict: value for {key!r} must be numeric, got dtype "
                        f"{array.dtype}")
    return array


def _cast_problem(key, value, dtype):
    """Why ``value`` cannot be cast to ``dtype`` without changing a number, or None:
    a float with a fraction into an integer buffer would be truncated, a finite
    number beyond float32's range would become inf."""
    if value.dtype.kind == "b" or value.size == 0:
        return None
    if dtype.kind in "iu" and value.dtype.kind == "f":
        if not (np.isfinite(value).all() and (value == np.round(value)).all()):
            return (f"value for {key} holds non-integer numbers (dtype {value.dtype}) but the "
                    f"model's is {dtype}")
    elif dtype.kind == "f" and value.dtype.itemsize > dtype.itemsize:
        with np.errstate(over="ignore"):
            cast = value.astype(dtype)
        if not np.array_equal(np.isfinite(cast), np.isfinite(value)):
            return f"value for {key} has numbers beyond the range of the model's {dtype}"
    return None
