"""PyTorch's ``autograd.Function`` protocol (static forward/backward with ctx): the same
class body runs on minigrad and on PyTorch with the same numbers."""
import numpy as np
import pytest

import minigrad as mg
from tests.registry import Case


def define_smooth_clamp(autograd):
    """x / sqrt(1 + x^2), a smooth clamp to (-1, 1), with its hand-written derivative
    (1 + x^2)^(-3/2), written once for both frameworks (``autograd`` is
    ``minigrad.autograd`` or ``torch.autograd``)."""

    class SmoothClamp(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x / (1 + x * x).sqrt()

        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            stretch = 1 + x * x
            return grad_output / (stretch * stretch.sqrt())

    return SmoothClamp


def define_scaled_exp(autograd):
    """exp(x * scale), saving its output and a non-tensor argument on ctx."""

    class ScaledExp(autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            out = (x * scale).exp()
            ctx.scale = scale
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, grad_output):
            out, = ctx.saved_tensors
            return grad_output * out * ctx.scale, None

    return ScaledExp


SmoothClamp = define_smooth_clamp(mg.autograd)
ScaledExp = define_scaled_exp(mg.autograd)

CASES = [
    Case("custom_ctx_function", SmoothClamp.apply, lambda r: r.uniform(-3, 3, size=(5,))),
    Case("custom_ctx_saves_output", lambda x: ScaledExp.apply(x, 0.5), lambda r: r.normal(size=(2, 3))),
]


def test_the_same_class_body_gives_torch_numbers():
    torch = pytest.importorskip("torch")
    ours_class, theirs_class = define_smooth_clamp(mg.autograd), define_smooth_clamp(torch.autograd)
    values = np.linspace(-4, 4, 9)
    x, tx = mg.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    y, ty = ours_class.apply(x), theirs_class.apply(tx)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-15)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-14)
    assert y.grad_fn.name() == "SmoothClampBackward" == ty.grad_fn.name()


def test_ctx_needs_input_grad_and_non_tensor_arguments():
    seen = {}

    class Probe(mg.autograd.Function):
        @staticmethod
        def forward(ctx, a, k, b):
            seen["needs"] = ctx.needs_input_grad
            return a * k + b

        @staticmethod
        def backward(ctx, g):
            return g * 2, None, g

    a, b = mg.ones(3, requires_grad=True), mg.ones(3)
    Probe.apply(a, 2, b).sum().backward()
    assert seen["needs"] == (True, False, False)
    np.testing.assert_array_equal(a.grad.numpy(), [2, 2, 2])


def test_a_forward_that_returns_no_tensor_or_a_short_backward_is_a_clear_error():
    class NoTensor(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.numpy()

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(TypeError, match="NoTensor.forward must return one Tensor"):
        NoTensor.apply(mg.ones(2, requires_grad=True))

    class Short(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(ValueError, match="Short.backward returned 1 gradient"):
        Short.apply(mg.ones(2, requires_grad=True), mg.ones(2)).sum().backward()


def test_ctx_classes_stay_out_of_the_op_registry_and_next_functions_walk_like_torch():
    torch = pytest.importorskip("torch")
    assert SmoothClamp not in mg.Function.registry
    x, tx = mg.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    y, ty = (x * 2).exp().sum(), (tx * 2).exp().sum()
    chain, tchain = [], []
    node, tnode = y.grad_fn, ty.grad_fn
    while node is not None:
        chain.append(node.name())
        node = node.next_functions[0][0] if node.next_functions else None
    while tnode is not None:
        tchain.append(tnode.name())
        tnode = tnode.next_functions[0][0] if tnode.next_functions else None
    assert len(chain) == len(tchain) == 4 and chain[-1] == tchain[-1]
    assert y.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0].variable is x
    z = x * mg.ones(2)
    assert z.grad_fn.next_functions[1] == (None, 0)
