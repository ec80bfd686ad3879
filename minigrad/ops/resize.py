"""Resizing images: ``F.interpolate`` with mode 'nearest' (``nn.Upsample``), with its
gradient derived by hand (docs/derivations.md, section 7). Adaptive pooling, the
other op given an output size, lives with the pooling kernels in pool.py.

Nearest neighbour, along each axis, as PyTorch: output row i reads input row
src(i) = min(floor(i * scale), H - 1), with scale = 1 / scale_factor when a
scale_factor is given and H / Ho when a size is, computed in float32 as PyTorch's
``nearest_idx`` does; an output of the input's size or twice it is i or i // 2
whatever the scale_factor. (PyTorch's CPU kernels do not all agree with that
rule where i * scale lands within float32 rounding of an integer, e.g.
i / 2.3 at i = 69 in float64: tests compare with PyTorch away from those ties.) So
y[n, c, i, j] = x[n, c, src(i), src(j)], a gather, and by the chain rule each
input pixel receives the sum of dy over the output pixels that copied it (none,
when downsampling skips it). src is nondecreasing, so the output rows that copy
one input row form one run: the sum is a ``np.add.reduceat`` over the runs.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ..autograd import Function
from ..checks import as_pair, check_float_tensor


def nearest_sources(in_size, out_size, scale_factor=None):
    """src(i) for i in range(out_size): PyTorch's nearest rule (``nearest_idx``, in
    float32 arithmetic).
    As PyTorch, an output of the input's size, or twice it, ignores the scale_factor:
    src(i) = i, or i // 2 (so scale_factor 1.1 on 5 pixels is the identity)."""
    if out_size in (in_size, 2 * in_size):
        return np.arange(out_size, dtype=np.int64) // (out_size // max(in_size, 1))
    if scale_factor is not None and scale_factor > 0:
        scale = np.float32(1.0 / scale_factor)
    else:
        scale = np.float32(in_size) / np.float32(out_size)
    dst = np.arange(out_size, dtype=np.float32)
    return np.minimum(np.floor(dst * scale).astype(np.int64), in_size - 1)


def _gather(x, rows, cols):
    return x[:, :, rows[:, None], cols[None, :]]


def _sum_into_sources(g, sources, size, axis):
    """Along ``axis``: out[r] = sum of g[i] over the i with sources[i] == r."""
    hit, starts = np.unique(sources, return_index=True)   # sorted: each hit is one run
    summed = np.add.reduceat(g, starts, axis=axis) if g.shape[axis] else g
    if len(hit) == size:
        return summed
    shape = list(g.shape)
    shape[axis] = size
    out = np.zeros(shape, dtype=g.dtype)
    out[(slice(None),) * axis + (hit,)] = summed
    return out


class _Nearest(Function):
    def __init__(self, size, rows, cols, in_size):
        self.size = size                     # this op's output (H, W)
        self._rows, self._cols = rows, cols  # the source row of each upsampled row, and column
        self._in_size = in_size


class UpsampleNearest2d(_Nearest):
    """y[n, c, i, j] = x[n, c, src(i), src(j)], src(i) = min(floor(i * scale), H - 1).
    dx = NearestSum2d(dy): each dy added onto the pixel it was copied from
    """

    def forward(self, x):
        return _gather(x, self._rows, self._cols)

    def backward(self, g):
        return NearestSum2d(self._in_size, self._rows, self._cols, self.size)(g)


class NearestSum2d(_Nearest):
    """y[n, c, u, v] = sum of x[n, c, i, j] over the (i, j) with src(i) = u, src(j) = v
        (the adjoint of UpsampleNearest2d; ``size`` is the original image's).
    dx = UpsampleNearest2d(dy)
    """

    def forward(self, g):
        h, w = self.size
        return _sum_into_sources(_sum_into_sources(g, self._rows, h, 2), self._cols, w, 3)

    def backward(self, gg):
        return UpsampleNearest2d(self._in_size, self._rows, self._cols, self.size)(gg)


def _scale_pair(scale_factor, op):
    pair = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * 2
    if len(pair) != 2 or not all(isinstance(s, numbers.Real) and not isinstance(s, bool)
                                 for s in pair):
        raise TypeError(f"{op}: scale_factor must be a number or a pair of numbers, got "
                        f"{scale_factor!r}")
    if not all(math.isfinite(s) and s > 0 for s in pair):
        raise ValueError(f"{op}: scale_factor must be > 0, got {scale_factor!r}")
    return tuple(float(s) for s in pair)


def interpolate(x, size=None, scale_factor=None, mode="nearest"):
    """Resize x (N, C, H, W) to ``size`` ((H, W) or an int) or by ``scale_factor``
    (a number or a pair: Ho = floor(H * scale_factor)), copying the nearest pixel
    (PyTorch's rule, module docstring). Only mode='nearest' exists here."""
    op = "interpolate"
    check_float_tensor(x, "input", op)
    if mode != "nearest":
        raise ValueError(f"{op}: mode {mode!r} is not supported; minigrad implements "
                         "mode='nearest' only")
    if x.ndim != 4:
        raise ValueError(f"{op}: input must be 4-D (N, C, H, W) (minigrad resizes images "
                         f"only), got shape {x.shape}")
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: give exactly one of size and scale_factor, got size={size!r}, "
                         f"scale_factor={scale_factor!r}")
    in_hw = x.shape[2:]
    if size is not None:
        out_hw, scales = as_pair(size, "size", op, minimum=1), (None, None)
    else:
        scales = _scale_pair(scale_factor, op)
        out_hw = tuple(int(math.floor(n * s)) for n, s in zip(in_hw, scales))
        if min(out_hw) < 1:
            raise ValueError(f"{op}: scale_factor {scale_factor!r} turns the input's (H, W) "
                             f"{in_hw} into {out_hw}; the output needs at least one pixel")
    if min(in_hw) < 1:
        raise ValueError(f"{op}: input must have a non-empty height and width, got shape "
                         f"{x.shape}")
    rows, cols = (nearest_sources(in_hw[i], out_hw[i], scales[i]) for i in (0, 1))
    return UpsampleNearest2d(out_hw, rows, cols, in_hw)(x)
