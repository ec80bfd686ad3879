"""autograd.grad (minigrad/capture.py) and higher derivatives: gradients of chosen
tensors without touching .grad, only between the outputs and the inputs, and
create_graph for second derivatives and Hessian-vector products."""
import numpy as np
import pytest

import minigrad as mg
from tests.autograd_helpers import leaf


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


def test_grad_walks_only_between_outputs_and_inputs():
    x = leaf(np.ones(3))
    h = (x * 2).exp()
    h.sum().backward()                     # frees x -> h
    fired = []
    x.register_hook(lambda g: fired.append(1))
    (gh,) = mg.grad((h * h).sum(), h)      # needs nothing upstream of h
    np.testing.assert_allclose(gh.numpy(), 2 * np.exp(2.0))
    assert fired == []


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
