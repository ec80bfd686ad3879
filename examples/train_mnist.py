"""Train a LeNet-style CNN on MNIST with minigrad: the README's main job.

    python examples/train_mnist.py                       # >= 99% test accuracy in under a minute
    python examples/train_mnist.py --epochs 8 --batch-size 64 --lr 2e-3  # about 99.3%

The default recipe: LeNet with doubled conv channels (12/32, ``--width 2``), batch
128, Adam lr 3e-3 decayed to 0 by a cosine schedule over 2 epochs: 99.10% on the
test set in about 40 s (3 epochs give 99.23% but take about 58 s; LeNet-5's 6/16
channels reach 99.07-99.11% in 3 epochs). Run as a script, numpy's BLAS gets one
thread unless OPENBLAS_NUM_THREADS says otherwise: LeNet's matrix products are
small, and on a machine shared with other jobs a step waited for the second BLAS
thread 4-9x longer than it computed.

Needs no network: the MNIST files ship with minigrad (``--data DIR`` reads another
copy). Writes to ``--out`` (default runs/mnist/): ``checkpoint.npz`` (model and
optimizer state, via minigrad.save), ``history.json``, ``curves.png`` (when
matplotlib is installed) and ``graph.svg``, the model's computation graph (via
``visualize``; ``graph.dot`` when Graphviz is missing).

``build_model()`` and ``example_batch()`` are importable (``python -m visualize
examples/train_mnist.py`` uses them); training runs only when this file is run.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

if __name__ == "__main__":   # before numpy loads OpenBLAS, which reads it once
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402
from minigrad import nn, optim  # noqa: E402
from minigrad.data import DataLoader, Subset  # noqa: E402
from minigrad.datasets import MNIST  # noqa: E402


class LeNet(nn.Module):
    """conv 5x5 -> relu -> max-pool 2 -> conv 5x5 -> relu -> max-pool 2 -> three
    fully connected layers. ``width`` scales the two conv layers' channels."""

    def __init__(self, width=1):
        super().__init__()
        c1, c2 = 6 * width, 16 * width
        self.conv1 = nn.Conv2d(1, c1, kernel_size=5, padding=2)   # 28x28 -> 28x28
        self.conv2 = nn.Conv2d(c1, c2, kernel_size=5)             # 14x14 -> 10x10
        self.fc1 = nn.Linear(c2 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        # Define-by-run: the graph is whatever this Python code does.
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)   # -> (N, c1, 14, 14)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)   # -> (N, c2, 5, 5)
        x = x.flatten(1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)                           # logits (N, 10)


def build_model(width=1):
    """LeNet-5 (6/16 conv channels) by default; the script trains ``--width 2``."""
    return LeNet(width)


def example_batch(batch_size=8, train=False, root=None):
    """(images, labels) tensors: the first ``batch_size`` MNIST images, normalised as
    in training (so a drawn graph's values and gradients are the trained model's)."""
    dataset = MNIST(root=root, train=train, normalize=True)
    images, labels = dataset.get_batch(np.arange(batch_size))
    return mg.from_numpy(images), mg.from_numpy(labels)


class Progress:
    """A tqdm bar when tqdm is installed; otherwise one plain line, rewritten."""

    def __init__(self, total, desc):
        self.total, self.desc, self.count, self.last = total, desc, 0, 0.0
        try:
            from tqdm import tqdm
            self.bar = tqdm(total=total, desc=desc, leave=False, dynamic_ncols=True)
        except ImportError:
            self.bar = None

    def update(self, loss):
        self.count += 1
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
        elif time.perf_counter() - self.last > 1.0 or self.count == self.total:
            self.last = time.perf_counter()
            print(f"\r{self.desc} {self.count}/{self.total} loss {loss:.4f}", end="",
                  file=sys.stderr, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()
        else:
            print("\r" + " " * 60 + "\r", end="", file=sys.stderr, flush=True)


def train_epoch(model, loader, optimizer, scheduler=None, desc="train"):
    """One pass over ``loader``; returns (mean loss, accuracy). ``scheduler`` (if
    given) steps after every batch."""
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    progress = Progress(len(loader), desc)
    for images, labels in loader:
        logits = model(images)
        loss = F.cross_entropy(logits, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        n = len(labels)
        total_loss += loss.item() * n
        correct += int((logits.data.argmax(axis=1) == labels.data).sum())
        seen += n
        progress.update(loss.item())
    progress.close()
    return total_loss / seen, correct / seen


@mg.no_grad()
def evaluate(model, loader):
    """(mean loss, accuracy) over ``loader`` in eval mode, without recording a graph."""
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    for images, labels in loader:
        logits = model(images)
        total_loss += F.cross_entropy(logits, labels, reduction="sum").item()
        correct += int((logits.data.argmax(axis=1) == labels.data).sum())
        seen += len(labels)
    return total_loss / seen, correct / seen


def mnist_loaders(data=None, batch_size=64, train_subset=0, seed=0, normalize=True):
    """Shuffled training loader (optionally a random subset) and the 10k test loader."""
    train_set = MNIST(root=data, train=True, normalize=normalize)
    test_set = MNIST(root=data, train=False, normalize=normalize)
    if train_subset:
        pick = np.random.default_rng(seed).permutation(len(train_set))[:train_subset]
        train_set = Subset(train_set, np.sort(pick))
    return (DataLoader(train_set, batch_size, shuffle=True, seed=seed),
            DataLoader(test_set, 1000))


def fit(model, train_loader, test_loader, epochs, optimizer, log=print):
    """Train for ``epochs`` with a cosine learning-rate decay over all batches;
    log per-epoch loss, accuracy and time; return the history."""
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * len(train_loader))
    history = []
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        train_loss, train_acc = train_epoch(model, train_loader, optimizer, scheduler,
                                            desc=f"epoch {epoch}/{epochs}")
        seconds = time.perf_counter() - start
        test_loss, test_acc = evaluate(model, test_loader)
        history.append(dict(epoch=epoch, train_loss=train_loss, train_acc=train_acc,
                            test_loss=test_loss, test_acc=test_acc, seconds=seconds))
        log(f"epoch {epoch:2d}/{epochs}  train loss {train_loss:.4f}  acc {train_acc:.2%}  |  "
            f"test loss {test_loss:.4f}  acc {test_acc:.2%}  |  {seconds:.1f}s")
    return history


def plot_history(history, path):
    """Loss and accuracy curves to ``path``; returns False when matplotlib is missing."""
    try:
        import matplotlib
        import matplotlib.ticker
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    epochs = [h["epoch"] for h in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    for split in ("train", "test"):
        ax_loss.plot(epochs, [h[f"{split}_loss"] for h in history], marker="o", label=split)
        ax_acc.plot(epochs, [100 * h[f"{split}_acc"] for h in history], marker="o", label=split)
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", title="loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def draw_graph(model, out_dir, log=print):
    """Render the computation graph of one training step's loss. Returns the path
    written: graph.svg, or graph.dot (DOT text) when Graphviz is not installed."""
    try:
        import visualize
    except ImportError:
        # Not installed (e.g. an older editable install): use the checkout's copy.
        sys.path.append(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        try:
            import visualize
        except ImportError:
            log("graph: the visualize package is not importable (pip install -e .); skipped")
            return None
    model.train()
    images, labels = example_batch(8)
    loss = F.cross_entropy(model(images), labels)
    svg = os.path.join(out_dir, "graph.svg")
    try:
        return visualize.render(loss, params=model, path=svg, format="svg")
    except RuntimeError as exc:   # visualize.GraphvizMissingError: no `dot` program
        dot = os.path.join(out_dir, "graph.dot")
        with open(dot, "w") as f:
            f.write(visualize.to_dot(loss, params=model))
        log(f"graph: {exc}\ngraph: wrote the DOT text to {dot} instead; install Graphviz "
            "(apt install graphviz / brew install graphviz) and run "
            f"`dot -Tsvg {dot} -o {svg}`")
        return dot


def main(argv=None, log=print):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=3e-3, help="Adam's learning rate "
                        "(decayed to 0 by a cosine schedule)")
    parser.add_argument("--width", type=int, default=2,
                        help="multiply the conv channels (6, 16) by this")
    parser.add_argument("--data", default=None,
                        help="folder with the MNIST IDX files (default: the copy in minigrad)")
    parser.add_argument("--train-subset", type=int, default=0,
                        help="train on this many random images (0: all 60,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("runs", "mnist"))
    parser.add_argument("--no-graph", action="store_true", help="skip drawing the graph")
    args = parser.parse_args(argv)

    mg.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    train_loader, test_loader = mnist_loaders(args.data, args.batch_size, args.train_subset,
                                              args.seed)
    model = build_model(args.width)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    log(model)
    log(f"{sum(p.numel() for p in model.parameters()):,} parameters; training on "
        f"{len(train_loader.dataset):,} images for {args.epochs} epoch(s), batch "
        f"{args.batch_size}, Adam lr {args.lr} with cosine decay")

    start = time.perf_counter()
    history = fit(model, train_loader, test_loader, args.epochs, optimizer, log)
    wall = time.perf_counter() - start
    final = history[-1]
    log(f"final test accuracy on the {len(test_loader.dataset):,} test images: "
        f"{final['test_acc']:.2%} (loss {final['test_loss']:.4f}); training and "
        f"evaluation took {wall:.0f}s")

    checkpoint = os.path.join(args.out, "checkpoint.npz")
    mg.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
             "epoch": args.epochs, "args": vars(args), "history": history}, checkpoint)
    with open(os.path.join(args.out, "history.json"), "w") as f:
        json.dump({"args": vars(args), "history": history, "wall_seconds": wall}, f, indent=1)
    log(f"saved {checkpoint}")
    curves = os.path.join(args.out, "curves.png")
    log(f"saved {curves}" if plot_history(history, curves)
        else "plot: matplotlib is not installed (pip install matplotlib); skipped")
    if not args.no_graph:
        graph = draw_graph(model, args.out, log)
        if graph:
            log(f"saved {graph}")
    return model, history


if __name__ == "__main__":
    main()
