"""The autograd engine, top to bottom: the op base class :class:`Function` and the
:class:`Saved` record of what forward keeps for backward; :func:`walk`, the one graph
traversal; :func:`run_backward`, which runs each node once its uses' gradients are
summed, sums each gradient to its input's recorded shape (undoing forward's
broadcasting for every op), checks what ops return (errors name the op) and
accumulates the leaves' ``.grad``; and :func:`grad`. An output points at its node
(``grad_fn``) and nothing points back, so dropping it frees the graph. Grad mode is
:mod:`minigrad.grad_mode`; scopes, anomaly mode and recorded steps :mod:`minigrad.tracing`."""
from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from . import tracing
from ._tensor import Tensor, make_tensor, check_grad_output
from .grad_mode import (GradModeContext, grad_state, no_grad, enable_grad, set_grad_enabled,
                        is_grad_enabled)

__all__ = ["Function", "Input", "OUTPUT", "Saved", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "walk", "run_backward", "grad"]


class Input(int):
    """``save_for_backward(Input(i))``: keep input ``i`` (an int: ops make one per call)."""
    __slots__ = ()


OUTPUT = "output"   # ``save_for_backward(OUTPUT)``: keep the op's own output


class Saved(NamedTuple):
    """One value kept for backward: ``what`` (an input's index, OUTPUT or "array"), its
    array, the input ``tensor`` if it requires grad (else rebuilt when read), and for an
    input or the output its version ``cell`` and the ``version`` it must still have."""
    what: object
    array: np.ndarray
    tensor: object = None
    cell: object = None
    version: int = None

    def modified_in_place(self, node):   # the error when cell[0] != version
        return RuntimeError(
            f"{node.name}: {saved_label(self.what)} saved for backward (shape {self.array.shape}, "
            f"{self.array.dtype}) was modified in place after it was saved (version {self.cell[0]}, "
            f"saved at version {self.version}). Backward needs the original values: modify a "
            "copy instead, or make the change after backward().")


new_saved = functools.partial(tuple.__new__, Saved)   # Saved((fields)), 0.15 µs faster


def saved_label(what):   # a node stores an input as its index
    return f"input {what}" if type(what) is int else what


# -- the op base class -------------------------------------------------------------------

class Function:
    """Base class of every op, a graph node: subclasses define ``forward`` and ``backward``,
    hyper-parameters are attributes (``settings()``), what the engine keeps is a slot.
    ``registry`` lists every concrete subclass (each has a gradient check)."""
    __slots__ = ("needs_input_grad", "parents", "input_shapes", "input_dtypes", "out_shape",
                 "out_dtype", "_saved", "hooks", "scope", "creation", "__dict__", "__weakref__")
    registry: list = []
    is_view = False    # the output is a view of input 0: in-place writes show in both
    uses_ctx = False   # forward/backward are PyTorch-style static methods taking ctx

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

    def save_for_backward(self, *items):
        """Declare what backward reads: ``Input(i)``, ``OUTPUT``, an array, or None."""
        self._saved = items

    @property
    def saved_tensors(self):
        """The saved values as tensors, in declared order; inputs that require grad and the
        output stay wired into the graph (so a backward made of ops is differentiable)."""
        values = []   # (a loop: a comprehension costs more on so few items)
        for item in self.saved_records():
            if item is None:
                values.append(None)
                continue
            what, array, tensor, cell, version = item
            if cell is not None and cell[0] != version:
                raise item.modified_in_place(self)
            if tensor is None:   # rebuilt on demand (holding the output would be a cycle)
                tensor = make_tensor(array, what is OUTPUT, self if what is OUTPUT else None, cell)
            values.append(tensor)
        return tuple(values)

    @property
    def saved_arrays(self):
        """The same values as numpy arrays, for a backward that computes on arrays."""
        saved = self._saved if self._saved is not None else self.saved_records()   # (raises)
        if len(saved) == 1:   # the usual case (Tanh, Sigmoid: the output), without a list
            item = saved[0]
            if item is None:
                return (None,)
            if item.cell is not None and item.cell[0] != item.version:
                raise item.modified_in_place(self)
            return (item.array,)
        values = []
        for item in saved:
            if item is None:
                values.append(None)
                continue
            what, array, tensor, cell, version = item
            if cell is not None and cell[0] != version:
                raise item.modified_in_place(self)
            values.append(array)
        return tuple(values)

    def saved_records(self):
        """The Saved records, refused once backward freed them."""
        if self._saved is None:
            raise RuntimeError(f"{self.name}: trying to backward through the graph a second time;"
                               " its saved values were freed by the first backward. Pass "
                               "retain_graph=True to the first backward() to keep them.")
        return self._saved

    # -- running the op ------------------------------------------------------------------
    def __call__(self, *inputs, **options):
        """Run forward on tensors (``options`` go to forward as they are); record the op as
        a graph node when grad mode is on and an input requires grad."""
        if grad_state.enabled:
            for t in inputs:
                if t.requires_grad:
                    return self.record(inputs, options)
        self.needs_input_grad, self._saved = (False,) * len(inputs), ()   # forward keeps nothing
        if options or len(inputs) > 2:
            out = self.forward(*[t.array for t in inputs], **options)
        elif len(inputs) == 1:   # spelled out as in record(): backward formulas run this
            out = self.forward(inputs[0].array)
        else:
            out = self.forward(inputs[0].array, inputs[1].array)
        if type(out) is not np.ndarray or out.dtype.kind == "O":
            out = checked_forward_result(self, out)
        if tracing.state.anomaly:
            tracing.on_forward(self, inputs, out)
        return make_tensor(out, False, None, inputs[0].version_cell() if self.is_view else None)

    def record(self, inputs, options):
        """Run forward and become a graph node: parents, input shapes and dtypes, and the
        :class:`Saved` records of what forward declared."""
        self._saved, self.hooks, self.creation = (), None, None
        n = 0 if options else len(inputs)
        if n == 1:   # most ops take one or two inputs: spelled out, as each
            x = inputs[0]   # comprehension below costs 0.3 µs, more than small arithmetic
            self.needs_input_grad, self.parents = (True,), (x.grad_fn or x,)
            out = self.forward(x.array)
            self.input_shapes, self.input_dtypes = (x.array.shape,), (x.array.dtype,)
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
            out = checked_forward_result(self, out)
        self.out_shape, self.out_dtype = out.shape, out.dtype
        state = tracing.state
        self.scope = state.scope
        if state.anomaly:
            tracing.on_forward(self, inputs, out)
        result = make_tensor(out, True, self, inputs[0].version_cell() if self.is_view else None)
        saved = self._saved
        if len(saved) == 1:   # the usual case, without a list
            self._saved = (self.kept(saved[0], inputs, result),)
        elif saved:
            self._saved = tuple([self.kept(item, inputs, result) for item in saved])
        return result

    def kept(self, item, inputs, result):
        """A declared item as the :class:`Saved` record the node keeps."""
        if type(item) is Input:
            if not 0 <= item < len(inputs):
                raise IndexError(f"{self.name}.forward: save_for_backward(Input({item})) but the "
                                 f"op has {len(inputs)} input(s)")
            t = inputs[item]
            cell = t.version_cell()
            return new_saved((int(item), t.array, t if t.requires_grad else None, cell, cell[0]))
        if item is OUTPUT or (type(item) is str and item == OUTPUT):
            return new_saved((OUTPUT, result.array, None, result.version_cell(), 0))   # a new tensor
        if item is None:
            return None
        for i, t in enumerate(inputs):
            if item is t.array:
                raise TypeError(f"{self.name}.forward: saved input {i} as a bare array; save_for_"
                                f"backward(Input({i})) keeps it wired into the graph and checked "
                                "for in-place changes")
        return new_saved(("array", np.asarray(item), None, None, None))

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
        """``Op.apply(*inputs)``, as PyTorch (a PyTorch-style subclass runs with a ctx)."""
        if cls.uses_ctx:
            from .custom_function import apply_with_ctx
            return apply_with_ctx(cls, inputs)
        return cls(**kwargs)(*inputs)

    # -- what people reading the graph see (tracing.py: none of it changes a number) -------
    name = property(tracing.node_name)                 # "Mul"; name() works too, as PyTorch's
    next_functions = property(tracing.next_functions)  # PyTorch's (node, 0) per input
    saved = property(lambda self: None if self._saved is None else tuple(   # "input i" records
        None if s is None else s._replace(what=saved_label(s.what)) for s in self._saved))
    formula = classmethod(tracing.formula)             # (forward, [gradient rules]) of the doc
    settings = tracing.settings                        # the op's public attributes
    __repr__ = tracing.node_repr


def checked_forward_result(node, out):
    """forward's result as an array (numpy returns scalars for 0-d results)."""
    if isinstance(out, np.generic) and out.dtype.kind != "O":
        return np.asarray(out)
    raise TypeError(f"{node.name}.forward must return one numpy array, got {type(out).__name__} "
                    "(forward works on arrays: return tensor.array, not a Tensor)")


def walk(outputs):
    """Every node behind ``outputs`` (tensors), each once, parents before children (a
    node stays on the stack while its parents are listed): backward runs it reversed."""
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


def run_backward(outputs, grads, retain_graph=False, create_graph=False, capture=None):
    """Backpropagate ``grads`` (one per tensor in ``outputs``) into the leaves' ``.grad``;
    or, given ``capture`` (tensors), return their gradients, touching no ``.grad`` and
    running only the nodes that lead to them (that is :func:`grad`)."""
    order = walk(outputs)
    node_grads, leaf_grads, targets = {}, {}, {}
    for out, g in zip(outputs, grads):
        add_gradient(node_grads, leaf_grads, out.grad_fn or out, g)
    if capture is not None:
        for i, t in enumerate(capture):
            targets.setdefault(t.grad_fn or t, []).append(i)
        captured, to_run = [None] * len(capture), nodes_to_run(order, targets)
    anomaly, steps = tracing.state.anomaly, tracing.state.steps is not None
    with tracing.suspend_anomaly(), GradModeContext(create_graph):
        for node in reversed(order):
            g = node_grads.pop(node, None)
            if g is None:   # nothing flowed into this node
                continue
            if node.hooks:
                g = run_hooks(node.hooks, g)
            if capture is not None:
                for i in targets.get(node, ()):
                    captured[i] = g
                if node not in to_run:
                    continue
            input_grads = node.backward(g)
            if type(input_grads) is Tensor:   # a one-input op's gradient, returned bare
                input_grads = (input_grads,)
            if type(input_grads) is not tuple or len(input_grads) != len(node.parents):
                input_grads = checked_backward_result(node, input_grads)
            for p, ig, shape in zip(node.parents, input_grads, node.input_shapes):
                if ig is not None:
                    if type(ig) is not Tensor or ig.array.shape != shape:   # e.g. broadcast
                        input_grads = send_rest_checked(node, input_grads, node_grads, leaf_grads)
                        break
                    if p is not None:
                        add_gradient(node_grads, leaf_grads, p, ig)
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
                g = run_hooks(leaf._hooks, g)
            if capture is None:
                accumulate_leaf(leaf, g, create_graph, handed_out)
            else:
                for i in targets[leaf]:
                    captured[i] = g
    return captured if capture is not None else None


def add_gradient(node_grads, leaf_grads, to, g):
    """Add ``g`` to what node or leaf ``to`` has received so far."""
    store = node_grads if isinstance(to, Function) else leaf_grads
    before = store.get(to)
    store[to] = g if before is None else before + g


def nodes_to_run(order, targets):
    """For grad(): the nodes whose backward leads to a target (node or leaf)."""
    reaches, run = set(), set()   # reaches: a target is this node or lies upstream of it
    for node in order:   # parents first, so a parent's answer is known
        if any(p in reaches or p in targets for p in node.parents if p is not None):
            run.add(node)
            reaches.add(node)
        elif node in targets:
            reaches.add(node)
    return run


def run_hooks(hooks, g):
    """A dict's hooks in order (registration id -> hook); one may return a new gradient."""
    for hook in list(hooks.values()):
        new = hook(g)
        g = g if new is None else new
    return g


def send_rest_checked(node, input_grads, node_grads, leaf_grads):
    """From the first gradient whose type or shape is off: check all (summing each to its
    input's shape) and send those not sent yet. Returns the checked gradients."""
    checked, sent = checked_backward_result(node, input_grads), True
    for p, ig, g, shape in zip(node.parents, input_grads, checked, node.input_shapes):
        sent = sent and (ig is None or (type(ig) is Tensor and ig.array.shape == shape))
        if not sent and g is not None and p is not None:
            add_gradient(node_grads, leaf_grads, p, g)
    return checked


def checked_backward_result(node, grads):
    """backward's result as one Tensor or None per input, each summed to its input's shape
    if it has a shape the input broadcasts to (as PyTorch's engine does); anything else
    raises, naming the op."""
    grads = grads if type(grads) is tuple else tuple(grads) if type(grads) is list else (grads,)
    if len(grads) != len(node.parents):
        raise TypeError(f"{node.name}.backward returned {len(grads)} gradient(s) for "
                        f"{len(node.parents)} input(s); return one Tensor (or None) per input")
    summed = []
    for i, (g, shape) in enumerate(zip(grads, node.input_shapes)):
        if g is not None and not isinstance(g, Tensor):
            raise TypeError(f"{node.name}.backward returned a {type(g).__name__} for input {i}; "
                            "return Tensors built with minigrad ops (or None), not arrays")
        if g is not None and g.array.shape != shape:
            if len(shape) > g.ndim or any(n not in (1, m) for n, m in zip(shape[::-1],
                                                                          g.shape[::-1])):
                raise ValueError(f"{node.name}.backward returned a gradient of shape {g.shape} "
                                 f"for input {i} of shape {shape} (a bug in the op's backward)")
            g = g.sum_to(shape)
        summed.append(g)
    return tuple(summed)


def accumulate_leaf(leaf, g, create_graph, handed_out):
    """Add a leaf's total gradient into ``leaf.grad``, which keeps the array only if
    nothing else can see it (Add hands one gradient to both inputs, a broadcast one is a
    read-only view, the caller's stays theirs). As PyTorch, a later backward adds into the
    same tensor in place, except with ``create_graph``: then ``.grad`` = grad + g, recorded."""
    if g.array.dtype != leaf.array.dtype:
        g = g.astype(leaf.array.dtype)
    data, grad = g.array, leaf.grad
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


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple (one per
    input) rather than accumulated into ``.grad``, as ``torch.autograd.grad``."""
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
    gs = [check_grad_output(o, g, "grad") for o, g in zip(outputs, grad_outputs)]
    result = run_backward(outputs, gs, create_graph if retain_graph is None else retain_graph,
                          create_graph, capture=inputs)
    unused = [t for t, g in zip(inputs, result) if g is None]
    if unused and not allow_unused:
        raise RuntimeError(f"grad: an input of shape {unused[0].shape} was not used to compute "
                           "the outputs; pass allow_unused=True to get None for it")
    return tuple(result)
