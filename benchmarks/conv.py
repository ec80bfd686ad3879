"""Convolution and pooling speed against PyTorch CPU, in one process.

    python benchmarks/conv.py [--samples 30] [--no-memory]

Measures (float32, medians of interleaved samples, single runs and steady state):
  * conv2d forward + backward: x 64x16x32x32, w 32x16x3x3, padding 1;
  * max_pool2d 2x2 forward + backward on 64x32x32x32;
  * one LeNet-5 training step (batch 64, 1x28x28: conv 6@5x5 pad 2, relu, maxpool,
    conv 16@5x5, relu, maxpool, linear 400-120-84-10, cross entropy, SGD), written
    with the functional API, raw parameter tensors and a hand-written SGD update;
and the peak memory of 50 LeNet steps (each framework in its own child process).

Samples of the two frameworks alternate with a pause, and the BLAS kernel and
load average are printed with the results (see benchmarks/_common.py for why).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import numpy as np

# _common also puts this tree's root on sys.path, so it comes before minigrad.
from _common import PAUSE, interleaved, load_average, machine_info, peak_rss_mb

import minigrad as mg  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402


# -- the workloads -------------------------------------------------------------------

def conv_workloads(torch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 16, 32, 32), dtype=np.float32)
    w = rng.standard_normal((32, 16, 3, 3), dtype=np.float32) * 0.1
    b = rng.standard_normal(32, dtype=np.float32)
    X, Wt, B = (mg.Tensor(a, requires_grad=True) for a in (x, w, b))
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))

    def ours():
        X.grad = Wt.grad = B.grad = None
        F.conv2d(X, Wt, B, padding=1).sum().backward()

    def theirs():
        tx.grad = tw.grad = tb.grad = None
        torch.nn.functional.conv2d(tx, tw, tb, padding=1).sum().backward()
    return ours, theirs


def pool_workloads(torch):
    x = np.random.default_rng(1).standard_normal((64, 32, 32, 32), dtype=np.float32)
    X = mg.Tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)

    def ours():
        X.grad = None
        F.max_pool2d(X, 2).sum().backward()

    def theirs():
        tx.grad = None
        torch.nn.functional.max_pool2d(tx, 2).sum().backward()
    return ours, theirs


LENET_SHAPES = [("conv1.weight", (6, 1, 5, 5)), ("conv1.bias", (6,)),
                ("conv2.weight", (16, 6, 5, 5)), ("conv2.bias", (16,)),
                ("fc1.weight", (120, 400)), ("fc1.bias", (120,)),
                ("fc2.weight", (84, 120)), ("fc2.bias", (84,)),
                ("fc3.weight", (10, 84)), ("fc3.bias", (10,))]


def lenet_init(seed=0):
    """PyTorch's default init (uniform +-1/sqrt(fan_in)), the same numbers for both."""
    rng = np.random.default_rng(seed)
    params = {}
    for name, shape in LENET_SHAPES:
        fan_in = int(np.prod(LENET_SHAPES[[n for n, _ in LENET_SHAPES].index(
            name.replace("bias", "weight"))][1][1:]))
        bound = 1 / np.sqrt(fan_in)
        params[name] = rng.uniform(-bound, bound, shape).astype(np.float32)
    return params


def lenet_batch(seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((64, 1, 28, 28), dtype=np.float32),
            rng.integers(0, 10, 64))


def minigrad_lenet(lr=0.01):
    p = {k: mg.Tensor(v, requires_grad=True) for k, v in lenet_init().items()}
    x, y = lenet_batch()
    x = mg.Tensor(x)

    def step():
        h = F.max_pool2d(F.relu(F.conv2d(x, p["conv1.weight"], p["conv1.bias"], padding=2)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, p["conv2.weight"], p["conv2.bias"])), 2)
        h = h.flatten(1)
        h = F.relu(F.linear(h, p["fc1.weight"], p["fc1.bias"]))
        h = F.relu(F.linear(h, p["fc2.weight"], p["fc2.bias"]))
        loss = F.cross_entropy(F.linear(h, p["fc3.weight"], p["fc3.bias"]), y)
        loss.backward()
        with mg.no_grad():          # plain SGD, by hand
            for t in p.values():
                t.data -= lr * t.grad.data
                t.grad = None
        return loss.item()
    return step


def torch_lenet(torch, lr=0.01):
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                          nn.Linear(84, 10))
    init = lenet_init()
    names = {"0": "conv1", "3": "conv2", "7": "fc1", "9": "fc2", "11": "fc3"}
    with torch.no_grad():
        for name, t in model.named_parameters():
            layer, kind = name.split(".")
            t.copy_(torch.tensor(init[f"{names[layer]}.{kind}"]))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    x, y = lenet_batch()
    x, y = torch.tensor(x), torch.tensor(y)

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()
    return step


# -- measuring -----------------------------------------------------------------------

def peak_memory_child(framework):
    """Run 50 LeNet steps; print JSON with the peak RSS before and after them (and
    tracemalloc's peak of numpy allocations during them, for minigrad)."""
    import tracemalloc
    if framework == "torch":
        import torch
        step = torch_lenet(torch)
    else:
        step = minigrad_lenet()
    step()
    base = peak_rss_mb()
    if framework == "minigrad":
        tracemalloc.start()
    for _ in range(50):
        step()
    result = {"rss_peak_mb": peak_rss_mb(), "rss_growth_mb": peak_rss_mb() - base}
    if framework == "minigrad":
        result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2 ** 20
    print(json.dumps(result))


def peak_memory(framework):
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--memory-child", framework],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--memory-child", choices=["minigrad", "torch"])
    args = parser.parse_args()
    if args.memory_child:
        peak_memory_child(args.memory_child)
        return

    import torch
    print("\n".join(machine_info(torch)))
    rows = []
    for name, make in (("conv2d fwd+bwd 64x16x32x32 * 32x16x3x3 pad 1", conv_workloads),
                       ("max_pool2d 2x2 fwd+bwd 64x32x32x32", pool_workloads),
                       ("LeNet-5 train step, batch 64",
                        lambda torch: (minigrad_lenet(), torch_lenet(torch)))):
        ours, theirs = make(torch)
        rows.append((name, interleaved(ours, theirs, args.samples, burst=1),
                     interleaved(ours, theirs, max(1, args.samples // 3), burst=4)))

    print(f"\nfloat32, medians. 'single': one run right after a {PAUSE}s pause, {args.samples} "
          f"samples each;\n'steady': runs 2-4 of 4 in a row after the pause, "
          f"{max(1, args.samples // 3)} samples each.")
    print(f"{'benchmark':46s} {'minigrad':>9s} {'torch':>9s} {'ratio':>6s}   "
          f"{'minigrad':>9s} {'torch':>9s} {'ratio':>6s}")
    print(f"{'':46s} {'-- single --':>26s}   {'-- steady --':>26s}")
    for name, (a, b), (c, d) in rows:
        print(f"{name:46s} {a * 1e3:7.2f}ms {b * 1e3:7.2f}ms {a / b:5.2f}x   "
              f"{c * 1e3:7.2f}ms {d * 1e3:7.2f}ms {c / d:5.2f}x")

    print(f"load average after: {load_average()}")
    if not args.no_memory:
        print("\npeak memory of 50 LeNet-5 steps (separate processes):")
        for framework in ("minigrad", "torch"):
            m = peak_memory(framework)
            extra = (f", numpy arrays peak (tracemalloc) {m['traced_peak_mb']:.1f} MB"
                     if "traced_peak_mb" in m else "")
            print(f"  {framework:9s} max RSS {m['rss_peak_mb']:.0f} MB (grew "
                  f"{m['rss_growth_mb']:.1f} MB during the 50 steps){extra}")


if __name__ == "__main__":
    main()
