"""Two runs of the MNIST example (its model, loaders and training step) for 50
steps with the same seed give bit-identical losses; another seed does not."""
import importlib.util
import pathlib

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import optim

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "train_mnist.py"
STEPS, BATCH = 50, 32


@pytest.fixture(scope="module")
def train_mnist():
    spec = importlib.util.spec_from_file_location("example_train_mnist_repro", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(example, seed):
    """What ``main`` does, cut to 50 steps: seed, loaders, model, Adam, training steps."""
    mg.manual_seed(seed)
    train_loader, _ = example.mnist_loaders(batch_size=BATCH, train_subset=STEPS * BATCH, seed=seed)
    model = example.build_model()
    model.train()
    optimizer = optim.Adam(model.parameters(), lr=2e-3)
    losses = []
    for images, labels in train_loader:
        loss = F.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    weights = model.fc3.weight.numpy().copy()
    return np.array(losses), weights


def test_same_seed_gives_identical_losses_and_weights(train_mnist):
    losses_a, weights_a = _run(train_mnist, seed=11)
    losses_b, weights_b = _run(train_mnist, seed=11)
    assert len(losses_a) == STEPS
    np.testing.assert_array_equal(losses_a, losses_b)      # bit for bit, every step
    np.testing.assert_array_equal(weights_a, weights_b)
    assert losses_a[-10:].mean() < losses_a[:10].mean()    # it really trained

    losses_c, _ = _run(train_mnist, seed=12)                # the seed is what made them equal
    assert not np.array_equal(losses_a, losses_c)
