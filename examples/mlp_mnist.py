"""A small multi-layer perceptron on MNIST: 784 -> 256 -> 128 -> 10, SGD with
Nesterov momentum. No convolutions, so it is quick (a few seconds per epoch on 2 cores).

    python examples/mlp_mnist.py --epochs 3
"""
from __future__ import annotations

import argparse
import os
import sys

import minigrad as mg
from minigrad import nn, optim

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_mnist import example_batch, fit, mnist_loaders  # noqa: E402,F401  (shared; example_batch serves python -m visualize)


def build_model(hidden=(256, 128)):
    layers, width = [nn.Flatten()], 28 * 28
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    layers.append(nn.Linear(width, 10))
    return nn.Sequential(*layers)


def main(argv=None, log=print):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--data", default=None)
    parser.add_argument("--train-subset", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("runs", "mlp"))
    args = parser.parse_args(argv)

    mg.manual_seed(args.seed)
    train_loader, test_loader = mnist_loaders(args.data, args.batch_size, args.train_subset,
                                              args.seed)
    model = build_model()
    log(model)
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True,
                          weight_decay=1e-4)
    history = fit(model, train_loader, test_loader, args.epochs, optimizer, log)
    log(f"final test accuracy: {history[-1]['test_acc']:.2%}")
    os.makedirs(args.out, exist_ok=True)
    mg.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()},
            os.path.join(args.out, "checkpoint.npz"))
    return model, history


if __name__ == "__main__":
    main()
