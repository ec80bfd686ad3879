"""Odd but valid inputs (read-only, non-contiguous, empty batch, unsigned class
indices) give the same numbers as plain ones."""
import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn


def _read_only(a):
    a = np.array(a)
    a.flags.writeable = False
    return a


def _non_contiguous(a):
    """The same values in a strided, non-contiguous (Fortran-ordered, doubled) view."""
    wide = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), dtype=a.dtype, order="F")
    wide[..., ::2] = a
    view = wide[..., ::2]
    assert not view.flags.c_contiguous
    return view


RNG = np.random.default_rng(7)
IMAGES = RNG.normal(size=(2, 3, 6, 6))
CONV_W = RNG.normal(size=(4, 3, 3, 3))
MATRIX = RNG.normal(size=(5, 4))
LIN_W = RNG.normal(size=(2, 4))
TARGET = np.array([0, 3, 1, 2, 3])

VALID_OPS = {
    "conv2d": (lambda x, w: F.conv2d(x, w, stride=2, padding=1), IMAGES, CONV_W),
    "max_pool2d": (lambda x: F.max_pool2d(x, 3, 2, 1), IMAGES),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, 2), IMAGES),
    "max_pool2d_ceil_dilation": (lambda x: F.max_pool2d(x, 2, 3, 1, 2, ceil_mode=True), IMAGES),
    "avg_pool2d_ceil_no_pad_count": (lambda x: F.avg_pool2d(x, 3, 2, 1, True, False), IMAGES),
    "adaptive_max_pool2d": (lambda x: F.adaptive_max_pool2d(x, (4, 5)), IMAGES),
    "adaptive_avg_pool2d": (lambda x: F.adaptive_avg_pool2d(x, (4, 5)), IMAGES),
    "interpolate": (lambda x: F.interpolate(x, scale_factor=(1.5, 0.5)), IMAGES),
    "conv2d_same": (lambda x, w: F.conv2d(x, w[:, :, :2, :2], padding="same"), IMAGES, CONV_W),
    "linear": (lambda x, w: F.linear(x, w), MATRIX, LIN_W),
    "cross_entropy": (lambda x: F.cross_entropy(x, TARGET), MATRIX),
    "softmax": (lambda x: F.softmax(x, axis=0), MATRIX),
    "batch_norm": (lambda x: nn.BatchNorm2d(3).double()(x), IMAGES),
    "group_norm": (lambda x: F.group_norm(x, 3), IMAGES),
    "layer_norm": (lambda x: F.layer_norm(x, (6, 6)), IMAGES),
    "broadcast_mul": (lambda x, w: x * w[0], MATRIX, LIN_W),
}


@pytest.mark.parametrize("layout", [_read_only, _non_contiguous])
@pytest.mark.parametrize("name", sorted(VALID_OPS))
def test_read_only_and_non_contiguous_arrays_give_the_plain_results(name, layout):
    fn, *arrays = VALID_OPS[name]

    def run(make):
        leaves = [mg.from_numpy(make(a)).requires_grad_() for a in arrays]
        out = fn(*leaves)
        (out * out).sum().backward()
        return out.numpy(), [t.grad.numpy() for t in leaves]

    out, grads = run(np.array)
    odd_out, odd_grads = run(layout)
    np.testing.assert_allclose(odd_out, out, rtol=1e-12, atol=1e-12)
    for g, odd in zip(grads, odd_grads):
        np.testing.assert_allclose(odd, g, rtol=1e-12, atol=1e-12)


def test_empty_batches_give_empty_results():
    empty = mg.Tensor(np.zeros((0, 3, 6, 6)), requires_grad=True)
    out = F.max_pool2d(F.conv2d(empty, mg.Tensor(CONV_W), padding=1), 2)
    assert out.shape == (0, 4, 3, 3)
    out.sum().backward()
    assert empty.grad.shape == (0, 3, 6, 6)
    assert F.linear(mg.Tensor(np.zeros((0, 4))), mg.Tensor(LIN_W)).shape == (0, 2)
    # an empty batch has no mean loss: NaN, as PyTorch (and a 'sum' of 0)
    logits = mg.Tensor(np.zeros((0, 3)))
    assert math.isnan(F.cross_entropy(logits, np.zeros(0, np.int64)).item())
    assert F.cross_entropy(logits, np.zeros(0, np.int64), reduction="sum").item() == 0


def test_unsigned_and_list_class_indices_are_accepted():
    logits = mg.Tensor(MATRIX)
    expected = F.cross_entropy(logits, TARGET).item()
    assert F.cross_entropy(logits, TARGET.astype(np.uint8)).item() == expected
    assert F.cross_entropy(logits, TARGET.tolist()).item() == expected
    assert F.cross_entropy(logits, mg.Tensor(TARGET)).item() == expected
