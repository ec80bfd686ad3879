"""Containers: ``Sequential`` (run sub-modules in order), ``ModuleList`` and
``ModuleDict`` (sub-modules by name)."""
from __future__ import annotations

import operator
from collections import OrderedDict

from .module import Module

__all__ = ["Sequential", "ModuleList", "ModuleDict"]


class _IndexedModules(Module):
    """Sub-modules kept in order; integer indexing, slicing, len and iteration."""

    def _index(self, idx):
        n = len(self._modules)
        try:
            i = operator.index(idx)
        except TypeError:
            raise TypeError(f"{type(self).__name__}: index must be an int or a slice, got "
                            f"{type(idx).__name__}") from None
        if not -n <= i < n:
            raise IndexError(f"{type(self).__name__}: index {i} is out of range for "
                             f"{n} module(s)")
        return list(self._modules)[i % n]

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        return self._modules[self._index(idx)]

    def __setitem__(self, idx, module):
        setattr(self, self._index(idx), module)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        name = str(len(self._modules))
        self._refuse_replacing(name, module)
        self.add_module(name, module)
        return self

    def _refuse_replacing(self, name, module):
        """A name already holding a different module is an error here, not a silent
        swap (e.g. appending to a Sequential slice, whose names start at 1 or more).
        Replacing on purpose is ``container[i] = module``."""
        current = self._modules.get(name)
        if current is not None and current is not module:
            raise KeyError(f"{type(self).__name__}: name {name!r} already holds a module "
                           f"({type(current).__name__}); replace it with "
                           "container[index] = module, or pick another name")

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self


class Sequential(_IndexedModules):
    """``Sequential(m0, m1, ...)`` (named '0', '1', ...) or ``Sequential(OrderedDict)``;
    ``forward`` feeds each module's output to the next."""

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], (dict, OrderedDict)):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            self.extend(modules)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x


class ModuleList(_IndexedModules):
    """A list of sub-modules that registers them (so their parameters are found).
    A slice is a new ModuleList numbered from '0' (as PyTorch's), and
    ``add_module``/``append`` never replace a different module under a taken name."""

    def __init__(self, modules=()):
        super().__init__()
        if isinstance(modules, (dict, OrderedDict)):
            for name, module in modules.items():
                self.add_module(name, module)
        else:
            self.extend(modules)

    def __getitem__(self, idx):
        if isinstance(idx, slice):   # renumber, so names stay '0'..'n-1' and append is safe
            return type(self)(list(self._modules.values())[idx])
        return super().__getitem__(idx)

    def add_module(self, name, module):
        self._refuse_replacing(name, module)
        super().add_module(name, module)


class ModuleDict(Module):
    """An ordered dict of sub-modules that registers them, as PyTorch's: indexing by
    name, ``in``, ``len``, iteration over the names, ``keys``/``values``/``items``,
    ``update``, ``pop`` and ``clear``."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        try:
            return self._modules[key]
        except KeyError:
            raise KeyError(f"ModuleDict: no module named {key!r} (names: "
                           f"{list(self._modules)})") from None

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        self[key]   # a clear KeyError for a missing name
        del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def pop(self, key):
        module = self[key]
        del self[key]
        return module

    def clear(self):
        self._modules.clear()

    def update(self, modules):
        """Add (or replace) modules from a mapping or from (name, module) pairs."""
        pairs = modules.items() if hasattr(modules, "items") else modules
        for pair in pairs:
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(f"ModuleDict.update: expected a mapping or (name, module) "
                                f"pairs, got an element {pair!r}")
            self[pair[0]] = pair[1]

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleDict has no forward(): call its modules by name")
