"""examples/pytorch_mnist.py, a PyTorch-style MNIST script of our own: it trains, tests
and saves with minigrad, and the same source with its imports swapped for PyTorch's
gives the same numbers."""
import types

import numpy as np
import pytest

import minigrad as mg
from tests.examples.scripts import EXAMPLES, load_example

SCRIPT = EXAMPLES / "pytorch_mnist.py"
IMPORTS = {
    "import minigrad as torch": "import torch",
    "import minigrad.nn as nn": "import torch.nn as nn",
    "import minigrad.nn.functional as F": "import torch.nn.functional as F",
    "import minigrad.optim as optim": "import torch.optim as optim",
    "from minigrad import datasets, transforms": "datasets = transforms = None",
    "from minigrad.optim.lr_scheduler import ExponentialLR": "from torch.optim.lr_scheduler import ExponentialLR",
}


def _load_minigrad_script():
    return load_example("pytorch_mnist")


def _load_as_torch_script():
    """The same file with its import lines swapped for PyTorch's."""
    source = SCRIPT.read_text()
    for ours, theirs in IMPORTS.items():
        assert ours in source, f"the script no longer has the line {ours!r}"
        source = source.replace(ours, theirs)
    module = types.ModuleType("pytorch_mnist_on_torch")
    module.__file__ = str(SCRIPT)
    exec(compile(source, str(SCRIPT), "exec"), module.__dict__)
    return module


def test_the_script_trains_tests_and_saves_with_minigrad(tmp_path):
    script = _load_minigrad_script()
    logs = []
    model, (test_loss, accuracy) = script.main(
        ["--max-batches", "12", "--report-every", "4", "--eval-batch-size", "500",
         "--save", str(tmp_path / "digits.npz")], log=logs.append)
    losses = [float(line.rsplit("nll ", 1)[1]) for line in logs if line.startswith("epoch 1 step")]
    assert len(losses) == 3 and losses[-1] < losses[0], logs
    assert logs[-1].startswith("evaluation:") and 0.0 < test_loss < 2.3
    assert accuracy > 0.3, logs[-1]      # 12 Adam steps already learn something (chance: 0.1)
    saved = mg.load(tmp_path / "digits.npz")
    assert set(saved) == {k for k, _ in model.state_dict().items()}
    assert saved["hidden.weight"].shape == (96, 32 * 6 * 6)


def test_the_same_source_gives_the_same_numbers_on_pytorch():
    torch = pytest.importorskip("torch")
    ours, theirs = _load_minigrad_script(), _load_as_torch_script()
    mg.manual_seed(0)
    model_ours, model_theirs = ours.DigitConvNet().double(), theirs.DigitConvNet().double()
    for module in (model_ours, model_theirs):    # dropout draws differ between libraries
        module.channel_dropout.p = module.hidden_dropout.p = 0.0
    model_theirs.load_state_dict({k: torch.tensor(np.array(v.numpy()))
                                  for k, v in model_ours.state_dict().items()})
    rng = np.random.default_rng(0)
    images = rng.random((3 * 8, 1, 28, 28))
    labels = rng.integers(0, 10, size=3 * 8)
    batches_ours = [(mg.tensor(images[i:i + 8]), mg.tensor(labels[i:i + 8]))
                    for i in range(0, 24, 8)]
    batches_theirs = [(torch.tensor(images[i:i + 8]), torch.tensor(labels[i:i + 8]))
                      for i in range(0, 24, 8)]

    class Loader(list):
        dataset = range(24)
        batch_size = 8

    logs_ours, logs_theirs = [], []
    losses_ours = ours.train_one_epoch(model_ours, mg.device("cpu"), Loader(batches_ours),
                                       mg.optim.Adam(model_ours.parameters(), lr=2e-3), 1, 1,
                                       log=logs_ours.append)
    losses_theirs = theirs.train_one_epoch(model_theirs, torch.device("cpu"), Loader(batches_theirs),
                                           torch.optim.Adam(model_theirs.parameters(), lr=2e-3), 1, 1,
                                           log=logs_theirs.append)
    assert len(logs_ours) == 3
    for a, b in zip(logs_ours, logs_theirs):
        assert a.split("nll")[0] == b.split("nll")[0]
    np.testing.assert_allclose(losses_ours, losses_theirs, rtol=1e-9)
    for name, value in model_ours.state_dict().items():
        np.testing.assert_allclose(value.numpy(), model_theirs.state_dict()[name].numpy(),
                                   rtol=1e-7, atol=1e-10)
    test_ours = ours.evaluate(model_ours, None, Loader(batches_ours), log=lambda *a: None)
    test_theirs = theirs.evaluate(model_theirs, None, Loader(batches_theirs), log=lambda *a: None)
    assert test_ours[0] == pytest.approx(test_theirs[0], rel=1e-7)
    assert test_ours[1] == test_theirs[1]
