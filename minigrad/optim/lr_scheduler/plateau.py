"""ReduceLROnPlateau: lower the rate when a metric stops improving."""
from __future__ import annotations

import math

from ..optimizer import Optimizer
from .base import LRScheduler, per_group


class ReduceLROnPlateau(LRScheduler):
    """Multiply the rate by ``factor`` once the monitored value (``step(metric)``,
    e.g. the validation loss) has not improved for more than ``patience`` epochs,
    then wait ``cooldown`` epochs before counting again; never below ``min_lr``
    (a number or one per group), and changes smaller than ``eps`` are skipped.
    Improving means beating the best value by ``threshold``: relatively
    (best * (1 -/+ threshold), ``threshold_mode='rel'``) or absolutely
    (best -/+ threshold, 'abs'), in ``mode`` 'min' or 'max'."""

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8):
        op = "ReduceLROnPlateau"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{op}: expected an Optimizer, got {type(optimizer).__name__}")
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 <= factor < 1:
            raise ValueError(f"{op}: factor must be a number in [0, 1), got {factor!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"{op}: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"{op}: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        for name, value in (("patience", patience), ("cooldown", cooldown)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{op}: {name} must be an int >= 0, got {value!r}")
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.eps = cooldown, eps
        self.min_lrs = per_group(min_lr, "min_lr", optimizer, op)
        # one min_lr for every group, including groups added later (None: one per group given)
        self.default_min_lr = None if isinstance(min_lr, (list, tuple)) else min_lr
        self.last_epoch = 0
        self.best = math.inf if mode == "min" else -math.inf
        self.cooldown_counter = 0
        self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def _improves(self, value):
        best, th = self.best, self.threshold
        if self.mode == "min":
            return value < (best * (1.0 - th) if self.threshold_mode == "rel" else best - th)
        return value > (best * (th + 1.0) if self.threshold_mode == "rel" else best + th)

    def step(self, metrics):
        """Record this epoch's monitored value (a number or a one-element tensor)."""
        try:
            value = float(metrics)
        except (TypeError, ValueError):
            raise TypeError(f"ReduceLROnPlateau.step: metrics must be a number, got "
                            f"{type(metrics).__name__}") from None
        self.last_epoch += 1
        if self._improves(value):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:   # bad epochs during the cooldown do not count
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            groups = self.optimizer.param_groups
            if len(groups) != len(self.min_lrs):
                if self.default_min_lr is None:
                    raise RuntimeError(
                        f"ReduceLROnPlateau: the optimizer has {len(groups)} param groups but "
                        f"min_lr gave {len(self.min_lrs)} (one per group when the scheduler was "
                        "made); after add_param_group set .min_lrs to one value per group")
                self.min_lrs = [self.default_min_lr] * len(groups)
            for group, floor in zip(self.optimizer.param_groups, self.min_lrs):
                new = max(group["lr"] * self.factor, floor)
                if group["lr"] - new > self.eps:
                    group["lr"] = new
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    @property
    def in_cooldown(self):
        return self.cooldown_counter > 0
