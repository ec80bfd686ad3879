"""A variational autoencoder for MNIST digits written as a PyTorch user writes one, run by
minigrad with only the imports changed, on the MNIST copy shipped with minigrad:

    python examples/vae.py                       # one epoch over the shipped training images
    python examples/vae.py --max-batches 30      # a quick look

Each image is encoded into the mean and log-variance of an 8-dimensional Gaussian code.
In training a code is drawn with the reparameterisation trick,
``mean + spread * torch.randn_like(spread)``, so the draw stays differentiable in the
mean and the spread; after ``model.eval()`` the mean itself is decoded. The decoder
gives one logit per pixel. The training loss is the negative evidence lower bound per
image: the pixels' binary cross-entropy (``F.binary_cross_entropy_with_logits``, summed)
plus the KL divergence of the code's Gaussian from N(0, I),
1/2 sum(mean^2 + var - log var - 1). Swap the imports for PyTorch's and the same source
gives the same numbers (tests/examples/test_pytorch_style_scripts.py).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import minigrad as torch  # noqa: E402
from minigrad import nn, optim  # noqa: E402
from minigrad.nn import functional as F  # noqa: E402

PIXELS = 28 * 28


class DigitVAE(nn.Module):
    def __init__(self, code_size=8):
        super().__init__()
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(PIXELS, 256), nn.ReLU(),
                                     nn.Linear(256, 128), nn.ReLU())
        self.to_mean = nn.Linear(128, code_size)
        self.to_log_var = nn.Linear(128, code_size)
        self.decoder = nn.Sequential(nn.Linear(code_size, 128), nn.ReLU(),
                                     nn.Linear(128, 256), nn.ReLU(), nn.Linear(256, PIXELS))
        self.sample_noise = torch.randn_like   # a test may put fixed noise here

    def forward(self, images):
        features = self.encoder(images)
        mean, log_var = self.to_mean(features), self.to_log_var(features)
        if not self.training:       # evaluation decodes the most likely code
            return self.decoder(mean), mean, log_var
        spread = (0.5 * log_var).exp()
        code = mean + spread * self.sample_noise(spread)
        return self.decoder(code), mean, log_var


def negative_elbo(pixel_logits, images, mean, log_var):
    """Reconstruction cross-entropy plus KL(N(mean, var) || N(0, I)), summed over the batch."""
    reconstruction = F.binary_cross_entropy_with_logits(
        pixel_logits, images.reshape(-1, PIXELS), reduction="sum")
    divergence = 0.5 * torch.sum(mean.pow(2) + log_var.exp() - log_var - 1)
    return reconstruction + divergence


def train_epoch(model, optimizer, loader, max_batches=0, log=print, report_every=20):
    """One pass over ``loader`` (or its first ``max_batches`` batches); the loss per image
    of every batch."""
    model.train()
    per_image = []
    for step, (images, _) in enumerate(loader, start=1):
        optimizer.zero_grad()
        pixel_logits, mean, log_var = model(images)
        loss = negative_elbo(pixel_logits, images, mean, log_var)
        loss.backward()
        optimizer.step()
        per_image.append(loss.item() / images.size(0))
        if step == 1 or step % report_every == 0:
            log(f"step {step}: negative ELBO per image {per_image[-1]:.2f}")
        if step == max_batches:
            break
    return per_image


def held_out_loss(model, loader):
    """The negative ELBO per image over ``loader``, without gradients."""
    model.eval()
    total, seen = 0.0, 0
    with torch.no_grad():
        for images, _ in loader:
            pixel_logits, mean, log_var = model(images)
            total += negative_elbo(pixel_logits, images, mean, log_var).item()
            seen += images.size(0)
    return total / seen


def main(argv=None, log=print):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--code-size", type=int, default=8)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--max-batches", type=int, default=0, help="stop each epoch early (0: never)")
    args = parser.parse_args(argv)
    from minigrad import datasets, transforms
    from minigrad.data import DataLoader, Subset
    torch.manual_seed(11)
    train_loader = DataLoader(datasets.MNIST(train=True, transform=transforms.ToTensor()),
                              batch_size=args.batch_size, shuffle=True)
    held_out = DataLoader(Subset(datasets.MNIST(train=False, transform=transforms.ToTensor()),
                                 range(1000)), batch_size=250)
    model = DigitVAE(args.code_size)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    for epoch in range(1, args.epochs + 1):
        train_epoch(model, optimizer, train_loader, args.max_batches, log)
        log(f"epoch {epoch}: held-out negative ELBO per image {held_out_loss(model, held_out):.2f}")
    return model


if __name__ == "__main__":
    main()
