"""Losses, with PyTorch's arguments and numbers.

``cross_entropy`` is one fused op (log-softmax and the weighted pick of the target
distribution together), because its gradient is so simple: d loss / d logits =
softmax(logits) * (total target weight) - target distribution, scaled by the
reduction. Class weights, ``ignore_index``, label smoothing and probability
targets only change the target distribution ``q`` and the divisor of 'mean'
(docs/derivations.md, section 10). ``binary_cross_entropy_with_logits`` is fused
too, so that it stays finite for any logit. The others are compositions of
differentiable ops.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Function, Input, is_grad_enabled
from .._tensor import Tensor, as_operand, make_tensor
from .activation import log_softmax_array, softplus
from .elementwise import where
from ..checks import check_float_tensor, check_number

REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction, op, allowed=REDUCTIONS):
    if reduction not in allowed:
        raise ValueError(f"{op}: reduction must be one of {allowed}, got {reduction!r}")


def _check_ignore_index(ignore_index, op):
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise TypeError(f"{op}: ignore_index must be an int, got {ignore_index!r}")
    return int(ignore_index)


def class_index(op, logits_shape, target, ignore_index=None):
    """Validate integer class targets against (N, C) or (N, C, d1, ...) logits.
    Returns ``(index, kept)``: the numpy index that picks each sample's target class
    (an ignored sample picks class 0) and the boolean mask of samples not ignored."""
    target = target.array if isinstance(target, Tensor) else np.asarray(target)
    if len(logits_shape) < 2:
        raise ValueError(f"{op}: input must have shape (N, C) or (N, C, d1, ...), got "
                         f"{logits_shape}")
    if target.dtype.kind not in "iu":
        hint = (f"or class probabilities of the input's shape {tuple(logits_shape)}"
                if op == "cross_entropy" else "for probabilities use cross_entropy or kl_div")
        raise TypeError(f"{op}: target must hold integer class indices, got dtype "
                        f"{target.dtype} ({hint})")
    expected = (logits_shape[0],) + tuple(logits_shape[2:])
    if target.shape != expected:
        raise ValueError(f"{op}: target has shape {target.shape} but input of shape "
                         f"{logits_shape} needs a target of shape {expected} (one class "
                         "index per sample)")
    classes = logits_shape[1]
    kept = target != ignore_index if ignore_index is not None else np.ones(target.shape, bool)
    bad = kept & ((target < 0) | (target >= classes))
    if bad.any():
        note = f" and it is not ignore_index ({ignore_index})" if ignore_index is not None else ""
        raise ValueError(f"{op}: target holds class index {target[bad].flat[0]}, but input has "
                         f"{classes} classes (expected 0 <= target < {classes}){note}")
    picked = np.where(kept, target, 0) if not kept.all() else target
    grids = np.indices(target.shape, sparse=True)
    return (grids[0], picked) + tuple(grids[1:]), kept


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _class_weight(weight, classes, x, op):
    """The per-class weight as an array of x's dtype (a constant), or None."""
    if weight is None:
        return None
    check_float_tensor(weight, "weight", op)
    if weight.shape != (classes,):
        raise ValueError(f"{op}: weight must have shape ({classes},) (one weight per class of "
                         f"input {x.shape}), got {weight.shape}")
    return weight.array.astype(x.dtype, copy=False)


class CrossEntropy(Function):
    """y = -sum_c q_c * log softmax(x)_c / D per sample, summed over the samples
        unless reduction='none' (q: the target distribution with class weights and
        label smoothing in it, D: the divisor of 'mean', else 1).
    dx = (softmax(x) * sum_c q_c - q) * dy / D
    """

    def __init__(self, target_distribution, reduction="mean", divisor=1.0):
        self.target_distribution, self.reduction = target_distribution, reduction
        self.divisor = divisor

    def forward(self, x):
        logp = log_softmax_array(x, axis=1)
        if self.needs_input_grad[0]:
            self.save_for_backward(Input(0), logp)
        q = self.target_distribution
        # where: a class of weight 0 adds 0 even where its log-probability is -inf
        losses = -np.where(q != 0, q * logp, 0).sum(axis=1)
        if self.reduction == "none":
            return losses
        with np.errstate(invalid="ignore", divide="ignore"):   # 0 / 0: NaN, as PyTorch
            return np.asarray(losses.sum() / self.divisor, dtype=x.dtype)

    def backward(self, g):
        x, logp = self.saved_tensors   # logp: the log-probabilities, an intermediate
        # With create_graph the gradient must stay differentiable in x, so softmax
        # is recomputed with ops; otherwise the saved log-probabilities serve.
        p = x.softmax(axis=1) if is_grad_enabled() else logp.exp()
        q = self.target_distribution
        total = q.sum(axis=1, keepdims=True)
        if self.reduction == "none":
            scale = g.unsqueeze(1)
        else:   # nothing was averaged (every target ignored): no gradient, as PyTorch
            scale = g * (1.0 / self.divisor if self.divisor else 0.0)
        return (p * total - q) * scale

    def settings(self):
        return {"reduction": self.reduction}


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):
    """Softmax cross-entropy of (N, C[, d...]) logits with integer class targets, or
    with class probabilities of the logits' shape (a float target)."""
    op = "cross_entropy"
    _check_reduction(reduction, op)
    check_float_tensor(input, "input (logits)", op)
    ignore_index = _check_ignore_index(ignore_index, op)
    smoothing = check_number(label_smoothing, "label_smoothing", op)
    if not 0 <= smoothing <= 1:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {label_smoothing!r}")
    x = input
    if x.ndim < 2:
        raise ValueError(f"{op}: input must have shape (N, C) or (N, C, d1, ...), got {x.shape}")
    classes = x.shape[1]
    w = _class_weight(weight, classes, x, op)
    w_b = None if w is None else w.reshape((1, classes) + (1,) * (x.ndim - 2))
    target_array = target.array if isinstance(target, Tensor) else np.asarray(target)
    sample_shape = (x.shape[0],) + x.shape[2:]
    if target_array.dtype.kind == "f" and target_array.shape != sample_shape:
        # class probabilities (a float target of the samples' shape falls through to
        # class_index, which says it must hold integers)
        if target_array.shape != x.shape:
            raise ValueError(f"{op}: probability target has shape {target_array.shape} but "
                             f"input has shape {x.shape}; a float target holds class "
                             "probabilities of the logits' shape (class indices must be integers)")
        q = target_array.astype(x.dtype, copy=False)
        if smoothing:
            q = q * (1 - smoothing) + smoothing / classes
        if w_b is not None:
            q = q * w_b
        divisor = x.numel() // classes if classes else 0   # mean over samples, not weights
    else:
        index, kept = class_index(op, x.shape, target_array, ignore_index)
        picked_weight = kept.astype(x.dtype) if w is None else np.where(kept, w[index[1]], 0)
        q = np.zeros(x.shape, dtype=x.dtype)
        q[index] = picked_weight * (1 - smoothing)
        if smoothing:
            spread = (np.ones(classes, x.dtype) if w is None else w) * (smoothing / classes)
            q += spread.reshape(w_b.shape if w_b is not None else (1, classes) + (1,) * (x.ndim - 2)) \
                * np.expand_dims(kept, 1)
        divisor = picked_weight.sum()
    return CrossEntropy(q, reduction, float(divisor) if reduction == "mean" else 1.0)(x)


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood of log-probabilities (the output of log_softmax):
    -weight[t] * input[n, t] per sample, ignored samples 0; 'mean' divides by the
    total weight of the samples not ignored."""
    op = "nll_loss"
    _check_reduction(reduction, op)
    check_float_tensor(input, "input (log-probabilities)", op)
    ignore_index = _check_ignore_index(ignore_index, op)
    index, kept = class_index(op, input.shape, target, ignore_index)
    w = _class_weight(weight, input.shape[1], input, op)
    picked = -input[index]
    if w is None and kept.all():
        return _reduce(picked, reduction)
    per_sample = kept.astype(input.dtype) if w is None else np.where(kept, w[index[1]], 0)
    loss = picked * per_sample
    if reduction == "mean":
        total = per_sample.sum()
        if not total:   # PyTorch's 0 / 0: the loss is NaN, its gradient NaN at the kept
            # targets (all of weight 0) and 0 at the ignored ones (all ignored: all 0)
            share = np.where(kept, math.nan, 0.0).astype(input.dtype)
            return (picked * share).sum() + math.nan
        return loss.sum() * (1.0 / total)
    return _reduce(loss, reduction)


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


def l1_loss(input, target, reduction="mean"):
    """mean(|input - target|) (gradient 0 where they are equal, as PyTorch)."""
    _check_reduction(reduction, "l1_loss")
    return _reduce((input - _same_shape(input, target, "l1_loss")).abs(), reduction)


def _quadratic_then_linear(diff, width, outer_slope):
    """0.5 d^2 where |d| < width, else outer_slope * (|d| - 0.5 width): Huber's loss
    (continuous with a continuous slope at |d| = width when outer_slope = width)."""
    inside = np.abs(diff.array) < width
    linear = diff.abs() - 0.5 * width
    if outer_slope != 1:
        linear = linear * outer_slope
    return where(inside, diff * diff * 0.5, linear) if inside.any() else linear


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (d = input - target);
    beta = 0 is l1_loss."""
    op = "smooth_l1_loss"
    _check_reduction(reduction, op)
    beta = check_number(beta, "beta", op)
    if not beta >= 0:
        raise ValueError(f"{op}: beta must be >= 0, got {beta!r}")
    diff = input - _same_shape(input, target, op)
    if beta == 0:
        return _reduce(diff.abs(), reduction)
    # smooth_l1 is Huber's loss with delta = beta, divided by beta
    return _reduce(_quadratic_then_linear(diff, beta, beta) * (1.0 / beta), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta) (d = input - target)."""
    op = "huber_loss"
    _check_reduction(reduction, op)
    delta = check_number(delta, "delta", op)
    if not delta > 0:
        raise ValueError(f"{op}: delta must be > 0, got {delta!r}")
    diff = input - _same_shape(input, target, op)
    return _reduce(_quadratic_then_linear(diff, delta, delta), reduction)


class OutOfRangeError(ValueError, RuntimeError):
    """Values outside the range an op accepts: a ValueError, and the RuntimeError
    PyTorch raises for the same call."""


def _check_probabilities(values, name, op, hint):
    inside = (values.array >= 0) & (values.array <= 1)   # NaN is outside too
    if not inside.all():
        bad = values.array[~inside].flat[0]
        raise OutOfRangeError(f"{op}: all elements of {name} should be between 0 and 1 "
                              f"(probabilities), got {bad} (shape {values.shape}){hint}")


def _elementwise_weight(value, name, input, op):
    """``value`` (a tensor, array or number) as a constant array of the input's dtype
    that broadcasts to the input's shape, or None."""
    if value is None:
        return None
    value = as_operand(value, input)
    try:
        fits = np.broadcast_shapes(value.shape, input.shape) == input.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{op}: {name} of shape {value.shape} must broadcast to the input's "
                         f"shape {input.shape}")
    return value.array.astype(input.dtype, copy=False)


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """-w (t log p + (1 - t) log(1 - p)), each log clamped at -100 as PyTorch does;
    ``weight`` rescales each element's loss (broadcast to the input's shape)."""
    op = "binary_cross_entropy"
    _check_reduction(reduction, op)
    target = _same_shape(input, target, op)
    _check_probabilities(input, "input", op, "; for logits apply sigmoid first, or use "
                         "binary_cross_entropy_with_logits")
    _check_probabilities(target, "target", op, "")
    weight = _elementwise_weight(weight, "weight", input, op)
    loss = -(target * _clamped_log(input) + (1 - target) * _clamped_log(1 - input))
    if weight is not None:
        loss = loss * make_tensor(weight)
    return _reduce(loss, reduction)


def _clamped_log(p):
    """log(p) clamped at -100, as PyTorch's BCE. Where p is that small the log reads
    a stand-in 1 instead, so backward never forms 0/0 at p = 0 (a saturated sigmoid)."""
    fine = p.array > math.exp(-100)
    return where(fine, where(fine, p, 1.0).log(), -100.0)


class BinaryCrossEntropyWithLogits(Function):
    """y = (1 - b) * a + (1 + (w - 1) * b) * softplus(-a) (a the logits, b the
        targets, w the pos_weight), computed without overflow for any a.
    da = dy * ((1 + (w - 1) * b) * sigmoid(a) - w * b)
    db = dy * ((w - 1) * softplus(-a) - a)
    """

    def __init__(self, pos_weight=None):
        self.pos_weight = pos_weight

    def forward(self, a, b):
        need_a, need_b = self.needs_input_grad
        self.save_for_backward(Input(0) if need_a or need_b else None,
                               Input(1) if need_a else None)
        softplus_neg = np.logaddexp(0, -a)   # log(1 + exp(-a)), exact for large |a|
        pos = 1 if self.pos_weight is None else 1 + (self.pos_weight - 1) * b
        return ((1 - b) * a + pos * softplus_neg).astype(a.dtype, copy=False)

    def backward(self, g):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        w = self.pos_weight
        da = db = None
        if need_a:
            da = g * (a.sigmoid() - b) if w is None else \
                g * ((1 + (w - 1) * b) * a.sigmoid() - w * b)
        if need_b:
            db = -(g * a) if w is None else g * ((w - 1) * softplus(-a) - a)
        return da, db

    def settings(self):
        return {} if self.pos_weight is None else {"pos_weight": self.pos_weight.shape}


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean",
                                     pos_weight=None):
    """Sigmoid and binary cross-entropy in one, finite for logits of any size:
    -w [pos_weight t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))]."""
    op = "binary_cross_entropy_with_logits"
    _check_reduction(reduction, op)
    target = _same_shape(input, target, op)
    if target.dtype.kind != "f":
        raise TypeError(f"{op}: target must be a floating-point tensor, got dtype {target.dtype}")
    weight = _elementwise_weight(weight, "weight", input, op)
    pos_weight = _elementwise_weight(pos_weight, "pos_weight", input, op)
    loss = BinaryCrossEntropyWithLogits(pos_weight)(input, target)
    if weight is not None:
        loss = loss * make_tensor(weight)
    return _reduce(loss, reduction)


def kl_div(input, target, reduction="mean", log_target=False):
    """Kullback-Leibler divergence with ``input`` holding log-probabilities:
    target * (log target - input) pointwise (0 where target = 0), or with
    log_target=True exp(target) * (target - input). 'batchmean' divides the sum by
    the batch size (the true KL divergence); 'mean' by the number of elements."""
    op = "kl_div"
    _check_reduction(reduction, op, REDUCTIONS + ("batchmean",))
    target = _same_shape(input, target, op)
    if log_target:
        pointwise = target.exp() * (target - input)
    else:
        positive = target.array > 0   # x log x -> 0 as x -> 0 (PyTorch's xlogy)
        target_log_target = where(positive, target * where(positive, target, 1.0).log(), 0.0)
        pointwise = target_log_target - target * input
    if reduction == "batchmean":
        batch = input.shape[0] if input.ndim else 1
        return pointwise.sum() * (1.0 / batch if batch else math.nan)   # batch 0: NaN, as PyTorch
    return _reduce(pointwise, reduction)
