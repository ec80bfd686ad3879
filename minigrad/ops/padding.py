"""``F.pad`` with PyTorch's ``pad`` tuple (last dim first) and modes 'constant' and
'reflect'.

Constant padding is ``shape.Pad`` (its backward crops). Reflect padding copies
the elements next to each border into the padding, mirrored and without the
border element itself: along a dim of length n padded by (l, r), output place
o (counting from -l) reads input i = |o| for o < 0, i = 2(n - 1) - o for o >= n,
i = o otherwise. Backward adds every output gradient into the input place it was
read from: the centre, plus the left padding's gradient folded back onto places
1..l (mirrored) and the right padding's onto places n-1-r..n-2. The fold is the
transpose of the padding, and the padding is the transpose of the fold, so each
is the other's backward.
"""
from __future__ import annotations

import operator

import numpy as np

from ..autograd import Function
from .._tensor import Tensor
from ..checks import check_number
from .shape import GetItem, Pad


class ReflectPad(Function):
    """y = x padded by mirroring the elements next to each border (``widths``: one
        (before, after) pair per dim).
    dx = dy with the padding's gradient folded back onto the mirrored places (FoldReflect)
    """

    def __init__(self, widths):
        self.widths = widths

    def forward(self, a):
        return np.pad(a, self.widths, mode="reflect")

    def backward(self, g):
        return FoldReflect(self.widths)(g)


class FoldReflect(Function):
    """y = x's centre plus its reflect-padding borders added onto the places they mirror
        (ReflectPad's backward).
    dx = reflect_pad(dy)
    """

    def __init__(self, widths):
        self.widths = widths

    def forward(self, a):
        out = a
        for axis, (before, after) in enumerate(self.widths):
            if not before and not after:
                continue
            rows = np.moveaxis(out, axis, 0)   # the padded dim first: the slices read plainly
            n = rows.shape[0] - before - after
            centre = rows[before:before + n].copy()
            if before:
                centre[1:before + 1] += rows[:before][::-1]
            if after:
                centre[n - 1 - after:n - 1] += rows[before + n:][::-1]
            out = np.moveaxis(centre, 0, axis)
        return np.ascontiguousarray(out)

    def backward(self, g):
        return ReflectPad(self.widths)(g)


def _pairs(x, pad, op):
    """PyTorch's flat ``pad`` (last dim first) as one (before, after) pair per dim."""
    if not isinstance(pad, (tuple, list)):
        raise TypeError(f"{op}: pad must be a tuple of ints (left, right, top, bottom, ...), "
                        f"got {type(pad).__name__} {pad!r}")
    try:
        pad = [operator.index(p) for p in pad]
    except TypeError:
        raise TypeError(f"{op}: pad must be a tuple of ints, got {tuple(pad)!r}") from None
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"{op}: pad {tuple(pad)} must have an even length of at most 2 * "
                         f"{x.ndim} (a (before, after) pair per dim, last dim first) for an "
                         f"input of shape {x.shape}")
    pairs = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        pairs[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return pairs


def pad(x, pad, mode="constant", value=None):  # noqa: A002  (PyTorch's argument names)
    """PyTorch's ``F.pad``: ``pad = (left, right, top, bottom, ...)`` pads the last dim
    first. A negative width crops. 'constant' fills with ``value`` (default 0);
    'reflect' mirrors the border (each width below the length of its dim; any number
    of trailing dims, where PyTorch allows 1 to 3)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"pad: input must be a Tensor, got {type(x).__name__}")
    pairs = _pairs(x, pad, "pad")
    if mode not in ("constant", "reflect"):
        raise ValueError(f"pad: mode must be 'constant' or 'reflect', got {mode!r}")
    if mode == "reflect" and value is not None:
        raise ValueError("pad: mode 'reflect' takes no value (it copies the input's own values)")
    crop = tuple(slice(max(-b, 0), n - max(-e, 0)) for (b, e), n in zip(pairs, x.shape))
    if any(s.stop - s.start < 0 for s in crop):
        raise ValueError(f"pad: negative padding {tuple(pad)} crops more than the input of "
                         f"shape {x.shape} holds")
    if any(s != slice(0, n) for s, n in zip(crop, x.shape)):
        x = GetItem(crop)(x)
    widths = tuple((max(b, 0), max(e, 0)) for b, e in pairs)
    if mode == "constant":
        fill = 0.0 if value is None else check_number(value, "value", "pad")
        return Pad(widths, fill)(x)
    for (before, after), n in zip(widths, x.shape):
        if (before or after) and max(before, after) >= n:
            raise ValueError(f"pad: reflect padding {(before, after)} must be less than the "
                             f"length of its dim ({n}) in an input of shape {x.shape}")
    return ReflectPad(widths)(x)
