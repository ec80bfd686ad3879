"""In-place ops and augmented assignment against PyTorch: on leaves and views,
aliasing, version-counter errors, and ``.data``. Each scenario is one function
written once for both libraries; both must give the same values and gradients,
or both must raise."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.differential.row import MINIGRAD, TORCH

X = np.array([[0.5, -1.25, 2.0], [1.5, 0.75, -0.5]])


def leaf(L, requires_grad=True):
    return L.lib.tensor(X.copy(), requires_grad=requires_grad)


def augmented_on_non_leaf(L):
    x = leaf(L)
    y = x * 2
    y += 1
    y *= x
    y -= x
    y /= 3
    y **= 2
    y.sum().backward()
    return y, x.grad


def alias_sees_the_update(L):
    x = leaf(L)
    y = x * 1
    a = y
    a += 1
    assert a is y
    (y * x).sum().backward()
    return y, x.grad


def write_through_basic_view(L):
    x = leaf(L)
    y = x * 1
    row = y[0]
    row += 10
    row.mul_(2)
    (y * y).sum().backward()
    return y, x.grad


def setitem_on_non_leaf(L):
    x = leaf(L)
    y = x.exp()
    z = y * 1
    z[0, 1] = 7.0
    z[1] = z[1] * 3
    z.sum().backward()
    return z, x.grad


def fill_zero_copy_on_non_leaf(L):
    x = leaf(L)
    y = x * 3
    y[0].zero_()
    y[1, :2].fill_(4.0)
    w = x * 1
    w.copy_(y * x)
    w.sum().backward()
    return w, x.grad


def inplace_on_leaf_that_requires_grad(L):
    x = leaf(L)
    x += 1


def inplace_on_view_of_leaf_that_requires_grad(L):
    x = leaf(L)
    x[0].mul_(2)


def saved_input_changed(L):
    x = leaf(L)
    a = x * 1
    b = a.sin()   # saves a
    a.mul_(2)
    b.sum().backward()


def multiply_by_itself_in_place(L):
    """mul_ saves both operands: the first is then overwritten."""
    x = leaf(L)
    y = x * 2
    y *= y
    y.sum().backward()


def saved_output_changed(L):
    x = leaf(L)
    y = x.exp()   # saves its output
    y.add_(1)
    y.sum().backward()


def unsaved_value_changed(L):
    x = leaf(L)
    a = x * 1
    b = a + 1   # add saves nothing
    a.mul_(2)
    b.sum().backward()
    return a, b, x.grad


def update_under_no_grad(L):
    x = leaf(L)
    (x * x).sum().backward()
    with L.lib.no_grad():
        x -= 0.1 * x.grad
        x.mul_(0.5)
    assert x.is_leaf and x.requires_grad and x.grad_fn is None
    return x


def data_shares_values_outside_the_graph(L):
    p = leaf(L)
    d = p.data
    assert not d.requires_grad and d.is_leaf
    d.add_(1)   # changes p too; no graph, no error
    y = (p * 2).sum()
    y.backward()
    p.data.mul_(0.5)
    return p, p.grad, d


def data_change_after_forward_is_not_tracked(L):
    """As PyTorch: .data bypasses the version counter, backward uses the new value."""
    p = leaf(L)
    y = p * p
    p.data.mul_(2)
    y.sum().backward()
    return p.grad


def write_into_expanded_view(L):
    x = L.lib.tensor(np.array([1.0, 2.0]))
    e = x.expand(3, 2)
    e += 1


def setitem_reads_earlier_rows(L):
    """out[t] = f(out[t-1]): the view each write reads keeps its graph."""
    x = leaf(L)
    out = L.lib.zeros(4, 3, dtype=L.lib.float64)
    out[0] = x[0]
    for step in range(1, 4):
        out[step] = out[step - 1].tanh() + x[1]
    (out * out).sum().backward()
    return out, x.grad


RETURNING = [augmented_on_non_leaf, alias_sees_the_update, setitem_on_non_leaf,
             setitem_reads_earlier_rows, unsaved_value_changed,
             update_under_no_grad, data_shares_values_outside_the_graph,
             data_change_after_forward_is_not_tracked]
RAISING = [inplace_on_leaf_that_requires_grad, inplace_on_view_of_leaf_that_requires_grad,
           saved_input_changed, saved_output_changed, multiply_by_itself_in_place,
           write_into_expanded_view]


def flat(result):
    return result if isinstance(result, tuple) else (result,)


@pytest.mark.parametrize("scenario", RETURNING, ids=lambda f: getattr(f, "__name__", None))
def test_same_values_and_gradients(scenario):
    mine, theirs = flat(scenario(MINIGRAD)), flat(scenario(TORCH))
    assert len(mine) == len(theirs)
    for i, (m, t) in enumerate(zip(mine, theirs)):
        assert tuple(m.shape) == tuple(t.shape), f"{scenario.__name__}: result {i} shape"
        np.testing.assert_allclose(np.asarray(m.detach()), t.detach().numpy(), rtol=1e-12,
                                   err_msg=f"{scenario.__name__}: result {i}")


# PyTorch rewrites the graph of a non-leaf written in place through a view (``y[0] += 1``,
# ``y[0].zero_()``); minigrad does not rewrite the viewed tensor's graph and refuses with a
# clear RuntimeError at the write (a reported difference, not a silent one).
THROUGH_A_VIEW = [write_through_basic_view, fill_zero_copy_on_non_leaf]


@pytest.mark.parametrize("scenario", THROUGH_A_VIEW, ids=lambda f: f.__name__)
def test_write_through_a_view_of_a_recorded_non_leaf_pytorch_records_minigrad_refuses(scenario):
    scenario(TORCH)   # PyTorch records the write
    # the view's write is refused (zero_ and fill_ on a tensor in the graph are refused too)
    with pytest.raises(RuntimeError, match="in-place change of a (view|tensor that requires grad)"):
        scenario(MINIGRAD)


@pytest.mark.parametrize("scenario", RAISING, ids=lambda f: getattr(f, "__name__", None))
def test_both_raise_runtime_error(scenario):
    with pytest.raises(RuntimeError):
        scenario(TORCH)
    with pytest.raises(RuntimeError):
        scenario(MINIGRAD)
