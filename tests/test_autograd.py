"""The engine: accumulation, graph recording and walking, release, memory, anomaly
mode, gradients summed to each input's shape, bookkeeping as PyTorch's.

Its errors are in tests/test_engine_errors.py, grad mode in tests/test_grad_mode.py,
autograd.grad and higher derivatives in tests/test_capture.py, hooks and retain_grad
in tests/test_tensor_hooks.py.
"""
import gc
import weakref

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import Function, Input, walk
from tests.autograd_helpers import leaf


def test_leaf_gradients_accumulate_across_backward_calls():
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3 + 2, 3 + 4])


def test_node_used_twice_gets_both_contributions():
    x = leaf([2.0])
    y = x * x          # y used twice below
    z = y + y * 3      # dz/dx = 4 * 2x
    z.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [16.0])


def test_diamond_graph():
    x = leaf([1.5])
    a, b = x.exp(), x * x
    (a * b).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp(1.5) * 1.5 ** 2 + np.exp(1.5) * 3.0)


def test_broadcasting_is_undone_for_leaves():
    w = leaf(np.ones((1, 3)))
    x = mg.Tensor(np.arange(6.0).reshape(2, 3))
    (x * w).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [[3.0, 5.0, 7.0]])


def test_deep_chain_has_no_recursion_error():
    x = leaf([1.0])
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.item() == 1.0
    ref = weakref.ref(y.grad_fn)
    del y
    assert ref() is None   # freed by reference counting alone, no cycle


def test_graph_is_freed_when_output_is_dropped():
    x = leaf(np.ones(4))
    y = (x.exp() * x).sigmoid().sum()   # sigmoid and exp save their own outputs
    refs = [weakref.ref(node) for node in walk([y])]
    gc.disable()
    try:
        del y
        assert all(r() is None for r in refs), "a reference cycle keeps the graph alive"
    finally:
        gc.enable()


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0])


def test_saved_values_are_released_after_backward():
    x = leaf(np.ones(3))
    y = x.exp()
    node = y.grad_fn
    y.sum().backward()
    assert node.saved is None


def test_detach_cuts_the_graph():
    x = leaf([1.0])
    y = (x * 2).detach() * x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0])


def test_grad_is_a_private_copy():
    a, b = leaf([1.0]), leaf([1.0])
    (a + b).sum().backward()   # Add hands the same gradient array to both
    a.grad.numpy()[0] = 5.0
    assert b.grad.item() == 1.0


def test_custom_function_in_user_code():
    class Cube(Function):
        """z = a^3.   da = 3 a^2 dz."""
        def forward(self, a):
            self.save_for_backward(Input(0))
            return a ** 3

        def backward(self, g):
            a, = self.saved_tensors
            return g * 3 * a * a

    x = leaf([1.0, 2.0])
    assert mg.gradcheck(lambda t: Cube()(t), x)
    assert mg.gradgradcheck(lambda t: Cube()(t), x)
    Function.registry.remove(Cube)   # keep the registry to the library's own ops


def test_a_user_op_with_a_library_name_does_not_replace_the_library_op():
    from minigrad.ops.conv import Conv2d as LibraryConv2d

    class Conv2d(Function):   # same name as minigrad's
        def forward(self, a):
            return a

    try:
        assert LibraryConv2d in Function.registry and Conv2d in Function.registry
    finally:
        Function.registry.remove(Conv2d)


def test_anomaly_mode_names_the_op_and_line():
    x = leaf([0.0, 1.0])
    with mg.detect_anomaly():
        with pytest.raises(FloatingPointError, match=r"Log forward produced .*inf.*test_autograd.py"):
            with np.errstate(divide="ignore"):
                x.log()
        y = x.sqrt()    # finite forward, inf gradient at 0
        with pytest.raises(FloatingPointError, match=r"Sqrt backward produced .*inf.*created at .*x.sqrt\(\)"):
            with np.errstate(divide="ignore"):
                y.sum().backward()
    assert not mg.is_anomaly_enabled()
    assert (x * 2).grad_fn.creation is None   # off: nothing recorded


def test_leaves_never_share_gradient_memory():
    a, b, c = leaf(np.ones((2, 2))), leaf(np.ones(4)), leaf(np.ones((2, 2)))
    (a + b.reshape(2, 2) + c).sum().backward()   # one gradient array, a view of it, and again
    grads = [a.grad.numpy(), b.grad.numpy(), c.grad.numpy()]
    for i in range(3):
        for j in range(i + 1, 3):
            assert not np.shares_memory(grads[i], grads[j])
    seed = np.ones((2, 2))
    d = leaf(np.ones((2, 2)))
    d.backward(seed)            # the caller's array stays the caller's
    assert not np.shares_memory(d.grad.numpy(), seed)


def test_scalar_leaf_gradient_stays_an_array_when_accumulated():
    p = mg.Tensor(np.array(1.0), requires_grad=True)
    (p * p).backward()
    (p * p).backward()
    assert isinstance(p.grad.numpy(), np.ndarray) and p.grad.item() == 4.0


def test_casting_to_int_or_bool_leaves_the_graph():
    x = leaf([1.4, 2.6])
    assert not x.astype("int64").requires_grad
    (x.astype(bool) * x).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_a_graph_that_saved_nothing_can_be_walked_twice():
    """Add keeps nothing for backward, so a second backward needs nothing freed (as PyTorch)."""
    x = leaf([1.0, 2.0])
    y = x + 1
    y.sum().backward()
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    z = (x * x).sum()
    z.backward()
    with pytest.raises(RuntimeError, match="Mul: trying to backward through the graph a second time"):
        z.backward()


def test_backward_frees_what_forward_kept_including_intermediates():
    """A conv's padded input copy and a pool's argmax are saved through the one
    channel, so the first backward frees them like everything else."""
    import minigrad.nn.functional as F
    x = mg.Tensor(np.random.default_rng(0).normal(size=(1, 1, 6, 6)), requires_grad=True)
    w = mg.Tensor(np.ones((2, 1, 3, 3)), requires_grad=True)
    y = F.max_pool2d(F.conv2d(x, w, padding=1), 2)
    pool, conv = y.grad_fn, y.grad_fn.parents[0]
    assert [s.what for s in conv.saved] == ["input 0", "input 1", "array"]
    assert [s.what for s in pool.saved] == ["array"]
    y.sum().backward()
    assert conv.saved is None and pool.saved is None


def test_a_long_graph_leaves_the_garbage_collector_little_to_rescan():
    """Each node of a chain keeps two objects the cyclic GC tracks (the node and its
    parents tuple): saved constants are kept as arrays, version cells are numpy
    arrays, and the saved tuples get untracked. At six per node (as once), the
    full collections that a long graph triggers were half of a 100,000-op forward."""
    x = leaf([0.5])
    y = x
    gc.collect()
    before = len(gc.get_objects())
    for _ in range(2000):
        y = y * 1.0001
    gc.collect()
    gc.collect()   # a tuple is untracked only after the objects in it were
    per_node = (len(gc.get_objects()) - before) / 2000
    assert per_node <= 2.05, f"{per_node:.2f} GC-tracked objects per node"
    assert not gc.is_tracked(y.version_cell()) and not gc.is_tracked(mg.Tensor([1.0]).version_cell())
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0001 ** 2000])


def test_walk_lists_each_node_once_parents_first():
    """A diamond (two paths from a to d), a node used twice and two outputs sharing
    a subgraph: every node once, each after all of its parents."""
    x = leaf([1.0, 2.0])
    a = x.exp()
    b, c = a * 2, a.tanh()
    d = b + c
    e = d * d
    f = c - 1
    outs = [e.sum(), f.sum()]
    order = walk(outs)
    assert len(order) == len(set(order))
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        for p in node.parents:
            if isinstance(p, mg.Function):
                assert position[p] < position[node]
    expected = {t.grad_fn for t in (a, b, c, d, e, f, *outs)}
    assert set(order) == expected


def test_walk_of_a_long_chain_needs_no_recursion():
    x = leaf([1.0])
    y = x
    for _ in range(50_000):
        y = y * 1.0
    order = walk([y])
    assert len(order) == 50_000 and order[0].parents == (x,) and order[-1] is y.grad_fn


# -- bookkeeping as PyTorch's (issue 20) ----------------------------------------------------

def test_second_backward_adds_into_the_same_grad_tensor_except_with_create_graph():
    torch = pytest.importorskip("torch")
    for lib in (mg, torch):
        x = lib.tensor(np.ones(3), requires_grad=True)
        (x * 2).sum().backward()
        first = x.grad
        (x * 3).sum().backward()
        assert x.grad is first and first.tolist() == [5.0, 5.0, 5.0]   # updated in place
        y = lib.tensor(np.ones(3), requires_grad=True)
        (y * y).sum().backward(create_graph=True)
        first = y.grad
        (y * y).sum().backward(create_graph=True)
        assert y.grad is not first and first.tolist() == [2.0] * 3 and y.grad.tolist() == [4.0] * 3
        assert y.grad.grad_fn is not None


# -- the engine sums each gradient to its input's shape ----------------------------------

def broadcasting_add(lib):
    """A PyTorch-style function whose backward returns dy as it is, in the broadcast
    shape: the same code on minigrad and on torch."""
    class BroadcastingAdd(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, dy):
            return dy, dy
    return BroadcastingAdd


def test_a_broadcast_shaped_gradient_is_summed_to_its_input_shape_as_pytorch():
    torch = pytest.importorskip("torch")
    a_np, b_np = np.arange(6.0).reshape(2, 3), np.array([[0.5], [1.5]])
    dy = np.arange(6.0).reshape(2, 3) + 1
    a, b = leaf(a_np), leaf(b_np)
    broadcasting_add(mg).apply(a, b).backward(mg.tensor(dy))
    ta = torch.tensor(a_np, requires_grad=True)
    tb = torch.tensor(b_np, requires_grad=True)
    broadcasting_add(torch).apply(ta, tb).backward(torch.tensor(dy))
    assert a.grad.shape == (2, 3) and b.grad.shape == (2, 1)
    np.testing.assert_array_equal(a.grad.numpy(), ta.grad.numpy())
    np.testing.assert_array_equal(b.grad.numpy(), tb.grad.numpy())


def test_summing_to_the_input_shape_is_recorded_for_second_derivatives():
    b = leaf([[2.0], [3.0]])
    x = leaf([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    (gb,) = mg.autograd.grad(((x * b) ** 2).sum(), [b], create_graph=True)
    assert gb.shape == (2, 1)   # d/db sum (x b)^2 = sum_j 2 x_j^2 b
    np.testing.assert_allclose(gb.numpy(), [[2 * 14 * 2.0], [2 * 77 * 3.0]])
    (ggb,) = mg.autograd.grad(gb.sum(), [b])
    np.testing.assert_allclose(ggb.numpy(), [[28.0], [154.0]])


def test_record_backward_shows_the_gradients_summed_to_the_input_shapes():
    a, b = leaf(np.ones((2, 3))), leaf([10.0, 20.0, 30.0])
    with mg.tracing.record_backward() as steps:
        (a * b).sum().backward()
    mul = next(step for step in steps if step.node.name == "Mul")
    assert [g.shape for g in mul.input_grads] == [(2, 3), (3,)]
