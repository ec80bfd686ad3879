"""``RemovableHandle``, what every ``register_*hook`` returns (``torch.utils.hooks``'s
path): tensors, graph nodes and modules all keep their hooks in a dict keyed by
registration, so a handle removes its own registration and nothing else; ``run_hooks``
runs such a dict's hooks in order."""
from __future__ import annotations

import itertools

__all__ = ["RemovableHandle", "run_hooks"]


class RemovableHandle:
    """Adds ``hook`` to the dict ``hooks`` under a new id; ``.remove()`` takes that one
    registration off again (the same function registered twice stays once; a second
    ``remove`` does nothing). Also a context manager that removes on exit."""
    next_id = itertools.count()

    def __init__(self, hooks: dict, hook):
        self.hooks, self.id = hooks, next(RemovableHandle.next_id)
        hooks[self.id] = hook

    def remove(self):
        self.hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
        return False


def run_hooks(hooks: dict, g):
    """A dict's hooks in registration order; one may return a new gradient, which the
    next hooks see."""
    for hook in list(hooks.values()):
        new = hook(g)
        g = g if new is None else new
    return g
