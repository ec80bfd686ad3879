"""A hand-written training loop in PyTorch's idiom trains as PyTorch's does."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


def _model(lib, weights):
    model = lib.nn.Sequential(lib.nn.Linear(3, 8), lib.nn.ReLU(), lib.nn.Linear(8, 2)).double()
    with lib.no_grad():
        for p, w in zip(model.parameters(), weights):
            p.copy_(lib.tensor(w))
    return model


@pytest.mark.parametrize("zeroing", ["grad.zero_", "model.zero_grad"])
def test_hand_written_sgd_loop_matches_pytorch_step_by_step(zeroing):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    shapes = [(8, 3), (8,), (2, 8), (2,)]
    weights = [rng.normal(size=s) * 0.5 for s in shapes]
    x, target = rng.normal(size=(16, 3)), rng.normal(size=(16, 2))
    losses = {}
    for lib in (mg, torch):
        model = _model(lib, weights)
        inputs, targets = lib.tensor(x), lib.tensor(target)
        lr, history = 0.1, []
        for _ in range(20):
            loss = ((model(inputs) - targets) ** 2).mean()
            loss.backward()
            with lib.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
            if zeroing == "grad.zero_":
                for p in model.parameters():
                    p.grad.zero_()
            else:
                model.zero_grad()
            history.append(loss.item())
        losses[lib] = history
    np.testing.assert_allclose(losses[mg], losses[torch], rtol=1e-10)
    assert losses[mg][-1] < 0.8 * losses[mg][0]   # it trained


def test_sgd_loop_parameters_stay_the_modules_own():
    model = nn.Linear(2, 1).double()
    weight = model.weight
    model(mg.tensor(np.ones((1, 2)))).sum().backward()
    with mg.no_grad():
        for p in model.parameters():
            p -= 0.5 * p.grad
    assert model.weight is weight and weight.is_leaf and weight.requires_grad
