"""The autograd engine, top to bottom: :class:`Function`, the op base class, and the
:class:`Saved` record of what forward keeps; :func:`walk`, the one traversal; :func:`run_backward`,
which runs each node once its uses' gradients are summed, sums each to its input's shape (undoing
broadcasting for every op), checks what ops return and fills the leaves' ``.grad``; :func:`grad`.
An output points at its node and nothing points back: dropping it frees the graph."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import engine_errors as errors, tracing
from ._tensor import Tensor, make_tensor
from .capture import Capture, all_used, grad_arguments
from .grad_mode import (GradModeContext, grad_state, no_grad, enable_grad, set_grad_enabled,
                        is_grad_enabled)
from .utils.hooks import run_hooks

__all__ = ["Function", "Input", "OUTPUT", "Saved", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "walk", "run_backward", "grad"]


class Input(int):
    """``save_for_backward(Input(i))``: keep input ``i`` (an int: ops make one per call)."""
    __slots__ = ()


OUTPUT = "output"   # ``save_for_backward(OUTPUT)``: keep the op's own output


class Saved(NamedTuple):
    """One value kept for backward: ``what`` (an input's index, OUTPUT or "array"), its
    ``array``, the input's ``tensor`` if it requires grad, the version ``cell`` (of an
    input or the output) and the ``version`` it must still have; made by ``tuple.__new__``
    (the NamedTuple's own ``__new__`` is slower Python code)."""
    what: object
    array: np.ndarray
    tensor: object = None
    cell: object = None
    version: int = None


class Function:
    """Base class of every op, a graph node: subclasses write ``forward`` and ``backward``;
    settings are attributes, the engine's state slots; ``registry`` lists every concrete op."""
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
        if self._saved is None:
            raise errors.freed_graph(self)
        values = ()   # (a loop: a comprehension costs more on so few items)
        for item in self._saved:
            if item is not None:
                if item.cell is not None and item.cell.item() != item.version:   # cell[0] as an int
                    raise errors.modified_in_place(self, item)
                if item.tensor is not None:
                    item = item.tensor
                else:   # rebuilt when read (holding the output would be a cycle)
                    is_output = item.what is OUTPUT
                    item = make_tensor(item.array, is_output, self if is_output else None,
                                       item.cell)
            values += (item,)
        return values

    @property
    def saved_arrays(self):
        """The same values as numpy arrays, for a backward that computes on arrays. Both
        refuse once backward freed them, or when a saved value was changed in place since."""
        if self._saved is None:
            raise errors.freed_graph(self)
        values = ()
        for item in self._saved:
            if item is not None:
                if item.cell is not None and item.cell.item() != item.version:
                    raise errors.modified_in_place(self, item)
                item = item.array
            values += (item,)
        return values

    def __call__(self, *inputs, **options):
        """Run forward on tensors (``options`` go to forward as they are); with grad mode on
        and an input that requires grad, become a graph node (parents, shapes, records)."""
        self._saved, self.hooks, self.creation = (), None, None
        n = 0 if options else len(inputs)
        if n == 1:   # most ops take one or two inputs: spelled out, as each
            x = inputs[0]   # comprehension below costs more than small arithmetic
            if x.requires_grad and grad_state.enabled:
                self.needs_input_grad, self.parents = (True,), (x.grad_fn or x,)
                self.input_shapes, self.input_dtypes = (x.array.shape,), (x.array.dtype,)
            else:
                self.needs_input_grad = (False,)
            out = self.forward(x.array)
        elif n == 2:
            a, b = inputs
            if (a.requires_grad or b.requires_grad) and grad_state.enabled:
                self.needs_input_grad = (a.requires_grad, b.requires_grad)
                self.parents = ((a.grad_fn or a) if a.requires_grad else None,
                                (b.grad_fn or b) if b.requires_grad else None)
                a, b = a.array, b.array
                self.input_shapes, self.input_dtypes = (a.shape, b.shape), (a.dtype, b.dtype)
            else:
                self.needs_input_grad, a, b = (False, False), a.array, b.array
            out = self.forward(a, b)
        else:   # any number of inputs, or options
            arrays = [t.array for t in inputs]
            self.needs_input_grad = tuple([t.requires_grad and grad_state.enabled for t in inputs])
            if True in self.needs_input_grad:
                self.parents = tuple([(t.grad_fn or t) if t.requires_grad else None
                                      for t in inputs])
                self.input_shapes = tuple([a.shape for a in arrays])
                self.input_dtypes = tuple([a.dtype for a in arrays])
            out = self.forward(*arrays, **options)
        if type(out) is not np.ndarray or out.dtype.kind == "O":
            out = errors.checked_forward_result(self, out)   # e.g. a numpy scalar
        state = tracing.state
        if state.anomaly:
            tracing.on_forward(self, inputs, out)
        view_of = inputs[0].version_cell() if self.is_view else None
        if True not in self.needs_input_grad:   # not recorded: forward's declarations unused
            return make_tensor(out, False, None, view_of)
        self.out_shape, self.out_dtype, self.scope = out.shape, out.dtype, state.scope
        result = make_tensor(out, True, self, view_of)
        if self._saved:   # (no comprehension here: it would make every call build closures)
            self._saved = self.records(self._saved, inputs, result)
        return result

    def records(self, declared, inputs, result):
        """What forward declared as the :class:`Saved` records the node keeps."""
        kept = ()
        for item in declared:
            if item is OUTPUT or (type(item) is str and item == OUTPUT):   # new tensor: version 0
                item = tuple.__new__(Saved, (OUTPUT, result.array, None, result.version_cell(), 0))
            elif type(item) is Input:
                t = errors.checked_saved_input(self, item, inputs)
                cell, keep = t.version_cell(), t if t.requires_grad else None   # (else: rebuilt)
                item = tuple.__new__(Saved, (int(item), t.array, keep, cell, cell.item()))
            elif item is not None:
                errors.check_not_a_bare_input(self, item, inputs)
                item = tuple.__new__(Saved, ("array", np.asarray(item), None, None, None))
            kept += (item,)
        return kept

    @classmethod
    def apply(cls, *inputs, **kwargs):   # ``Op.apply(*inputs)`` as PyTorch (ctx-style: one node)
        from .custom_function import apply_with_ctx   # (here: custom_function imports this module)
        return apply_with_ctx(cls, inputs) if cls.uses_ctx else cls(**kwargs)(*inputs)

    name = property(tracing.node_name)                 # "Mul"; name() works too, as PyTorch's
    next_functions = property(tracing.next_functions)  # PyTorch's (node, 0) per input
    saved = property(lambda self: None if self._saved is None else tuple(   # "input i" records
        None if s is None else s._replace(what=tracing.saved_label(s.what)) for s in self._saved))
    formula = classmethod(tracing.formula)             # (forward, [gradient rules]) of the doc
    settings = tracing.settings                        # the op's public attributes
    __repr__ = tracing.node_repr
    check_viewed_graph = errors.check_viewed_graph     # what a view op's backward calls first


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
    """Backpropagate ``grads`` (one per tensor in ``outputs``) into the leaves' ``.grad``; or
    return the gradients of ``capture`` (tensors), running only the nodes leading to them."""
    order = walk(outputs)
    node_grads, leaf_grads = {}, {}
    for out, g in zip(outputs, grads):
        add_gradient(node_grads, leaf_grads, out.grad_fn or out, g)
    captured = None if capture is None else Capture(capture, order)
    anomaly, steps = tracing.state.anomaly, tracing.state.steps is not None
    with tracing.suspend_anomaly(), GradModeContext(create_graph):
        for node in reversed(order):
            g = node_grads.pop(node, None)
            if g is None:   # nothing flowed into this node
                continue
            if node.hooks:
                g = run_hooks(node.hooks, g)
            if captured is not None and not captured.reached(node, g):
                continue   # nothing requested lies behind this node
            input_grads = node.backward(g)
            if type(input_grads) is Tensor:   # a one-input op's gradient, returned bare
                input_grads = (input_grads,)
            if type(input_grads) is not tuple or len(input_grads) != len(node.parents):
                input_grads = errors.checked_gradients(node, input_grads)   # (raises if wrong)
            for p, ig, shape in zip(node.parents, input_grads, node.input_shapes):
                if ig is not None:
                    if type(ig) is not Tensor or ig.array.shape != shape:   # e.g. broadcast
                        input_grads = send_rest_summed(node, input_grads, node_grads, leaf_grads)
                        break
                    if p is not None:
                        add_gradient(node_grads, leaf_grads, p, ig)
            if anomaly or steps:
                tracing.on_backward(node, g, input_grads, anomaly)
            if not retain_graph and node._saved:
                node._saved = None
        handed_out = {id(g.array if g.array.base is None else g.array.base) for g in grads}
        for leaf, g in leaf_grads.items():   # hooks see a leaf's total gradient
            if captured is None or leaf in captured.targets:
                g = run_hooks(leaf._hooks, g) if leaf._hooks else g
                if captured is None:
                    accumulate_leaf(leaf, g, create_graph, handed_out)
                else:
                    captured.reached(leaf, g)
    return None if captured is None else captured.grads


def add_gradient(node_grads, leaf_grads, to, g):
    """Add ``g`` to what node or leaf ``to`` has received so far."""
    store = node_grads if isinstance(to, Function) else leaf_grads
    before = store.get(to)
    store[to] = g if before is None else before + g


def send_rest_summed(node, input_grads, node_grads, leaf_grads):
    """From the first gradient whose type or shape is off: check all (errors name the op), sum
    each to its input's shape (as PyTorch's engine does), send those not sent yet; return all."""
    summed, sent = (), True
    for p, ig, shape in zip(node.parents, errors.checked_gradients(node, input_grads),
                            node.input_shapes):
        sent = sent and (ig is None or ig.array.shape == shape)
        g = ig if ig is None or ig.array.shape == shape else ig.sum_to(shape)
        if not sent and g is not None and p is not None:
            add_gradient(node_grads, leaf_grads, p, g)
        summed += (g,)
    return summed


def accumulate_leaf(leaf, g, create_graph, handed_out):
    """Add a leaf's total gradient into ``leaf.grad``, keeping the array only if nothing else
    sees it (``handed_out``: ids of arrays already a leaf's, or the caller's). As PyTorch, a
    later backward adds into ``.grad`` in place (with create_graph: a new, recorded grad + g)."""
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
    if not create_graph and (shared or not data.flags.writeable):
        data = owner = np.array(data, copy=True)   # order "K": keeps the layout
    leaf.grad = (g.clone() if shared else g) if create_graph else make_tensor(data, False, None)
    handed_out.update((id(leaf.grad.array), id(owner)))


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple (one per
    input) rather than accumulated into ``.grad``, as ``torch.autograd.grad``."""
    outputs, inputs, grads = grad_arguments(outputs, inputs, grad_outputs)
    result = run_backward(outputs, grads, create_graph if retain_graph is None else retain_graph,
                          create_graph, capture=inputs)
    return all_used(inputs, result, allow_unused)
