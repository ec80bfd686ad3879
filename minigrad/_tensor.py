"""``Tensor``: a numpy array that remembers the op that made it.

A tensor is a thin wrapper: ``.array`` is the ndarray (minigrad's own name;
PyTorch's ``.data`` is a Tensor here too, see below), ``.grad_fn`` the graph node
(see :mod:`minigrad.autograd`) that produced it, ``.grad`` where backward leaves
its gradient. The class lists its whole API below; every method that computes
something is one line that calls an op from :mod:`minigrad.ops`, so the tensor
itself holds no math. (The module is ``_tensor``, as in PyTorch, because
``minigrad.tensor`` is the function that makes one.)

Over 400 lines on purpose: the whole Tensor API in one class, so a reader sees
every method in one place (each a one-line call into ``minigrad/ops``).
"""
from __future__ import annotations

import functools
import weakref

import numpy as np

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


def to_array(data, dtype=None, copy=True):
    """numpy arrays keep their dtype; as in PyTorch, Python floats (and lists with
    any float) become float32, Python ints int64 and bools bool, unless a dtype is given."""
    if isinstance(data, Tensor):
        data = data.array
    if dtype is not None:
        return np.array(data, dtype=np.dtype(dtype), copy=copy)
    if isinstance(data, (np.ndarray, np.generic)):
        return np.array(data, copy=copy)
    if isinstance(_first_element(data), Tensor):
        return _array_of_tensors(data)
    try:
        arr = np.asarray(data)
    except TypeError:   # numpy reads a 0-d tensor in a list as a bad sequence
        if isinstance(data, (list, tuple)) and _holds_tensor(data):
            return _array_of_tensors(data)
        raise
    except ValueError as exc:   # ragged nesting such as [[1, 2], [3]]
        raise ValueError(f"tensor: cannot make a tensor from this {type(data).__name__}: the "
                         f"nested lists must form a rectangular array ({exc})") from None
    if arr.dtype.kind == "u" or (arr.dtype.kind == "O" or (arr.dtype.kind == "f" and arr.size and
                                 np.abs(arr).max() >= 2**63)) and _holds_big_int(data):
        raise ValueError("tensor: a Python int does not fit in int64 (the range is -2**63 to "
                         "2**63 - 1); PyTorch refuses it too rather than wrapping around")
    if arr.dtype.kind == "f":
        arr = arr.astype(DEFAULT_DTYPE)
    elif arr.dtype.kind in "iu":
        arr = arr.astype(np.int64)
    elif arr.dtype.kind not in "bc":
        raise TypeError(f"tensor: cannot make a tensor from {type(data).__name__} "
                        f"(numpy dtype {arr.dtype}); expected numbers, nested lists or an ndarray")
    return arr


def _numbers_of_tensors(items):
    """Nested lists with each one-element tensor replaced by its number, and the dtype
    ``torch.tensor([t0, t1])`` gives them: every element's (a tensor's own, a number's
    default) promoted together."""
    dtypes = []

    def unwrap(item):
        if isinstance(item, (list, tuple)):
            return [unwrap(i) for i in item]
        if isinstance(item, Tensor):
            if item.array.size != 1:
                raise ValueError(f"tensor: only one-element tensors can be converted to Python "
                                 f"scalars, got a tensor of shape {item.shape} in the list")
            dtypes.append(item.array.dtype)
            return item.array.item()
        dtypes.append(promotion.number_dtype(item))
        return item
    numbers = unwrap(items)
    return numbers, functools.reduce(promotion.promote_types, dtypes)


def _holds_big_int(data):
    """Whether (nested lists of) ``data`` hold a Python int outside int64's range."""
    if isinstance(data, (list, tuple)):
        return any(_holds_big_int(item) for item in data)
    return isinstance(data, int) and not -2**63 <= data < 2**63


def _first_element(data):
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return data


def _array_of_tensors(data):
    numbers, dtype = _numbers_of_tensors(data)
    return to_array(numbers, dtype)


def _holds_tensor(items):
    """Whether nested lists hold a tensor (numpy reads a 0-d one as a bad sequence)."""
    return any(_holds_tensor(i) if isinstance(i, (list, tuple)) else isinstance(i, Tensor)
               for i in items)


def as_operand(value, like):
    """An operand that is not a tensor (a number, list or ndarray) as a constant
    tensor. A Python or numpy number takes the dtype PyTorch's promotion gives it
    with ``like`` (a number only raises the category: ``float32_tensor * 2.0`` and
    ``x / np.sqrt(d)`` stay float32, ``int_tensor + 2.5`` is float32); a list of
    numbers takes a float tensor's dtype; an ndarray keeps its own, as a tensor."""
    kind = type(value)
    if (kind is float or kind is int) and like.array.dtype.kind == "f":   # the common case
        return make_tensor(np.array(value, dtype=like.array.dtype), False, None)
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return make_tensor(value, False, None)
    if promotion.is_number(value):
        return make_tensor(np.array(value, dtype=promotion.result_dtype(like, value)), False, None)
    arr = np.asarray(value)
    if arr.dtype.kind not in "biufc":   # strings, objects, dates: numpy's ufunc error is cryptic
        raise TypeError(f"cannot combine a tensor with {type(value).__name__} (numpy dtype "
                        f"{arr.dtype}); expected a number, an array of numbers or a tensor")
    if arr.dtype.kind in "iuf" and like.array.dtype.kind == "f":
        arr = arr.astype(like.array.dtype)
    return make_tensor(arr, False, None)


def check_grad_output(t, grad, op):
    """Check or create the gradient handed to backward for output ``t``."""
    if grad is None:
        if t.array.size != 1:
            raise RuntimeError(
                f"{op}: grad can be created implicitly only for a scalar output, but the "
                f"output has shape {t.shape}; pass grad= (a tensor of shape {t.shape}) "
                "or reduce the output to a scalar first (e.g. .sum())")
        return make_tensor(np.ones_like(t.array), False, None)
    if not isinstance(grad, Tensor):
        array = np.asarray(grad)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"{op}: grad must be a tensor or an array of numbers, got "
                            f"{type(grad).__name__} (numpy dtype {array.dtype})")
        grad = make_tensor(array.astype(t.array.dtype, copy=False), False, None)
    if grad.shape != t.shape:
        raise ValueError(f"{op}: grad has shape {grad.shape} but the output has shape "
                         f"{t.shape}; they must match")
    return grad


def index_as_numpy(index):
    """An index as numpy reads it: tensors by their arrays, and lists (at the top or
    inside a tuple) as arrays, so repeated entries are seen and their gradients add up."""
    if isinstance(index, tuple):
        return tuple(_index_item(i) for i in index)
    return _index_item(index)


def _index_item(item):
    if isinstance(item, Tensor):
        return item.array
    if isinstance(item, list):
        if not item:   # x[[]] selects nothing (numpy would read [] as a float array)
            return np.zeros(0, dtype=np.int64)
        return np.asarray([i.array if isinstance(i, Tensor) else i for i in item])
    return item


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
        if copy:
            return np.array(self.array, dtype=dtype, copy=True)
        return self.array if dtype is None else self.array.astype(dtype, copy=False)

    def size(self, dim=None):
        """The shape, or the length of one dim (``size()`` is PyTorch's ``shape``)."""
        if dim is None:
            return self.array.shape
        return self.array.shape[checks.one_axis(dim, self.array.ndim, "size")]

    def numel(self):
        return self.array.size

    def dim(self):
        return self.array.ndim

    def requires_grad_(self, requires_grad=True):
        if requires_grad and self.array.dtype.kind not in "fc":
            raise TypeError(f"Tensor: only floating-point tensors can require grad; this "
                            f"one has dtype {self.array.dtype} and shape {self.shape} "
                            "(convert with .astype('float32') first)")
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("requires_grad_: a non-leaf tensor always requires grad; "
                               "use .detach() for a tensor outside the graph")
        self.requires_grad = bool(requires_grad)
        return self

    # -- Python protocols --------------------------------------------------------------
    def __len__(self):
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.array)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __repr__(self):
        body = np.array2string(self.array, separator=", ", prefix="tensor(")
        extra = ""
        if self.array.dtype != DEFAULT_DTYPE:
            extra += f", dtype={self.array.dtype}"
        if self.grad_fn is not None:
            extra += f", grad_fn=<{self.grad_fn.name}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    def __bool__(self):
        if self.array.size != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is "
                             "ambiguous; use .any() or .all()")
        return bool(self.array)

    def __format__(self, spec):
        """As PyTorch: a 0-d tensor formats as its number (``f"{loss:.3f}"``); any other
        tensor only with an empty spec (its str)."""
        if self.array.ndim == 0:
            return format(self.array.item(), spec)
        if spec:
            raise TypeError(f"unsupported format string {spec!r} passed to Tensor.__format__ "
                            f"(only a 0-d tensor formats as a number; this one has shape "
                            f"{self.shape}: use .item())")
        return str(self)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.array.dtype.kind not in "iu" or self.array.size != 1:
            raise TypeError("only a single-element integer tensor can be used as an index")
        return int(self.array)

    # -- leaving the graph, converting ---------------------------------------------------
    def detach(self):
        """The same memory (and version cell) as a new leaf that does not require grad."""
        return make_tensor(self.array.view(), False, None, self.version_cell())

    def numpy(self):
        return self.array

    def item(self):
        if self.array.size != 1:
            raise ValueError(f"item: only a one-element tensor can be converted to a Python "
                             f"number; this one has shape {self.shape}")
        return self.array.item()

    def tolist(self):
        return self.array.tolist()

    def astype(self, dtype):
        try:
            dtype = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"astype: {dtype!r} is not a dtype (expected e.g. minigrad.float32 "
                            "or 'float64')") from None
        if dtype == self.array.dtype:
            return self
        if dtype.kind not in "fc":   # integers and booleans carry no gradient
            return make_tensor(self.array.astype(dtype))
        return ew.Cast(dtype)(self)

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
        dtype = dtype_of_to_args(args, kwargs)
        result = self if dtype is None else self.astype(dtype)
        return result.clone() if kwargs.get("copy") and result is self else result

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
    def floor_divide(self, other): return ew.floor_divide(self, other)
    def __floordiv__(self, other): return ew.floor_divide(self, other)
    def __rfloordiv__(self, other): return ew.floor_divide(other, self)
    def __mod__(self, other): return ew.binary(ew.Remainder, self, other)
    def __rmod__(self, other): return ew.binary(ew.Remainder, other, self)
    def __matmul__(self, other): return la.matmul(self, other)
    def __rmatmul__(self, other): return la.matmul(other, self)
    def matmul(self, other): return la.matmul(self, other)
    def __pos__(self): return self

    # comparisons: boolean tensors, no gradient
    def __lt__(self, other): return ew.compare(np.less, self, other)
    def __le__(self, other): return ew.compare(np.less_equal, self, other)
    def __gt__(self, other): return ew.compare(np.greater, self, other)
    def __ge__(self, other): return ew.compare(np.greater_equal, self, other)
    def __eq__(self, other): return ew.compare(np.equal, self, other)
    def __ne__(self, other): return ew.compare(np.not_equal, self, other)
    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    # bitwise (logical, for bool tensors): bool and integer tensors only, no gradient
    def __and__(self, other): return ew.bitwise(np.bitwise_and, self, other, "bitwise_and")
    def __rand__(self, other): return ew.bitwise(np.bitwise_and, other, self, "bitwise_and")
    def __or__(self, other): return ew.bitwise(np.bitwise_or, self, other, "bitwise_or")
    def __ror__(self, other): return ew.bitwise(np.bitwise_or, other, self, "bitwise_or")
    def __xor__(self, other): return ew.bitwise(np.bitwise_xor, self, other, "bitwise_xor")
    def __rxor__(self, other): return ew.bitwise(np.bitwise_xor, other, self, "bitwise_xor")
    def __invert__(self): return ew.bitwise_not(self)

    # -- elementwise math and activations ------------------------------------------------
    # exp, log, sqrt, sin, cos, log1p, expm1, erf, abs, -t, abs(t): made from the rows of
    # the table in ops/unary.py (install_methods)
    def masked_fill(self, mask, value): return ew.masked_fill(self, mask, value)
    def clamp(self, min=None, max=None, **numpy_names):  # noqa: A002  (PyTorch's names)
        """``clamp(min, max)``; numpy's ``lo=``/``hi=`` spellings are accepted too."""
        lo, hi = checks.bounds_of_clamp(min, max, numpy_names)
        if isinstance(lo, Tensor) or isinstance(hi, Tensor):   # elementwise bounds
            out = self if lo is None else pw.maximum(self, lo.to(self.dtype))
            return out if hi is None else pw.minimum(out, hi.to(self.dtype))
        return ew.clip(self, lo, hi)
    clip = clamp
    def relu(self): return act.ReLU()(self)
    def sigmoid(self): return act.sigmoid(self)
    def tanh(self): return act.tanh(self)
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
        if isinstance(dim, Tensor):
            return pw.maximum(self, dim)
        return rd.max(self, dim, keepdim, **numpy_names)

    def min(self, dim=None, keepdim=False, **numpy_names):
        if isinstance(dim, Tensor):
            return pw.minimum(self, dim)
        return rd.min(self, dim, keepdim, **numpy_names)

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
        if dims_keyword:
            dims = (dims_keyword.pop("dims"),) if "dims" in dims_keyword and not dims else dims
            if dims_keyword:
                raise TypeError(f"flip() got an unexpected keyword argument {next(iter(dims_keyword))!r}")
        return sh.flip(self, dims[0] if len(dims) == 1 else dims)
    def repeat(self, *sizes): return sh.repeat(self, *sizes)
    def split(self, split_size, dim=0): return sh.split(self, split_size, dim)
    def chunk(self, chunks, dim=0): return sh.chunk(self, chunks, dim)

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
        if rounding_mode is None:
            return self / other
        if rounding_mode not in ("floor", "trunc"):
            raise ValueError(f"div: rounding_mode must be None, 'floor' or 'trunc', got "
                             f"{rounding_mode!r}")
        quotient = self / other
        other_array = other.array if isinstance(other, Tensor) else np.asarray(other)
        if quotient.array.dtype.kind == "f":   # in the result's dtype, as PyTorch computes it
            a, b = self.array.astype(quotient.dtype), other_array.astype(quotient.dtype)
        else:
            a, b = self.array, other_array
        rounded = np.floor_divide(a, b) if rounding_mode == "floor" else np.trunc(a / b)
        if self.array.dtype.kind in "biu" and other_array.dtype.kind in "biu" \
                and not isinstance(other, float):
            return make_tensor(rounded.astype(np.int64))   # integers stay integers, as PyTorch
        # the values are the rounded quotient (Python's floor rule, as PyTorch); the
        # gradient through the rounding is 0, as PyTorch's
        return quotient * 0 + make_tensor(rounded.astype(quotient.dtype))
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
        return self - (self / other).trunc() * other if self.array.dtype.kind in "fc" \
            else make_tensor(np.fmod(self.array, np.asarray(other)))
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
        if dtype is None:
            return TYPE_NAMES.get(self.array.dtype, f"torch.{self.array.dtype}")
        return self.to(TYPE_NAMES_BACK.get(dtype, dtype))
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
        if device is not None:
            device_check(device)
        array = np.full(checks.shape_args((size,), "new_full"), fill_value,
                        self.array.dtype if dtype is None else np.dtype(dtype))
        return make_tensor(array).requires_grad_(requires_grad)
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
        recording = autograd.is_grad_enabled() and self.requires_grad
        if not recording:
            with autograd.no_grad():
                result = fn(self)
        else:
            self.check_recordable_in_place(name)
            result = fn(make_tensor(self.array.copy(), True, self.grad_fn))
        self.write_result(result.array, name)
        if recording:
            self.grad_fn = result.grad_fn
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
        node = self.grad_fn
        if node.hooks is None:
            node.hooks = []
        node.hooks.append(RetainGrad(self))

    def register_hook(self, hook):
        """``hook(grad)`` runs when this tensor's gradient is computed; it may return a
        replacement gradient. Returns a handle with ``.remove()``."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: the tensor does not require grad")
        owner = self.grad_fn
        if owner is None:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        else:
            if owner.hooks is None:
                owner.hooks = []
            hooks = owner.hooks
        if hooks and type(hooks[-1]) is RetainGrad:   # retain_grad's stays last
            hooks.insert(len(hooks) - 1, hook)
        else:
            hooks.append(hook)
        return RemovableHandle(hooks, hook)

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
        index = index_as_numpy(index)
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
        return self.write_constant(ew.floor_divide(self, other), "floor_divide_")

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
        if not recording:
            with autograd.no_grad():
                result = ew.binary(op, self, other)
        else:
            self.check_recordable_in_place(name)
            # the value before the change, as the recorded op's input (a copy when the
            # op's backward reads it, since the memory is overwritten below)
            before = self.array if op in (ew.Add, ew.Sub) else self.array.copy()
            result = ew.binary(op, make_tensor(before, self.requires_grad, self.grad_fn), other)
        self.write_result(result.array, name)
        if recording:
            if self.retains_grad:
                retained = next(h for h in self.grad_fn.hooks if type(h) is RetainGrad)
                retained.move(self.grad_fn, result.grad_fn)
            if self.grad_fn is not None:   # views taken before now have a stale graph
                self.grad_fn.rewritten_in_place_by = name
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


def check_no_overlap(array, op):
    """PyTorch's rule for in-place writes: no two elements written may share memory
    (an ``expand()``ed dim has stride 0)."""
    for stride, n in zip(array.strides, array.shape):
        if stride == 0 and n > 1:
            raise RuntimeError(
                f"{op}: more than one element of the written-to tensor (shape {array.shape}, "
                "a view made by expand()) refers to a single memory location; clone() the "
                "tensor before writing into it")


class _Memory:
    """Lends numpy a writeable view of memory a writeable array ``owner`` holds."""

    def __init__(self, array, owner):
        self.__array_interface__ = dict(array.__array_interface__,
                                        data=(array.__array_interface__["data"][0], False))
        self.owner = owner   # kept alive by the view (its .base is this object)


def writeable_alias(array):
    """The same memory as the read-only view ``array`` (numpy's broadcast views and
    their slices), writeable; None when no writeable array owns it."""
    owner = array.base
    while isinstance(owner, np.ndarray) and not owner.flags.writeable:
        owner = owner.base
    if not isinstance(owner, np.ndarray):
        return None
    return np.asarray(_Memory(array, owner))


def dtype_of_to_args(args, kwargs):
    """The dtype that ``Tensor.to``/``Module.to`` arguments ask for (None: keep it);
    a device other than the CPU is an error."""
    dtype = kwargs.get("dtype")
    for key in kwargs:
        if key not in ("dtype", "device", "non_blocking", "copy"):
            raise TypeError(f"to() got an unexpected keyword argument {key!r}")
    for target in list(args) + ([kwargs["device"]] if "device" in kwargs else []):
        if isinstance(target, Tensor):
            dtype = target.dtype
        elif isinstance(target, device) or (isinstance(target, str)
                                            and target.split(":")[0] in DEVICE_TYPES):
            device(target)   # checks the name: only the CPU exists
        else:
            dtype = target
    return dtype


class device:
    """``minigrad.device("cpu")``: where a tensor lives. minigrad runs on the CPU
    only; naming any other device is an error that says so."""

    def __init__(self, type="cpu"):   # noqa: A002  (PyTorch's argument name)
        name = type.type if isinstance(type, device) else type
        if not isinstance(name, str) or name.split(":")[0] != "cpu":
            raise RuntimeError(f"device: minigrad runs on the CPU only, got {name!r} "
                               "(use 'cpu', or leave the device out)")
        self.type = "cpu"

    def __eq__(self, other):
        return isinstance(other, (device, str)) and str(other).split(":")[0] == "cpu"

    __hash__ = object.__hash__

    def __str__(self):
        return self.type

    def __repr__(self):
        return f"device(type='{self.type}')"


CPU = device("cpu")
#: device names a PyTorch script may pass to .to(); any but "cpu" is refused
DEVICE_TYPES = ("cpu", "cuda", "mps", "xpu", "hip", "meta")


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

    def move(self, old_node, new_node):
        """After an in-place op the tensor's gradient is its new node's (PyTorch)."""
        old_node.hooks.remove(self)
        if new_node.hooks is None:
            new_node.hooks = []
        new_node.hooks.append(self)


class RemovableHandle:
    """What ``register_hook`` returns: ``.remove()`` takes the hook off again."""

    def __init__(self, hooks, hook):
        self.hooks, self.hook = hooks, hook

    def remove(self):
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)


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
from . import autograd, checks, promotion, random  # noqa: E402
from .ops import activation as act, elementwise as ew, linalg as la  # noqa: E402
from .ops import index as ix, reduce as rd, shape as sh, piecewise as pw  # noqa: E402


def tile_sizes(ndim, dims):
    """``tile``'s repeats as ``repeat`` takes them: missing leading counts are 1."""
    dims = tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else tuple(dims)
    return (1,) * (ndim - len(dims)) + dims


TYPE_NAMES = {np.dtype(np.float32): "torch.FloatTensor", np.dtype(np.float64): "torch.DoubleTensor",
              np.dtype(np.float16): "torch.HalfTensor", np.dtype(np.int64): "torch.LongTensor",
              np.dtype(np.int32): "torch.IntTensor", np.dtype(np.int16): "torch.ShortTensor",
              np.dtype(np.int8): "torch.CharTensor", np.dtype(np.uint8): "torch.ByteTensor",
              np.dtype(np.bool_): "torch.BoolTensor"}
TYPE_NAMES_BACK = {name: dtype for dtype, name in TYPE_NAMES.items()}
device_check = device
