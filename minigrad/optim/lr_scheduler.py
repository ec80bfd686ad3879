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

The others (see each class): LambdaLR, MultiplicativeLR, LinearLR, SequentialLR,
CosineAnnealingWarmRestarts, OneCycleLR (stepped per batch) and
ReduceLROnPlateau (``step(metric)``).

Alone, from a fresh optimizer, each gives its closed form (StepLR: base_lr *
gamma ** (t // step_size), and so on).

A group added with ``optimizer.add_param_group`` after the scheduler was made is
followed as PyTorch follows it: the chainable rules (StepLR, MultiStepLR,
ExponentialLR, LinearLR, CosineAnnealingLR away from its trough,
ReduceLROnPlateau with one ``min_lr``) scale its current rate too; a step that
needs the group's base rate or its own lr_lambda (LambdaLR, MultiplicativeLR,
CosineAnnealingWarmRestarts, CosineAnnealingLR's trough, a SequentialLR restart)
is a ValueError, OneCycleLR a KeyError (its ``max_lr``), as PyTorch's.

(Over 400 lines: eleven schedulers, each a short class with its closed form;
one module, as PyTorch's, so their shared stepping rule is read once.)
"""
from __future__ import annotations

import bisect
import math
import types

from .optimizer import Optimizer

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
           "LambdaLR", "MultiplicativeLR", "LinearLR", "SequentialLR",
           "CosineAnnealingWarmRestarts", "OneCycleLR", "ReduceLROnPlateau"]


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
        self.T_max = _positive(T_max, "T_max", "CosineAnnealingLR")
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


def _per_group(value, name, optimizer, op):
    """One value per parameter group: a list/tuple of the right length, or a
    single value repeated."""
    groups = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != groups:
            raise ValueError(f"{op}: expected {groups} {name} value(s), one per parameter "
                             f"group, got {len(value)}")
        return list(value)
    return [value] * groups


def _lambda_state(scheduler):
    """The state of LambdaLR / MultiplicativeLR, as PyTorch keeps it: a plain
    function (or lambda) cannot be saved, so it is stored as None and the one given
    to the new scheduler is used; a callable *object* saves its ``__dict__``."""
    state = {k: v for k, v in vars(scheduler).items() if k not in ("optimizer", "lr_lambdas")}
    state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) else dict(vars(fn))
                           for fn in scheduler.lr_lambdas]
    return state


def _load_lambda_state(scheduler, state_dict):
    state = dict(state_dict)
    saved = state.pop("lr_lambdas", [])
    scheduler.__dict__.update(state)
    for fn, attributes in zip(scheduler.lr_lambdas, saved):
        if attributes is not None:
            vars(fn).update(attributes)


class LambdaLR(LRScheduler):
    """lr = base_lr * lr_lambda(epoch): ``lr_lambda`` is a function of the epoch,
    or a list of them, one per parameter group. Not chainable (as PyTorch): it
    overwrites the rate from ``base_lr`` every epoch."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        self.lr_lambdas = _lambdas(lr_lambda, optimizer, type(self).__name__)
        super().__init__(optimizer, last_epoch)

    def _new_lrs(self, initial):
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self):
        return _lambda_state(self)

    def load_state_dict(self, state_dict):
        _load_lambda_state(self, state_dict)


def _lambdas(lr_lambda, optimizer, op):
    if not isinstance(optimizer, Optimizer):   # before len(param_groups) below
        raise TypeError(f"{op}: expected an Optimizer, got {type(optimizer).__name__}")
    fns = _per_group(lr_lambda, "lr_lambda", optimizer, op)
    for fn in fns:
        if not callable(fn):
            raise TypeError(f"{op}: lr_lambda must be a function of the epoch (or a list of "
                            f"them), got {type(fn).__name__}")
    return fns


class MultiplicativeLR(LRScheduler):
    """lr = lr * lr_lambda(epoch) for every epoch after the first (chainable)."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        self.lr_lambdas = _lambdas(lr_lambda, optimizer, type(self).__name__)
        super().__init__(optimizer, last_epoch)

    def _new_lrs(self, initial):
        groups = self.optimizer.param_groups
        if initial:
            return [group["lr"] for group in groups]
        return [group["lr"] * fn(self.last_epoch) for fn, group in zip(self.lr_lambdas, groups)]

    def state_dict(self):
        return _lambda_state(self)

    def load_state_dict(self, state_dict):
        _load_lambda_state(self, state_dict)


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
        self.total_iters = _positive(total_iters, "total_iters", "LinearLR")
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
            _undo_step(sched)
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


def _undo_step(sched):
    if isinstance(sched, SequentialLR):
        for sub in sched.schedulers:
            _undo_step(sub)
    sched.last_epoch -= 1


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR (Loshchilov & Hutter): half a cosine from base_lr down to ``eta_min``
    over T_i epochs, then a restart at base_lr; the first period is ``T_0`` and
    each next one ``T_mult`` times longer:
    lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2.
    ``step(epoch)`` may also be given a (fractional) epoch, e.g.
    ``epoch + batch / batches`` to anneal within an epoch, as PyTorch."""

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        self.T_0 = _positive(T_0, "T_0", "CosineAnnealingWarmRestarts")
        self.T_mult = _positive(T_mult, "T_mult", "CosineAnnealingWarmRestarts")
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
            self.total_steps = _positive(total_steps, "total_steps", op)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = (_positive(epochs, "epochs", op)
                                * _positive(steps_per_epoch, "steps_per_epoch", op))
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
            for group, peak in zip(groups, _per_group(max_lr, "max_lr", optimizer, op)):
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
                highs = _per_group(max_momentum, "max_momentum", optimizer, op)
                lows = _per_group(base_momentum, "base_momentum", optimizer, op)
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
        self.min_lrs = _per_group(min_lr, "min_lr", optimizer, op)
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
