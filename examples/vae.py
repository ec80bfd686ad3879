"""A variational autoencoder on MNIST in the style of PyTorch's VAE example, run by
minigrad with only the imports changed, on the MNIST copy shipped with minigrad:

    python examples/vae.py --epochs 1             # one epoch over the shipped training images
    python examples/vae.py --max-batches 20       # a quick look

Encoder 784 -> 400 -> (mu, logvar) of a 20-d code, the reparameterisation
z = mu + eps * exp(logvar / 2) with ``torch.randn_like``, decoder 20 -> 400 -> 784 with
a sigmoid; the loss is the summed binary cross-entropy of the reconstruction plus the
KL divergence of N(mu, sigma) from N(0, 1). Swap the imports for PyTorch's and the same
source gives the same numbers (tests/examples/test_pytorch_style_scripts.py).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import minigrad as torch  # noqa: E402
from minigrad import nn, optim  # noqa: E402
from minigrad.nn import functional as F  # noqa: E402


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)
        self.sample_noise = torch.randn_like   # a test may put fixed noise here

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = self.sample_noise(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction='sum')
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def train(model, optimizer, train_loader, epoch, max_batches=0, log=print):
    model.train()
    train_loss, losses = 0, []
    for batch_idx, (data, _) in enumerate(train_loader):
        if max_batches and batch_idx >= max_batches:
            break
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(data)
        loss = loss_function(recon_batch, data, mu, logvar)
        loss.backward()
        train_loss += loss.item()
        losses.append(loss.item() / len(data))
        optimizer.step()
        if batch_idx % 10 == 0:
            log(f"Train Epoch: {epoch} [{batch_idx * len(data)}] Loss: {loss.item() / len(data):.6f}")
    return losses


def test(model, test_loader):
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for data, _ in test_loader:
            recon_batch, mu, logvar = model(data)
            total += loss_function(recon_batch, data, mu, logvar).item()
            count += len(data)
    return total / count


def main(argv=None, log=print):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--max-batches", type=int, default=0, help="stop each epoch early (0: never)")
    args = parser.parse_args(argv)
    from minigrad import datasets, transforms
    from minigrad.data import DataLoader, Subset
    torch.manual_seed(1)
    train_loader = DataLoader(datasets.MNIST(train=True, transform=transforms.ToTensor()),
                              batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(Subset(datasets.MNIST(train=False, transform=transforms.ToTensor()),
                                    range(1000)), batch_size=args.batch_size)
    model = VAE()
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, args.epochs + 1):
        train(model, optimizer, train_loader, epoch, args.max_batches, log)
        log(f"====> Test set loss: {test(model, test_loader):.4f}")
    return model


if __name__ == "__main__":
    main()
