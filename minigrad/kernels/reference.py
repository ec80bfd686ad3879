"""The textbook kernels: each rule of a CNN's forward and backward pass written as
the CNN primer states it, one short function per rule, in plain vectorised numpy.
``minigrad.kernels.use("reference")`` makes the ops run on these; the fast kernels
(``minigrad/kernels/fast/``) compute the same numbers (tests hold them equal to
1e-12 in float64).

The primer's notation, for a conv layer l (NCHW, stride s, padding p, dilation d):
    a^{l-1}   the layer's input (the previous layer's activation), padded by p: a_p
    W^l, b^l  the weight (C_out, C_in/groups, kH, kW) and the bias (C_out,)
    z^l       = W^l * a^{l-1} + b^l, the conv output (``*``: cross-correlation)
    delta^l   = dC/dz^l, the error at the conv output (dy)
Then delta^{l-1} = delta^l (*full) rot180(W^l), dC/dW^l = a^{l-1} * delta^l,
dC/db^l = sum of delta^l; a pooling layer sends its error back by up(delta):
average pooling spreads it evenly, max pooling routes it to the recorded argmax.
Window geometry (output sizes, taps, padding, ceil_mode, adaptive windows) is in
``minigrad/kernels/windows.py``.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .windows import output_hw, tap_one_hot

NAME = "reference"


# -- convolution ------------------------------------------------------------------------

def pad_input(x, padding):
    """a_p: the input a^{l-1} with p zeros on each side of its rows and columns."""
    (ph, pw) = padding
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


def im2col(a_p, kernel, stride, dilation, out_hw):
    """Every window of a_p: (N, C, Ho, Wo, kH, kW), [n, c, i, j, a, b] =
    a_p[n, c, s*i + d*a, s*j + d*b] (a read-only view; no copy)."""
    span = tuple(dilation[i] * (kernel[i] - 1) + 1 for i in (0, 1))
    view = sliding_window_view(a_p, span, axis=(2, 3))
    view = view[:, :, ::stride[0], ::stride[1], ::dilation[0], ::dilation[1]]
    return view[:, :, :out_hw[0], :out_hw[1]]


def conv2d(x, w, stride, padding, dilation, groups, padded=None):
    """z^l = W^l * a^{l-1} (the bias is added by the op): im2col, then one matrix
    product per group, (C_out/G, C_in/G*kH*kW) @ (C_in/G*kH*kW, Ho*Wo).
    ``padded``: a_p as ``pad_input`` made it, if at hand."""
    a_p = pad_input(x, padding) if padded is None else padded
    n, c = x.shape[:2]
    c_out, cg, kh, kw = w.shape
    out_hw = output_hw(a_p.shape[2:], (kh, kw), stride, (0, 0), dilation)
    cols = im2col(a_p, (kh, kw), stride, dilation, out_hw)            # (N, C, Ho, Wo, kH, kW)
    cols = cols.reshape(n, groups, cg, *out_hw, kh, kw).transpose(0, 1, 3, 4, 2, 5, 6)
    cols = cols.reshape(n, groups, out_hw[0] * out_hw[1], cg * kh * kw)
    w_rows = w.reshape(groups, c_out // groups, cg * kh * kw)
    z = np.matmul(w_rows, cols.transpose(0, 1, 3, 2))                  # (N, G, C_out/G, Ho*Wo)
    return z.reshape(n, c_out, *out_hw)


def rot180_swap(w, groups):
    """rot180(W): each (kH, kW) filter rotated by 180 degrees, and in/out channels
    swapped within each group: (O, C/groups, kH, kW) -> (C, O/groups, kH, kW),
    result[gi*Cg + c, o, a, b] = w[gi*Og + o, c, kH-1-a, kW-1-b]."""
    o, cg, kh, kw = w.shape
    og = o // groups
    flipped = w[:, :, ::-1, ::-1].reshape(groups, og, cg, kh, kw)
    return flipped.transpose(0, 2, 1, 3, 4).reshape(groups * cg, og, kh, kw)


def conv_transpose2d(delta, w, out_hw, stride, padding, dilation, groups):
    """delta^{l-1} = delta^l (*full) rot180(W^l), literally (before the activation's
    sigma'(z^{l-1}), which its own op applies). ``out_hw``: the input's (H, W).

    1. dilate delta^l by the stride: s-1 zeros between neighbouring rows/columns;
    2. pad it by d(k-1) - p on each side (crop when that is negative), plus at the
       bottom/right the rows the forward's floor left unread (or output_padding);
    3. correlate it at stride 1, dilation d, with rot180(W^l), in/out channels swapped.
    Also ConvTranspose2d's forward: the same sum, with its input as delta^l."""
    n, o, ho, wo = delta.shape
    kernel = w.shape[2:]
    dilated = np.zeros((n, o, (ho - 1) * stride[0] + 1, (wo - 1) * stride[1] + 1), delta.dtype)
    dilated[:, :, ::stride[0], ::stride[1]] = delta
    widths = []
    for i in (0, 1):
        before = dilation[i] * (kernel[i] - 1) - padding[i]
        # out = before + dilated + after - d(k-1)  =>  after = out - dilated - before + d(k-1)
        after = out_hw[i] - dilated.shape[2 + i] - before + dilation[i] * (kernel[i] - 1)
        widths.append((before, after))
    crop = tuple(slice(max(0, -b), size - max(0, -a))
                 for (b, a), size in zip(widths, dilated.shape[2:]))
    dilated = dilated[:, :, crop[0], crop[1]]
    full = np.pad(dilated, ((0, 0), (0, 0)) + tuple((max(0, b), max(0, a)) for b, a in widths))
    return conv2d(full, rot180_swap(w, groups), (1, 1), (0, 0), dilation, groups)


def conv2d_weight(x, delta, kernel, stride, padding, dilation, groups, padded=None):
    """dC/dW^l = a^{l-1} * delta^l, the correlation of the padded input with the error:
    dW[o, c, a, b] = sum_{n, i, j} delta[n, o, i, j] a_p[n, c, s*i + d*a, s*j + d*b].
    ``delta`` may cover fewer output rows/columns than a_p allows (the rest count as 0)."""
    a_p = pad_input(x, padding) if padded is None else padded
    n, c = x.shape[:2]
    c_out, ho, wo = delta.shape[1:]
    cols = im2col(a_p, kernel, stride, dilation, (ho, wo))            # (N, C, Ho, Wo, kH, kW)
    cols = cols.reshape(n, groups, c // groups, ho, wo, *kernel)
    delta = delta.reshape(n, groups, c_out // groups, ho, wo)
    dw = np.einsum("ngoij,ngcijab->gocab", delta, cols, optimize=True)
    return dw.reshape(c_out, c // groups, *kernel)


def bias_grad(delta):
    """dC/db^l = delta^l summed over the batch and every position: one per channel."""
    return delta.sum(axis=(0, 2, 3))


# -- pooling ------------------------------------------------------------------------------

def avg_pool(x, window):
    """Each window's sum divided by its divisor D (kH kW, or its real pixels)."""
    taps = window.gather(x, 0.0)                                      # (N, C, kH, kW, Ho, Wo)
    return taps.sum(axis=(2, 3)) / np.asarray(window.divisor(), dtype=x.dtype)


def avg_unpool(delta, window):
    """up(delta) for average pooling: upsample (copy each delta to every tap of its
    window) and divide by D; overlapping windows add."""
    share = delta / np.asarray(window.divisor(), dtype=delta.dtype)
    upsampled = np.broadcast_to(share[:, :, None, None], delta.shape[:2] + window.kernel
                                + window.out_hw)
    return window.scatter(upsampled)


def max_pool(x, window, with_argmax=True):
    """Each window's max, and (``with_argmax``) the tap k = a*kW + b that holds it:
    the first maximum in row-major window order; NaN is the max (as PyTorch); the
    -inf padding is never chosen, even where every real pixel is -inf."""
    taps = window.gather(x, -np.inf)
    taps = taps.reshape(x.shape[:2] + (taps_per_window(window),) + window.out_hw)           # (N, C, K, Ho, Wo)
    out = taps.max(axis=2)
    if not with_argmax:
        return out, None
    top = out[:, :, None]
    hit = (taps == top) | (np.isnan(taps) & np.isnan(top))
    hit &= window.real_at_taps().reshape((taps_per_window(window),) + window.out_hw)
    return out, hit.argmax(axis=2)                                     # the first True


def taps_per_window(window):
    return window.kernel[0] * window.kernel[1]


def max_unpool(delta, argmax, window):
    """up(delta) for max pooling: the whole of each delta goes to its window's argmax,
    the other pixels get 0; overlapping windows add."""
    zero = np.zeros((), dtype=delta.dtype)
    routed = np.where(tap_one_hot(argmax, window), delta[:, :, None, None], zero)
    return window.scatter(routed)


def gather_argmax(x, argmax, window):
    """x at each window's recorded argmax (max pooling with the argmax frozen)."""
    taps = window.gather(x, 0.0)
    taps = taps.reshape(x.shape[:2] + (taps_per_window(window),) + window.out_hw)
    index = np.asarray(argmax, dtype=np.intp)[:, :, None]
    return np.take_along_axis(taps, index, axis=2)[:, :, 0]
