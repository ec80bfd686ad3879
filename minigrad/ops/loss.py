"""Losses. ``cross_entropy`` is one fused op (log-softmax and the pick of the
target class together), because its gradient is so simple:
d loss / d logits = softmax(logits) - onehot(target), scaled by the reduction."""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Function, Input, is_grad_enabled
from .._tensor import Tensor, as_operand
from .activation import log_softmax_array
from .elementwise import where
from ..checks import check_float_tensor

REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction, op):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def class_index(op, logits_shape, target):
    """Validate integer class targets against (N, C) or (N, C, d1, ...) logits and
    return the numpy index that picks each sample's target class."""
    target = target.data if isinstance(target, Tensor) else np.asarray(target)
    if len(logits_shape) < 2:
        raise ValueError(f"{op}: input must have shape (N, C) or (N, C, d1, ...), got "
                         f"{logits_shape}")
    if target.dtype.kind not in "iu":
        raise TypeError(f"{op}: target must hold integer class indices, got dtype "
                        f"{target.dtype} (for probabilities use binary_cross_entropy or "
                        "mse_loss)")
    expected = (logits_shape[0],) + tuple(logits_shape[2:])
    if target.shape != expected:
        raise ValueError(f"{op}: target has shape {target.shape} but input of shape "
                         f"{logits_shape} needs a target of shape {expected} (one class "
                         "index per sample)")
    classes = logits_shape[1]
    if target.size and (target.min() < 0 or target.max() >= classes):
        bad = target[(target < 0) | (target >= classes)].flat[0]
        raise ValueError(f"{op}: target holds class index {bad}, but input has {classes} "
                         f"classes (expected 0 <= target < {classes})")
    grids = np.indices(target.shape, sparse=True)
    return (grids[0], target) + tuple(grids[1:])


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


class CrossEntropy(Function):
    """y_i = -log softmax(x_i)[t_i], reduced by ``reduction`` (x the logits, t the
        classes).
    dx_i = (softmax(x_i) - onehot(t_i)) * dy_i  (dy_i = dy / N for 'mean')
    """

    def __init__(self, index, reduction="mean"):
        self.index, self.reduction = index, reduction

    def forward(self, x):
        logp = log_softmax_array(x, axis=1)
        self.save_for_backward(Input(0), logp)
        losses = -logp[self.index]
        if self.reduction == "mean":
            return losses.mean() if losses.size else np.asarray(np.nan, dtype=x.dtype)
        return losses.sum() if self.reduction == "sum" else losses

    def backward(self, g):
        x, logp = self.saved_tensors   # logp: the log-probabilities, an intermediate
        # With create_graph the gradient must stay differentiable in x, so softmax
        # is recomputed with ops; otherwise the saved log-probabilities serve.
        p = x.softmax(axis=1) if is_grad_enabled() else logp.exp()
        onehot = np.zeros(x.shape, dtype=x.dtype)
        onehot[self.index] = 1
        if self.reduction == "none":
            scale = g.unsqueeze(1)
        elif self.reduction == "mean":
            scale = g * (1.0 / self.index[1].size)
        else:
            scale = g
        return (p - onehot) * scale

    def settings(self):
        return {"reduction": self.reduction}


def cross_entropy(logits, target, reduction="mean"):
    """Softmax cross-entropy of (N, C[, d...]) logits with integer class targets."""
    _check_reduction(reduction, "cross_entropy")
    check_float_tensor(logits, "input (logits)", "cross_entropy")
    return CrossEntropy(class_index("cross_entropy", logits.shape, target), reduction)(logits)


def nll_loss(log_probs, target, reduction="mean"):
    """Negative log-likelihood of log-probabilities (the output of log_softmax)."""
    _check_reduction(reduction, "nll_loss")
    check_float_tensor(log_probs, "input (log-probabilities)", "nll_loss")
    return _reduce(-log_probs[class_index("nll_loss", log_probs.shape, target)], reduction)


def _same_shape(a, b, op):
    check_float_tensor(a, "input", op)
    b = as_operand(b, a)
    if a.shape != b.shape:
        raise ValueError(f"{op}: input has shape {a.shape} but target has shape {b.shape}; "
                         "they must match (broadcasting here is usually a bug)")
    return b


def mse_loss(input, target, reduction="mean"):
    """mean((input - target)^2)."""
    _check_reduction(reduction, "mse_loss")
    diff = input - _same_shape(input, target, "mse_loss")
    return _reduce(diff * diff, reduction)


def binary_cross_entropy(input, target, reduction="mean"):
    """-(t log p + (1 - t) log(1 - p)), each log clamped at -100 as PyTorch does."""
    _check_reduction(reduction, "binary_cross_entropy")
    target = _same_shape(input, target, "binary_cross_entropy")
    if input.numel() and (input.data.min() < 0 or input.data.max() > 1):
        raise ValueError("binary_cross_entropy: input must hold probabilities in [0, 1] "
                         f"(got values in [{input.data.min()}, {input.data.max()}]); for "
                         "logits apply sigmoid first")
    loss = -(target * _clamped_log(input) + (1 - target) * _clamped_log(1 - input))
    return _reduce(loss, reduction)


def _clamped_log(p):
    """log(p) clamped at -100, as PyTorch's BCE. Where p is that small the log reads
    a stand-in 1 instead, so backward never forms 0/0 at p = 0 (a saturated sigmoid)."""
    fine = p.data > math.exp(-100)
    return where(fine, where(fine, p, 1.0).log(), -100.0)
