"""Speed on real CNNs (issue 12): whole models and training steps, minigrad vs
PyTorch CPU in one process.

    python benchmarks/models.py [--quick] [--rows mnist,cifar,...] [--repeat N]
    python benchmarks/models.py --profile cifar     # cProfile of minigrad's side of a row
    python benchmarks/models.py --breakdown cifar   # where one step's time goes, both sides

Every row builds the same model in both frameworks with the same float32 weights
(minigrad's initial parameters copied into torch) and the same data, checks once
that the two compute the same loss, then times samples in alternation (minigrad,
torch, minigrad, ...) with a short pause before each, and reports medians and
ratio = minigrad / torch. Rows (``--rows`` takes these names):

  mnist      PyTorch's MNIST example ``Net``, one SGD-momentum step, batch 64
  cifar      4 x (conv3x3 no bias, BatchNorm2d, ReLU), 2 max-pools, global average
             pool, Linear 64->10; one SGD-momentum step with cross_entropy, batch 32
  infer      the MNIST ``Net`` in eval mode under no_grad, 2 batches of 1,000
  lenet      examples/train_mnist.py's ``build_model()``, one Adam step (its optimizer)
  affine     1,000 x ``y = y * 1.0001 + 0.0001`` on a 1-element tensor, fwd + bwd
  tanh       1,000 x ``y = tanh(y)``, fwd + bwd
  chain100k  100,000 x ``y * 1.0000001``, fwd + bwd (the forward-only ratio is printed too)
  lstm       MNIST rows as sequences: LSTM(28, 64) over 28 steps, Linear 64->10 on the last
             output, cross_entropy, one SGD-momentum step, batch 64
  memory     peak-RSS growth of 50 cifar steps, each framework in a fresh process

torch is imported lazily so that the memory row's minigrad child never loads it.
"""
from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

# _common also puts this tree's root on sys.path, so it comes before minigrad.
from _common import ROOT, alternate, load_average, machine_info, peak_rss_mb, timed

import minigrad as mg  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402
from minigrad import nn, optim  # noqa: E402

LR, MOMENTUM = 0.01, 0.9


def _torch():
    import torch
    return torch


# -- the models, written once per framework -------------------------------------------
# Both frameworks use the same attribute names, so the state_dict keys match and the
# weights can be copied by name.

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


def _load_lenet():
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


def _seed(torch, seed=0):
    """Seed both frameworks (initial weights, dropout masks), so runs repeat."""
    mg.manual_seed(seed)
    torch.manual_seed(seed)


def _batch(seed, n, shape, classes=10):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n,) + shape, dtype=np.float32), rng.integers(0, classes, n)


# -- rows: each ``make(torch, size)`` returns (ours, theirs), two callables that run the
# work once and return its loss (or final value) as a float ----------------------------

def _training_pair(torch, ours_model, theirs_model, batch, loss_name, optimizer="sgd"):
    """One optimiser step per call in each framework: zero_grad, forward, loss,
    backward, step; returns the loss."""
    x, y = batch
    mx, my = mg.Tensor(x), mg.Tensor(y)
    tx, ty = torch.from_numpy(x.copy()), torch.from_numpy(y.copy())
    if optimizer == "sgd":
        mopt = optim.SGD(ours_model.parameters(), lr=LR, momentum=MOMENTUM)
        topt = torch.optim.SGD(theirs_model.parameters(), lr=LR, momentum=MOMENTUM)
    else:   # Adam, as examples/train_mnist.py trains
        mopt = optim.Adam(ours_model.parameters(), lr=2e-3)
        topt = torch.optim.Adam(theirs_model.parameters(), lr=2e-3)
    mloss, tloss = getattr(F, loss_name), getattr(torch.nn.functional, loss_name)

    def ours():
        mopt.zero_grad()
        loss = mloss(ours_model(mx), my)
        loss.backward()
        mopt.step()
        return loss.item()

    def theirs():
        topt.zero_grad()
        loss = tloss(theirs_model(tx), ty)
        loss.backward()
        topt.step()
        return loss.item()
    return ours, theirs


def make_mnist(torch, size=64, check=False):
    # The check turns dropout off: otherwise the two frameworks' masks differ.
    _seed(torch)
    p = (0.0, 0.0) if check else (0.25, 0.5)
    ours = MnistNet(*p)
    theirs = copy_weights(torch, ours, torch_models(torch)["mnist"](*p))
    return _training_pair(torch, ours, theirs, _batch(1, size, (1, 28, 28)), "nll_loss")


def make_cifar(torch, size=32, check=False):
    _seed(torch)
    ours = CifarNet()
    theirs = copy_weights(torch, ours, torch_models(torch)["cifar"]())
    return _training_pair(torch, ours, theirs, _batch(2, size, (3, 32, 32)), "cross_entropy")


def make_lenet(torch, size=64, check=False):
    _seed(torch)
    ours = _load_lenet().build_model()
    theirs = copy_weights(torch, ours, torch_models(torch)["lenet"]())
    return _training_pair(torch, ours, theirs, _batch(3, size, (1, 28, 28)), "cross_entropy",
                          optimizer="adam")


def make_lstm(torch, size=64, check=False):
    _seed(torch)
    ours = RowLSTM()
    theirs = copy_weights(torch, ours, torch_models(torch)["lstm"]())
    return _training_pair(torch, ours, theirs, _batch(4, size, (1, 28, 28)), "cross_entropy")


def make_infer(torch, size=1000, check=False):
    _seed(torch)
    ours = MnistNet()
    theirs = copy_weights(torch, ours, torch_models(torch)["mnist"]())
    ours.eval()
    theirs.eval()
    batches = [_batch(10 + k, size, (1, 28, 28)) for k in range(2)]
    mbatches = [(mg.Tensor(x), mg.Tensor(y)) for x, y in batches]
    tbatches = [(torch.from_numpy(x.copy()), torch.from_numpy(y.copy())) for x, y in batches]

    def run(model, data, no_grad, loss):   # returns the summed loss, for the check
        with no_grad():
            return sum(loss(model(x), y).item() for x, y in data)
    return (lambda: run(ours, mbatches, mg.no_grad, F.nll_loss),
            lambda: run(theirs, tbatches, torch.no_grad, torch.nn.functional.nll_loss))


def _chain(lib, step, n, phases=False):
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


def _chain_maker(step, default_n):
    def make(torch, size=default_n, check=False):
        return (lambda: _chain(mg, step, size), lambda: _chain(torch, step, size))
    return make


def _affine(y):
    return y * 1.0001 + 0.0001


def _tanh(y):
    return y.tanh()


def _scale(y):
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
        _chain_maker(_affine, 1000), 30),
    Row("tanh", "1,000 x `y = tanh(y)`, fwd+bwd", 1.2, _chain_maker(_tanh, 1000), 30),
    Row("chain100k", "100,000 x `y * 1.0000001`, fwd+bwd", 1.0, _chain_maker(_scale, 100_000), 5),
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


# -- peak memory ----------------------------------------------------------------------

def memory_child(framework, steps=50):
    """Run ``steps`` CIFAR-style steps of one framework; print JSON with the peak RSS
    and how much it grew during the steps (imports, model and data excluded)."""
    mg.manual_seed(0)
    if framework == "torch":
        torch = _torch()
        model = copy_weights(torch, CifarNet(), torch_models(torch)["cifar"]())
        x, y = (torch.from_numpy(a) for a in _batch(2, 32, (3, 32, 32)))
        opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
        loss_fn = torch.nn.functional.cross_entropy
    else:
        model = CifarNet()
        x, y = (mg.Tensor(a) for a in _batch(2, 32, (3, 32, 32)))
        opt = optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
        loss_fn = F.cross_entropy
    base = peak_rss_mb()
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    print(json.dumps({"peak_mb": peak_rss_mb(), "growth_mb": peak_rss_mb() - base}))


def peak_memory(framework):
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--memory-child", framework],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- running --------------------------------------------------------------------------

def measure(torch, row, samples):
    """(minigrad, torch) medians in ms (MB for the memory row), and notes to print."""
    if row.key == "memory":
        # Fresh processes, alternating, so neither sees the other's heap.
        runs = alternate([lambda: peak_memory("minigrad"), lambda: peak_memory("torch")],
                         max(1, samples), pause=0, warmup=0)
        growth = [statistics.median(r["growth_mb"] for r in rs) for rs in runs]
        peaks = [statistics.median(r["peak_mb"] for r in rs) for rs in runs]
        return growth, [f"memory: peak RSS minigrad {peaks[0]:.0f} MB, torch {peaks[1]:.0f} MB "
                        f"(imports included); the row compares the growth during the 50 steps"]
    ours, theirs = row.make(torch)
    if row.key == "chain100k":
        runs = alternate([lambda: _chain(mg, _scale, 100_000, phases=True),
                          lambda: _chain(torch, _scale, 100_000, phases=True)],
                         samples, warmup=1)
        fwd = [statistics.median(r[0] for r in rs) * 1e3 for rs in runs]
        both = [statistics.median(r[0] + r[1] for r in rs) * 1e3 for rs in runs]
        return both, [f"chain100k forward only: minigrad {fwd[0]:.0f} ms, torch {fwd[1]:.0f} ms, "
                      f"ratio {fwd[0] / fwd[1]:.2f}x"]
    a, b = alternate([timed(ours, row.burst), timed(theirs, row.burst)], samples)
    return [statistics.median(a) * 1e3, statistics.median(b) * 1e3], []


#: minigrad's convolution ops: forward, input gradient, weight gradient
CONV_OPS = ("Conv2d", "ConvTranspose2d", "Conv2dWeightGrad")
PAUSE_BEFORE_PROFILED_STEP = 0.2


def profile(torch, key, runs=10, top=10):
    """cProfile of minigrad's side of one row (after a warm-up run)."""
    import cProfile
    import pstats
    ours, _ = ROW_BY_KEY[key].make(torch)
    ours()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        ours()
    profiler.disable()
    # Cumulative time shows which layer costs most; own time, which function to fix.
    for order in ("cumulative", "tottime"):
        print(f"cProfile of minigrad's '{key}' row, {runs} runs, top {top} by {order}:")
        pstats.Stats(profiler).sort_stats(order).print_stats(top)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def breakdown(torch, key, samples=10, top=8):
    """Where one step of ROW goes. minigrad: each op's own wall time (forward and
    backward, nested ops subtracted) and the time inside np.matmul (BLAS) with its
    GFLOP/s; torch: its step and its profiler's self CPU time of the top ops. Steps
    alternate with pauses, as in the table; the timers add a few us per op."""
    from torch.profiler import profile as torch_profile
    from minigrad.autograd import Function
    ours, theirs = ROW_BY_KEY[key].make(torch)
    own = collections.defaultdict(float)
    nested = [0.0]
    blas = [0.0, 0.0]   # seconds, flops

    def timed_method(label, method):
        def run(self, *args, **kwargs):
            nested.append(0.0)
            start = time.perf_counter()
            try:
                return method(self, *args, **kwargs)
            finally:
                spent = time.perf_counter() - start
                own[label] += spent - nested.pop()
                nested[-1] += spent
        return run

    plain_matmul = np.matmul

    def counted_matmul(a, b, *args, **kwargs):
        start = time.perf_counter()
        out = plain_matmul(a, b, *args, **kwargs)
        blas[0] += time.perf_counter() - start
        blas[1] += 2 * out.size * (a.shape[-1] if np.ndim(a) else 1)
        return out

    for _ in range(2):   # warm-up (first steps fill the buffer pool), not counted
        ours()
        theirs()
    patched = [(cls, name, cls.__dict__[name]) for cls in set(_subclasses(Function))
               for name in ("forward", "backward") if name in cls.__dict__]
    for cls, name, method in patched:
        setattr(cls, name, timed_method(f"{cls.__name__}.{name}", method))
    np.matmul = counted_matmul
    try:
        steps = alternate([timed(ours), timed(theirs)], samples, warmup=0)
    finally:
        np.matmul = plain_matmul
        for cls, name, method in patched:
            setattr(cls, name, method)
    taken = samples
    ours_ms, theirs_ms = (statistics.median(s) * 1e3 for s in steps)
    print(f"{key}: one step, median of {samples}: minigrad {ours_ms:.1f} ms, torch "
          f"{theirs_ms:.1f} ms ({ours_ms / theirs_ms:.2f}x); load average {load_average()}")
    print(f"\nminigrad, own time per step by op (ms), top {top}:")
    ranked = sorted(own.items(), key=lambda kv: -kv[1])
    for label, seconds in ranked[:top]:
        print(f"  {label:32s} {seconds / taken * 1e3:7.2f}")
    conv = sum(v for k, v in own.items() if k.split(".")[0] in CONV_OPS) / taken * 1e3
    print(f"  conv ops together ({', '.join(CONV_OPS)}): {conv:.1f} ms "
          f"= {conv / theirs_ms:.2f}x torch's whole step")
    print(f"  inside np.matmul (BLAS): {blas[0] / taken * 1e3:.1f} ms, "
          f"{blas[1] / taken / 1e9:.2f} GFLOP at {blas[1] / max(blas[0], 1e-9) / 1e9:.0f} GFLOP/s")
    with torch_profile() as prof:
        for _ in range(samples):
            time.sleep(PAUSE_BEFORE_PROFILED_STEP)
            theirs()
    events = sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)
    print(f"\ntorch, profiler self CPU per step by op (ms), top {top}:")
    for event in events[:top]:
        print(f"  {event.key:32s} {event.self_cpu_time_total / samples / 1e3:7.2f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default=",".join(r.key for r in ROWS),
                        help="comma-separated: " + ", ".join(r.key for r in ROWS))
    parser.add_argument("--repeat", type=int, help="samples per row (default: per row)")
    parser.add_argument("--quick", action="store_true", help="3 samples per row: a smoke test")
    parser.add_argument("--profile", metavar="ROW", help="cProfile minigrad's side of ROW instead")
    parser.add_argument("--breakdown", metavar="ROW",
                        help="where one step of ROW goes, per op, in both frameworks, instead")
    parser.add_argument("--memory-child", choices=["minigrad", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(args.memory_child)
        return
    for option, key in (("--profile", args.profile), ("--breakdown", args.breakdown)):
        runnable = [r.key for r in ROWS if r.make is not None]
        if key is not None and key not in runnable:
            parser.error(f"{option} takes one of {runnable}, got {key!r}")
    torch = _torch()
    if args.profile:
        profile(torch, args.profile)
        return
    if args.breakdown:
        breakdown(torch, args.breakdown)
        return
    keys = [k.strip() for k in args.rows.split(",") if k.strip()]
    unknown = [k for k in keys if k not in ROW_BY_KEY]
    if unknown:
        parser.error(f"unknown row(s) {unknown}; choose from {list(ROW_BY_KEY)}")

    print("\n".join(machine_info(torch)))
    print("\nSame weights and data in both; first losses (training rows: two steps, dropout "
          "off) minigrad vs torch:")
    for key in keys:
        if key != "memory":
            pairs, rel = check_row(torch, ROW_BY_KEY[key])
            shown = ", ".join(f"{a:.6g} vs {b:.6g}" for a, b in pairs)
            print(f"  {key:9s} {shown}  rel diff {rel:.1e} {'ok' if rel <= 1e-4 else 'MISMATCH'}")

    results, notes = [], []
    started = time.perf_counter()
    for key in keys:
        row = ROW_BY_KEY[key]
        samples = args.repeat or (3 if args.quick else row.samples)
        if row.key == "chain100k" and args.quick:
            samples = 1
        values, row_notes = measure(torch, row, samples)
        results.append((row, samples, values))
        notes += row_notes
        print(f"  measured {key} ({samples} samples) at {time.perf_counter() - started:.0f} s, "
              f"load average {load_average()}", file=sys.stderr)

    print(f"\nfloat32, medians of interleaved samples (minigrad, torch, ...), each after a "
          f"pause; ratio = minigrad / torch; load average now {load_average()}\n")
    print("| work | minigrad ms | torch ms | ratio | target |")
    print("|---|---|---|---|---|")
    for row, samples, (ours, theirs) in results:
        ratio = ours / theirs
        mark = "ok" if ratio <= row.target else "MISS"
        unit = " MB" if row.unit == "MB" else ""
        print(f"| {row.work} [{samples} samples] | {ours:.1f}{unit} | {theirs:.1f}{unit} | "
              f"{ratio:.2f}x | <= {row.target:g}x {mark} |")
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
