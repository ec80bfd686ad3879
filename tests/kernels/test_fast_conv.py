"""The fast conv kernels' own machinery (minigrad/kernels/fast/conv.py): float32 and
the batch-last layout, tiles, a thin weight gradient cut into pieces; each against
the loop references of tests/ops/conv_references.py."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.ops.conv import conv2d_weight
from tests.kernel_sets import FAST_ONLY, kernel_set  # noqa: F401 (a fixture)
from tests.ops.conv_references import loop_conv2d, loop_input_grad_textbook, loop_weight_grad

# every test here pins the fast set
pytestmark = pytest.mark.usefixtures("kernel_set")


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
