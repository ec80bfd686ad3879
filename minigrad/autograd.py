"""The autograd engine: graph nodes, grad mode and reverse-mode backward.

The idea in a screen:

* Every differentiable op is a subclass of :class:`Function` with a ``forward``
  (numpy arrays in, one numpy array out) and a hand-written ``backward`` (the
  output gradient ``dy`` in, one gradient per input out) side by side.
* Calling an op runs ``forward``. When grad mode is on and some input requires
  grad, the op becomes a node of the graph: it remembers its parents (the nodes,
  or leaf tensors, that made its inputs), its inputs' shapes and dtypes, and what
  ``forward`` declared with ``save_for_backward``: ``Input(i)`` (keep input i),
  ``OUTPUT`` (keep my output) or a plain array (keep this intermediate). That is
  the one channel backward reads through ``saved_tensors``; backward frees it.
* The output tensor points at the node through ``grad_fn``; nothing points back,
  so dropping the output frees the graph by reference counting alone.
* ``backward`` is written with minigrad ops. Normally it runs with grad mode off
  (plain numpy speed); with ``create_graph=True`` it is recorded like any other
  computation, which gives second derivatives for free.
* :func:`run_backward` lists the nodes once with :func:`walk` (parents before
  children) and runs them in the reverse order, so every node has the sum of
  the gradients of all its uses before its ``backward`` runs. No recursion: a
  chain of 100,000 ops is fine.

Speed: a node holds few objects that Python's cyclic garbage collector tracks
(see ``Saved``); its scans of a long graph were half of a 100,000-op forward.
"""
from __future__ import annotations

import functools
import threading
from typing import NamedTuple

import numpy as np

from . import tracing
from ._tensor import Tensor, make_tensor, check_grad_output

__all__ = ["Function", "Input", "OUTPUT", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "walk", "run_backward", "grad"]


# -- grad mode -------------------------------------------------------------------------

class _GradMode(threading.local):
    """Per thread: one thread under ``no_grad`` leaves the others recording."""
    enabled = True


_grad_mode = _GradMode()


def is_grad_enabled() -> bool:
    return _grad_mode.enabled


class set_grad_enabled:
    """Turns graph recording on or off: ``with set_grad_enabled(False):`` or as a
    decorator, ``@set_grad_enabled(False)``."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)

    def __enter__(self):
        self.prev, _grad_mode.enabled = _grad_mode.enabled, self.mode

    def __exit__(self, *exc):
        _grad_mode.enabled = self.prev

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(self.mode):
                return func(*args, **kwargs)
        return wrapper


def no_grad(func=None):
    """``with no_grad():``, ``@no_grad()`` or ``@no_grad``: record no graph."""
    return set_grad_enabled(False)(func) if func else set_grad_enabled(False)


def enable_grad(func=None):
    """The opposite of ``no_grad``: record the graph inside, even under no_grad."""
    return set_grad_enabled(True)(func) if func else set_grad_enabled(True)


# -- what forward may keep for backward --------------------------------------------

class Input:
    """``save_for_backward(Input(i))``: keep input ``i`` (wired into the graph)."""
    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index


OUTPUT = "output"   # ``save_for_backward(OUTPUT)``: keep the op's own output


class Saved(NamedTuple):
    """One value kept for backward: ``what`` it is ("input 0", "output", "array"),
    its array, the input ``tensor`` when that one requires grad (it stays wired into
    the graph; any other value is rebuilt as a tensor when backward reads it) and,
    for an input or the output, its version ``cell`` and the ``version`` it must
    still have then (an in-place change in between is an error).

    A node stores each one as a plain tuple (``node._saved``): with no tensor in it
    (version cells are arrays) the garbage collector stops tracking it after one
    look; ``node.saved`` shows them as ``Saved``."""
    what: str
    data: np.ndarray
    tensor: Tensor = None
    cell: object = None
    version: int = None


def _unpack(node, what, data, tensor, cell, version):
    if cell is not None and cell[0] != version:
        raise RuntimeError(
            f"{node.name}: {what} saved for backward (shape {data.shape}, {data.dtype}) was "
            f"modified in place after it was saved (version {cell[0]}, saved at version "
            f"{version}). Backward needs the original values: modify a copy instead, or "
            "make the change after backward().")
    if tensor is not None:
        return tensor
    if what == OUTPUT:   # rebuilt on demand: holding the tensor would be a cycle
        return make_tensor(data, True, node, cell)
    return make_tensor(data, False, None, cell)


# -- the op base class -------------------------------------------------------------------

class Function:
    """Base class of every op: a node of the computation graph.

    Subclasses define ``forward(*arrays) -> array`` and ``backward(dy) -> grads``.
    Hyper-parameters are given to ``__init__`` and kept as attributes: those are the
    op's ``settings()``. Everything else the engine keeps on a node is a slot, out of
    ``settings()``. Every concrete subclass is listed in ``Function.registry`` (the
    tests enumerate it to prove every op has a gradient check).
    """
    __slots__ = ("needs_input_grad", "parents", "input_shapes", "input_dtypes", "out_shape",
                 "out_dtype", "_saved", "hooks", "scope", "creation", "__dict__", "__weakref__")
    registry: list = []
    #: the output is a view of input 0, so in-place writes to one show in the other
    is_view = False

    def __init_subclass__(cls, register: bool = True, **kwargs):
        super().__init_subclass__(**kwargs)
        if register and not cls.__name__.startswith("_"):
            Function.registry.append(cls)

    # -- what subclasses write ---------------------------------------------------------
    def forward(self, *arrays):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError

    # -- the one channel from forward to backward ----------------------------------
    def save_for_backward(self, *items):
        """Declare what backward reads: ``Input(i)``, ``OUTPUT``, an intermediate
        array, or None (a placeholder, read back as None)."""
        self._saved = items

    @property
    def saved_tensors(self):
        """The saved values as tensors, in the order they were declared: inputs that
        require grad and the output stay wired into the graph (so a backward written
        with minigrad ops is itself differentiable); the rest are constants."""
        if self._saved is None:
            raise RuntimeError(
                f"{self.name}: trying to backward through the graph a second time; its saved "
                "values were freed by the first backward. Pass retain_graph=True to the first "
                "backward() to keep them.")
        return tuple([None if s is None else _unpack(self, *s) for s in self._saved])

    @property
    def saved(self):
        """What the node keeps for backward, as ``Saved`` records (None once freed)."""
        return None if self._saved is None else tuple(
            None if s is None else Saved(*s) for s in self._saved)

    @property
    def name(self) -> str:
        return type(self).__name__

    @classmethod
    def formula(cls):
        """``(forward, [gradient rules])`` as the docstring's first paragraph states
        them: the one source that docs and drawings read."""
        return tracing.docstring_formula(cls.__doc__)

    def settings(self) -> dict:
        """The op's hyper-parameters (public attributes), for printing and drawing."""
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    def __repr__(self):
        return f"<{self.name}({', '.join(f'{k}={v!r}' for k, v in self.settings().items())})>"

    # -- running the op ------------------------------------------------------------------
    def __call__(self, *inputs, **options):
        """Run forward on tensors; record this op as a graph node when needed.
        ``options`` go to forward as they are (arrays it may reuse; not recorded)."""
        record = _grad_mode.enabled and any([t.requires_grad for t in inputs])
        self.needs_input_grad = (tuple([t.requires_grad for t in inputs]) if record
                                 else (False,) * len(inputs))
        self._saved = ()
        out = self.forward(*[t.data for t in inputs], **options)
        if type(out) is not np.ndarray or out.dtype.kind == "O":
            out = self._check_forward_result(out)
        cell = inputs[0]._version if self.is_view else None
        if not record:
            self._saved = ()
            tracing.on_forward(self, inputs, out)
            return make_tensor(out, False, None, cell)
        self.parents = tuple([(t.grad_fn or t) if t.requires_grad else None for t in inputs])
        self.input_shapes = tuple([t.data.shape for t in inputs])
        self.input_dtypes = tuple([t.data.dtype for t in inputs])
        self.out_shape, self.out_dtype = out.shape, out.dtype
        self.hooks = self.creation = None
        self.scope = tracing.current_scope()
        tracing.on_forward(self, inputs, out)
        result = make_tensor(out, True, self, cell)
        if self._saved:
            self._saved = tuple([self._keep(item, inputs, result) for item in self._saved])
        return result

    def _keep(self, item, inputs, result):
        """A ``save_for_backward`` item as the tuple ``Saved`` describes."""
        if item is None:
            return None
        if isinstance(item, Input):
            t = inputs[item.index]
            return (f"input {item.index}", t.data, t if t.requires_grad else None,
                    t._version, t._version[0])
        if isinstance(item, str) and item == OUTPUT:
            return (OUTPUT, result.data, None, result._version, result._version[0])
        if type(item) is not np.ndarray:
            item = np.asarray(item)
        for i, t in enumerate(inputs):
            if item is t.data:   # a guard, not a lookup: say which marker to use
                raise TypeError(f"{self.name}.forward: saved input {i} as a bare array; "
                                f"save_for_backward(Input({i})) keeps it wired into the graph "
                                "and checked for in-place changes")
        return ("array", item, None, None, None)

    def _check_forward_result(self, out):
        if isinstance(out, np.generic) and out.dtype.kind != "O":
            return np.asarray(out)   # numpy returns scalars for 0-d results
        raise TypeError(f"{self.name}.forward must return one numpy array, got "
                        f"{type(out).__name__} (forward works on arrays: return "
                        "tensor.data, not a Tensor)")

    @classmethod
    def apply(cls, *inputs, **kwargs):
        """``Op.apply(*inputs)``, as PyTorch: a new op instance called on the inputs."""
        return cls(**kwargs)(*inputs)


# -- walking the graph ----------------------------------------------------------------------

def walk(outputs):
    """Every node behind ``outputs`` (tensors), each once, parents before children.
    The one graph traversal: backward runs it reversed, visualize draws it."""
    order, seen = [], set()
    stack = [(t.grad_fn, False) for t in outputs if t.grad_fn is not None]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend([(p, False) for p in node.parents
                          if isinstance(p, Function) and p not in seen])
    return order


# -- the backward engine ---------------------------------------------------------------------

def run_backward(outputs, grads, retain_graph=False, create_graph=False, capture=None):
    """Backpropagate ``grads`` (one per tensor in ``outputs``).

    Without ``capture``, gradients accumulate into ``.grad`` of the leaves. With
    ``capture`` (a list of tensors), their gradients are returned instead, no
    ``.grad`` is touched, and only nodes that lead to them run (that is :func:`grad`)."""
    order = walk(outputs)
    node_grads, leaf_grads = {}, {}
    for out, g in zip(outputs, grads):
        _add(node_grads if out.grad_fn is not None else leaf_grads, out.grad_fn or out, g)
    targets = {}
    if capture is not None:
        for i, t in enumerate(capture):
            targets.setdefault(t.grad_fn or t, []).append(i)
        captured = [None] * len(capture)
        to_run = _nodes_to_run(order, targets)
    anomaly = tracing.is_anomaly_enabled()
    with tracing.suspend_anomaly(), set_grad_enabled(create_graph):
        for node in reversed(order):
            g = node_grads.pop(node, None)
            if g is None:   # nothing flowed into this node
                continue
            if node.hooks:
                g = _run_hooks(node.hooks, g)
            if capture is not None:
                for i in targets.get(node, ()):
                    captured[i] = g
                if node not in to_run:
                    continue
            input_grads = _checked(node, node.backward(g))
            tracing.on_backward(node, g, input_grads, anomaly)
            if not retain_graph and node._saved:
                node._saved = None
            for p, ig in zip(node.parents, input_grads):
                if p is not None and ig is not None:
                    _add(node_grads if isinstance(p, Function) else leaf_grads, p, ig)
        # Arrays (and the memory behind views) already given to a leaf, or the caller's.
        handed_out = {id(g.data if g.data.base is None else g.data.base) for g in grads}
        for leaf, g in leaf_grads.items():   # hooks see a leaf's total gradient
            if capture is not None and leaf not in targets:
                continue
            if leaf._hooks:
                g = _run_hooks(leaf._hooks, g)
            if capture is None:
                _accumulate_leaf(leaf, g, create_graph, handed_out)
            else:
                for i in targets[leaf]:
                    captured[i] = g
    return captured if capture is not None else None


def _add(store, key, g):
    store[key] = store[key] + g if key in store else g


def _run_hooks(hooks, g):
    for hook in hooks:
        new = hook(g)
        if new is not None:
            g = new
    return g


def _accumulate_leaf(leaf, g, create_graph, handed_out):
    """Add a leaf's total gradient from this backward into ``leaf.grad``. The leaf
    keeps the array only if nothing else can see it: Add hands one gradient to both
    inputs, a broadcast gradient is a read-only view, and the caller's own gradient
    array stays theirs. Otherwise it gets a copy."""
    if g.data.dtype != leaf.data.dtype:
        g = g.astype(leaf.data.dtype)
    data = g.data
    if leaf.grad is not None:   # asarray: numpy returns a scalar for a 0-d sum
        leaf.grad = (leaf.grad + g if create_graph else
                     make_tensor(np.asarray(leaf.grad.data + data), False, None))
        return
    owner = data if data.base is None else data.base
    shared = id(data) in handed_out or id(owner) in handed_out
    if create_graph:
        leaf.grad = g.clone() if shared else g
    else:
        if shared or not data.flags.writeable:
            data = owner = np.array(data, copy=True)   # order "K": keeps the layout
        leaf.grad = make_tensor(data, False, None)
    handed_out.update((id(leaf.grad.data), id(owner)))


def _nodes_to_run(order, targets):
    """For grad(): the nodes whose backward leads to a target (node or leaf)."""
    reaches, run = set(), set()   # reaches: a target is this node or lies upstream of it
    for node in order:   # parents first, so a parent's answer is known
        if any(p in reaches or p in targets for p in node.parents if p is not None):
            run.add(node)
            reaches.add(node)
        elif node in targets:
            reaches.add(node)
    return run


def _checked(node, grads):
    """What backward returned, as a tuple of one Tensor or None per input."""
    if type(grads) is not tuple:
        grads = tuple(grads) if isinstance(grads, list) else (grads,)
    if len(grads) != len(node.parents):
        raise TypeError(f"{node.name}.backward returned {len(grads)} gradient(s) for "
                        f"{len(node.parents)} input(s); return one Tensor (or None) per input")
    for i, g in enumerate(grads):
        if g is not None and not isinstance(g, Tensor):
            raise TypeError(f"{node.name}.backward returned a {type(g).__name__} for input {i}; "
                            "return Tensors built with minigrad ops (or None), not arrays")
        if g is not None and g.data.shape != node.input_shapes[i]:
            raise ValueError(f"{node.name}.backward returned a gradient of shape {g.data.shape} "
                             f"for input {i} of shape {node.input_shapes[i]} (a bug in the "
                             "op's backward)")
    return grads


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple (one
    per input) rather than accumulated into ``.grad``, as ``torch.autograd.grad``."""
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Tensor) or not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for kind, tensors in (("an input", inputs), ("an output", outputs)):
        for t in tensors:
            if not t.requires_grad:
                raise RuntimeError(f"grad: {kind} of shape {t.shape} does not require grad")
    gs = [check_grad_output(o, g, "grad") for o, g in zip(outputs, grad_outputs)]
    result = run_backward(outputs, gs, create_graph if retain_graph is None else retain_graph,
                          create_graph, capture=inputs)
    if not allow_unused:
        for t, g in zip(inputs, result):
            if g is None:
                raise RuntimeError(f"grad: an input of shape {t.shape} was not used to compute "
                                   "the outputs; pass allow_unused=True to get None for it")
    return tuple(result)
