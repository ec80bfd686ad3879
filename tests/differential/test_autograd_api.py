"""The autograd API against PyTorch: hooks, retain_grad, gradient accumulation
across backwards and the grad modes (context, decorator, function). Each
scenario is written once and run on both libraries; the results must agree."""
from __future__ import annotations

import numpy as np
import pytest

from tests.differential.row import MINIGRAD, TORCH

X = np.array([0.5, -1.5, 2.0, 0.25])


def leaf(L):
    return L.lib.tensor(X.copy(), requires_grad=True)


def hook_replaces_gradient(L):
    x = leaf(L)
    y = x * x
    y.register_hook(lambda g: g * 3)
    x.register_hook(lambda g: g + 1)
    y.sum().backward()
    return x.grad


def removed_hook_does_not_run(L):
    x = leaf(L)
    handle = x.register_hook(lambda g: g * 100)
    handle.remove()
    (x * 2).sum().backward()
    return x.grad


def hooks_run_in_registration_order(L):
    x = leaf(L)
    y = x.exp()
    seen = []
    y.register_hook(lambda g: seen.append("first") or g * 2)
    y.register_hook(lambda g: seen.append("second") or g + 1)
    y.sum().backward()
    assert seen == ["first", "second"]
    return x.grad


def retain_grad_of_non_leaf(L):
    x = leaf(L)
    y = x * 2
    y.retain_grad()
    z = (y * y).sum()
    z.backward()
    return y.grad, x.grad


def retain_grad_sees_hooked_gradient(L):
    """A hook registered before retain_grad changes what .grad keeps (PyTorch)."""
    x = leaf(L)
    y = x * 2
    y.register_hook(lambda g: g * 10)
    y.retain_grad()
    y.sum().backward()
    return y.grad, x.grad


def retain_grad_then_hook(L):
    """PyTorch's .grad of a retained non-leaf is its gradient after every hook, even
    one registered after retain_grad."""
    x = leaf(L)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 10)
    y.sum().backward()
    return y.grad, x.grad


def grad_accumulates_across_backwards(L):
    x = leaf(L)
    (x * x).sum().backward()
    first = x.grad.clone()
    (x ** 3).sum().backward()
    return first, x.grad


def accumulation_keeps_the_grad_tensor(L):
    """PyTorch adds the second gradient into the same .grad tensor."""
    x = leaf(L)
    (x * 2).sum().backward()
    g = x.grad
    (x * 3).sum().backward()
    assert g is x.grad
    return g


def retain_graph_then_second_backward(L):
    x = leaf(L)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    return x.grad


def no_grad_context(L):
    x = leaf(L)
    with L.lib.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert L.lib.is_grad_enabled()
    return y


def no_grad_decorator(L):
    x = leaf(L)

    @L.lib.no_grad()
    def double(t):
        return t * 2
    y = double(x)
    assert not y.requires_grad
    return y


def enable_grad_inside_no_grad(L):
    x = leaf(L)
    with L.lib.no_grad():
        with L.lib.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and not z.requires_grad
    y.sum().backward()
    return x.grad


def enable_grad_decorator(L):
    x = leaf(L)

    @L.lib.enable_grad()
    def double(t):
        return t * 2
    with L.lib.no_grad():
        y = double(x)
    assert y.requires_grad
    return y


def set_grad_enabled_context_and_decorator(L):
    x = leaf(L)
    with L.lib.set_grad_enabled(False):
        y = x * 2
    assert not y.requires_grad

    @L.lib.set_grad_enabled(False)
    def double(t):
        return t * 2
    assert not double(x).requires_grad
    with L.lib.set_grad_enabled(True):
        z = x * 2
    assert z.requires_grad
    return y


def set_grad_enabled_as_function(L):
    x = leaf(L)
    L.lib.set_grad_enabled(False)
    try:
        y = x * 2
        assert not L.lib.is_grad_enabled()
    finally:
        L.lib.set_grad_enabled(True)
    assert not y.requires_grad and L.lib.is_grad_enabled()
    return y


def grad_function_leaves_dot_grad_alone(L):
    x = leaf(L)
    y = (x * x * x).sum()
    g, = L.lib.autograd.grad(y, [x], create_graph=True) if L is TORCH else L.lib.grad(
        y, [x], create_graph=True)
    gg, = (L.lib.autograd.grad if L is TORCH else L.lib.grad)(g.sum(), [x])
    assert x.grad is None
    return g, gg


SCENARIOS = [
    hook_replaces_gradient, removed_hook_does_not_run,
    hooks_run_in_registration_order, retain_grad_of_non_leaf, retain_grad_sees_hooked_gradient,
    retain_grad_then_hook,
    grad_accumulates_across_backwards,
    accumulation_keeps_the_grad_tensor,
    retain_graph_then_second_backward, no_grad_context, no_grad_decorator,
    enable_grad_inside_no_grad, enable_grad_decorator, set_grad_enabled_context_and_decorator,
    set_grad_enabled_as_function,
    grad_function_leaves_dot_grad_alone,
]


def as_tuple(result):
    return result if isinstance(result, tuple) else (result,)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: getattr(f, "__name__", None))
def test_same_as_torch(scenario):
    theirs = as_tuple(scenario(TORCH))
    mine = as_tuple(scenario(MINIGRAD))
    assert len(mine) == len(theirs)
    for i, (m, t) in enumerate(zip(mine, theirs)):
        assert m is not None and t is not None, f"{scenario.__name__}: result {i} is None"
        np.testing.assert_allclose(np.asarray(m.detach()), t.detach().numpy(), rtol=1e-12,
                                   err_msg=f"{scenario.__name__}: result {i}")
