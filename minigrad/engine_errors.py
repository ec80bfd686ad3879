"""The engine's checks and errors (:mod:`minigrad.autograd`): what an op's forward and
backward return, what forward saves, and a view's graph (``Function.check_viewed_graph``).
Each error names the op and says what to do; the engine decides when to raise it."""
from __future__ import annotations

import numpy as np

from ._tensor import Tensor
from .tracing import saved_label


def freed_graph(node):
    return RuntimeError(f"{node.name}: trying to backward through the graph a second time; its "
                        "saved values were freed by the first backward. Pass retain_graph=True "
                        "to the first backward() to keep them.")


def modified_in_place(node, record):
    """A :class:`~minigrad.autograd.Saved` record whose version cell moved on."""
    return RuntimeError(
        f"{node.name}: {saved_label(record.what)} saved for backward (shape {record.array.shape}, "
        f"{record.array.dtype}) was modified in place after it was saved (version "
        f"{record.cell[0]}, saved at version {record.version}). Backward needs the original "
        "values: modify a copy instead, or make the change after backward().")


def checked_saved_input(node, index, inputs):
    """``inputs[index]`` for ``save_for_backward(Input(index))``, refusing a missing one."""
    if not 0 <= index < len(inputs):
        raise IndexError(f"{node.name}.forward: save_for_backward(Input({index})) but the op has "
                         f"{len(inputs)} input(s)")
    return inputs[index]


def check_not_a_bare_input(node, item, inputs):
    """Refuse an input's array passed to ``save_for_backward`` as a plain array."""
    for i, t in enumerate(inputs):
        if item is t.array:
            raise TypeError(f"{node.name}.forward: saved input {i} as a bare array; save_for_"
                            f"backward(Input({i})) keeps it wired into the graph and checked "
                            "for in-place changes")


def checked_forward_result(node, out):
    """forward's result as an array (numpy returns scalars for 0-d results), refusing
    anything else."""
    if isinstance(out, np.generic) and out.dtype.kind != "O":
        return np.asarray(out)
    raise TypeError(f"{node.name}.forward must return one numpy array, got {type(out).__name__} "
                    "(forward works on arrays: return tensor.array, not a Tensor)")


def check_viewed_graph(node):
    """For a view op's backward: refuse when the tensor it views was changed by a
    recorded in-place op after the view was taken: the view's values changed with it,
    but not its graph (PyTorch rewrites the view's graph; minigrad does not). A view
    that the in-place op itself read (``t[1] = t[1] * 3``) is right."""
    base = node.parents[0]
    rewritten_by = getattr(base, "rewritten_in_place_by", None)
    if rewritten_by is not None and node.is_view and node not in base.views_read_by_rewrite:
        raise RuntimeError(
            f"{node.name}: the tensor this view was taken from was changed in place by "
            f"{rewritten_by} (recorded in the graph) after the view was taken; minigrad does "
            "not rewrite a view's graph: take the view after the in-place op, or write "
            "t = t * x instead of t *= x")


def checked_gradients(node, grads):
    """backward's result as a tuple, refusing what the engine cannot use: not one gradient
    per input, a gradient that is not a Tensor (or None), or one of a shape its input
    does not broadcast to."""
    grads = grads if type(grads) is tuple else tuple(grads) if type(grads) is list else (grads,)
    if len(grads) != len(node.parents):
        raise TypeError(f"{node.name}.backward returned {len(grads)} gradient(s) for "
                        f"{len(node.parents)} input(s); return one Tensor (or None) per input")
    for i, (g, shape) in enumerate(zip(grads, node.input_shapes)):
        if g is not None and not isinstance(g, Tensor):
            raise TypeError(f"{node.name}.backward returned a {type(g).__name__} for input {i}; "
                            "return Tensors built with minigrad ops (or None), not arrays")
        if g is not None and (len(shape) > g.ndim or any(
                n not in (1, m) for n, m in zip(shape[::-1], g.shape[::-1]))):
            raise ValueError(f"{node.name}.backward returned a gradient of shape {g.shape} for "
                             f"input {i} of shape {shape} (a bug in the op's backward)")
    return grads
