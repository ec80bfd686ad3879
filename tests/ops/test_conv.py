"""conv2d, conv_transpose2d and the conv weight gradient.

* ``CASES``: float64 gradcheck + gradgradcheck (tests/test_registry.py runs them)
  over stride, padding, dilation, groups, odd sizes, 1 and 3 channels, batch 1 and 3;
* the derivation itself: slow loop references of the textbook formulas
  (tests/ops/conv_references.py) equal the kernels (forward, input gradient as the
  full convolution with the rotated kernel, weight gradient as a correlation, bias
  gradient as a sum);
* per-sample gradient accumulation equals the gradient of the summed batch loss;
* a retained graph, numpy's ufunc buffer size, a second derivative through two convs.

Bad arguments, PyTorch as an oracle, padding='same' | 'valid' and the modules are in
tests/ops/test_conv_torch.py; the fast kernels' own machinery in
tests/kernels/test_fast_conv.py.
"""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.kernels import reference
from minigrad.kernels.fast import conv as fast_conv
from minigrad.ops.conv import conv2d_weight
from tests.kernel_sets import kernel_set  # noqa: F401 (a fixture)
from tests.ops.conv_references import GRID, loop_conv2d, loop_input_grad_textbook, loop_weight_grad
from tests.registry import Case

# every test here runs under both kernel sets
pytestmark = pytest.mark.usefixtures("kernel_set")


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
