"""In-place changes of a tensor, one family of ``Tensor``'s methods (``Tensor`` in
:mod:`minigrad._tensor` is made from ``InPlaceMethods``), and the memory checks of
their writes: no two written elements may share memory, and a read-only numpy view
(a broadcast) is written through the array that owns its memory.

An in-place change makes no graph of its own unless recorded (grad mode on and an
operand requires grad, as PyTorch); either way it bumps the tensor's version, so a
graph that saved the old value refuses to use it.

``Tensor`` is made from ``InPlaceMethods`` before the ops can be imported (they need
``Tensor``), so a method names the few it uses by their full path
(``minigrad.ops.subscript.index_put``, ``minigrad.Tensor``): every module is loaded by
the time a method runs.
"""
from __future__ import annotations

import operator

import numpy as np

import minigrad
from .grad_mode import is_grad_enabled, no_grad
from .random import numpy_generator

#: A fresh version cell: ``cell[0]`` counts in-place writes. A numpy array rather
#: than a list because the garbage collector does not track numpy arrays: a graph
#: keeps one cell per saved tensor, and every collection would rescan them.
new_version_cell = np.zeros(1, dtype=np.int64).copy


def check_no_overlap(array, op):
    """PyTorch's rule for in-place writes: no two elements written may share memory
    (an ``expand()``ed dim has stride 0); an empty array has no elements to share."""
    for stride, n in zip(array.strides, array.shape):
        if stride == 0 and n > 1 and array.size:
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


def views_read_by(node, base):
    """The view nodes of ``base`` (a graph node) that the graph behind ``node`` read
    (``t[1] = t[1] * 3``: the view ``t[1]`` was read before the write, so its graph is
    right). The walk stops at ``base``: it covers the write's own computation only; a
    parent without ``parents`` is a leaf tensor."""
    found, seen, stack = set(), {base}, [node]
    while stack:
        current = stack.pop()
        if current.is_view and current.parents[0] is base:
            found.add(current)
        for parent in current.parents:
            if parent is not None and hasattr(parent, "parents") and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return found


class InPlaceMethods:
    """The version cell, ``t[i] = v``, ``fill_``/``zero_``/``copy_``, the in-place
    arithmetic (``add_``..., ``+=``...), ``clamp_``/``masked_fill_``, the random fills,
    and the one write path they share (``write_result``, ``record_in_place``)."""

    __slots__ = ()   # a tensor has no __dict__: its fields are Tensor.__slots__

    # -- the version cell and the write checks ---------------------------------------------
    def version_cell(self):
        """The counter of in-place writes (``cell[0]``), shared with views. Made when
        first asked for (by a save, a view or a write): most tensors never need one."""
        if self.version_counter is None:
            self.version_counter = new_version_cell()
        return self.version_counter

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
        """Before a write outside the graph: refused on a tensor that requires grad while
        grad mode is on; then ``.array`` is made writeable (``ensure_writeable``)."""
        if self.requires_grad and is_grad_enabled():
            raise RuntimeError(
                f"{op}: in-place change of a tensor that requires grad (shape {self.shape}) "
                "while grad mode is on; do it under minigrad.no_grad(), or build a new "
                "tensor (e.g. with minigrad.where)")
        self.ensure_writeable(op, overlap_ok)

    # -- writes ------------------------------------------------------------------------------
    def __setitem__(self, index, value):
        """``t[index] = value``. Recorded (grad mode on, a float tensor, and it or the
        value requires grad), as PyTorch: the tensor's memory changes and the tensor
        becomes the output of the write (``IndexPut``) in the graph."""
        index = minigrad.conversion.index_as_numpy(index)
        value_is_tensor = isinstance(value, minigrad.Tensor)
        if is_grad_enabled() and self.array.dtype.kind == "f" and (
                self.requires_grad or (value_is_tensor and value.requires_grad)):
            # the write's forward copies the value before, and its backward reads nothing
            self.record_in_place(lambda before: minigrad.ops.subscript.index_put(before, index, value),
                                 "__setitem__", copy_before=False)
            return
        # as PyTorch: refused only if the elements written share memory (basic indexing
        # of an expanded dim); integer or mask indexing writes element by element
        basic = not any(isinstance(i, (np.ndarray, list))
                        for i in (index if isinstance(index, tuple) else (index,)))
        self._prepare_inplace("__setitem__", overlap_ok=True)
        if basic:
            check_no_overlap(self.array[index], "__setitem__")
        self.array[index] = value.array if value_is_tensor else value
        self.bump_version()

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        value_is_tensor = isinstance(value, minigrad.Tensor)
        self._prepare_inplace("fill_", overlap_ok=not value_is_tensor)
        self.array[...] = value.array if value_is_tensor else value
        self.bump_version()
        return self

    def copy_(self, src):
        self._prepare_inplace("copy_")
        src = src.array if isinstance(src, minigrad.Tensor) else np.asarray(src)
        try:
            self.array[...] = src
        except ValueError:
            raise ValueError(f"copy_: cannot copy a source of shape {np.shape(src)} into a "
                             f"tensor of shape {self.shape}") from None
        self.bump_version()
        return self

    # -- arithmetic: ``t += x`` is ``t.add_(x)``: the tensor's own memory changes, so every
    # name and module holding it sees the new values (``p -= lr * p.grad`` updates the model)
    def add_(self, other, alpha=1):
        return self.update_in_place(operator.add, other if alpha == 1 else other * alpha, "add_")

    def sub_(self, other, alpha=1):
        return self.update_in_place(operator.sub, other if alpha == 1 else other * alpha, "sub_")

    def mul_(self, other): return self.update_in_place(operator.mul, other, "mul_")
    def div_(self, other): return self.update_in_place(operator.truediv, other, "div_")
    def pow_(self, other): return self.update_in_place(operator.pow, other, "pow_")
    def remainder_(self, other): return self.update_in_place(operator.mod, other, "remainder_")
    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_
    __ipow__ = pow_
    __imod__ = remainder_

    # ``//=`` and the bitwise forms have no gradient: written in place with no graph
    def __ifloordiv__(self, other): return self.write_constant(self // other, "floor_divide_")
    def __iand__(self, other): return self.write_constant(self & other, "bitwise_and_")
    def __ior__(self, other): return self.write_constant(self | other, "bitwise_or_")
    def __ixor__(self, other): return self.write_constant(self ^ other, "bitwise_xor_")

    # -- in-place forms of one-input ops (recorded as PyTorch when in the graph) -----------
    def clamp_(self, min=None, max=None, **numpy_names):  # noqa: A002
        return self.apply_in_place(lambda t: t.clamp(min, max, **numpy_names), "clamp_")
    clip_ = clamp_

    def masked_fill_(self, mask, value):
        return self.apply_in_place(lambda t: t.masked_fill(mask, value), "masked_fill_")

    # -- random fills, from minigrad's seeded generator (``generator=`` for one's own) -----
    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        return self.fill_random(lambda rng: rng.normal(mean, std, self.shape), generator, "normal_")

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        return self.fill_random(lambda rng: rng.uniform(a, b, self.shape), generator, "uniform_")

    def exponential_(self, lambd=1.0, *, generator=None):
        return self.fill_random(lambda rng: rng.exponential(1.0 / lambd, self.shape), generator,
                                "exponential_")

    def bernoulli_(self, p=0.5, *, generator=None):
        p = p.array if isinstance(p, minigrad.Tensor) else p
        return self.fill_random(lambda rng: rng.random(self.shape) < p, generator, "bernoulli_")

    # -- the write paths -------------------------------------------------------------------
    def fill_random(self, draw, generator, name):
        """Write ``draw(rng)`` (numbers from the chosen generator) into this tensor."""
        self._prepare_inplace(name)
        self.array[...] = draw(numpy_generator(generator, name))
        self.bump_version()
        return self

    def write_constant(self, result, name):
        """Write the result of an op without a gradient into this tensor's memory."""
        self._prepare_inplace(name)
        self.write_result(result.array, name)
        return self

    def update_in_place(self, op, other, name):
        """Write ``op(self, other)`` (``operator.add``...: the tensor's own operator) into
        this tensor's memory, as PyTorch's in-place ops. Recorded (grad mode on and an
        operand requires grad), the tensor becomes the op's output in the graph; a leaf
        that requires grad refuses, as in PyTorch."""
        check_no_overlap(self.array, name)
        recording = is_grad_enabled() and (
            self.requires_grad or (isinstance(other, minigrad.Tensor) and other.requires_grad))
        if recording:   # add and sub read neither operand in backward: no copy needed
            return self.record_in_place(lambda before: op(before, other), name,
                                        copy_before=op not in (operator.add, operator.sub))
        with no_grad():
            result = op(self, other)
        self.write_result(result.array, name)
        return self

    def apply_in_place(self, fn, name):
        """Write ``fn(self)`` (a one-input computation) into this tensor's memory, as
        ``update_in_place`` does for the binary ops."""
        if is_grad_enabled() and self.requires_grad:
            return self.record_in_place(fn, name)
        with no_grad():
            result = fn(self)
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
        result = compute(minigrad._tensor.make_tensor(before, self.requires_grad, self.grad_fn))
        self.write_result(result.array, name)
        if self.retains_grad:
            self.grad_fn.hooks.pop(minigrad._tensor.RetainGrad.KEY).attach(result.grad_fn)
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
