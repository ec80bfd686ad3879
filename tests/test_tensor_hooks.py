"""Tensor hooks and retain_grad (minigrad/utils/hooks.py): what a hook sees and
replaces, when a retained gradient is taken, one RemovableHandle for every kind of
hook."""
import numpy as np
import pytest

import minigrad as mg
from tests.autograd_helpers import leaf


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


def test_leaf_hooks_see_the_total_gradient_and_run_in_grad():
    x = leaf(np.ones(3))
    x.register_hook(lambda g: g.clip(hi=1.0))
    (x * 2 + x * 3).sum().backward()       # total 5 clipped once, not 2 and 3 separately
    assert x.grad.tolist() == [1.0, 1.0, 1.0]
    y = leaf([1.0])
    y.register_hook(lambda g: g * 10)
    assert mg.grad((y * 3).sum(), y)[0].item() == 30.0


def test_retain_grad_twice_keeps_one_gradient():
    x = leaf([1.0, 2.0])
    y = x * 3
    y.retain_grad()
    y.retain_grad()
    y.sum().backward()
    assert y.grad.tolist() == [1.0, 1.0]


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
