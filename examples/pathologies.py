"""Two pathologies every CNN primer warns about, measured as they happen.

    python examples/pathologies.py                   # ~150 SGD steps per run, plots in runs/pathologies/
    python examples/pathologies.py --out-dir docs    # refreshes the copies docs/ links to

The network is the small CNN of examples/gradient_flow.py (three 3x3 conv layers,
two fully connected layers, an activation after each but the last: four
activation layers).

(a) Dying ReLUs. The same ReLU network, from the same initial weights, is trained
    with plain SGD at a large learning rate (2.0) and at a small one (0.05), on the
    same batches. Afterwards each ReLU unit (a channel at one position for a conv
    layer, one neuron for a fully connected layer) is checked on HELD-OUT test
    images: a unit is *dead* when it outputs zero for every one of them. A unit
    that is zero on one batch, or at initialisation, is merely inactive there;
    dead means its gradient is zero for every input, so SGD can never revive it.

(b) Saturated sigmoids. For the sigmoid network, the share of pre-activations
    with |z| > 4, where sigmoid'(z) = s(1 - s) < 0.018 (at most 1/14 of its
    largest value 1/4): a gradient passing back through such a unit is all but
    stopped. Shown per layer at initialisation and after training at the large
    learning rate, next to the weight-gradient norm of each layer (the decay
    with depth that examples/gradient_flow.py draws).

matplotlib is optional: without it the numbers are printed and the plots skipped.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # examples/, for gradient_flow
import minigrad as mg  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402
from minigrad import nn, optim  # noqa: E402
from minigrad.datasets import MNIST  # noqa: E402
from gradient_flow import small_cnn  # noqa: E402  (the same network, from examples/)

SATURATED = 4.0          # |z| > 4  =>  sigmoid'(z) < 0.0177


def data(steps, batch, held_out, seed):
    rng = np.random.default_rng(seed)
    train = MNIST(train=True)
    order = rng.choice(len(train), steps * batch, replace=False)
    images, labels = train.get_batch(order)
    test = MNIST(train=False)
    test_images, test_labels = test.get_batch(np.arange(held_out))
    return images, labels, test_images, test_labels


def train(activation, lr, images, labels, steps, batch, seed):
    """Plain SGD (no momentum), the same initial weights and batches for every lr.
    Returns the model and the loss of every step."""
    mg.manual_seed(seed)
    model = small_cnn(activation)
    opt = optim.SGD(model.parameters(), lr=lr)
    losses = []
    for step in range(steps):
        xb = mg.tensor(images[step * batch:(step + 1) * batch])
        loss = F.cross_entropy(model(xb), labels[step * batch:(step + 1) * batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return model, losses


def activation_layers(model, images, kind):
    """Per activation layer of ``kind`` (by module name): its input z and output a
    on ``images``, computed layer by layer without a graph."""
    out = {}
    x = mg.tensor(images)
    with mg.no_grad():
        for name, layer in model.named_children():
            y = layer(x)
            if isinstance(layer, kind):
                out[name] = (x.numpy(), y.numpy())
            x = y
    return out


def dead_shares(model, images):
    """For each ReLU layer: the share of its units that output zero on every image."""
    return {name: float(np.mean(np.all(a == 0, axis=0)))
            for name, (_, a) in activation_layers(model, images, nn.ReLU).items()}


def saturated_shares(model, images):
    """For each sigmoid layer: the share of pre-activations (units x images) with |z| > 4."""
    return {name: float(np.mean(np.abs(z) > SATURATED))
            for name, (z, _) in activation_layers(model, images, nn.Sigmoid).items()}


def weight_grad_norms(model, images, labels):
    """L2 norm of each conv/linear layer's weight gradient after one backward."""
    model.zero_grad()
    F.cross_entropy(model(mg.tensor(images)), labels).backward()
    return {name: float(np.linalg.norm(layer.weight.grad.numpy()))
            for name, layer in model.named_children() if isinstance(layer, (nn.Conv2d, nn.Linear))}


def accuracy(model, images, labels):
    with mg.no_grad():
        return float(np.mean(model(mg.tensor(images)).argmax(axis=1).numpy() == labels))


def run(steps=150, batch=32, held_out=1000, big_lr=2.0, small_lr=0.05, seed=0, log=print):
    images, labels, test_images, test_labels = data(steps, batch, held_out, seed)
    result = {"steps": steps, "big_lr": big_lr, "small_lr": small_lr, "held_out": held_out}

    log(f"(a) ReLU network, plain SGD, {steps} steps of {batch} images, same start and batches")
    for key, lr in (("big", big_lr), ("small", small_lr)):
        model, losses = train(nn.ReLU, lr, images, labels, steps, batch, seed)
        result[f"relu_{key}_dead"] = dead_shares(model, test_images)
        result[f"relu_{key}_losses"] = losses
        result[f"relu_{key}_acc"] = accuracy(model, test_images, test_labels)
    mg.manual_seed(seed)
    result["relu_init_dead"] = dead_shares(small_cnn(nn.ReLU), test_images)
    log(f"    dead = outputs zero on all {held_out} held-out test images")
    log(f"    {'layer':<8}{'at init':>9}{f'lr {small_lr:g}':>10}{f'lr {big_lr:g}':>10}")
    for name in result["relu_big_dead"]:
        log(f"    {name:<8}{result['relu_init_dead'][name]:>9.0%}"
            f"{result['relu_small_dead'][name]:>10.0%}{result['relu_big_dead'][name]:>10.0%}")
    log(f"    held-out accuracy: lr {small_lr:g} {result['relu_small_acc']:.1%}, "
        f"lr {big_lr:g} {result['relu_big_acc']:.1%}")

    log(f"(b) sigmoid network: share of pre-activations with |z| > {SATURATED:g} "
        "(sigmoid' < 0.018), held-out images")
    mg.manual_seed(seed)
    sig_init = small_cnn(nn.Sigmoid)
    mg.manual_seed(seed)
    relu_init = small_cnn(nn.ReLU)
    result["sigmoid_init_saturated"] = saturated_shares(sig_init, test_images)
    sig_big, sig_losses = train(nn.Sigmoid, big_lr, images, labels, steps, batch, seed)
    result["sigmoid_big_saturated"] = saturated_shares(sig_big, test_images)
    result["sigmoid_big_losses"] = sig_losses
    probe = slice(0, min(held_out, 64))
    result["sigmoid_grad_norms"] = weight_grad_norms(sig_init, test_images[probe], test_labels[probe])
    result["relu_grad_norms"] = weight_grad_norms(relu_init, test_images[probe], test_labels[probe])
    log(f"    {'layer':<8}{'at init':>9}{f'after lr {big_lr:g}':>15}")
    for name in result["sigmoid_init_saturated"]:
        log(f"    {name:<8}{result['sigmoid_init_saturated'][name]:>9.1%}"
            f"{result['sigmoid_big_saturated'][name]:>15.1%}")
    log("    weight-gradient norm at initialisation, input side first (one backward, "
        f"{probe.stop} images):")
    log(f"    {'layer':<8}{'sigmoid':>11}{'relu':>11}")
    for name in result["sigmoid_grad_norms"]:
        log(f"    {name:<8}{result['sigmoid_grad_norms'][name]:>11.2e}"
            f"{result['relu_grad_norms'][name]:>11.2e}")
    return result


def plot(result, out_dir, log=print):
    """docs/dying_relu.png and docs/sigmoid_saturation.png; None without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib is not installed: plots skipped (pip install -e '.[examples]')")
        return None
    os.makedirs(out_dir, exist_ok=True)
    paths = []

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    names = list(result["relu_big_dead"])
    x = np.arange(len(names))
    for offset, key, label in ((-0.27, "init", "at initialisation"),
                               (0.0, "small", f"SGD lr {result['small_lr']:g}"),
                               (0.27, "big", f"SGD lr {result['big_lr']:g}")):
        ax1.bar(x + offset, [100 * result[f"relu_{key}_dead"][n] for n in names], 0.27,
                label=label)
    ax1.set_xticks(x, [f"ReLU {i + 1}\n(layer {n})" for i, n in enumerate(names)])
    ax1.set_ylabel(f"% units dead on all {result['held_out']} held-out images")
    ax1.set_ylim(0, 100)
    ax1.legend(fontsize=8)
    ax1.set_title(f"Dead ReLUs after {result['steps']} SGD steps")
    for key in ("small", "big"):
        ax2.plot(result[f"relu_{key}_losses"], label=f"lr {result[f'{key}_lr']:g}")
    ax2.set_xlabel("step")
    ax2.set_ylabel("training loss (batch)")
    ax2.set_title("Training loss")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    paths.append(os.path.join(out_dir, "dying_relu.png"))
    fig.savefig(paths[-1], dpi=90)
    plt.close(fig)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    names = list(result["sigmoid_init_saturated"])
    x = np.arange(len(names))
    ax1.bar(x - 0.2, [100 * result["sigmoid_init_saturated"][n] for n in names], 0.4,
            label="at initialisation")
    ax1.bar(x + 0.2, [100 * result["sigmoid_big_saturated"][n] for n in names], 0.4,
            label=f"after {result['steps']} steps, lr {result['big_lr']:g}")
    ax1.set_xticks(x, [f"sigmoid {i + 1}\n(layer {n})" for i, n in enumerate(names)])
    ax1.set_ylabel(f"% of pre-activations with |z| > {SATURATED:g}")
    ax1.set_ylim(0, 100)
    ax1.legend(fontsize=8)
    ax1.set_title("Saturated sigmoids (sigmoid' < 0.018)")
    layers = list(result["sigmoid_grad_norms"])
    ax2.semilogy([result["sigmoid_grad_norms"][n] for n in layers], "o-", label="sigmoid")
    ax2.semilogy([result["relu_grad_norms"][n] for n in layers], "s-", label="ReLU")
    ax2.set_xticks(range(len(layers)), [f"layer {n}" for n in layers])
    ax2.set_ylabel("weight-gradient L2 norm")
    ax2.set_title("Gradient norm by depth at initialisation (input side left)")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    paths.append(os.path.join(out_dir, "sigmoid_saturation.png"))
    fig.savefig(paths[-1], dpi=90)
    plt.close(fig)
    for p in paths:
        log(f"wrote {p}")
    return paths


def main(argv=None, log=print):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=150, help="SGD steps per run")
    parser.add_argument("--batch", type=int, default=32, help="images per step")
    parser.add_argument("--held-out", type=int, default=1000, help="test images for the measurements")
    parser.add_argument("--big-lr", type=float, default=2.0)
    parser.add_argument("--small-lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out-dir", default=os.path.join("runs", "pathologies"),
                        help="where to write the plots (docs/ holds the copies the docs link to)")
    parser.add_argument("--no-plot", action="store_true", help="print the numbers only")
    args = parser.parse_args(argv)
    result = run(args.steps, args.batch, args.held_out, args.big_lr, args.small_lr, args.seed, log)
    result["plots"] = None if args.no_plot else plot(result, args.out_dir, log)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
