"""RMSprop (Hinton's lecture notes), as ``torch.optim.RMSprop``."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, check_range

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """For each parameter p with gradient g (PyTorch's formulation):

        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g^2
        centered:  m = lerp(m, g, 1 - alpha);  avg = sqrt(v - m^2) + eps
        otherwise: avg = sqrt(v) + eps
        momentum > 0: buf = momentum * buf + g / avg;  p = p - lr * buf
        otherwise:    p = p - lr * g / avg

    ``maximize=True`` ascends instead (g is negated first)."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False, maximize=False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered, maximize=maximize))

    def _check_group(self, group):
        super()._check_group(group)
        for key in ("alpha", "eps", "weight_decay", "momentum"):
            check_range(group, key, 0.0, None, "RMSprop")

    def update(self, param, grad, state, group):
        alpha, momentum = group["alpha"], group["momentum"]
        grad = self.ascent_and_decay(param, grad, group)
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
            if momentum > 0:
                state["momentum_buffer"] = np.zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(param)
        state["step"] += 1
        v = state["square_avg"]
        v *= alpha
        v += (1 - alpha) * grad * grad
        if group["centered"]:
            m = state["grad_avg"]
            _lerp_(m, grad, 1 - alpha)
            avg = np.sqrt(v - m * m)
        else:
            avg = np.sqrt(v)
        avg += group["eps"]
        if momentum > 0:
            buf = state.setdefault("momentum_buffer", np.zeros_like(param))
            buf *= momentum
            buf += grad / avg
            param -= group["lr"] * buf
        else:
            param -= group["lr"] * grad / avg


def _lerp_(start, end, weight):
    """start += weight * (end - start), in place, written the way that keeps the
    rounding small for either half of the weight (so centered RMSprop's running
    mean matches PyTorch's ``lerp_`` to the last bit)."""
    if weight < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1 - weight)
