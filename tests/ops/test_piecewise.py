"""maximum/minimum (gradient to the operand picked, halved on ties) and the step
functions round/floor/ceil/trunc/sign (gradient 0), against PyTorch."""
import numpy as np
import pytest

import minigrad as mg
from tests.registry import Case


def _with_ties(r):
    a = r.normal(size=(3, 4))
    b = r.normal(size=(3, 4))
    b[0, :2] = a[0, :2]   # ties: the gradient is split in half
    return a, b


CASES = [
    Case("maximum_ties", mg.maximum, _with_ties, gradgrad="a kink where a = b"),
    Case("maximum_broadcast", mg.maximum, lambda r: (r.normal(size=(2, 3)), r.normal(size=(3,)))),
    Case("minimum_ties", mg.minimum, _with_ties, gradgrad="a kink where a = b"),
    Case("minimum_broadcast", mg.minimum, lambda r: (r.normal(size=(4, 1)), r.normal(size=(1, 5)))),
    Case("floor", lambda a: a.floor() * a, lambda r: r.uniform(0.1, 0.9, size=(3, 3)) + np.arange(3)),
    Case("round_sign", lambda a: a.round() + a.sign() * a, lambda r: r.uniform(0.1, 0.4, size=(4,)) * [1, -1, 1, -1]),
    Case("ceil_trunc", lambda a: a.ceil() * a.trunc() + a, lambda r: r.uniform(0.1, 0.9, size=(2, 3)) + 2),
]


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_maximum_minimum_match_torch_with_ties_and_broadcasting(name, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(3, 4)).astype(dtype), rng.normal(size=(4,)).astype(dtype)
    a[1] = b   # a whole row of ties
    g = rng.normal(size=(3, 4)).astype(dtype)
    x, y = mg.tensor(a, requires_grad=True), mg.tensor(b, requires_grad=True)
    out = getattr(mg, name)(x, y)
    out.backward(mg.tensor(g))
    tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    tout = getattr(torch, name)(tx, ty)
    tout.backward(torch.tensor(g))
    assert out.dtype == tout.detach().numpy().dtype
    np.testing.assert_array_equal(out.numpy(), tout.detach().numpy())
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(y.grad.numpy(), ty.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", ["round", "floor", "ceil", "trunc", "sign"])
def test_step_functions_match_torch_values_and_zero_gradient(name):
    torch = pytest.importorskip("torch")
    values = np.array([-2.5, -1.5, -0.5, -0.2, 0.0, 0.3, 0.5, 1.5, 2.5, 3.7], dtype=np.float32)
    x = mg.tensor(values, requires_grad=True)
    tx = torch.tensor(values, requires_grad=True)
    out, tout = getattr(x, name)(), getattr(tx, name)()
    np.testing.assert_array_equal(out.numpy(), tout.detach().numpy())   # round half to even
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())
    ints = np.array([-3, 0, 4])
    assert getattr(mg.tensor(ints), name)().tolist() == getattr(torch.tensor(ints), name)().tolist()


def test_round_with_decimals_and_divide_with_rounding_modes_match_torch():
    torch = pytest.importorskip("torch")
    a = np.array([1.2345, -2.5678, 7.0, -7.0], dtype=np.float64)
    np.testing.assert_allclose(mg.tensor(a).round(decimals=2).numpy(),
                               torch.tensor(a).round(decimals=2).numpy())
    for mode in ("floor", "trunc", None):
        for b in (2.0, -3.0):
            np.testing.assert_allclose(mg.tensor(a).div(b, rounding_mode=mode).numpy(),
                                       torch.tensor(a).div(b, rounding_mode=mode).numpy())
        ours = mg.tensor([7, -7, 5]).div(2, rounding_mode=mode)
        theirs = torch.tensor([7, -7, 5]).div(2, rounding_mode=mode)
        assert ours.tolist() == theirs.tolist()
    with pytest.raises(ValueError, match="rounding_mode"):
        mg.tensor(a).div(2, rounding_mode="up")


def test_maximum_refuses_non_tensors_by_name():
    with pytest.raises(TypeError, match="maximum: both arguments must be Tensors"):
        mg.maximum(mg.ones(2), 3.0)


@pytest.mark.parametrize("mode", ["floor", "trunc"])
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_integer_division_with_rounding_keeps_the_integer_dtype_and_exact_values(mode, dtype):
    torch = pytest.importorskip("torch")
    a = np.array([7, -7, 2 ** 30 + 1, -(2 ** 30) - 1], dtype=dtype)
    ours, theirs = mg.tensor(a).div(2, rounding_mode=mode), torch.tensor(a).div(2, rounding_mode=mode)
    assert ours.dtype == theirs.numpy().dtype
    assert ours.tolist() == theirs.tolist()
    with pytest.raises(RuntimeError):
        torch.tensor(a).div(0, rounding_mode=mode)
    with pytest.raises(RuntimeError):
        mg.tensor(a).div(0, rounding_mode=mode)
