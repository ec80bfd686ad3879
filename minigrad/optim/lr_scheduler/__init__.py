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

The schedulers live in this package by family: ``base`` (the shared stepping
rule), ``decay``, ``lambdas``, ``restarts``, ``onecycle`` and ``plateau``.
"""
from __future__ import annotations

from .base import LRScheduler
from .decay import StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR
from .lambdas import LambdaLR, MultiplicativeLR
from .restarts import SequentialLR, CosineAnnealingWarmRestarts
from .onecycle import OneCycleLR
from .plateau import ReduceLROnPlateau

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
           "LambdaLR", "MultiplicativeLR", "LinearLR", "SequentialLR",
           "CosineAnnealingWarmRestarts", "OneCycleLR", "ReduceLROnPlateau"]
