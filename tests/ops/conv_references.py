"""The conv textbook formulas as loops (slow, obviously right), and the grid of
geometries the conv tests run them over (tests/ops/test_conv.py,
tests/ops/test_conv_torch.py, tests/kernels/test_fast_conv.py)."""
import numpy as np


def loop_conv2d(x, w, stride, padding, dilation, groups):
    """y[n,o,i,j] = sum_{c,a,b} w[o,c,a,b] x_p[n, g*Cg + c, s*i + d*a, s*j + d*b]."""
    (s, t), (p, q), (d, e) = stride, padding, dilation
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (q, q)))
    ho = (h + 2 * p - d * (kh - 1) - 1) // s + 1
    wo = (wd + 2 * q - e * (kw - 1) - 1) // t + 1
    og = o // groups
    y = np.zeros((n, o, ho, wo))
    for b_ in range(n):
        for oc in range(o):
            first = (oc // og) * cg
            for i in range(ho):
                for j in range(wo):
                    for ci in range(cg):
                        for a in range(kh):
                            for b in range(kw):
                                y[b_, oc, i, j] += (w[oc, ci, a, b]
                                                    * xp[b_, first + ci, s * i + d * a, t * j + e * b])
    return y


def loop_input_grad_textbook(g, w, in_hw, stride, padding, dilation, groups):
    """The input gradient as the textbook derives it, step by step with loops:
    dilate g by the stride, pad by d(k-1) - p (plus the rows the floor left
    unread), rotate each kernel 180 degrees, swap in/out channels, convolve."""
    (s, t), (p, q), (d, e) = stride, padding, dilation
    n, o, ho, wo = g.shape
    _, cg, kh, kw = w.shape
    h, wd = in_hw
    og = o // groups
    # 1. zeros between the gradient's pixels
    dil = np.zeros((n, o, (ho - 1) * s + 1, (wo - 1) * t + 1))
    for i in range(ho):
        for j in range(wo):
            dil[:, :, i * s, j * t] = g[:, :, i, j]
    # 2. a frame of d(k-1) - p zeros (a negative frame crops), on a big canvas
    top, left = d * (kh - 1) - p, e * (kw - 1) - q
    big = np.zeros((n, o, h + d * (kh - 1) + 50, wd + e * (kw - 1) + 50))
    off = 20
    big[:, :, off + top:off + top + dil.shape[2], off + left:off + left + dil.shape[3]] = dil
    # 3. rotated kernel with channels swapped, 4. a plain stride-1 convolution
    dx = np.zeros((n, o // og * cg, h, wd))
    for n_ in range(n):
        for c in range(dx.shape[1]):
            grp = c // cg
            for oc in range(og):
                for u in range(h):
                    for v in range(wd):
                        for a in range(kh):
                            for b in range(kw):
                                rotated = w[grp * og + oc, c % cg, kh - 1 - a, kw - 1 - b]
                                dx[n_, c, u, v] += rotated * big[n_, grp * og + oc,
                                                                 off + u + d * a, off + v + e * b]
    return dx


def loop_weight_grad(x, g, kernel, stride, padding, dilation, groups):
    """dw[o,c,a,b] = sum_{n,i,j} g[n,o,i,j] x_p[n, group*Cg + c, s*i + d*a, s*j + d*b]."""
    (s, t), (p, q), (d, e) = stride, padding, dilation
    n, c, _, _ = x.shape
    o, ho, wo = g.shape[1:]
    cg, og = c // groups, o // groups
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (q, q)))
    dw = np.zeros((o, cg, *kernel))
    for oc in range(o):
        for ci in range(cg):
            for a in range(kernel[0]):
                for b in range(kernel[1]):
                    for n_ in range(n):
                        for i in range(ho):
                            for j in range(wo):
                                dw[oc, ci, a, b] += (g[n_, oc, i, j] * xp[n_, (oc // og) * cg + ci,
                                                                        s * i + d * a, t * j + e * b])
    return dw


GRID = [  # (x shape, out channels, kernel, stride, padding, dilation, groups)
    ((1, 1, 5, 5), 1, (3, 3), (1, 1), (0, 0), (1, 1), 1),
    ((3, 3, 7, 6), 2, (3, 2), (2, 1), (1, 0), (1, 1), 1),
    ((2, 2, 7, 7), 4, (2, 2), (3, 2), (2, 1), (2, 1), 2),
    ((1, 3, 6, 7), 3, (3, 3), (2, 2), (1, 3), (1, 2), 3),
    ((3, 1, 6, 5), 2, (1, 2), (1, 3), (0, 1), (1, 1), 1),
    # stride 1 with no more output than input channels: the input gradient is the
    # full convolution itself (ConvTranspose2d.forward); the last one pads past d(k-1)
    ((2, 4, 6, 7), 2, (2, 3), (1, 1), (1, 2), (2, 1), 1),
    ((2, 4, 5, 5), 4, (3, 3), (1, 1), (1, 1), (1, 1), 2),
    ((1, 2, 5, 6), 2, (3, 3), (1, 1), (3, 0), (1, 1), 1),
]
