"""Optimizers with PyTorch's update rules (``SGD``, ``Adam``, ``AdamW``) and
learning-rate schedules (``minigrad.optim.lr_scheduler``)."""
from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam, AdamW
from . import lr_scheduler  # noqa: F401

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "lr_scheduler"]
