"""F.rot180 and F.full_convolution_rot180: the conv input gradient in its textbook
form, callable by a learner, equal to what backward() puts in x.grad."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

GRID = [  # (x shape, C_out, kernel, stride, padding, dilation, groups)
    ((1, 1, 5, 5), 1, (3, 3), 1, 0, 1, 1),
    ((2, 3, 6, 7), 4, (3, 3), 2, 1, 1, 1),      # stride 2: a row and a column left unread
    ((2, 2, 9, 8), 3, (3, 2), (2, 3), (1, 0), 1, 1),
    ((1, 4, 9, 9), 6, (3, 3), 1, 2, 2, 2),      # dilation, groups
    ((2, 3, 7, 7), 3, (3, 3), 3, 1, 1, 3),      # depthwise, stride 3
    ((1, 2, 6, 6), 2, (1, 1), 2, 0, 1, 1),      # 1x1 kernel, stride 2
    ((1, 1, 4, 4), 2, (4, 4), 1, 3, 1, 1),      # padding k-1: d(k-1)-p = 0
]


@pytest.mark.parametrize("shape, c_out, kernel, stride, padding, dilation, groups", GRID)
def test_full_convolution_rot180_equals_x_grad(shape, c_out, kernel, stride, padding,
                                               dilation, groups):
    rng = np.random.default_rng(len(shape) + shape[2] * 7 + c_out)
    x = mg.tensor(rng.normal(size=shape), requires_grad=True)
    w = mg.tensor(rng.normal(size=(c_out, shape[1] // groups, *kernel)), requires_grad=True)
    y = F.conv2d(x, w, None, stride, padding, dilation, groups)
    dy = rng.normal(size=y.shape)
    y.backward(mg.tensor(dy))
    literal = F.full_convolution_rot180(mg.tensor(dy), w, stride=stride, padding=padding,
                                        dilation=dilation, groups=groups, input_size=shape[2:])
    assert isinstance(literal, mg.Tensor) and not literal.requires_grad
    assert literal.shape == x.shape
    np.testing.assert_allclose(literal.numpy(), x.grad.numpy(), rtol=1e-12, atol=1e-12)
    # arrays work as well as Tensors, and the whole input shape is accepted as input_size
    again = F.full_convolution_rot180(dy, w.numpy(), stride, padding, dilation, groups,
                                      input_size=shape)
    np.testing.assert_array_equal(again.numpy(), literal.numpy())


def test_input_size_defaults_to_the_smallest_input():
    """Without input_size, H = (Ho-1)s - 2p + d(k-1) + 1: exact when the stride left
    nothing unread (5x5, stride 2, no padding -> 2x2)."""
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.normal(size=(1, 1, 5, 5)), requires_grad=True)
    w = mg.tensor(rng.normal(size=(1, 1, 3, 3)))
    y = F.conv2d(x, w, stride=2)
    y.backward(mg.ones(*y.shape, dtype="float64"))
    np.testing.assert_allclose(F.full_convolution_rot180(np.ones(y.shape), w, stride=2).numpy(),
                               x.grad.numpy(), atol=1e-12)


def test_rot180_of_a_filter_and_of_a_conv_weight():
    k = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(F.rot180(k).numpy(), [[5, 4, 3], [2, 1, 0]])
    np.testing.assert_array_equal(F.rot180(F.rot180(mg.tensor(k))).numpy(), k)
    w = np.arange(4 * 3 * 2 * 2, dtype=float).reshape(4, 3, 2, 2)      # C_out 4, C_in 3
    r = F.rot180(w)
    assert isinstance(r, mg.Tensor) and r.shape == (3, 4, 2, 2)        # channels swapped
    for o in range(4):
        for c in range(3):
            np.testing.assert_array_equal(r.numpy()[c, o], np.rot90(w[o, c], 2))
    w2 = np.arange(4 * 1 * 3 * 3, dtype=float).reshape(4, 1, 3, 3)    # groups=2: 2 in, 4 out
    r2 = F.rot180(w2, groups=2)
    assert r2.shape == (2, 2, 3, 3)
    np.testing.assert_array_equal(r2.numpy()[1, 0], np.rot90(w2[2, 0], 2))


@pytest.mark.parametrize("call, error, words", [
    (lambda: F.rot180(np.zeros((3,))), ValueError, ["rot180", "(3,)", "(kH, kW)"]),
    (lambda: F.rot180("abc"), TypeError, ["rot180", "weight"]),
    (lambda: F.rot180(np.zeros((3, 2, 3, 3)), groups=2), ValueError, ["groups=2", "(3, 2, 3, 3)"]),
    (lambda: F.full_convolution_rot180(np.zeros((2, 3, 3)), np.zeros((2, 1, 3, 3))),
     ValueError, ["full_convolution_rot180", "dy", "(2, 3, 3)", "4-D"]),
    (lambda: F.full_convolution_rot180(np.zeros((1, 2, 3, 3)), np.zeros((3, 1, 3))),
     ValueError, ["weight", "(3, 1, 3)", "(C_out, C_in/groups, kH, kW)"]),
    (lambda: F.full_convolution_rot180(np.zeros((1, 2, 3, 3)), np.zeros((3, 1, 3, 3))),
     ValueError, ["dy (1, 2, 3, 3)", "weight (3, 1, 3, 3)", "2 channels", "3 output channels"]),
    (lambda: F.full_convolution_rot180(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 3, 3)),
                                       input_size=(6, 5)),
     ValueError, ["height 6", "output of height 4", "has 3"]),
    (lambda: F.full_convolution_rot180(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 3, 3)), stride=0),
     ValueError, ["stride", ">= 1"]),
    (lambda: F.full_convolution_rot180(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 3, 3)),
                                       input_size=(2, 1, 5, 5)),
     ValueError, ["input_size (2, 1, 5, 5)", "batch 1"]),
])
def test_bad_arguments_say_what_was_expected(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))
