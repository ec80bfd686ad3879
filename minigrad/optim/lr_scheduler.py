"""Learning-rate schedules, as ``torch.optim.lr_scheduler``: call
``scheduler.step()`` once per epoch, after ``optimizer.step()``.

Each ``step()`` changes every group's *current* rate ``lr`` (PyTorch's
"chainable" form), so two schedulers on one optimizer compose, and a scheduler
created after ``optimizer.load_state_dict`` carries on from the loaded rate.
With ``base_lr`` the group's ``initial_lr`` and t the epoch count ``last_epoch``:

- StepLR: lr *= gamma when t is a positive multiple of step_size
- MultiStepLR: lr *= gamma ** (how often t appears in milestones)
- ExponentialLR: lr *= gamma (t > 0)
- CosineAnnealingLR: the recursive form of
  eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2, namely
  lr = eta_min + (lr - eta_min) * (1 + cos(pi t / T_max)) / (1 + cos(pi (t-1) / T_max)),
  except lr += (base_lr - eta_min) * (1 - cos(pi / T_max)) / 2 when
  (t - 1 - T_max) % (2 T_max) == 0 (the trough, where that ratio is 0 / 0).

Alone, from a fresh optimizer, each gives its closed form (StepLR: base_lr *
gamma ** (t // step_size), and so on).
"""
from __future__ import annotations

import math

from .optimizer import Optimizer

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR"]


class LRScheduler:
    """Base class: subclasses write ``next_lr(lr, base_lr, initial)``, the rate that
    follows ``lr`` at epoch ``self.last_epoch`` (``initial`` is True for the step
    the constructor takes, which must not move a resumed rate ahead)."""

    def __init__(self, optimizer, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an Optimizer, got "
                            f"{type(optimizer).__name__}")
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(f"{type(self).__name__}: param group {i} has no 'initial_lr'; "
                               "resuming with last_epoch != -1 needs the optimizer's state")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._advance(initial=True)

    def next_lr(self, lr, base_lr, initial):
        raise NotImplementedError

    def step(self):
        """Advance one epoch and update every group's learning rate."""
        self._advance(initial=False)

    def _advance(self, initial):
        self.last_epoch += 1
        for group, base in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = self.next_lr(group["lr"], base, initial)
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self):
        return list(self._last_lr)

    def state_dict(self):
        return {k: v for k, v in vars(self).items() if k != "optimizer"}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)


def _positive(value, name, op):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{op}: {name} must be a positive int, got {value!r}")
    return value


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size = _positive(step_size, "step_size", "StepLR")
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def next_lr(self, lr, base_lr, initial):
        epoch = self.last_epoch
        return lr * self.gamma if epoch > 0 and epoch % self.step_size == 0 else lr


class MultiStepLR(LRScheduler):
    """Multiply the rate by ``gamma`` at each epoch listed in ``milestones``."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = sorted(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def next_lr(self, lr, base_lr, initial):
        hits = self.milestones.count(self.last_epoch)   # a repeated milestone counts twice
        return lr * self.gamma ** hits if hits else lr


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every epoch."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def next_lr(self, lr, base_lr, initial):
        return lr if initial else lr * self.gamma


class CosineAnnealingLR(LRScheduler):
    """Follow half a cosine from the initial rate down to ``eta_min`` over
    ``T_max`` epochs (and back up over the next T_max, as PyTorch)."""

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max = _positive(T_max, "T_max", "CosineAnnealingLR")
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def next_lr(self, lr, base_lr, initial):
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if initial:
            return lr
        if (t - 1 - T) % (2 * T) == 0:   # leaving the trough: the ratio below would be 0 / 0
            return lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
        return (eta_min + (lr - eta_min) * (1 + math.cos(math.pi * t / T))
                / (1 + math.cos(math.pi * (t - 1) / T)))
