"""The kernels behind a CNN step, one at a time, against PyTorch CPU in one process.

    python benchmarks/kernels.py [--samples 30]

Each row is one op as it runs inside the models of benchmarks/models.py, with
minigrad's input laid out as minigrad's conv leaves it (batch-last memory) and
PyTorch's as PyTorch's conv leaves it (contiguous NCHW):

  batchnorm      BatchNorm2d(32) in training mode on a 32x32x32x32 batch, forward
  batchnorm_bwd  the same, forward + backward
  channel_sum    a conv output's per-channel sum, 64x64x24x24 (a conv bias gradient)
  conv_dx        conv2d's input gradient at stride 1, 32 -> 32 channels, 3x3, padding 1,
                 on 32x32x32x32 (conv_transpose2d of the output gradient)
  linear_fc1     the MNIST Net's fc1 forward: 64 flattened batch-last activations
                 (9,216 each) times a 128 x 9,216 weight

Each pair's results are compared once before timing; then samples alternate
(minigrad, torch, ...) after a pause, each the median of 5 runs in a row (steady
state), and the table gives medians and ratio = minigrad / torch.
"""
from __future__ import annotations

import argparse
import statistics

import numpy as np

# _common also puts this tree's root on sys.path, so it comes before minigrad.
from _common import alternate, load_average, machine_info, timed

import minigrad as mg  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402
from minigrad import nn  # noqa: E402


def _batch_last(a):
    """An NCHW view of (C, H, W, N) memory: the layout minigrad's conv returns."""
    return np.ascontiguousarray(a.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)


def _normal(shape, seed, scale=1.0):
    return np.random.default_rng(seed).standard_normal(shape, dtype=np.float32) * scale


def batchnorm(torch, backward=False):
    x, g = _normal((32, 32, 32, 32), 0), _normal((32, 32, 32, 32), 1)
    ours_bn, theirs_bn = nn.BatchNorm2d(32), torch.nn.BatchNorm2d(32)
    X = mg.Tensor(_batch_last(x), requires_grad=backward)
    G = mg.Tensor(_batch_last(g))
    tx, tg = torch.tensor(x, requires_grad=backward), torch.tensor(g)

    def ours():
        y = ours_bn(X)
        if backward:
            X.grad = None
            y.backward(G)
            return X.grad.numpy()
        return y.numpy()

    def theirs():
        y = theirs_bn(tx)
        if backward:
            tx.grad = None
            y.backward(tg)
            return tx.grad.numpy()
        return y.detach().numpy()
    return ours, theirs


def channel_sum(torch):
    x = _normal((64, 64, 24, 24), 2)
    X, tx = mg.Tensor(_batch_last(x)), torch.tensor(x)
    return (lambda: X.sum(dim=(0, 2, 3)).numpy()), (lambda: tx.sum(dim=(0, 2, 3)).numpy())


def conv_dx(torch):
    g, w = _normal((32, 32, 32, 32), 3), _normal((32, 32, 3, 3), 4, 0.1)
    G, W = mg.Tensor(_batch_last(g)), mg.Tensor(w)
    tg, tw = torch.tensor(g), torch.tensor(w)
    return (lambda: F.conv_transpose2d(G, W, padding=1).numpy(),
            lambda: torch.nn.functional.conv_transpose2d(tg, tw, padding=1).numpy())


def linear_fc1(torch):
    x, w = _normal((64, 64, 12, 12), 5), _normal((128, 9216), 6, 0.01)
    X, W = mg.Tensor(_batch_last(x)).flatten(1), mg.Tensor(w)
    tx, tw = torch.tensor(x).flatten(1), torch.tensor(w)
    return (lambda: F.linear(X, W).numpy(),
            lambda: torch.nn.functional.linear(tx, tw).numpy())


KERNELS = {
    "batchnorm": ("BatchNorm2d(32) forward, 32x32x32x32", batchnorm),
    "batchnorm_bwd": ("BatchNorm2d(32) forward + backward, 32x32x32x32",
                      lambda torch: batchnorm(torch, backward=True)),
    "channel_sum": ("per-channel sum of 64x64x24x24", channel_sum),
    "conv_dx": ("conv input gradient, stride 1, 32->32, 3x3 pad 1, 32x32x32x32", conv_dx),
    "linear_fc1": ("linear 64 x 9,216 -> 128 (MNIST Net fc1) forward", linear_fc1),
}


def check(torch, key):
    """Largest difference between the two frameworks' results, relative to the largest
    value (float32: both within rounding of each other)."""
    ours, theirs = KERNELS[key][1](torch)
    a, b = np.asarray(ours()), np.asarray(theirs())
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


def main(argv=None):
    import torch
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args(argv)
    print("\n".join(machine_info(torch)))
    print(f"\nfloat32; medians of {args.samples} interleaved samples, each the median of 5 "
          "runs in a row after a pause; ratio = minigrad / torch\n")
    print("| kernel | minigrad ms | torch ms | ratio | results differ by |")
    print("|---|---|---|---|---|")
    for key, (label, make) in KERNELS.items():
        difference = check(torch, key)
        ours, theirs = make(torch)
        a, b = alternate([timed(ours, 5), timed(theirs, 5)], args.samples)
        a, b = statistics.median(a) * 1e3, statistics.median(b) * 1e3
        print(f"| {label} | {a:.2f} | {b:.2f} | {a / b:.2f}x | {difference:.1e} |")
    print(f"\nload average after: {load_average()}")


if __name__ == "__main__":
    main()
