"""The fast conv kernels (arrays in, arrays out): the same sums as
``minigrad/kernels/reference.py``, arranged for speed.

The column matrix of a whole batch is tens of MB (memory-bound), so the
kernels build im2col columns for a tile of about ``TILE`` numbers (output
positions x C*kH*kW) at a time from a padded copy of the input laid out batch-last, (C, Hp, Wp, N), which
keeps each tile in cache and makes every window row one contiguous run. Results
are computed batch-last too and returned as an NCHW *view* of that (C, H, W, N)
memory: elementwise ops and pooling keep the layout, and the next conv reads it
with no copy.
"""
from __future__ import annotations

import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ...ops import buffers
from ..reference import rot180_swap
from ..windows import output_hw as conv_output_hw


#: numbers in one tile of im2col columns (positions x C*kH*kW): 16384 positions
#: of a 16-channel 3x3 conv, fewer when the columns are longer (9 MB of float32).
#: Few, large products: each one waits for every BLAS thread (benchmarks/README.md).
TILE = 16384 * 144


def batch_last(a):
    """(N, C, H, W) -> a C-contiguous (C, H, W, N) array (no copy when it already is)."""
    return np.ascontiguousarray(a.transpose(1, 2, 3, 0))


def batch_last_padded(x, padding):
    """x (N, C, H, W) as a (C, H + 2ph, W + 2pw, N) array with zeros around it.
    Without padding and with x already a view of batch-last memory, no copy."""
    ph, pw = padding
    if ph == 0 and pw == 0:
        return batch_last(x)
    n, c, h, w = x.shape
    out = np.zeros((c, h + 2 * ph, w + 2 * pw, n), dtype=x.dtype)
    out[:, ph:ph + h, pw:pw + w] = x.transpose(1, 2, 3, 0)
    return out


def windows(xp, kernel, stride, dilation, out_hw):
    """Read-only view (C, kH, kW, Ho, Wo, N) of a batch-last padded input:
    [c, a, b, i, j, n] = xp[c, s*i + d*a, s*j + d*b, n], the pixel that kernel tap
    (a, b) sees at output position (i, j). No copy: im2col copies a tile of it.
    With the batch innermost, a window row is one contiguous run of Wo*N numbers
    (stride 1), so the copies and the col2im adds run at memory speed."""
    sc, sh, sw, sn = xp.strides
    shape = (xp.shape[0], kernel[0], kernel[1], out_hw[0], out_hw[1], xp.shape[3])
    strides = (sc, sh * dilation[0], sw * dilation[1], sh * stride[0], sw * stride[1], sn)
    return as_strided(xp, shape, strides, writeable=False)


def tiles(out_hw, n, column_length):
    """Slices (rows, cols, batch) covering the (Ho, Wo, N) output positions in pieces
    of about TILE / column_length positions, each piece one contiguous run of the
    batch-last memory (so a product can be written in place): bands of whole rows
    across the batch; when one row of the whole batch is larger, bands of columns of
    one row; when one column of the whole batch is larger still, parts of the batch."""
    tile = max(1, TILE // column_length)
    ho, wo = out_hw
    if n == 0 or ho == 0 or wo == 0:
        return []                     # an empty batch: nothing to compute
    every_col, every_n = slice(0, wo), slice(0, n)
    if wo * n <= tile:
        step = tile // (wo * n)
        return [(slice(r, min(ho, r + step)), every_col, every_n) for r in range(0, ho, step)]
    if n <= tile:
        step = tile // n
        return [(slice(r, r + 1), slice(c, min(wo, c + step)), every_n)
                for r in range(ho) for c in range(0, wo, step)]
    return [(slice(r, r + 1), slice(c, c + 1), slice(i, min(n, i + tile)))
            for r in range(ho) for c in range(wo) for i in range(0, n, tile)]


def _size(sl):
    return sl.stop - sl.start


_scratch = threading.local()


def scratch(shape, dtype):
    """A work array for one tile of columns, reused from tile to tile and call to
    call (one per thread and dtype, at most about TILE numbers): a fresh multi-MB
    array per tile would cost a page fault per 4 KB each time."""
    size = int(np.prod(shape))
    key = np.dtype(dtype).str
    buf = getattr(_scratch, key, None)
    if buf is None or buf.size < size:
        buf = np.empty(size, dtype=dtype)
        setattr(_scratch, key, buf)
    return buf[:size].reshape(shape)


def im2col_tile(win, rows, cols, batch, groups):
    """The columns of one tile, (groups, C/groups*kH*kW, positions), copied from the
    window view into the scratch array."""
    tile = win[:, :, :, rows, cols, batch]
    columns = scratch(tile.shape, win.dtype)
    np.copyto(columns, tile)
    return columns.reshape(groups, -1, tile.shape[3] * tile.shape[4] * tile.shape[5])


#: multiply-adds in one piece of a long, thin product (``long_product``)
SMALL_PRODUCT = 1 << 18


def long_product(a, b):
    """a @ b^T for a (G, M, P) and b (G, N, P) with a long P: a weight gradient,
    summed over all output positions. When M x N is small (a conv with few input
    channels), one BLAS call would cross the long P in hundreds of blocks, and its
    threads meet after each block: with another job on the cores, each meeting can
    wait a whole time slice. Such a product is cut along P into pieces
    of about SMALL_PRODUCT multiply-adds, each too small to be worth threads in any
    BLAS, made by one batched matmul and summed."""
    groups, m, p = a.shape
    n = b.shape[1]
    step = SMALL_PRODUCT // max(m * n, 1)
    if step < 256 or p < 2 * step:   # a wide product: plenty of work between meetings
        return np.matmul(a, b.transpose(0, 2, 1))
    whole = p - p % step
    pieces = np.matmul(a[:, :, :whole].reshape(groups, m, -1, step).transpose(0, 2, 1, 3),
                       b[:, :, :whole].reshape(groups, n, -1, step).transpose(0, 2, 3, 1))
    out = pieces.sum(axis=1)
    if whole < p:
        out += np.matmul(a[:, :, whole:], b[:, :, whole:].transpose(0, 2, 1))
    return out


# -- numpy kernels (arrays in, arrays out) ---------------------------------------

def conv2d_array(x, w, stride, padding, dilation, groups, padded=None):
    """y = conv2d(x, w): per tile, (w as an (O, C*kH*kW) matrix) @ im2col(x tile).
    Returns an NCHW view of batch-last (O, Ho, Wo, N) memory. ``padded``: x as
    ``batch_last_padded`` already made it, if at hand."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    ho, wo = conv_output_hw((h, wd), (kh, kw), stride, padding, dilation)
    if padded is None:
        padded = batch_last_padded(x, padding)
    win = windows(padded, (kh, kw), stride, dilation, (ho, wo))
    w_groups = w.reshape(groups, o // groups, cg * kh * kw)
    out = buffers.empty((groups, o // groups, ho, wo, n), np.result_type(x, w))
    for rows, cols, batch in tiles((ho, wo), n, cg * kh * kw):
        # every tile is one run of out's memory: the product lands in place
        target = out[:, :, rows, cols, batch].reshape(groups, o // groups, -1, copy=False)
        np.matmul(w_groups, im2col_tile(win, rows, cols, batch, groups), out=target)
    return out.reshape(o, ho, wo, n).transpose(3, 0, 1, 2)


def conv2d_weight_array(x, g, kernel, stride, padding, dilation, groups, padded=None):
    """dw = sum over tiles of (g tile as an (O, positions) matrix) @ im2col(x tile)^T:
    the correlation of the input with the output gradient. ``g`` may cover fewer
    output rows/columns than the input allows (the rest count as zero)."""
    n, c, h, wd = x.shape
    o, ho, wo = g.shape[1], g.shape[2], g.shape[3]
    kh, kw = kernel
    cg = c // groups
    if padded is None:
        padded = batch_last_padded(x, padding)
    win = windows(padded, kernel, stride, dilation, (ho, wo))
    g_last = batch_last(g)
    dw = np.zeros((groups, o // groups, cg * kh * kw), dtype=np.result_type(x, g))
    for rows, cols, batch in tiles((ho, wo), n, cg * kh * kw):
        g_tile = g_last[:, rows, cols, batch].reshape(groups, o // groups, -1)
        # (cols @ g^T)^T rather than g @ cols^T: the same numbers, in the order
        # OpenBLAS runs best for this long-and-thin product.
        dw += long_product(im2col_tile(win, rows, cols, batch, groups), g_tile).transpose(0, 2, 1)
    return dw.reshape(o, cg, kh, kw)


def conv_transpose2d_array(g, w, out_hw, stride, padding, dilation, groups):
    """dx = col2im(w^T @ g): per tile, the columns w^T @ g (C*kH*kW, positions) are
    added back onto the pixels they were read from (what ``windows`` views), the
    exact adjoint of im2col. This is the full convolution of ``full_convolution_rot180``
    computed without the zeros the stride inserts. ``w`` is a conv2d weight
    (O, C/groups, kH, kW); g is (N, O, Ho, Wo); the result is (N, C, H, W) = out_hw."""
    n, o, ho, wo = g.shape
    _, cg, kh, kw = w.shape
    h, wd = out_hw
    (sh, sw), (ph, pw), (dh, dw_) = stride, padding, dilation
    # The padded canvas must hold every window (an output_padding >= stride can
    # ask for fewer rows than the windows span; the extra is cropped away).
    hp = max(h + 2 * ph, (ho - 1) * sh + dh * (kh - 1) + 1)
    wp = max(wd + 2 * pw, (wo - 1) * sw + dw_ * (kw - 1) + 1)
    canvas = np.zeros((cg * groups, hp, wp, n), dtype=np.result_type(g, w))
    w_t = w.reshape(groups, o // groups, cg * kh * kw).transpose(0, 2, 1)
    g_last = batch_last(g)
    for rows, cols, batch in tiles((ho, wo), n, cg * kh * kw):
        nr, nc, nb = _size(rows), _size(cols), _size(batch)
        col = scratch((groups, cg * kh * kw, nr * nc * nb), canvas.dtype)
        np.matmul(w_t, g_last[:, rows, cols, batch].reshape(groups, o // groups, -1), out=col)
        col = col.reshape(cg * groups, kh, kw, nr, nc, nb)
        # Each add writes runs of one canvas row (nc * nb numbers at stride 1) with
        # gaps between them. numpy gathers runs shorter than about a quarter of its
        # ufunc buffer into the buffer to lengthen its loop, and for an add that copy
        # costs more than it saves; a buffer no longer than a run leaves nothing to gather.
        run = nb * (nc if sw == 1 and nb == n else 1)
        old_size = np.setbufsize(max(16, run - run % 16))   # numpy takes multiples of 16
        try:
            for a in range(kh):
                top = rows.start * sh + a * dh
                for b in range(kw):
                    left = cols.start * sw + b * dw_
                    canvas[:, top:top + sh * (nr - 1) + 1:sh,
                           left:left + sw * (nc - 1) + 1:sw, batch] += col[:, a, b]
        finally:
            np.setbufsize(old_size)
    return canvas[:, ph:ph + h, pw:pw + wd].transpose(3, 0, 1, 2)


def plain_full_convolution_edges(g_hw, out_hw, kernel, stride, padding, dilation):
    """The padding d(k-1) - p of each axis when the full convolution is a plain
    conv2d of g: stride 1 (nothing to dilate), d(k-1) >= p (nothing to crop) and no
    unread rows or output_padding (equal edges); else None."""
    if stride != (1, 1):
        return None
    edges = tuple(dilation[i] * (kernel[i] - 1) - padding[i] for i in (0, 1))
    fits = all(g_hw[i] + 2 * edges[i] - dilation[i] * (kernel[i] - 1) == out_hw[i]
               for i in (0, 1))
    return edges if min(edges) >= 0 and fits else None


def conv_transpose2d(g, w, out_hw, stride, padding, dilation, groups):
    """conv2d's input gradient (and ConvTranspose2d's forward). At stride 1, with no
    more channels in than out (the input gradient of a conv that keeps or widens its
    channels), the full convolution conv2d(g padded by d(k-1) - p, rot180(w))
    copies fewer numbers than col2im's columns and adds (9 x C_in against 9 x C_out
    rows for a 3x3 kernel); otherwise col2im(w^T @ g)."""
    edges = plain_full_convolution_edges(g.shape[2:], out_hw, w.shape[2:], stride, padding,
                                         dilation)
    if edges is not None and g.shape[1] <= w.shape[1] * groups:
        return conv2d_array(g, rot180_swap(w, groups), (1, 1), edges, dilation, groups)
    return conv_transpose2d_array(g, w, out_hw, stride, padding, dilation, groups)


# the kernel set's names (minigrad/kernels/__init__.py lists them)
pad_input = batch_last_padded
conv2d = conv2d_array
conv2d_weight = conv2d_weight_array
