"""Schedules that decay the rate by a fixed rule: step, multi-step, exponential, cosine,
linear."""
from __future__ import annotations

import bisect
import math

from .base import LRScheduler, positive


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size = positive(step_size, "step_size", "StepLR")
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def next_lr(self, lr, base_lr, initial):
        epoch = self.last_epoch
        return lr * self.gamma if epoch > 0 and epoch % self.step_size == 0 else lr

    def _closed_form_lrs(self):
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the rate by ``gamma`` at each epoch listed in ``milestones``."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = sorted(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def next_lr(self, lr, base_lr, initial):
        hits = self.milestones.count(self.last_epoch)   # a repeated milestone counts twice
        return lr * self.gamma ** hits if hits else lr

    def _closed_form_lrs(self):
        passed = bisect.bisect_right(self.milestones, self.last_epoch)
        return [base * self.gamma ** passed for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every epoch."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def next_lr(self, lr, base_lr, initial):
        return lr if initial else lr * self.gamma

    def _closed_form_lrs(self):
        return [base * self.gamma ** self.last_epoch for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Follow half a cosine from the initial rate down to ``eta_min`` over
    ``T_max`` epochs (and back up over the next T_max, as PyTorch)."""

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max = positive(T_max, "T_max", "CosineAnnealingLR")
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def next_lr(self, lr, base_lr, initial):
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if initial:
            return lr
        if (t - 1 - T) % (2 * T) == 0:   # leaving the trough: the ratio below would be 0 / 0
            if base_lr is None:
                raise self._added_group_error()
            return lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
        return (eta_min + (lr - eta_min) * (1 + math.cos(math.pi * t / T))
                / (1 + math.cos(math.pi * (t - 1) / T)))

    def _closed_form_lrs(self):
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        return [eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / T)) / 2
                for base in self.base_lrs]

class LinearLR(LRScheduler):
    """Scale the rate linearly from ``start_factor * base_lr`` to ``end_factor *
    base_lr`` over ``total_iters`` epochs, then keep it (a warm-up, typically).
    Chainable: each epoch multiplies the current rate by the ratio of consecutive
    factors, start + (end - start) * t / total_iters."""

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1], got {start_factor!r}")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: end_factor must be in [0, 1], got {end_factor!r}")
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = positive(total_iters, "total_iters", "LinearLR")
        super().__init__(optimizer, last_epoch)

    def next_lr(self, lr, base_lr, initial):
        t, start, end = self.last_epoch, self.start_factor, self.end_factor
        if t == 0:
            return lr * start
        if initial or t > self.total_iters:
            return lr
        # factor(t) / factor(t - 1), with factor(t) = start + (end - start) * t / total_iters
        return lr * (1.0 + (end - start) / (self.total_iters * start + (t - 1) * (end - start)))

    def _closed_form_lrs(self):
        t, start, end = self.last_epoch, self.start_factor, self.end_factor
        return [base * (start + (end - start) * min(self.total_iters, t) / self.total_iters)
                for base in self.base_lrs]
