"""The models that benchmarks/models.py times, written once (:func:`define_models`) and
built for minigrad here and for PyTorch by :func:`torch_models` (torch is imported by the
caller, lazily); :func:`copy_weights` copies minigrad's initial weights into torch by name.
"""
from __future__ import annotations

import functools
import importlib.util
import os

import numpy as np

# _common also puts this tree's root on sys.path, so it comes before minigrad.
from _common import ROOT

import minigrad as mg  # noqa: E402


def define_models(torch):
    """The benchmark's models, written once against ``torch``: PyTorch, or minigrad
    imported as torch (its names and semantics are PyTorch's). The same attribute names
    give the same state_dict keys, so :func:`copy_weights` copies weights by name."""
    nn, F = torch.nn, torch.nn.functional

    class MnistNet(nn.Module):
        """PyTorch's examples/mnist ``Net``. ``p1``/``p2`` are the dropout rates (0 for
        the loss check: the two frameworks draw different dropout masks)."""

        def __init__(self, p1=0.25, p2=0.5):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout(p1)
            self.dropout2 = nn.Dropout(p2)
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = self.dropout2(x)
            x = self.fc2(x)
            return F.log_softmax(x, dim=1)

    def conv_bn_relu(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

    class CifarNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(*conv_bn_relu(3, 32), *conv_bn_relu(32, 32),
                                          nn.MaxPool2d(2),
                                          *conv_bn_relu(32, 64), *conv_bn_relu(64, 64),
                                          nn.MaxPool2d(2))
            self.fc = nn.Linear(64, 10)

        def forward(self, x):
            return self.fc(self.features(x).mean(dim=(2, 3)))   # global average pool

    class LeNet(nn.Module):   # the architecture of examples/train_mnist.py's LeNet-5
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)
            self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
            self.fc1 = nn.Linear(400, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), 2)
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    class RowLSTM(nn.Module):
        """An MNIST image read row by row: 28 steps of 28 pixels, the last output classified."""

        def __init__(self, hidden=64):
            super().__init__()
            self.lstm = nn.LSTM(28, hidden, batch_first=True)
            self.head = nn.Linear(hidden, 10)

        def forward(self, x):
            out, _ = self.lstm(x.reshape(x.shape[0], 28, 28))
            return self.head(out[:, -1])

    return {"mnist": MnistNet, "cifar": CifarNet, "lenet": LeNet, "lstm": RowLSTM}


MINIGRAD_MODELS = define_models(mg)
MnistNet, CifarNet, RowLSTM = (MINIGRAD_MODELS[key] for key in ("mnist", "cifar", "lstm"))


def load_lenet():
    """examples/train_mnist.py as a module (only its definitions run on import): the
    LeNet row trains its model, which a loss check holds equal to ``LeNet`` above."""
    spec = importlib.util.spec_from_file_location(
        "train_mnist", os.path.join(ROOT, "examples", "train_mnist.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


torch_models = functools.cache(define_models)   # PyTorch's twins (torch is imported lazily)


def copy_weights(torch, ours, theirs):
    """Load minigrad's parameters and buffers into the torch model, by name."""
    state = {key: torch.from_numpy(np.array(t.numpy(), copy=True))
             for key, t in ours.state_dict().items()}
    theirs.load_state_dict(state, strict=True)
    return theirs


def seed_both(torch, seed=0):
    """Seed both frameworks (initial weights, dropout masks), so runs repeat."""
    mg.manual_seed(seed)
    torch.manual_seed(seed)


def random_batch(seed, n, shape, classes=10):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n,) + shape, dtype=np.float32), rng.integers(0, classes, n)

