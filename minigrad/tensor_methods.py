"""The longer bodies of ``Tensor``'s methods: each ``Tensor`` method stays one line
in its family's class (:mod:`minigrad._tensor` names them) and calls ``tensor_<name>``
here."""
from __future__ import annotations

import numpy as np

from . import checks, devices
from ._tensor import DEFAULT_DTYPE, Tensor, make_tensor
from .conversion import TYPE_NAMES, TYPE_NAMES_BACK, dtype_of_to_args
from . import promotion
from .ops import elementwise as ew, extremum, nograd as ng, pad_flip_repeat as pfr, piecewise as pw


def tensor_array(self, dtype=None, copy=None):
    if copy:
        return np.array(self.array, dtype=dtype, copy=True)
    return self.array if dtype is None else self.array.astype(dtype, copy=False)


def tensor_size(self, dim=None):
    if dim is None:
        return self.array.shape
    return self.array.shape[checks.one_axis(dim, self.array.ndim, "size")]


def tensor_requires_grad(self, requires_grad=True):
    if requires_grad and self.array.dtype.kind not in "fc":
        raise TypeError(f"Tensor: only floating-point tensors can require grad; this "
                        f"one has dtype {self.array.dtype} and shape {self.shape} "
                        "(convert with .astype('float32') first)")
    if not requires_grad and self.grad_fn is not None:
        raise RuntimeError("requires_grad_: a non-leaf tensor always requires grad; "
                           "use .detach() for a tensor outside the graph")
    self.requires_grad = bool(requires_grad)
    return self


def tensor_len(self):
    if self.array.ndim == 0:
        raise TypeError("len() of a 0-d tensor")
    return len(self.array)


def tensor_repr(self):
    body = np.array2string(self.array, separator=", ", prefix="tensor(")
    extra = ""
    if self.array.dtype != DEFAULT_DTYPE:
        extra += f", dtype={self.array.dtype}"
    if self.grad_fn is not None:
        extra += f", grad_fn=<{self.grad_fn.name}>"
    elif self.requires_grad:
        extra += ", requires_grad=True"
    return f"tensor({body}{extra})"


def tensor_bool(self):
    if self.array.size != 1:
        raise ValueError(f"the truth value of a tensor of shape {self.shape} is "
                         "ambiguous; use .any() or .all()")
    return bool(self.array)


def tensor_format(self, spec):
    if self.array.ndim == 0:
        return format(self.array.item(), spec)
    if spec:
        raise TypeError(f"unsupported format string {spec!r} passed to Tensor.__format__ "
                        f"(only a 0-d tensor formats as a number; this one has shape "
                        f"{self.shape}: use .item())")
    return str(self)


def tensor_index(self):
    if self.array.dtype.kind not in "iu" or self.array.size != 1:
        raise TypeError("only a single-element integer tensor can be used as an index")
    return int(self.array)


def tensor_item(self):
    if self.array.size != 1:
        raise ValueError(f"item: only a one-element tensor can be converted to a Python "
                         f"number; this one has shape {self.shape}")
    return self.array.item()


def tensor_astype(self, dtype):
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"astype: {dtype!r} is not a dtype (expected e.g. minigrad.float32 "
                        "or 'float64')") from None
    if dtype == self.array.dtype:
        return self
    if dtype.kind not in "fc":   # integers and booleans carry no gradient
        return make_tensor(self.array.astype(dtype))
    return ew.Cast(dtype)(self)


def tensor_to(self, *args, **kwargs):
    dtype = dtype_of_to_args(args, kwargs)
    result = self if dtype is None else self.astype(dtype)
    return result.clone() if kwargs.get("copy") and result is self else result


def tensor_clamp(self, min=None, max=None, **numpy_names):
    lo, hi = checks.bounds_of_clamp(min, max, numpy_names)
    if isinstance(lo, Tensor) or isinstance(hi, Tensor):   # elementwise bounds
        out = self if lo is None else pw.maximum(self, lo.to(self.dtype))
        return out if hi is None else pw.minimum(out, hi.to(self.dtype))
    return ew.clip(self, lo, hi)


def tensor_max(self, dim=None, keepdim=False, **numpy_names):
    if isinstance(dim, Tensor):
        return pw.maximum(self, dim)
    return extremum.max(self, dim, keepdim, **numpy_names)


def tensor_min(self, dim=None, keepdim=False, **numpy_names):
    if isinstance(dim, Tensor):
        return pw.minimum(self, dim)
    return extremum.min(self, dim, keepdim, **numpy_names)


def tensor_flip(self, *dims, **dims_keyword):
    if dims_keyword:
        dims = (dims_keyword.pop("dims"),) if "dims" in dims_keyword and not dims else dims
        if dims_keyword:
            raise TypeError(f"flip() got an unexpected keyword argument {next(iter(dims_keyword))!r}")
    return pfr.flip(self, dims[0] if len(dims) == 1 else dims)


def tensor_div(self, other, *, rounding_mode=None):
    if rounding_mode is None:
        return self / other
    if rounding_mode not in ("floor", "trunc"):
        raise ValueError(f"div: rounding_mode must be None, 'floor' or 'trunc', got "
                         f"{rounding_mode!r}")
    if rounding_mode == "floor":   # Python's floor rule in the promoted dtype, as PyTorch
        rounded = ng.floor_divide(self, other)
    else:
        other_array = other.array if isinstance(other, Tensor) else np.asarray(other)
        ew.check_integer_divisor(self.array, other_array, "div")
        dtype = promotion.result_dtype(self, other)
        with np.errstate(divide="ignore", invalid="ignore"):   # (ints divide in float64)
            quotient = np.true_divide(self.array.astype(dtype) if dtype.kind == "f" else self.array,
                                      other_array.astype(dtype) if dtype.kind == "f" else other_array)
        rounded = make_tensor(np.asarray(np.trunc(quotient)).astype(dtype))
    if rounded.array.dtype.kind != "f" or not (self.requires_grad or getattr(other, "requires_grad", False)):
        return rounded   # integers stay integers (of the promoted dtype), as PyTorch
    return (self / other) * 0 + rounded   # the gradient through the rounding is 0, as PyTorch's


def tensor_fmod(self, other):
    return self - (self / other).trunc() * other if self.array.dtype.kind in "fc" \
        else make_tensor(np.fmod(self.array, np.asarray(other)))


def tensor_type(self, dtype=None):
    if dtype is None:
        return TYPE_NAMES.get(self.array.dtype, f"torch.{self.array.dtype}")
    return self.to(TYPE_NAMES_BACK.get(dtype, dtype))


def tensor_new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
    if device is not None:
        devices.device(device)   # checks the name: only the CPU exists
    array = np.full(checks.shape_args((size,), "new_full"), fill_value,
                    self.array.dtype if dtype is None else np.dtype(dtype))
    return make_tensor(array).requires_grad_(requires_grad)
