"""The fast pooling kernels (arrays in, arrays out): the same numbers as
``minigrad/kernels/reference.py``, arranged for speed.

The kernels loop over the window taps, each a strided view (a gather for adaptive
windows; no loop over pixels), on chunks of about CHUNK_BYTES of images or
channels, so that the taps' passes over a chunk hit the cache. Outputs and
gradients are laid out in memory as the input is (``minigrad/ops/layout.py``), so a
batch-last conv output stays batch-last through pooling.
"""
from __future__ import annotations

import numpy as np

from ...ops.layout import empty_like_layout, in_layout_of

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


def padded_in_layout(x, window, fill):
    """x with ``fill`` around it where the windows reach past it, laid out as x."""
    if not window.has_padding:
        return x
    out = empty_like_layout(window.padded_shape(x.shape), x)
    out.fill(fill)
    ph, pw = window.padding
    out[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]] = x
    return out


def scatter_to_taps(values, window, taps_of, layout_like):
    """The adjoint of reading windows: an input-shaped array where every output
    position adds ``values`` (selected per tap by ``taps_of(part, k)``, a mask for
    that chunk, or None for all) onto the pixel of its tap; overlapping windows
    accumulate. The result is laid out in memory as ``layout_like`` is."""
    shape = values.shape[:2] + window.in_hw
    exact = window.covers_exactly()
    padded = empty_like_layout(window.padded_shape(shape), layout_like, values.dtype,
                               zero=not exact)
    # A C-ordered gradient (after a global mean) for a batch-last pooled input: one
    # transposing copy of the small pooled array, not every tap's pass reading it
    # across the grain.
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
    padded = padded_in_layout(x, window, -np.inf)
    out_shape = x.shape[:2] + window.out_hw
    out = empty_like_layout(out_shape, padded)
    index = (empty_like_layout(out_shape, padded, np.uint8 if len(window.taps()) < 256
                               else np.int32) if with_argmax else None)
    for part in chunks(padded):
        window_max_chunk(padded[part], out[part], None if index is None else index[part], window)
    return out, index


def window_max_chunk(padded, out, index, window):
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
        real = window.real_at_taps().reshape((-1,) + window.out_hw)
        misses = [miss | ~ok for miss, ok in zip(misses, real)]
    # The first tap that reaches the max, without a search: with miss_k = (tap k is
    # not the max), index = miss_0 * (1 + miss_1 * (1 + ... (1 + miss_{K-2}))).
    index[...] = misses[-1]
    for miss in misses[-2::-1]:
        index += 1
        index *= miss


def max_unpool(g, argmax, window):
    """dy routed to each window's recorded argmax. The argmax is laid out as the
    pooled input was (batch-last after a conv): the gradient going back to that
    conv follows it, so it needs no copy."""
    return scatter_to_taps(g, window, lambda part, k: argmax[part] == k, layout_like=argmax)


def gather_argmax(x, argmax, window):
    """out[n, c, i, j] = x_padded[n, c, tap k of window (i, j)] with k = argmax[n, c, i, j]."""
    padded = padded_in_layout(x, window, 0.0)
    out = empty_like_layout(argmax.shape, argmax, x.dtype)
    for k, (a, b) in enumerate(window.taps()):
        np.copyto(out, window.tap_view(padded, a, b), where=argmax == k)
    return out


# -- average pooling -----------------------------------------------------------------

def divided(out, divisor):
    if isinstance(divisor, int):
        out *= np.asarray(1.0 / divisor, dtype=out.dtype)
    else:
        out /= divisor.astype(out.dtype)
    return out


def avg_pool(x, window):
    """The sum over each window, one strided view per tap, divided by its divisor."""
    padded = padded_in_layout(x, window, 0.0)
    views = [window.tap_view(padded, a, b) for a, b in window.taps()]
    out = np.array(views[0], order="K")
    for v in views[1:]:
        out += v
    return divided(out, window.divisor())


def avg_unpool(g, window):
    """dy / D added to every pixel of its window."""
    scaled = divided(np.array(g, order="K"), window.divisor())
    return scatter_to_taps(scaled, window, lambda part, k: None, layout_like=scaled)


max_pool = window_max   # the kernel set's name (minigrad/kernels/__init__.py lists them)
