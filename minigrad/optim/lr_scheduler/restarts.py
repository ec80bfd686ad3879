"""Schedules that restart: SequentialLR (one scheduler after another) and cosine annealing
with warm restarts."""
from __future__ import annotations

import bisect
import math

from ..optimizer import Optimizer
from .base import LRScheduler, positive
from .plateau import ReduceLROnPlateau


class SequentialLR(LRScheduler):
    """Run ``schedulers[0]`` until epoch ``milestones[0]``, then ``schedulers[1]``
    (restarted at its epoch 0) until ``milestones[1]``, and so on. The schedulers
    must be built on this same optimizer; building them already took their first
    step, which SequentialLR undoes (the rates go back to ``initial_lr``)."""

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"SequentialLR: expected an Optimizer, got {type(optimizer).__name__}")
        schedulers, milestones = list(schedulers), list(milestones)
        if not schedulers:
            raise ValueError("SequentialLR: expected at least one scheduler, got none")
        for i, sched in enumerate(schedulers):
            if isinstance(sched, ReduceLROnPlateau) or not isinstance(sched, LRScheduler):
                raise TypeError(f"SequentialLR: scheduler {i} must be an epoch-driven "
                                f"LRScheduler (not ReduceLROnPlateau), got {type(sched).__name__}")
            if sched.optimizer is not optimizer:
                raise ValueError(f"SequentialLR: scheduler {i} ({type(sched).__name__}) belongs "
                                 "to another optimizer; all must share this one")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR: {len(schedulers)} scheduler(s) need "
                             f"{len(schedulers) - 1} milestone(s), got {len(milestones)}")
        self.optimizer = optimizer
        self.schedulers = schedulers
        self.milestones = milestones
        self.last_epoch = last_epoch + 1
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        for sched in schedulers:   # undo the step each took when it was built
            undo_step(sched)
        first = schedulers[bisect.bisect_right(milestones, 0)]
        first._advance(initial=True)
        self._last_lr = first.get_last_lr()

    def step(self):
        self.last_epoch += 1
        index = bisect.bisect_right(self.milestones, self.last_epoch)
        sched = self.schedulers[index]
        if index > 0 and self.milestones[index - 1] == self.last_epoch:
            sched._restart()
        else:
            sched.step()
        self._last_lr = sched.get_last_lr()

    def state_dict(self):
        state = {k: v for k, v in vars(self).items() if k not in ("optimizer", "schedulers")}
        state["schedulers"] = [sched.state_dict() for sched in self.schedulers]
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        saved = state.pop("schedulers")
        self.__dict__.update(state)
        for sched, sub in zip(self.schedulers, saved):
            sched.load_state_dict(sub)


def undo_step(sched):
    if isinstance(sched, SequentialLR):
        for sub in sched.schedulers:
            undo_step(sub)
    sched.last_epoch -= 1


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR (Loshchilov & Hutter): half a cosine from base_lr down to ``eta_min``
    over T_i epochs, then a restart at base_lr; the first period is ``T_0`` and
    each next one ``T_mult`` times longer:
    lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2.
    ``step(epoch)`` may also be given a (fractional) epoch, e.g.
    ``epoch + batch / batches`` to anneal within an epoch, as PyTorch."""

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        self.T_0 = positive(T_0, "T_0", "CosineAnnealingWarmRestarts")
        self.T_mult = positive(T_mult, "T_mult", "CosineAnnealingWarmRestarts")
        if isinstance(eta_min, bool) or not isinstance(eta_min, (int, float)):
            raise TypeError(f"CosineAnnealingWarmRestarts: eta_min must be a number, got "
                            f"{type(eta_min).__name__} {eta_min!r}")
        self.eta_min = eta_min
        self.T_i = self.T_0
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def _advance(self, initial):
        self.step()

    def _new_lrs(self, initial):
        cos = 1 + math.cos(math.pi * self.T_cur / self.T_i)
        return [self.eta_min + (base - self.eta_min) * cos / 2 for base in self.base_lrs]

    def step(self, epoch=None):
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:   # a restart; the next period is T_mult times longer
                self.T_cur -= self.T_i
                self.T_i *= self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"CosineAnnealingWarmRestarts: epoch must be >= 0, got {epoch}")
            if epoch < self.T_0:
                self.T_i, self.T_cur = self.T_0, epoch
            elif self.T_mult == 1:
                self.T_cur = epoch % self.T_0
            else:
                # periods T_0, T_0 m, T_0 m^2, ...: n whole periods end at T_0 (m^n - 1) / (m - 1)
                m = self.T_mult
                n = int(math.log(epoch / self.T_0 * (m - 1) + 1, m))
                self.T_cur = epoch - self.T_0 * (m ** n - 1) / (m - 1)
                self.T_i = self.T_0 * m ** n
        self.last_epoch = math.floor(epoch)
        self._set_lrs(self._new_lrs(initial=False))
