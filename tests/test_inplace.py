"""In-place changes (``+=``, ``add_``, ``fill_``, ``[...] =``, ``.data``) against
PyTorch: the same values, gradients and errors from the same inputs."""
import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")
LIBS = (mg, torch)


def t(lib, values, requires_grad=False):
    return lib.tensor(np.array(values, dtype=np.float64), requires_grad=requires_grad)


def both(fn):
    """fn(lib) for minigrad and PyTorch; an error becomes ('error', its type)."""
    out = []
    for lib in LIBS:
        try:
            out.append(fn(lib))
        except RuntimeError as exc:
            out.append(("error", type(exc)))
    return out


def test_augmented_assignment_changes_the_tensor_every_name_holds():
    def run(lib):
        x = t(lib, [1.0, 2.0])
        a = x
        a += 1
        a *= 3
        return x.tolist()
    assert both(run) == [[6.0, 9.0]] * 2


def test_leaf_that_requires_grad_refuses_with_grad_on_and_changes_under_no_grad():
    def run(lib):
        w = t(lib, [1.0, 2.0], True)
        with pytest.raises(RuntimeError, match="leaf"):
            w += 1
        with lib.no_grad():
            w -= 0.5
            w.mul_(2)
        return w.tolist(), w.is_leaf, w.requires_grad
    assert both(run) == [([1.0, 3.0], True, True)] * 2


def test_in_place_ops_on_a_non_leaf_give_pytorchs_graph():
    def run(lib):
        w, b, c = t(lib, [1.0, 2.0], True), t(lib, [3.0, 4.0], True), t(lib, [5.0, -1.0], True)
        y = w * 2
        y += b
        y *= c
        y -= w
        y /= 2
        y **= 2
        y.sum().backward()
        return y.tolist(), w.grad.tolist(), b.grad.tolist(), c.grad.tolist()
    ours, theirs = both(run)
    np.testing.assert_allclose(np.concatenate(ours), np.concatenate(theirs), rtol=1e-12)


def test_a_saved_value_changed_in_place_fails_at_backward():
    def run(lib):
        w = t(lib, [1.0, 2.0], True)
        y = w * 2
        z = y * y   # saves y
        y += 1
        z.sum().backward()
    assert both(run) == [("error", RuntimeError)] * 2
    w = t(mg, [1.0, 2.0], True)
    y = w * 2
    z = y * y
    y += 1
    with pytest.raises(RuntimeError, match="modified in place"):
        z.sum().backward()


def test_a_value_not_saved_may_change_in_place():
    def run(lib):
        w = t(lib, [1.0, 2.0], True)
        y = w * 2
        z = y.exp()   # exp keeps its output, not y
        y += 1
        z.sum().backward()
        return w.grad.tolist()
    ours, theirs = both(run)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_views_changed_in_place_while_recording_are_a_clear_error():
    w = t(mg, [1.0, 2.0], True)
    v = (w * 2)[0:1]
    with pytest.raises(RuntimeError, match="in-place change of a view"):
        v *= 3
    y = w * 2
    v = y[0:1]
    y *= 3   # PyTorch rewrites v's graph; minigrad refuses rather than give v's old gradient
    with pytest.raises(RuntimeError, match="changed in place by mul_"):
        v.sum().backward()


def test_data_is_shared_and_unseen_by_autograd():
    def run(lib):
        p = t(lib, [1.0, 2.0], True)
        q = p * p
        (p * 3).sum().backward()
        p.data.add_(t(lib, [1.0, 1.0]))
        p.data.mul_(0.5)
        p.data[0] = 7.0
        q.sum().backward()   # no version error: p * p reads the new values it saved
        return p.tolist(), p.grad.tolist(), p.requires_grad, p.is_leaf
    assert both(run) == [([7.0, 1.5], [3.0 + 14.0, 3.0 + 3.0], True, True)] * 2


WRITES = {
    "fill_ number": lambda e, lib: e.fill_(2.0),
    "zero_": lambda e, lib: e.zero_(),
    "fill_ tensor": lambda e, lib: e.fill_(t(lib, 2.0)),
    "setitem all": lambda e, lib: e.__setitem__(Ellipsis, 2.0),
    "setitem column": lambda e, lib: e.__setitem__((slice(None), 0), 4.0),
    "setitem row": lambda e, lib: e.__setitem__(0, t(lib, [4.0, 5.0, 6.0])),
    "add_": lambda e, lib: e.add_(1.0),
    "iadd": lambda e, lib: e.__iadd__(1.0),
    "mul_": lambda e, lib: e.mul_(2.0),
    "copy_": lambda e, lib: e.copy_(t(lib, np.ones((2, 3)))),
    "row add_": lambda e, lib: e[0].add_(1.0),
    "detached add_": lambda e, lib: e.detach().add_(1.0),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_writes_into_an_expanded_tensor_as_pytorch(write):
    """Refused where two written elements share memory; otherwise written into the
    tensor that was expanded (never into a private copy)."""
    def run(lib):
        x = t(lib, [1.0, 2.0, 3.0])
        WRITES[write](x.expand(2, 3), lib)
        return x.tolist()
    ours, theirs = both(run)
    assert ours == theirs
    if ours[0] == "error":
        with pytest.raises(RuntimeError, match="more than one element"):
            run(mg)


def test_reshape_that_copies_is_not_a_view():
    def run(lib):
        x = t(lib, np.arange(6.0).reshape(2, 3))
        w = t(lib, np.ones((2, 3)), True)
        y = x * w   # saves x
        r = x.t().reshape(-1)   # a copy: the write below leaves x alone
        r[0] = 5.0
        y.sum().backward()
        h = (w * 2).t().reshape(-1)
        h += 1   # not a view either, so in place is fine
        h.sum().backward()
        return x.tolist(), w.grad.tolist()
    assert both(run)[0] == both(run)[1]
    x = mg.tensor(np.arange(6.0).reshape(2, 3))
    w = mg.tensor(np.ones((2, 3)), requires_grad=True)
    y = x * w
    x.reshape(-1)[0] = 5.0   # a real view: x changed, y's saved x is stale
    with pytest.raises(RuntimeError, match="modified in place"):
        y.sum().backward()


# -- t[index] = value in the graph (PyTorch's CopySlices) ------------------------------------

def _setitem_scenarios(lib, dtype):
    """name -> fn() giving (result, leaves) for each item-assignment idiom."""
    def leaves():
        w = lib.tensor(np.array([[0.5, -1.25, 2.0, 0.25], [1.5, 0.75, -0.5, 3.0],
                                 [-2.0, 1.0, 0.125, -0.75]]), dtype=dtype, requires_grad=True)
        v = lib.tensor(np.array([0.3, -0.6, 0.9, 1.2]), dtype=dtype, requires_grad=True)
        return w, v

    def row_from_value():
        w, v = leaves()
        y = w * 2
        y[0] = v * v
        return y * w, (w, v)

    def column_to_zero():
        w, v = leaves()
        y = w.sin() + 1
        y[:, 1] = 0
        return y, (w,)

    def mask_to_number():
        w, v = leaves()
        y = w * w
        y[lib.tensor(np.array([[True, False] * 2, [False, True] * 2, [True] * 4]))] = 0.5
        return y, (w,)

    def rows_of_a_constant_in_a_loop():
        w, v = leaves()
        out = lib.zeros(4, 4, dtype=dtype)
        for i in range(3):
            out[i] = (w[i] * v).tanh()
        return out, (w, v)

    def int_array_with_broadcast_value():
        w, v = leaves()
        y = w * 1
        y[[2, 0], 1:] = v[:3]   # the value broadcast over the two rows
        return y.sin(), (w, v)

    def value_of_another_dtype():
        w, v = leaves()
        y = w * 1
        y[1] = v.double() if dtype == lib.float32 else v.float()
        return y, (w, v)

    def reads_its_own_rows():
        w, v = leaves()
        y = w * 3
        y[1] = y[0] * 2 + y[2]
        y[2, :2] = y[2, 2:].exp()
        return y, (w,)

    return {f.__name__: f for f in (row_from_value, column_to_zero, mask_to_number,
                                    rows_of_a_constant_in_a_loop, int_array_with_broadcast_value,
                                    value_of_another_dtype, reads_its_own_rows)}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(_setitem_scenarios(mg, mg.float32)))
def test_setitem_is_recorded_as_pytorch(name, dtype):
    results = []
    for lib in LIBS:
        out, leaves = _setitem_scenarios(lib, getattr(lib, dtype))[name]()
        weights = lib.tensor(np.linspace(-1.0, 2.0, out.numel()).reshape(tuple(out.shape)),
                             dtype=out.dtype)
        (out * weights).sum().backward()
        results.append((out, [p.grad for p in leaves]))
    (ours, our_grads), (theirs, their_grads) = results
    tol = 1e-6 if dtype == "float32" else 1e-12
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1] == dtype
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=tol, atol=tol)
    for mine, torchs in zip(our_grads, their_grads):
        assert str(mine.dtype).split(".")[-1] == str(torchs.dtype).split(".")[-1]
        np.testing.assert_allclose(mine.numpy(), torchs.numpy(), rtol=tol, atol=tol)


def test_setitem_on_a_leaf_that_requires_grad_refuses_and_works_under_no_grad():
    def run(lib):
        w = t(lib, [1.0, 2.0, 3.0], True)
        with pytest.raises(RuntimeError, match="leaf"):
            w[0] = 5.0
        with pytest.raises(RuntimeError, match="leaf"):
            w[1:] = t(lib, [1.0, 1.0], True)
        with lib.no_grad():
            w[0] = 5.0
            w[[1, 2]] = t(lib, [7.0, 8.0], True)
        return w.tolist(), w.is_leaf, w.requires_grad, w.grad_fn is None
    assert both(run) == [([5.0, 7.0, 8.0], True, True, True)] * 2


def test_setitem_under_no_grad_records_nothing():
    def run(lib):
        v = t(lib, [1.0, 2.0], True)
        out = lib.zeros(2, 2, dtype=lib.float64)
        with lib.no_grad():
            out[0] = v
        return out.tolist(), out.requires_grad
    assert both(run) == [([[1.0, 2.0], [0.0, 0.0]], False)] * 2


def test_setitem_over_a_saved_value_fails_at_backward_as_pytorch():
    def run(lib):
        w = t(lib, [1.0, 2.0], True)
        y = w.exp()   # saves its output
        y[0] = 0.0
        y.sum().backward()
    assert both(run) == [("error", RuntimeError)] * 2
    with pytest.raises(RuntimeError, match="modified in place"):
        run(mg)


def test_setitem_into_an_int_tensor_keeps_no_graph_as_pytorch():
    def run(lib):
        out = lib.zeros(2, 2, dtype=lib.int64)
        out[0] = t(lib, [1.5, 2.5], True)
        return out.tolist(), out.requires_grad
    assert both(run) == [([[1, 2], [0, 0]], False)] * 2


def test_setitem_keeps_retain_grad_on_the_written_tensor():
    def run(lib):
        w = t(lib, [1.0, 2.0, 3.0], True)
        y = w * 2
        y.retain_grad()
        y[1] = w[0] * 5
        (y * y).sum().backward()
        return y.grad.tolist(), w.grad.tolist()
    assert both(run) == [([4.0, 10.0, 12.0], [8.0 + 50.0, 0.0, 24.0])] * 2


def test_repeated_indices_last_write_wins_and_each_gets_its_places_gradient():
    """PyTorch leaves the winner of repeated indices unspecified; minigrad's is numpy's
    (the last), which PyTorch's CPU kernel gives too."""
    def run(lib):
        v = t(lib, [1.0, 2.0, 3.0], True)
        y = lib.zeros(4, dtype=lib.float64)
        y[[1, 3, 1]] = v
        (y * t(lib, [1.0, 2.0, 3.0, 4.0])).sum().backward()
        return y.tolist(), v.grad.tolist()
    assert both(run) == [([0.0, 3.0, 0.0, 2.0], [2.0, 4.0, 2.0])] * 2


def test_setitem_errors_name_the_op_and_shapes():
    y = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True) * 1
    with pytest.raises(ValueError, match=r"__setitem__: a value of shape \(3,\) .*\(2,\)"):
        y[0] = mg.ones(3)
    with pytest.raises(IndexError, match=r"__setitem__: .*out of bounds.*shape \(2, 2\)"):
        y[5] = 1.0
    view = y[0]
    with pytest.raises(RuntimeError, match="in-place change of a view"):
        view[0] = 1.0


def test_a_view_not_read_by_the_write_refuses_at_backward():
    """PyTorch rewrites the graph of a view taken before the write; minigrad refuses (its
    old graph would give a wrong gradient). A view the write itself read is fine."""
    w = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = w * 2
    kept = y[0:2]
    y[1] = y[2] * 3
    with pytest.raises(RuntimeError, match="changed in place by __setitem__"):
        kept.sum().backward()
    y = w * 2
    kept = y[0:2]
    y.clamp_(0.0, 3.0)   # the one-input in-place ops refuse alike
    with pytest.raises(RuntimeError, match="changed in place by clamp_"):
        kept.sum().backward()
