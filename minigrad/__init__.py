"""minigrad: a small, readable deep-learning framework on numpy.

``Tensor`` records a define-by-run graph; ``backward`` walks it in reverse.
Every op's gradient is written by hand (``minigrad/ops``) and proven against
central differences (``minigrad.gradcheck``).
"""
import numpy as np

from ._tensor import Tensor, tensor, from_numpy, device
from .autograd import (Function, Input, OUTPUT, no_grad, enable_grad, set_grad_enabled,
                       is_grad_enabled, grad)
from .tracing import detect_anomaly, is_anomaly_enabled
from .random import manual_seed, get_rng_state, set_rng_state
from .creation import zeros, ones, full, zeros_like, ones_like, arange, eye, randn, rand
from .ops.shape import flatten
from .ops.join import cat, concatenate, stack
from .ops.elementwise import where, masked_fill
from .ops.unary import sin, cos, log1p, expm1
from .ops.reduce import cumsum
from .ops.prod_logsumexp_norm import prod, logsumexp, norm
from .ops.pad_flip_repeat import flip
from .ops.join import split, chunk
from .ops.index import gather, sort, argsort, topk
from .gradcheck import gradcheck, gradgradcheck, GradcheckError, KinkWarning
from .serialization import save, load
from .creation import (empty, empty_like, full_like, rand_like, randn_like, linspace, logspace,
                       randint, randperm, normal, multinomial, as_tensor, is_tensor)
from .random import Generator
from .ops.linalg import einsum
from .namespace import FUNCTIONS as _METHOD_FUNCTIONS, var_mean, std_mean
from . import accelerator, backends  # noqa: F401  (device stubs: no accelerator here)
from . import custom_function  # noqa: F401  (PyTorch's ctx protocol for autograd.Function)
from . import nn, optim, data, datasets, transforms, utils  # noqa: F401
from . import distributions  # noqa: F401

from . import cuda  # noqa: F401  (is_available() is False: scripts that ask still run)

# dtypes are numpy's, usable as dtype= and in .to(dtype), as PyTorch's names
float16 = half = np.float16
float32 = float = np.float32  # noqa: A001
float64 = double = np.float64
int8, int16, uint8 = np.int8, np.int16, np.uint8
int32 = int = np.int32  # noqa: A001
int64 = long = np.int64
bool = np.bool_  # noqa: A001

# ``minigrad.exp(t)``, ``minigrad.max(t, 1)``, ...: each the Tensor method of its name
# (one table: minigrad/namespace.py). Names defined above (cat, where, ...) stay.
globals().update({name: fn for name, fn in _METHOD_FUNCTIONS.items() if name not in globals()
                  or name in ("sin", "cos", "log1p", "expm1", "prod", "logsumexp", "cumsum",
                              "norm", "flip", "split", "chunk", "gather", "sort", "argsort",
                              "topk", "masked_fill", "flatten")})
inference_mode = no_grad


__version__ = "0.1.0"

__all__ = [
    "Tensor", "tensor", "from_numpy", "Function", "Input", "OUTPUT", "no_grad", "enable_grad",
    "set_grad_enabled", "is_grad_enabled", "detect_anomaly", "is_anomaly_enabled", "grad",
    "manual_seed", "get_rng_state", "set_rng_state", "device", "cat", "flatten", "zeros", "ones", "full", "zeros_like", "ones_like", "arange", "eye",
    "randn", "rand", "concatenate", "stack", "where", "gradcheck", "gradgradcheck",
    "GradcheckError", "KinkWarning", "nn", "optim", "data", "datasets", "transforms", "utils",
    "save", "load", "sin", "cos", "log1p", "expm1", "masked_fill", "prod", "logsumexp", "cumsum",
    "norm", "flip", "split", "chunk", "gather", "sort", "argsort", "topk", "empty", "empty_like",
    "full_like", "rand_like", "randn_like", "linspace", "logspace", "randint", "randperm", "normal",
    "multinomial", "as_tensor", "is_tensor", "Generator", "einsum", "var_mean", "std_mean",
    "accelerator", "backends", "inference_mode", "distributions",
] + sorted(_METHOD_FUNCTIONS)
