"""``Parameter``, a layer's trainable tensor, and how layers make theirs: the dtype
from PyTorch's ``device=``/``dtype=`` arguments, an empty parameter to fill, and
PyTorch's default initialisation of a Linear or Conv weight and bias."""
from __future__ import annotations

import math

import numpy as np

from . import init
from .._tensor import DEFAULT_DTYPE, Tensor, device, to_array

__all__ = ["Parameter", "parameter_dtype", "empty_parameter", "pytorch_default_init"]


class Parameter(Tensor):
    """A tensor that is a trainable weight: it requires grad, and assigning it to
    a :class:`Module` attribute registers it. ``Parameter(tensor)`` shares the
    tensor's array (no copy); a list or an ndarray is copied as ``Tensor`` does."""

    __slots__ = ()

    def __init__(self, data, requires_grad=True):
        array = data.array if isinstance(data, Tensor) else to_array(data)
        super().__init__(array, requires_grad=False)
        self.array = array          # Tensor.__init__ copied it; a Parameter shares
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


def parameter_dtype(device_name, dtype, op):
    """The numpy dtype of a layer's parameters and buffers from PyTorch's
    ``device=None, dtype=None`` arguments: any device but the CPU is the clear error
    of ``minigrad.device``; the dtype must be a floating-point one (default float32)."""
    if device_name is not None:
        device(device_name)
    try:
        dtype = np.dtype(DEFAULT_DTYPE if dtype is None else dtype)
    except TypeError:
        raise TypeError(f"{op}: dtype must be a floating-point dtype, got {dtype!r}") from None
    if dtype.kind != "f":
        raise TypeError(f"{op}: dtype must be a floating-point dtype (parameters are trained), "
                        f"got {dtype}")
    return dtype


def empty_parameter(shape, dtype):
    """An uninitialised Parameter; ``dtype``: a numpy dtype from ``parameter_dtype``."""
    return Parameter(np.empty(shape, dtype=dtype))


def pytorch_default_init(weight, bias, fan_in):
    """PyTorch's default for Linear and Conv: kaiming_uniform_ with a = sqrt(5)
    (which works out to U(-1/sqrt(fan_in), 1/sqrt(fan_in))) for the weight, and
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        init.uniform_(bias, -bound, bound)
