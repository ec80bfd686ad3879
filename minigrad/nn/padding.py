"""Padding layers for images: ``ReflectionPad2d``, ``ReplicationPad2d``, ``ZeroPad2d``,
``ConstantPad2d``. Each pads the last two dims of (N, C, H, W) or unbatched
(C, H, W) input with ``F.pad`` (its hand-written backward folds the copied borders
back); ``padding`` is an int (all four sides) or (left, right, top, bottom)."""
from __future__ import annotations

import operator

from . import functional as F
from .module import Module
from ..checks import check_float_tensor, check_number

__all__ = ["ReflectionPad2d", "ReplicationPad2d", "ZeroPad2d", "ConstantPad2d"]


def _four_sides(padding, op):
    """An int or a 4-tuple as (left, right, top, bottom)."""
    sides = (padding,) * 4 if not isinstance(padding, (tuple, list)) else tuple(padding)
    try:
        sides = tuple(operator.index(s) for s in sides if not isinstance(s, bool))
    except TypeError:
        sides = ()
    if len(sides) != 4:
        raise ValueError(f"{op}: padding must be an int or a 4-tuple of ints (left, right, top, "
                         f"bottom), got {padding!r}")
    return sides


class _Pad2d(Module):
    mode = "constant"
    #: the input ranks the mode accepts (PyTorch's copying modes take 3-D or 4-D images)
    allowed_ndims = (3, 4)

    def __init__(self, padding):
        super().__init__()
        self.padding = _four_sides(padding, type(self).__name__)

    def forward(self, x):
        check_float_tensor(x, "input", type(self).__name__, self.allowed_ndims,
                           "(C, H, W) or (N, C, H, W)")
        return F.pad(x, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad2d(_Pad2d):
    """Pad H and W by mirroring the border (without repeating the border element);
    each width must be less than its dim."""
    mode = "reflect"


class ReplicationPad2d(_Pad2d):
    """Pad H and W by repeating the border element."""
    mode = "replicate"


class ConstantPad2d(_Pad2d):
    """Pad H and W with ``value`` (any input of at least 2 dims, as PyTorch)."""
    allowed_ndims = None

    def __init__(self, padding, value):
        super().__init__(padding)
        check_number(value, "value", type(self).__name__)
        self.value = value

    def forward(self, x):
        check_float_tensor(x, "input", type(self).__name__)
        return F.pad(x, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ZeroPad2d(ConstantPad2d):
    """Pad H and W with zeros (any input of at least 2 dims, as PyTorch)."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"
