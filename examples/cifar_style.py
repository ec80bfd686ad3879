"""A CIFAR-style CNN written as a PyTorch user writes one, trained on synthetic images.

    python examples/cifar_style.py                   # ~1 minute on 2 cores
    python -m visualize examples/cifar_style.py --out cifar_graph.svg

The network is the modern small-image recipe: blocks of Conv3x3 (no bias) ->
BatchNorm2d -> ReLU, max pooling between stages, channel dropout, global average
pooling and one Linear layer. Training uses label smoothing, OneCycleLR, gradient
clipping and augmentation with RandomCrop (padding 4) and RandomHorizontalFlip.

No CIFAR-10 ships with minigrad (and nothing is downloaded), so the data are
synthetic 3x32x32 colour images: ten classes, each one of five shapes (square,
disc, cross, ring, bars) in one of two colour schemes, at a random place and size,
on a noisy background. They are small enough to learn in a minute and hard enough
that augmentation and the schedule matter.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import minigrad as torch  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.optim as optim  # noqa: E402
from minigrad import transforms  # noqa: E402
from minigrad.data import DataLoader, Dataset  # noqa: E402
from minigrad.optim.lr_scheduler import OneCycleLR  # noqa: E402

SHAPES = ("square", "disc", "cross", "ring", "bars")
SCHEMES = (((0.9, 0.2, 0.1), (0.1, 0.3, 0.8)),   # (shape colour, background tint)
           ((0.1, 0.8, 0.3), (0.7, 0.6, 0.1)))


def synthetic_images(n, seed):
    """``n`` (3, 32, 32) float32 images in [0, 1] and their labels (shape * 2 + scheme)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, size=n)
    shape, scheme = labels // 2, labels % 2
    rows, cols = np.mgrid[0:32, 0:32]
    cy, cx = rng.uniform(9, 23, size=(2, n, 1, 1))
    size = rng.uniform(5, 9, size=(n, 1, 1))
    dy, dx = np.abs(rows - cy), np.abs(cols - cx)
    radius = np.hypot(dy, dx)
    masks = np.stack([
        (dy < size) & (dx < size),                                   # square
        radius < size,                                               # disc
        ((dy < size / 3) & (dx < size)) | ((dx < size / 3) & (dy < size)),   # cross
        (radius < size) & (radius > size * 0.6),                     # ring
        (dx < size) & (dy < size) & (((rows - cy) // 2) % 2 == 0),   # bars
    ])[shape, np.arange(n)]
    colours = np.array([s[0] for s in SCHEMES])[scheme][:, :, None, None]
    tints = np.array([s[1] for s in SCHEMES])[scheme][:, :, None, None]
    noise = rng.uniform(0, 0.35, size=(n, 3, 32, 32))
    images = np.where(masks[:, None], colours, 0.25 * tints + noise)
    return images.astype(np.float32), labels.astype(np.int64)


class ImageSet(Dataset):
    """Arrays of (3, H, W) images with a per-sample transform, as torchvision's datasets."""

    def __init__(self, images, labels, transform=None):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        image = self.images[i]
        return (self.transform(image) if self.transform else torch.tensor(image)), int(self.labels[i])


MEAN, STD = (0.35, 0.35, 0.3), (0.3, 0.28, 0.27)


def block(c_in, c_out):
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
                         nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


class SmallResNetish(nn.Module):
    """4 x (Conv3x3-BN-ReLU), max pooling after each pair, channel dropout, global
    average pooling, one Linear layer."""

    def __init__(self, width=32, classes=10):
        super().__init__()
        self.features = nn.Sequential(block(3, width), block(width, width), nn.MaxPool2d(2),
                                      block(width, 2 * width), block(2 * width, 2 * width),
                                      nn.MaxPool2d(2), nn.Dropout2d(0.1))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(2 * width, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))


def build_model(width=16):
    return SmallResNetish(width)


def example_batch(batch_size=8):
    """(images, labels) for ``python -m visualize``: normalised as in training."""
    images, labels = synthetic_images(batch_size, seed=1)
    normalize = transforms.Normalize(MEAN, STD)
    return torch.stack([normalize(torch.tensor(x)) for x in images]), torch.tensor(labels)


def evaluate(model, loader):
    model.eval()
    correct = seen = 0
    with torch.no_grad():
        for images, labels in loader:
            correct += (model(images).argmax(dim=1) == labels).sum().item()
            seen += len(labels)
    return correct / seen


def main(argv=None, log=print):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=4000, help="training images")
    parser.add_argument("--test", type=int, default=1000, help="test images")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--max-lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    train_x, train_y = synthetic_images(args.train, seed=args.seed)
    test_x, test_y = synthetic_images(args.test, seed=args.seed + 1)
    augment = transforms.Compose([transforms.RandomCrop(32, padding=4),
                                  transforms.RandomHorizontalFlip(),
                                  transforms.Normalize(MEAN, STD)])
    train_loader = DataLoader(ImageSet(train_x, train_y, augment), batch_size=args.batch_size,
                              shuffle=True, drop_last=True)
    test_loader = DataLoader(ImageSet(test_x, test_y, transforms.Normalize(MEAN, STD)),
                             batch_size=500)

    model = build_model(args.width)
    optimizer = optim.SGD(model.parameters(), lr=args.max_lr, momentum=0.9, weight_decay=5e-4,
                          nesterov=True)
    scheduler = OneCycleLR(optimizer, max_lr=args.max_lr, epochs=args.epochs,
                           steps_per_epoch=len(train_loader))
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        total, norms = 0.0, []
        for images, labels in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(images), labels)
            loss.backward()
            norms.append(nn.utils.clip_grad_norm_(model.parameters(), max_norm=2.0).item())
            optimizer.step()
            scheduler.step()
            total += loss.item()
        accuracy = evaluate(model, test_loader)
        log(f"epoch {epoch}: loss {total / len(train_loader):.3f}, gradient norm (median) "
            f"{np.median(norms):.2f}, test accuracy {accuracy:.1%}, "
            f"{time.perf_counter() - start:.0f} s")
    return model, accuracy


if __name__ == "__main__":
    main()
