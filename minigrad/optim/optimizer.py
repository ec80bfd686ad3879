"""The ``Optimizer`` base: parameter groups, per-parameter state, zero_grad and
state dicts in PyTorch's layout.

Updates run on the numpy arrays in place (no graph, no Tensor overhead) and then
bump each parameter's version, so a graph that saved the old value refuses a
stale backward instead of silently using the new one.
"""
from __future__ import annotations

import copy

import numpy as np

from ..checks import check_number
from ..nn.utils import zero_grad_
from .._tensor import Tensor

__all__ = ["Optimizer", "check_range"]


def check_range(group, key, low, high, name):
    """``low <= group[key]`` (and ``<= high`` unless it is None), else an error
    naming the optimizer; a NaN or a non-number fails too."""
    value = check_number(group[key], key, name)
    if not (value >= low and (high is None or value <= high)):
        expected = f"in [{low:g}, {high:g}]" if high is not None else f">= {low:g}"
        raise ValueError(f"{name}: invalid {key} {value} (must be {expected})")
    return value


def _restore_array(value, param, where):
    """A saved state array as the optimizer keeps it: an array shaped like the
    parameter (a moment, a momentum buffer) stays an ndarray, copied and cast to the
    parameter's dtype, even for a 0-d parameter, because ``update`` changes it in
    place; a 0-d integer array (a counter such as ``step``, perhaps turned into an
    array by a file format) becomes a Python number again."""
    if value.ndim == 0 and value.dtype.kind in "biu":
        return value.item()
    if value.shape == param.array.shape:
        return value.astype(param.array.dtype, copy=True)
    if value.ndim == 0:   # a scalar setting for a parameter that is not 0-d
        return value.item()
    raise ValueError(f"{where} has shape {value.shape}, the parameter has {param.array.shape}")


class Optimizer:
    """Subclasses set ``defaults`` (hyper-parameters) and write ``update(p, grad,
    state, group)``, which changes ``p.array`` in place. Parameters must be leaf
    tensors; frozen ones (``requires_grad=False``) are accepted and, like every
    parameter whose ``.grad`` is None, skipped by ``step``."""

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        if isinstance(params, Tensor):
            raise TypeError(f"{type(self).__name__}: params must be an iterable of tensors or "
                            "of dicts (parameter groups), got a single Tensor; wrap it in a list")
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        self.param_groups = []
        self.state = {}
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group):
        name = type(self).__name__
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"{name}: a parameter group must be a dict with a 'params' entry")
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: parameters must be Tensors, got {type(p).__name__}")
            # A frozen leaf (requires_grad False) is allowed, as in PyTorch: step()
            # skips it while its .grad is None. A non-leaf is a computed value, not a weight.
            if not p.is_leaf:
                raise ValueError(f"{name}: can only optimise leaf tensors, got a non-leaf "
                                 f"tensor of shape {p.shape} (the result of an op); pass the "
                                 "parameter itself, or .detach() it to make a new leaf")
            if id(p) in seen:
                raise ValueError(f"{name}: a parameter (shape {p.shape}) appears in more than "
                                 "one parameter group")
            seen.add(id(p))
        full = dict(self.defaults)
        full.update({k: v for k, v in group.items() if k != "params"})
        full["params"] = params
        self._check_group(full)
        self.param_groups.append(full)

    def _check_group(self, group):
        """Validate hyper-parameters (subclasses extend)."""
        lr = check_number(group["lr"], "lr", type(self).__name__)
        if not lr >= 0:   # also refuses NaN, which would poison every parameter
            raise ValueError(f"{type(self).__name__}: invalid learning rate {lr} (must be >= 0)")

    def zero_grad(self, set_to_none=True):
        """Forget every parameter's gradient (``.grad = None``), or with
        ``set_to_none=False`` zero each existing ``.grad`` in place."""
        for group in self.param_groups:
            zero_grad_(group["params"], set_to_none)

    def step(self, closure=None):
        """One update of every parameter that has a gradient. ``closure`` (optional)
        re-evaluates the model and returns the loss, which ``step`` returns."""
        loss = None
        if closure is not None:
            from ..autograd import enable_grad
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if not isinstance(p.grad, Tensor):   # e.g. an ndarray assigned by hand
                    raise TypeError(f"{type(self).__name__}: the .grad of a parameter of shape "
                                    f"{p.array.shape} is a {type(p.grad).__name__}; expected a "
                                    "Tensor or None")
                grad = p.grad.array
                if grad.shape != p.array.shape:
                    raise RuntimeError(f"{type(self).__name__}: gradient of shape {grad.shape} "
                                       f"for a parameter of shape {p.array.shape}")
                p.ensure_writeable()
                self.update(p.array, grad, self.state.setdefault(p, {}), group)
                p.bump_version()
        return loss

    def update(self, param, grad, state, group):
        raise NotImplementedError

    @staticmethod
    def ascent_and_decay(param, grad, group):
        """The gradient most update rules start from, as PyTorch: negated with
        ``maximize``, plus ``weight_decay * param`` (L2, coupled) when set."""
        if group["maximize"]:
            grad = -grad
        if group.get("weight_decay"):
            grad = grad + group["weight_decay"] * param
        return grad

    # -- state dicts (PyTorch's layout: params referred to by their index) ---------
    def state_dict(self):
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [index, ...]}]}``,
        parameters numbered in group order. Arrays are copies."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state and self.state[p]:
                    state[index[id(p)]] = {k: (np.array(v) if isinstance(v, np.ndarray) else v)
                                           for k, v in self.state[p].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore hyper-parameters and per-parameter state. The saved groups must
        match this optimizer's groups in number and size, and every array the
        shape of its parameter; otherwise nothing changes and the error says why."""
        name = type(self).__name__
        try:
            saved_groups, saved_state = state_dict["param_groups"], state_dict["state"]
        except (TypeError, KeyError):
            raise ValueError(f"{name}.load_state_dict: expected a dict with 'state' and "
                             "'param_groups' (from Optimizer.state_dict())") from None
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{name}.load_state_dict: the state dict has {len(saved_groups)} "
                             f"parameter group(s), this optimizer has {len(self.param_groups)}")
        by_index = {}
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"{name}.load_state_dict: parameter group {i} has "
                                 f"{len(saved['params'])} parameter(s) in the state dict but "
                                 f"{len(group['params'])} here")
            for index, p in zip(saved["params"], group["params"]):
                by_index[int(index)] = p
        new_state = {}
        for index, entries in saved_state.items():
            p = by_index.get(int(index))
            if p is None:
                raise ValueError(f"{name}.load_state_dict: state for parameter {index}, which "
                                 "no group lists")
            loaded = {}
            for key, value in entries.items():
                if isinstance(value, Tensor):
                    value = value.array
                if isinstance(value, np.ndarray):
                    value = _restore_array(value, p, f"{name}.load_state_dict: state {key!r} "
                                                     f"of parameter {index}")
                loaded[key] = value
            new_state[p] = loaded
        new_groups = []
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            missing = [key for key in self.defaults if key not in saved]
            if missing:
                raise ValueError(f"{name}.load_state_dict: parameter group {i} has no "
                                 f"{', '.join(map(repr, missing))}, which {name} needs; is the "
                                 "state dict from a different optimizer? (saved settings: "
                                 f"{', '.join(sorted(k for k in saved if k != 'params'))})")
            restored = copy.deepcopy({k: v for k, v in saved.items() if k != "params"})
            for key, value in restored.items():   # state from JSON may hold lists for tuples
                if isinstance(group.get(key), tuple) and isinstance(value, list):
                    restored[key] = tuple(value)
            restored["params"] = group["params"]
            self._check_group(restored)
            new_groups.append(restored)
        self.param_groups = new_groups
        self.state = new_state

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        return "\n".join(lines) + "\n)"
