"""OneCycleLR: the one-cycle policy, stepped once per batch."""
from __future__ import annotations

import math

from ..optimizer import Optimizer
from .base import LRScheduler, per_group, positive


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin), stepped once per *batch*: the rate rises
    from ``max_lr / div_factor`` to ``max_lr`` over the first ``pct_start`` of
    ``total_steps`` (or ``epochs * steps_per_epoch``), then falls to
    ``initial_lr / final_div_factor``; ``three_phase`` comes back down to the
    initial rate symmetrically before the final fall. ``anneal_strategy`` is
    'cos' or 'linear'. With ``cycle_momentum`` the momentum (SGD's ``momentum``,
    Adam's beta1) moves the opposite way between ``max_momentum`` and
    ``base_momentum``. Not chainable: the rate is a function of the step alone."""

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
                 pct_start=0.3, anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85,
                 max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False,
                 last_epoch=-1):
        op = "OneCycleLR"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{op}: expected an Optimizer, got {type(optimizer).__name__}")
        if total_steps is not None:
            self.total_steps = positive(total_steps, "total_steps", op)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = (positive(epochs, "epochs", op)
                                * positive(steps_per_epoch, "steps_per_epoch", op))
        else:
            raise ValueError(f"{op}: the schedule's length is missing: pass total_steps, or "
                             f"both epochs and steps_per_epoch (got total_steps=None, "
                             f"epochs={epochs!r}, steps_per_epoch={steps_per_epoch!r})")
        if isinstance(pct_start, bool) or not isinstance(pct_start, (int, float)) \
                or not 0 <= pct_start <= 1:
            raise ValueError(f"{op}: pct_start must be a number in [0, 1], got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"{op}: anneal_strategy must be 'cos' or 'linear', got "
                             f"{anneal_strategy!r}")
        self.anneal_strategy = anneal_strategy
        # (last step of the phase, lr from, lr to, momentum from, momentum to): group keys
        total, up = self.total_steps, float(pct_start * self.total_steps)
        if three_phase:
            self.phases = [(up - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                           (2 * up - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                           (total - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        else:
            self.phases = [(up - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                           (total - 1, "max_lr", "min_lr", "base_momentum", "max_momentum")]
        groups = optimizer.param_groups
        if last_epoch == -1:
            for group, peak in zip(groups, per_group(max_lr, "max_lr", optimizer, op)):
                group["initial_lr"] = peak / div_factor
                group["max_lr"] = peak
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(f"{op}: cycle_momentum needs an optimizer with 'momentum' or "
                                 f"'betas', and {type(optimizer).__name__} has neither; pass "
                                 "cycle_momentum=False")
            self.use_beta1 = "betas" in optimizer.defaults
            if last_epoch == -1:
                highs = per_group(max_momentum, "max_momentum", optimizer, op)
                lows = per_group(base_momentum, "base_momentum", optimizer, op)
                for group, high, low in zip(groups, highs, lows):
                    self._set_momentum(group, high)
                    group["max_momentum"], group["base_momentum"] = high, low
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group, value):
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def _anneal(self, start, end, pct):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def _new_lrs(self, initial):
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: stepped {step} times, but the schedule has "
                             f"total_steps={self.total_steps}; make total_steps (or epochs * "
                             "steps_per_epoch) cover every optimizer step")
        lrs = []
        for i, group in enumerate(self.optimizer.param_groups):
            if "max_lr" not in group:
                raise KeyError(f"OneCycleLR: param group {i} has no 'max_lr' (it was added with "
                               "add_param_group after the scheduler was made); PyTorch refuses "
                               "it too; make the scheduler after adding the group")
            start = 0.0
            for i, (end, lr_from, lr_to, mom_from, mom_to) in enumerate(self.phases):
                if step <= end or i == len(self.phases) - 1:
                    pct = (step - start) / (end - start)
                    lrs.append(self._anneal(group[lr_from], group[lr_to], pct))
                    if self.cycle_momentum:
                        self._set_momentum(group, self._anneal(group[mom_from], group[mom_to], pct))
                    break
                start = end
        return lrs
