"""A minigrad state dict converts to PyTorch's by key and gives the same logits
(and the other way round). Skipped when torch is not installed."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

torch = pytest.importorskip("torch")


class MiniNet(nn.Module):
    """conv -> batch norm -> relu -> max-pool -> conv -> avg-pool -> linear."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                                      nn.MaxPool2d(2), nn.Conv2d(4, 6, 3, stride=1),
                                      nn.AvgPool2d(2))
        self.fc1 = nn.Linear(6 * 2 * 2, 10)

    def forward(self, x):
        return self.fc1(self.features(x).flatten(1))


class TorchNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        tnn = torch.nn
        self.features = tnn.Sequential(tnn.Conv2d(1, 4, 3, padding=1), tnn.BatchNorm2d(4),
                                       tnn.ReLU(), tnn.MaxPool2d(2), tnn.Conv2d(4, 6, 3, stride=1),
                                       tnn.AvgPool2d(2))
        self.fc1 = tnn.Linear(6 * 2 * 2, 10)

    def forward(self, x):
        return self.fc1(self.features(x).flatten(1))


def _train_steps(model, steps=3):
    """A few SGD steps so weights and running statistics are not the defaults."""
    opt = mg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for i in range(steps):
        x = mg.randn(8, 1, 12, 12)
        loss = F.cross_entropy(model(x), mg.Tensor(np.arange(8) % 10))
        opt.zero_grad()
        loss.backward()
        opt.step()


def test_minigrad_state_dict_loads_into_torch_with_same_logits(tmp_path):
    mg.manual_seed(0)
    model = MiniNet()
    _train_steps(model)
    mg.save(model.state_dict(), tmp_path / "net.npz")
    state = mg.load(tmp_path / "net.npz")

    reference = TorchNet()
    assert list(state) == list(reference.state_dict())     # same keys, same order
    reference.load_state_dict({k: torch.from_numpy(np.asarray(v.numpy())) for k, v in state.items()})

    x = np.random.default_rng(1).standard_normal((5, 1, 12, 12)).astype(np.float32)
    for train in (False, True):
        model.train(train), reference.train(train)
        ours = model(mg.Tensor(x)).data
        with torch.no_grad():
            theirs = reference(torch.from_numpy(x)).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)
    # After the training-mode pass both updated their running statistics alike.
    np.testing.assert_allclose(model.features[1].running_var.numpy(),
                               reference.features[1].running_var.numpy(), rtol=1e-5)
    assert model.features[1].num_batches_tracked.item() == \
        reference.features[1].num_batches_tracked.item()


def test_torch_state_dict_loads_into_minigrad():
    torch.manual_seed(0)
    reference = TorchNet().eval()
    model = MiniNet().eval()
    model.load_state_dict({k: v.numpy() for k, v in reference.state_dict().items()})
    x = np.random.default_rng(2).standard_normal((3, 1, 12, 12)).astype(np.float32)
    with torch.no_grad():
        theirs = reference(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model(mg.Tensor(x)).data, theirs, rtol=1e-4, atol=1e-5)


def test_gradients_match_torch():
    torch.manual_seed(0)
    reference = TorchNet()
    model = MiniNet()
    model.load_state_dict({k: v.numpy() for k, v in reference.state_dict().items()})
    x = np.random.default_rng(3).standard_normal((4, 1, 12, 12)).astype(np.float32)
    y = np.array([1, 2, 3, 4])
    F.cross_entropy(model(mg.Tensor(x)), mg.Tensor(y)).backward()
    torch.nn.functional.cross_entropy(reference(torch.from_numpy(x)), torch.from_numpy(y)).backward()
    theirs = dict(reference.named_parameters())
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), theirs[name].grad.numpy(), rtol=1e-3, atol=1e-5,
                                   err_msg=name)
