"""Loss modules: ``loss_fn = CrossEntropyLoss(); loss = loss_fn(logits, target)``.

Each holds its settings and calls its function in ``nn.functional``. Class
weights (``weight``, ``pos_weight``) are buffers, as in PyTorch, so they follow
``.double()`` and appear in ``state_dict``. The arguments after the first are
keyword-only: PyTorch's deprecated ``size_average``/``reduce`` sit in between
there, and a positional value would land in the wrong place silently.
"""
from __future__ import annotations

from . import functional as F
from .module import Module
from ..checks import check_float_tensor

__all__ = ["CrossEntropyLoss", "NLLLoss", "MSELoss", "BCELoss", "L1Loss", "SmoothL1Loss",
           "HuberLoss", "BCEWithLogitsLoss", "KLDivLoss"]


class _Loss(Module):
    function = None
    reductions = ("mean", "sum", "none")

    def __init__(self, reduction="mean"):
        super().__init__()
        if reduction not in self.reductions:
            raise ValueError(f"{type(self).__name__}: reduction must be one of "
                             f"{self.reductions}, got {reduction!r}")
        self.reduction = reduction

    def options(self):
        """The keyword arguments the function gets besides input and target."""
        return {"reduction": self.reduction}

    def forward(self, input, target):
        return type(self).function(input, target, **self.options())

    def extra_repr(self):
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


def _register_weight(module, name, value):
    if value is not None:
        check_float_tensor(value, name, type(module).__name__)
    module.register_buffer(name, value)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of logits (N, C[, d...]) against class indices or class
    probabilities; ``weight`` per class, ``ignore_index``, ``label_smoothing``."""
    function = staticmethod(F.cross_entropy)

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(reduction)
        _register_weight(self, "weight", weight)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def options(self):
        return {"weight": self.weight, "ignore_index": self.ignore_index,
                "reduction": self.reduction, "label_smoothing": self.label_smoothing}


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities against class targets."""
    function = staticmethod(F.nll_loss)

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean"):
        super().__init__(reduction)
        _register_weight(self, "weight", weight)
        self.ignore_index = ignore_index

    def options(self):
        return {"weight": self.weight, "ignore_index": self.ignore_index,
                "reduction": self.reduction}


class MSELoss(_Loss):
    """Mean squared error between input and a target of the same shape."""
    function = staticmethod(F.mse_loss)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities against targets in [0, 1]; ``weight``
    rescales each element's loss (broadcast to the input's shape)."""
    function = staticmethod(F.binary_cross_entropy)

    def __init__(self, weight=None, *, reduction="mean"):
        super().__init__(reduction)
        _register_weight(self, "weight", weight)

    def options(self):
        return {"weight": self.weight, "reduction": self.reduction}


class L1Loss(_Loss):
    """Mean absolute error."""
    function = staticmethod(F.l1_loss)


class SmoothL1Loss(_Loss):
    """Quadratic below ``beta``, linear above (``F.smooth_l1_loss``)."""
    function = staticmethod(F.smooth_l1_loss)

    def __init__(self, *, reduction="mean", beta=1.0):
        super().__init__(reduction)
        self.beta = beta

    def options(self):
        return {"reduction": self.reduction, "beta": self.beta}


class HuberLoss(_Loss):
    """Quadratic below ``delta``, linear (slope delta) above (``F.huber_loss``)."""
    function = staticmethod(F.huber_loss)

    def __init__(self, *, reduction="mean", delta=1.0):
        super().__init__(reduction)
        self.delta = delta

    def options(self):
        return {"reduction": self.reduction, "delta": self.delta}


class BCEWithLogitsLoss(_Loss):
    """Sigmoid plus binary cross-entropy, finite for any logit; ``weight`` per
    element (broadcast), ``pos_weight`` per class (the last dim)."""
    function = staticmethod(F.binary_cross_entropy_with_logits)

    def __init__(self, weight=None, *, reduction="mean", pos_weight=None):
        super().__init__(reduction)
        _register_weight(self, "weight", weight)
        _register_weight(self, "pos_weight", pos_weight)

    def options(self):
        return {"weight": self.weight, "reduction": self.reduction,
                "pos_weight": self.pos_weight}


class KLDivLoss(_Loss):
    """KL divergence of log-probabilities ``input`` from ``target``; use
    ``reduction='batchmean'`` for the true divergence."""
    function = staticmethod(F.kl_div)
    reductions = ("mean", "batchmean", "sum", "none")

    def __init__(self, *, reduction="mean", log_target=False):
        super().__init__(reduction)
        self.log_target = log_target

    def options(self):
        return {"reduction": self.reduction, "log_target": self.log_target}
