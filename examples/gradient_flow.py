"""Gradient flow: the same small CNN with sigmoid and with ReLU activations.

    python examples/gradient_flow.py                 # writes runs/gradient_flow/gradient_flow_*.svg
    python examples/gradient_flow.py --out-dir docs  # refreshes the README's copies

One batch of MNIST, one forward and one backward per network, no training. Each
graph is drawn with ``show_grad=True``: every layer is coloured by the L2 norm of
the gradient at its output (darker = larger, near-white = vanishing), all-zero
gradients are grey and NaN/inf red. The printed table is the same numbers.

What to look for, the two pathologies every CNN primer warns about:

* sigmoid: its slope is at most 1/4, so each sigmoid layer shrinks the gradient
  passing back through it; the first layers get gradients orders of magnitude
  smaller than the last (they barely learn).
* ReLU: the gradient passes unchanged where the unit is active and is exactly
  zero where it is not; the "zero" column shows how much of each layer's gradient
  is blocked by inactive units. The "inactive" column counts units that output zero
  for every image of this one batch, at initialisation: that is not the same as
  dead. A dead unit is inactive for *every* input, so its gradient is always zero
  and it never learns again; examples/pathologies.py measures that on held-out
  images after training (a large learning rate kills most of the deep units).
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.datasets import MNIST

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import visualize  # noqa: E402  (the repository's visualize package, also when not installed)


def small_cnn(activation):
    """Three 3x3 conv layers and two linear layers, ``activation`` after each but the last."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), activation(), nn.MaxPool2d(2),     # 28 -> 14
        nn.Conv2d(8, 8, 3, padding=1), activation(), nn.MaxPool2d(2),     # 14 -> 7
        nn.Conv2d(8, 8, 3, padding=1), activation(),
        nn.Flatten(),
        nn.Linear(8 * 7 * 7, 32), activation(),
        nn.Linear(32, 10),
    )


def one_backward(activation, images, labels):
    """Same initial weights for both networks (same seed), one backward pass."""
    mg.manual_seed(0)
    model = small_cnn(activation)
    loss = F.cross_entropy(model(images), labels)
    visualize.record_grads(loss)          # keep each layer's gradient statistics
    loss.backward()
    return model, {"loss": loss}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", default=os.path.join("runs", "gradient_flow"),
                        help="where to write the SVGs (docs/ holds the README's copies)")
    parser.add_argument("--batch", type=int, default=32, help="images in the batch")
    args = parser.parse_args(argv)

    images, labels = MNIST(train=True).get_batch(np.arange(args.batch))
    images = mg.from_numpy(np.asarray(images, dtype=np.float32))
    labels = np.asarray(labels)

    os.makedirs(args.out_dir, exist_ok=True)
    rows = {}
    for name, activation in (("sigmoid", nn.Sigmoid), ("relu", nn.ReLU)):
        model, outputs = one_backward(activation, images, labels)
        path = os.path.join(args.out_dir, f"gradient_flow_{name}.svg")
        try:
            written = visualize.render(outputs, params=model, path=path, show_grad=True,
                                       collapse=True, title=f"{name} CNN: gradient norms "
                                       "after one backward pass")
        except visualize.GraphvizMissingError as e:
            written = visualize.render(outputs, params=model, path=path[:-4] + ".dot",
                                       show_grad=True, collapse=True)
            print(e, file=sys.stderr)
        print(f"wrote {written}")
        rows[name] = visualize.report.grad_rows(outputs, params=model)

    inactive = inactive_units(model, images)      # model is the ReLU one here
    print()
    print("gradient L2 norm at each layer's output (input side first) and of its weight;")
    print("zero = share of exactly-zero entries in the ReLU net's output gradient (max-pool")
    print("routes it to 1 input in 4, inactive ReLUs block it); inactive = units of an activation")
    print("layer that are zero for every image of this batch at initialisation (not 'dead':")
    print("see examples/pathologies.py for units dead on all held-out images after training)")
    print()
    header = (f"{'layer':<6}{'type':<10}{'sigmoid out':>12}{'weight':>10}   "
              f"{'relu out':>10}{'weight':>10}{'zero':>6}{'inactive':>9}")
    print(header)
    print("-" * len(header))
    for i, (sig, relu) in enumerate(zip(rows["sigmoid"], rows["relu"])):
        def cells(row, width):
            weight = dict(row["params"]).get("weight")
            return (f"{row['output_grad'].norm:>{width}.2e}"
                    + (f"{weight.norm:>10.2e}" if weight is not None else " " * 10))
        kind = "act" if relu["type"] == "ReLU" else relu["type"]
        dead_text = f"{inactive[relu['module']]:.0%}" if relu["module"] in inactive else ""
        print(f"{relu['module']:<6}{kind:<10}{cells(sig, 12)}   {cells(relu, 10)}"
              f"{relu['output_grad'].zero_fraction:>6.0%}{dead_text:>9}")
    for name in ("sigmoid", "relu"):
        first = dict(rows[name][0]["params"])["weight"].norm
        last = dict(rows[name][-1]["params"])["weight"].norm
        print(f"{name:>8}: last layer's weight gradient / first conv's = {last / first:,.1f}")


def inactive_units(model, images):
    """For each ReLU layer of a Sequential: the share of its units (channel and
    position) that output zero for every image of the batch. Inactive on one batch
    is not dead (zero for every input): see examples/pathologies.py."""
    shares = {}
    x = images
    with mg.no_grad():
        for name, layer in model.named_children():
            x = layer(x)
            if isinstance(layer, nn.ReLU):
                shares[name] = float(np.mean(np.all(x.numpy() == 0, axis=0)))
    return shares


if __name__ == "__main__":
    main()
