"""Layers compute what their formulas say, initialise as PyTorch does, and
BatchNorm's composed gradient passes gradcheck and gradgradcheck."""
import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.nn import init


def test_linear_computes_x_wT_plus_b():
    m = nn.Linear(3, 2)
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    expected = x @ m.weight.numpy().T + m.bias.numpy()
    np.testing.assert_allclose(m(mg.Tensor(x)).data, expected, rtol=1e-6)
    assert nn.Linear(3, 2, bias=False).bias is None


def test_default_init_bounds_are_one_over_sqrt_fan_in():
    mg.manual_seed(0)
    lin = nn.Linear(400, 300)
    conv = nn.Conv2d(6, 16, 5)
    for layer, fan_in in ((lin, 400), (conv, 6 * 25)):
        bound = 1 / math.sqrt(fan_in)
        for p in (layer.weight, layer.bias):
            assert np.abs(p.numpy()).max() <= bound
        assert np.abs(layer.weight.numpy()).max() > 0.95 * bound   # really uses the range
    # U(-b, b) has standard deviation b / sqrt(3)
    assert abs(lin.weight.numpy().std() - 1 / math.sqrt(400) / math.sqrt(3)) < 1e-3


def test_init_is_reproducible_by_seed():
    mg.manual_seed(3)
    a = nn.Linear(5, 5).weight.numpy().copy()
    mg.manual_seed(3)
    np.testing.assert_array_equal(nn.Linear(5, 5).weight.numpy(), a)


@pytest.mark.parametrize("fn, expected_std", [
    (lambda t: init.kaiming_normal_(t, nonlinearity="relu"), math.sqrt(2 / 500)),
    (lambda t: init.kaiming_uniform_(t, nonlinearity="relu"), math.sqrt(2 / 500)),
    (lambda t: init.xavier_normal_(t), math.sqrt(2 / (500 + 400))),
    (lambda t: init.xavier_uniform_(t), math.sqrt(2 / (500 + 400))),
    (lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="tanh"), 5 / 3 / math.sqrt(400)),
])
def test_init_standard_deviations(fn, expected_std):
    mg.manual_seed(0)
    t = mg.zeros(400, 500)
    version = t.version_cell()[0]
    assert fn(t) is t and t.version_cell()[0] == version + 1
    assert abs(t.numpy().std() / expected_std - 1) < 0.02
    assert abs(t.numpy().mean()) < 0.05 * expected_std


def test_calculate_gain_and_bad_arguments():
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    with pytest.raises(ValueError, match="nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.xavier_uniform_(mg.zeros(3))
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_normal_(mg.zeros(3, 3), mode="fan")


def test_conv2d_module_calls_functional_conv2d():
    mg.manual_seed(0)
    m = nn.Conv2d(4, 6, (3, 2), stride=2, padding=1, dilation=(1, 2), groups=2)
    assert m.weight.shape == (6, 2, 3, 2)
    x = mg.randn(2, 4, 7, 8)
    expected = F.conv2d(x, m.weight, m.bias, stride=2, padding=1, dilation=(1, 2), groups=2)
    np.testing.assert_array_equal(m(x).numpy(), expected.numpy())
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 6, 3, groups=2)
    with pytest.raises(ValueError, match="stride"):
        nn.Conv2d(3, 6, 3, stride=0)


def test_pooling_modules():
    x = mg.Tensor(np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4))
    np.testing.assert_array_equal(nn.MaxPool2d(2)(x).numpy().ravel(), [5, 7, 13, 15])
    np.testing.assert_array_equal(nn.AvgPool2d(2)(x).numpy().ravel(), [2.5, 4.5, 10.5, 12.5])
    assert nn.MaxPool2d(3, stride=1, padding=1)(x).shape == (1, 1, 4, 4)


def test_flatten_dropout_identity():
    x = mg.randn(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 1)(x).shape == (6, 4, 5)
    assert nn.Identity()(x) is x
    drop = nn.Dropout(0.5)
    mg.manual_seed(0)
    y = drop(mg.ones(10000)).data
    assert set(np.unique(y)) == {0.0, 2.0} and abs((y == 0).mean() - 0.5) < 0.03
    assert drop.eval()(x) is x
    with pytest.raises(ValueError, match="probability"):
        nn.Dropout(1.5)


@pytest.mark.parametrize("module, function", [
    (nn.ReLU(), F.relu), (nn.Sigmoid(), F.sigmoid), (nn.Tanh(), F.tanh),
    (nn.LeakyReLU(0.3), lambda x: F.leaky_relu(x, 0.3)), (nn.ELU(), F.elu),
    (nn.GELU(), F.gelu), (nn.Softplus(beta=2.0), lambda x: F.softplus(x, beta=2.0)),
    (nn.Softmax(dim=1), lambda x: F.softmax(x, axis=1)),
    (nn.LogSoftmax(dim=0), lambda x: F.log_softmax(x, axis=0)),
])
def test_activation_modules_match_functional(module, function):
    x = mg.randn(4, 5)
    np.testing.assert_array_equal(module(x).numpy(), function(x).numpy())


def test_activation_modules_are_plain_classes_with_their_own_signatures():
    import inspect
    assert str(inspect.signature(nn.ReLU)) == "(inplace=False)"
    assert str(inspect.signature(nn.LeakyReLU)) == "(negative_slope=0.01, inplace=False)"
    assert nn.Softmax.__module__ == "minigrad.nn.activation"


def test_activation_module_arguments_are_checked():
    with pytest.raises(TypeError, match="unexpected keyword"):
        nn.LeakyReLU(slope=0.1)
    with pytest.raises(TypeError, match="positional argument"):
        nn.ReLU(True, 1)
    with pytest.raises(TypeError, match="ReLU: inplace must be a bool, got int"):
        nn.ReLU(1)


@pytest.mark.parametrize("make, function", [
    (lambda: nn.ReLU(inplace=True), F.relu),
    (lambda: nn.ReLU(True), F.relu),                      # torchvision's VGG writes this
    (lambda: nn.LeakyReLU(0.2, inplace=True), lambda x: F.leaky_relu(x, 0.2)),
    (lambda: nn.ELU(alpha=0.5, inplace=True), lambda x: F.elu(x, 0.5)),
    (lambda: nn.Dropout(0.0, inplace=True), lambda x: x),
])
def test_inplace_is_accepted_and_computed_out_of_place(make, function):
    # PyTorch models pass inplace=True; minigrad accepts it and returns a new tensor,
    # leaving the input (which backward may still need) untouched.
    module = make()
    assert module.inplace is True
    x = mg.Tensor(np.array([[-2.0, -0.5, 0.0, 1.5]]), requires_grad=True)
    before = x.numpy().copy()
    y = module(x)
    np.testing.assert_array_equal(x.numpy(), before)
    np.testing.assert_array_equal(y.numpy(), function(x).numpy())
    y.sum().backward()
    assert x.grad is not None
    assert "inplace=True" in repr(module)
    assert "inplace=True" not in repr(type(module)())


def test_inplace_reprs_match_torch():
    torch = pytest.importorskip("torch")
    pairs = [(nn.ReLU(inplace=True), torch.nn.ReLU(inplace=True)), (nn.ReLU(), torch.nn.ReLU()),
             (nn.LeakyReLU(0.2, True), torch.nn.LeakyReLU(0.2, True)),
             (nn.ELU(inplace=True), torch.nn.ELU(inplace=True))]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
    assert repr(nn.Dropout(0.2, True)) == repr(torch.nn.Dropout(0.2, True))
    # written out, for runs without torch
    assert repr(nn.Dropout(0.2)) == "Dropout(p=0.2, inplace=False)"
    assert repr(nn.LeakyReLU(0.2, True)) == "LeakyReLU(negative_slope=0.2, inplace=True)"
    assert repr(nn.ELU(inplace=True)) == "ELU(alpha=1.0, inplace=True)"


def test_loss_modules_match_functional():
    logits, target = mg.randn(6, 4), mg.Tensor(np.array([0, 1, 2, 3, 0, 1]))
    assert nn.CrossEntropyLoss()(logits, target).item() == F.cross_entropy(logits, target).item()
    assert nn.CrossEntropyLoss(reduction="sum")(logits, target).item() == pytest.approx(
        F.cross_entropy(logits, target, reduction="sum").item())
    a, b = mg.randn(3, 2), mg.randn(3, 2)
    assert nn.MSELoss()(a, b).item() == pytest.approx(((a.numpy() - b.numpy()) ** 2).mean())
    logp = F.log_softmax(logits, axis=1)
    assert nn.NLLLoss()(logp, target).item() == pytest.approx(
        F.cross_entropy(logits, target).item(), rel=1e-6)
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="avg")


def test_batchnorm2d_training_normalises_and_updates_running_stats():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 3, 5, 5)) * np.array([1, 2, 3]).reshape(1, 3, 1, 1) + 4
    bn = nn.BatchNorm2d(3, dtype=np.float64)
    y = bn(mg.Tensor(x)).numpy()
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1 / (1 + 1e-5 / x.var(axis=(0, 2, 3))),
                               rtol=1e-9)
    n = 8 * 5 * 5
    np.testing.assert_allclose(bn.running_mean.numpy(), 0.1 * x.mean(axis=(0, 2, 3)))
    np.testing.assert_allclose(bn.running_var.numpy(),
                               0.9 + 0.1 * x.var(axis=(0, 2, 3)) * n / (n - 1))
    assert bn.num_batches_tracked.item() == 1


def test_batchnorm_eval_uses_running_stats_and_cumulative_momentum():
    bn = nn.BatchNorm2d(2, momentum=None, dtype=np.float64)
    batches = [np.random.default_rng(i).standard_normal((4, 2, 3, 3)) + i for i in range(3)]
    for b in batches:
        bn(mg.Tensor(b))
    # momentum=None: the running mean is the plain average of the batch means
    np.testing.assert_allclose(bn.running_mean.numpy(),
                               np.mean([b.mean(axis=(0, 2, 3)) for b in batches], axis=0))
    bn.eval()
    x = batches[0]
    expected = ((x - bn.running_mean.numpy().reshape(1, 2, 1, 1))
                / np.sqrt(bn.running_var.numpy().reshape(1, 2, 1, 1) + 1e-5))
    np.testing.assert_allclose(bn(mg.Tensor(x)).data, expected, rtol=1e-12)
    assert bn.num_batches_tracked.item() == 3


def test_batchnorm_input_checks():
    with pytest.raises(ValueError, match="3 channels on axis 1, got shape \\(2, 4, 5, 5\\)"):
        nn.BatchNorm2d(3)(mg.randn(2, 4, 5, 5))
    with pytest.raises(ValueError, match="more than one value per channel"):
        nn.BatchNorm1d(3)(mg.randn(1, 3))


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_gradcheck_and_gradgradcheck(training):
    mg.manual_seed(0)
    bn = nn.BatchNorm2d(2, dtype=np.float64)
    bn(mg.randn(4, 2, 3, 3, dtype=np.float64))      # non-trivial running statistics
    bn.weight.numpy()[...] = [1.5, -0.5]
    bn.bias.numpy()[...] = [0.1, 0.2]
    bn.train(training)
    x = mg.randn(3, 2, 2, 2, dtype=np.float64, requires_grad=True)

    def fn(x, w, b):
        # gradcheck hands in plain tensors; put them in the parameter slots directly
        bn._parameters["weight"], bn._parameters["bias"] = w, b
        state = (bn.running_mean.numpy().copy(), bn.running_var.numpy().copy(),
                 bn.num_batches_tracked.numpy().copy())
        out = bn(x)
        bn.running_mean.numpy()[...], bn.running_var.numpy()[...], bn.num_batches_tracked.numpy()[...] = state
        return out

    inputs = (x, nn.Parameter(bn.weight.numpy().copy()), nn.Parameter(bn.bias.numpy().copy()))
    assert mg.gradcheck(fn, inputs)
    assert mg.gradgradcheck(fn, inputs)


@pytest.mark.parametrize("p", [np.float32(0.25), np.float64(0.25), np.int64(0), 0.25, 1])
def test_dropout_takes_any_real_probability(p):
    drop = nn.Dropout(p)
    assert drop.p == float(p) and type(drop.p) is float
    mg.manual_seed(0)
    y = drop(mg.ones(20000)).data
    if p == 0:
        np.testing.assert_array_equal(y, 1.0)
    elif p == 1:
        np.testing.assert_array_equal(y, 0.0)
    else:   # kept ones are scaled by 1 / (1 - 0.25) = 4/3
        assert set(np.unique(y)) == {0.0, np.float32(4 / 3)} and abs((y == 0).mean() - 0.25) < 0.02
    mg.manual_seed(0)
    np.testing.assert_array_equal(F.dropout(mg.ones(20000), p).data, y)


@pytest.mark.parametrize("p", [True, np.bool_(False), "0.5", np.float32(1.5), float("nan"), None])
def test_dropout_still_refuses_bools_strings_and_out_of_range(p):
    with pytest.raises(ValueError, match="Dropout: p must be a probability in \\[0, 1\\]"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match="dropout: p must be a probability in \\[0, 1\\]"):
        F.dropout(mg.ones(2), p)
