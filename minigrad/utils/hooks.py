"""``RemovableHandle``, what every ``register_*hook`` returns (``torch.utils.hooks``'s
path): tensors, graph nodes and modules all keep their hooks in a dict keyed by
registration, so a handle removes its own registration and nothing else."""
from __future__ import annotations

import itertools

__all__ = ["RemovableHandle"]


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
