"""2-D max and average pooling, plain and adaptive, with the gradients derived by hand.

(Over 400 lines: the two window geometries, strided and adaptive, serve the same
four kernels, and reading them side by side is the point; resize.py holds the
other output-size op, interpolate.)

A pooling window of kH x kW taps, ``dilation`` apart, windows ``stride`` apart,
on the input padded by ``padding`` (-inf for max, zeros for average, as PyTorch).
Output size Ho = floor((H + 2p - d(kH-1) - 1) / s) + 1, or with ``ceil_mode`` the
ceiling, minus a last window that would start in the right padding (PyTorch's
rule). Adaptive pooling picks, for output row i of Ho, the input rows
floor(i H / Ho) .. ceil((i+1) H / Ho) - 1: windows of varying size that may overlap.
With g = dL/dy (docs/derivations.md, sections 2, 3 and 6):

* average: y = (sum over the window) / D, with D the window's own divisor (kH kW,
  or fewer at the edges: ``count_include_pad=False``, ceil_mode, adaptive), so
  each input pixel receives g / D from every window that contains it
  (``AvgUnpool2d``, whose own backward is the average pooling again);
* max: y = x[argmax of the window], so the whole of g goes to the pixel that was
  the maximum, recorded in the forward pass (``MaxUnpool2d``); on ties, the first
  maximum in row-major window order (row by row, left to right) takes it all.
  Its backward gathers at the same argmax (``GatherArgmax2d``), and so on.

Overlapping windows add their contributions. The kernels loop over the window
taps, each a strided view (a gather for adaptive windows; no loop over pixels),
on chunks of about CHUNK_BYTES of images or channels, so that the taps' passes
over a chunk hit the cache.
"""
from __future__ import annotations

import operator

import numpy as np

from .._tensor import make_tensor
from ..autograd import Function
from ..checks import as_pair, check_bool, check_float_tensor
from .layout import empty_like_layout, in_layout_of


# -- geometry ------------------------------------------------------------------------

def pool_output_size(size, kernel, stride, padding, dilation=1, ceil_mode=False):
    """Windows along one axis, as PyTorch: floor (or ceil) of the positions the
    dilated kernel takes, and with ceil_mode no window starting in the right padding."""
    room = size + 2 * padding - dilation * (kernel - 1) - 1
    out = (room + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


class _Window:
    """Strided windows: kernel, stride, padding and dilation pairs, ceil_mode, the
    input/output spatial sizes. Padding after the input is ``padding`` or, with
    ceil_mode, as much as the last window reaches past it."""
    adaptive = False

    def __init__(self, kernel, stride, padding, in_hw, dilation=(1, 1), ceil_mode=False,
                 count_include_pad=True):
        self.kernel, self.stride, self.padding, self.dilation = kernel, stride, padding, dilation
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad
        self.in_hw = tuple(in_hw)
        self.out_hw = tuple(pool_output_size(in_hw[i], kernel[i], stride[i], padding[i],
                                             dilation[i], ceil_mode) for i in (0, 1))
        self.pad_after = tuple(max(padding[i], (self.out_hw[i] - 1) * stride[i]
                                   + dilation[i] * (kernel[i] - 1) + 1 - in_hw[i] - padding[i])
                               for i in (0, 1))
        self.has_padding = any(padding) or any(self.pad_after)

    def taps(self):
        """Window positions (a, b) in row-major order: the tie-breaking order."""
        return [(a, b) for a in range(self.kernel[0]) for b in range(self.kernel[1])]

    def tap_positions(self):
        """(rows, cols): rows[a, i] is the input row tap a of window row i reads
        (outside [0, H) for padding); cols[b, j] likewise."""
        return tuple(np.arange(self.kernel[i])[:, None] * self.dilation[i]
                     + np.arange(self.out_hw[i])[None, :] * self.stride[i] - self.padding[i]
                     for i in (0, 1))

    def tap_view(self, padded, a, b):
        """padded[..., s*i + d*a, s*j + d*b] for every output position (i, j): a view."""
        (sh, sw), (ho, wo), (dh, dw) = self.stride, self.out_hw, self.dilation
        return padded[..., dh * a:dh * a + sh * (ho - 1) + 1:sh, dw * b:dw * b + sw * (wo - 1) + 1:sw]

    def add_at_tap(self, padded, a, b, values):
        view = self.tap_view(padded, a, b)
        view += values

    def padded_shape(self, shape):
        return shape[:2] + tuple(self.in_hw[i] + self.padding[i] + self.pad_after[i] for i in (0, 1))

    def pad(self, x, fill):
        if not self.has_padding:
            return x
        out = empty_like_layout(self.padded_shape(x.shape), x)
        out.fill(fill)
        ph, pw = self.padding
        out[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]] = x
        return out

    def crop(self, padded):
        if not self.has_padding:
            return padded
        ph, pw = self.padding
        return padded[:, :, ph:ph + self.in_hw[0], pw:pw + self.in_hw[1]]

    def covers_exactly(self):
        """Windows tile the padded input with no gap and no overlap."""
        return self.dilation == (1, 1) and all(
            self.stride[i] == self.kernel[i]
            and self.out_hw[i] * self.stride[i] == self.padded_shape((0, 0) + self.in_hw)[2 + i]
            for i in (0, 1))

    def divisor(self):
        """What average pooling divides each window's sum by: kH kW (an int) when all
        windows count the same, else an (Ho, Wo) array. As PyTorch: a window is cut
        where it runs past the padded input (ceil_mode), and without
        count_include_pad it counts only real pixels."""
        sizes = []
        for i in (0, 1):
            start = np.arange(self.out_hw[i]) * self.stride[i] - self.padding[i]
            end = np.minimum(start + self.kernel[i], self.in_hw[i] + self.padding[i])
            if not self.count_include_pad:
                start, end = np.maximum(start, 0), np.minimum(end, self.in_hw[i])
            sizes.append(end - start)
        sizes = sizes[0][:, None] * sizes[1][None, :]
        full = self.kernel[0] * self.kernel[1]
        return full if (sizes == full).all() else sizes

    def settings(self):
        """What a drawing shows; ``count_include_pad`` only where it changes a divisor."""
        shown = {"kernel_size": self.kernel, "stride": self.stride, "padding": self.padding,
                 "dilation": self.dilation, "ceil_mode": self.ceil_mode}
        if not self.count_include_pad:
            shown["count_include_pad"] = False
        return shown


class _AdaptiveWindow(_Window):
    """PyTorch's adaptive windows: output row i covers input rows
    floor(i H / Ho) .. ceil((i+1) H / Ho) - 1 (columns likewise). Tap a of window i
    is row start_i + a; windows shorter than the longest read a dummy row past the
    input instead (the fill value: -inf for max, 0 for average), so every window has
    the same taps and the kernels above serve both. Taps are gathers, not views."""
    adaptive = True

    def __init__(self, in_hw, out_hw):
        self.in_hw, self.out_hw = tuple(in_hw), tuple(out_hw)
        self.padding, self.rows_cols, self.lengths = (0, 0), [], []
        for size, out in zip(self.in_hw, self.out_hw):
            i = np.arange(out)
            start, end = (i * size) // out, -((-(i + 1) * size) // out)
            taps = np.arange(max((end - start).max(initial=1), 1))[:, None]
            self.rows_cols.append(np.where(start + taps < end, start + taps, size))
            self.lengths.append(end - start)
        self.kernel = tuple(rc.shape[0] for rc in self.rows_cols)
        self.pad_after = tuple(int((rc == n).any()) for rc, n in zip(self.rows_cols, self.in_hw))
        self.has_padding = any(self.pad_after)
        # Windows overlap by at most one row while Ho <= H, so one tap never reads a row
        # twice; with Ho > H windows repeat and the scatter must accumulate duplicates.
        self.repeats = any(o > n for o, n in zip(self.out_hw, self.in_hw))

    def tap_positions(self):
        return tuple(self.rows_cols)

    def tap_view(self, padded, a, b):
        return padded[..., self.rows_cols[0][a][:, None], self.rows_cols[1][b][None, :]]

    def add_at_tap(self, padded, a, b, values):
        index = (Ellipsis, self.rows_cols[0][a][:, None], self.rows_cols[1][b][None, :])
        if self.repeats:
            np.add.at(padded, index, values)
        else:        # distinct pixels (the shared dummy row is cropped off)
            padded[index] += values

    def crop(self, padded):
        return padded[:, :, :self.in_hw[0], :self.in_hw[1]] if self.has_padding else padded

    def covers_exactly(self):
        return False

    def divisor(self):
        return self.lengths[0][:, None] * self.lengths[1][None, :]

    def settings(self):
        return {"output_size": self.out_hw}


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


def scatter_to_taps(values, window, taps_of, layout_like):
    """The adjoint of reading windows: an input-shaped array where every output
    position adds ``values`` (selected per tap by ``taps_of(part, k)``, a mask for
    that chunk, or None for all) onto the pixel of its tap; overlapping windows
    accumulate. The result is laid out in memory as ``layout_like`` is."""
    shape = values.shape[:2] + window.in_hw
    exact = window.covers_exactly()
    padded = empty_like_layout(window.padded_shape(shape), layout_like, values.dtype,
                               zero=not exact)
    # A C-ordered gradient (after a global mean) for a batch-last pooled input: one transposing
    # copy of the small pooled array, not every tap's pass reading it across the
    # grain (that made the MNIST net's pool backward 6x slower).
    values = in_layout_of(values, padded)
    # values * mask is the fast select, but inf * 0 is NaN: with an inf or NaN
    # anywhere in values (then their sum is not finite), select with where instead.
    finite = bool(np.isfinite(values.sum()))
    zero = np.zeros((), dtype=values.dtype)
    for part in chunks(padded):
        chunk, vals = padded[part], values[part]
        for k, (a, b) in enumerate(window.taps()):
            mask = taps_of(part, k)
            if exact:                     # each pixel belongs to exactly one window
                target = window.tap_view(chunk, a, b)
                if mask is None:
                    target[...] = vals
                elif finite:
                    np.multiply(vals, mask, out=target)
                else:
                    target[...] = np.where(mask, vals, zero)
            elif mask is None:
                window.add_at_tap(chunk, a, b, vals)
            else:
                window.add_at_tap(chunk, a, b, vals * mask if finite else np.where(mask, vals, zero))
    return window.crop(padded)


# -- max pooling ---------------------------------------------------------------------

def window_max(x, window, with_argmax=True):
    """Forward of max pooling: the max of every window and (``with_argmax``) the
    index k of the first tap that reaches it in row-major order, else None. NaN
    counts as the maximum, as PyTorch. Chunk by chunk (see ``chunks``), all taps of
    a chunk while it is in cache."""
    padded = window.pad(x, -np.inf)
    out_shape = x.shape[:2] + window.out_hw
    out = empty_like_layout(out_shape, padded)
    index = (empty_like_layout(out_shape, padded, np.uint8 if len(window.taps()) < 256
                               else np.int32) if with_argmax else None)
    for part in chunks(padded):
        _window_max_chunk(padded[part], out[part], None if index is None else index[part], window)
    return out, index


def _window_max_chunk(padded, out, index, window):
    views = [window.tap_view(padded, a, b) for a, b in window.taps()]
    np.copyto(out, views[0])
    for v in views[1:]:
        np.maximum(out, v, out=out)
    if index is None:
        return
    if len(views) == 1:
        index[...] = 0
        return
    if np.isnan(out).any():   # NaN compares unequal to itself: a NaN max is hit by a NaN
        nan_out = np.isnan(out)
        misses = [~((v == out) | (np.isnan(v) & nan_out)) for v in views[:-1]]
    else:
        misses = [v != out for v in views[:-1]]
    if window.has_padding and np.isneginf(out).any():
        # A window whose real pixels are all -inf ties with its -inf padding: the
        # first real pixel takes the gradient (as PyTorch), never a padding cell.
        real = real_at_taps(window)
        misses = [miss | ~ok for miss, ok in zip(misses, real)]
    # The first tap that reaches the max, without a search: with miss_k = (tap k is
    # not the max), index = miss_0 * (1 + miss_1 * (1 + ... (1 + miss_{K-2}))).
    index[...] = misses[-1]
    for miss in misses[-2::-1]:
        index += 1
        index *= miss


def real_at_taps(window):
    """Per tap (row-major), (Ho, Wo) booleans: where it reads a real pixel, not padding."""
    rows, cols = window.tap_positions()
    real_rows = (rows >= 0) & (rows < window.in_hw[0])
    real_cols = (cols >= 0) & (cols < window.in_hw[1])
    return [real_rows[a][:, None] & real_cols[b][None, :] for a, b in window.taps()]


def flat_indices(index, window):
    """PyTorch's ``return_indices``: for each window, its argmax as h * W + w in the
    (unpadded) input plane, int64, from the tap index k = a * kW + b."""
    rows, cols = window.tap_positions()
    kw = window.kernel[1]
    r = rows[index // kw, np.arange(window.out_hw[0])[:, None]]
    c = cols[index % kw, np.arange(window.out_hw[1])[None, :]]
    return (r.astype(np.int64) * window.in_hw[1] + c).astype(np.int64)


def gather_at(x, index, window):
    """out[n, c, i, j] = x_padded[n, c, tap k of window (i, j)] with k = index[n, c, i, j]."""
    padded = window.pad(x, 0.0)
    out = empty_like_layout(index.shape, index, x.dtype)
    for k, (a, b) in enumerate(window.taps()):
        np.copyto(out, window.tap_view(padded, a, b), where=index == k)
    return out


class _Pool(Function):
    def __init__(self, window):
        self._window = window

    def settings(self):
        return self._window.settings()


class _MaxPool(_Pool):
    def forward(self, x, found=None):
        """``found``: (max, argmax) already computed by the caller (return_indices)."""
        need = self.needs_input_grad[0]
        if found is None:
            # Inference (no_grad, or no input needing a grad): the max only, no argmax.
            found = window_max(x, self._window, with_argmax=need)
        out, argmax = found
        if need:
            self.save_for_backward(argmax)
        return out

    def backward(self, g):
        argmax, = self.saved_tensors
        return MaxUnpool2d(self._window, argmax.array)(g)


class MaxPool2d(_MaxPool):
    """y = max over each window; the argmax (first in row-major order on ties) is recorded.
    dx = MaxUnpool2d(argmax)(dy): dy routed to the recorded argmax
    """


class AdaptiveMaxPool2d(_MaxPool):
    """y = max over each adaptive window (rows floor(iH/Ho) .. ceil((i+1)H/Ho) - 1).
    dx = MaxUnpool2d(argmax)(dy): dy routed to the recorded argmax
    """


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
        return scatter_to_taps(g, self._window, lambda part, k: index[part] == k,
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
        return gather_at(x, self._argmax, self._window)

    def backward(self, g):
        return MaxUnpool2d(self._window, self._argmax)(g)


# -- average pooling -----------------------------------------------------------------

def _divided(out, divisor):
    if isinstance(divisor, int):
        out *= np.asarray(1.0 / divisor, dtype=out.dtype)
    else:
        out /= divisor.astype(out.dtype)
    return out


class _AvgPool(_Pool):
    def forward(self, x):
        window = self._window
        padded = window.pad(x, 0.0)
        views = [window.tap_view(padded, a, b) for a, b in window.taps()]
        out = np.array(views[0], order="K")
        for v in views[1:]:
            out += v
        return _divided(out, window.divisor())

    def backward(self, g):
        return AvgUnpool2d(self._window)(g)


class AvgPool2d(_AvgPool):
    """y = sum over each window / D, D = the window's divisor (kH kW; at the edges, the
        real pixels without count_include_pad, the part inside the padded input with ceil_mode).
    dx = AvgUnpool2d(dy): dy / D spread over each window
    """


class AdaptiveAvgPool2d(_AvgPool):
    """y = mean over each adaptive window (rows floor(iH/Ho) .. ceil((i+1)H/Ho) - 1).
    dx = AvgUnpool2d(dy): dy / (window size) spread over each window
    """


class AvgUnpool2d(_Pool):
    """y = each x[n, c, i, j] / D (its window's divisor) added to every pixel of its
        window (the adjoint of average pooling).
    dx = AvgPool2d(dy)
    """

    def forward(self, g):
        scaled = _divided(np.array(g, order="K"), self._window.divisor())
        return scatter_to_taps(scaled, self._window, lambda part, k: None, layout_like=scaled)

    def backward(self, gg):
        return (AdaptiveAvgPool2d if self._window.adaptive else AvgPool2d)(self._window)(gg)


# -- argument checking and the public functions --------------------------------------

def _window(op, x, kernel_size, stride, padding, dilation=1, ceil_mode=False,
            count_include_pad=True):
    check_float_tensor(x, "input", op, 4, "(N, C, H, W)")
    kernel = as_pair(kernel_size, "kernel_size", op, minimum=1)
    stride = kernel if stride is None else as_pair(stride, "stride", op, minimum=1)
    padding = as_pair(padding, "padding", op, minimum=0)
    dilation = as_pair(dilation, "dilation", op, minimum=1)
    ceil_mode = check_bool(ceil_mode, op, "ceil_mode")
    count_include_pad = check_bool(count_include_pad, op, "count_include_pad")
    if any(2 * padding[i] > kernel[i] for i in (0, 1)):   # checked first, as PyTorch
        raise ValueError(f"{op}: padding {padding} must be at most half the kernel_size "
                         f"{kernel} (as PyTorch), so every window holds a real pixel")
    for i, name in ((0, "height"), (1, "width")):
        span = dilation[i] * (kernel[i] - 1) + 1
        if span > x.shape[2 + i] + 2 * padding[i]:
            spans = f" (dilation {dilation[i]}: spans {span})" if dilation[i] > 1 else ""
            raise ValueError(f"{op}: kernel_size {kernel}{spans} is larger than the padded input "
                             f"({name} {x.shape[2 + i]} + 2*padding {padding[i]}); input "
                             f"shape {x.shape}")
    return _Window(kernel, stride, padding, x.shape[2:], dilation, ceil_mode, count_include_pad)


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over kH x kW windows (taps ``dilation`` apart), ``stride`` apart (default:
    kernel_size), on the input padded with -inf; ``ceil_mode``: round the output
    size up (a last, partial window, never one starting in the right padding).
    The gradient goes to each window's first maximum (row-major order). With
    ``return_indices``: (output, indices), the argmax as h * W + w (int64)."""
    window = _window("max_pool2d", x, kernel_size, stride, padding, dilation, ceil_mode)
    return _max_pool(MaxPool2d, x, window, check_bool(return_indices, "max_pool2d",
                                                       "return_indices"))


def _max_pool(op, x, window, return_indices):
    if not return_indices:
        return op(window)(x)
    out, argmax = window_max(x.array, window)
    return op(window)(x, found=(out, argmax)), make_tensor(flat_indices(argmax, window))


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mean over kH x kW windows, ``stride`` apart (default: kernel_size), on the
    input padded with zeros that count in the mean unless ``count_include_pad=False``;
    ``ceil_mode`` as in max_pool2d (a partial last window divides by its part inside
    the padded input, as PyTorch)."""
    window = _window("avg_pool2d", x, kernel_size, stride, padding, 1, ceil_mode,
                     count_include_pad)
    return AvgPool2d(window)(x)


def _adaptive_window(op, x, output_size):
    check_float_tensor(x, "input", op, 4, "(N, C, H, W)")
    if 0 in x.shape[1:]:
        raise ValueError(f"{op}: input must have non-zero channels, height and width (only the "
                         f"batch may be empty), got shape {x.shape}")
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    if len(sizes) != 2:
        raise ValueError(f"{op}: output_size must be an int or an (H, W) pair (None keeps the "
                         f"input's size), got {output_size!r}")
    out_hw = []
    for size, kept in zip(sizes, x.shape[2:]):
        try:
            size = kept if size is None else operator.index(size)
        except TypeError:
            raise TypeError(f"{op}: output_size must be ints or None, got {output_size!r}") from None
        if size < 0 or isinstance(size, bool):
            raise ValueError(f"{op}: output_size must be >= 0, got {output_size!r}")
        out_hw.append(size)
    in_hw = x.shape[2:]
    if all(o > 0 and n % o == 0 for n, o in zip(in_hw, out_hw)):
        # The adaptive windows are then plain ones, kernel = stride = H / Ho: strided views.
        kernel = tuple(n // o for n, o in zip(in_hw, out_hw))
        return _Window(kernel, kernel, (0, 0), in_hw)
    return _AdaptiveWindow(in_hw, out_hw)


def adaptive_avg_pool2d(x, output_size):
    """Mean over PyTorch's adaptive windows, which give an output of ``output_size``
    (an int, or an (H, W) pair whose None entries keep the input's size)."""
    return AdaptiveAvgPool2d(_adaptive_window("adaptive_avg_pool2d", x, output_size))(x)


def adaptive_max_pool2d(x, output_size, return_indices=False):
    """Max over PyTorch's adaptive windows (see adaptive_avg_pool2d); with
    ``return_indices``: (output, indices) as max_pool2d."""
    op = "adaptive_max_pool2d"
    window = _adaptive_window(op, x, output_size)
    return _max_pool(AdaptiveMaxPool2d, x, window, check_bool(return_indices, op, "return_indices"))
