"""Batch normalisation, composed of differentiable ops (so its gradient, and
its second derivative, come from the ops' own hand-written backward passes).

Training: y = (x - mean_B) / sqrt(var_B + eps) * weight + bias, with the batch
mean and biased variance over every axis but the channel axis; the running
statistics move towards the batch's (running_var with the unbiased variance,
as PyTorch): running = (1 - momentum) * running + momentum * batch, or a
cumulative average when momentum is None. Eval: the running statistics replace
the batch's.
"""
from __future__ import annotations

import numpy as np

from .module import Module, Parameter
from ..checks import check_float_tensor, check_number, positive_int
from .._tensor import DEFAULT_DTYPE, Tensor, make_tensor

__all__ = ["BatchNorm1d", "BatchNorm2d"]


class _BatchNorm(Module):
    allowed_ndims = ()

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, dtype=None):
        super().__init__()
        num_features = positive_int(num_features, "num_features", type(self).__name__)
        dtype = np.dtype(DEFAULT_DTYPE if dtype is None else dtype)
        name = type(self).__name__
        if not check_number(eps, "eps", name) >= 0:
            raise ValueError(f"{name}: eps must be >= 0, got {eps!r}")
        if momentum is not None and not 0 <= check_number(momentum, "momentum", name) <= 1:
            raise ValueError(f"{name}: momentum must be in [0, 1] or None, got {momentum!r}")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype))
            self.bias = Parameter(np.zeros(num_features, dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", make_tensor(np.zeros(num_features, dtype)))
            self.register_buffer("running_var", make_tensor(np.ones(num_features, dtype)))
            self.register_buffer("num_batches_tracked", make_tensor(np.array(0, np.int64)))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.fill_(0)
            self.running_var.fill_(1)
            self.num_batches_tracked.fill_(0)

    def forward(self, x):
        name = type(self).__name__
        check_float_tensor(x, "input", name)
        if x.ndim not in self.allowed_ndims or x.shape[1] != self.num_features:
            raise ValueError(f"{name}: expected input of {' or '.join(map(str, self.allowed_ndims))} "
                             f"dimensions with {self.num_features} channels on axis 1, got "
                             f"shape {x.shape}")
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, self.num_features) + (1,) * (x.ndim - 2)
        if self.training or not self.track_running_stats:
            count = x.numel() // self.num_features
            if self.training and count <= 1:
                raise ValueError(f"{name}: training needs more than one value per channel, "
                                 f"got input of shape {x.shape}")
            mean = x.mean(axis=axes, keepdims=True)
            centered = x - mean
            var = (centered * centered).mean(axis=axes, keepdims=True)
            if self.training and self.track_running_stats:
                self._update_running_stats(mean.data, var.data, count)
            x_hat = centered / (var + self.eps).sqrt()
        else:
            # Constants: the running statistics are not trained.
            inv_std = 1.0 / np.sqrt(self.running_var.data + self.eps)
            x_hat = (x - self.running_mean.data.reshape(shape).astype(x.dtype, copy=False)) \
                * inv_std.reshape(shape).astype(x.dtype, copy=False)
        if self.affine:
            x_hat = x_hat * self.weight.reshape(shape) + self.bias.reshape(shape)
        return x_hat

    def _update_running_stats(self, mean, var, count):
        self.num_batches_tracked.data += 1
        momentum = (1.0 / float(self.num_batches_tracked.data) if self.momentum is None
                    else self.momentum)
        unbiased = var.reshape(-1) * (count / (count - 1))
        for buffer, batch_value in ((self.running_mean, mean.reshape(-1)),
                                    (self.running_var, unbiased)):
            buffer.data *= 1 - momentum
            buffer.data += momentum * batch_value
        for buffer in (self.running_mean, self.running_var, self.num_batches_tracked):
            buffer.bump_version()

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L) input, per channel C."""
    allowed_ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) input, per channel C."""
    allowed_ndims = (4,)
