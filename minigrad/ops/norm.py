"""Normalisation layers as single ops with closed-form gradients: batch norm, layer
norm and group norm all standardise ``x`` over some axes R (M elements per group)
and then scale and shift it:

    xh = (x - mean_R(x)) / sqrt(var_R(x) + eps),    y = w * xh + b

They differ only in R and in the shape of ``w`` and ``b``, so one base class holds
the math (derivation: docs/derivations.md, section 9):

    dx = (dxh - mean_R(dxh) - xh * mean_R(dxh * xh)) / sigma,    dxh = dy * w
    dw = sum of dy * xh over the axes w is broadcast along,   db = sum of dy likewise

Forward keeps xh and 1/sigma for backward. A plain backward of batch norm runs the
formula in numpy, in place in the dx array; under ``create_graph`` backward
recomputes xh and sigma from x and runs it as ops, so the gradient is itself
differentiable (gradgradcheck; a test holds the two paths equal). Every array op keeps the input's memory layout (a conv output's
batch-last layout stays batch-last; see ``minigrad/ops/__init__.py``).
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Function, Input, is_grad_enabled
from .._tensor import Tensor, make_tensor
from ..checks import check_float_tensor, check_number, check_same_dtype, positive_int
from .layout import mean_over, output_like, sum_over


class _Normalize(Function):
    """Standardise over ``axes`` (keepdims shape), then ``w * xh + b`` with ``w``,
    ``b`` (optional, given in that order) already shaped to broadcast against x."""

    def __init__(self, axes, eps=1e-5):
        self.axes, self.eps = tuple(axes), eps

    def statistics(self, x):
        """Mean and biased variance over the axes (keepdims), two passes for accuracy."""
        mean = mean_over(x, self.axes)
        centered = x - mean
        return mean, centered, mean_over(centered, self.axes, centered)

    def forward(self, x, w=None, b=None):
        mean, xh, var = self.statistics(x)
        inv_std = (1.0 / np.sqrt(var + self.eps)).astype(x.dtype, copy=False)
        xh *= inv_std   # in place: ``centered`` becomes x-hat
        self.after_statistics(x, mean, var)
        if any(self.needs_input_grad):
            need_x = self.needs_input_grad[0]
            self.save_for_backward(Input(0) if need_x else None, xh, inv_std,
                                   Input(1) if w is not None and need_x else None)
            y = xh * w if w is not None else xh.copy()
        else:   # inference: nothing is kept, so x-hat's memory becomes the output
            y = np.multiply(xh, w, out=xh) if w is not None else xh
        if b is not None:
            y += b
        return y

    def after_statistics(self, x, mean, var):
        """A hook for batch norm's running statistics."""

    def count(self):
        shape = self.input_shapes[0]
        return int(np.prod([shape[a] for a in self.axes]))

    def backward(self, dy):
        x, xh, inv_std, w = self.saved_tensors
        need = self.needs_input_grad
        if is_grad_enabled() and x is not None:   # create_graph: xh and sigma as ops of x
            mean = x.mean(self.axes, keepdim=True)
            centered = x - mean
            inv_std = 1.0 / ((centered * centered).mean(self.axes, keepdim=True) + self.eps).sqrt()
            xh = centered * inv_std
        dx = dw = db = None
        w_shape = (self.input_shapes + (None,))[1]
        need_w, need_b = (need + (False, False))[1:3]
        if w_shape is not None and any(w_shape[a] != 1 for a in self.axes):
            # layer/group norm: w varies inside a group
            if need[0]:
                dxh = dy * w
                dx = (dxh - dxh.mean(self.axes, keepdim=True)
                      - xh * (dxh * xh).mean(self.axes, keepdim=True)) * inv_std
            dw = dy * xh if need_w else None   # the engine sums dw, db to w's and b's shapes
            db = dy if need_b else None
            return (dx, dw, db)[:len(need)]
        # batch norm: w is constant in a group, so it factors out and the two sums
        # over the group serve dx, dw and db alike
        if not is_grad_enabled():
            return self.batch_norm_grads_in_numpy(dy.array, xh.array, inv_std.array,
                                                  None if w is None else w.array)
        sum_dy = dy.sum(self.axes, keepdim=True) if need[0] or need_b else None
        sum_dy_xh = (dy * xh).sum(self.axes, keepdim=True) if need[0] or need_w else None
        if need[0]:
            m = 1.0 / self.count()
            scale = inv_std if w is None else inv_std * w
            # (dy - sum_dy m - xh sum_dy_xh m) scale, with the per-channel factors
            # multiplied first: four passes over the batch instead of five
            dx = dy * scale - (xh * (sum_dy_xh * (m * scale)) + sum_dy * (m * scale))
        dw = sum_dy_xh if need_w else None
        db = sum_dy if need_b else None
        return (dx, dw, db)[:len(need)]

    def batch_norm_grads_in_numpy(self, dy, xh, inv_std, w):
        """Batch norm's (dx, dw, db) for a first-order backward: the formula above
        (docstring of ``BatchNorm``) in numpy, in place in the dx array, since nothing
        will differentiate it: no graph nodes and one new array the size of x, where the
        same formula written with ops (as for create_graph) makes 5 of each."""
        need = self.needs_input_grad
        need_w, need_b = (need + (False, False))[1:3]
        sum_dy = sum_over(dy, self.axes) if need[0] or need_b else None
        if need[0] or need_w:
            sum_dy_xh = sum_over(dy, self.axes, xh)
        dx = None
        if need[0]:   # dx = (dy - m sum_dy - xh m sum_dy_xh) * w / sigma
            m = 1.0 / self.count()
            # (a large dx from the buffer pool, laid out as xh)
            dx = np.multiply(xh, sum_dy_xh * -m, out=output_like(xh, np.result_type(dy, xh)))
            dx += dy
            dx += sum_dy * -m
            dx *= inv_std if w is None else inv_std * w
            dx = make_tensor(dx)
        dw = make_tensor(sum_dy_xh) if need_w else None
        db = make_tensor(sum_dy) if need_b else None
        return (dx, dw, db)[:len(need)]

    def settings(self):
        return {"axes": self.axes, "eps": self.eps}


class BatchNorm(_Normalize):
    """y = w * xh + b, xh = (x - mean) / sqrt(var + eps) per channel over (N, H, W)
        (M values each; w, b per channel).
    dx = w / (M sigma) * (M dy - sum(dy) - xh * sum(dy * xh))
    dw = sum(dy * xh) over (N, H, W)
    db = sum(dy) over (N, H, W)
    """

    def __init__(self, axes, eps=1e-5, momentum=None, running_mean=None, running_var=None):
        super().__init__(axes, eps)
        self.momentum = momentum
        # The module's buffers, updated in forward (as PyTorch's kernel does); kept out
        # of settings() and dropped after forward, as nothing in backward reads them.
        self._running = (running_mean, running_var)

    def after_statistics(self, x, mean, var):
        running_mean, running_var = self._running
        self._running = (None, None)
        if running_mean is None:
            return
        count = x.size // max(mean.size, 1)
        unbiased = var * (count / (count - 1))   # running_var is unbiased
        # one value per channel (axis 1): instance norm's per-sample statistics are
        # averaged over the batch; batch norm's have size 1 on every other axis
        others = tuple(a for a in range(mean.ndim) if a != 1)
        for buffer, batch_value in ((running_mean, mean.mean(axis=others)),
                                    (running_var, unbiased.mean(axis=others))):
            buffer.array *= 1 - self.momentum
            buffer.array += self.momentum * batch_value
            buffer.bump_version()

    def settings(self):
        return {"eps": self.eps, "momentum": self.momentum}


class InstanceNorm(BatchNorm):
    """y = w * xh + b, xh = (x - mean) / sqrt(var + eps) per sample and channel over
        (H, W) (M values each; w, b per channel).
    dx = w / (M sigma) * (M dy - sum(dy) - xh * sum(dy * xh)), sums over (H, W)
    dw = sum(dy * xh) over (N, H, W)
    db = sum(dy) over (N, H, W)
    (batch norm's closed form with the statistics taken per sample; the running
    statistics, if given, move towards the batch's average of them)
    """


class LayerNorm(_Normalize):
    """y = w * xh + b, xh = (x - mean) / sqrt(var + eps) over the last dims of each
        sample (M values; w, b of those dims' shape).
    dx = (dxh - mean(dxh) - xh * mean(dxh * xh)) / sigma with dxh = dy * w
    dw = sum(dy * xh) over the leading (batch) dims
    db = sum(dy) over the leading (batch) dims
    """


class GroupNorm(_Normalize):
    """y = w * xh + b, xh = (x - mean) / sqrt(var + eps) over each group of channels
        (and all positions) of a sample (M values; w, b per channel).
    dx = (dxh - mean(dxh) - xh * mean(dxh * xh)) / sigma per group with dxh = dy * w
    dw = sum(dy * xh) over the batch and positions
    db = sum(dy) over the batch and positions
    """


def _affine(op, x, weight, bias, shape, channels, what):
    """weight and bias (None or float tensors of ``shape``), reshaped to broadcast
    as ``channels`` (the shape they take against x)."""
    params = []
    for name, value in (("weight", weight), ("bias", bias)):
        if value is None:
            params.append(None)
            continue
        check_float_tensor(value, name, op)
        if value.shape != tuple(shape):
            raise ValueError(f"{op}: {name} must have shape {tuple(shape)} ({what} of input "
                             f"{x.shape}), got {value.shape}")
        params.append(value if value.shape == channels else value.reshape(channels))
    check_same_dtype(op, ("input", x), ("weight", weight), ("bias", bias))
    return params


def _eps(eps, op):
    eps = check_number(eps, "eps", op)
    if not eps >= 0:
        raise ValueError(f"{op}: eps must be >= 0, got {eps!r}")
    return eps


def _check_running_stats(op, channels, running_mean, running_var):
    for name, buffer in (("running_mean", running_mean), ("running_var", running_var)):
        if buffer is not None and (not isinstance(buffer, Tensor) or buffer.shape != (channels,)):
            raise ValueError(f"{op}: {name} must be a tensor of shape ({channels},), got "
                             f"{getattr(buffer, 'shape', type(buffer).__name__)}")


def _run(op_instance, x, weight, bias):
    if bias is not None and weight is None:   # the op's inputs are x[, w[, b]]
        weight = make_tensor(np.ones((1,) * x.ndim, x.dtype))
    return op_instance(*[t for t in (x, weight, bias) if t is not None])


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch norm of (N, C[, L]) or (N, C, H, W) input per channel C, as PyTorch's
    F.batch_norm: in training the batch statistics (the running ones, if given,
    move towards them by ``momentum``); otherwise the running statistics."""
    op = "batch_norm"
    check_float_tensor(input, "input", op)
    if input.ndim < 2:
        raise ValueError(f"{op}: input must be (N, C, ...) with a channel axis 1, got shape "
                         f"{input.shape}")
    eps = _eps(eps, op)
    channels = input.shape[1]
    shape = (1, channels) + (1,) * (input.ndim - 2)
    weight, bias = _affine(op, input, weight, bias, (channels,), shape, "one per channel")
    _check_running_stats(op, channels, running_mean, running_var)
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError(f"{op}: training=False needs running_mean and running_var")
        # A plain affine map with constant statistics: y = x * scale + shift.
        inv_std = 1.0 / np.sqrt(running_var.array.astype(np.float64) + eps)
        scale = make_tensor(inv_std.astype(input.dtype).reshape(shape))
        shift = make_tensor((-running_mean.array * inv_std).astype(input.dtype).reshape(shape))
        if weight is not None:
            scale, shift = scale * weight, shift * weight
        if bias is not None:
            shift = shift + bias
        return input * scale + shift
    axes = (0,) + tuple(range(2, input.ndim))
    if input.numel() // max(channels, 1) <= 1:
        raise ValueError(f"{op}: training needs more than one value per channel, got input "
                         f"of shape {input.shape}")
    track = running_mean is not None and running_var is not None
    return _run(BatchNorm(axes, eps, momentum if track else None,
                          running_mean if track else None, running_var if track else None),
                input, weight, bias)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Standardise each channel of each sample of (N, C, ...) input over its positions,
    as PyTorch's F.instance_norm: with ``use_input_stats`` the sample's statistics
    (the running ones, if given, move by ``momentum`` towards their average over the
    batch, running_var with the unbiased variance); otherwise the running statistics."""
    op = "instance_norm"
    check_float_tensor(input, "input", op)
    if input.ndim < 3:
        raise ValueError(f"{op}: input must be (N, C, ...) with at least one position axis, "
                         f"got shape {input.shape}")
    if not use_input_stats:   # the running statistics: batch norm's eval map
        if running_mean is None or running_var is None:
            raise ValueError(f"{op}: use_input_stats=False needs running_mean and running_var")
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum,
                          _eps(eps, op))
    eps = _eps(eps, op)
    channels = input.shape[1]
    shape = (1, channels) + (1,) * (input.ndim - 2)
    weight, bias = _affine(op, input, weight, bias, (channels,), shape, "one per channel")
    _check_running_stats(op, channels, running_mean, running_var)
    if math.prod(input.shape[2:]) <= 1:
        raise ValueError(f"{op}: expected more than 1 spatial element when training, got input "
                         f"of shape {input.shape}")
    track = running_mean is not None and running_var is not None
    return _run(InstanceNorm(tuple(range(2, input.ndim)), eps, momentum if track else None,
                             running_mean if track else None, running_var if track else None),
                input, weight, bias)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Standardise each sample over its last ``len(normalized_shape)`` dims, as
    PyTorch's F.layer_norm (weight and bias of ``normalized_shape``)."""
    op = "layer_norm"
    check_float_tensor(input, "input", op)
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) \
        else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k:]) != shape:
        raise ValueError(f"{op}: input of shape {input.shape} must end in normalized_shape "
                         f"{shape}")
    eps = _eps(eps, op)
    weight, bias = _affine(op, input, weight, bias, shape, (1,) * (input.ndim - k) + shape,
                           "normalized_shape")
    axes = tuple(range(input.ndim - k, input.ndim))
    return _run(LayerNorm(axes, eps), input, weight, bias)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Standardise each group of C / num_groups channels of each sample (over the
    channels and all positions), as PyTorch's F.group_norm."""
    op = "group_norm"
    check_float_tensor(input, "input", op)
    num_groups = positive_int(num_groups, "num_groups", op)
    if input.ndim < 2 or input.shape[1] % num_groups:
        raise ValueError(f"{op}: input must be (N, C, ...) with C divisible by num_groups "
                         f"({num_groups}), got shape {input.shape}")
    eps = _eps(eps, op)
    n, channels = input.shape[:2]
    positions = math.prod(input.shape[2:])
    grouped_shape = (n, num_groups, channels // num_groups, positions)
    weight, bias = _affine(op, input, weight, bias, (channels,),
                           (1, num_groups, channels // num_groups, 1), "one per channel")
    out = _run(GroupNorm((2, 3), eps), input.reshape(grouped_shape), weight, bias)
    return out.reshape(input.shape)
