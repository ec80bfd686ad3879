"""2-D max and average pooling, with the gradients derived by hand.

A pooling window of kH x kW pixels, windows ``stride`` apart, on the input padded
by ``padding`` (-inf for max, counted zeros for average, as PyTorch). Output size
Ho = floor((H + 2p - kH) / s) + 1. With g = dL/dy (docs/derivations.md):

* average: y = (1/(kH kW)) * sum over the window, so each input pixel receives
  g / (kH kW) from every window that contains it: the gradient upsampled over the
  windows and divided by the window size (``AvgUnpool2d``, whose own backward is
  the average pooling again);
* max: y = x[argmax of the window], so the whole of g goes to the pixel that was
  the maximum, recorded in the forward pass (``MaxUnpool2d``); on ties, the first
  maximum in row-major window order (row by row, left to right) takes it all.
  Its backward gathers at the same argmax (``GatherArgmax2d``), and so on.

Overlapping windows (stride < kernel) add their contributions. The kernels loop
over the kH*kW window taps, each a strided view (no loop over pixels), on chunks
of about CHUNK_BYTES of images or channels, so that the taps' passes over a
chunk hit the cache.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..checks import as_pair, check_float_tensor
from .conv_kernels import conv_output_hw


# -- geometry ------------------------------------------------------------------------

class _Window:
    """Kernel, stride and padding pairs, and the input/output spatial sizes."""

    def __init__(self, kernel, stride, padding, in_hw):
        self.kernel, self.stride, self.padding = kernel, stride, padding
        self.in_hw = tuple(in_hw)
        self.out_hw = conv_output_hw(in_hw, kernel, stride, padding)
        self.overlapping = stride[0] < kernel[0] or stride[1] < kernel[1]

    def taps(self):
        """Window positions (a, b) in row-major order: the tie-breaking order."""
        return [(a, b) for a in range(self.kernel[0]) for b in range(self.kernel[1])]

    def tap_view(self, padded, a, b):
        """padded[..., s*i + a, s*j + b] for every output position (i, j): a view."""
        (sh, sw), (ho, wo) = self.stride, self.out_hw
        return padded[..., a:a + sh * (ho - 1) + 1:sh, b:b + sw * (wo - 1) + 1:sw]

    def real_at_tap(self, a, b):
        """(Ho, Wo) booleans: where tap (a, b) of each window reads a real pixel,
        not padding."""
        rows = np.arange(self.out_hw[0]) * self.stride[0] + a - self.padding[0]
        cols = np.arange(self.out_hw[1]) * self.stride[1] + b - self.padding[1]
        return (((rows >= 0) & (rows < self.in_hw[0]))[:, None]
                & ((cols >= 0) & (cols < self.in_hw[1]))[None, :])

    def padded_shape(self, shape):
        return shape[:2] + (self.in_hw[0] + 2 * self.padding[0], self.in_hw[1] + 2 * self.padding[1])

    def pad(self, x, fill):
        ph, pw = self.padding
        if ph == 0 and pw == 0:
            return x
        out = _empty_like_layout(self.padded_shape(x.shape), x)
        out.fill(fill)
        out[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]] = x
        return out

    def crop(self, padded):
        ph, pw = self.padding
        if ph == 0 and pw == 0:
            return padded
        return padded[:, :, ph:ph + self.in_hw[0], pw:pw + self.in_hw[1]]

    def covers_exactly(self):
        """Windows tile the padded input with no gap and no overlap."""
        return all(self.stride[i] == self.kernel[i]
                   and self.out_hw[i] * self.stride[i] == self.in_hw[i] + 2 * self.padding[i]
                   for i in (0, 1))

    def settings(self):
        return {"kernel_size": self.kernel, "stride": self.stride, "padding": self.padding}


def _empty_like_layout(shape, like, dtype=None, zero=False):
    """An array of ``shape`` whose axes lie in memory in the same order as ``like``'s
    (so a conv output, laid out batch-last, stays batch-last through pooling)."""
    order = np.argsort([-s for s in like.strides], kind="stable")
    alloc = np.zeros if zero else np.empty
    return alloc(tuple(shape[i] for i in order),
                 dtype=like.dtype if dtype is None else dtype).transpose(np.argsort(order))


#: bytes of input handled at a time, so that every tap's strided pass over a
#: chunk finds it in cache (the K passes over an 8 MB batch would each go to memory)
CHUNK_BYTES = 1 << 19


def chunks(a):
    """Index tuples cutting a 4-D array into pieces of about CHUNK_BYTES along
    whichever of its first two axes (batch or channel) is outermost in memory."""
    axis = 0 if abs(a.strides[0]) >= abs(a.strides[1]) else 1
    step = max(1, CHUNK_BYTES // max(1, abs(a.strides[axis])))
    lead = (slice(None),) * axis
    return [lead + (slice(i, i + step),) for i in range(0, a.shape[axis], step)]


def _scatter_to_taps(values, window, taps_of, layout_like):
    """The adjoint of reading windows: an input-shaped array where every output
    position adds ``values`` (selected per tap by ``taps_of(part, k)``, a mask for
    that chunk, or None for all) onto the pixel of its tap; overlapping windows
    accumulate. The result is laid out in memory as ``layout_like`` is."""
    shape = values.shape[:2] + window.in_hw
    exact = window.covers_exactly()
    padded = _empty_like_layout(window.padded_shape(shape), layout_like, values.dtype,
                                zero=not exact)
    # values * mask is the fast select, but inf * 0 is NaN: with an inf or NaN
    # anywhere in values (then their sum is not finite), select with where instead.
    finite = bool(np.isfinite(values.sum()))
    zero = np.zeros((), dtype=values.dtype)
    for part in chunks(padded):
        chunk, vals = padded[part], values[part]
        for k, (a, b) in enumerate(window.taps()):
            target = window.tap_view(chunk, a, b)
            mask = taps_of(part, k)
            if mask is None:
                picked = vals
            elif finite:
                picked = np.multiply(vals, mask, out=target if exact else None)
            else:
                picked = np.where(mask, vals, zero)
            if exact:                     # each pixel belongs to exactly one window
                if picked is not target:
                    target[...] = picked
            else:
                target += picked
    return window.crop(padded)


# -- max pooling ---------------------------------------------------------------------

def first_argmax(x, window):
    """Forward of max pooling: (max of every window, index k of the first tap that
    reaches it in row-major order). NaN counts as the maximum, as PyTorch.
    Chunk by chunk (see ``chunks``), all taps of a chunk while it is in cache."""
    padded = window.pad(x, -np.inf)
    taps = window.taps()
    out_shape = x.shape[:2] + window.out_hw
    out = _empty_like_layout(out_shape, padded)
    index = _empty_like_layout(out_shape, padded, np.uint8 if len(taps) < 256 else np.int32)
    for part in chunks(padded):
        _first_argmax_chunk(padded[part], out[part], index[part], window)
    return out, index


def _first_argmax_chunk(padded, out, index, window):
    views = [window.tap_view(padded, a, b) for a, b in window.taps()]
    np.copyto(out, views[0])
    for v in views[1:]:
        np.maximum(out, v, out=out)
    if len(views) == 1:
        index[...] = 0
        return
    if np.isnan(out).any():   # NaN compares unequal to itself: a NaN max is hit by a NaN
        nan_out = np.isnan(out)
        misses = [~((v == out) | (np.isnan(v) & nan_out)) for v in views[:-1]]
    else:
        misses = [v != out for v in views[:-1]]
    if window.padding != (0, 0) and np.isneginf(out).any():
        # A window whose real pixels are all -inf ties with its -inf padding: the
        # first real pixel takes the gradient (as PyTorch), never a padding cell.
        misses = [miss | ~window.real_at_tap(a, b)
                  for miss, (a, b) in zip(misses, window.taps())]
    # The first tap that reaches the max, without a search: with miss_k = (tap k is
    # not the max), index = miss_0 * (1 + miss_1 * (1 + ... (1 + miss_{K-2}))).
    index[...] = misses[-1]
    for miss in misses[-2::-1]:
        index += 1
        index *= miss


def _gather_at(x, index, window):
    """out[n, c, i, j] = x_padded[n, c, s*i + a_k, s*j + b_k] with k = index[n, c, i, j]."""
    padded = window.pad(x, 0.0)
    out = _empty_like_layout(index.shape, index, x.dtype)
    for k, (a, b) in enumerate(window.taps()):
        np.copyto(out, window.tap_view(padded, a, b), where=index == k)
    return out


class _Pool(Function):
    def __init__(self, window):
        self._window = window

    def settings(self):
        return self._window.settings()


class MaxPool2d(_Pool):
    """y = max over each window; the argmax (first in row-major order on ties) is recorded.
    dx = MaxUnpool2d(argmax)(dy): dy routed to the recorded argmax
    """

    def forward(self, x):
        out, argmax = first_argmax(x, self._window)
        self.save_for_backward(argmax)
        return out

    def backward(self, g):
        argmax, = self.saved_tensors
        return MaxUnpool2d(self._window, argmax.data)(g)


class MaxUnpool2d(_Pool):
    """y = zeros like the pooled input, with each x[n, c, i, j] added at its window's
        recorded ``argmax`` (overlapping windows accumulate).
    dx = GatherArgmax2d(argmax)(dy)
    """

    def __init__(self, window, argmax):
        super().__init__(window)
        self._argmax = argmax   # part of the op's definition, like Where's condition

    def forward(self, g):
        index = self._argmax
        # The argmax is laid out as the pooled input was (batch-last after a conv):
        # the gradient going back to that conv follows it, so it needs no copy.
        return _scatter_to_taps(g, self._window, lambda part, k: index[part] == k,
                                layout_like=index)

    def backward(self, gg):
        return GatherArgmax2d(self._window, self._argmax)(gg)


class GatherArgmax2d(_Pool):
    """y[n, c, i, j] = x[n, c, recorded argmax of window (i, j)] (max pooling with the
        argmax frozen).
    dx = MaxUnpool2d(argmax)(dy)
    """

    def __init__(self, window, argmax):
        super().__init__(window)
        self._argmax = argmax

    def forward(self, x):
        return _gather_at(x, self._argmax, self._window)

    def backward(self, g):
        return MaxUnpool2d(self._window, self._argmax)(g)


# -- average pooling -----------------------------------------------------------------

class AvgPool2d(_Pool):
    """y = sum over each window / (kH kW) (padding zeros count, as PyTorch's
        count_include_pad=True).
    dx = AvgUnpool2d(dy): dy / (kH kW) spread over each window
    """

    def forward(self, x):
        window = self._window
        padded = window.pad(x, 0.0)
        views = [window.tap_view(padded, a, b) for a, b in window.taps()]
        out = np.array(views[0], order="K")
        for v in views[1:]:
            out += v
        out *= 1.0 / len(views)
        return out

    def backward(self, g):
        return AvgUnpool2d(self._window)(g)


class AvgUnpool2d(_Pool):
    """y = each x[n, c, i, j] / (kH kW) added to every pixel of its window (the adjoint of
        average pooling).
    dx = AvgPool2d(dy)
    """

    def forward(self, g):
        scaled = g * np.asarray(1.0 / len(self._window.taps()), dtype=g.dtype)
        return _scatter_to_taps(scaled, self._window, lambda part, k: None, layout_like=scaled)

    def backward(self, gg):
        return AvgPool2d(self._window)(gg)


# -- argument checking and the public functions --------------------------------------

def _window(op, x, kernel_size, stride, padding):
    check_float_tensor(x, "input", op, 4, "(N, C, H, W)")
    kernel = as_pair(kernel_size, "kernel_size", op, minimum=1)
    stride = kernel if stride is None else as_pair(stride, "stride", op, minimum=1)
    padding = as_pair(padding, "padding", op, minimum=0)
    if any(2 * padding[i] > kernel[i] for i in (0, 1)):   # checked first, as PyTorch
        raise ValueError(f"{op}: padding {padding} must be at most half the kernel_size "
                         f"{kernel} (as PyTorch), so every window holds a real pixel")
    for i, name in ((0, "height"), (1, "width")):
        if kernel[i] > x.shape[2 + i] + 2 * padding[i]:
            raise ValueError(f"{op}: kernel_size {kernel} is larger than the padded input "
                             f"({name} {x.shape[2 + i]} + 2*padding {padding[i]}); input "
                             f"shape {x.shape}")
    return _Window(kernel, stride, padding, x.shape[2:])


def max_pool2d(x, kernel_size, stride=None, padding=0):
    """Max over kH x kW windows, ``stride`` apart (default: kernel_size), on the
    input padded with -inf. The gradient goes to each window's first maximum
    (row-major order)."""
    return MaxPool2d(_window("max_pool2d", x, kernel_size, stride, padding))(x)


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """Mean over kH x kW windows, ``stride`` apart (default: kernel_size), on the
    input padded with zeros that count in the mean (PyTorch's default)."""
    return AvgPool2d(_window("avg_pool2d", x, kernel_size, stride, padding))(x)
