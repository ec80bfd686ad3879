"""A PyTorch-style MNIST script of our own, run by minigrad with only the imports changed.

    python examples/pytorch_mnist.py                       # one epoch, ~98% on the test set
    python examples/pytorch_mnist.py --max-batches 30      # a quick look

Everything a PyTorch user's training script touches is here: a device picked with
``torch.cuda.is_available()``, datasets behind ``transforms.Compose``, ``DataLoader``s, an
``nn.Module`` ending in ``F.log_softmax`` trained with ``F.nll_loss``, ``model.train()`` /
``model.eval()`` with dropout, ``torch.no_grad()`` for testing, an optimizer with a
learning-rate scheduler and ``torch.save(model.state_dict(), ...)``.

The network: a 5x5 convolution (16 channels, padded) and a 3x3 one (32 channels), each
followed by ReLU and 2x2 max pooling, channel dropout, then 1152 -> 96 -> 10. Adam with
an exponential learning-rate decay per epoch.

Swap the import lines for PyTorch's (``torch``, ``torch.nn``, ``torch.nn.functional``,
``torch.optim``, torchvision for the data) and the rest runs unchanged:
tests/examples/test_pytorch_mnist.py runs the same source on both and compares.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import minigrad as torch  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402
import minigrad.optim as optim  # noqa: E402
from minigrad import datasets, transforms  # noqa: E402
from minigrad.optim.lr_scheduler import ExponentialLR  # noqa: E402

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081   # pixel statistics of the MNIST training set


class DigitConvNet(nn.Module):
    def __init__(self, hidden=96, channel_dropout=0.1, hidden_dropout=0.3):
        super().__init__()
        self.edges = nn.Conv2d(1, 16, kernel_size=5, padding=2)    # 28x28 -> 28x28
        self.strokes = nn.Conv2d(16, 32, kernel_size=3)            # 14x14 -> 12x12
        self.channel_dropout = nn.Dropout2d(channel_dropout)
        self.hidden = nn.Linear(32 * 6 * 6, hidden)
        self.hidden_dropout = nn.Dropout(hidden_dropout)
        self.classify = nn.Linear(hidden, 10)

    def forward(self, images):
        x = F.max_pool2d(F.relu(self.edges(images)), 2)
        x = F.max_pool2d(F.relu(self.strokes(x)), 2)
        x = self.channel_dropout(x).flatten(1)
        x = self.hidden_dropout(F.relu(self.hidden(x)))
        return F.log_softmax(self.classify(x), dim=1)


def train_one_epoch(model, device, loader, optimizer, epoch, report_every=20, max_batches=0,
                    log=print):
    """One pass over ``loader`` (or its first ``max_batches`` batches); the losses."""
    model.train()
    losses = []
    for step, (images, labels) in enumerate(loader, start=1):
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = F.nll_loss(model(images), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if step % report_every == 0:
            log(f"epoch {epoch} step {step}: {step * loader.batch_size} of "
                f"{len(loader.dataset)} images, nll {losses[-1]:.5f}")
        if step == max_batches:
            break
    return losses


def evaluate(model, device, loader, max_batches=0, log=print):
    """Mean negative log-likelihood and accuracy over ``loader``."""
    model.eval()
    total_nll, right, seen = 0.0, 0, 0
    with torch.no_grad():
        for step, (images, labels) in enumerate(loader, start=1):
            images, labels = images.to(device), labels.to(device)
            log_probs = model(images)
            total_nll += F.nll_loss(log_probs, labels, reduction="sum").item()
            guesses = log_probs.argmax(dim=1, keepdim=True)
            right += guesses.eq(labels.view_as(guesses)).sum().item()
            seen += labels.size(0)
            if step == max_batches:
                break
    log(f"evaluation: {right}/{seen} digits right ({right / seen:.2%}), "
        f"mean nll {total_nll / seen:.4f}")
    return total_nll / seen, right / seen


def main(argv=None, log=print):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--eval-batch-size", type=int, default=500)
    parser.add_argument("--lr", type=float, default=2e-3, help="Adam's step size")
    parser.add_argument("--lr-decay", type=float, default=0.8, help="learning rate factor per epoch")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--report-every", type=int, default=20, help="batches between log lines")
    parser.add_argument("--max-batches", type=int, default=0,
                        help="stop each epoch and the evaluation after this many batches (0: never)")
    parser.add_argument("--data", default=None,
                        help="a folder with the MNIST files (default: the copy in the package)")
    parser.add_argument("--save", default=None, help="write the trained state dict here")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    to_input = transforms.Compose([transforms.ToTensor(),
                                   transforms.Normalize((MNIST_MEAN,), (MNIST_STD,))])
    train_loader = torch.utils.data.DataLoader(
        datasets.MNIST(args.data, train=True, transform=to_input),
        batch_size=args.batch_size, shuffle=True)
    eval_loader = torch.utils.data.DataLoader(
        datasets.MNIST(args.data, train=False, transform=to_input),
        batch_size=args.eval_batch_size)

    model = DigitConvNet().to(device)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    schedule = ExponentialLR(optimizer, gamma=args.lr_decay)
    result = None
    for epoch in range(1, args.epochs + 1):
        train_one_epoch(model, device, train_loader, optimizer, epoch, args.report_every,
                        args.max_batches, log)
        result = evaluate(model, device, eval_loader, args.max_batches, log)
        schedule.step()
    if args.save:
        torch.save(model.state_dict(), args.save)
    return model, result


if __name__ == "__main__":
    main()
