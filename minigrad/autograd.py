"""The autograd engine: graph nodes, grad mode and reverse-mode backward.

The idea in a screen:

* Every differentiable op is a subclass of :class:`Function` with a ``forward``
  (numpy arrays in, one numpy array out) and a hand-written ``backward``
  (the output gradient in, one gradient per input out) side by side.
* Calling an op instance runs ``forward``. When grad mode is on and some input
  requires grad, the op instance becomes a node of the graph: it remembers its
  parents (the nodes, or leaf tensors, that made its inputs) and whatever it
  saved with :meth:`Function.save_for_backward`. The output tensor points at the
  node through ``grad_fn``; nothing points back, so dropping the output frees the
  graph by reference counting alone.
* ``backward`` is written with minigrad ops. In ordinary use it runs with grad mode
  off (plain numpy speed); with ``create_graph=True`` it is recorded like any
  other computation, which gives second derivatives for free.
* :func:`run_backward` walks the graph once to count how many children each node
  has, then processes nodes in topological order with an explicit stack (no
  recursion, so a chain of 100,000 ops is fine), summing the gradients that
  reach a node before calling its ``backward``.
"""
from __future__ import annotations

import threading
import traceback

import numpy as np

__all__ = [
    "Function", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "detect_anomaly", "is_anomaly_enabled", "run_backward", "grad", "module_scope",
]


class _Mode(threading.local):
    """Per-thread switches: one thread under ``no_grad`` leaves the others alone."""
    enabled = True
    anomaly = False
    scope = None   # the nn.Module calls currently running, outermost first


_mode = _Mode()

# Set by minigrad.tensor once Tensor exists (the two modules need each other).
Tensor = None
_make = None


def is_grad_enabled() -> bool:
    return _mode.enabled


def is_anomaly_enabled() -> bool:
    return _mode.anomaly


class set_grad_enabled:
    """Context manager (and decorator) that turns graph recording on or off."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)

    def __enter__(self):
        self.prev = _mode.enabled
        _mode.enabled = self.mode
        return self

    def __exit__(self, *exc):
        _mode.enabled = self.prev
        return False

    def __call__(self, func):
        import functools

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)(*self._args()):
                return func(*args, **kwargs)
        return wrapper

    def _args(self):
        return (self.mode,)


class no_grad(set_grad_enabled):
    """``with minigrad.no_grad():``, ``@minigrad.no_grad()`` or ``@minigrad.no_grad``:
    record no graph."""
    _mode_value = False

    def __new__(cls, func=None):
        if func is not None:   # used as a bare decorator
            return cls()(func)
        return super().__new__(cls)

    def __init__(self, func=None):
        super().__init__(self._mode_value)

    def _args(self):
        return ()


class enable_grad(no_grad):
    """The opposite of ``no_grad``: record the graph inside, even under no_grad."""
    _mode_value = True


class detect_anomaly:
    """Context manager: remember where every op was created and stop at the first
    op whose forward or backward produces NaN or inf, naming the op, the line
    that created it and its input shapes. Off by default; costs nothing when off."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled

    def __enter__(self):
        self.prev = _mode.anomaly
        _mode.anomaly = self.enabled
        return self

    def __exit__(self, *exc):
        _mode.anomaly = self.prev
        return False


class module_scope:
    """``with module_scope(module):`` tags the nodes recorded inside with the module
    (``nn.Module.__call__`` uses it; ``visualize`` draws one cluster per module)."""

    def __init__(self, module):
        self.module = module

    def __enter__(self):
        self.prev = _mode.scope
        _mode.scope = (self.prev or ()) + (self.module,)
        return self

    def __exit__(self, *exc):
        _mode.scope = self.prev
        return False


class _SavedOutput:
    """An op's own output saved for backward. Holding the output tensor would make
    a cycle (tensor -> node -> tensor); holding its array and version cell does not,
    and backward rebuilds a tensor wired to the node on demand."""
    __slots__ = ("data", "_version")

    def __init__(self, data, version):
        self.data = data
        self._version = version


class Function:
    """Base class of every op: a node of the computation graph.

    Subclasses define ``forward(*arrays) -> array`` and ``backward(grad) -> grads``.
    Hyper-parameters are given to ``__init__`` and kept as attributes (so the graph
    can show them); values needed by backward are saved explicitly with
    ``save_for_backward`` and read back as tensors from ``saved_tensors``.
    Every concrete subclass registers itself in ``Function.registry`` (the tests
    enumerate it to prove every op has a gradient check).
    """

    registry: dict[str, type] = {}
    #: the output is a view of input 0, so in-place writes to one show in the other
    is_view = False

    # Set when the op is recorded as a graph node (class defaults otherwise).
    parents: tuple = ()
    saved = ()
    _versions = ()        # each saved tensor's version when saved (None: a constant)
    _saves_output = False
    out_shape: tuple = ()
    out_dtype = None
    hooks = None          # functions called with the gradient of this node's output
    creation = None       # anomaly mode: where the op was created
    scope = None          # the modules whose forward created this node (outermost first)
    input_shapes = None   # anomaly mode

    def __init_subclass__(cls, register: bool = True, **kwargs):
        super().__init_subclass__(**kwargs)
        if register and not cls.__name__.startswith("_"):
            Function.registry[cls.__name__] = cls

    # -- what subclasses write ---------------------------------------------------
    def forward(self, *arrays):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError

    # -- helpers for subclasses --------------------------------------------------
    def save_for_backward(self, *values):
        """Keep arrays (inputs, the output or intermediates) for backward."""
        self.saved = values

    @property
    def saved_tensors(self):
        """The saved values as tensors: inputs and the output stay wired into the
        graph (so a backward written with minigrad ops is itself differentiable);
        intermediates come back as constants."""
        saved = self.saved
        if saved is None:
            raise RuntimeError(
                f"{self.name}: trying to backward through the graph a second time; "
                "its saved values were freed by the first backward. "
                "Pass retain_graph=True to the first backward() to keep them.")
        for position, version in enumerate(self._versions):
            if version is not None and saved[position]._version[0] != version:
                item = saved[position]
                what = "its output" if type(item) is _SavedOutput else "an input"
                raise RuntimeError(
                    f"{self.name}: {what} saved for backward (saved value {position}, shape "
                    f"{item.data.shape}, {item.data.dtype}) was modified in place after "
                    f"it was saved (version {item._version[0]}, saved at version {version}). "
                    "Backward needs the original values: modify a copy instead, or make "
                    "the in-place change after backward().")
        if self._saves_output:
            return [_make(s.data, True, self, s._version) if type(s) is _SavedOutput else s
                    for s in saved]
        return saved

    @property
    def needs_input_grad(self):
        return tuple(p is not None for p in self.parents)

    @property
    def name(self) -> str:
        return type(self).__name__

    def settings(self) -> dict:
        """The op's hyper-parameters (for printing and graph drawing)."""
        return {k: v for k, v in vars(self).items() if not k.startswith("_")
                and k not in ("parents", "saved", "out_shape",
                              "out_dtype", "hooks", "creation", "input_shapes", "scope")}

    def __repr__(self):
        opts = ", ".join(f"{k}={v!r}" for k, v in self.settings().items())
        return f"<{self.name}({opts})>"

    # -- running the op ----------------------------------------------------------
    def __call__(self, *inputs):
        """Run forward on tensors; record this op as a graph node when needed."""
        if len(inputs) == 1:
            out = raw = self.forward(inputs[0].data)
        else:
            out = raw = self.forward(*[t.data for t in inputs])
        if type(out) is not np.ndarray:   # numpy returns scalars for 0-d results
            out = np.asarray(out)
        mode = _mode
        if mode.anomaly:
            self._anomaly_forward(inputs, out)
        if mode.enabled:
            for t in inputs:
                if t.requires_grad:
                    return self._record(inputs, out, raw)
        return _make(out, False, None, inputs[0]._version if self.is_view else None)

    def _record(self, inputs, out, raw):
        """Become a graph node: remember parents, saved values and output metadata."""
        self.parents = tuple([(t.grad_fn or t) if t.requires_grad else None for t in inputs])
        self.scope = _mode.scope
        self.out_shape = out.shape
        self.out_dtype = out.dtype
        result = _make(out, True, self, inputs[0]._version if self.is_view else None)
        if self.saved:
            saved, versions = [], []
            for item in self.saved:
                # The same array can arrive as two inputs (x * x.data): each save of
                # it is taken as the next such input not yet saved.
                match = None
                for t in inputs:
                    if item is t.data:
                        if match is None:
                            match = t
                        if not any(s is t for s in saved):
                            match = t
                            break
                if match is not None:
                    item = match
                elif item is out or item is raw:
                    item = _SavedOutput(out, result._version)
                    self._saves_output = True
                else:
                    item = _make(item, False, None)
                    versions.append(None)
                    saved.append(item)
                    continue
                versions.append(item._version[0])
                saved.append(item)
            self.saved = tuple(saved)
            self._versions = tuple(versions)
        return result

    # -- anomaly mode ----------------------------------------------------------------
    def _anomaly_forward(self, inputs, out):
        frames = [f for f in traceback.extract_stack()[:-3]
                  if "/minigrad/" not in f.filename.replace("\\", "/")]
        frame = frames[-1] if frames else None
        self.creation = f"{frame.filename}:{frame.lineno}: {frame.line}" if frame else "?"
        if _mode.scope:   # the line is often a model(x) call: say which layer ran the op
            path = " > ".join(type(m).__name__ for m in _mode.scope)
            self.creation += f" (in module {path})"
        self.input_shapes = tuple(t.shape for t in inputs)
        if out.dtype.kind in "fc" and not np.all(np.isfinite(out)):
            raise FloatingPointError(
                f"anomaly: {self.name} forward produced {_bad_values(out)} "
                f"(inputs {self.input_shapes}); created at {self.creation}")

    def _anomaly_backward(self, grads):
        for i, g in enumerate(grads):
            if g is not None and g.data.dtype.kind in "fc" and not np.all(np.isfinite(g.data)):
                raise FloatingPointError(
                    f"anomaly: {self.name} backward produced {_bad_values(g.data)} in "
                    f"the gradient of input {i} (inputs {self.input_shapes}); created at "
                    f"{self.creation}")


def _bad_values(a):
    return f"{int(np.isnan(a).sum())} NaN and {int(np.isinf(a).sum())} inf values"


# -- the backward engine -------------------------------------------------------------

def _run_hooks(hooks, g):
    for hook in hooks:
        new = hook(g)
        if new is not None:
            g = new
    return g


def _accumulate_leaf(leaf, g, create_graph, handed_out):
    """Add a leaf's total gradient from this backward into ``leaf.grad``."""
    if g.data.dtype != leaf.data.dtype:
        g = g.astype(leaf.data.dtype)
    data = g.data
    if leaf.grad is None:
        # The leaf keeps the gradient only if nothing else can see it: Add hands one
        # gradient to both inputs, a broadcast gradient is a read-only view, and the
        # caller's own grad= array stays theirs. Otherwise it gets a copy.
        owner = data if data.base is None else data.base
        shared = id(data) in handed_out or id(owner) in handed_out
        if create_graph:
            if shared:
                g = g.clone()
            leaf.grad = g
        else:
            if shared or not data.flags.writeable:
                data = np.array(data, copy=True)   # order "K": keeps the memory layout
                owner = data
            leaf.grad = Tensor._wrap(data)
        handed_out.update((id(leaf.grad.data), id(owner)))
    elif create_graph:
        leaf.grad = leaf.grad + g
    else:   # asarray: numpy returns a scalar, not an array, for a 0-d sum
        leaf.grad = Tensor._wrap(np.asarray(leaf.grad.data + data))


def _nodes_leading_to(outputs, targets):
    """The nodes from which some target (a node or a leaf in ``targets``) can be
    reached by following parents: the only ones :func:`grad` needs to run."""
    needed, done = set(), set()
    stack = [(out.grad_fn, False) for out in outputs if out.grad_fn is not None]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:   # post-order: every parent is settled by now
            if node in targets or any(p in needed or p in targets
                                      for p in node.parents if p is not None):
                needed.add(node)
            continue
        if node in done:
            continue
        done.add(node)
        stack.append((node, True))
        stack.extend((p, False) for p in node.parents
                     if p is not None and not isinstance(p, Tensor) and p not in done)
    return needed


def run_backward(outputs, grads, retain_graph=False, create_graph=False, capture=None):
    """Backpropagate ``grads`` from ``outputs`` (lists of tensors).

    Without ``capture``, gradients accumulate into ``.grad`` of the leaves. With
    ``capture`` (a list of tensors), their gradients are returned instead, no
    ``.grad`` is touched, and only the nodes between the outputs and the captured
    tensors run (that is :func:`grad`)."""
    # Count, for every node, how many edges lead into it from the part of the
    # graph we start from; a node is ready when all its children have reported.
    pending = {}
    stack = []
    for out in outputs:
        node = out.grad_fn
        if node is not None and node not in pending:
            pending[node] = 0
            stack.append(node)
    while stack:
        node = stack.pop()
        for p in node.parents:
            if p is None or isinstance(p, Tensor):
                continue
            if p in pending:
                pending[p] += 1
            else:
                pending[p] = 1
                stack.append(p)

    captured = needed = None
    capture_slots = {}
    if capture is not None:
        captured = [None] * len(capture)
        for i, t in enumerate(capture):
            capture_slots.setdefault(t.grad_fn if t.grad_fn is not None else t, []).append(i)
        needed = _nodes_leading_to(outputs, capture_slots)

    # Leaf gradients are summed over the whole pass, then hooks see the total.
    leaf_grads = {}
    node_grads = {}
    for out, g in zip(outputs, grads):
        key, store = (out, leaf_grads) if out.grad_fn is None else (out.grad_fn, node_grads)
        store[key] = store[key] + g if key in store else g

    ready = [node for node in pending if pending[node] == 0]
    anomaly = _mode.anomaly
    # In anomaly mode the ops inside a backward formula are not checked one by
    # one: the node's own check below names the op whose backward went wrong.
    _mode.anomaly = False
    try:
        with set_grad_enabled(create_graph):
            while ready:
                node = ready.pop()
                g = node_grads.pop(node, None)
                if g is None:   # nothing flowed into this node: pass "nothing" on
                    input_grads = (None,) * len(node.parents)
                else:
                    input_grads = _node_backward(node, g, retain_graph, anomaly,
                                                 capture_slots, captured, needed)
                for p, ig in zip(node.parents, input_grads):
                    if p is None:
                        continue
                    if isinstance(p, Tensor):
                        if ig is not None:
                            if ig.data.shape != p.data.shape:
                                _bad_grad_shape(node, ig, p.data.shape)
                            leaf_grads[p] = leaf_grads[p] + ig if p in leaf_grads else ig
                        continue
                    if ig is not None:
                        if ig.data.shape != p.out_shape:
                            _bad_grad_shape(node, ig, p.out_shape)
                        node_grads[p] = node_grads[p] + ig if p in node_grads else ig
                    pending[p] -= 1
                    if pending[p] == 0:
                        ready.append(p)
            # Arrays (and the memory behind views) already given to a leaf, or the caller's.
            handed_out = {id(g.data if g.data.base is None else g.data.base) for g in grads}
            for leaf, g in leaf_grads.items():
                if capture is not None and leaf not in capture_slots:
                    continue
                if leaf._hooks:
                    g = _run_hooks(leaf._hooks, g)
                if capture is None:
                    _accumulate_leaf(leaf, g, create_graph, handed_out)
                else:
                    for i in capture_slots[leaf]:
                        captured[i] = g
    finally:
        _mode.anomaly = anomaly
    return captured


def _node_backward(node, g, retain_graph, anomaly, capture_slots, captured, needed):
    """Call one node's backward with its total output gradient ``g`` (after its
    hooks, and after capturing it for :func:`grad`)."""
    if node.hooks:
        g = _run_hooks(node.hooks, g)
    if node in capture_slots:
        for i in capture_slots[node]:
            captured[i] = g
    if needed is not None and not any(p in needed or p in capture_slots
                                      for p in node.parents if p is not None):
        return (None,) * len(node.parents)   # nothing grad() asked for lies upstream
    if node.saved is None:
        raise RuntimeError(
            f"{node.name}: trying to backward through the graph a second time; its "
            "saved values were freed by the first backward. Pass retain_graph=True to "
            "the first backward() to keep them.")
    input_grads = node.backward(g)
    if type(input_grads) is not tuple:
        input_grads = (input_grads,)
    if anomaly:
        node._anomaly_backward(input_grads)
    if not retain_graph:
        node.saved = None
    return input_grads


def _bad_grad_shape(node, g, shape):
    raise RuntimeError(
        f"{node.name}: backward returned a gradient of shape {g.data.shape} for an "
        f"input of shape {shape} (a bug in the op's backward)")


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple (one
    per input, even for a single tensor) rather than accumulated into ``.grad``,
    as ``torch.autograd.grad``. Only the part of the graph between the outputs and
    the inputs is walked."""
    from .tensor import Tensor, _as_grad
    single = isinstance(outputs, Tensor)
    outputs = [outputs] if single else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Tensor) or not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError(f"grad: an input of shape {t.shape} does not require grad")
    outs, gs = [], []
    for o, g in zip(outputs, grad_outputs):
        if not o.requires_grad:
            raise RuntimeError(f"grad: an output of shape {o.shape} does not require grad")
        outs.append(o)
        gs.append(_as_grad(o, g, "grad"))
    if retain_graph is None:
        retain_graph = create_graph
    result = run_backward(outs, gs, retain_graph, create_graph, capture=inputs)
    if not allow_unused:
        for t, g in zip(inputs, result):
            if g is None:
                raise RuntimeError(
                    f"grad: an input of shape {t.shape} was not used to compute the "
                    "outputs; pass allow_unused=True to get None for it")
    return tuple(result)
