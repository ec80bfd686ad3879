"""``Dropout2d``: drop whole channels (``F.dropout2d``)."""
from __future__ import annotations

from . import functional as F
from .module import Module
from ..checks import check_probability

__all__ = ["Dropout2d"]


class Dropout2d(Module):
    """Zero each channel of (N, C, H, W) input with probability p in training,
    scaling the rest by 1/(1-p); the identity in eval mode."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        self.p = check_probability(p, "Dropout2d")
        self.inplace = inplace   # accepted as PyTorch's; computed out of place

    def forward(self, x):
        return F.dropout2d(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}"
