"""``Tensor``: a numpy array that remembers the op that made it.

A tensor is a thin wrapper: ``.array`` is the ndarray (minigrad's own name;
PyTorch's ``.data`` is a Tensor here too, see below), ``.grad_fn`` the graph node
(see :mod:`minigrad.autograd`) that produced it, ``.grad`` where backward leaves
its gradient. Every method that computes something is one line that calls an op
from :mod:`minigrad.ops`, so the tensor itself holds no math. (The module is
``_tensor``, as in PyTorch, because ``minigrad.tensor`` is the function that makes
one.) ``Tensor``'s docstring names the module of each family of its methods.

Conversions from Python data (``to_array``, ``as_operand``) are in
:mod:`minigrad.conversion`, devices in :mod:`minigrad.devices`, the longer method
bodies in :mod:`minigrad.tensor_methods`.
"""
from __future__ import annotations

import weakref

import numpy as np

from .devices import CPU, device
from .inplace import InPlaceMethods
from .tensor_pytorch import PyTorchMethods
from .tensor_reductions import ReductionMethods

__all__ = ["Tensor", "tensor", "from_numpy", "device", "make_tensor", "as_operand",
           "check_grad_output", "index_as_numpy"]

DEFAULT_DTYPE = np.float32
_new = object.__new__


def make_tensor(data, requires_grad=False, grad_fn=None, version=None):
    """Wrap an ndarray without copying or checking (the ops' fast path).
    ``version``: the version cell to share (a view shares its base's)."""
    t = _new(Tensor)
    t.array = data
    t.grad = None
    t.requires_grad = requires_grad
    t.grad_fn = grad_fn
    t.version_counter = version   # None until needed: see Tensor.version_cell
    t._hooks = None
    t.retains_grad = False
    return t


class Tensor(ReductionMethods, PyTorchMethods, InPlaceMethods):
    """An n-dimensional array with reverse-mode automatic differentiation.

    Its methods come in families, each a class in a module of its own:

    * here: attributes, Python protocols, converting, arithmetic, elementwise math,
      shape, indexing along a dim, autograd;
    * reductions (``sum``, ``mean``, ``max``...): ``ReductionMethods`` in
      :mod:`minigrad.tensor_reductions`;
    * PyTorch's other methods (``add``, ``mm``, ``index_select``, ``new_zeros``...):
      ``PyTorchMethods`` in :mod:`minigrad.tensor_pytorch`;
    * in-place changes (the version cell, ``t[i] = v``, ``add_``, ``+=``, ``fill_``,
      ``normal_``...): ``InPlaceMethods`` in :mod:`minigrad.inplace`, beside the
      memory checks of in-place writes.
    """

    __slots__ = ("array", "grad", "requires_grad", "grad_fn", "retains_grad", "version_counter",
                 "_hooks", "__weakref__")
    __array_ufunc__ = None   # ``ndarray * tensor`` defers to Tensor.__rmul__
    __hash__ = object.__hash__

    def __init__(self, data, requires_grad=False, dtype=None):
        self.array = to_array(data, dtype)
        self.grad = None
        self.grad_fn = None
        self.retains_grad = False
        self.version_counter = None   # see version_cell
        self._hooks = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # -- attributes ------------------------------------------------------------------
    shape = property(lambda self: self.array.shape)
    ndim = property(lambda self: self.array.ndim)
    dtype = property(lambda self: self.array.dtype)
    is_leaf = property(lambda self: self.grad_fn is None)
    device = property(lambda self: CPU)
    T = property(lambda self: sh.reverse_axes(self))
    mT = property(lambda self: sh.matrix_transpose(self, "mT"))

    @property
    def data(self):
        """PyTorch's ``.data``: the same values (no copy) as a tensor outside the graph
        that requires no grad. A change made through it is not seen by autograd (its
        own version counter), as in PyTorch: ``p.data.add_(u)``, ``w.data.normal_()``."""
        return make_tensor(self.array, False, None)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data: can only assign a Tensor to .data, got {type(value).__name__} "
                            "(wrap an array with minigrad.from_numpy)")
        self.array = value.array

    def __array__(self, dtype=None, copy=None):
        """``np.asarray(t)``: the tensor's array (shared, not copied, unless asked)."""
        return tm.tensor_array(self, dtype, copy)

    def size(self, dim=None):
        """The shape, or the length of one dim (``size()`` is PyTorch's ``shape``)."""
        return tm.tensor_size(self, dim)

    def numel(self):
        return self.array.size

    def dim(self):
        return self.array.ndim

    def requires_grad_(self, requires_grad=True):
        return tm.tensor_requires_grad(self, requires_grad)

    # -- Python protocols --------------------------------------------------------------
    def __len__(self): return tm.tensor_len(self)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __repr__(self): return tm.tensor_repr(self)

    def __bool__(self): return tm.tensor_bool(self)

    def __format__(self, spec):
        """As PyTorch: a 0-d tensor formats as its number (``f"{loss:.3f}"``); any other
        tensor only with an empty spec (its str)."""
        return tm.tensor_format(self, spec)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self): return tm.tensor_index(self)

    # -- leaving the graph, converting ---------------------------------------------------
    def detach(self):
        """The same memory (and version cell) as a new leaf that does not require grad."""
        return make_tensor(self.array.view(), False, None, self.version_cell())

    def numpy(self):
        return self.array

    def item(self): return tm.tensor_item(self)

    def tolist(self):
        return self.array.tolist()

    def astype(self, dtype): return tm.tensor_astype(self, dtype)

    def float(self):
        return self.astype(np.float32)

    def double(self):
        return self.astype(np.float64)

    def long(self):
        return self.astype(np.int64)

    def int(self):
        return self.astype(np.int32)

    def bool(self):
        return self.astype(np.bool_)

    def to(self, *args, **kwargs):
        """``to(dtype)``, ``to("cpu")``/``to(device)`` (nothing to move: minigrad runs
        on the CPU), ``to(device, dtype)`` or ``to(other_tensor)`` (its dtype)."""
        return tm.tensor_to(self, *args, **kwargs)

    def cpu(self):
        return self

    def clone(self):
        return ew.Clone()(self)

    def any(self):
        return bool(np.any(self.array))

    def all(self):
        return bool(np.all(self.array))

    # -- arithmetic (numpy broadcasting; a number, list or array is a constant) ----------
    def __add__(self, other): return ew.binary(ew.Add, self, other)
    def __radd__(self, other): return ew.binary(ew.Add, other, self)
    def __sub__(self, other): return ew.binary(ew.Sub, self, other)
    def __rsub__(self, other): return ew.binary(ew.Sub, other, self)
    def __mul__(self, other): return ew.binary(ew.Mul, self, other)
    def __rmul__(self, other): return ew.binary(ew.Mul, other, self)
    def __truediv__(self, other): return ew.binary(ew.Div, self, other)
    def __rtruediv__(self, other): return ew.binary(ew.Div, other, self)
    def __pow__(self, other): return ew.binary(ew.Pow, self, other)
    def __rpow__(self, other): return ew.binary(ew.Pow, other, self)
    def pow(self, exponent): return ew.binary(ew.Pow, self, exponent)
    def remainder(self, other): return ew.binary(ew.Remainder, self, other)
    def floor_divide(self, other): return ng.floor_divide(self, other)
    def __floordiv__(self, other): return ng.floor_divide(self, other)
    def __rfloordiv__(self, other): return ng.floor_divide(other, self)
    def __mod__(self, other): return ew.binary(ew.Remainder, self, other)
    def __rmod__(self, other): return ew.binary(ew.Remainder, other, self)
    def __matmul__(self, other): return la.matmul(self, other)
    def __rmatmul__(self, other): return la.matmul(other, self)
    def matmul(self, other): return la.matmul(self, other)
    def __pos__(self): return self

    # comparisons: boolean tensors, no gradient
    def __lt__(self, other): return ng.compare(np.less, self, other)
    def __le__(self, other): return ng.compare(np.less_equal, self, other)
    def __gt__(self, other): return ng.compare(np.greater, self, other)
    def __ge__(self, other): return ng.compare(np.greater_equal, self, other)
    def __eq__(self, other): return ng.compare(np.equal, self, other)
    def __ne__(self, other): return ng.compare(np.not_equal, self, other)
    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    # bitwise (logical, for bool tensors): bool and integer tensors only, no gradient
    def __and__(self, other): return ng.bitwise(np.bitwise_and, self, other, "bitwise_and")
    def __rand__(self, other): return ng.bitwise(np.bitwise_and, other, self, "bitwise_and")
    def __or__(self, other): return ng.bitwise(np.bitwise_or, self, other, "bitwise_or")
    def __ror__(self, other): return ng.bitwise(np.bitwise_or, other, self, "bitwise_or")
    def __xor__(self, other): return ng.bitwise(np.bitwise_xor, self, other, "bitwise_xor")
    def __rxor__(self, other): return ng.bitwise(np.bitwise_xor, other, self, "bitwise_xor")
    def __invert__(self): return ng.bitwise_not(self)

    # -- elementwise math and activations ------------------------------------------------
    # exp, log, sqrt, sin, cos, log1p, expm1, erf, abs, -t, abs(t): made from the rows of
    # the table in ops/unary.py (install_methods)
    def masked_fill(self, mask, value): return ew.masked_fill(self, mask, value)
    def clamp(self, min=None, max=None, **numpy_names):  # noqa: A002  (PyTorch's names)
        """``clamp(min, max)``; numpy's ``lo=``/``hi=`` spellings are accepted too."""
        return tm.tensor_clamp(self, min, max, **numpy_names)
    clip = clamp
    def relu(self): return act.ReLU()(self)
    # (a float tensor goes straight to the op: act.sigmoid/tanh first make ints float32)
    def sigmoid(self): return act.Sigmoid()(self) if self.array.dtype.kind == "f" else act.sigmoid(self)
    def tanh(self): return act.Tanh()(self) if self.array.dtype.kind == "f" else act.tanh(self)
    def softmax(self, dim=None, **numpy_names): return act.softmax(self, dim, **numpy_names)
    def log_softmax(self, dim=None, **numpy_names):
        return act.log_softmax(self, dim, **numpy_names)

    # -- shape -----------------------------------------------------------------------------
    def reshape(self, *shape): return sh.reshape(self, *shape)
    def view(self, *shape): return sh.reshape(self, *shape)
    def view_as(self, other): return sh.reshape(self, other.shape)
    def reshape_as(self, other): return sh.reshape(self, other.shape)
    def transpose(self, dim0, dim1): return sh.transpose(self, dim0, dim1)
    def swapaxes(self, axis0, axis1): return sh.transpose(self, axis0, axis1)
    def permute(self, *dims): return sh.permute(self, *dims)
    def t(self): return sh.matrix_transpose(self, "t")
    def expand(self, *shape): return sh.expand(self, *shape)
    def expand_as(self, other): return sh.expand(self, *other.shape)
    def broadcast_to(self, shape): return sh.expand(self, *shape)
    def sum_to(self, shape): return sh.sum_to(self, tuple(shape))
    def squeeze(self, dim=None, **numpy_names): return sh.squeeze(self, dim, **numpy_names)
    def unsqueeze(self, dim=None, **numpy_names): return sh.unsqueeze(self, dim, **numpy_names)
    def flatten(self, start_dim=0, end_dim=-1): return sh.flatten(self, start_dim, end_dim)
    def pad(self, pad_width, value=0.0): return pfr.pad(self, pad_width, value)
    def __getitem__(self, index): return subscript.getitem(self, index)
    def flip(self, *dims, **dims_keyword):
        """``flip(0, 1)``, ``flip((0, 1))`` or ``flip(dims=(0, 1))``."""
        return tm.tensor_flip(self, *dims, **dims_keyword)
    def repeat(self, *sizes): return pfr.repeat(self, *sizes)
    def split(self, split_size, dim=0): return jn.split(self, split_size, dim)
    def chunk(self, chunks, dim=0): return jn.chunk(self, chunks, dim)

    # -- indexing along a dim: gather, sort, topk ------------------------------------------
    def gather(self, dim, index): return ix.gather(self, dim, index)
    def sort(self, dim=-1, descending=False, stable=False):
        return ix.sort(self, dim, descending, stable)
    def argsort(self, dim=-1, descending=False, stable=False):
        return ix.argsort(self, dim, descending, stable)
    def topk(self, k, dim=-1, largest=True, sorted=True): return ix.topk(self, k, dim, largest, sorted)

    # -- autograd --------------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        """Accumulate d(self)/d(leaf) into ``leaf.grad`` for every leaf that requires
        grad. ``gradient``: d(loss)/d(self), needed unless self is a scalar.
        ``retain_graph`` defaults to ``create_graph``, as PyTorch."""
        if not self.requires_grad:
            raise RuntimeError(
                f"backward: this tensor (shape {self.shape}) does not require grad and "
                "has no grad_fn; did you create the inputs with requires_grad=True, and "
                "is the computation outside no_grad()?")
        if retain_graph is None:
            retain_graph = create_graph
        autograd.run_backward([self], [check_grad_output(self, gradient, "backward")],
                              retain_graph, create_graph)

    def zero_grad(self):
        self.grad = None

    def retain_grad(self):
        """Keep ``.grad`` on this non-leaf tensor too after backward (once: calling
        it again changes nothing). As PyTorch, the gradient kept is the one after all
        of the tensor's hooks, a copy of its own, summed over backward calls."""
        if self.grad_fn is None or self.retains_grad:
            return
        self.retains_grad = True
        RetainGrad(self).attach(self.grad_fn)

    def register_hook(self, hook):
        """``hook(grad)`` runs when this tensor's gradient is computed; it may return a
        replacement gradient. Returns a handle with ``.remove()``."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: the tensor does not require grad")
        owner = self.grad_fn
        if owner is None:
            if self._hooks is None:
                self._hooks = {}
            hooks = self._hooks
        else:
            if owner.hooks is None:
                owner.hooks = {}
            hooks = owner.hooks
        handle = RemovableHandle(hooks, hook)
        if RetainGrad.KEY in hooks:   # retain_grad's stays last
            hooks[RetainGrad.KEY] = hooks.pop(RetainGrad.KEY)
        return handle


class RetainGrad:
    """The hook ``retain_grad`` puts last on a non-leaf tensor's node: it stores the
    gradient in the tensor's ``.grad`` (a copy, so no other ``.grad`` shares its
    memory; a later backward adds a new tensor, as PyTorch)."""

    def __init__(self, tensor):
        self.tensor = weakref.ref(tensor)   # the node must not keep its output alive

    def __call__(self, g):
        t = self.tensor()
        if t is not None:
            t.grad = g.clone() if t.grad is None else t.grad + g

    KEY = "retain_grad"   # its key among the node's hooks (the others are handle ids)

    def attach(self, node):
        """Put this hook last on ``node`` (after an in-place op, a tensor's gradient is
        its new node's, as PyTorch)."""
        if node.hooks is None:
            node.hooks = {}
        node.hooks[RetainGrad.KEY] = self


def tensor(data, requires_grad=False, dtype=None):
    """``minigrad.tensor(data)``: copy ``data`` into a new leaf tensor."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def from_numpy(array):
    """A tensor sharing memory with ``array`` (no copy)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected an ndarray, got {type(array).__name__}")
    return make_tensor(array)


# The engine and the ops need Tensor, so they are imported once it exists; the
# methods above look these names up when they run.
from .conversion import as_operand, check_grad_output, index_as_numpy, to_array  # noqa: E402
from . import tensor_methods as tm  # noqa: E402
from . import autograd  # noqa: E402
from .utils.hooks import RemovableHandle  # noqa: E402
from .ops import activation as act, elementwise as ew, linalg as la  # noqa: E402
from .ops import index as ix, shape as sh, subscript, pad_flip_repeat as pfr  # noqa: E402
from .ops import join as jn, nograd as ng  # noqa: E402
