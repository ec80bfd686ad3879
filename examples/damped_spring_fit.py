"""Recover a damped spring's amplitude, decay rate, frequency and phase from a noisy
trace of its swing, with every gradient-descent step written out by hand:

    python examples/damped_spring_fit.py                 # 1,500 steps
    python examples/damped_spring_fit.py --steps 300 --lr 0.05

The trace is x(t) = A exp(-k t) cos(w t + phi), sampled 240 times over six seconds with a
little Gaussian noise. The four unknowns are scalar tensors made with
``requires_grad=True``; after ``loss.backward()`` each one moves by ``p -= lr * p.grad``
inside ``torch.no_grad()`` and then drops its gradient with ``p.grad = None``.

A and k are positive by nature, so the fit learns unconstrained values and maps them
through ``Softplus``, log(1 + e^x), a custom ``autograd.Function``: its static forward
keeps the input with ``ctx.save_for_backward``, and its static backward reads it back
from ``ctx.saved_tensors`` to apply the hand-written derivative, the logistic sigmoid.

Only the imports name minigrad: with ``import torch`` in their place the same file runs
on PyTorch and gives the same numbers (tests/examples/test_pytorch_style_scripts.py).
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import minigrad as torch  # noqa: E402

DTYPE = torch.float64
TRUE_SPRING = {"amplitude": 1.5, "decay": 0.35, "omega": 2.4, "phase": 0.6}


class Softplus(torch.autograd.Function):
    """softplus(x) = log(1 + e^x) > 0, computed as max(x, 0) + log1p(e^-|x|) so that a
    large |x| cannot overflow; d softplus / dx = sigmoid(x), written by hand."""

    @staticmethod
    def forward(ctx, raw):
        ctx.save_for_backward(raw)
        return raw.clamp(min=0) + torch.log1p(torch.exp(-raw.abs()))

    @staticmethod
    def backward(ctx, grad_output):
        raw, = ctx.saved_tensors
        return grad_output * torch.sigmoid(raw)


def spring_trace(samples=240, duration=6.0, noise=0.03, seed=7):
    """Sample times and the noisy displacement of the spring in TRUE_SPRING."""
    times = torch.linspace(0.0, duration, samples, dtype=DTYPE)
    s = TRUE_SPRING
    clean = s["amplitude"] * torch.exp(-s["decay"] * times) * torch.cos(s["omega"] * times + s["phase"])
    jitter = np.random.default_rng(seed).normal(0.0, noise, samples)
    return times, clean + torch.tensor(jitter, dtype=DTYPE)


def fit(steps, lr=0.1, log=print, report_every=250):
    """Plain gradient descent on the mean squared error; the loss of every step and the
    fitted spring."""
    times, observed = spring_trace()
    raw_amplitude = torch.tensor(0.5, dtype=DTYPE, requires_grad=True)
    raw_decay = torch.tensor(-1.5, dtype=DTYPE, requires_grad=True)
    omega = torch.tensor(2.2, dtype=DTYPE, requires_grad=True)
    phase = torch.tensor(0.0, dtype=DTYPE, requires_grad=True)
    unknowns = (raw_amplitude, raw_decay, omega, phase)
    positive = Softplus.apply

    mse_per_step = []
    for step in range(1, steps + 1):
        amplitude, decay = positive(raw_amplitude), positive(raw_decay)
        predicted = amplitude * torch.exp(-decay * times) * torch.cos(omega * times + phase)
        loss = ((predicted - observed) ** 2).mean()
        mse_per_step.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for p in unknowns:
                p -= lr * p.grad
                p.grad = None
        if step % report_every == 0:
            log(f"step {step:5d}  mse {loss.item():.6f}  A {amplitude.item():.3f}  "
                f"k {decay.item():.3f}  w {omega.item():.3f}")

    with torch.no_grad():
        spring = {"amplitude": positive(raw_amplitude).item(), "decay": positive(raw_decay).item(),
                  "omega": omega.item(), "phase": phase.item()}
    return mse_per_step, spring


def main(argv=None, log=print):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--lr", type=float, default=0.1)
    args = parser.parse_args(argv)
    mse_per_step, spring = fit(args.steps, args.lr, log)
    found = ", ".join(f"{name} {value:.3f} (true {TRUE_SPRING[name]})" for name, value in spring.items())
    log(f"fitted spring: {found}; mse {mse_per_step[0]:.4f} -> {mse_per_step[-1]:.6f}")
    return mse_per_step, spring


if __name__ == "__main__":
    main()
