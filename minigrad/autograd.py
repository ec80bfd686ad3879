"""The autograd engine: graph nodes, grad mode and reverse-mode backward.

* Every op is a :class:`Function` subclass: ``forward`` (numpy arrays in, one array
  out) and a hand-written ``backward`` (``dy`` in, one gradient per input out).
* Calling an op runs ``forward``. When grad mode is on and some input requires grad,
  the op becomes a graph node: it remembers its parents (the nodes or leaf tensors
  that made its inputs), its inputs' shapes and dtypes, and what forward declared
  with ``save_for_backward`` (``Input(i)``, ``OUTPUT`` or an array): the one channel
  backward reads (``saved_tensors``), freed by backward.
* The output points at its node (``grad_fn``); nothing points back, so dropping the
  output frees the graph by reference counting alone.
* ``backward`` is written with minigrad ops: plain numpy with grad mode off, and
  recorded (``create_graph=True``) it gives second derivatives for free.
* :func:`run_backward` lists the nodes once with :func:`walk` (parents first) and
  runs them in reverse, so each node has the sum of its uses' gradients before its
  ``backward`` runs. No recursion: a chain of 100,000 ops is fine.

Speed: a node holds few objects the garbage collector tracks (``Function._keep``),
and the one- and two-input cases are spelled out (``Function._record``)."""
from __future__ import annotations

import functools
import threading

import numpy as np

from . import tracing
from ._tensor import Tensor, make_tensor

__all__ = ["Function", "Input", "OUTPUT", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "walk", "run_backward", "grad"]


# -- grad mode -------------------------------------------------------------------------

class _GradMode(threading.local):
    """Per thread: one thread under ``no_grad`` leaves the others recording."""
    enabled = True


_grad_mode = _GradMode()


def is_grad_enabled() -> bool:
    return _grad_mode.enabled


class _GradModeContext:
    """A context manager and decorator that records the graph (``mode`` True) or not
    inside, and restores the previous mode after."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)

    def __enter__(self):
        self.prev, _grad_mode.enabled = _grad_mode.enabled, self.mode

    def __exit__(self, *exc):
        _grad_mode.enabled = self.prev

    def __call__(self, func):
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with _GradModeContext(mode):
                return func(*args, **kwargs)
        return wrapper


class set_grad_enabled(_GradModeContext):
    """As PyTorch: ``set_grad_enabled(False)`` called alone sets the mode for this
    thread from now on; ``with set_grad_enabled(False):`` sets it inside only, and
    ``@set_grad_enabled(False)`` inside the decorated function only (decorating
    leaves the current mode as it was)."""

    def __init__(self, mode: bool):
        super().__init__(mode)
        self.prev, _grad_mode.enabled = _grad_mode.enabled, self.mode

    def __enter__(self):   # the mode was set when made; __exit__ restores the one before
        _grad_mode.enabled = self.mode

    def __call__(self, func):
        _grad_mode.enabled = self.prev
        return super().__call__(func)


def no_grad(func=None):
    """``with no_grad():``, ``@no_grad()`` or ``@no_grad``: record no graph."""
    return _GradModeContext(False)(func) if func else _GradModeContext(False)


def enable_grad(func=None):
    """The opposite of ``no_grad``: record the graph inside, even under no_grad."""
    return _GradModeContext(True)(func) if func else _GradModeContext(True)


# -- what forward may keep for backward --------------------------------------------

class Input(int):
    """``save_for_backward(Input(i))``: keep input ``i`` (wired into the graph). An
    int marked as an input's index: cheap, as ops make one on every call."""
    __slots__ = ()


OUTPUT = "output"   # ``save_for_backward(OUTPUT)``: keep the op's own output


# -- the op base class -------------------------------------------------------------------

class Function(tracing.Described):
    """Base class of every op, a node of the graph. Subclasses define ``forward`` and
    ``backward``; hyper-parameters are attributes set in ``__init__`` (``settings()``),
    what the engine keeps is a slot. ``registry`` lists every concrete subclass (each
    has a gradient check). ``tracing.Described`` adds what readers see."""
    __slots__ = ("needs_input_grad", "parents", "input_shapes", "input_dtypes", "out_shape",
                 "out_dtype", "_saved", "hooks", "scope", "creation", "__dict__", "__weakref__")
    registry: list = []
    #: the output is a view of input 0, so in-place writes to one show in the other
    is_view = False

    #: forward and backward are PyTorch-style static methods taking ctx (custom_function.py)
    uses_ctx = False

    def __init_subclass__(cls, register: bool = True, **kwargs):
        super().__init_subclass__(**kwargs)
        if "forward" in cls.__dict__:
            cls.uses_ctx = isinstance(cls.__dict__["forward"], staticmethod)
        if register and not cls.__name__.startswith("_") and not cls.uses_ctx:
            Function.registry.append(cls)

    def forward(self, *arrays):   # what subclasses write: forward and backward
        raise NotImplementedError

    def backward(self, dy):
        raise NotImplementedError

    # -- the one channel from forward to backward ----------------------------------
    def save_for_backward(self, *items):
        """Declare what backward reads: ``Input(i)``, ``OUTPUT``, an intermediate
        array, or None (a placeholder, read back as None)."""
        self._saved = items

    @property
    def saved_tensors(self):
        """The saved values as tensors, in declared order: inputs that require grad and
        the output stay wired into the graph (a backward made of ops is differentiable)."""
        if self._saved is None:
            raise tracing.freed(self)
        values = []   # (a loop: a comprehension costs more on so few items)
        for item in self._saved:
            values.append(None if item is None else self._unpack(item))
        return tuple(values)

    @property
    def saved_arrays(self):
        """The same saved values as numpy arrays (checked for in-place changes alike):
        for a backward that runs its formula on arrays, where rebuilding tensors
        would cost more than a small tensor's arithmetic."""
        if self._saved is None:
            raise tracing.freed(self)
        values = []
        for item in self._saved:
            if item is not None and item[3] is not None and item[3][0] != item[4]:
                self._unpack(item)   # raises, naming the op and the value
            values.append(None if item is None else item[1])
        return tuple(values)

    def _unpack(self, saved):
        """One saved value (a tuple of ``tracing.Saved``'s fields) as backward reads it."""
        what, data, tensor, cell, version = saved
        if cell is not None and cell[0] != version:
            raise tracing.modified_in_place(self, what, data, cell[0], version)
        if tensor is not None:
            return tensor
        if what is OUTPUT:   # rebuilt on demand: holding the tensor would be a cycle
            return make_tensor(data, True, self, cell)
        return make_tensor(data, False, None, cell)

    # -- running the op ------------------------------------------------------------------
    def __call__(self, *inputs, **options):
        """Run forward on tensors; record this op as a graph node when needed.
        ``options`` go to forward as they are (arrays it may reuse; not recorded)."""
        if _grad_mode.enabled:
            for t in inputs:
                if t.requires_grad:
                    return self._record(inputs, options)
        self.needs_input_grad = (False,) * len(inputs)   # so forward keeps nothing
        self._saved = ()
        if len(inputs) == 1 and not options:   # spelled out as in _record
            out = self.forward(inputs[0].array)
        elif len(inputs) == 2 and not options:
            out = self.forward(inputs[0].array, inputs[1].array)
        else:
            out = self.forward(*[t.array for t in inputs], **options)
        if type(out) is not np.ndarray or out.dtype.kind == "O":
            out = tracing.checked_forward_result(self, out)
        if tracing.state.anomaly:
            tracing.on_forward(self, inputs, out)
        return make_tensor(out, False, None, inputs[0].version_cell() if self.is_view else None)

    def _record(self, inputs, options):
        """Run forward and become a graph node: parents, input shapes and dtypes, and
        what forward declared with ``save_for_backward``."""
        self._saved = ()
        n = 0 if options else len(inputs)
        if n == 1:   # most ops take one or two inputs: spelled out, as each
            x = inputs[0]   # comprehension below costs 0.3 µs, more than small arithmetic
            self.needs_input_grad, self.parents = (True,), (x.grad_fn or x,)
            x = x.array
            out = self.forward(x)
            self.input_shapes, self.input_dtypes = (x.shape,), (x.dtype,)
        elif n == 2:
            a, b = inputs
            self.needs_input_grad = (a.requires_grad, b.requires_grad)
            self.parents = ((a.grad_fn or a) if a.requires_grad else None,
                            (b.grad_fn or b) if b.requires_grad else None)
            a, b = a.array, b.array
            out = self.forward(a, b)
            self.input_shapes, self.input_dtypes = (a.shape, b.shape), (a.dtype, b.dtype)
        else:   # any number of inputs, or options
            self.needs_input_grad = tuple([t.requires_grad for t in inputs])
            self.parents = tuple([(t.grad_fn or t) if t.requires_grad else None for t in inputs])
            arrays = [t.array for t in inputs]
            out = self.forward(*arrays, **options)
            self.input_shapes = tuple([a.shape for a in arrays])
            self.input_dtypes = tuple([a.dtype for a in arrays])
        if type(out) is not np.ndarray or out.dtype.kind == "O":
            out = tracing.checked_forward_result(self, out)
        self.out_shape, self.out_dtype = out.shape, out.dtype
        self.hooks = self.creation = None
        state = tracing.state
        self.scope = state.scope
        if state.anomaly:
            tracing.on_forward(self, inputs, out)
        result = make_tensor(out, True, self, inputs[0].version_cell() if self.is_view else None)
        saved = self._saved
        if len(saved) == 1:   # the usual case (an output, an input), without a list
            self._saved = (self._keep(saved[0], inputs, result),)
        elif saved:
            kept = []
            for item in saved:
                kept.append(self._keep(item, inputs, result))
            self._saved = tuple(kept)
        return result

    def _keep(self, item, inputs, result):
        """A saved item as the plain tuple ``tracing.Saved`` describes (an input by its
        index). Only an input that requires grad is kept as a tensor; the rest are
        rebuilt when read, so the collector stops tracking the tuple after one look."""
        if type(item) is Input:
            try:
                t = inputs[item]
            except IndexError:
                raise IndexError(f"{self.name}.forward: save_for_backward(Input({item})) but the "
                                 f"op has {len(inputs)} input(s)") from None
            cell = t.version_cell()
            return (int(item), t.array, t if t.requires_grad else None, cell, cell[0])
        if item is OUTPUT or (type(item) is str and item == OUTPUT):
            return (OUTPUT, result.array, None, result.version_cell(), 0)   # a new tensor: version 0
        if item is None:
            return None
        tracing.check_not_a_bare_input(self, item, inputs)
        return ("array", np.asarray(item), None, None, None)

    def check_viewed_graph(self):
        """For a view op's backward: refuse when the tensor it views was changed by a
        recorded in-place op after the view was taken: the view's values changed with
        it, but not its graph (PyTorch rewrites the view's graph; minigrad does not).
        A view that the in-place op itself read (``t[1] = t[1] * 3``) is right."""
        base = self.parents[0]
        rewritten = getattr(base, "rewritten_in_place_by", None)
        if rewritten is not None and self.is_view and self not in base.views_read_by_rewrite:
            raise RuntimeError(
                f"{self.name}: the tensor this view was taken from was changed in place by "
                f"{rewritten} (recorded in the graph) after the view was taken; minigrad does "
                "not rewrite a view's graph: take the view after the in-place op, or write "
                "t = t * x instead of t *= x")

    @classmethod
    def apply(cls, *inputs, **kwargs):
        """``Op.apply(*inputs)``, as PyTorch: a new op instance called on the inputs (for a
        PyTorch-style subclass, its static forward/backward run with a ctx)."""
        if cls.uses_ctx:
            from .custom_function import apply_with_ctx
            return apply_with_ctx(cls, inputs)
        return cls(**kwargs)(*inputs)


# -- walking the graph ----------------------------------------------------------------------

def walk(outputs):
    """Every node behind ``outputs`` (tensors), each once, parents before children.
    The one graph traversal: backward runs it reversed, visualize draws it. A node
    stays on the stack while its parents are listed, then is listed itself (the
    stack holds bare nodes: a 100,000-op chain's stack of tuples woke the collector)."""
    order, opened, listed = [], set(), set()
    stack = [t.grad_fn for t in outputs if t.grad_fn is not None]
    while stack:
        node = stack[-1]
        if node not in opened:   # first visit: its parents go on top
            opened.add(node)
            for p in node.parents:
                if p not in opened and isinstance(p, Function):
                    stack.append(p)
        else:   # second visit: its parents are listed
            stack.pop()
            if node not in listed:
                listed.add(node)
                order.append(node)
    return order


# -- the backward engine ---------------------------------------------------------------------

def run_backward(outputs, grads, retain_graph=False, create_graph=False, capture=None):
    """Backpropagate ``grads`` (one per tensor in ``outputs``) into the leaves' ``.grad``;
    or, given ``capture`` (tensors), return their gradients, touching no ``.grad`` and
    running only the nodes that lead to them (that is :func:`grad`)."""
    order = walk(outputs)
    node_grads, leaf_grads = {}, {}
    for out, g in zip(outputs, grads):
        _accumulate(node_grads, leaf_grads, out.grad_fn or out, g)
    targets = {}
    if capture is not None:
        for i, t in enumerate(capture):
            targets.setdefault(t.grad_fn or t, []).append(i)
        captured = [None] * len(capture)
        to_run = _nodes_to_run(order, targets)
    anomaly, steps = tracing.state.anomaly, tracing.state.steps is not None
    with tracing.suspend_anomaly(), _GradModeContext(create_graph):
        for node in reversed(order):
            g = node_grads.pop(node, None)
            if g is None:   # nothing flowed into this node
                continue
            if node.hooks:
                g = tracing.run_hooks(node.hooks, g)
            if capture is not None:
                for i in targets.get(node, ()):
                    captured[i] = g
                if node not in to_run:
                    continue
            input_grads = node.backward(g)
            if type(input_grads) is Tensor:   # a one-input op's gradient, returned bare
                input_grads = (input_grads,)
            if type(input_grads) is not tuple or len(input_grads) != len(node.parents):
                input_grads = tracing.checked_backward_result(node, input_grads)
            for p, ig, shape in zip(node.parents, input_grads, node.input_shapes):
                if ig is None:
                    continue
                if type(ig) is not Tensor or ig.array.shape != shape:
                    tracing.checked_backward_result(node, input_grads)   # raises, naming the op
                if p is not None:
                    _accumulate(node_grads, leaf_grads, p, ig)
            if anomaly or steps:
                tracing.on_backward(node, g, input_grads, anomaly)
            if not retain_graph and node._saved:
                node._saved = None
        # Arrays (and the memory behind views) already given to a leaf, or the caller's.
        handed_out = {id(g.array if g.array.base is None else g.array.base) for g in grads}
        for leaf, g in leaf_grads.items():   # hooks see a leaf's total gradient
            if capture is not None and leaf not in targets:
                continue
            if leaf._hooks:
                g = tracing.run_hooks(leaf._hooks, g)
            if capture is None:
                tracing.accumulate_leaf(leaf, g, create_graph, handed_out)
            else:
                for i in targets[leaf]:
                    captured[i] = g
    return captured if capture is not None else None


def _accumulate(node_grads, leaf_grads, to, g):
    """Add ``g`` to what node or leaf ``to`` has received so far."""
    store = node_grads if isinstance(to, Function) else leaf_grads
    before = store.get(to)
    store[to] = g if before is None else before + g


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


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple (one
    per input) rather than accumulated into ``.grad``, as ``torch.autograd.grad``."""
    outputs, inputs, gs = tracing.grad_arguments(outputs, inputs, grad_outputs)
    result = run_backward(outputs, gs, create_graph if retain_graph is None else retain_graph,
                          create_graph, capture=inputs)
    unused = [t for t, g in zip(inputs, result) if g is None]
    if unused and not allow_unused:
        raise RuntimeError(f"grad: an input of shape {unused[0].shape} was not used to compute "
                           "the outputs; pass allow_unused=True to get None for it")
    return tuple(result)
