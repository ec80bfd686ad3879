"""Adagrad (Duchi et al., 2011), as ``torch.optim.Adagrad``."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, check_range

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """For each parameter p with gradient g, at step t = 1, 2, ...:

        g = g + weight_decay * p
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g^2                       (s starts at initial_accumulator_value)
        p = p - clr * g / (sqrt(s) + eps)

    ``maximize=True`` ascends instead (g is negated first)."""

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10, maximize=False):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      eps=eps, maximize=maximize))

    def _check_group(self, group):
        super()._check_group(group)
        for key in ("lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            check_range(group, key, 0.0, None, "Adagrad")

    def update(self, param, grad, state, group):
        grad = self.ascent_and_decay(param, grad, group)
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(param, group["initial_accumulator_value"])
        state["step"] += 1
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        s = state["sum"]
        s += grad * grad
        std = np.sqrt(s)
        std += group["eps"]
        param -= clr * grad / std
