"""The models that benchmarks/models.py times, written once per framework: minigrad's
here, their PyTorch twins in :func:`torch_models` (torch is imported by the caller,
lazily). Both use the same attribute names, so the state_dict keys match and
:func:`copy_weights` copies minigrad's initial weights into torch by name.
"""
from __future__ import annotations

import importlib.util
import os

import numpy as np

# _common also puts this tree's root on sys.path, so it comes before minigrad.
from _common import ROOT

import minigrad as mg  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402
from minigrad import nn  # noqa: E402


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
        x = x.flatten(1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        x = self.fc2(x)
        return F.log_softmax(x, axis=1)   # minigrad's log_softmax takes axis=, not dim= (yet)


def _conv_bn_relu(conv, bn, relu, cin, cout):
    return [conv(cin, cout, 3, padding=1, bias=False), bn(cout), relu()]


class CifarNet(nn.Module):
    def __init__(self):
        super().__init__()
        c = _conv_bn_relu
        self.features = nn.Sequential(*c(nn.Conv2d, nn.BatchNorm2d, nn.ReLU, 3, 32),
                                      *c(nn.Conv2d, nn.BatchNorm2d, nn.ReLU, 32, 32),
                                      nn.MaxPool2d(2),
                                      *c(nn.Conv2d, nn.BatchNorm2d, nn.ReLU, 32, 64),
                                      *c(nn.Conv2d, nn.BatchNorm2d, nn.ReLU, 64, 64),
                                      nn.MaxPool2d(2))
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc(self.features(x).mean(axis=(2, 3)))   # global average pool


class RowLSTM(nn.Module):
    """An MNIST image read row by row: 28 steps of 28 pixels, the last output classified."""

    def __init__(self, hidden=64):
        super().__init__()
        self.lstm = nn.LSTM(28, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 10)

    def forward(self, x):
        out, _ = self.lstm(x.reshape(x.shape[0], 28, 28))
        return self.head(out[:, -1])


def load_lenet():
    """examples/train_mnist.py as a module (only its definitions run on import)."""
    spec = importlib.util.spec_from_file_location(
        "train_mnist", os.path.join(ROOT, "examples", "train_mnist.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def torch_models(torch):
    """The torch twins of the models above, defined on first use (torch is lazy)."""
    tnn, tF = torch.nn, torch.nn.functional

    class TorchMnistNet(tnn.Module):
        def __init__(self, p1=0.25, p2=0.5):
            super().__init__()
            self.conv1 = tnn.Conv2d(1, 32, 3, 1)
            self.conv2 = tnn.Conv2d(32, 64, 3, 1)
            self.dropout1 = tnn.Dropout(p1)
            self.dropout2 = tnn.Dropout(p2)
            self.fc1 = tnn.Linear(9216, 128)
            self.fc2 = tnn.Linear(128, 10)

        def forward(self, x):
            x = tF.relu(self.conv1(x))
            x = tF.relu(self.conv2(x))
            x = tF.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = tF.relu(self.fc1(x))
            x = self.dropout2(x)
            x = self.fc2(x)
            return tF.log_softmax(x, dim=1)

    class TorchCifarNet(tnn.Module):
        def __init__(self):
            super().__init__()
            c = _conv_bn_relu
            self.features = tnn.Sequential(*c(tnn.Conv2d, tnn.BatchNorm2d, tnn.ReLU, 3, 32),
                                           *c(tnn.Conv2d, tnn.BatchNorm2d, tnn.ReLU, 32, 32),
                                           tnn.MaxPool2d(2),
                                           *c(tnn.Conv2d, tnn.BatchNorm2d, tnn.ReLU, 32, 64),
                                           *c(tnn.Conv2d, tnn.BatchNorm2d, tnn.ReLU, 64, 64),
                                           tnn.MaxPool2d(2))
            self.fc = tnn.Linear(64, 10)

        def forward(self, x):
            return self.fc(self.features(x).mean(dim=(2, 3)))

    class TorchLeNet(tnn.Module):   # the architecture of examples/train_mnist.py's LeNet
        def __init__(self):
            super().__init__()
            self.conv1 = tnn.Conv2d(1, 6, kernel_size=5, padding=2)
            self.conv2 = tnn.Conv2d(6, 16, kernel_size=5)
            self.fc1 = tnn.Linear(400, 120)
            self.fc2 = tnn.Linear(120, 84)
            self.fc3 = tnn.Linear(84, 10)

        def forward(self, x):
            x = tF.max_pool2d(tF.relu(self.conv1(x)), 2)
            x = tF.max_pool2d(tF.relu(self.conv2(x)), 2)
            x = torch.flatten(x, 1)
            x = tF.relu(self.fc1(x))
            x = tF.relu(self.fc2(x))
            return self.fc3(x)

    class TorchRowLSTM(tnn.Module):
        def __init__(self, hidden=64):
            super().__init__()
            self.lstm = tnn.LSTM(28, hidden, batch_first=True)
            self.head = tnn.Linear(hidden, 10)

        def forward(self, x):
            out, _ = self.lstm(x.reshape(x.shape[0], 28, 28))
            return self.head(out[:, -1])

    return {"mnist": TorchMnistNet, "cifar": TorchCifarNet, "lenet": TorchLeNet,
            "lstm": TorchRowLSTM}


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

