"""Gradient and parameter utilities, as ``torch.nn.utils``: ``clip_grad_norm_``,
``clip_grad_value_``, ``parameters_to_vector``, ``vector_to_parameters``, and
``zero_grad_`` (shared by ``Module.zero_grad`` and ``Optimizer.zero_grad``).

Gradients are changed in place through the Tensor's public in-place methods,
which bump the version, so a graph that saved the old gradient (``create_graph``)
refuses a stale backward instead of silently using the new values.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ..autograd import no_grad
from ..ops.join import concatenate
from .._tensor import Tensor

__all__ = ["zero_grad_", "clip_grad_norm_", "clip_grad_value_", "parameters_to_vector",
           "vector_to_parameters"]


def _param_list(parameters, op):
    """A single Tensor or an iterable of them, as a list (PyTorch accepts both)."""
    if isinstance(parameters, Tensor):
        return [parameters]
    try:
        params = list(parameters)
    except TypeError:
        raise TypeError(f"{op}: parameters must be a Tensor or an iterable of Tensors, got "
                        f"{type(parameters).__name__}") from None
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"{op}: parameters must be Tensors, got {type(p).__name__}")
    return params


def _grads(params, op):
    grads = []
    for p in params:
        if p.grad is None:
            continue
        if not isinstance(p.grad, Tensor):
            raise TypeError(f"{op}: the .grad of a parameter of shape {p.shape} is a "
                            f"{type(p.grad).__name__}; expected a Tensor or None")
        grads.append(p.grad)
    return grads


def _real(value, name, op):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{op}: {name} must be a number, got {type(value).__name__} {value!r}")
    return float(value)


def zero_grad_(params, set_to_none=True):
    """Forget each parameter's ``.grad``: drop it (``set_to_none``), or zero the
    existing gradient tensor in place, as PyTorch does, so code holding it sees
    zeros. A gradient kept with ``create_graph=True`` is detached first (it stops
    being part of the old graph); ``zero_`` bumps its version, which flags any
    graph that saved it."""
    for p in _param_list(params, "zero_grad_"):
        grad = p.grad
        if set_to_none or grad is None:
            p.grad = None
        elif not isinstance(grad, Tensor):   # e.g. an ndarray assigned by hand
            p.grad = Tensor(np.zeros_like(p.array))
        else:
            grad.grad_fn = None
            grad.requires_grad = False
            grad.zero_()


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale the gradients so that their joint ``norm_type``-norm (the norm of the
    vector of every gradient's norm, i.e. of all gradients concatenated) is at most
    ``max_norm``. The factor is ``max_norm / (total + 1e-6)`` clamped to 1, as
    PyTorch. Returns the total norm *before* clipping, as a 0-d Tensor (0.0 when no
    parameter has a gradient). ``norm_type`` may be ``inf`` (the largest |g|)."""
    op = "clip_grad_norm_"
    params = _param_list(parameters, op)
    max_norm = _real(max_norm, "max_norm", op)
    if isinstance(norm_type, str) and norm_type.lower() == "inf":
        norm_type = math.inf
    norm_type = _real(norm_type, "norm_type", op)
    if math.isnan(max_norm) or max_norm < 0:
        raise ValueError(f"{op}: max_norm must be a non-negative number, got {max_norm}")
    grads = _grads(params, op)
    if not grads:
        return Tensor(np.array(0.0, dtype=np.float32))
    dtype = np.result_type(*[g.array.dtype for g in grads])
    # Norm of the per-gradient norms: equal to the norm of everything concatenated.
    norms = np.array([np.linalg.norm(g.array.ravel(), ord=norm_type) for g in grads], dtype=dtype)
    total = dtype.type(np.linalg.norm(norms, ord=norm_type))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"{op}: the total {norm_type}-norm of the gradients of "
                           f"{len(grads)} parameter(s) is {total}, so they cannot be clipped; "
                           "pass error_if_nonfinite=False to clip anyway")
    coef = min(dtype.type(max_norm) / (total + dtype.type(1e-6)), dtype.type(1.0))
    with no_grad(), np.errstate(invalid="ignore"):   # inf * 0 -> nan, silently, as torch
        for g in grads:
            g.mul_(g.array.dtype.type(coef))
    return Tensor(np.array(total, dtype=dtype))


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient element into ``[-clip_value, clip_value]``, in place."""
    op = "clip_grad_value_"
    params = _param_list(parameters, op)
    clip_value = _real(clip_value, "clip_value", op)
    if math.isnan(clip_value) or clip_value < 0:
        raise ValueError(f"{op}: clip_value must be a non-negative number, got {clip_value}")
    with no_grad():
        for g in _grads(params, op):
            g.copy_(np.clip(g.array, -clip_value, clip_value))


def parameters_to_vector(parameters):
    """All parameters flattened and joined into one 1-D tensor (differentiable, as
    PyTorch's: the result is built with ops, not copied out of the graph)."""
    params = _param_list(parameters, "parameters_to_vector")
    if not params:
        raise ValueError("parameters_to_vector: got no parameters")
    return concatenate([p.reshape(-1) for p in params])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-D tensor ``vec`` into the parameters (the
    inverse of ``parameters_to_vector``). The length must match exactly."""
    op = "vector_to_parameters"
    if not isinstance(vec, Tensor):
        raise TypeError(f"{op}: vec must be a Tensor, got {type(vec).__name__}")
    if vec.ndim != 1:
        raise ValueError(f"{op}: vec must be 1-D, got shape {vec.shape}")
    params = _param_list(parameters, op)
    needed = sum(p.numel() for p in params)
    if vec.shape[0] != needed:
        shapes = [p.shape for p in params]
        raise ValueError(f"{op}: vec has {vec.shape[0]} elements but the parameters "
                         f"{shapes} hold {needed}")
    start = 0
    with no_grad():
        for p in params:
            p.copy_(vec.array[start:start + p.numel()].reshape(p.shape))
            start += p.numel()
