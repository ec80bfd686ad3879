"""What a graph node remembers beyond its math, for people reading a run: the
module scope it ran in, anomaly mode, the recorded backward, and the formula an op's
docstring states.

* ``module_scope``: ``nn.Module.__call__`` tags the nodes recorded inside with the
  modules running (``visualize`` draws one cluster per module).
* ``detect_anomaly``: remember where every op was created and stop at the first op
  whose forward or backward produces NaN or inf, naming the op, the line that
  created it and its input shapes. Off by default; costs nothing when off.
* ``record_backward``: the steps of a backward pass in the order the engine ran
  them (the node, the gradient that arrived, the gradients it sent to its
  inputs); the backprop explorer (``visualize.explore``) replays them.

The engine (:mod:`minigrad.autograd`) calls ``on_forward`` and ``on_backward``;
none of this changes a number.
"""
from __future__ import annotations

import inspect
import re
import threading
import traceback
from typing import NamedTuple

import numpy as np

__all__ = ["NodeName", "AccumulateGrad", "module_scope", "current_scope", "detect_anomaly",
           "is_anomaly_enabled", "record_backward", "BackwardStep", "docstring_formula", "saved_label"]


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


# -- what a node shows (Function's name, next_functions, saved, formula, settings, repr) -

def node_name(node):
    return NodeName(type(node).__name__)


def saved_label(what):
    """How a saved value is named for people: a node stores an input as its index."""
    return f"input {what}" if type(what) is int else what


def next_functions(node):
    """PyTorch's view of the node's inputs: ``(node, 0)`` per input, with an
    ``AccumulateGrad`` for a leaf and None for an input that needs no gradient."""
    return tuple((None if p is None else p if hasattr(p, "parents") else AccumulateGrad(p), 0)
                 for p in node.parents)


def formula(op_class):
    """``(forward, [gradient rules])`` as the op's docstring states them (docs, drawings)."""
    return docstring_formula(op_class.__doc__)


def settings(node) -> dict:
    """The op's hyper-parameters (public attributes), for printing and drawing."""
    return {k: v for k, v in vars(node).items() if not k.startswith("_")}


def node_repr(node):
    return f"<{node.name}({', '.join(f'{k}={v!r}' for k, v in node.settings().items())})>"


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
