"""The scheduler base class (the chainable stepping rule) and its argument checks."""
from __future__ import annotations

from ..optimizer import Optimizer


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
        self._set_lrs(self._new_lrs(initial))

    def _new_lrs(self, initial):
        """Every group's next rate (subclasses needing the group index override this).
        A group added after this scheduler was made has no base rate: None."""
        groups = self.optimizer.param_groups
        bases = self.base_lrs + [None] * (len(groups) - len(self.base_lrs))
        return [self.next_lr(group["lr"], base, initial) for group, base in zip(groups, bases)]

    def _added_group_error(self):
        return ValueError(
            f"{type(self).__name__}: the optimizer has {len(self.optimizer.param_groups)} param "
            f"groups but this scheduler was made for {len(self.base_lrs)}; this step needs each "
            "group's base rate (or lr_lambda), which a group added with add_param_group after "
            "the scheduler was made does not have (PyTorch refuses too); make the scheduler "
            "after adding the group")

    def _closed_form_lrs(self):
        """The rates at ``last_epoch`` computed from ``base_lrs`` alone, for the
        schedules that have such a form (None otherwise)."""
        return None

    def _set_lrs(self, lrs):
        if len(lrs) != len(self.optimizer.param_groups):
            raise self._added_group_error()
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _restart(self):
        """Start over at epoch 0, as ``SequentialLR`` does when it hands over to
        this schedule at a milestone: the closed form at 0 when there is one
        (usually the base rate), else one ordinary update at epoch 0 (PyTorch's
        ``step(0)``)."""
        self.last_epoch = 0
        lrs = self._closed_form_lrs()
        self._set_lrs(self._new_lrs(initial=False) if lrs is None else lrs)

    def get_last_lr(self):
        return list(self._last_lr)

    def state_dict(self):
        return {k: v for k, v in vars(self).items() if k != "optimizer"}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)


def positive(value, name, op):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{op}: {name} must be a positive int, got {value!r}")
    return value

def per_group(value, name, optimizer, op):
    """One value per parameter group: a list/tuple of the right length, or a
    single value repeated."""
    groups = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != groups:
            raise ValueError(f"{op}: expected {groups} {name} value(s), one per parameter "
                             f"group, got {len(value)}")
        return list(value)
    return [value] * groups
