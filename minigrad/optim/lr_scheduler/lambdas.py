"""Schedules given by the user's functions of the epoch: LambdaLR, MultiplicativeLR."""
from __future__ import annotations

import types

from ..optimizer import Optimizer
from .base import LRScheduler, per_group


def lambda_state(scheduler):
    """The state of LambdaLR / MultiplicativeLR, as PyTorch keeps it: a plain
    function (or lambda) cannot be saved, so it is stored as None and the one given
    to the new scheduler is used; a callable *object* saves its ``__dict__``."""
    state = {k: v for k, v in vars(scheduler).items() if k not in ("optimizer", "lr_lambdas")}
    state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) else dict(vars(fn))
                           for fn in scheduler.lr_lambdas]
    return state


def load_lambda_state(scheduler, state_dict):
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
        self.lr_lambdas = lambdas_of(lr_lambda, optimizer, type(self).__name__)
        super().__init__(optimizer, last_epoch)

    def _new_lrs(self, initial):
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self):
        return lambda_state(self)

    def load_state_dict(self, state_dict):
        load_lambda_state(self, state_dict)


def lambdas_of(lr_lambda, optimizer, op):
    if not isinstance(optimizer, Optimizer):   # before len(param_groups) below
        raise TypeError(f"{op}: expected an Optimizer, got {type(optimizer).__name__}")
    fns = per_group(lr_lambda, "lr_lambda", optimizer, op)
    for fn in fns:
        if not callable(fn):
            raise TypeError(f"{op}: lr_lambda must be a function of the epoch (or a list of "
                            f"them), got {type(fn).__name__}")
    return fns


class MultiplicativeLR(LRScheduler):
    """lr = lr * lr_lambda(epoch) for every epoch after the first (chainable)."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        self.lr_lambdas = lambdas_of(lr_lambda, optimizer, type(self).__name__)
        super().__init__(optimizer, last_epoch)

    def _new_lrs(self, initial):
        groups = self.optimizer.param_groups
        if initial:
            return [group["lr"] for group in groups]
        return [group["lr"] * fn(self.last_epoch) for fn, group in zip(self.lr_lambdas, groups)]

    def state_dict(self):
        return lambda_state(self)

    def load_state_dict(self, state_dict):
        load_lambda_state(self, state_dict)
