"""``Module``: the bookkeeping behind every layer.

A module registers what is assigned to it: a :class:`Parameter` (``parameter.py``)
goes into ``_parameters``, a sub-module into ``_modules``, a buffer (a tensor that is
state but not trained, such as BatchNorm's running mean) into ``_buffers``.
Everything else (``state_dict``, ``parameters``, ``train``/``eval``, the repr) walks
those three dictionaries, so the names come out as PyTorch's: ``features.0.weight``,
``fc1.bias``, ``bn.running_mean``. ``load_state_dict`` checks a state dict with
``state_dict_checks.py`` before it writes anything.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from ..autograd import is_grad_enabled
from ..tracing import module_scope
from .._tensor import Tensor
from ..conversion import dtype_of_to_args
from .hooks import HOOK_KINDS, BackwardWatch, RemovableHandle
from .parameter import Parameter
from .state_dict_checks import StateDictError, checked_updates
from .utils import zero_grad_

__all__ = ["Module", "Parameter", "StateDictError", "RemovableHandle"]


# registry, what else may be assigned to a name in it, and how to say so
_SLOTS = (("_parameters", (), "a Parameter or None"),
          ("_buffers", Tensor, "a Tensor or None"),
          ("_modules", (), "a Module or None"))


class Module:
    """Base class of layers and models: subclass it, assign parameters and
    sub-modules in ``__init__``, write ``forward``, and call the module."""

    training: bool
    #: Buffers an older checkpoint may lack (BatchNorm's ``num_batches_tracked``, as
    #: PyTorch): ``load_state_dict`` keeps their current value and does not report them.
    buffers_older_state_dicts_may_lack = ()

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)
        for hooks in HOOK_KINDS:
            object.__setattr__(self, hooks, OrderedDict())

    # -- registration on assignment ----------------------------------------------
    def _registries(self):
        try:
            return self.__dict__["_parameters"], self.__dict__["_buffers"], self.__dict__["_modules"]
        except KeyError:
            raise RuntimeError(f"{type(self).__name__}: call super().__init__() in __init__ "
                               "before assigning parameters or sub-modules") from None

    def __setattr__(self, name, value):
        if isinstance(value, (Parameter, Module)):
            params, buffers, modules = self._registries()
            target = params if isinstance(value, Parameter) else modules
            for registry in (params, buffers, modules):
                if registry is not target:
                    registry.pop(name, None)
            self.__dict__.pop(name, None)
            target[name] = value   # an existing name keeps its place in the order
            return
        # Anything else assigned to a registered name must fit its slot (None empties it).
        for registry, allowed, expected in _SLOTS:
            table = self.__dict__.get(registry)
            if table is not None and name in table:
                if value is not None and not isinstance(value, allowed):
                    raise TypeError(f"{type(self).__name__}: cannot assign "
                                    f"{type(value).__name__} to {name!r} (expected {expected})")
                table[name] = value
                return
        object.__setattr__(self, name, value)

    def __getattr__(self, name):
        # Only called when normal lookup fails: look in the registries.
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry in d and name in d[registry]:
                return d[registry][name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name):
        for registry in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__.get(registry, ()):
                del self.__dict__[registry][name]
                self._non_persistent.discard(name)
                return
        object.__delattr__(self, name)

    def register_parameter(self, name, param):
        """Register ``param`` (a Parameter, or None for an absent one such as a bias)."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be a Parameter or None, got "
                            f"{type(param).__name__}")
        self._check_name(name, "register_parameter", "_parameters")
        self._registries()[0][name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Register a tensor that is state but not trained (saved in ``state_dict``
        unless ``persistent=False``)."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor or None, got "
                            f"{type(tensor).__name__}")
        self._check_name(name, "register_buffer", "_buffers")
        self._registries()[1][name] = tensor
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)

    def add_module(self, name, module):
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module or None, got "
                            f"{type(module).__name__}")
        self._check_name(name, "add_module", "_modules")
        self._registries()[2][name] = module

    register_module = add_module

    def _check_name(self, name, op, registry):
        """A valid name that is free, or already in ``registry`` (re-registering a
        parameter as a parameter, a buffer as a buffer, replaces it, as in PyTorch).
        Taking over any other attribute (a parameter named as a buffer, a method, a
        plain attribute) is a KeyError, PyTorch's error, instead of two tensors under
        one name."""
        if not isinstance(name, str) or not name or "." in name:
            raise ValueError(f"{op}: name must be a non-empty string without '.', got {name!r}")
        self._registries()
        if hasattr(self, name) and name not in self.__dict__[registry]:
            raise KeyError(f"attribute {name!r} already exists ({op} on "
                           f"{type(self).__name__}; pick another name)")

    # -- running -----------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} has no forward()")

    def __call__(self, *args, **kwargs):
        d = self.__dict__
        if d.get("_forward_pre_hooks") or d.get("_forward_hooks") or d.get("_backward_hooks"):
            return self._call_with_hooks(args, kwargs)
        # The scope tags every op recorded inside with this module (graph clusters).
        with module_scope(self):
            return self.forward(*args, **kwargs)

    def _call_with_hooks(self, args, kwargs):
        """PyTorch's order: pre-hooks (may replace the inputs), the backward hook's
        watch on the inputs, forward, forward hooks (may replace the output), the
        backward hook's watch on the output."""
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        watch = None
        if self._backward_hooks and is_grad_enabled():
            watch = BackwardWatch(self, list(self._backward_hooks.values()))
            args = watch.wrap_inputs(args)
        with module_scope(self):
            output = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        if watch is not None:
            watch.watch_outputs(output)
        return output

    # -- hooks -------------------------------------------------------------------
    def register_forward_pre_hook(self, hook):
        """``hook(module, args)`` runs before each forward; it may return new args
        (a tuple, or one value that becomes a 1-tuple). Returns a handle with
        ``.remove()``."""
        return RemovableHandle(self._hooks_of("_forward_pre_hooks"), hook)

    def register_forward_hook(self, hook):
        """``hook(module, args, output)`` runs after each forward; it may return a
        replacement output. Returns a handle with ``.remove()``."""
        return RemovableHandle(self._hooks_of("_forward_hooks"), hook)

    def register_full_backward_hook(self, hook):
        """``hook(module, grad_input, grad_output)`` runs when the gradients with respect
        to the module's inputs are known: tuples with one entry per positional Tensor
        argument (None where it needs no gradient) and per output. It may return a
        tuple that replaces grad_input. Returns a handle with ``.remove()``."""
        return RemovableHandle(self._hooks_of("_backward_hooks"), hook)

    def _hooks_of(self, kind):
        self._registries()   # a clear error when super().__init__() was not called
        return self.__dict__[kind]

    # -- walking the tree --------------------------------------------------------
    def named_modules(self, prefix="", remove_duplicate=True):
        """(name, module) for this module and every descendant, each once (or once
        per name a shared module is registered under, with remove_duplicate=False)."""
        seen, stack = set(), [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate and id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{n}" if name else n, m)
                        for n, m in module._modules.items() if m is not None]
            stack.extend(reversed(children))

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        for name, module in self._modules.items():
            if module is not None:
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry, prefix, recurse):
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_name, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))
                yield (f"{module_name}.{name}" if module_name else name), value

    def named_parameters(self, prefix="", recurse=True):
        """(dotted name, Parameter) pairs; a parameter shared by two modules comes once."""
        return self._named_members("_parameters", prefix, recurse)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True):
        return self._named_members("_buffers", prefix, recurse)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn):
        """Call ``fn(module)`` on every sub-module, then on this one (children first,
        as PyTorch: e.g. ``model.apply(init_weights)``)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # -- modes and gradients -----------------------------------------------------
    def train(self, mode=True):
        """Training mode (dropout drops, batch norm uses batch statistics). Sets this
        module's flag, then calls each child's own ``train(mode)``, so a sub-module
        that overrides ``train`` (e.g. to keep a batch norm frozen) is obeyed."""
        object.__setattr__(self, "training", bool(mode))
        for child in self.children():
            child.train(mode)
        return self

    def eval(self):
        return self.train(False)

    def zero_grad(self, set_to_none=True):
        """Forget every parameter's gradient (``.grad = None``, PyTorch's default), or
        with ``set_to_none=False`` zero each existing ``.grad`` in place."""
        zero_grad_(self.parameters(), set_to_none)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def astype(self, dtype):
        """Convert every floating-point parameter and buffer to ``dtype`` in place."""
        dtype = np.dtype(dtype)
        for t in list(self.parameters()) + list(self.buffers()):
            if t.array.dtype.kind == "f" and t.array.dtype != dtype:
                t.array = t.array.astype(dtype)
                t.grad = None
                t.bump_version()
        return self

    def double(self):
        return self.astype(np.float64)

    def float(self):
        return self.astype(np.float32)

    def to(self, *args, **kwargs):
        """``to(device)`` (only the CPU: nothing moves), ``to(dtype)`` or both, as
        ``Tensor.to``; converts floating-point parameters and buffers in place."""
        dtype = dtype_of_to_args(args, kwargs)
        return self if dtype is None else self.astype(dtype)

    def cpu(self):
        return self

    # -- state -------------------------------------------------------------------
    def _state_items(self):
        """(key, tensor) of every parameter and persistent buffer, in PyTorch's order:
        each module's parameters, then its buffers, then its children's."""
        for module_name, module in self.named_modules(remove_duplicate=False):
            dot = f"{module_name}." if module_name else ""
            for name, p in module._parameters.items():
                if p is not None:
                    yield dot + name, p
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent:
                    yield dot + name, b

    def state_dict(self):
        """An ordered dict from PyTorch-style keys to tensors sharing this module's
        arrays (save it with ``minigrad.save``; copy it to keep a snapshot)."""
        return OrderedDict((key, t.detach()) for key, t in self._state_items())

    def load_state_dict(self, state_dict, strict=True):
        """Copy values from ``state_dict`` into the parameters and buffers.

        Everything is checked before anything is written: missing or unexpected
        keys (with ``strict=True``) and any mis-shaped value raise a
        :class:`StateDictError` naming them, and leave the module untouched.
        Values are cast to each parameter's dtype. Returns
        ``(missing_keys, unexpected_keys)``."""
        targets = OrderedDict(self._state_items())
        may_lack = {f"{name}.{buffer}" if name else buffer
                    for name, module in self.named_modules(remove_duplicate=False)
                    for buffer in module.buffers_older_state_dicts_may_lack}
        updates, keys = checked_updates(type(self).__name__, state_dict, targets, may_lack,
                                        strict)
        for target, value in updates:
            target.ensure_writeable()
            target.array[...] = value
            target.bump_version()
        return keys

    # -- printing ----------------------------------------------------------------
    def extra_repr(self):
        """The layer's settings for the repr (``Linear(in_features=3, ...)``)."""
        return ""

    def __repr__(self):
        lines = []
        for name, module in self._modules.items():
            body = repr(module).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        head = f"{type(self).__name__}(" + (f"{extra}\n" if extra else "\n")
        return head + "\n".join(lines) + "\n)"

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers)
                      | set(self._modules))

