"""minigrad: a small, readable deep-learning framework on numpy.

``Tensor`` records a define-by-run graph; ``backward`` walks it in reverse.
Every op's gradient is written by hand (``minigrad/ops``) and proven against
central differences (``minigrad.gradcheck``).
"""
from .tensor import Tensor, tensor, from_numpy
from .autograd import (Function, no_grad, enable_grad, set_grad_enabled, is_grad_enabled,
                       detect_anomaly, is_anomaly_enabled, grad)
from .random import manual_seed
from .creation import zeros, ones, full, zeros_like, ones_like, arange, eye, randn, rand
from .ops.shape import concatenate, stack
from .ops.elementwise import where
from .gradcheck import gradcheck, gradgradcheck, GradcheckError, KinkWarning
from .serialization import save, load
from . import nn, optim, data, datasets, transforms, utils  # noqa: F401

float32 = "float32"
float64 = "float64"

__version__ = "0.1.0"

__all__ = [
    "Tensor", "tensor", "from_numpy", "Function", "no_grad", "enable_grad",
    "set_grad_enabled", "is_grad_enabled", "detect_anomaly", "is_anomaly_enabled", "grad",
    "manual_seed", "zeros", "ones", "full", "zeros_like", "ones_like", "arange", "eye",
    "randn", "rand", "concatenate", "stack", "where", "gradcheck", "gradgradcheck",
    "GradcheckError", "KinkWarning", "nn", "optim", "data", "datasets", "transforms", "utils",
    "save", "load",
]
