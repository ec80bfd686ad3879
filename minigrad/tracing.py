"""What a graph node remembers beyond its math, for people reading a run; the
engine's checks of what ops hand it (each error names the op at fault); and where
gradients leave the graph (hooks, and the leaves' ``.grad``).

* ``module_scope``: ``nn.Module.__call__`` tags the nodes recorded inside with the
  modules running (``visualize`` draws one cluster per module).
* ``detect_anomaly``: remember where every op was created and stop at the first op
  whose forward or backward produces NaN or inf, naming the op, the line that
  created it and its input shapes. Off by default; costs nothing when off.
* ``record_backward``: the steps of a backward pass in the order the engine ran
  them (the node, the gradient that arrived, the gradients it sent to its
  inputs); the backprop explorer (``visualize.explore``) replays them.

The engine (:mod:`minigrad.autograd`) calls the three ``on_*`` hooks below; none
of this changes a number.
"""
from __future__ import annotations

import inspect
import re
import threading
import traceback
from typing import NamedTuple

import numpy as np

from ._tensor import Tensor, make_tensor, check_grad_output

__all__ = ["NodeName", "AccumulateGrad", "module_scope", "current_scope", "detect_anomaly", "is_anomaly_enabled",
           "record_backward", "BackwardStep", "Saved"]


class _State(threading.local):
    """Per thread, like grad mode: one thread's anomaly mode leaves the others alone."""
    scope = None      # the nn.Module calls currently running, outermost first
    anomaly = False
    steps = None      # a list while record_backward is active


state = _State()


class _Switch:
    """A context manager that sets one field of the per-thread state and restores it."""
    field = ""

    def value(self):
        raise NotImplementedError

    def __enter__(self):
        self.prev = getattr(state, self.field)
        setattr(state, self.field, self.value())
        return self

    def __exit__(self, *exc):
        setattr(state, self.field, self.prev)
        return False


class module_scope(_Switch):
    """``with module_scope(module):`` tags the nodes recorded inside with ``module``."""
    field = "scope"

    def __init__(self, module):
        self.module = module

    def value(self):
        return (state.scope or ()) + (self.module,)


def current_scope():
    return state.scope


class detect_anomaly(_Switch):
    """``with detect_anomaly():`` check every op's forward and backward for NaN/inf."""
    field = "anomaly"

    def __init__(self, enabled: bool = True):
        self.enabled = bool(enabled)

    def value(self):
        return self.enabled


def is_anomaly_enabled() -> bool:
    return state.anomaly


class BackwardStep(NamedTuple):
    """One node's backward as the engine ran it: ``grad_output`` (dy, after the
    node's hooks) and ``input_grads`` (one Tensor or None per input)."""
    node: object
    grad_output: object
    input_grads: tuple


class record_backward(_Switch):
    """``with record_backward() as steps: loss.backward()`` fills ``steps`` (a
    list of :class:`BackwardStep`) in the exact order the engine ran the nodes."""
    field = "steps"

    def value(self):
        self.steps = []
        return self.steps

    def __enter__(self):
        super().__enter__()
        return self.steps


class Saved(NamedTuple):
    """One value kept for backward: ``what`` it is ("input 0", "output", "array"),
    its array, the input ``tensor`` when that one requires grad (it stays wired into
    the graph; any other value is rebuilt as a tensor when backward reads it) and,
    for an input or the output, its version ``cell`` and the ``version`` it must
    still have then (an in-place change in between is an error).

    A node stores each as a plain tuple of these fields, an input named by its index
    (see ``Function._keep``); ``node.saved`` shows them as records."""
    what: str
    array: np.ndarray
    tensor: object = None
    cell: object = None
    version: int = None


class NodeName(str):
    """A node's name, ``"Mul"``; calling it gives the same string, so PyTorch's
    ``grad_fn.name()`` works beside minigrad's ``node.name``."""
    __slots__ = ()

    def __call__(self):
        return str(self)


class AccumulateGrad:
    """What ``next_functions`` shows for a leaf that requires grad, as PyTorch: the
    place its gradient is accumulated (``.variable`` is the leaf)."""
    next_functions = ()

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "torch::autograd::AccumulateGrad"   # PyTorch's string, for scripts that compare it

    def __repr__(self):
        return f"<AccumulateGrad for a leaf of shape {self.variable.shape}>"


class Described:
    """What a graph node shows to people reading it (``Function`` inherits this)."""
    __slots__ = ()
    name = property(lambda self: NodeName(type(self).__name__))

    @property
    def next_functions(self):
        """PyTorch's view of the node's inputs: ``(node, 0)`` per input, with an
        ``AccumulateGrad`` for a leaf and None for an input that needs no gradient."""
        return tuple((None if p is None else p if hasattr(p, "parents") else AccumulateGrad(p), 0)
                     for p in self.parents)

    @property
    def saved(self):
        """What the node keeps for backward, as ``Saved`` records (None once freed)."""
        saved = self._saved
        return None if saved is None else tuple(None if s is None else Saved(saved_label(s[0]), *s[1:])
                                                for s in saved)

    @classmethod
    def formula(cls):
        """``(forward, [gradient rules])`` as the docstring states them (docs, drawings)."""
        return docstring_formula(cls.__doc__)

    def settings(self) -> dict:
        """The op's hyper-parameters (public attributes), for printing and drawing."""
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    def __repr__(self):
        return f"<{self.name}({', '.join(f'{k}={v!r}' for k, v in self.settings().items())})>"


# -- what an op's docstring states --------------------------------------------------

def docstring_formula(doc):
    """``(forward, [gradient rules])`` from an op's docstring: its first paragraph is
    ``y = ...`` then one ``dx = ...`` line per input, in x, y, dy names (a rule may
    continue on the next line). ``Function.formula`` reads this; so do docs and drawings."""
    rules, forward = [], []
    for line in inspect.cleandoc(doc or "").split("\n\n")[0].splitlines():
        if re.match(r"d\w* = ", line):
            rules.append(line.strip())
        elif rules:
            rules[-1] += " " + line.strip()
        else:
            forward.append(line.strip())
    return " ".join(forward), rules


# -- the engine's hooks ------------------------------------------------------------------

def on_forward(node, inputs, out):
    """Anomaly mode: note where ``node`` was created, and fail on a non-finite output."""
    if not state.anomaly:
        return
    frames = [f for f in traceback.extract_stack()[:-3]
              if "/minigrad/" not in f.filename.replace("\\", "/")]
    frame = frames[-1] if frames else None
    node.creation = f"{frame.filename}:{frame.lineno}: {frame.line}" if frame else "?"
    if state.scope:   # the line is often a model(x) call: say which layer ran the op
        node.creation += f" (in module {' > '.join(type(m).__name__ for m in state.scope)})"
    shapes = tuple(t.shape for t in inputs)
    if out.dtype.kind in "fc" and not np.all(np.isfinite(out)):
        raise FloatingPointError(f"anomaly: {node.name} forward produced {_bad_values(out)} "
                                 f"(inputs {shapes}); created at {node.creation}")


def on_backward(node, grad_output, input_grads, anomaly):
    """Record the step (record_backward) and, in anomaly mode, check its gradients.
    ``anomaly`` is the mode when backward started (the engine turns it off inside
    backward formulas, so the node's own check names the op that went wrong)."""
    if state.steps is not None:
        state.steps.append(BackwardStep(node, grad_output, tuple(input_grads)))
    if not anomaly:
        return
    for i, g in enumerate(input_grads):
        if g is not None and g.array.dtype.kind in "fc" and not np.all(np.isfinite(g.array)):
            raise FloatingPointError(
                f"anomaly: {node.name} backward produced {_bad_values(g.array)} in the gradient "
                f"of input {i} (inputs {getattr(node, 'input_shapes', '?')}); created at "
                f"{getattr(node, 'creation', '?')}")


class suspend_anomaly(_Switch):
    """Inside backward, the ops of a backward formula are not checked one by one."""
    field = "anomaly"

    def value(self):
        return False


def _bad_values(a):
    return f"{int(np.isnan(a).sum())} NaN and {int(np.isinf(a).sum())} inf values"


# -- checks of what an op hands the engine -----------------------------------------------

def checked_forward_result(node, out):
    """forward's result as an array (numpy returns scalars for 0-d results)."""
    if isinstance(out, np.generic) and out.dtype.kind != "O":
        return np.asarray(out)
    raise TypeError(f"{node.name}.forward must return one numpy array, got "
                    f"{type(out).__name__} (forward works on arrays: return "
                    "tensor.array, not a Tensor)")


def check_not_a_bare_input(node, item, inputs):
    """A saved array that is an input's own array should have been ``Input(i)``."""
    for i, t in enumerate(inputs):
        if item is t.array:
            raise TypeError(f"{node.name}.forward: saved input {i} as a bare array; "
                            f"save_for_backward(Input({i})) keeps it wired into the graph "
                            "and checked for in-place changes")


def checked_backward_result(node, grads):
    """What backward returned, as a tuple of one Tensor or None per input; a wrong
    count, type or shape raises, naming the op. (The engine checks the usual case,
    a tuple of the right tensors, itself, and calls this for anything else.)"""
    if type(grads) is not tuple:
        grads = tuple(grads) if isinstance(grads, list) else (grads,)
    if len(grads) != len(node.parents):
        raise TypeError(f"{node.name}.backward returned {len(grads)} gradient(s) for "
                        f"{len(node.parents)} input(s); return one Tensor (or None) per input")
    for i, g in enumerate(grads):
        if g is not None and not isinstance(g, Tensor):
            raise TypeError(f"{node.name}.backward returned a {type(g).__name__} for input {i}; "
                            "return Tensors built with minigrad ops (or None), not arrays")
        if g is not None and g.array.shape != node.input_shapes[i]:
            raise ValueError(f"{node.name}.backward returned a gradient of shape {g.array.shape} "
                             f"for input {i} of shape {node.input_shapes[i]} (a bug in the "
                             "op's backward)")
    return grads


def freed(node):
    return RuntimeError(
        f"{node.name}: trying to backward through the graph a second time; its saved "
        "values were freed by the first backward. Pass retain_graph=True to the first "
        "backward() to keep them.")


def saved_label(what):
    """How a saved value is named: a node stores an input as its index."""
    return f"input {what}" if type(what) is int else what


def modified_in_place(node, what, data, version, saved_version):
    return RuntimeError(
        f"{node.name}: {saved_label(what)} saved for backward (shape {data.shape}, {data.dtype}) was "
        f"modified in place after it was saved (version {version}, saved at version "
        f"{saved_version}). Backward needs the original values: modify a copy instead, or "
        "make the change after backward().")


# -- where gradients leave the graph ------------------------------------------------------

def run_hooks(hooks, g):
    for hook in hooks:
        new = hook(g)
        if new is not None:
            g = new
    return g


def accumulate_leaf(leaf, g, create_graph, handed_out):
    """Add a leaf's total gradient from this backward into ``leaf.grad``. The leaf
    keeps the array only if nothing else can see it: Add hands one gradient to both
    inputs, a broadcast gradient is a read-only view, and the caller's own gradient
    array stays theirs. Otherwise it gets a copy.

    As PyTorch, a later backward adds into the same ``.grad`` tensor in place (a
    reference kept from the first one sees the sum), except with ``create_graph``,
    where ``.grad`` becomes a new tensor, ``grad + g``, recorded in the graph."""
    if g.array.dtype != leaf.array.dtype:
        g = g.astype(leaf.array.dtype)
    data = g.array
    grad = leaf.grad
    if grad is not None:
        if create_graph:
            leaf.grad = grad + g
        elif grad.array.flags.writeable and grad.array.shape == data.shape:
            np.add(grad.array, data, out=grad.array, casting="same_kind")
            grad.bump_version()
        else:   # a .grad assigned by hand that cannot hold the sum: a new tensor
            leaf.grad = make_tensor(np.asarray(grad.array + data), False, None)
        return
    owner = data if data.base is None else data.base
    shared = id(data) in handed_out or id(owner) in handed_out
    if create_graph:
        leaf.grad = g.clone() if shared else g
    else:
        if shared or not data.flags.writeable:
            data = owner = np.array(data, copy=True)   # order "K": keeps the layout
        leaf.grad = make_tensor(data, False, None)
    handed_out.update((id(leaf.grad.array), id(owner)))


def grad_arguments(outputs, inputs, grad_outputs):
    """``autograd.grad``'s arguments checked: lists of outputs and inputs (all requiring
    grad), and one gradient per output."""
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None or not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs] * (len(outputs) if grad_outputs is None else 1)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for t in inputs + outputs:
        if not t.requires_grad:
            kind = "an input" if any(t is i for i in inputs) else "an output"
            raise RuntimeError(f"grad: {kind} of shape {t.shape} does not require grad")
    return outputs, inputs, [check_grad_output(o, g, "grad") for o, g in zip(outputs, grad_outputs)]
