"""The engine: accumulation, graph recording rules, release, memory, higher order, errors."""
import gc
import threading
import weakref

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import Function, Input, walk


def leaf(values):
    return mg.Tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


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


def test_graph_recorded_only_when_needed():
    a = mg.Tensor(np.ones(3))
    assert (a * 2).grad_fn is None
    b = leaf(np.ones(3))
    assert (a * b).grad_fn is not None
    with mg.no_grad():
        c = b * 2
    assert c.grad_fn is None and not c.requires_grad
    assert mg.is_grad_enabled()


def test_no_grad_as_decorator_and_set_grad_enabled():
    @mg.no_grad()
    def f(t):
        return t * 2
    assert f(leaf([1.0])).grad_fn is None
    with mg.set_grad_enabled(False):
        with mg.enable_grad():
            assert (leaf([1.0]) * 2).requires_grad


def test_grad_mode_is_thread_local():
    results = {}

    def worker():
        with mg.no_grad():
            results["worker_inside"] = mg.is_grad_enabled()
            barrier.wait()   # main thread checks while the worker is inside no_grad
            barrier.wait()

    barrier = threading.Barrier(2)
    t = threading.Thread(target=worker)
    t.start()
    barrier.wait()
    results["main"] = mg.is_grad_enabled()
    results["main_records"] = (leaf([1.0]) * 2).grad_fn is not None
    barrier.wait()
    t.join()
    assert results == {"worker_inside": False, "main": True, "main_records": True}


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


def test_second_backward_through_released_graph_is_an_error():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


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


def test_backward_of_non_scalar_needs_a_gradient():
    x = leaf(np.ones((2, 3)))
    with pytest.raises(RuntimeError, match=r"scalar output.*shape \(2, 3\)"):
        (x * 2).backward()
    (x * 2).backward(np.ones((2, 3)))
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"grad has shape \(3,\) but the output has shape \(2, 3\)"):
        (x * 2).backward(np.ones(3))


def test_backward_on_tensor_without_grad_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        mg.tensor([1.0]).sum().backward()


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(TypeError, match="only floating-point tensors can require grad.*int64"):
        mg.Tensor(np.array([1, 2]), requires_grad=True)


def test_in_place_change_of_a_saved_input_is_detected():
    x = leaf([1.0, 2.0])
    a = mg.Tensor(np.array([3.0, 4.0]))
    y = (x * a).sum()
    a[0] = 10.0     # Mul saved a for x's gradient
    with pytest.raises(RuntimeError, match=r"Mul: input 1 saved for backward \(shape \(2,\).*modified in place"):
        y.backward()


def test_in_place_on_tensor_requiring_grad_needs_no_grad():
    x = leaf([1.0])
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad .* in-place"):
        x.add_(1.0)
    with mg.no_grad():
        x.add_(1.0)
    assert x.item() == 2.0


def test_create_graph_gives_second_derivatives():
    x = leaf([0.5, -1.0])
    y = (x ** 3).sum()
    (g,) = mg.grad(y, [x], create_graph=True)
    np.testing.assert_allclose(g.numpy(), 3 * x.numpy() ** 2)
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * x.numpy())


def test_hessian_vector_product():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(3, 3))
    A = A + A.T
    x = leaf(rng.normal(size=3))
    v = mg.Tensor(rng.normal(size=3))
    f = (x @ mg.Tensor(A) @ x) * 0.5 + (x * x * x).sum()
    (g,) = mg.grad(f, [x], create_graph=True)
    (hv,) = mg.grad((g * v).sum(), [x])
    np.testing.assert_allclose(hv.numpy(), A @ v.numpy() + 6 * x.numpy() * v.numpy(), rtol=1e-10)


def test_backward_create_graph_leaves_differentiable_grad():
    x = leaf([2.0])
    (x ** 2).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    gx = x.grad
    x.grad = None
    gx.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0])


def test_grad_function_does_not_touch_dot_grad_and_reports_unused():
    x, z = leaf([1.0]), leaf([1.0])
    y = (x * 4).sum()
    (gx,) = mg.grad(y, [x], retain_graph=True)
    assert x.grad is None and gx.item() == 4.0
    with pytest.raises(RuntimeError, match="not used"):
        mg.grad(y, [x, z], retain_graph=True)
    gx, gz = mg.grad(y, [x, z], allow_unused=True)
    assert gz is None


def test_grad_of_intermediate_tensor():
    x = leaf([3.0])
    h = x * 2
    y = (h * h).sum()
    (gh,) = mg.grad(y, [h])
    np.testing.assert_allclose(gh.numpy(), [12.0])


def test_hooks_and_retain_grad():
    x = leaf([1.0, 2.0])
    h = x * 3
    h.retain_grad()
    seen = []
    h.register_hook(lambda g: seen.append(g.numpy().copy()))
    x.register_hook(lambda g: g * 10)   # replaces the leaf's gradient
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), 2 * h.numpy())
    np.testing.assert_allclose(seen[0], 2 * h.numpy())
    np.testing.assert_allclose(x.grad.numpy(), 10 * 3 * 2 * h.numpy())


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


def test_saving_an_input_as_a_bare_array_says_which_marker_to_use():
    class Square(Function, register=False):
        def forward(self, a):
            self.save_for_backward(a)
            return a * a

    with pytest.raises(TypeError, match=r"Square.forward: saved input 0 as a bare array.*Input\(0\)"):
        Square()(leaf([1.0]))


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


# -- regressions found in review ---------------------------------------------------

def test_grad_walks_only_between_outputs_and_inputs():
    x = leaf(np.ones(3))
    h = (x * 2).exp()
    h.sum().backward()                     # frees x -> h
    fired = []
    x.register_hook(lambda g: fired.append(1))
    (gh,) = mg.grad((h * h).sum(), h)      # needs nothing upstream of h
    np.testing.assert_allclose(gh.numpy(), 2 * np.exp(2.0))
    assert fired == []


def test_leaf_hooks_see_the_total_gradient_and_run_in_grad():
    x = leaf(np.ones(3))
    x.register_hook(lambda g: g.clip(hi=1.0))
    (x * 2 + x * 3).sum().backward()       # total 5 clipped once, not 2 and 3 separately
    assert x.grad.tolist() == [1.0, 1.0, 1.0]
    y = leaf([1.0])
    y.register_hook(lambda g: g * 10)
    assert mg.grad((y * 3).sum(), y)[0].item() == 30.0


def test_create_graph_leaves_get_their_own_gradient_tensors():
    x, y = leaf(np.ones(2)), leaf(np.ones(2))
    (x + y).sum().backward(create_graph=True)
    assert x.grad is not y.grad
    with mg.no_grad():
        x.grad.mul_(0.0)
    assert y.grad.tolist() == [1.0, 1.0]


def test_detached_or_raw_copies_of_an_input_are_constants_for_second_derivatives():
    for other in (lambda t: t.detach(), lambda t: t.numpy(), lambda t: mg.from_numpy(t.numpy())):
        x = leaf([1.0, 2.0])
        (g,) = mg.grad((x * other(x)).sum(), x, create_graph=True)
        np.testing.assert_allclose(g.numpy(), [1.0, 2.0])
        assert not g.requires_grad or mg.grad(g.sum(), x, allow_unused=True)[0] is None


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


def test_no_grad_works_as_a_bare_decorator():
    @mg.no_grad
    def f(t):
        return t * 2
    assert f(leaf([1.0])).grad_fn is None


def test_retain_grad_twice_keeps_one_gradient():
    x = leaf([1.0, 2.0])
    y = x * 3
    y.retain_grad()
    y.retain_grad()
    y.sum().backward()
    assert y.grad.tolist() == [1.0, 1.0]


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


def test_a_saved_constant_is_rebuilt_and_still_checked_for_in_place_changes():
    x = leaf([1.0, 2.0])
    c = mg.Tensor(np.array([3.0, 4.0]))      # needs no grad: the node keeps its array
    y = x * c
    assert y.grad_fn.saved[1].tensor is None and y.grad_fn.saved[1].array is c.numpy()
    c.add_(1.0)
    with pytest.raises(RuntimeError, match=r"Mul: input 1 saved for backward.*modified in place"):
        y.sum().backward()
    z = x * mg.Tensor(np.array([3.0, 4.0]))
    z.sum().backward()                        # the constant tensor itself is gone by now
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 4.0])


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


def test_saving_an_input_the_op_does_not_have_names_the_op():
    class Twice(Function, register=False):
        """y = 2 x.
        dx = 2 dy
        """

        def forward(self, a):
            self.save_for_backward(Input(1))
            return 2 * a

        def backward(self, g):
            return g * 2

    with pytest.raises(IndexError, match=r"Twice.forward: save_for_backward\(Input\(1\)\) but the op has 1 input"):
        Twice()(leaf([1.0]))


@pytest.mark.parametrize("op, name", [("tanh", "Tanh"), ("sigmoid", "Sigmoid")])
def test_saved_arrays_are_checked_like_saved_tensors(op, name):
    """A plain backward that reads its saved output as an array (``saved_arrays``)
    still catches an in-place change of it, and a second backward."""
    x = leaf([0.5, -1.0])
    y = getattr(x, op)()
    with mg.no_grad():
        y.add_(1.0)
    with pytest.raises(RuntimeError, match=rf"{name}: output saved for backward.*modified in place"):
        y.sum().backward()
    z = getattr(x, op)()
    z.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        z.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        z.grad_fn.saved_arrays


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


def test_retained_grad_is_taken_after_all_hooks_and_follows_in_place_ops():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (mg, torch):
        x = lib.tensor(np.ones(3), requires_grad=True)
        y = x * 2
        y.retain_grad()
        y.register_hook(lambda g: g * 10)   # registered after retain_grad, runs before it
        y.sum().backward()
        z = x * 2
        z.retain_grad()
        seen = []
        z.register_hook(seen.append)   # the gradient of z before the in-place op
        z *= 3
        (z * z).sum().backward()
        results.append((y.grad.tolist(), z.grad.tolist(), seen[0].tolist(), x.grad.tolist()))
    assert results[0] == results[1] == ([10.0] * 3, [12.0] * 3, [36.0] * 3, [92.0] * 3)


def test_leaf_grad_never_shares_memory_with_a_retained_grad():
    x = mg.tensor(np.ones(3), requires_grad=True)
    y = x + 1
    y.retain_grad()
    (y * mg.tensor(np.full(3, 2.0))).sum().backward()
    x.grad.mul_(0)   # as clip_grad_norm_ scales gradients in place
    assert y.grad.tolist() == [2.0, 2.0, 2.0]   # PyTorch's too


def test_set_grad_enabled_as_a_call_a_context_and_a_decorator():
    torch = pytest.importorskip("torch")
    for lib in (mg, torch):
        try:
            lib.set_grad_enabled(False)   # a plain call sets the mode
            assert not lib.is_grad_enabled()
            assert not (lib.ones(2, requires_grad=True) * 2).requires_grad
        finally:
            lib.set_grad_enabled(True)
        lib.no_grad()   # made but not entered: no change
        assert lib.is_grad_enabled()
        with lib.set_grad_enabled(False):
            assert not lib.is_grad_enabled()
        assert lib.is_grad_enabled()

        @lib.set_grad_enabled(False)
        def inside():
            return lib.is_grad_enabled()
        assert lib.is_grad_enabled() and inside() is False and lib.is_grad_enabled()


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


def test_a_gradient_of_a_shape_the_input_does_not_broadcast_to_names_the_op():
    class _WrongShape(Function):   # (a leading underscore keeps it out of the registry)
        """y = x.
        dx = dy
        """
        def forward(self, a):
            return a.copy()

        def backward(self, g):
            return mg.ones(4)

    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"_WrongShape.backward returned a gradient of shape "
                                         r"\(4,\) for input 0 of shape \(3,\)"):
        _WrongShape()(x).sum().backward()


# -- one RemovableHandle for every kind of hook ---------------------------------------

def test_a_handle_removes_its_own_registration_only_and_only_once():
    from minigrad.utils.hooks import RemovableHandle
    seen = []
    record = seen.append
    for make in (lambda: leaf([1.0, 2.0]), lambda: leaf([1.0, 2.0]) * 1.0):
        x = make()
        first, second = x.register_hook(record), x.register_hook(record)
        assert isinstance(first, RemovableHandle) and isinstance(second, RemovableHandle)
        first.remove()
        first.remove()   # a second remove takes nothing else off
        seen.clear()
        (x * 2).sum().backward()
        assert len(seen) == 1, "the second registration of the same function stays"
        second.remove()
        seen.clear()
        (x * 2).sum().backward()
        assert seen == []
    layer = mg.nn.Linear(2, 2)
    handle = layer.register_forward_hook(lambda m, i, o: seen.append("hook"))
    assert type(handle) is RemovableHandle
    with handle:
        layer(mg.ones(1, 2))
    layer(mg.ones(1, 2))
    assert seen == ["hook"]


def test_a_hook_registered_after_retain_grad_still_runs_before_it():
    x = leaf([1.0, 2.0])
    y = x * 1.0
    y.retain_grad()
    handle = y.register_hook(lambda g: g * 10)
    (y * 3).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [30.0, 30.0])
    handle.remove()
    y.grad = None
    (y * 3).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [3.0, 3.0])
