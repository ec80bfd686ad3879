"""Gradient statistics for ``show_grad=True``.

The engine keeps no intermediate gradients (that is what makes backward cheap),
so to see them call :func:`record_grads` on the outputs *before* backward: it
hooks every node of the graph, and each hook stores a small :class:`GradStats`
summary of the gradient of that node's output (not the gradient itself). Leaf
tensors need nothing: their ``.grad`` is read directly.
"""
from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import numpy as np

from minigrad.autograd import walk
from minigrad.utils.hooks import RemovableHandle

from .graph import output_tensors

_ATTR = "_visualize_grad"   # private (leading underscore), so settings() ignores it


@dataclass(frozen=True)
class GradStats:
    """Summary of one gradient: its L2 norm over the finite entries, largest
    magnitude, how many entries are exactly zero, NaN or infinite."""
    norm: float
    abs_max: float
    size: int
    zeros: int
    nans: int
    infs: int

    @property
    def all_zero(self) -> bool:
        return self.size > 0 and self.zeros == self.size

    @property
    def nonfinite(self) -> bool:
        return self.nans > 0 or self.infs > 0

    @property
    def zero_fraction(self) -> float:
        return self.zeros / self.size if self.size else 0.0

    @classmethod
    def of(cls, grad) -> "GradStats":
        a = np.asarray(getattr(grad, "data", grad))
        if a.dtype.kind not in "fc":
            a = a.astype(np.float64)
        finite = np.isfinite(a)
        nans = int(np.isnan(a).sum())
        infs = int(a.size - finite.sum() - nans)
        good = a[finite] if nans or infs else a.ravel()
        norm = float(np.sqrt(np.sum(np.abs(good).astype(np.float64) ** 2))) if good.size else 0.0
        abs_max = float(np.abs(good).max()) if good.size else 0.0
        return cls(norm, abs_max, int(a.size), int(np.count_nonzero(a == 0)), nans, infs)


def node_grad(node):
    """The :class:`GradStats` recorded for a graph node's output, or None."""
    return getattr(node, _ATTR, None)


def leaf_grad(tensor):
    """The :class:`GradStats` of a leaf tensor's ``.grad``, or None."""
    g = getattr(tensor, "grad", None)
    return GradStats.of(g) if g is not None else None


class GradRecorder:
    """What :func:`record_grads` returns: ``.remove()`` takes the hooks off again
    (the recorded statistics stay on the nodes); usable as a context manager."""

    def __init__(self, hooked):
        self._hooked = hooked    # (node, RemovableHandle) pairs

    @property
    def nodes(self):
        return [node for node, _ in self._hooked]

    def remove(self):
        for _, handle in self._hooked:
            handle.remove()
        self._hooked = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
        return False


def _make_hook(node):
    ref = weakref.ref(node)   # a strong reference would make a node -> hook -> node cycle

    def record(grad):
        target = ref()
        if target is not None:
            setattr(target, _ATTR, GradStats.of(grad))
        return None           # leave the gradient unchanged
    return record


def record_grads(*outputs) -> GradRecorder:
    """Hook every node of the graph behind ``outputs`` so the next backward
    stores the norm and NaN/inf/all-zero flags of each intermediate gradient on
    the node; ``to_dot(..., show_grad=True)`` then draws them.

        rec = visualize.record_grads(loss)
        loss.backward()
        visualize.render(loss, params=model, show_grad=True, path="grads.svg")
    """
    hooked = []
    for node in walk(output_tensors(outputs)):
        if node.hooks is None:
            node.hooks = {}
        hooked.append((node, RemovableHandle(node.hooks, _make_hook(node))))
    return GradRecorder(hooked)


def format_norm(value: float) -> str:
    if value == 0:
        return "0"
    if math.isnan(value):
        return "nan"
    return f"{value:.2e}"
