"""``Tensor``: a numpy array that remembers the op that made it.

A tensor is a thin wrapper: ``.array`` is the ndarray (minigrad's own name;
PyTorch's ``.data`` is a Tensor here too, see below), ``.grad_fn`` the graph node
(see :mod:`minigrad.autograd`) that produced it, ``.grad`` where backward leaves
its gradient. The class lists its whole API below; every method that computes
something is one line that calls an op from :mod:`minigrad.ops`, so the tensor
itself holds no math. (The module is ``_tensor``, as in PyTorch, because
``minigrad.tensor`` is the function that makes one.)

Conversions from Python data (``to_array``, ``as_operand``) are in
:mod:`minigrad.conversion`, devices in :mod:`minigrad.devices`, the memory checks of
in-place writes in :mod:`minigrad.inplace`.
"""
from __future__ import annotations

import weakref

import numpy as np

from . import devices
from .devices import CPU, device

__all__ = ["Tensor", "tensor", "from_numpy", "device", "make_tensor", "as_operand",
           "check_grad_output", "index_as_numpy"]

DEFAULT_DTYPE = np.float32
_new = object.__new__
#: A fresh version cell: ``cell[0]`` counts in-place writes. A numpy array rather
#: than a list because the garbage collector does not track numpy arrays: a graph
#: keeps one cell per saved tensor, and every collection would rescan them.
new_version_cell = np.zeros(1, dtype=np.int64).copy


def make_tensor(data, requires_grad=False, grad_fn=None, version=None):
    """Wrap an ndarray without copying or checking (the ops' fast path).
    ``version``: the version cell to share (a view shares its base's)."""
    t = _new(Tensor)
    t.array = data
    t.grad = None
    t.requires_grad = requires_grad
    t.grad_fn = grad_fn
    t._version = version   # None until needed: see Tensor.version_cell
    t._hooks = None
    t.retains_grad = False
    return t


class Tensor:
    """An n-dimensional array with reverse-mode automatic differentiation."""

    __slots__ = ("array", "grad", "requires_grad", "grad_fn", "retains_grad", "_version",
                 "_hooks", "__weakref__")
    __array_ufunc__ = None   # ``ndarray * tensor`` defers to Tensor.__rmul__
    __hash__ = object.__hash__

    def __init__(self, data, requires_grad=False, dtype=None):
        self.array = to_array(data, dtype)
        self.grad = None
        self.grad_fn = None
        self.retains_grad = False
        self._version = None   # see version_cell
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

    # -- reductions: dim/keepdim (PyTorch) or axis/keepdims (numpy), not both ----------
    def sum(self, dim=None, keepdim=False, **numpy_names):
        return rd.sum(self, dim, keepdim, **numpy_names)

    def mean(self, dim=None, keepdim=False, **numpy_names):
        return rd.mean(self, dim, keepdim, **numpy_names)

    def max(self, dim=None, keepdim=False, **numpy_names):
        """No dim: the largest value. With dim: a ``(values, indices)`` pair. With a
        tensor in dim's place: the elementwise ``maximum``, as PyTorch's ``max(a, b)``."""
        return tm.tensor_max(self, dim, keepdim, **numpy_names)

    def min(self, dim=None, keepdim=False, **numpy_names):
        return tm.tensor_min(self, dim, keepdim, **numpy_names)

    def amax(self, dim=None, keepdim=False, **numpy_names):
        return rd.amax(self, dim, keepdim, **numpy_names)

    def amin(self, dim=None, keepdim=False, **numpy_names):
        return rd.amin(self, dim, keepdim, **numpy_names)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None, **numpy_names):
        """Unbiased by default (``correction=1``), as PyTorch."""
        return rd.var(self, dim, unbiased, keepdim, correction=correction, **numpy_names)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None, **numpy_names):
        return rd.std(self, dim, unbiased, keepdim, correction=correction, **numpy_names)

    def prod(self, dim=None, keepdim=False, **numpy_names):
        """Zeros in the input are fine: the gradient is the product of the others."""
        return rd.prod(self, dim, keepdim, **numpy_names)

    def logsumexp(self, dim, keepdim=False, **numpy_names):
        return rd.logsumexp(self, dim, keepdim, **numpy_names)

    def cumsum(self, dim=None, **numpy_names): return rd.cumsum(self, dim, **numpy_names)

    def norm(self, p=2, dim=None, keepdim=False, **numpy_names):
        """The p-norm over ``dim`` (all elements by default); p = 'fro', inf, -inf, 0 too."""
        return rd.norm(self, p, dim, keepdim, **numpy_names)

    def argmax(self, dim=None, keepdim=False, **numpy_names):
        return rd.argmax(self, dim, keepdim, **numpy_names)

    def argmin(self, dim=None, keepdim=False, **numpy_names):
        return rd.argmin(self, dim, keepdim, **numpy_names)

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
    def pad(self, pad_width, value=0.0): return sh.pad(self, pad_width, value)
    def __getitem__(self, index): return sh.getitem(self, index)
    def flip(self, *dims, **dims_keyword):
        """``flip(0, 1)``, ``flip((0, 1))`` or ``flip(dims=(0, 1))``."""
        return tm.tensor_flip(self, *dims, **dims_keyword)
    def repeat(self, *sizes): return sh.repeat(self, *sizes)
    def split(self, split_size, dim=0): return jn.split(self, split_size, dim)
    def chunk(self, chunks, dim=0): return jn.chunk(self, chunks, dim)

    # -- indexing along a dim: gather, sort, topk ------------------------------------------
    def gather(self, dim, index): return ix.gather(self, dim, index)
    def sort(self, dim=-1, descending=False, stable=False):
        return ix.sort(self, dim, descending, stable)
    def argsort(self, dim=-1, descending=False, stable=False):
        return ix.argsort(self, dim, descending, stable)
    def topk(self, k, dim=-1, largest=True, sorted=True): return ix.topk(self, k, dim, largest, sorted)

    # -- PyTorch's other methods (each also ``minigrad.X(t, ...)``: minigrad/namespace.py) --
    def add(self, other, *, alpha=1): return self + (other if alpha == 1 else other * alpha)
    def sub(self, other, *, alpha=1): return self - (other if alpha == 1 else other * alpha)
    subtract = sub
    def mul(self, other): return self * other
    multiply = mul
    def div(self, other, *, rounding_mode=None):
        """``/``, or with ``rounding_mode='floor'|'trunc'`` the quotient rounded (no gradient
        through the rounding, as PyTorch)."""
        return tm.tensor_div(self, other, rounding_mode=rounding_mode)
    divide = true_divide = div
    def neg(self): return -self
    negative = neg
    def square(self): return self * self
    def reciprocal(self): return 1.0 / self if self.array.dtype.kind in "fc" else 1.0 / self.float()
    def rsqrt(self): return self.sqrt().reciprocal()
    def sign(self): return pw.step(self, "sign")
    def round(self, decimals=0): return pw.step(self, "round", decimals)
    def floor(self): return pw.step(self, "floor")
    def ceil(self): return pw.step(self, "ceil")
    def trunc(self): return pw.step(self, "trunc")
    fix = trunc
    def maximum(self, other): return pw.maximum(self, other)
    def minimum(self, other): return pw.minimum(self, other)
    def lerp(self, end, weight): return pw.lerp(self, end, weight)
    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return pw.nan_to_num(self, nan, posinf, neginf)
    def where(self, condition, other): return ew.where(condition, self, other)
    def fmod(self, other):
        """The remainder with the dividend's sign (C's fmod): a - trunc(a / b) * b."""
        return tm.tensor_fmod(self, other)
    def isnan(self): return make_tensor(np.isnan(self.array))
    def isinf(self): return make_tensor(np.isinf(self.array))
    def isfinite(self): return make_tensor(np.isfinite(self.array))
    def logical_not(self): return make_tensor(np.logical_not(self.array))
    def logical_and(self, other): return make_tensor(np.logical_and(self.array, np.asarray(other)))
    def logical_or(self, other): return make_tensor(np.logical_or(self.array, np.asarray(other)))
    def logical_xor(self, other): return make_tensor(np.logical_xor(self.array, np.asarray(other)))
    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return bool(np.allclose(self.array, np.asarray(other), rtol, atol, equal_nan))
    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return make_tensor(np.isclose(self.array, np.asarray(other), rtol, atol, equal_nan))
    def equal(self, other):
        return self.shape == np.shape(other) and bool(np.array_equal(self.array, np.asarray(other)))
    def mm(self, other): return la.mm(self, other)
    def bmm(self, other): return la.bmm(self, other)
    def outer(self, other): return la.outer(self, other)
    ger = outer
    def diag(self, diagonal=0): return la.diag(self, diagonal)
    def trace(self): return la.trace(self)
    def tril(self, diagonal=0): return la.tril(self, diagonal)
    def triu(self, diagonal=0): return la.triu(self, diagonal)
    def kron(self, other): return la.kron(self, other)
    def index_select(self, dim, index): return ix.index_select(self, dim, index)
    def scatter(self, dim, index, src=None, *, value=None, reduce=None):
        return ix.scatter(self, dim, index, src, value, reduce)
    def scatter_add(self, dim, index, src): return ix.scatter_add(self, dim, index, src)
    def narrow(self, dim, start, length): return ix.narrow(self, dim, start, length)
    def unbind(self, dim=0): return ix.unbind(self, dim)
    def repeat_interleave(self, repeats, dim=None): return ix.repeat_interleave(self, repeats, dim)
    def median(self, dim=None, keepdim=False): return ix.median(self, dim, keepdim)
    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
        return ix.unique(self, sorted, return_inverse, return_counts, dim)
    def tile(self, *dims): return sh.repeat(self, *tile_sizes(self.ndim, dims))
    def ravel(self): return self.reshape(-1)
    def contiguous(self, memory_format=None): return self
    def is_contiguous(self, memory_format=None): return bool(self.array.flags.c_contiguous)
    def data_ptr(self): return int(self.array.__array_interface__["data"][0])
    def element_size(self): return self.array.itemsize
    def half(self): return self.astype(np.float16)
    def type(self, dtype=None):
        """No argument: PyTorch's type name (``'torch.FloatTensor'``); with one, ``to(dtype)``."""
        return tm.tensor_type(self, dtype)
    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        return Tensor(data, requires_grad, self.array.dtype if dtype is None else dtype)
    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return self.new_full(checks.shape_args(size, "new_zeros"), 0, dtype=dtype,
                             requires_grad=requires_grad)
    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return self.new_full(checks.shape_args(size, "new_ones"), 1, dtype=dtype,
                             requires_grad=requires_grad)
    new_empty = new_zeros
    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        return tm.tensor_new_full(self, size, fill_value, dtype, device, requires_grad)
    is_cuda = property(lambda self: False)
    def cuda(self, *args, **kwargs):
        raise RuntimeError("cuda: minigrad runs on the CPU only; leave the tensor where it is "
                           "(or use .to('cpu'))")

    # in-place forms: the tensor's own memory changes (recorded as PyTorch when in the graph)
    def clamp_(self, min=None, max=None, **numpy_names):  # noqa: A002
        return self.apply_in_place(lambda t: t.clamp(min, max, **numpy_names), "clamp_")
    clip_ = clamp_
    def masked_fill_(self, mask, value):
        return self.apply_in_place(lambda t: t.masked_fill(mask, value), "masked_fill_")

    # random fills, from minigrad's seeded generator (``generator=`` for one's own)
    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        return self.fill_random(lambda rng: rng.normal(mean, std, self.shape), generator, "normal_")
    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        return self.fill_random(lambda rng: rng.uniform(a, b, self.shape), generator, "uniform_")
    def exponential_(self, lambd=1.0, *, generator=None):
        return self.fill_random(lambda rng: rng.exponential(1.0 / lambd, self.shape), generator,
                                "exponential_")
    def bernoulli_(self, p=0.5, *, generator=None):
        p = p.array if isinstance(p, Tensor) else p
        return self.fill_random(lambda rng: rng.random(self.shape) < p, generator, "bernoulli_")

    def fill_random(self, draw, generator, name):
        self._prepare_inplace(name)
        self.array[...] = draw(random.numpy_generator(generator, name))
        self.bump_version()
        return self

    def apply_in_place(self, fn, name):
        """Write ``fn(self)`` (a one-input computation) into this tensor's memory, as
        ``update_in_place`` does for the binary ops."""
        if autograd.is_grad_enabled() and self.requires_grad:
            return self.record_in_place(fn, name)
        with autograd.no_grad():
            result = fn(self)
        self.write_result(result.array, name)
        return self

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

    # -- in-place changes (no graph; the version bump catches stale saved values) ---------
    def version_cell(self):
        """The counter of in-place writes (``cell[0]``), shared with views. Made when
        first asked for (by a save, a view or a write): most tensors never need one."""
        if self._version is None:
            self._version = new_version_cell()
        return self._version

    def bump_version(self):
        """Note an in-place change of ``.array`` (a graph that saved the old value
        refuses to use it)."""
        self.version_cell()[0] += 1

    def ensure_writeable(self, op="in-place write", overlap_ok=False):
        """Make ``.array`` writeable before writing into it, keeping its memory: a view
        of an ``expand()``ed tensor (numpy's are read-only) writes into the tensor it
        views, as in PyTorch. Refused, as PyTorch: a write where several elements
        share one memory location (an expanded dim), unless ``overlap_ok`` (fill_
        with a number writes the same value to each). A read-only numpy array that no
        writeable array owns (``from_numpy``) is copied first: numpy cannot write it."""
        array = self.array
        if not overlap_ok:
            check_no_overlap(array, op)
        if not array.flags.writeable:
            alias = writeable_alias(array)
            self.array = np.array(array) if alias is None else alias
        return self.array

    def _prepare_inplace(self, op, overlap_ok=False):
        if self.requires_grad and autograd.is_grad_enabled():
            raise RuntimeError(
                f"{op}: in-place change of a tensor that requires grad (shape {self.shape}) "
                "while grad mode is on; do it under minigrad.no_grad(), or build a new "
                "tensor (e.g. with minigrad.where)")
        self.ensure_writeable(op, overlap_ok)

    def __setitem__(self, index, value):
        """``t[index] = value``. Recorded (grad mode on, a float tensor, and it or the
        value requires grad), as PyTorch: the tensor's memory changes and the tensor
        becomes the output of the write (``IndexPut``) in the graph."""
        index = index_as_numpy(index)
        if autograd.is_grad_enabled() and self.array.dtype.kind == "f" and (
                self.requires_grad or (isinstance(value, Tensor) and value.requires_grad)):
            # the write's forward copies the value before, and its backward reads nothing
            self.record_in_place(lambda before: sh.index_put(before, index, value),
                                 "__setitem__", copy_before=False)
            return
        # as PyTorch: refused only if the elements written share memory (basic indexing
        # of an expanded dim); integer or mask indexing writes element by element
        basic = not any(isinstance(i, (np.ndarray, list))
                        for i in (index if isinstance(index, tuple) else (index,)))
        self._prepare_inplace("__setitem__", overlap_ok=True)
        if basic:
            check_no_overlap(self.array[index], "__setitem__")
        self.array[index] = value.array if isinstance(value, Tensor) else value
        self.bump_version()

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        self._prepare_inplace("fill_", overlap_ok=not isinstance(value, Tensor))
        self.array[...] = value.array if isinstance(value, Tensor) else value
        self.bump_version()
        return self

    def copy_(self, src):
        self._prepare_inplace("copy_")
        src = src.array if isinstance(src, Tensor) else np.asarray(src)
        try:
            self.array[...] = src
        except ValueError:
            raise ValueError(f"copy_: cannot copy a source of shape {np.shape(src)} into a "
                             f"tensor of shape {self.shape}") from None
        self.bump_version()
        return self

    # ``t += x`` is ``t.add_(x)``: the tensor's own memory changes, so every name and
    # module holding it sees the new values (``p -= lr * p.grad`` updates the model).
    def add_(self, other, alpha=1):
        return self.update_in_place(ew.Add, other if alpha == 1 else other * alpha, "add_")

    def sub_(self, other, alpha=1):
        return self.update_in_place(ew.Sub, other if alpha == 1 else other * alpha, "sub_")

    def mul_(self, other): return self.update_in_place(ew.Mul, other, "mul_")
    def div_(self, other): return self.update_in_place(ew.Div, other, "div_")
    def pow_(self, other): return self.update_in_place(ew.Pow, other, "pow_")
    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_
    __ipow__ = pow_

    def remainder_(self, other): return self.update_in_place(ew.Remainder, other, "remainder_")
    __imod__ = remainder_

    # ``//=`` and the bitwise forms have no gradient: written in place with no graph
    def __ifloordiv__(self, other):
        return self.write_constant(ng.floor_divide(self, other), "floor_divide_")

    def __iand__(self, other):
        return self.write_constant(self & other, "bitwise_and_")

    def __ior__(self, other):
        return self.write_constant(self | other, "bitwise_or_")

    def __ixor__(self, other):
        return self.write_constant(self ^ other, "bitwise_xor_")

    def write_constant(self, result, name):
        """Write the result of an op without a gradient into this tensor's memory."""
        self._prepare_inplace(name)
        self.write_result(result.array, name)
        return self

    def update_in_place(self, op, other, name):
        """Write ``op(self, other)`` into this tensor's memory, as PyTorch's in-place ops.
        Recorded (grad mode on and an operand requires grad), the tensor becomes the
        op's output in the graph; a leaf that requires grad refuses, as in PyTorch."""
        check_no_overlap(self.array, name)
        recording = autograd.is_grad_enabled() and (
            self.requires_grad or (isinstance(other, Tensor) and other.requires_grad))
        if recording:   # add and sub read neither operand in backward: no copy needed
            return self.record_in_place(lambda before: ew.binary(op, before, other), name,
                                        copy_before=op not in (ew.Add, ew.Sub))
        with autograd.no_grad():
            result = ew.binary(op, self, other)
        self.write_result(result.array, name)
        return self

    def record_in_place(self, compute, name, copy_before=True):
        """An in-place op in the graph (the one code path of ``+=``, ``clamp_``,
        ``t[i] = v``...): write ``compute(before)`` into this tensor's memory, where
        ``before`` is this tensor's value before the change as a graph input (a copy
        when ``copy_before``: the op's backward may read it, and the memory is
        overwritten), and make this tensor the output of that computation."""
        self.check_recordable_in_place(name)
        before = self.array.copy() if copy_before else self.array
        result = compute(make_tensor(before, self.requires_grad, self.grad_fn))
        self.write_result(result.array, name)
        if self.retains_grad:
            self.grad_fn.hooks.pop(RetainGrad.KEY).attach(result.grad_fn)
        if self.grad_fn is not None:   # views taken before now have a stale graph,
            self.grad_fn.rewritten_in_place_by = name   # except those the write itself read
            self.grad_fn.views_read_by_rewrite = views_read_by(result.grad_fn, self.grad_fn)
        self.grad_fn, self.requires_grad = result.grad_fn, True
        return self

    def check_recordable_in_place(self, name):
        """An in-place op in the graph: refused on a leaf that requires grad (PyTorch's
        error) and on a view (minigrad does not rewrite the graph of the viewed tensor)."""
        if self.requires_grad and self.grad_fn is None:
            raise RuntimeError(
                f"{name}: a leaf tensor that requires grad (shape {self.shape}) is being "
                "used in an in-place operation; do it under minigrad.no_grad() (as an "
                "optimizer step does), or build a new tensor")
        if self.grad_fn is not None and self.grad_fn.is_view:
            raise RuntimeError(
                f"{name}: in-place change of a view ({self.grad_fn.name}, shape {self.shape}) "
                "while its graph is recorded; minigrad does not rewrite the graph of the "
                "tensor it views: write t = t + x instead")

    def write_result(self, values, name):
        """Store an in-place op's result, which must keep this tensor's shape and a dtype
        its own can hold (PyTorch's rule: a float result into an int tensor is refused)."""
        if values.shape != self.shape:
            raise RuntimeError(f"{name}: the result has shape {values.shape} but the tensor it "
                               f"is written into has shape {self.shape}; an in-place op cannot "
                               "change the shape")
        if not np.can_cast(values.dtype, self.array.dtype, "same_kind"):
            raise RuntimeError(f"{name}: result type {values.dtype} cannot be cast to the "
                               f"tensor's dtype {self.array.dtype} in place")
        self.ensure_writeable(name)
        np.copyto(self.array, values, casting="same_kind")
        self.bump_version()


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
from .conversion import (TYPE_NAMES, TYPE_NAMES_BACK, as_operand, check_grad_output,  # noqa: E402
                         dtype_of_to_args, index_as_numpy, tile_sizes, to_array)
from .inplace import check_no_overlap, views_read_by, writeable_alias  # noqa: E402
from . import tensor_methods as tm  # noqa: E402
from . import autograd, checks, promotion, random  # noqa: E402
from .utils.hooks import RemovableHandle  # noqa: E402
from .ops import activation as act, elementwise as ew, linalg as la  # noqa: E402
from .ops import index as ix, reduce as rd, shape as sh, piecewise as pw  # noqa: E402
from .ops import join as jn, nograd as ng  # noqa: E402
