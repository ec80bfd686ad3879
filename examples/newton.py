"""Newton's method with second derivatives from autograd (``create_graph=True``).

Fits an L2-regularised logistic regression

    loss(w) = mean(softplus(-y * (X @ w))) + lam / 2 * |w|^2      (labels y in {-1, +1})

by Newton steps w <- w - H^-1 g. The gradient g comes from a backward pass
recorded as a graph (``create_graph=True``); differentiating each of its
components once more gives the rows of the Hessian H. No formula for H is
written anywhere: the second derivatives come from the ops' own backward
passes, and Newton converges quadratically (the gradient norm roughly squares
at every step), where gradient descent would creep.

    python examples/newton.py
"""
from __future__ import annotations

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F


def make_data(n=400, d=6, seed=0):
    """Two overlapping Gaussian classes in d dimensions (float64), labels +-1."""
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    X = rng.standard_normal((n, d)) + 0.8 * y[:, None] * rng.standard_normal(d)
    return X, y


def loss_fn(w, X, y, lam):
    margins = (mg.from_numpy(X) @ w) * mg.from_numpy(-y)
    return F.softplus(margins).mean() + (lam / 2) * (w * w).sum()


def gradient_and_hessian(w, X, y, lam):
    """(loss, gradient, Hessian) at w: the Hessian row i is d g_i / d w, taken
    through the graph that computing g recorded."""
    loss = loss_fn(w, X, y, lam)
    g, = mg.grad(loss, w, create_graph=True)
    rows = [mg.grad(g[i], w, retain_graph=True)[0].numpy() for i in range(w.shape[0])]
    return loss.item(), g.numpy(), np.stack(rows)


def newton(X, y, lam=1e-2, steps=10, tol=1e-12, log=print):
    """Minimise the loss by Newton steps; returns (w, history of (loss, |g|))."""
    w = mg.zeros(X.shape[1], dtype=np.float64, requires_grad=True)
    history = []
    for step in range(steps):
        loss, g, H = gradient_and_hessian(w, X, y, lam)
        history.append((loss, float(np.linalg.norm(g))))
        log(f"step {step}: loss {loss:.12f}  |gradient| {history[-1][1]:.3e}")
        if history[-1][1] < tol:
            break
        with mg.no_grad():
            w.sub_(np.linalg.solve(H, g))
    return w, history


if __name__ == "__main__":
    X, y = make_data()
    w, history = newton(X, y)
    accuracy = np.mean(np.sign(X @ w.numpy()) == y)
    print(f"converged in {len(history) - 1} Newton steps; training accuracy {accuracy:.1%}")
