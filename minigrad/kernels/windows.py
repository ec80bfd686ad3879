"""Window geometry, the one copy: where every window of a convolution or a pooling
sits on its input. Conv, pooling (both kernel sets) and ``visualize/teaching_views.py``
read it from here.

Strided windows: a kH x kW window, taps ``dilation`` apart, windows ``stride``
apart, on the input padded by ``padding``. Output size along an axis:
Ho = floor((H + 2p - d(kH-1) - 1) / s) + 1, or with ``ceil_mode`` the ceiling,
minus a last window that would start in the right padding (PyTorch's rule).
Tap (a, b) of window (i, j) reads padded row s*i + d*a, column s*j + d*b.

Adaptive windows (PyTorch's): output row i of Ho covers input rows
floor(i H / Ho) .. ceil((i+1) H / Ho) - 1, so windows vary in size and may overlap.
"""
from __future__ import annotations

import numpy as np


def output_size(size, kernel, stride, padding, dilation=1, ceil_mode=False):
    """Windows along one axis, as PyTorch: floor (or ceil) of the positions the
    dilated kernel takes, and with ceil_mode no window starting in the right padding."""
    room = size + 2 * padding - dilation * (kernel - 1) - 1
    out = (room + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def output_hw(in_hw, kernel, stride, padding, dilation=(1, 1)):
    """``output_size`` (floor) for both axes, each argument a (height, width) pair."""
    return tuple(output_size(in_hw[i], kernel[i], stride[i], padding[i], dilation[i])
                 for i in (0, 1))


class Window:
    """Strided windows: kernel, stride, padding and dilation pairs, ceil_mode, the
    input/output spatial sizes. Padding after the input is ``padding`` or, with
    ceil_mode, as much as the last window reaches past it."""
    adaptive = False

    def __init__(self, kernel, stride, padding, in_hw, dilation=(1, 1), ceil_mode=False,
                 count_include_pad=True):
        self.kernel, self.stride, self.padding, self.dilation = kernel, stride, padding, dilation
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad
        self.in_hw = tuple(in_hw)
        self.out_hw = tuple(output_size(in_hw[i], kernel[i], stride[i], padding[i],
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

    def real_at_taps(self):
        """(kH, kW, Ho, Wo) booleans: where a tap reads a real pixel, not padding."""
        rows, cols = self.tap_positions()
        real_rows = (rows >= 0) & (rows < self.in_hw[0])
        real_cols = (cols >= 0) & (cols < self.in_hw[1])
        return real_rows[:, None, :, None] & real_cols[None, :, None, :]

    def pad_plainly(self, x, fill):
        """x (..., H, W) with ``fill`` around it: the padded input every tap reads."""
        widths = ((0, 0),) * (x.ndim - 2) + tuple(
            (self.padding[i], self.pad_after[i]) for i in (0, 1))
        return np.pad(x, widths, constant_values=fill)

    def gather(self, x, fill):
        """Every window's pixels: (..., kH, kW, Ho, Wo), [.., a, b, i, j] = the pixel
        tap (a, b) of window (i, j) reads, ``fill`` where that is padding. (A gather
        by the ``tap_positions`` table, so strided and adaptive windows alike.)"""
        rows, cols = self.tap_positions()
        padded = self.pad_plainly(x, fill)
        return padded[..., rows[:, None, :, None] + self.padding[0],
                      cols[None, :, None, :] + self.padding[1]]

    def scatter(self, values):
        """The adjoint of ``gather``: an input-shaped array where every value of
        ``values`` (..., kH, kW, Ho, Wo) is added onto the pixel its tap reads
        (overlapping windows accumulate; what lands on padding is dropped)."""
        rows, cols = self.tap_positions()
        lead = values.shape[:-4]
        padded = np.zeros(lead + self.padded_shape((0, 0) + self.in_hw)[2:], dtype=values.dtype)
        index = (Ellipsis, rows[:, None, :, None] + self.padding[0],
                 cols[None, :, None, :] + self.padding[1])
        np.add.at(padded, index, values)
        ph, pw = self.padding
        return padded[..., ph:ph + self.in_hw[0], pw:pw + self.in_hw[1]]

    def settings(self):
        """What a drawing shows; ``count_include_pad`` only where it changes a divisor."""
        shown = {"kernel_size": self.kernel, "stride": self.stride, "padding": self.padding,
                 "dilation": self.dilation, "ceil_mode": self.ceil_mode}
        if not self.count_include_pad:
            shown["count_include_pad"] = False
        return shown


class AdaptiveWindow(Window):
    """PyTorch's adaptive windows: output row i covers input rows
    floor(i H / Ho) .. ceil((i+1) H / Ho) - 1 (columns likewise). Tap a of window i
    is row start_i + a; windows shorter than the longest read a dummy row past the
    input instead (the fill value: -inf for max, 0 for average), so every window has
    the same taps and the strided kernels serve both. Taps are gathers, not views."""
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


def adaptive_window(in_hw, out_hw):
    """PyTorch's adaptive windows for ``in_hw`` -> ``out_hw``; plain strided ones
    (kernel = stride = H / Ho, views instead of gathers) when the sizes divide."""
    if all(o > 0 and n % o == 0 for n, o in zip(in_hw, out_hw)):
        kernel = tuple(n // o for n, o in zip(in_hw, out_hw))
        return Window(kernel, kernel, (0, 0), in_hw)
    return AdaptiveWindow(in_hw, out_hw)


def tap_one_hot(argmax, window):
    """(N, C, kH, kW, Ho, Wo) booleans from argmax tap indices (N, C, Ho, Wo): True
    at each window's recorded tap k = a*kW + b."""
    k = np.arange(window.kernel[0] * window.kernel[1]).reshape(-1, 1, 1)
    hit = argmax[:, :, None] == k
    return hit.reshape(argmax.shape[:2] + window.kernel + window.out_hw)


def argmax_cells(argmax, window):
    """Input-shaped booleans: True at every pixel some window's argmax points to
    (the pixels max pooling routes its gradient to)."""
    return window.scatter(tap_one_hot(argmax, window).astype(np.int64)) > 0


def flat_indices(index, window):
    """PyTorch's ``return_indices``: for each window, its argmax as h * W + w in the
    (unpadded) input plane, int64, from the tap index k = a * kW + b."""
    rows, cols = window.tap_positions()
    kw = window.kernel[1]
    r = rows[index // kw, np.arange(window.out_hw[0])[:, None]]
    c = cols[index % kw, np.arange(window.out_hw[1])[None, :]]
    return (r.astype(np.int64) * window.in_hw[1] + c).astype(np.int64)
