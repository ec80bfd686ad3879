"""PyTorch's MNIST script shape, run by minigrad with only the imports changed
(examples/pytorch_mnist.py), and the same source run by PyTorch itself gives the
same numbers."""
import argparse
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
    "from minigrad.optim.lr_scheduler import StepLR": "from torch.optim.lr_scheduler import StepLR",
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
        ["--max-batches", "12", "--log-interval", "4", "--test-batch-size", "500",
         "--save-model", str(tmp_path / "mnist_cnn.npz")], log=logs.append)
    losses = [float(line.rsplit("Loss: ", 1)[1]) for line in logs if "Loss:" in line]
    assert len(losses) == 3 and losses[-1] < losses[0], logs
    assert "Test set: Average loss" in logs[-1] and 0.0 < test_loss < 2.3
    assert accuracy > 0.3, logs[-1]      # 12 Adadelta steps already learn something
    saved = mg.load(tmp_path / "mnist_cnn.npz")
    assert set(saved) == {k for k, _ in model.state_dict().items()}
    assert saved["fc1.weight"].shape == (128, 9216)


def test_the_same_source_gives_the_same_numbers_on_pytorch():
    torch = pytest.importorskip("torch")
    ours, theirs = _load_minigrad_script(), _load_as_torch_script()
    mg.manual_seed(0)
    model_ours, model_theirs = ours.Net(), theirs.Net().double()
    model_ours.double()
    for module in (model_ours, model_theirs):    # dropout draws differ between libraries
        module.dropout1.p = module.dropout2.p = 0.0
    model_theirs.load_state_dict({k: torch.tensor(np.array(v.numpy()))
                                  for k, v in model_ours.state_dict().items()})
    rng = np.random.default_rng(0)
    images = rng.random((3 * 8, 1, 28, 28))
    labels = rng.integers(0, 10, size=3 * 8)
    batches_ours = [(mg.tensor(images[i:i + 8]), mg.tensor(labels[i:i + 8]))
                    for i in range(0, 24, 8)]
    batches_theirs = [(torch.tensor(images[i:i + 8]), torch.tensor(labels[i:i + 8]))
                      for i in range(0, 24, 8)]
    args = argparse.Namespace(log_interval=1, max_batches=0)

    class Loader(list):
        dataset = range(24)

    logs_ours, logs_theirs = [], []
    ours.train(args, model_ours, mg.device("cpu"), Loader(batches_ours),
               mg.optim.Adadelta(model_ours.parameters(), lr=1.0), 1, logs_ours.append)
    theirs.train(args, model_theirs, torch.device("cpu"), Loader(batches_theirs),
                 torch.optim.Adadelta(model_theirs.parameters(), lr=1.0), 1, logs_theirs.append)
    assert len(logs_ours) == 3
    for a, b in zip(logs_ours, logs_theirs):
        assert a.split("Loss:")[0] == b.split("Loss:")[0]
        assert float(a.rsplit(" ", 1)[1]) == pytest.approx(float(b.rsplit(" ", 1)[1]), rel=1e-5)
    for name, value in model_ours.state_dict().items():
        np.testing.assert_allclose(value.numpy(), model_theirs.state_dict()[name].numpy(),
                                   rtol=1e-7, atol=1e-10)
    test_ours = ours.test(model_ours, None, Loader(batches_ours), log=lambda *a: None)
    test_theirs = theirs.test(model_theirs, None, Loader(batches_theirs), log=lambda *a: None)
    assert test_ours[0] == pytest.approx(test_theirs[0], rel=1e-7)
    assert test_ours[1] == test_theirs[1]
