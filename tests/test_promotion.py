"""PyTorch's type promotion (minigrad/promotion.py), checked against torch itself:
every pair of dtypes and operand kinds, and each op that combines dtypes."""
import itertools

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.promotion import result_dtype

torch = pytest.importorskip("torch")

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
NUMBERS = [True, 3, 2.5]


def both(values, dtype, zero_dim):
    """The same values as a minigrad and a torch tensor (0-d or of shape (3,))."""
    array = np.asarray(values, dtype=dtype)
    array = array[0] if zero_dim else array
    return mg.tensor(array), torch.from_numpy(np.array(array))


def torch_dtype_name(t):
    """``t``: a torch tensor or dtype, as numpy's dtype name."""
    return str(getattr(t, "dtype", t)).replace("torch.", "")


def assert_same(ours, theirs):
    assert str(ours.dtype) == torch_dtype_name(theirs)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy().astype(np.float64),
                               theirs.double().numpy(), rtol=1e-3, equal_nan=True)


@pytest.mark.parametrize("zero_dim", [(False, False), (False, True), (True, False), (True, True)])
def test_every_pair_of_dtypes_promotes_as_torch(zero_dim):
    for left, right in itertools.product(DTYPES, DTYPES):
        a, ta = both([1, 0, 1], left, zero_dim[0])
        b, tb = both([1, 1, 0], right, zero_dim[1])
        assert result_dtype(a, b) == np.dtype(torch_dtype_name(torch.result_type(ta, tb))), \
            (left, right, zero_dim)
        assert_same(a * b, ta * tb)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("number", NUMBERS)
def test_a_python_number_only_raises_the_category(dtype, number):
    a, ta = both([1, 0, 1], dtype, False)
    assert_same(a * number, ta * number)
    assert_same(number * a, number * ta)
    if dtype != "bool" or isinstance(number, bool):   # torch refuses bool - number
        assert_same(a + number, ta + number)


def test_the_traps_of_issue_20_give_torchs_dtypes():
    i, ti = mg.tensor([1, 2, 3]), torch.tensor([1, 2, 3])
    f, tf = mg.tensor([0.5, 1.5, 2.0]), torch.tensor([0.5, 1.5, 2.0])
    zero_dim64, tzero_dim64 = mg.tensor(np.float64(2.0)), torch.tensor(2.0, dtype=torch.float64)
    assert_same(i + f, ti + tf)
    assert_same(f * zero_dim64, tf * tzero_dim64)
    assert_same(i * 2.5, ti * 2.5)
    assert_same(f.pow(i), tf.pow(ti))
    assert_same(i ** f, ti ** tf)
    assert_same(mg.cat([i, f]), torch.cat([ti, tf]))
    assert_same(mg.stack([i, f]), torch.stack([ti, tf]))
    assert_same(mg.where(i > 1, i, f), torch.where(ti > 1, ti, tf))
    assert_same(mg.where(i > 1, i, 2.5), torch.where(ti > 1, ti, 2.5))
    assert_same(mg.where(i > 1, 1, 0), torch.where(ti > 1, 1, 0))
    assert_same(mg.where(i > 1, 1.0, 0.0), torch.where(ti > 1, 1.0, 0.0))
    assert_same(i.clamp(1.5), ti.clamp(1.5))
    assert_same(i.clamp(max=2.5), ti.clamp(max=2.5))
    assert_same(i.clamp(2), ti.clamp(2))
    assert_same(mg.full((2,), 3), torch.full((2,), 3))
    assert_same(mg.full((2,), True), torch.full((2,), True))
    assert_same(mg.full((2,), 2.5), torch.full((2,), 2.5))


def test_comparisons_promote_first():
    """float32 == 0-d float64 compares in float32 (numpy would say 0.1 != 0.1)."""
    a, ta = mg.tensor([0.1, 0.2]), torch.tensor([0.1, 0.2])
    b, tb = mg.tensor(np.float64(0.1)), torch.tensor(0.1, dtype=torch.float64)
    assert (a == b).tolist() == (ta == tb).tolist()
    assert (a < b).tolist() == (ta < tb).tolist()


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sigmoid", "tanh", "erf", "sin",
                                  "cos", "log1p", "expm1"])
@pytest.mark.parametrize("dtype", ["bool", "uint8", "int32", "int64", "float64"])
def test_float_functions_of_integer_tensors_are_float32(name, dtype):
    a, ta = both([1, 2, 3], dtype, False)
    assert_same(getattr(a, name)(), getattr(ta, name)())


def test_mean_of_an_integer_tensor_is_float32():
    """API.md: float32 (PyTorch refuses it, so no script depends on an error)."""
    assert mg.tensor([1, 2]).mean().dtype == np.float32
    assert mg.tensor([1, 2]).mean().item() == 1.5


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int32", "int64"])
def test_integer_sums_and_products_are_int64(dtype):
    a, ta = both([1, 1, 0], dtype, False)
    assert_same(a.sum(), ta.sum())
    assert_same(a.sum(0), ta.sum(0))
    assert_same(a.prod(), ta.prod())
    assert_same(a.cumsum(0), ta.cumsum(0))


def test_losses_and_linear_with_integer_targets_stay_float32():
    rng = np.random.default_rng(0)
    out = rng.normal(size=(4, 3)).astype(np.float32)
    target = rng.integers(0, 3, (4, 3))
    x, tx = mg.tensor(out, requires_grad=True), torch.tensor(out, requires_grad=True)
    loss, tloss = F.mse_loss(x, mg.tensor(target)), torch.nn.functional.mse_loss(tx, torch.tensor(target))
    assert_same(loss, tloss.detach())
    loss.backward()
    tloss.backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5)
    # int features + float32 bias -> float32, which Linear accepts
    layer = mg.nn.Linear(3, 2)
    assert layer(mg.tensor(target) + mg.zeros(3)).dtype == np.float32


def test_python_int_overflow_is_an_error():
    for value in (2**63, [1, 2**63], [[2**64]]):
        with pytest.raises(ValueError, match="does not fit in int64"):
            mg.tensor(value)
        with pytest.raises((ValueError, RuntimeError)):
            torch.tensor(value)
    assert mg.tensor(-2**63).item() == torch.tensor(-2**63).item()
    with pytest.raises(OverflowError):   # API.md: an error, never a wrap-around
        mg.tensor([1, 2]) + 2**63


def test_same_dtype_operands_take_the_fast_path():
    """Equal dtypes: no cast node in the graph (a float32 tensor times 2.0 is MulScalar)."""
    a = mg.ones(3, requires_grad=True)
    assert (a * 2.0).grad_fn.name == "MulScalar"
    assert (a + a).grad_fn.name == "Add"
    assert type((a + mg.ones(3, dtype=np.float64)).grad_fn.parents[0]).__name__ == "Cast"
