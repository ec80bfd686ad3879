"""conv2d, conv_transpose2d and the conv weight gradient.

* ``CASES``: float64 gradcheck + gradgradcheck (tests/test_registry.py runs them)
  over stride, padding, dilation, groups, odd sizes, 1 and 3 channels, batch 1 and 3;
* the derivation itself: slow loop references of the textbook formulas equal the
  fast kernels (forward, input gradient as the full convolution with the rotated
  kernel, weight gradient as a correlation, bias gradient as a sum);
* per-sample gradient accumulation equals the gradient of the summed batch loss;
* padding='same' | 'valid' (an odd total padding puts its extra row and column at
  the bottom/right, as PyTorch) and the modules nn.Conv2d / nn.ConvTranspose2d
  (weight layout, initialisation, state-dict keys, output_size);
* bad arguments fail with clear errors; optional PyTorch oracle comparisons.
"""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.kernels import reference
from minigrad.kernels.fast import conv as fast_conv
from minigrad.ops.conv import conv2d_weight
from tests.kernel_sets import kernel_set  # noqa: F401 (a fixture)
from tests.registry import Case

# every test here runs under both kernel sets, unless it pins one
pytestmark = pytest.mark.usefixtures("kernel_set")
FAST_ONLY = pytest.mark.parametrize("kernel_set", ["fast"], indirect=True)


def _shapes(*shapes):
    return lambda r: tuple(r.normal(size=s) for s in shapes)


CASES = [
    Case("conv2d_basic_bias", lambda x, w, b: F.conv2d(x, w, b),
         _shapes((2, 3, 5, 5), (2, 3, 3, 3), (2,))),
    Case("conv2d_stride2_pad1_odd", lambda x, w: F.conv2d(x, w, stride=2, padding=1),
         _shapes((1, 1, 7, 6), (2, 1, 3, 3))),
    Case("conv2d_dilation2_pad2_rect_kernel_pair_stride",
         lambda x, w: F.conv2d(x, w, stride=(1, 2), padding=2, dilation=2),
         _shapes((1, 2, 6, 7), (2, 2, 2, 3))),
    Case("conv2d_groups3_depthwise_bias", lambda x, w, b: F.conv2d(x, w, b, padding=1, groups=3),
         _shapes((1, 3, 5, 5), (3, 1, 3, 3), (3,))),
    Case("conv2d_batch3_stride3_floor", lambda x, w: F.conv2d(x, w, stride=3),
         _shapes((3, 1, 7, 7), (1, 1, 2, 2))),
    Case("conv2d_padding_beyond_kernel", lambda x, w: F.conv2d(x, w, stride=2, padding=(2, 1)),
         _shapes((1, 2, 5, 5), (1, 2, 2, 2))),
    Case("conv2d_batch3_3ch_stride2_dilation_pair_pad1",
         lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, dilation=(1, 2)),
         _shapes((3, 3, 5, 6), (2, 3, 2, 2), (2,))),
    Case("conv2d_stride1_fewer_out_channels_dilation_rect_pad",   # dx: the full convolution
         lambda x, w, b: F.conv2d(x, w, b, padding=(1, 2), dilation=(2, 1)),
         _shapes((2, 4, 6, 7), (2, 4, 2, 3), (2,))),
    Case("conv2d_groups2_stride1_pad1", lambda x, w: F.conv2d(x, w, padding=1, groups=2),
         _shapes((1, 4, 5, 5), (4, 2, 3, 3))),
    Case("conv_transpose2d_batch3_stride3_outpad2",
         lambda x, w: F.conv_transpose2d(x, w, stride=3, output_padding=2),
         _shapes((3, 1, 2, 2), (1, 2, 2, 2))),
    Case("conv_transpose2d_stride2_pad1_outpad1_bias",
         lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
         _shapes((1, 2, 3, 4), (2, 1, 3, 3), (1,))),
    Case("conv_transpose2d_groups2_dilation2",
         lambda x, w: F.conv_transpose2d(x, w, groups=2, dilation=2, padding=1),
         _shapes((2, 2, 3, 3), (2, 1, 2, 2))),
    Case("conv_transpose2d_outpad_ge_stride",
         lambda x, w: F.conv_transpose2d(x, w, stride=1, dilation=2, output_padding=1),
         _shapes((1, 1, 3, 3), (1, 2, 2, 2))),
    Case("conv2d_weight_stride2_pad1",
         lambda x, g: conv2d_weight(x, (2, 1, 3, 3), g, stride=2, padding=1),
         _shapes((1, 1, 6, 5), (1, 2, 3, 3))),
    Case("conv2d_padding_same_even_kernel_pads_bottom_right",
         lambda x, w, b: F.conv2d(x, w, b, padding="same"),
         _shapes((2, 2, 5, 4), (3, 2, 2, 3), (3,))),
    Case("conv2d_padding_same_dilation2_odd_total",
         lambda x, w: F.conv2d(x, w, padding="same", dilation=(3, 2)),
         _shapes((1, 1, 6, 5), (2, 1, 2, 2))),
    Case("conv2d_padding_valid", lambda x, w: F.conv2d(x, w, padding="valid"),
         _shapes((1, 2, 5, 5), (1, 2, 3, 2))),
    Case("conv2d_weight_groups3_dilation2",
         lambda x, g: conv2d_weight(x, (3, 1, 2, 2), g, padding=1, dilation=2, groups=3),
         _shapes((1, 3, 5, 5), (1, 3, 5, 5))),
]


# -- the textbook formulas, with loops (slow, obviously right) ---------------------------

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


@pytest.mark.parametrize("shape, o, kernel, stride, padding, dilation, groups", GRID)
def test_forward_and_gradients_equal_the_loop_references(shape, o, kernel, stride, padding,
                                                         dilation, groups):
    rng = np.random.default_rng(1)
    x = rng.normal(size=shape)
    w = rng.normal(size=(o, shape[1] // groups, *kernel))
    bias = rng.normal(size=o)
    X, W, B = (mg.Tensor(a, requires_grad=True) for a in (x, w, bias))
    y = F.conv2d(X, W, B, stride, padding, dilation, groups)
    np.testing.assert_allclose(y.numpy(), loop_conv2d(x, w, stride, padding, dilation, groups)
                               + bias.reshape(1, -1, 1, 1), atol=1e-12)
    g = rng.normal(size=y.shape)
    y.backward(g)
    np.testing.assert_allclose(
        X.grad.numpy(), loop_input_grad_textbook(g, w, shape[2:], stride, padding, dilation, groups),
        atol=1e-12)
    np.testing.assert_allclose(
        W.grad.numpy(), loop_weight_grad(x, g, kernel, stride, padding, dilation, groups), atol=1e-12)
    np.testing.assert_allclose(B.grad.numpy(), g.sum(axis=(0, 2, 3)), atol=1e-12)


@pytest.mark.parametrize("shape, o, kernel, stride, padding, dilation, groups", GRID)
def test_literal_rot180_full_convolution_equals_the_col2im_kernel(shape, o, kernel, stride,
                                                                  padding, dilation, groups):
    """The slow textbook form (dilate, pad, rot180, convolve) and the fast col2im of
    w^T @ g used by ConvTranspose2d compute the same input gradient."""
    rng = np.random.default_rng(2)
    w = rng.normal(size=(o, shape[1] // groups, *kernel))
    y = F.conv2d(mg.Tensor(rng.normal(size=shape)), mg.Tensor(w), None, stride, padding,
                 dilation, groups)
    g = rng.normal(size=y.shape)
    args = (shape[2:], stride, padding, dilation, groups)
    np.testing.assert_allclose(reference.conv_transpose2d(g, w, *args),
                               fast_conv.conv_transpose2d_array(g, w, *args), atol=1e-12)


def test_rot180_swap_rotates_each_filter_and_swaps_channels_per_group():
    w = np.arange(2 * 2 * 2 * 3, dtype=float).reshape(4, 1, 2, 3)   # 4 out, 2 groups of 1 in
    r = reference.rot180_swap(w, groups=2)
    assert r.shape == (2, 2, 2, 3)                                    # 2 in, 2 out per group
    for group in range(2):
        for o in range(2):
            np.testing.assert_array_equal(r[group, o], np.rot90(w[group * 2 + o, 0], 2))


def test_conv_transpose2d_is_the_adjoint_of_conv2d():
    """<conv2d(x, w), y> == <x, conv_transpose2d(y, w)> (what makes it the input gradient)."""
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=(2, 4, 7, 6)), rng.normal(size=(6, 2, 3, 2))
    kw = dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2)
    y = F.conv2d(mg.Tensor(x), mg.Tensor(w), **kw)
    v = rng.normal(size=y.shape)
    back = F.conv_transpose2d(mg.Tensor(v), mg.Tensor(w), output_padding=(0, 0), **kw)
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(y.numpy() * v), np.sum(x * back.numpy()), rtol=1e-12)


def test_sample_by_sample_gradients_add_up_to_the_batch_gradient():
    """The training procedure: backward per sample, gradients accumulating in .grad,
    equals one backward of the summed batch loss."""
    rng = np.random.default_rng(4)
    x, target = rng.normal(size=(3, 2, 7, 7)), np.array([1, 0, 2])
    init = [rng.normal(size=s) * 0.5 for s in ((3, 2, 3, 3), (3,), (3, 3, 2, 2), (3,), (3, 27))]

    def loss(params, batch, labels):
        w1, b1, w2, b2, fc = params
        h = F.max_pool2d(F.relu(F.conv2d(batch, w1, b1, padding=1)), 3, 2, 1)
        h = F.avg_pool2d(F.conv2d(h, w2, b2, stride=1, padding=1, dilation=2), 2, 1)
        return F.cross_entropy(h.flatten(1) @ fc.T, labels, reduction="sum")

    batch_params = [mg.Tensor(a, requires_grad=True) for a in init]
    loss(batch_params, mg.Tensor(x), target).backward()
    sample_params = [mg.Tensor(a, requires_grad=True) for a in init]
    for i in range(3):
        loss(sample_params, mg.Tensor(x[i:i + 1]), target[i:i + 1]).backward()
    for a, b in zip(batch_params, sample_params):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)


@FAST_ONLY
def test_float32_stays_float32_and_layout_does_not_matter():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 2, 6, 6)).astype(np.float32)
    w = rng.normal(size=(4, 2, 3, 3)).astype(np.float32)
    y = F.conv2d(mg.Tensor(x), mg.Tensor(w), padding=1)
    assert y.dtype == np.float32
    # conv outputs are NCHW views of batch-last (C, H, W, N) memory
    assert y.numpy().transpose(1, 2, 3, 0).flags.c_contiguous
    # the same input stored batch-last, channel-first, or as a strided view: same output
    last = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
    cf = np.ascontiguousarray(x.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)
    strided = np.zeros((3, 2, 12, 6), dtype=np.float32)
    strided[:, :, ::2] = x
    for other in (last, cf, strided[:, :, ::2]):
        np.testing.assert_array_equal(F.conv2d(mg.from_numpy(other), mg.Tensor(w),
                                               padding=1).data, y.numpy())


def test_a_retained_graph_gives_the_same_gradient_twice():
    """Conv2d hands its padded input to the weight gradient once; a second backward
    through a retained graph must rebuild it and agree."""
    rng = np.random.default_rng(10)
    x = mg.Tensor(rng.normal(size=(2, 2, 5, 5)), requires_grad=True)
    w = mg.Tensor(rng.normal(size=(3, 2, 3, 3)), requires_grad=True)
    loss = (F.conv2d(x, w, padding=1, stride=2) ** 2).sum()
    loss.backward(retain_graph=True)
    first = (x.grad.numpy().copy(), w.grad.numpy().copy())
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first[0], rtol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), 2 * first[1], rtol=1e-12)


@FAST_ONLY
@pytest.mark.parametrize("tile", [2, 10, 40])
def test_small_tiles_give_the_same_result(tile):
    """Tiles of a few rows across the batch (tile 40), of a few columns of one row
    (tile 10, smaller than a row of the batch of 3), or of part of the batch at one
    position (tile 2, smaller than the batch) compute the same numbers."""
    from minigrad.kernels.fast import conv
    rng = np.random.default_rng(6)
    x, w = rng.normal(size=(3, 2, 9, 8)), rng.normal(size=(3, 2, 3, 3))
    old = conv.TILE
    try:
        conv.TILE = tile * 2 * 3 * 3     # numbers: positions x C*kH*kW
        X, W = mg.Tensor(x, requires_grad=True), mg.Tensor(w, requires_grad=True)
        y = F.conv2d(X, W, padding=1, stride=(2, 1))
        g = rng.normal(size=y.shape)
        y.backward(g)
    finally:
        conv.TILE = old
    args = ((2, 1), (1, 1), (1, 1), 1)
    np.testing.assert_allclose(y.numpy(), loop_conv2d(x, w, *args), atol=1e-12)
    np.testing.assert_allclose(X.grad.numpy(), loop_input_grad_textbook(g, w, (9, 8), *args), atol=1e-12)
    np.testing.assert_allclose(W.grad.numpy(), loop_weight_grad(x, g, (3, 3), *args), atol=1e-12)


@FAST_ONLY
def test_a_thin_weight_gradient_cut_into_pieces_gives_the_same_result(monkeypatch):
    """A weight gradient with few channels is a long, thin product, cut along the
    output positions into pieces (plus a remainder) and summed: the same numbers."""
    from minigrad.kernels.fast import conv
    rng = np.random.default_rng(11)
    a, b = rng.normal(size=(2, 3, 1001)), rng.normal(size=(2, 4, 1001))
    monkeypatch.setattr(conv, "SMALL_PRODUCT", 12 * 300)     # pieces of 300 positions
    np.testing.assert_allclose(conv.long_product(a, b), a @ b.transpose(0, 2, 1), rtol=1e-12)
    # two groups of one input channel: products (9 taps x 2 channels) x 840 positions,
    # in pieces of 256 positions
    x, g = rng.normal(size=(3, 2, 30, 22)), rng.normal(size=(3, 4, 28, 10))
    args = ((1, 2), (0, 0), (1, 1), 2)
    monkeypatch.setattr(conv, "SMALL_PRODUCT", 9 * 2 * 256)
    np.testing.assert_allclose(conv2d_weight(mg.Tensor(x), (4, 1, 3, 3), mg.Tensor(g), *args).data,
                               loop_weight_grad(x, g, (3, 3), *args), atol=1e-12)


def test_the_input_gradient_leaves_numpys_ufunc_buffer_size_as_it_was():
    """col2im sets a smaller ufunc buffer for its adds; the caller's comes back."""
    rng = np.random.default_rng(12)
    x = mg.Tensor(rng.normal(size=(2, 3, 6, 6)), requires_grad=True)
    w = mg.Tensor(rng.normal(size=(4, 3, 3, 3)))
    before = np.getbufsize()
    F.conv2d(x, w).sum().backward()
    assert np.getbufsize() == before


def test_second_derivative_through_conv_relu_conv():
    """Gradient of a gradient norm (a double-backward use case) through two convs."""
    rng = np.random.default_rng(7)
    x = mg.Tensor(rng.normal(size=(1, 2, 5, 5)), requires_grad=True)
    w1, w2 = rng.normal(size=(2, 2, 3, 3)), rng.normal(size=(1, 2, 2, 2))

    def f(x, w1, w2):
        with mg.enable_grad():   # gradcheck's numerical side runs under no_grad
            out = F.conv2d(F.conv2d(x, w1, padding=1).tanh(), w2, stride=2)
            g, = mg.grad(out.sum(), [x], create_graph=True)
            return (g * g).sum()
    assert mg.gradcheck(f, (x, mg.Tensor(w1, requires_grad=True), mg.Tensor(w2, requires_grad=True)))


# -- bad input -------------------------------------------------------------------------

X4 = mg.Tensor(np.zeros((1, 4, 5, 5)))
W4 = mg.Tensor(np.zeros((2, 4, 3, 3)))


@pytest.mark.parametrize("call, error, words", [
    (lambda: F.conv2d(mg.Tensor(np.zeros((4, 5, 5))), W4), ValueError, ["conv2d", "input", "4-D", "(4, 5, 5)"]),
    (lambda: F.conv2d(X4, mg.Tensor(np.zeros((2, 4, 3)))), ValueError, ["conv2d", "weight", "(2, 4, 3)"]),
    (lambda: F.conv2d(X4, mg.Tensor(np.zeros((2, 3, 3, 3)))), ValueError, ["conv2d", "4 channels", "expects 3"]),
    (lambda: F.conv2d(X4, mg.Tensor(np.zeros((2, 4, 6, 3)))), ValueError, ["conv2d", "larger than the padded input", "height"]),
    (lambda: F.conv2d(X4, mg.Tensor(np.zeros((2, 4, 3, 3))), dilation=3), ValueError, ["dilation 3", "spans 7"]),
    (lambda: F.conv2d(X4, W4, stride=0), ValueError, ["conv2d", "stride", ">= 1"]),
    (lambda: F.conv2d(X4, W4, padding=-1), ValueError, ["conv2d", "padding", ">= 0"]),
    (lambda: F.conv2d(X4, W4, dilation=(1, 0)), ValueError, ["conv2d", "dilation", ">= 1"]),
    (lambda: F.conv2d(X4, W4, stride=1.5), TypeError, ["conv2d", "stride", "int"]),
    (lambda: F.conv2d(X4, W4, padding=(1, 1, 1)), TypeError, ["conv2d", "padding", "pair"]),
    (lambda: F.conv2d(X4, mg.Tensor(np.zeros((3, 2, 3, 3))), groups=2), ValueError, ["groups=2", "divide", "3"]),
    (lambda: F.conv2d(X4, mg.Tensor(np.zeros((3, 1, 3, 3))), groups=3), ValueError, ["groups=3", "divide", "4"]),
    (lambda: F.conv2d(X4, W4, groups=0), ValueError, ["conv2d", "groups", ">= 1"]),
    (lambda: F.conv2d(X4, W4, groups=1.0), TypeError, ["conv2d", "groups", "int"]),
    (lambda: F.conv2d(X4, W4, mg.Tensor(np.zeros(3))), ValueError, ["conv2d", "bias", "(2,)", "(3,)"]),
    (lambda: F.conv2d(np.zeros((1, 4, 5, 5)), W4), TypeError, ["conv2d", "input", "Tensor", "ndarray"]),
    (lambda: F.conv2d(mg.Tensor(np.zeros((1, 4, 5, 5), dtype=np.int64)), W4), TypeError, ["floating-point"]),
    (lambda: F.conv2d(X4, W4.astype(np.float32)), TypeError, ["conv2d", "dtype", "float64", "float32"]),
    (lambda: F.conv_transpose2d(X4, mg.Tensor(np.zeros((3, 2, 3, 3)))), ValueError, ["conv_transpose2d", "4 channels", "expects 3"]),
    (lambda: F.conv_transpose2d(X4, W4.reshape(4, 2, 3, 3), stride=2, output_padding=2), ValueError, ["output_padding", "smaller than"]),
    (lambda: F.conv_transpose2d(mg.Tensor(np.zeros((1, 4, 1, 1))), W4.reshape(4, 2, 3, 3), padding=2), ValueError, ["empty output"]),
    (lambda: F.conv_transpose2d(X4, W4.reshape(4, 2, 3, 3), groups=3), ValueError, ["groups=3", "divide"]),
    (lambda: conv2d_weight(X4, (2, 4, 3, 3), mg.Tensor(np.zeros((1, 2, 4, 4)))), ValueError, ["conv2d_weight", "(1, 2, 3, 3)", "(1, 2, 4, 4)"]),
    (lambda: F.conv2d(X4, W4, stride=2, padding="same"), ValueError, ["conv2d", "padding='same'", "strided", "stride 2"]),
    (lambda: F.conv2d(X4, W4, stride=(1, 2), padding="same"), ValueError, ["padding='same'", "(1, 2)"]),
    (lambda: F.conv2d(X4, W4, padding="full"), ValueError, ["conv2d", "'valid', 'same'", "'full'"]),
    (lambda: F.conv2d(X4, mg.Tensor(np.zeros((2, 4, 3))), padding="same"), ValueError, ["conv2d", "weight", "4-D"]),
    (lambda: F.conv2d(X4, mg.Tensor(np.zeros((2, 4, 7, 3))), padding="valid"), ValueError, ["conv2d", "larger than the padded input"]),
    (lambda: mg.nn.Conv2d(4, 2, 3, stride=2, padding="same"), ValueError, ["Conv2d", "padding='same'", "strided"]),
    (lambda: mg.nn.Conv2d(4, 2, 3, padding="half"), ValueError, ["Conv2d", "'half'"]),
    (lambda: mg.nn.Conv2d(4, 2, 3, padding_mode="reflect"), ValueError, ["Conv2d", "padding_mode 'reflect'", "'zeros'"]),
    (lambda: mg.nn.ConvTranspose2d(4, 3, 3, groups=2), ValueError, ["ConvTranspose2d", "divisible by groups"]),
    (lambda: mg.nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=2), ValueError, ["ConvTranspose2d", "output_padding (2, 2)", "smaller than"]),
    (lambda: mg.nn.ConvTranspose2d(4, 2, 3, stride=2).double()(X4, output_size=(13, 11)), ValueError, ["ConvTranspose2d", "output size of (13, 11)", "from 11 to 12"]),
])
def test_bad_arguments_fail_clearly(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


# -- PyTorch as an oracle (optional) -----------------------------------------------------

@pytest.mark.parametrize("shape, o, kernel, stride, padding, dilation, groups", GRID + [
    ((2, 6, 9, 8), 4, (3, 3), (2, 2), (1, 1), (1, 1), 2)])
def test_matches_torch_conv2d_and_conv_transpose2d(shape, o, kernel, stride, padding, dilation,
                                                   groups):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    x, w, b = rng.normal(size=shape), rng.normal(size=(o, shape[1] // groups, *kernel)), rng.normal(size=o)
    _same_as_torch(torch, rng, (x, w, b),
                   lambda *t: F.conv2d(*t, stride, padding, dilation, groups),
                   lambda *t: torch.nn.functional.conv2d(*t, stride, padding, dilation, groups))
    # conv_transpose2d with the weight read as (C_in, C_out/groups, kH, kW)
    wt = rng.normal(size=(shape[1], o // groups, *kernel))
    for op in range(max(max(stride), max(dilation))):
        out_pad = tuple(min(op, max(s, d) - 1) for s, d in zip(stride, dilation))
        _same_as_torch(
            torch, rng, (x, wt),
            lambda *t: F.conv_transpose2d(*t, None, stride, padding, out_pad, groups, dilation),
            lambda *t: torch.nn.functional.conv_transpose2d(*t, None, stride, padding, out_pad,
                                                            groups, dilation))


def _same_as_torch(torch, rng, arrays, ours_fn, theirs_fn):
    """Forward values and the gradients of every input, for one random cotangent."""
    ours = [mg.Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = ours_fn(*ours), theirs_fn(*theirs)
    g = rng.normal(size=ty.shape)
    y.backward(g)
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), atol=1e-10)
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), atol=1e-10)


def test_conv2d_weight_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    x, g = rng.normal(size=(2, 4, 7, 6)), rng.normal(size=(2, 6, 4, 4))
    ours = conv2d_weight(mg.Tensor(x), (6, 2, 3, 2), mg.Tensor(g), stride=2, padding=1, groups=2)
    theirs = torch.nn.grad.conv2d_weight(torch.tensor(x), (6, 2, 3, 2), torch.tensor(g), stride=2,
                                         padding=1, groups=2)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-10)


# -- padding='same' | 'valid' ------------------------------------------------------------

@pytest.mark.parametrize("kernel, dilation", [((3, 3), 1), ((2, 2), 1), ((2, 5), 1), ((4, 3), (1, 2)),
                                              ((3, 3), 2), ((2, 2), 3), ((1, 1), 1)])
@pytest.mark.parametrize("padding", ["same", "valid"])
def test_padding_strings_match_torch(kernel, dilation, padding):
    torch = pytest.importorskip("torch")
    import warnings
    rng = np.random.default_rng(10)
    x, w, b = rng.normal(size=(2, 3, 8, 7)), rng.normal(size=(4, 3) + kernel), rng.normal(size=4)
    with warnings.catch_warnings():   # torch warns that even kernels need a padded copy
        warnings.simplefilter("ignore")
        _same_as_torch(torch, rng, (x, w, b),
                       lambda *t: F.conv2d(*t, padding=padding, dilation=dilation),
                       lambda *t: torch.nn.functional.conv2d(*t, padding=padding, dilation=dilation))
    if padding == "same":
        assert F.conv2d(mg.Tensor(x), mg.Tensor(w), padding="same", dilation=dilation).shape[2:] == (8, 7)


def test_same_padding_puts_the_odd_extra_row_and_column_at_the_end():
    """A 2x2 kernel needs one row and one column of padding in total: 'same' adds
    them at the bottom and right (PyTorch's choice), so output (0, 0) reads the
    input's top-left 2x2 block and the last output row reads the padding row."""
    x = mg.Tensor(np.arange(9.0).reshape(1, 1, 3, 3))
    y = F.conv2d(x, mg.Tensor(np.ones((1, 1, 2, 2))), padding="same").data[0, 0]
    np.testing.assert_array_equal(y, [[8, 12, 7], [20, 24, 13], [13, 15, 8]])


def test_conv2d_module_accepts_padding_strings():
    torch = pytest.importorskip("torch")
    import warnings
    ours = mg.nn.Conv2d(3, 4, (2, 3), padding="same", dtype=np.float64)
    theirs = torch.nn.Conv2d(3, 4, (2, 3), padding="same").double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(11).normal(size=(2, 3, 6, 5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = theirs(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(ours(mg.Tensor(x)).data, expected, atol=1e-12)
    assert repr(ours) == "Conv2d(3, 4, kernel_size=(2, 3), stride=(1, 1), padding=same)"
    assert mg.nn.Conv2d(3, 4, 3, padding="valid")(mg.Tensor(x.astype(np.float32))).shape == (2, 4, 4, 3)


# -- nn.ConvTranspose2d ------------------------------------------------------------------

def test_conv_transpose2d_module_has_pytorchs_layout_keys_and_numbers():
    torch = pytest.importorskip("torch")
    options = dict(stride=2, padding=1, output_padding=1, groups=2, dilation=1)
    ours = mg.nn.ConvTranspose2d(4, 6, 3, **options, dtype=np.float64)
    theirs = torch.nn.ConvTranspose2d(4, 6, 3, **options).double()
    assert ours.weight.shape == tuple(theirs.weight.shape) == (4, 3, 3, 3)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight", "bias"]
    assert repr(ours) == repr(theirs)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(12).normal(size=(2, 4, 5, 4))
    np.testing.assert_allclose(ours(mg.Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(),
                               atol=1e-12)
    no_bias = mg.nn.ConvTranspose2d(2, 2, 2, bias=False)
    assert no_bias.bias is None and list(no_bias.state_dict()) == ["weight"]


def test_conv_transpose2d_module_initialises_as_pytorch():
    """PyTorch's fan_in for a transposed conv is weight.shape[1] * kH * kW =
    out_channels / groups * kH * kW: weight and bias in U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    mg.manual_seed(0)
    m = mg.nn.ConvTranspose2d(8, 6, 3, groups=2)
    bound = 1 / np.sqrt(3 * 3 * 3)
    for p in (m.weight.numpy(), m.bias.numpy()):
        assert np.abs(p).max() <= bound and np.abs(p).max() > 0.8 * bound
    assert m.weight.dtype == np.float32


def test_conv_transpose2d_module_output_size_picks_the_output_padding():
    torch = pytest.importorskip("torch")
    ours = mg.nn.ConvTranspose2d(2, 3, 3, stride=3, padding=1, dtype=np.float64)
    theirs = torch.nn.ConvTranspose2d(2, 3, 3, stride=3, padding=1).double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(13).normal(size=(1, 2, 4, 4))
    for size in [(10, 10), (11, 12), (1, 3, 12, 10)]:
        y = ours(mg.Tensor(x), output_size=size)
        assert y.shape[2:] == tuple(size[-2:])
        np.testing.assert_allclose(y.numpy(), theirs(torch.tensor(x), output_size=size).detach().numpy(),
                                   atol=1e-12)


def test_conv_transpose2d_module_trains():
    mg.manual_seed(1)
    m = mg.nn.ConvTranspose2d(2, 1, 2, stride=2)
    x = mg.randn(3, 2, 3, 3)
    loss = (m(x) ** 2).mean()
    loss.backward()
    assert m.weight.grad.shape == (2, 1, 2, 2) and m.bias.grad.shape == (1,)
