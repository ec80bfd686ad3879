"""Activation modules: each ``forward`` calls its function in ``nn.functional``.

``inplace=True`` (where PyTorch has it) is accepted so PyTorch model code runs
unchanged, but the result is computed out of place: overwriting the input would
destroy values that backward may still need.
"""
from __future__ import annotations

from . import functional as F
from .module import Module
from ..checks import check_bool, check_number
from ..ops.activation import hardtanh_bounds

__all__ = ["ReLU", "Sigmoid", "Tanh", "LeakyReLU", "ELU", "GELU", "Softplus", "Softmax",
           "LogSoftmax", "SiLU", "Hardtanh"]


class _InplaceActivation(Module):
    """Takes PyTorch's ``inplace`` flag (shown in the repr only when set, as PyTorch)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = check_bool(inplace, type(self).__name__)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class ReLU(_InplaceActivation):
    """max(x, 0) elementwise."""

    def forward(self, x):
        return F.relu(x)


class Sigmoid(Module):
    """1 / (1 + exp(-x)) elementwise."""

    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
    """tanh(x) elementwise."""

    def forward(self, x):
        return F.tanh(x)


class LeakyReLU(_InplaceActivation):
    """x if x > 0 else negative_slope * x."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__(inplace)
        self.negative_slope = check_number(negative_slope, "negative_slope", "LeakyReLU")

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return ", ".join(filter(None, [f"negative_slope={self.negative_slope}",
                                       super().extra_repr()]))


class ELU(_InplaceActivation):
    """x if x > 0 else alpha * (exp(x) - 1)."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__(inplace)
        self.alpha = check_number(alpha, "alpha", "ELU")

    def forward(self, x):
        return F.elu(x, self.alpha)

    def extra_repr(self):
        return ", ".join(filter(None, [f"alpha={self.alpha}", super().extra_repr()]))


class GELU(Module):
    """x * Phi(x), Phi the standard normal CDF (``approximate='tanh'`` optional)."""

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """log(1 + exp(beta x)) / beta (linear above ``threshold``)."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    """exp(x) / sum(exp(x)) along ``dim``."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log(softmax(x)) along ``dim``."""

    def forward(self, x):
        return F.log_softmax(x, self.dim)


class SiLU(_InplaceActivation):
    """x * sigmoid(x) elementwise (swish)."""

    def forward(self, x):
        return F.silu(x)


class Hardtanh(_InplaceActivation):
    """x clipped to [min_val, max_val] (gradient 0 at the bounds, as PyTorch)."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__(inplace)
        self.min_val, self.max_val = hardtanh_bounds(min_val, max_val, "Hardtanh")

    def forward(self, x):
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self):
        return ", ".join(filter(None, [f"min_val={self.min_val}, max_val={self.max_val}",
                                       super().extra_repr()]))
