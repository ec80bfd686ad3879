"""NaN and inf stay where they belong: a non-finite value in one sample of a batch
makes exactly the outputs that read it non-finite (for conv/pooling: its
receptive field), never another sample's, in forward or in the input gradient,
whatever the layout tricks (batch-last im2col tiles, strided views) inside."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.kernels.fast import conv as conv_module

RNG = np.random.default_rng(3)
W = RNG.normal(size=(3, 2, 3, 3))
LINEAR_W = RNG.normal(size=(3, 6))


def _conv(x):
    return F.conv2d(x, mg.Tensor(W), stride=2, padding=1)


def _bn_eval(x):
    bn = nn.BatchNorm2d(2).double()
    bn.eval()
    return bn(x)


# op, input shape
OPS = {
    "conv2d": (_conv, (4, 2, 7, 7)),
    "max_pool2d": (lambda x: F.max_pool2d(x, 3, 2, 1), (4, 2, 7, 7)),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, 2), (4, 2, 7, 7)),
    "batch_norm_eval": (_bn_eval, (4, 2, 5, 5)),
    "linear": (lambda x: F.linear(x, mg.Tensor(LINEAR_W)), (4, 6)),
    "softmax": (lambda x: F.softmax(x, axis=1), (4, 6)),
    "cross_entropy_none": (lambda x: F.cross_entropy(x, np.array([0, 1, 2, 3]), reduction="none"), (4, 6)),
}


def _dependence(fn, shape, position):
    """Which outputs depend on the input at ``position``: perturb it (by enough to
    become every window's maximum) and see."""
    base = RNG.normal(size=shape)
    bumped = base.copy()
    bumped[position] += 1e6
    with mg.no_grad():
        return fn(mg.Tensor(bumped)).numpy() != fn(mg.Tensor(base)).numpy(), base


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("name, tile", [(name, None) for name in sorted(OPS)]
                         + [("conv2d", 5)])   # tiles of 5 positions cut the batch into pieces
def test_a_non_finite_input_reaches_exactly_the_outputs_that_read_it(name, tile, bad, monkeypatch):
    if tile is not None:
        monkeypatch.setattr(conv_module, "TILE", tile)
    fn, shape = OPS[name]
    position = (1,) + tuple(s // 2 for s in shape[1:])
    depends, x = _dependence(fn, shape, position)
    x[position] = bad
    X = mg.Tensor(x, requires_grad=True)
    with np.errstate(invalid="ignore"):     # inf - inf inside softmax: NaN, as intended
        y = fn(X)
    assert depends.any()
    np.testing.assert_array_equal(np.isfinite(y.numpy()), ~depends)
    # the other samples are untouched in forward ...
    others = np.arange(shape[0]) != 1
    assert np.isfinite(y.numpy()[others]).all()
    # ... and their input gradients stay finite under a finite output gradient
    with np.errstate(invalid="ignore"):
        y.backward(mg.Tensor(np.where(np.isfinite(y.numpy()), 1.0, 0.0)))
    assert np.isfinite(X.grad.numpy()[others]).all()


def test_nan_logits_make_the_mean_loss_nan_not_an_error():
    logits = mg.Tensor(np.array([[0.0, 1.0], [np.nan, 0.0]]), requires_grad=True)
    loss = F.cross_entropy(logits, np.array([0, 1]))
    assert np.isnan(loss.item())
    loss.backward()
    assert np.isfinite(logits.grad.numpy()[0]).all() and np.isnan(logits.grad.numpy()[1]).all()
