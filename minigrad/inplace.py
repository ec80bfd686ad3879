"""Memory checks of in-place writes: no two written elements may share memory, and a
read-only numpy view (a broadcast) is written through the array that owns its memory."""
from __future__ import annotations

import numpy as np


def check_no_overlap(array, op):
    """PyTorch's rule for in-place writes: no two elements written may share memory
    (an ``expand()``ed dim has stride 0); an empty array has no elements to share."""
    for stride, n in zip(array.strides, array.shape):
        if stride == 0 and n > 1 and array.size:
            raise RuntimeError(
                f"{op}: more than one element of the written-to tensor (shape {array.shape}, "
                "a view made by expand()) refers to a single memory location; clone() the "
                "tensor before writing into it")


class _Memory:
    """Lends numpy a writeable view of memory a writeable array ``owner`` holds."""

    def __init__(self, array, owner):
        self.__array_interface__ = dict(array.__array_interface__,
                                        data=(array.__array_interface__["data"][0], False))
        self.owner = owner   # kept alive by the view (its .base is this object)


def writeable_alias(array):
    """The same memory as the read-only view ``array`` (numpy's broadcast views and
    their slices), writeable; None when no writeable array owns it."""
    owner = array.base
    while isinstance(owner, np.ndarray) and not owner.flags.writeable:
        owner = owner.base
    if not isinstance(owner, np.ndarray):
        return None
    return np.asarray(_Memory(array, owner))


def views_read_by(node, base):
    """The view nodes of ``base`` (a graph node) that the graph behind ``node`` read
    (``t[1] = t[1] * 3``: the view ``t[1]`` was read before the write, so its graph is
    right). The walk stops at ``base``: it covers the write's own computation only; a
    parent without ``parents`` is a leaf tensor."""
    found, seen, stack = set(), {base}, [node]
    while stack:
        current = stack.pop()
        if current.is_view and current.parents[0] is base:
            found.add(current)
        for parent in current.parents:
            if parent is not None and hasattr(parent, "parents") and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return found
