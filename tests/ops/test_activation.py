"""Activations and softmax: registry cases, stability, values."""
import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.ops.activation import SigmoidBackward, TanhBackward
from tests.registry import Case

away_from_zero = lambda r, *s: r.choice([-1, 1], s) * r.uniform(0.2, 2, s)  # noqa: E731

CASES = [
    Case("relu", lambda a: F.relu(a) * a, lambda r: away_from_zero(r, 3, 4)),
    Case("relu_at_zero", lambda a: a.relu(), lambda r: np.array([0.0, 1.0, -1.0]),
         gradgrad="relu at 0 is a kink"),
    Case("sigmoid", lambda a: a.sigmoid(), lambda r: r.normal(size=(2, 5)) * 3),
    Case("tanh", lambda a: a.tanh(), lambda r: r.normal(size=(4,))),
    Case("sigmoid_backward_op", lambda g, y: SigmoidBackward()(g, y),
         lambda r: (r.normal(size=(3,)), r.uniform(0.1, 0.9, (3,)))),
    Case("tanh_backward_op", lambda g, y: TanhBackward()(g, y),
         lambda r: (r.normal(size=(2, 2)), r.uniform(-0.9, 0.9, (2, 2)))),
    Case("leaky_relu", lambda a: F.leaky_relu(a, 0.1) * a, lambda r: away_from_zero(r, 3, 3)),
    Case("elu", lambda a: F.elu(a, alpha=0.7), lambda r: away_from_zero(r, 6)),
    Case("gelu", lambda a: F.gelu(a), lambda r: r.normal(size=(5,)) * 2),
    Case("gelu_tanh", lambda a: F.gelu(a, approximate="tanh"), lambda r: r.normal(size=(5,)) * 2),
    Case("softplus", lambda a: F.softplus(a, beta=2.0, threshold=5.0),
         lambda r: np.array([-3.0, -0.5, 0.3, 1.2, 4.0])),
    Case("softmax_last", lambda a: a.softmax(), lambda r: r.normal(size=(3, 4))),
    Case("softmax_axis0", lambda a: F.softmax(a, axis=0), lambda r: r.normal(size=(3, 2, 2))),
    Case("log_softmax_axis1", lambda a: a.log_softmax(axis=1), lambda r: r.normal(size=(2, 4, 2))),
]


def test_sigmoid_is_stable_for_large_inputs():
    x = mg.tensor([-1e4, -50.0, 0.0, 50.0, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = x.sigmoid()
    assert np.all(np.isfinite(y.numpy())) and y.numpy()[0] == 0 and y.numpy()[-1] == 1
    assert y.numpy()[2] == 0.5


def test_softmax_and_log_softmax_are_stable_for_huge_logits():
    for dtype in (np.float32, np.float64):
        x = mg.Tensor(np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype=dtype), requires_grad=True)
        p, lp = x.softmax(), x.log_softmax()
        assert np.all(np.isfinite(p.numpy())) and np.all(np.isfinite(lp.numpy()))
        np.testing.assert_allclose(p.numpy().sum(axis=1), 1, rtol=1e-6)
        (lp * mg.Tensor(np.ones((2, 3), dtype))).sum().backward()
        assert np.all(np.isfinite(x.grad.numpy()))


def test_values_against_formulas():
    a = np.linspace(-3, 3, 13)
    t = mg.Tensor(a)
    np.testing.assert_allclose(F.gelu(t).numpy(), [v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in a])
    np.testing.assert_allclose(F.elu(t).numpy(), np.where(a > 0, a, np.expm1(a)))
    np.testing.assert_allclose(F.softplus(t).numpy(), np.log1p(np.exp(a)))
    np.testing.assert_allclose(F.leaky_relu(t).numpy(), np.where(a > 0, a, 0.01 * a))
    np.testing.assert_allclose(t.tanh().numpy(), np.tanh(a))


def test_against_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(0).normal(size=(4, 5)) * 3
    for name, kw in [("relu", {}), ("sigmoid", {}), ("tanh", {}), ("gelu", {}), ("elu", {}),
                     ("softplus", {}), ("leaky_relu", {}), ("softmax", {"dim": 1}),
                     ("log_softmax", {"dim": 1})]:
        x = mg.Tensor(a, requires_grad=True)
        mkw = {"axis": 1} if "dim" in kw else {}
        getattr(F, name)(x, **mkw).sum().backward() if name not in ("softmax",) else \
            (getattr(F, name)(x, **mkw) * mg.Tensor(a)).sum().backward()
        tx = torch.tensor(a, requires_grad=True)
        ty = getattr(torch.nn.functional, name)(tx, **kw)
        (ty.sum() if name != "softmax" else (ty * torch.tensor(a)).sum()).backward()
        np.testing.assert_allclose(getattr(F, name)(mg.Tensor(a), **mkw).data, ty.detach().numpy(),
                                   rtol=1e-6, atol=1e-7, err_msg=name)
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6, atol=1e-7, err_msg=name)


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ValueError, match="gelu: approximate"):
        F.gelu(mg.ones(2), approximate="fast")


# -- silu, hardtanh (issue 11) ------------------------------------------------------------------

CASES += [
    Case("silu", lambda a: F.silu(a), lambda r: r.normal(size=(3, 4)) * 3),
    Case("hardtanh_default", lambda a: F.hardtanh(a) * a, lambda r: r.uniform(-2, 2, (4, 3))),
    Case("hardtanh_bounds", lambda a: F.hardtanh(a, -0.5, 2.0),
         lambda r: np.array([-1.0, -0.3, 0.4, 1.9, 3.0])),
]


def test_silu_and_hardtanh_against_torch_including_the_bounds():
    torch = pytest.importorskip("torch")
    a = np.concatenate([np.random.default_rng(1).normal(size=20) * 4,
                        [-1.0, 1.0, -0.5, 2.0, 0.0, -800.0, 800.0]])
    for fn, t_fn in ((F.silu, torch.nn.functional.silu),
                     (F.hardtanh, torch.nn.functional.hardtanh),
                     (lambda x: F.hardtanh(x, -0.5, 2.0), lambda x: torch.nn.functional.hardtanh(x, -0.5, 2.0)),
                     (nn.SiLU(), torch.nn.SiLU()), (nn.Hardtanh(-0.5, 2.0), torch.nn.Hardtanh(-0.5, 2.0))):
        x = mg.Tensor(a, requires_grad=True)
        y = fn(x)
        (y * mg.Tensor(a)).sum().backward()
        tx = torch.tensor(a, requires_grad=True)
        ty = t_fn(tx)
        (ty * torch.tensor(a)).sum().backward()
        np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_hardtanh_gradient_is_zero_at_the_bounds():
    x = mg.Tensor(np.array([-1.0, -0.999, 0.0, 0.999, 1.0]), requires_grad=True)
    F.hardtanh(x).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]


def test_silu_and_hardtanh_modules():
    assert repr(nn.Hardtanh(-2, 3)) == "Hardtanh(min_val=-2.0, max_val=3.0)"
    assert repr(nn.SiLU()) == "SiLU()" and repr(nn.SiLU(inplace=True)) == "SiLU(inplace=True)"
    y = nn.Hardtanh()(mg.tensor([-3.0, 0.5, 3.0]))
    assert y.tolist() == [-1.0, 0.5, 1.0] and y.dtype == np.float32
    assert F.silu(mg.tensor([1e4, -1e4])).tolist() == [1e4, -0.0]
    with pytest.raises(ValueError, match=r"Hardtanh: min_val \(2.0\) must not be greater than max_val"):
        nn.Hardtanh(2, 1)


@pytest.mark.parametrize("activation, backward_op", [("tanh", TanhBackward),
                                                     ("sigmoid", SigmoidBackward)])
def test_plain_backward_calls_the_backward_ops_formula_directly(activation, backward_op):
    """A plain backward of tanh/sigmoid runs its backward op's ``compute`` on arrays (no
    node); under create_graph the same op is recorded. Same numbers, in float32 too."""
    for dtype in (np.float32, np.float64):
        data = np.random.default_rng(2).normal(size=(3, 4)).astype(dtype)
        dy = mg.Tensor(np.random.default_rng(3).normal(size=(3, 4)).astype(dtype))
        x = mg.Tensor(data, requires_grad=True)
        y = getattr(x, activation)()
        plain, = mg.autograd.grad([y], [x], [dy], retain_graph=True)
        graphed, = mg.autograd.grad([y], [x], [dy], create_graph=True)
        assert plain.grad_fn is None and isinstance(graphed.grad_fn, backward_op)
        assert plain.dtype == dtype
        np.testing.assert_array_equal(plain.numpy(), graphed.numpy())


@pytest.mark.parametrize("shape, dim", [((2, 0), 1), ((0, 3), 1), ((0, 3), 0), ((4, 0, 2), 1)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_over_an_empty_tensor_is_empty_as_torch(shape, dim, name):
    torch = pytest.importorskip("torch")
    x = mg.zeros(*shape, requires_grad=True)
    y = getattr(x, name)(dim)
    assert y.shape == tuple(getattr(torch.zeros(*shape), name)(dim).shape)
    y.sum().backward()
    assert x.grad.shape == shape
