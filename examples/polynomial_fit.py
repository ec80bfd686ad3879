"""Fit sin(x) on [-pi, pi] with a cubic, twice, in PyTorch's style, run by minigrad with
only the imports changed:

    python examples/polynomial_fit.py              # 2,000 steps of each fit
    python examples/polynomial_fit.py --steps 200

1. ``y = a + b x + c x^2 + d x^3`` with four scalar tensors and a hand-written gradient
   descent step (``a -= learning_rate * a.grad`` under ``no_grad``, then ``a.grad = None``).
2. ``y = a + b P3(c + d x)``, with the Legendre polynomial P3(t) = (5t^3 - 3t)/2 as a
   custom ``autograd.Function``: a static forward and a hand-written backward with ctx.

Swap the imports for ``import torch`` and the same file runs on PyTorch with the same
numbers (tests/examples/test_pytorch_style_scripts.py checks it).
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import minigrad as torch  # noqa: E402

DTYPE = torch.float64


class LegendrePolynomial3(torch.autograd.Function):
    """P3(t) = (5t^3 - 3t) / 2, with dP3/dt = 1.5 (5t^2 - 1) written by hand."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


def data():
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=DTYPE)
    return x, torch.sin(x)


def fit_cubic(steps, learning_rate=1e-6, log=print):
    """Four coefficients, the gradient step written out."""
    x, y = data()
    a, b, c, d = (torch.full((), v, dtype=DTYPE, requires_grad=True) for v in (0.1, -0.2, 0.05, 0.3))
    losses = []
    for t in range(steps):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        if t % 100 == 99:
            log(f"cubic step {t + 1}: loss {loss.item():.6f}")
        loss.backward()
        with torch.no_grad():
            for coefficient in (a, b, c, d):
                coefficient -= learning_rate * coefficient.grad
                coefficient.grad = None
    return losses, [v.item() for v in (a, b, c, d)]


def fit_legendre(steps, learning_rate=5e-6, log=print):
    """y = a + b P3(c + d x), P3 a custom autograd.Function."""
    x, y = data()
    a = torch.full((), 0.0, dtype=DTYPE, requires_grad=True)
    b = torch.full((), -1.0, dtype=DTYPE, requires_grad=True)
    c = torch.full((), 0.0, dtype=DTYPE, requires_grad=True)
    d = torch.full((), 0.3, dtype=DTYPE, requires_grad=True)
    P3 = LegendrePolynomial3.apply
    losses = []
    for t in range(steps):
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        if t % 100 == 99:
            log(f"legendre step {t + 1}: loss {loss.item():.6f}")
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    return losses, [v.item() for v in (a, b, c, d)]


def main(argv=None, log=print):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args(argv)
    cubic, coefficients = fit_cubic(args.steps, log=log)
    log(f"cubic: y = {coefficients[0]:.4f} + {coefficients[1]:.4f} x + {coefficients[2]:.4f} x^2 "
        f"+ {coefficients[3]:.4f} x^3 (loss {cubic[0]:.1f} -> {cubic[-1]:.2f})")
    legendre, coefficients = fit_legendre(args.steps, log=log)
    log(f"legendre: y = {coefficients[0]:.4f} + {coefficients[1]:.4f} P3({coefficients[2]:.4f} + "
        f"{coefficients[3]:.4f} x) (loss {legendre[0]:.1f} -> {legendre[-1]:.2f})")
    return cubic, legendre


if __name__ == "__main__":
    main()
