"""Optimizers with PyTorch's update rules (``SGD``, ``Adam``, ``AdamW``,
``Adadelta``, ``RMSprop``, ``Adagrad``, ``LBFGS``) and
learning-rate schedules (``minigrad.optim.lr_scheduler``)."""
from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam, AdamW
from .adadelta import Adadelta
from .rmsprop import RMSprop
from .adagrad import Adagrad
from .lbfgs import LBFGS
from . import lr_scheduler  # noqa: F401

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adadelta", "RMSprop", "Adagrad", "LBFGS", "lr_scheduler"]
