"""Neural-network building blocks: ``Module``, ``Parameter``, layers, losses,
initialisation (``nn.init``) and the functional interface (``nn.functional``)."""
from . import functional  # noqa: F401
from . import init  # noqa: F401
from . import utils  # noqa: F401
from .module import Module, Parameter, StateDictError
from .layers import Identity, Linear, Conv2d, MaxPool2d, AvgPool2d, Flatten, Dropout
from .layers import ConvTranspose2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, Upsample
from .activation import (ReLU, Sigmoid, Tanh, LeakyReLU, ELU, GELU, Softplus, Softmax,
                         LogSoftmax)
from .batchnorm import BatchNorm1d, BatchNorm2d
from .container import Sequential, ModuleList
from .loss import CrossEntropyLoss, NLLLoss, MSELoss, BCELoss

__all__ = [
    "functional", "init", "utils", "Module", "Parameter", "StateDictError", "Identity", "Linear",
    "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "Dropout", "ReLU", "Sigmoid", "Tanh",
    "LeakyReLU", "ELU", "GELU", "Softplus", "Softmax", "LogSoftmax", "BatchNorm1d",
    "BatchNorm2d", "Sequential", "ModuleList", "CrossEntropyLoss", "NLLLoss", "MSELoss",
    "BCELoss", "ConvTranspose2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "Upsample",
]
