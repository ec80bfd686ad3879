"""Comparisons with PyTorch (float64) shared by the reduction and shape tests: run
one function in both libraries and hold their values and gradients equal."""
import numpy as np

import minigrad as mg


def same_values_and_grads(torch, fn_mg, fn_torch, a, weights=None):
    """Values and gradients of ``fn`` in minigrad and in PyTorch (float64) agree to
    1e-12 / 1e-10; returns minigrad's gradient. ``weights`` (random by default)
    make the backward's ``dy``."""
    x = mg.Tensor(a, requires_grad=True)
    y = fn_mg(x)
    tx = torch.tensor(a, requires_grad=True)
    ty = fn_torch(tx)
    w = np.random.default_rng(9).normal(size=ty.shape) if weights is None else weights
    (y * mg.Tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-14)
    torch_grad = np.zeros_like(a) if tx.grad is None else tx.grad.numpy()   # None: p=0 norm
    np.testing.assert_allclose(x.grad.numpy(), torch_grad, rtol=1e-10, atol=1e-14)
    return x.grad.numpy()


def same_moved_values_and_grads(torch, fn, a):
    """``fn(x, library)`` moves numbers without changing them: its values equal
    PyTorch's exactly, its gradients to 1e-12."""
    x = mg.Tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    y, ty = fn(x, mg), fn(tx, torch)
    w = np.random.default_rng(0).normal(size=tuple(ty.shape))
    (y * mg.Tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-14)


def grad_of(lib, fn, x):
    """The gradient of ``fn(x).sum()`` at ``x`` (float64) in ``lib`` (minigrad or torch)."""
    t = lib.tensor(np.array(x, dtype=np.float64), requires_grad=True)
    fn(t).sum().backward()
    return np.asarray(t.grad.detach().numpy() if lib is not mg else t.grad.numpy())
