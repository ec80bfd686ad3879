"""Dropout: registry case (with a fixed mask), scaling, reproducibility."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from tests.registry import Case


def _seeded_dropout(a):
    mg.manual_seed(3)   # the same mask on every call, so finite differences are meaningful
    return F.dropout(a, p=0.4) * a


def _seeded_dropout2d(a):
    mg.manual_seed(5)
    return F.dropout2d(a, p=0.5) * a


CASES = [Case("dropout", _seeded_dropout, lambda r: r.normal(size=(4, 5))),
         Case("dropout2d", _seeded_dropout2d, lambda r: r.normal(size=(3, 4, 2, 2))),
         Case("dropout2d_2d_input_warns", _seeded_dropout2d, lambda r: r.normal(size=(4, 5)))]


@pytest.mark.parametrize("shape", [(20, 30, 3, 4), (20, 30, 5)])
def test_dropout2d_drops_whole_channels(shape):
    mg.manual_seed(1)
    x = mg.Tensor(np.ones(shape), requires_grad=True)
    y = F.dropout2d(x, p=0.4)
    per_channel = y.numpy().reshape(shape[0], shape[1], -1)
    kept = per_channel[..., 0] != 0
    assert (per_channel == per_channel[..., :1]).all()      # a channel is all kept or all zero
    np.testing.assert_allclose(per_channel[kept], 1 / 0.6)
    assert 0.5 < kept.mean() < 0.7
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy() != 0, y.numpy() != 0)
    from minigrad import nn
    module = nn.Dropout2d(0.4)
    assert module.eval()(x) is x and F.dropout2d(x, 0.4, training=False) is x
    with pytest.raises(ValueError, match=r"dropout2d: input must have at least 2 dims"):
        F.dropout2d(mg.ones(5), 0.5)


@pytest.mark.parametrize("shape, mask_shape, message", [
    ((60, 50), (60, 50), "dropout2d: Received a 2-D input to dropout2d"),
    ((30, 40, 5), (30, 40, 1), "dropout2d: Received a 3D input to dropout2d and assuming that "
                               "channel-wise 1D dropout"),
    ((20, 30, 2, 3, 2), (20, 30, 1, 1, 1), "dropout2d: Received a 5-D input to dropout2d"),
])
def test_dropout2d_warns_and_drops_as_torch_on_other_ranks(shape, mask_shape, message):
    """PyTorch warns (with these opening words) and still drops: a 2-D (N, C) input
    element by element, a 3-D one per (N, C) row, a 5-D one per (N, C) volume."""
    torch = pytest.importorskip("torch")
    with pytest.warns(UserWarning, match=message):
        torch.nn.functional.dropout2d(torch.ones(shape))
    from minigrad import nn
    mg.manual_seed(2)
    x = mg.Tensor(np.ones(shape), requires_grad=True)
    with pytest.warns(UserWarning, match=message):
        y = nn.Dropout2d(0.5)(x)
    values = y.numpy()
    blocks = values.reshape(mask_shape[:2] + (-1,))
    assert (blocks == blocks[..., :1]).all()        # all kept or all dropped per mask cell
    assert set(np.unique(values)) == {0.0, 2.0}
    assert 0.4 < (blocks[..., 0] != 0).mean() < 0.6
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), values)
    with pytest.warns(UserWarning, match=message):   # the warning comes in eval mode too
        assert F.dropout2d(x, 0.5, training=False) is x


def test_mask_scales_survivors_and_gradient_uses_the_same_mask():
    mg.manual_seed(0)
    x = mg.Tensor(np.ones((200, 50)), requires_grad=True)
    y = F.dropout(x, p=0.3)
    kept = y.numpy() != 0
    assert 0.65 < kept.mean() < 0.75
    np.testing.assert_allclose(y.numpy()[kept], 1 / 0.7)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy() != 0, kept)


def test_reproducible_under_manual_seed_and_identity_in_eval():
    x = mg.ones(10, 10)
    mg.manual_seed(7)
    a = F.dropout(x, 0.5).numpy()
    mg.manual_seed(7)
    b = F.dropout(x, 0.5).numpy()
    np.testing.assert_array_equal(a, b)
    assert F.dropout(x, 0.5, training=False) is x
    assert np.all(F.dropout(x, 1.0).numpy() == 0)


@pytest.mark.parametrize("p", [-0.1, 1.5, "0.5"])
def test_bad_probability(p):
    with pytest.raises(ValueError, match="dropout: p must be a probability"):
        F.dropout(mg.ones(2), p)


def test_a_batch_last_input_keeps_its_layout_and_the_same_mask_reaches_dy():
    """A conv output is an NCHW view of batch-last memory: dropout lays its mask out
    in that memory order, so y is laid out like x (no transposing walk), and backward
    zeroes exactly the dropped elements."""
    x_last = np.random.default_rng(2).normal(size=(4, 5, 6, 8))       # (C, H, W, N)
    x = mg.Tensor(x_last.transpose(3, 0, 1, 2), requires_grad=True)     # NCHW view
    mg.manual_seed(4)
    y = F.dropout(x, p=0.25)
    assert y.numpy().strides == x.numpy().strides
    kept = y.numpy() != 0
    assert 0.65 < kept.mean() < 0.85
    np.testing.assert_allclose(y.numpy()[kept], x.numpy()[kept] / 0.75)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy() != 0, kept)
    mg.manual_seed(4)
    np.testing.assert_array_equal(F.dropout(x, p=0.25).numpy(), y.numpy())   # reproducible


def test_mask_depends_on_shape_and_seed_not_on_memory_layout():
    values = np.random.default_rng(0).normal(size=(6, 5, 4)) + 3.0
    layouts = [values, np.asfortranarray(values), values.transpose(2, 0, 1).copy().transpose(1, 2, 0)]
    masks = []
    for array in layouts:
        mg.manual_seed(11)
        x = mg.from_numpy(array).requires_grad_()
        y = F.dropout(x, p=0.5)
        y.sum().backward()
        masks.append((y.numpy() != 0, x.grad.numpy() != 0))
    for kept, grad_kept in masks:
        np.testing.assert_array_equal(kept, masks[0][0])
        np.testing.assert_array_equal(grad_kept, kept)
