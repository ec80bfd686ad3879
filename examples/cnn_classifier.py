"""A small convolutional digit classifier written as a PyTorch user writes one, run by
minigrad with only the imports changed, on the MNIST copy shipped with minigrad:

    python examples/cnn_classifier.py                  # one epoch on 6,000 images
    python examples/cnn_classifier.py --train-size 600 --epochs 2

Two padded 3x3 convolutions (8 and 16 channels), each followed by ReLU and an
``nn.MaxPool2d`` module, then 784 -> 64 -> 10, trained with ``nn.CrossEntropyLoss`` and
SGD with momentum. The evaluation reads each prediction off the raw scores with
``_, predicted = torch.max(scores.data, 1)`` and compares it with the label. Swap the
imports for PyTorch's and the model, training and evaluation give the same numbers
(tests/examples/test_pytorch_style_scripts.py checks it).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import minigrad as torch  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.optim as optim  # noqa: E402


class StrokeNet(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),    # 28 -> 14
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))   # 14 -> 7
        self.hidden = nn.Linear(16 * 7 * 7, hidden)
        self.scores = nn.Linear(hidden, 10)

    def forward(self, images):
        x = torch.flatten(self.features(images), 1)
        return self.scores(torch.relu(self.hidden(x)))


def train_epoch(net, batches, criterion, optimizer, log=print, window=25):
    """One pass over ``batches``; the loss of every batch. Logs the mean loss of each
    ``window`` batches."""
    losses = []
    for count, (images, labels) in enumerate(batches, start=1):
        optimizer.zero_grad()
        loss = criterion(net(images), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if count % window == 0:
            recent = losses[-window:]
            log(f"batches {count - window + 1}-{count}: mean loss {sum(recent) / window:.4f}")
    return losses


def evaluate(net, batches):
    """(predictions equal to the label, images seen)."""
    hits = seen = 0
    with torch.no_grad():
        for images, labels in batches:
            scores = net(images)
            _, predicted = torch.max(scores.data, 1)
            hits += (predicted == labels).sum().item()
            seen += labels.size(0)
    return hits, seen


def mnist_batches(train_size, batch_size):
    """Loaders over the first ``train_size`` training images and a sixth as many test images."""
    from minigrad import datasets, transforms
    from minigrad.data import DataLoader, Subset
    to_input = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    train_set = datasets.MNIST(train=True, transform=to_input)
    test_set = datasets.MNIST(train=False, transform=to_input)
    train_set = Subset(train_set, range(min(train_size, len(train_set))))
    test_set = Subset(test_set, range(min(train_size // 6 + 1, len(test_set))))
    return (DataLoader(train_set, batch_size=batch_size, shuffle=True),
            DataLoader(test_set, batch_size=400))


def main(argv=None, log=print):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train-size", type=int, default=6000)
    parser.add_argument("--batch-size", type=int, default=40)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=0.03)
    args = parser.parse_args(argv)
    torch.manual_seed(5)
    train_batches, test_batches = mnist_batches(args.train_size, args.batch_size)
    net = StrokeNet()
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=args.lr, momentum=0.8)
    for epoch in range(1, args.epochs + 1):
        log(f"epoch {epoch}")
        train_epoch(net, train_batches, criterion, optimizer, log)
    hits, seen = evaluate(net, test_batches)
    log(f"{hits} of {seen} held-out digits classified correctly ({100 * hits / seen:.1f}%)")
    return hits, seen


if __name__ == "__main__":
    main()
