"""Every row of the differential table against PyTorch: values, dtype, shape and
the gradient of every input under a random cotangent (and the double backward
for second-order rows), for each shape case, float32 and float64, and five
memory layouts of every input. The inputs must come back unchanged."""
from __future__ import annotations

import zlib

import numpy as np
import pytest
import torch

import minigrad as mg
from minigrad.autograd import walk
from tests.differential.row import MINIGRAD, TORCH, case_id
from tests.differential.table import ROWS

DTYPES = (np.float32, np.float64)


# -- memory layouts: each returns an array with the values of ``a`` (the broadcast
# view repeats the first slice of ``a``: its values are what both libraries get) --

def c_order(a):
    """A C-contiguous copy (``np.ascontiguousarray`` would make a 0-d array 1-d)."""
    return np.array(a, order="C")


def contiguous(a):
    return c_order(a)


def transposed(a):
    """A Fortran-ordered view: ``.T`` of the transposed copy."""
    return c_order(a.T).T


def strided_slice(a):
    """Every second row of an array twice as long."""
    if a.ndim == 0:
        return a.copy()
    big = np.full((2 * a.shape[0],) + a.shape[1:], np.nan, dtype=a.dtype)
    big[::2] = a
    return big[::2]


def negative_stride(a):
    if a.ndim == 0:
        return a.copy()
    return c_order(a[::-1])[::-1]


def zero_stride(a):
    """A read-only broadcast view with stride 0 along the first axis."""
    if a.ndim == 0 or a.shape[0] == 0:
        return np.broadcast_to(a, a.shape)
    return np.broadcast_to(a[:1], a.shape)


LAYOUTS = (contiguous, transposed, strided_slice, negative_stride, zero_stride)


def torch_dtype(dtype):
    return getattr(torch, np.dtype(dtype).name)


def as_numpy(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)


def assert_matches(mine, theirs, tol, what):
    """minigrad's tensor (or None: a zero gradient) against torch's."""
    if mine is None or theirs is None:
        for t in (mine, theirs):   # an unused input: the other side must be zero too
            if t is not None:
                assert not np.any(as_numpy(t)), f"{what}: one side has no gradient, the other {t}"
        return
    rtol, atol = tol
    assert tuple(mine.shape) == tuple(theirs.shape), \
        f"{what}: shape {tuple(mine.shape)} != torch's {tuple(theirs.shape)}"
    assert np.dtype(mine.dtype) == np.dtype(str(theirs.dtype).replace("torch.", "")), \
        f"{what}: dtype {mine.dtype} != torch's {theirs.dtype}"
    np.testing.assert_allclose(as_numpy(mine), as_numpy(theirs), rtol=rtol, atol=atol,
                               equal_nan=True, err_msg=what)


def snapshot(arrays):
    return [(a.copy(), a.strides, a.flags.writeable, a.flags.c_contiguous) for a in arrays]


def assert_unchanged(arrays, before, what):
    for i, (a, (copy, strides, writeable, c_contiguous)) in enumerate(zip(arrays, before)):
        assert np.array_equal(a, copy, equal_nan=True), f"{what}: input {i} was modified"
        assert (a.strides, a.flags.writeable, a.flags.c_contiguous) == \
            (strides, writeable, c_contiguous), f"{what}: input {i}'s layout or flags changed"


def run(L, row, arrays, cotangent, weights):
    """Forward, gradients under ``cotangent`` and, for second-order rows, the
    gradients of sum(grad_i * weights_i) w.r.t. the inputs and the cotangent."""
    if L is TORCH:
        inputs = [torch.tensor(c_order(a), requires_grad=True) for a in arrays]
        v = torch.tensor(cotangent, requires_grad=row.second_order)
        weights = [torch.tensor(w) for w in weights]
        grad = torch.autograd.grad
    else:
        inputs = [mg.from_numpy(a).requires_grad_() for a in arrays]
        v = mg.tensor(cotangent, requires_grad=row.second_order)
        weights = [mg.tensor(w) for w in weights]
        grad = mg.grad
    out = row.call(L, *inputs)
    grads = grad(out, inputs, v, create_graph=row.second_order, allow_unused=True)
    second = ()
    if row.second_order:
        terms = [(g * w).sum() for g, w in zip(grads, weights) if g is not None and g.requires_grad]
        if terms:
            wrt = inputs + [v]
            second = grad(sum(terms[1:], terms[0]), wrt, allow_unused=True)
    return out, grads, second


def cases():
    for row in ROWS:
        for spec in row.shapes:
            for dtype in DTYPES:
                yield pytest.param(row, spec, dtype, id=case_id(row, spec, dtype))


@pytest.mark.parametrize("row, spec, dtype", cases())
def test_matches_torch(row, spec, dtype):
    name = case_id(row, spec, dtype)
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    values = row.make(rng, spec, dtype)
    for layout in LAYOUTS if row.ties_ok else LAYOUTS[:-1]:
        arrays = [layout(a) for a in values]
        what = f"{name} ({layout.__name__})"
        t_out = row.call(TORCH, *[torch.tensor(c_order(a)) for a in arrays])
        cotangent = rng.normal(size=tuple(t_out.shape)).astype(dtype)
        weights = [rng.normal(size=a.shape).astype(dtype) for a in arrays]
        theirs = run(TORCH, row, arrays, cotangent, weights)
        before = snapshot(arrays)
        mine = run(MINIGRAD, row, arrays, cotangent, weights)
        assert_unchanged(arrays, before, what)
        assert_matches(mine[0], theirs[0], row.tol[dtype], f"{what}: value")
        for i, (g, tg) in enumerate(zip(mine[1], theirs[1])):
            assert_matches(g, tg, row.tol[dtype], f"{what}: gradient of input {i}")
        assert len(mine[2]) == len(theirs[2]), f"{what}: second order ran on one side only"
        for i, (g, tg) in enumerate(zip(mine[2], theirs[2])):
            assert_matches(g, tg, row.tol[dtype], f"{what}: double backward, input {i}")


def ops_reached(row, spec):
    """The op classes in the forward graph of ``row`` and, for second-order rows,
    in the graphs of its first and second derivatives."""
    rng = np.random.default_rng(0)
    arrays = row.make(rng, spec, np.float64)
    inputs = [mg.from_numpy(a).requires_grad_() for a in arrays]
    out = row.call(MINIGRAD, *inputs)
    reached = {type(node) for node in walk([out])}
    if row.second_order:
        v = mg.tensor(rng.normal(size=out.shape), requires_grad=True)
        grads = [g for g in mg.grad(out, inputs, v, create_graph=True, allow_unused=True)
                 if g is not None and g.requires_grad]
        reached |= {type(node) for node in walk(grads)}
        total = sum(((g * g).sum() for g in grads[1:]), (grads[0] * grads[0]).sum())
        second = mg.grad(total, inputs + [v], create_graph=True, allow_unused=True)
        reached |= {type(node) for node in walk([g for g in second if g is not None])}
    return reached


def test_every_registered_op_is_reached_by_a_row():
    reached = set()
    for row in ROWS:
        reached |= ops_reached(row, row.shapes[0])
    missing = sorted(op.__name__ for op in mg.Function.registry if op not in reached)
    assert not missing, f"registered ops that no row of tests/differential/rows_*.py reaches: {missing}"
