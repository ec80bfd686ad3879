"""Sums (sum, mean, cumsum, var, std): registry cases (every axis option), values,
dtypes, and the edge shapes of every reduction as PyTorch."""
import warnings

import numpy as np
import pytest

import minigrad as mg
from tests.against_torch import grad_of, same_values_and_grads
from tests.registry import Case

CASES = [
    Case("sum_all", lambda a: a.sum(), lambda r: r.normal(size=(3, 4))),
    Case("sum_axis0", lambda a: a.sum(axis=0), lambda r: r.normal(size=(3, 4))),
    Case("sum_axis_neg_keepdims", lambda a: a.sum(axis=-1, keepdims=True) * a,
         lambda r: r.normal(size=(2, 3))),
    Case("sum_axis_tuple", lambda a: a.sum(axis=(0, 2)) ** 2, lambda r: r.normal(size=(2, 3, 2))),
    Case("mean_all", lambda a: a.mean() * a, lambda r: r.normal(size=(5,))),
    Case("mean_axis1_keepdims", lambda a: a.mean(axis=1, keepdims=True) ** 2,
         lambda r: r.normal(size=(3, 4))),
    Case("mean_axis_tuple", lambda a: a.mean(axis=(1, 2)) ** 2, lambda r: r.normal(size=(2, 3, 2))),
    Case("var_ddof0", lambda a: a.var(axis=0, ddof=0), lambda r: r.normal(size=(4, 3))),
    Case("var_unbiased_keepdim", lambda a: a.var(dim=1, keepdim=True),
         lambda r: r.normal(size=(3, 4))),
    Case("std_all", lambda a: a.std(), lambda r: r.normal(size=(6,))),
    Case("std_correction0", lambda a: a.std(0, correction=0), lambda r: r.normal(size=(5, 2))),
    Case("cumsum_dim0", lambda a: a.cumsum(0) ** 2, lambda r: r.normal(size=(4, 3))),
    Case("cumsum_last", lambda a: mg.cumsum(a, dim=-1) * a, lambda r: r.normal(size=(2, 5))),
]


def test_values_match_numpy():
    a = np.random.default_rng(0).normal(size=(3, 4, 2))
    t = mg.Tensor(a)
    for axis in (None, 0, 1, -1, (0, 2)):
        for keepdims in (False, True):
            for name in ("sum", "mean"):
                np.testing.assert_allclose(getattr(t, name)(axis=axis, keepdims=keepdims).data,
                                           getattr(a, name)(axis=axis, keepdims=keepdims))
                np.testing.assert_allclose(getattr(t, name)(dim=axis, keepdim=keepdims).data,
                                           getattr(a, name)(axis=axis, keepdims=keepdims))
            np.testing.assert_allclose(t.var(axis=axis, keepdims=keepdims).numpy(),
                                       a.var(axis=axis, keepdims=keepdims, ddof=1))
            np.testing.assert_allclose(t.var(axis, unbiased=False, keepdim=keepdims).numpy(),
                                       a.var(axis=axis, keepdims=keepdims))


def test_dim_and_axis_together_is_an_error():
    x = mg.ones(2, 3)
    for call in (lambda: x.sum(dim=0, axis=1), lambda: x.mean(0, keepdim=True, keepdims=True),
                 lambda: x.var(unbiased=True, ddof=0), lambda: mg.cat([x, x], dim=0, axis=0)):
        with pytest.raises(TypeError, match="not both|one of"):
            call()


def test_a_bad_axis_is_an_error():
    with pytest.raises(TypeError, match="sum: axis must be an int"):
        mg.ones(2).sum(axis=1.5)
    with pytest.raises(ValueError, match="axis 5 is out of range"):
        mg.ones(2, 3).sum(axis=5)


def test_reduction_of_float32_stays_float32():
    t = mg.ones(3, 4)
    assert t.sum().dtype == t.mean(0).dtype == t.var().dtype == t.cumsum(1).dtype == np.float32


def test_zero_d_tensor_accepts_axis_0_and_minus_1():
    t = mg.tensor(3.0, requires_grad=True)
    for name in ("sum", "mean"):
        for axis in (0, -1):
            assert getattr(t, name)(axis=axis).item() == 3.0
    assert t.var(axis=0, ddof=0).item() == 0.0


def test_cumsum_against_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(2).normal(size=(3, 4, 2))
    for dim in (0, 1, 2, -1):
        same_values_and_grads(torch, lambda x: x.cumsum(dim), lambda x: x.cumsum(dim), a)
    assert mg.tensor([1, 2, 3]).cumsum(0).tolist() == [1, 3, 6]
    assert mg.tensor([1, 2, 3]).cumsum(axis=0).dtype == np.int64


def test_cumsum_records_nothing_under_no_grad():
    x = mg.Tensor(np.random.default_rng(7).normal(size=(3, 4)), requires_grad=True)
    with mg.no_grad():
        y = x.cumsum(0)
    assert y.grad_fn is None and not y.requires_grad


def test_float32_cumsum_accumulates_like_torch():
    torch = pytest.importorskip("torch")
    ours = mg.full((3000,), 0.1).cumsum(0)
    theirs = torch.full((3000,), 0.1).cumsum(0)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-7)
    assert ours[-1].item() == theirs[-1].item()


# -- gradients PyTorch keeps finite where the plain formula gives NaN ---------------------

def test_standardising_a_constant_row_has_pytorch_finite_gradient():
    torch = pytest.importorskip("torch")
    x = [[1.0, 1.0, 1.0], [1.0, 2.0, 4.0], [-3.0, -3.0, -3.0]]

    def standardise(t):
        return (t - t.mean(1, keepdim=True)) / (t.std(1, keepdim=True) + 1e-5) * t

    ours, theirs = grad_of(mg, standardise, x), grad_of(torch, standardise, x)
    assert np.isfinite(ours).all()
    np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-6)
    for dim in (0, 1):   # std alone: 0 where std is 0 (PyTorch masks it)
        ours = grad_of(mg, lambda t: t.std(dim, correction=0), x)
        np.testing.assert_allclose(ours, grad_of(torch, lambda t: t.std(dim, correction=0), x),
                                   rtol=1e-12, atol=1e-12)


# -- edge shapes, as PyTorch ---------------------------------------------------------------
@pytest.mark.parametrize("name, shape, kwargs", [
    ("var", (1,), {}), ("std", (1,), {}), ("var", (3, 1), {"dim": 1}), ("var", (0,), {}),
    ("var", (0,), {"unbiased": False}), ("var", (2,), {"correction": 3}),
    ("mean", (0,), {}), ("mean", (0, 3), {"dim": 0}), ("sum", (2, 3), {"dim": ()}),
    ("sum", (2, 3), {"dim": [], "keepdim": True}), ("mean", (2, 3), {"dim": ()}),
    ("amax", (2, 3), {"dim": ()}), ("var", (2, 3), {"dim": ()}), ("norm", (2, 3), {"dim": ()}),
])
def test_degenerate_reductions_match_torch(name, shape, kwargs):
    """One element's variance and an empty mean are NaN (a warning, no error); dim=()
    reduces over every dim."""
    torch = pytest.importorskip("torch")
    a = np.arange(float(np.prod(shape))).reshape(shape) * 1.5 + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = getattr(torch.tensor(a, dtype=torch.float32), name)(**kwargs)
        result = getattr(mg.tensor(a.astype(np.float32)), name)(**kwargs)
    assert result.dtype == np.float32 and result.shape == tuple(expected.shape)
    np.testing.assert_allclose(result.numpy(), expected.numpy(), rtol=1e-6)


def test_variance_of_one_element_has_torchs_nan_gradient():
    torch = pytest.importorskip("torch")
    x, tx = mg.tensor([2.0], requires_grad=True), torch.tensor([2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x.var().backward()
        tx.var().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())
    empty = mg.zeros(0, requires_grad=True)
    empty.mean().backward()
    assert empty.grad.shape == (0,)
