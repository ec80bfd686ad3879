"""Adadelta (Zeiler, 2012), as ``torch.optim.Adadelta``."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, check_range

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """For each parameter p with gradient g (PyTorch's formulation):

        g = g + weight_decay * p
        v = rho * v + (1 - rho) * g^2                 (running mean of g^2)
        delta = sqrt(u + eps) / sqrt(v + eps) * g     (u: running mean of delta^2)
        u = rho * u + (1 - rho) * delta^2
        p = p - lr * delta

    ``maximize=True`` ascends instead (g is negated first)."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize))

    def _check_group(self, group):
        super()._check_group(group)
        check_range(group, "rho", 0.0, 1.0, "Adadelta")
        check_range(group, "eps", 0.0, None, "Adadelta")
        check_range(group, "weight_decay", 0.0, None, "Adadelta")

    def update(self, param, grad, state, group):
        rho, eps = group["rho"], group["eps"]
        grad = self.ascent_and_decay(param, grad, group)
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
            state["acc_delta"] = np.zeros_like(param)
        state["step"] += 1
        v, u = state["square_avg"], state["acc_delta"]
        v *= rho
        v += (1 - rho) * grad * grad
        delta = np.sqrt(u + eps)
        delta /= np.sqrt(v + eps)
        delta *= grad
        u *= rho
        u += (1 - rho) * delta * delta
        param -= group["lr"] * delta

