"""A PyTorch MNIST script, run by minigrad with only the imports changed.

    python examples/pytorch_mnist.py --epochs 1              # ~97% on the test set
    python examples/pytorch_mnist.py --max-batches 20        # a quick look

The model, training loop and test loop below are written the way PyTorch's
official MNIST example writes them (two convs, max pooling, dropout, two fully
connected layers, log_softmax + nll_loss, Adadelta with StepLR). Swap the import
lines for ``import torch`` / ``torch.nn`` / ``torch.nn.functional`` / ``torch.optim``
/ ``torchvision`` and the rest runs on PyTorch unchanged
(tests/examples/test_pytorch_mnist.py does exactly that when PyTorch is installed,
and checks both give the same numbers).
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
from minigrad.optim.lr_scheduler import StepLR  # noqa: E402


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


def train(args, model, device, train_loader, optimizer, epoch, log=print):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            log(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]"
                f"\tLoss: {loss.item():.6f}")
        if args.max_batches and batch_idx + 1 >= args.max_batches:
            break


def test(model, device, test_loader, log=print, max_batches=None):
    model.eval()
    test_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for batch_idx, (data, target) in enumerate(test_loader):
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
            seen += len(data)
            if max_batches and batch_idx + 1 >= max_batches:
                break
    test_loss /= seen
    log(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{seen} "
        f"({100.0 * correct / seen:.0f}%)")
    return test_loss, correct / seen


def main(argv=None, log=print):
    parser = argparse.ArgumentParser(description="minigrad running a PyTorch MNIST script")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--test-batch-size", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--gamma", type=float, default=0.7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=10)
    parser.add_argument("--max-batches", type=int, default=0,
                        help="stop each epoch (and the test) after this many batches")
    parser.add_argument("--data", default=None,
                        help="a folder with the MNIST files (default: the copy in the package)")
    parser.add_argument("--save-model", default=None, help="where to save the state dict")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    transform = transforms.Compose([transforms.ToTensor(),
                                    transforms.Normalize((0.1307,), (0.3081,))])
    train_set = datasets.MNIST(args.data, train=True, transform=transform)
    test_set = datasets.MNIST(args.data, train=False, transform=transform)
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size,
                                               shuffle=True)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=args.test_batch_size)

    model = Net().to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    result = None
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch, log)
        result = test(model, device, test_loader, log, args.max_batches)
        scheduler.step()
    if args.save_model:
        torch.save(model.state_dict(), args.save_model)
    return model, result


if __name__ == "__main__":
    main()
