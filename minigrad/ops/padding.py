"""``F.pad`` with PyTorch's ``pad`` tuple (last dim first) and modes 'constant',
'reflect', 'replicate' and 'circular'.

Constant padding is ``pad_flip_repeat.Pad`` (its backward crops). The other three modes copy
input elements into the padding; along a dim of length n padded by (l, r), output
place o (counting from -l) reads input place

- reflect (the border mirrored, without the border element itself):
  i = |o| for o < 0, i = 2(n - 1) - o for o >= n;
- replicate (the border element repeated): i = 0 for o < 0, i = n - 1 for o >= n;
- circular (the other end wrapped round, once): i = o + n for o < 0, i = o - n for o >= n;

and i = o inside. Backward adds every output gradient into the input place it was
read from: the centre, plus each padding's gradient folded back onto the places it
copied (``FoldBorder``). The fold is the transpose of the padding, and the padding
is the transpose of the fold, so each is the other's backward.
"""
from __future__ import annotations

import operator

import numpy as np

from ..autograd import Function
from .._tensor import Tensor
from ..checks import check_number
from .pad_flip_repeat import Pad
from .subscript import GetItem

#: F.pad's modes that copy input elements, and numpy's name for each
COPYING_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


class BorderPad(Function):
    """y = x padded with copies of its own elements (``widths``: one (before, after)
        pair per dim; ``mode``: 'reflect', 'replicate' or 'circular', see the module).
    dx = dy with each padding's gradient added onto the places it copied (FoldBorder)
    """

    def __init__(self, widths, mode):
        self.widths, self.mode = widths, mode

    def forward(self, a):
        return np.pad(a, self.widths, mode=COPYING_MODES[self.mode])

    def backward(self, g):
        return FoldBorder(self.widths, self.mode)(g)

    def settings(self):
        return {"widths": self.widths, "mode": self.mode}


class FoldBorder(Function):
    """y = x's centre plus its padding borders added onto the places they copied
        (BorderPad's backward: reflect mirrored, replicate onto the border element,
        circular onto the other end).
    dx = border_pad(dy)
    """

    def __init__(self, widths, mode):
        self.widths, self.mode = widths, mode

    def forward(self, a):
        out = a
        for axis, (before, after) in enumerate(self.widths):
            if not before and not after:
                continue
            rows = np.moveaxis(out, axis, 0)   # the padded dim first: the slices read plainly
            n = rows.shape[0] - before - after
            centre = rows[before:before + n].copy()
            left, right = rows[:before], rows[before + n:]
            if self.mode == "reflect":
                centre[1:before + 1] += left[::-1]
                centre[n - 1 - after:n - 1] += right[::-1]
            elif self.mode == "replicate":
                centre[0] += left.sum(axis=0)
                centre[n - 1] += right.sum(axis=0)
            else:   # circular: place -k read n - k, place n - 1 + k read k - 1
                centre[n - before:] += left
                centre[:after] += right
            out = np.moveaxis(centre, 0, axis)
        return np.ascontiguousarray(out)

    def backward(self, g):
        return BorderPad(self.widths, self.mode)(g)

    def settings(self):
        return {"widths": self.widths, "mode": self.mode}


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
    first. A negative width crops (before padding, as PyTorch). 'constant' fills with
    ``value`` (default 0); 'reflect' mirrors the border (each width below the length
    of its dim), 'replicate' repeats the border element, 'circular' wraps the other
    end round (each width at most the length of its dim). The copying modes pad any
    number of trailing dims, where PyTorch allows 1 to 3."""
    if not isinstance(x, Tensor):
        raise TypeError(f"pad: input must be a Tensor, got {type(x).__name__}")
    pairs = _pairs(x, pad, "pad")
    if mode != "constant" and mode not in COPYING_MODES:
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', "
                         f"got {mode!r}")
    if mode != "constant" and value is not None:
        raise ValueError(f"pad: mode {mode!r} takes no value (it copies the input's own values)")
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
        if not before and not after:
            continue
        if mode == "reflect" and max(before, after) >= n:
            raise ValueError(f"pad: reflect padding {(before, after)} must be less than the "
                             f"length of its dim ({n}) in an input of shape {x.shape}")
        if mode == "circular" and max(before, after) > n:
            raise ValueError(f"pad: circular padding {(before, after)} must be at most the "
                             f"length of its dim ({n}) in an input of shape {x.shape} (it "
                             f"wraps round once)")
        if mode == "replicate" and n == 0:
            raise ValueError(f"pad: replicate padding {(before, after)} needs a non-empty dim "
                             f"to copy, got an input of shape {x.shape}")
    return BorderPad(widths, mode)(x)
