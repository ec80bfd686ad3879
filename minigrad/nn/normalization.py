"""Normalisation layers: BatchNorm1d/2d, InstanceNorm2d, LayerNorm, GroupNorm. Each is a thin
module over one op of ``minigrad/ops/norm.py`` (its closed-form gradient derived
in docs/derivations.md, section 9); the module owns the affine parameters and,
for batch norm, the running statistics.

Batch norm in training uses the batch's mean and biased variance per channel
and moves the running statistics towards them (running_var with the unbiased
variance, as PyTorch): running = (1 - momentum) * running + momentum * batch, or
a cumulative average when momentum is None. In eval mode (with running
statistics) it is a plain affine map with those statistics. Instance norm is the
same per sample and channel; its running statistics (off by default) move towards
the batch's average of the per-sample ones.
"""
from __future__ import annotations

import numpy as np

import warnings

from .module import Module
from .parameter import Parameter, parameter_dtype
from ..checks import check_float_tensor, check_number, positive_int
from .._tensor import make_tensor
from ..ops.norm import batch_norm, instance_norm, layer_norm, group_norm

__all__ = ["BatchNorm1d", "BatchNorm2d", "InstanceNorm2d", "LayerNorm", "GroupNorm"]


def _check_eps(eps, name):
    if not check_number(eps, "eps", name) >= 0:
        raise ValueError(f"{name}: eps must be >= 0, got {eps!r}")
    return eps


def _affine_parameters(module, shape, affine, dtype, bias=True):
    if affine:
        module.weight = Parameter(np.ones(shape, dtype))
        module.register_parameter("bias", Parameter(np.zeros(shape, dtype)) if bias else None)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)


class _BatchNorm(Module):
    allowed_ndims = ()
    buffers_older_state_dicts_may_lack = ("num_batches_tracked",)

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        name = type(self).__name__
        num_features = positive_int(num_features, "num_features", name)
        dtype = parameter_dtype(device, dtype, name)
        _check_eps(eps, name)
        if momentum is not None and not 0 <= check_number(momentum, "momentum", name) <= 1:
            raise ValueError(f"{name}: momentum must be in [0, 1] or None, got {momentum!r}")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        _affine_parameters(self, (num_features,), affine, dtype, bias)
        if track_running_stats:
            self.register_buffer("running_mean", make_tensor(np.zeros(num_features, dtype)))
            self.register_buffer("running_var", make_tensor(np.ones(num_features, dtype)))
            self.register_buffer("num_batches_tracked", make_tensor(np.array(0, np.int64)))
        else:
            for buffer in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(buffer, None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.fill_(0)
            self.running_var.fill_(1)
            self.num_batches_tracked.fill_(0)

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            self.weight.array[...] = 1
            self.weight.bump_version()
            if self.bias is not None:
                self.bias.array[...] = 0
                self.bias.bump_version()

    def forward(self, x):
        name = type(self).__name__
        check_float_tensor(x, "input", name)
        if x.ndim not in self.allowed_ndims or x.shape[1] != self.num_features:
            raise ValueError(f"{name}: expected input of {' or '.join(map(str, self.allowed_ndims))} "
                             f"dimensions with {self.num_features} channels on axis 1, got "
                             f"shape {x.shape}")
        if self.training and x.numel() // self.num_features <= 1:
            raise ValueError(f"{name}: training needs more than one value per channel, "
                             f"got input of shape {x.shape}")
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.array += 1
            self.num_batches_tracked.bump_version()
            if self.momentum is None:   # a cumulative average of every batch so far
                momentum = 1.0 / float(self.num_batches_tracked.array)
        # As PyTorch: batch statistics in training, or when there are no running ones.
        use_batch = self.training or not self.track_running_stats
        update = self.training and self.track_running_stats
        return batch_norm(x, self.running_mean if update or not use_batch else None,
                          self.running_var if update or not use_batch else None,
                          self.weight, self.bias, use_batch, momentum, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L) input, per channel C."""
    allowed_ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) input, per channel C."""
    allowed_ndims = (4,)


class InstanceNorm2d(_BatchNorm):
    """Standardise each channel of each sample of (N, C, H, W) or unbatched (C, H, W)
    input over its H x W positions, as PyTorch: no affine map and no running
    statistics by default; with ``track_running_stats`` they move towards the batch's
    average in training and replace the per-sample statistics in eval mode
    (``num_batches_tracked`` stays 0, and momentum=None leaves them unchanged, as
    PyTorch's)."""
    allowed_ndims = (3, 4)

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)

    def forward(self, x):
        name = type(self).__name__
        check_float_tensor(x, "input", name)
        if x.ndim not in self.allowed_ndims:
            raise ValueError(f"{name}: expected 3-D (C, H, W) or 4-D (N, C, H, W) input, got "
                             f"shape {x.shape}")
        channels = x.shape[x.ndim - 3]
        if channels != self.num_features:
            if self.affine:
                raise ValueError(f"{name}: expected {self.num_features} channels "
                                 f"(num_features) on axis {x.ndim - 3}, got shape {x.shape}")
            # As PyTorch: without affine parameters num_features is unused, so it warns.
            warnings.warn(f"{name}: input of shape {x.shape} has {channels} channels but "
                          f"num_features is {self.num_features}; without affine parameters "
                          f"num_features is not used", UserWarning, stacklevel=2)
        batched = x if x.ndim == 4 else x.unsqueeze(0)
        use_input_stats = self.training or not self.track_running_stats
        momentum = 0.0 if self.momentum is None else self.momentum
        out = instance_norm(batched, self.running_mean, self.running_var, self.weight, self.bias,
                            use_input_stats, momentum, self.eps)
        return out if x.ndim == 4 else out.squeeze(0)


class LayerNorm(Module):
    """Standardise each sample over its last dims (``normalized_shape``), then an
    elementwise affine map of that shape."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) \
            else tuple(normalized_shape)
        for size in shape:
            positive_int(size, "normalized_shape", "LayerNorm")
        if not shape:
            raise ValueError("LayerNorm: normalized_shape must name at least one dim, got ()")
        self.normalized_shape = tuple(int(s) for s in shape)
        self.eps = _check_eps(eps, "LayerNorm")
        self.elementwise_affine = elementwise_affine
        dtype = parameter_dtype(device, dtype, "LayerNorm")
        _affine_parameters(self, self.normalized_shape, elementwise_affine, dtype, bias)

    def forward(self, x):
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        text = f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        return text + f", bias={self.bias is not None}"


class GroupNorm(Module):
    """Standardise each group of ``num_channels / num_groups`` channels of each
    sample, then a per-channel affine map."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None,
                 *, bias=True):
        super().__init__()
        self.num_groups = positive_int(num_groups, "num_groups", "GroupNorm")
        self.num_channels = positive_int(num_channels, "num_channels", "GroupNorm")
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        self.eps = _check_eps(eps, "GroupNorm")
        self.affine = affine
        _affine_parameters(self, (self.num_channels,), affine,
                           parameter_dtype(device, dtype, "GroupNorm"), bias)

    def forward(self, x):
        check_float_tensor(x, "input", "GroupNorm")
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm: expected input (N, {self.num_channels}, ...), got "
                             f"shape {x.shape}")
        return group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"
                + f", bias={self.bias is not None}")
