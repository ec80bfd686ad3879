"""Python data as tensor arrays: ``to_array`` (what ``minigrad.tensor(data)`` stores),
``as_operand`` (a number, list or array beside a tensor in arithmetic), the gradient
handed to ``backward``, indices as numpy reads them, and ``Tensor.to``/``type``
arguments."""
from __future__ import annotations

import functools

import numpy as np

from . import promotion
from ._tensor import DEFAULT_DTYPE, Tensor, make_tensor
from .devices import DEVICE_TYPES, device


def to_array(data, dtype=None, copy=True):
    """numpy arrays keep their dtype; as in PyTorch, Python floats (and lists with
    any float) become float32, Python ints int64 and bools bool, unless a dtype is given."""
    if isinstance(data, Tensor):
        data = data.array
    if dtype is not None:
        return np.array(data, dtype=np.dtype(dtype), copy=copy)
    if isinstance(data, (np.ndarray, np.generic)):
        return np.array(data, copy=copy)
    if isinstance(_first_element(data), Tensor):
        return _array_of_tensors(data)
    try:
        arr = np.asarray(data)
    except TypeError:   # numpy reads a 0-d tensor in a list as a bad sequence
        if isinstance(data, (list, tuple)) and _holds_tensor(data):
            return _array_of_tensors(data)
        raise
    except ValueError as exc:   # ragged nesting such as [[1, 2], [3]]
        raise ValueError(f"tensor: cannot make a tensor from this {type(data).__name__}: the "
                         f"nested lists must form a rectangular array ({exc})") from None
    if arr.dtype.kind == "u" or (arr.dtype.kind == "O" or (arr.dtype.kind == "f" and arr.size and
                                 np.abs(arr).max() >= 2**63)) and _holds_big_int(data):
        raise ValueError("tensor: a Python int does not fit in int64 (the range is -2**63 to "
                         "2**63 - 1); PyTorch refuses it too rather than wrapping around")
    if arr.dtype.kind == "f":
        arr = arr.astype(DEFAULT_DTYPE)
    elif arr.dtype.kind in "iu":
        arr = arr.astype(np.int64)
    elif arr.dtype.kind not in "bc":
        raise TypeError(f"tensor: cannot make a tensor from {type(data).__name__} "
                        f"(numpy dtype {arr.dtype}); expected numbers, nested lists or an ndarray")
    return arr


def _numbers_of_tensors(items):
    """Nested lists with each one-element tensor replaced by its number, and the dtype
    ``torch.tensor([t0, t1])`` gives them: every element's (a tensor's own, a number's
    default) promoted together."""
    dtypes = []

    def unwrap(item):
        if isinstance(item, (list, tuple)):
            return [unwrap(i) for i in item]
        if isinstance(item, Tensor):
            if item.array.size != 1:
                raise ValueError(f"tensor: only one-element tensors can be converted to Python "
                                 f"scalars, got a tensor of shape {item.shape} in the list")
            dtypes.append(item.array.dtype)
            return item.array.item()
        dtypes.append(promotion.number_dtype(item))
        return item
    numbers = unwrap(items)
    return numbers, functools.reduce(promotion.promote_types, dtypes)


def _holds_big_int(data):
    """Whether (nested lists of) ``data`` hold a Python int outside int64's range."""
    if isinstance(data, (list, tuple)):
        return any(_holds_big_int(item) for item in data)
    return isinstance(data, int) and not -2**63 <= data < 2**63


def _first_element(data):
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return data


def _array_of_tensors(data):
    numbers, dtype = _numbers_of_tensors(data)
    return to_array(numbers, dtype)


def _holds_tensor(items):
    """Whether nested lists hold a tensor (numpy reads a 0-d one as a bad sequence)."""
    return any(_holds_tensor(i) if isinstance(i, (list, tuple)) else isinstance(i, Tensor)
               for i in items)


def as_operand(value, like):
    """An operand that is not a tensor (a number, list or ndarray) as a constant
    tensor. A Python or numpy number takes the dtype PyTorch's promotion gives it
    with ``like`` (a number only raises the category: ``float32_tensor * 2.0`` and
    ``x / np.sqrt(d)`` stay float32, ``int_tensor + 2.5`` is float32); a list of
    numbers takes a float tensor's dtype; an ndarray keeps its own, as a tensor."""
    kind = type(value)
    if (kind is float or kind is int) and like.array.dtype.kind == "f":   # the common case
        return make_tensor(np.array(value, dtype=like.array.dtype), False, None)
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return make_tensor(value, False, None)
    if promotion.is_number(value):
        return make_tensor(np.array(value, dtype=promotion.result_dtype(like, value)), False, None)
    arr = np.asarray(value)
    if arr.dtype.kind not in "biufc":   # strings, objects, dates: numpy's ufunc error is cryptic
        raise TypeError(f"cannot combine a tensor with {type(value).__name__} (numpy dtype "
                        f"{arr.dtype}); expected a number, an array of numbers or a tensor")
    if arr.dtype.kind in "iuf" and like.array.dtype.kind == "f":
        arr = arr.astype(like.array.dtype)
    return make_tensor(arr, False, None)


def check_grad_output(t, grad, op):
    """Check or create the gradient handed to backward for output ``t``."""
    if grad is None:
        if t.array.size != 1:
            raise RuntimeError(
                f"{op}: grad can be created implicitly only for a scalar output, but the "
                f"output has shape {t.shape}; pass grad= (a tensor of shape {t.shape}) "
                "or reduce the output to a scalar first (e.g. .sum())")
        return make_tensor(np.ones_like(t.array), False, None)
    if not isinstance(grad, Tensor):
        array = np.asarray(grad)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"{op}: grad must be a tensor or an array of numbers, got "
                            f"{type(grad).__name__} (numpy dtype {array.dtype})")
        grad = make_tensor(array.astype(t.array.dtype, copy=False), False, None)
    if grad.shape != t.shape:
        raise ValueError(f"{op}: grad has shape {grad.shape} but the output has shape "
                         f"{t.shape}; they must match")
    return grad


def index_as_numpy(index):
    """An index as numpy reads it: tensors by their arrays, and lists (at the top or
    inside a tuple) as arrays, so repeated entries are seen and their gradients add up."""
    if isinstance(index, tuple):
        return tuple(_index_item(i) for i in index)
    return _index_item(index)


def _index_item(item):
    if isinstance(item, Tensor):
        return item.array
    if isinstance(item, list):
        if not item:   # x[[]] selects nothing (numpy would read [] as a float array)
            return np.zeros(0, dtype=np.int64)
        return np.asarray([i.array if isinstance(i, Tensor) else i for i in item])
    return item


def dtype_of_to_args(args, kwargs):
    """The dtype that ``Tensor.to``/``Module.to`` arguments ask for (None: keep it);
    a device other than the CPU is an error."""
    dtype = kwargs.get("dtype")
    for key in kwargs:
        if key not in ("dtype", "device", "non_blocking", "copy"):
            raise TypeError(f"to() got an unexpected keyword argument {key!r}")
    for target in list(args) + ([kwargs["device"]] if "device" in kwargs else []):
        if isinstance(target, Tensor):
            dtype = target.dtype
        elif isinstance(target, device) or (isinstance(target, str)
                                            and target.split(":")[0] in DEVICE_TYPES):
            device(target)   # checks the name: only the CPU exists
        else:
            dtype = target
    return dtype


def tile_sizes(ndim, dims):
    """``tile``'s repeats as ``repeat`` takes them: missing leading counts are 1."""
    dims = tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else tuple(dims)
    return (1,) * (ndim - len(dims)) + dims


TYPE_NAMES = {np.dtype(np.float32): "torch.FloatTensor", np.dtype(np.float64): "torch.DoubleTensor",
              np.dtype(np.float16): "torch.HalfTensor", np.dtype(np.int64): "torch.LongTensor",
              np.dtype(np.int32): "torch.IntTensor", np.dtype(np.int16): "torch.ShortTensor",
              np.dtype(np.int8): "torch.CharTensor", np.dtype(np.uint8): "torch.ByteTensor",
              np.dtype(np.bool_): "torch.BoolTensor"}
TYPE_NAMES_BACK = {name: dtype for dtype, name in TYPE_NAMES.items()}
