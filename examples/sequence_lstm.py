"""An LSTM learns to continue sine waves, written as a PyTorch script (only the imports
name minigrad); then how far back the gradient reaches through a vanilla RNN and an LSTM.

    python examples/sequence_lstm.py               # 300 Adam steps, then the gradient table
    python examples/sequence_lstm.py --steps 20    # a quick run

Each training sequence is sin(w t + phase) over 40 steps, with a random frequency and
phase; the model reads it one value per step and predicts the next value at every step.
The gradient table (docs/derivations.md, "Backprop through time") gives, for a loss on
the last output only, the norm of the gradient reaching the input at each earlier step.
"""
import argparse

import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.optim as optim


class SineLSTM(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):            # x: (batch, steps, 1)
        out, _ = self.lstm(x)        # (batch, steps, hidden)
        return self.head(out)        # the next value, predicted at every step


def sine_batch(rng, batch=32, steps=40):
    """Inputs (batch, steps, 1) and targets shifted by one step."""
    freq = rng.uniform(0.15, 0.45, (batch, 1))
    phase = rng.uniform(0, 2 * np.pi, (batch, 1))
    wave = np.sin(freq * np.arange(steps + 1) + phase).astype(np.float32)[..., None]
    return torch.tensor(wave[:, :-1]), torch.tensor(wave[:, 1:])


def train(steps=300, hidden=32, seed=0, log=print):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = SineLSTM(hidden)
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for step in range(steps):
        x, y = sine_batch(rng)
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if step % 50 == 0 or step == steps - 1:
            log(f"step {step:4d}  mse {loss.item():.5f}")
    return model, losses


def gradient_reach(kind, steps=50, hidden=32, seed=0, forget_bias=None):
    """Norm of d(last output summed)/d(x_t) for every t, PyTorch's default init (an LSTM's
    forget-gate biases optionally set to ``forget_bias``)."""
    torch.manual_seed(seed)
    layer = getattr(nn, kind)(8, hidden)
    if forget_bias is not None:   # bias_ih and bias_hh add up: split the value between them
        with torch.no_grad():
            for bias in (layer.bias_ih_l0, layer.bias_hh_l0):
                bias[hidden:2 * hidden] = forget_bias / 2
    x = torch.tensor(np.random.default_rng(seed).normal(size=(steps, 1, 8)).astype(np.float32),
                     requires_grad=True)
    out, _ = layer(x)
    out[-1].sum().backward()
    return np.linalg.norm(x.grad.numpy().reshape(steps, -1), axis=1)


def gradient_table(steps=50, log=print):
    rows = {"RNN (tanh)": gradient_reach("RNN", steps), "GRU": gradient_reach("GRU", steps),
            "LSTM": gradient_reach("LSTM", steps),
            "LSTM, forget bias 3": gradient_reach("LSTM", steps, forget_bias=3.0)}
    shown = [steps - 1, steps - 5, steps - 10, steps - 20, 0]
    log("| layer | " + " | ".join(f"t = {t}" for t in shown) + " |")
    log("|---" * (len(shown) + 1) + "|")
    for name, norms in rows.items():
        log(f"| {name} | " + " | ".join(f"{norms[t]:.1e}" for t in shown) + " |")
    return rows


def main(argv=None, log=print):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=300, help="Adam steps")
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    model, losses = train(args.steps, args.hidden, args.seed, log)
    log("\ngradient norm reaching x_t from a loss on the last output (T = 50):")
    rows = gradient_table(log=log)
    return model, losses, rows


if __name__ == "__main__":
    main()
