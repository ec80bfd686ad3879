"""Stochastic gradient descent with momentum, as ``torch.optim.SGD``."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer

__all__ = ["SGD"]

#: numbers updated per pass: the update walks a large parameter in chunks this size
#: so that its three or four passes find the chunk still in cache (256 KB of float32)
CHUNK = 1 << 16


class SGD(Optimizer):
    """For each parameter p with gradient g (PyTorch's formulation):

        g = g + weight_decay * p
        buf = g                                   (first step)
        buf = momentum * buf + (1 - dampening) * g (later steps)
        g = g + momentum * buf   if nesterov   else   g = buf   (when momentum != 0)
        p = p - lr * g

    ``maximize=True`` ascends instead (g is negated first)."""

    def __init__(self, params, lr=1e-3, momentum=0.0, weight_decay=0.0, nesterov=False,
                 dampening=0.0, maximize=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay,
                                      nesterov=nesterov, dampening=dampening, maximize=maximize))

    def _check_group(self, group):
        super()._check_group(group)
        if group["momentum"] < 0:
            raise ValueError(f"SGD: invalid momentum {group['momentum']} (must be >= 0)")
        if group["weight_decay"] < 0:
            raise ValueError(f"SGD: invalid weight_decay {group['weight_decay']} (must be >= 0)")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: nesterov momentum needs momentum > 0 and dampening = 0 "
                             f"(got momentum={group['momentum']}, dampening={group['dampening']})")

    def _work_arrays(self, dtype, size):
        """Two scratch vectors of ``size`` (at most CHUNK) numbers, kept from step to
        step: a fresh temporary as large as a weight costs a page fault per 4 KB."""
        cache = self.__dict__.setdefault("_work", {})
        key = np.dtype(dtype)
        work = cache.get(key)
        if work is None or work.shape[1] < size:
            work = cache[key] = np.empty((2, size), dtype=key)
        return work[0, :size], work[1, :size]

    def update(self, param, grad, state, group):
        momentum = group["momentum"]
        dtype = np.result_type(param, grad)
        first = momentum and state.get("momentum_buffer") is None   # then buf = g
        if first:   # in the parameter's memory order
            state["momentum_buffer"] = np.empty_like(param, dtype=dtype)
        arrays = [param, grad] + ([state["momentum_buffer"]] if momentum else [])
        # With every array C-contiguous (weights, and gradients in their weight's
        # layout) the update runs chunk by chunk, each chunk staying in cache through
        # all its passes; otherwise over the whole arrays at once.
        chunked = all(a.flags.c_contiguous for a in arrays)
        step = CHUNK if chunked else max(param.size, 1)
        work = (self._work_arrays(dtype, min(step, param.size)) if chunked
                else np.empty((2, param.size), dtype=dtype))   # rare: not kept
        for start in range(0, param.size, step):
            parts = [a.reshape(-1)[start:start + step] for a in arrays] if chunked else arrays
            self._update_chunk(parts, [w[:parts[0].size].reshape(parts[0].shape) for w in work],
                               group, first)

    @staticmethod
    def _update_chunk(parts, work, group, first):
        """One chunk of the update in place, with numpy ``out=`` and two work arrays.
        The operations are PyTorch's, in its order, so the numbers are the same."""
        p, grad = parts[0], parts[1]
        w_a, w_b = work
        g = grad   # never written: the gradient belongs to the caller
        if group["maximize"] or group["weight_decay"]:
            wd = group["weight_decay"]
            if wd:   # g + wd * p (with maximize, -g + wd * p)
                np.multiply(p, wd, out=w_a)
                (np.subtract if group["maximize"] else np.add)(w_a, grad, out=w_a)
            else:
                np.negative(grad, out=w_a)
            g = w_a
        momentum = group["momentum"]
        if momentum:
            buf = parts[2]
            if first:   # buf = g
                np.copyto(buf, g)
            else:   # buf = momentum * buf + (1 - dampening) * g
                buf *= momentum
                keep = 1 - group["dampening"]
                if keep == 1:
                    buf += g
                else:
                    np.multiply(g, keep, out=w_b)
                    buf += w_b
            if group["nesterov"]:   # g + momentum * buf
                np.multiply(buf, momentum, out=w_b)
                np.add(g, w_b, out=w_b)
                g = w_b
            else:
                g = buf
        # p = p - lr * g
        out = w_a if g is not w_a else w_b
        np.multiply(g, group["lr"], out=out)
        p -= out
