"""A small CNN classifier in the style of PyTorch's "Training a classifier" tutorial,
run by minigrad with only the imports changed, on the MNIST copy shipped with minigrad:

    python examples/cnn_classifier.py                  # one epoch on 6,000 images
    python examples/cnn_classifier.py --train-size 600 --epochs 1

The test loop counts correct answers the tutorial's way,
``_, predicted = torch.max(outputs.data, 1)``. Swap the imports for PyTorch's and the
model, training and test loops give the same numbers
(tests/examples/test_pytorch_style_scripts.py checks it).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import minigrad as torch  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402
import minigrad.optim as optim  # noqa: E402


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 4 * 4, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def train_epoch(net, trainloader, criterion, optimizer, log=print, every=20):
    running_loss, losses = 0.0, []
    for i, data in enumerate(trainloader, 0):
        inputs, labels = data
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        running_loss += loss.item()
        if i % every == every - 1:
            log(f"[{i + 1:5d}] loss: {running_loss / every:.3f}")
            running_loss = 0.0
    return losses


def evaluate(net, testloader):
    correct = 0
    total = 0
    with torch.no_grad():
        for data in testloader:
            images, labels = data
            outputs = net(images)
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    return correct, total


def mnist_loaders(train_size, batch_size):
    from minigrad import datasets, transforms
    from minigrad.data import DataLoader, Subset
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    train_set = datasets.MNIST(train=True, transform=transform)
    test_set = datasets.MNIST(train=False, transform=transform)
    train_set = Subset(train_set, range(min(train_size, len(train_set))))
    test_set = Subset(test_set, range(min(train_size // 6 + 1, len(test_set))))
    return (DataLoader(train_set, batch_size=batch_size, shuffle=True),
            DataLoader(test_set, batch_size=500))


def main(argv=None, log=print):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train-size", type=int, default=6000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    trainloader, testloader = mnist_loaders(args.train_size, args.batch_size)
    net = Net()
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    for epoch in range(args.epochs):
        train_epoch(net, trainloader, criterion, optimizer, log)
    correct, total = evaluate(net, testloader)
    log(f"Accuracy of the network on the {total} test images: {100 * correct // total} %")
    return correct, total


if __name__ == "__main__":
    main()
