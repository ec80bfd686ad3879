"""The rows of benchmarks/models.py: each row's work in both frameworks, built by its
``make(torch, size)`` as (ours, theirs), two callables that run the work once and
return its loss (or final value) as a float; and the check that the two agree.
"""
from __future__ import annotations

import time

# model_twins (through _common) puts this tree's root on sys.path before minigrad.
from model_twins import (CifarNet, MnistNet, RowLSTM, copy_weights, load_lenet, random_batch,
                         seed_both, torch_models)

import minigrad as mg  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402

LR, MOMENTUM = 0.01, 0.9


def training_step(lib, model, batch, loss_name, optimizer="sgd"):
    """One optimiser step per call in ``lib`` (torch, or minigrad as torch): zero_grad,
    forward, loss, backward, step; returns the loss."""
    x, y = (lib.from_numpy(a.copy()) for a in batch)
    if optimizer == "sgd":
        opt = lib.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    else:   # Adam, as examples/train_mnist.py trains
        opt = lib.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = getattr(lib.nn.functional, loss_name)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()
    return step


def training_maker(key, build, batch_seed, image_shape, loss_name, default_n=64,
                   optimizer="sgd"):
    """A row's ``make``: ``build(check)`` (the check turns dropout off, or the frameworks'
    masks would differ) gives minigrad's model and the torch twin's constructor arguments;
    the twin gets its weights; one training step per call in each framework."""
    def make(torch, size=default_n, check=False):
        seed_both(torch)
        ours, torch_args = build(check)
        theirs = copy_weights(torch, ours, torch_models(torch)[key](*torch_args))
        batch = random_batch(batch_seed, size, image_shape)
        return (training_step(mg, ours, batch, loss_name, optimizer),
                training_step(torch, theirs, batch, loss_name, optimizer))
    return make


def mnist_net(check):
    dropout = (0.0, 0.0) if check else (0.25, 0.5)
    return MnistNet(*dropout), dropout


make_mnist = training_maker("mnist", mnist_net, 1, (1, 28, 28), "nll_loss")
make_cifar = training_maker("cifar", lambda check: (CifarNet(), ()), 2, (3, 32, 32),
                            "cross_entropy", default_n=32)
make_lenet = training_maker("lenet", lambda check: (load_lenet().build_model(), ()), 3,
                            (1, 28, 28), "cross_entropy", optimizer="adam")
make_lstm = training_maker("lstm", lambda check: (RowLSTM(), ()), 4, (1, 28, 28),
                           "cross_entropy")


def make_infer(torch, size=1000, check=False):
    seed_both(torch)
    ours = MnistNet()
    theirs = copy_weights(torch, ours, torch_models(torch)["mnist"]())
    ours.eval()
    theirs.eval()
    batches = [random_batch(10 + k, size, (1, 28, 28)) for k in range(2)]
    mbatches = [(mg.Tensor(x), mg.Tensor(y)) for x, y in batches]
    tbatches = [(torch.from_numpy(x.copy()), torch.from_numpy(y.copy())) for x, y in batches]

    def run(model, data, no_grad, loss):   # returns the summed loss, for the check
        with no_grad():
            return sum(loss(model(x), y).item() for x, y in data)
    return (lambda: run(ours, mbatches, mg.no_grad, F.nll_loss),
            lambda: run(theirs, tbatches, torch.no_grad, torch.nn.functional.nll_loss))


def run_chain(lib, step, n, phases=False):
    """Forward (and backward) of an n-step chain on a 1-element tensor. Returns the
    final value, or with phases=True the (forward, backward) seconds."""
    x = lib.tensor([0.5], requires_grad=True)
    start = time.perf_counter()
    y = x
    for _ in range(n):
        y = step(y)
    loss = y.sum()
    middle = time.perf_counter()
    loss.backward()
    end = time.perf_counter()
    return (middle - start, end - middle) if phases else loss.item() + x.grad.item()


def chain_maker(step, default_n):
    def make(torch, size=default_n, check=False):
        return (lambda: run_chain(mg, step, size), lambda: run_chain(torch, step, size))
    return make


def affine_step(y):
    return y * 1.0001 + 0.0001


def tanh_step(y):
    return y.tanh()


def scale_step(y):
    return y * 1.0000001


class Row:
    def __init__(self, key, work, target, make, samples, burst=1, unit="ms"):
        self.key, self.work, self.target, self.make = key, work, target, make
        self.samples, self.burst, self.unit = samples, burst, unit


ROWS = [
    Row("mnist", "MNIST `Net` step (SGD momentum 0.9, log_softmax + nll_loss), batch 64",
        1.15, make_mnist, 20),
    Row("cifar", "CIFAR-style net step (4x conv-BN-ReLU, SGD momentum 0.9, cross_entropy), "
        "batch 32", 1.3, make_cifar, 20),
    Row("infer", "inference: MNIST `Net` eval + no_grad, 2 batches of 1,000", 1.2, make_infer, 10),
    Row("lenet", "LeNet-5 step (train_mnist.py's model and Adam), batch 64", 1.1, make_lenet, 30),
    Row("affine", "1,000 x `y = y * 1.0001 + 0.0001` (2,000 ops), fwd+bwd", 1.2,
        chain_maker(affine_step, 1000), 30),
    Row("tanh", "1,000 x `y = tanh(y)`, fwd+bwd", 1.2, chain_maker(tanh_step, 1000), 30),
    Row("chain100k", "100,000 x `y * 1.0000001`, fwd+bwd", 1.0,
        chain_maker(scale_step, 100_000), 5),
    Row("lstm", "MNIST-rows LSTM step (28 steps x 28 inputs, hidden 64, Linear head, SGD "
        "momentum 0.9, cross_entropy), batch 64", 1.5, make_lstm, 20),
    Row("memory", "peak RSS growth, 50 CIFAR-style steps, fresh process each (MB)", 1.0,
        None, 1, unit="MB"),
]
ROW_BY_KEY = {row.key: row for row in ROWS}
TINY = {"mnist": 2, "cifar": 2, "infer": 3, "lenet": 2, "affine": 10, "tanh": 10,
        "chain100k": 100, "lstm": 2, "memory": None}


def check_row(torch, row, size=None):
    """The two frameworks' losses (or final values), and their relative difference.
    Training rows take two steps, so the second loss also checks backward and the
    optimiser's update."""
    kwargs = {} if size is None else {"size": size}
    ours, theirs = row.make(torch, check=True, **kwargs)
    steps = 2 if row.key in ("mnist", "cifar", "lenet", "lstm") else 1
    pairs = [(ours(), theirs()) for _ in range(steps)]
    rel = max(abs(a - b) / max(abs(b), 1e-12) for a, b in pairs)
    return pairs, rel

