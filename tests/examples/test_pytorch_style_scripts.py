"""Scripts of our own written in PyTorch's style (examples/damped_spring_fit.py,
cnn_classifier.py, vae.py): each runs on minigrad, and the same source with its imports
swapped runs on PyTorch with the same numbers from the same weights and data."""
import numpy as np
import pytest

import minigrad as mg
from tests.examples.scripts import load_example, load_example_on_torch

torch = pytest.importorskip("torch")


def copy_weights(ours, theirs):
    theirs.load_state_dict({k: torch.tensor(np.array(v.numpy())) for k, v in ours.state_dict().items()})


def twin_models(script, model):
    """The script on minigrad and on PyTorch, and its ``model`` class built in each
    (float64) with minigrad's weights copied into PyTorch's."""
    ours, theirs = load_example(script), load_example_on_torch(script)
    mg.manual_seed(0)
    mine, their_model = getattr(ours, model)().double(), getattr(theirs, model)().double()
    copy_weights(mine, their_model)
    return ours, theirs, mine, their_model


def as_torch(data):
    return [(torch.tensor(x.numpy()), torch.tensor(y.numpy())) for x, y in data]


def batches(rng, framework, count, size, shape, classes=10):
    images = rng.random((count * size,) + shape)
    labels = rng.integers(0, classes, size=count * size)
    return [(framework.tensor(images[i:i + size]), framework.tensor(labels[i:i + size]))
            for i in range(0, count * size, size)]


def test_spring_fit_equals_torch_step_by_step():
    ours, theirs = load_example("damped_spring_fit"), load_example_on_torch("damped_spring_fit")
    mse, spring = ours.fit(300, log=lambda *a: None)
    t_mse, t_spring = theirs.fit(300, log=lambda *a: None)
    np.testing.assert_allclose(mse, t_mse, rtol=1e-10)
    np.testing.assert_allclose(list(spring.values()), list(t_spring.values()), rtol=1e-9, atol=1e-12)
    assert mse[-1] < 0.05 * mse[0]   # the hand-written step really trains


def test_spring_fit_main_recovers_the_spring():
    logs = []
    script = load_example("damped_spring_fit")
    mse, spring = script.main(["--steps", "1500"], log=logs.append)
    assert mse[-1] < 1e-3 < mse[0]   # down to the noise (0.03 ** 2 = 9e-4)
    for name, true in script.TRUE_SPRING.items():
        assert abs(spring[name] - true) < 0.03 * true, (name, spring[name])
    assert logs[-1].startswith("fitted spring:")


def test_spring_fit_softplus_backward_is_its_derivative_and_forward_does_not_overflow():
    softplus = load_example("damped_spring_fit").Softplus.apply
    x = mg.tensor([-800.0, -3.0, 0.0, 0.7, 800.0], dtype=mg.float64, requires_grad=True)
    y = softplus(x)
    np.testing.assert_allclose(y.detach().numpy(), np.logaddexp(0, x.detach().numpy()), rtol=1e-15)
    assert mg.gradcheck(softplus, mg.tensor([-3.0, 0.0, 0.7, 4.0], dtype=mg.float64, requires_grad=True))


def test_cnn_classifier_equals_torch_and_counts_with_max_of_data():
    ours, theirs, net, t_net = twin_models("cnn_classifier", "StrokeNet")
    data = batches(np.random.default_rng(0), mg, 4, 8, (1, 28, 28))
    t_data = as_torch(data)
    losses = ours.train_epoch(net, data, mg.nn.CrossEntropyLoss(),
                              mg.optim.SGD(net.parameters(), lr=0.01, momentum=0.9), log=lambda *a: None)
    t_losses = theirs.train_epoch(t_net, t_data, torch.nn.CrossEntropyLoss(),
                                  torch.optim.SGD(t_net.parameters(), lr=0.01, momentum=0.9),
                                  log=lambda *a: None)
    np.testing.assert_allclose(losses, t_losses, rtol=1e-10)
    for name, value in net.state_dict().items():
        np.testing.assert_allclose(value.numpy(), t_net.state_dict()[name].numpy(), rtol=1e-9, atol=1e-12)
    assert ours.evaluate(net, data) == theirs.evaluate(t_net, t_data)


def test_cnn_classifier_main_learns_on_shipped_mnist():
    logs = []
    correct, total = load_example("cnn_classifier").main(["--train-size", "2400"], log=logs.append)
    assert total > 0 and correct / total > 0.3, logs[-1]   # chance is 0.1


def test_vae_equals_torch_with_the_same_noise():
    ours, theirs, model, t_model = twin_models("vae", "DigitVAE")
    rng = np.random.default_rng(1)
    noise = [rng.standard_normal((8, 8)) for _ in range(3)]
    model.sample_noise = lambda like, it=iter(noise): mg.tensor(next(it))
    t_model.sample_noise = lambda like, it=iter(noise): torch.tensor(next(it))
    data = batches(rng, mg, 3, 8, (1, 28, 28))
    t_data = as_torch(data)
    losses = ours.train_epoch(model, mg.optim.Adam(model.parameters(), lr=2e-3), data,
                              log=lambda *a: None)
    t_losses = theirs.train_epoch(t_model, torch.optim.Adam(t_model.parameters(), lr=2e-3), t_data,
                                  log=lambda *a: None)
    assert len(losses) == 3
    np.testing.assert_allclose(losses, t_losses, rtol=1e-9)
    for name, value in model.state_dict().items():
        np.testing.assert_allclose(value.numpy(), t_model.state_dict()[name].numpy(), rtol=1e-7, atol=1e-10)
    assert ours.held_out_loss(model, data) == pytest.approx(theirs.held_out_loss(t_model, t_data), rel=1e-9)


def test_vae_main_trains_on_shipped_mnist():
    logs = []
    ours = load_example("vae")
    ours.main(["--max-batches", "12", "--batch-size", "64"], log=logs.append)
    first = float(logs[0].rsplit(" ", 1)[1])
    held_out = float(logs[-1].rsplit(" ", 1)[1])
    assert logs[-1].startswith("epoch 1: held-out") and held_out < 0.6 * first, logs
