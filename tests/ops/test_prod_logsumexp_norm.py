"""prod, logsumexp and norm (and F.normalize): registry cases, values and gradients
against PyTorch, zeros, huge values, int axes."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.ops.extremum import Max, Min
from minigrad.ops.prod_logsumexp_norm import LogSumExp, Norm, Prod, ProdOthers
from tests.against_torch import grad_of, same_values_and_grads
from tests.registry import Case

ONE_ZERO = np.array([[2.0, 0.0, 3.0, -1.5], [1.5, -2.0, 0.5, 2.0]])
TWO_ZEROS = np.array([[0.0, 1.5, 0.0], [0.7, 0.0, -2.0]])
INF_TIES = np.array([[3.0, -3.0, 1.0], [0.5, -2.0, 1.0]])


def away_from_zero(r, *shape):
    return r.choice([-1.0, 1.0], shape) * r.uniform(0.3, 2.0, shape)


CASES = [
    Case("prod_all", lambda a: a.prod(), lambda r: r.uniform(0.5, 1.5, (2, 3))),
    Case("prod_dim1", lambda a: a.prod(1), lambda r: r.normal(size=(3, 4))),
    Case("prod_dim0_keepdim", lambda a: a.prod(dim=0, keepdim=True) * a, lambda r: r.normal(size=(3, 2))),
    Case("prod_one_zero", lambda a: a.prod(axis=-1), lambda r: ONE_ZERO.copy()),
    Case("prod_several_zeros", lambda a: a.prod(1) + a.prod(), lambda r: TWO_ZEROS.copy()),
    Case("prod_3d_middle_dim", lambda a: mg.prod(a, 1), lambda r: r.normal(size=(2, 3, 2))),
    Case("prod_others", lambda a: ProdOthers()(a) ** 2, lambda r: r.normal(size=(2, 4))),
    Case("prod_others_zeros", lambda a: ProdOthers()(a), lambda r: TWO_ZEROS.copy()),
    Case("logsumexp_dim1", lambda a: a.logsumexp(1), lambda r: r.normal(size=(3, 4))),
    Case("logsumexp_dims_keepdim", lambda a: mg.logsumexp(a, (0, 2), keepdim=True) * a,
         lambda r: r.normal(size=(2, 3, 2))),
    Case("norm_2_all", lambda a: a.norm(), lambda r: r.normal(size=(3, 4))),
    Case("norm_2_dim_keepdim", lambda a: a.norm(dim=1, keepdim=True) * a, lambda r: r.normal(size=(3, 4))),
    Case("norm_1_dim0", lambda a: a.norm(1, dim=0), lambda r: away_from_zero(r, 4, 3)),
    Case("norm_3_dims", lambda a: a.norm(3, dim=(1, 2)), lambda r: away_from_zero(r, 2, 3, 2)),
    Case("norm_half_dim1", lambda a: a.norm(0.5, dim=1), lambda r: away_from_zero(r, 3, 4)),
    Case("norm_inf", lambda a: a.norm(float("inf"), dim=1), lambda r: away_from_zero(r, 3, 4)),
    Case("norm_inf_ties", lambda a: mg.norm(a, float("inf"), dim=1), lambda r: INF_TIES.copy(),
         gradgrad="ties are kinks"),
]


def test_prod_against_torch_with_zeros():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(0).normal(size=(3, 4))
    for data in (a, ONE_ZERO, TWO_ZEROS, np.zeros((2, 3))):
        same_values_and_grads(torch, lambda x: x.prod(), lambda x: x.prod(), data)
        for dim in (0, 1, -1):
            for keepdim in (False, True):
                same_values_and_grads(torch, lambda x: x.prod(dim, keepdim),
                                      lambda x: x.prod(dim, keepdim), data)


def test_prod_gradient_is_the_product_of_the_others_even_at_zeros():
    x = mg.Tensor(np.array([2.0, 0.0, 3.0]), requires_grad=True)
    x.prod().backward()
    assert x.grad.tolist() == [0.0, 6.0, 0.0]     # one zero: only it gets a gradient
    y = mg.Tensor(np.array([0.0, 5.0, 0.0]), requires_grad=True)
    y.prod().backward()
    assert y.grad.tolist() == [0.0, 0.0, 0.0]     # two zeros: every other-product has a zero
    with np.errstate(all="raise"):                 # and no 0/0 on the way
        z = mg.Tensor(np.zeros((2, 2)), requires_grad=True)
        z.prod(1).sum().backward()


def test_prod_second_derivative_with_zeros_against_torch():
    torch = pytest.importorskip("torch")
    for data in (ONE_ZERO, TWO_ZEROS):
        x = mg.Tensor(data, requires_grad=True)
        (g,) = mg.grad(x.prod(1).sum(), x, create_graph=True)
        (g * g).sum().backward()
        tx = torch.tensor(data, requires_grad=True)
        (tg,) = torch.autograd.grad(tx.prod(1).sum(), tx, create_graph=True)
        (tg * tg).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_logsumexp_against_torch_and_stable_for_huge_values():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(1).normal(size=(3, 4, 2))
    for dim in (0, 1, -1, (0, 2)):
        for keepdim in (False, True):
            same_values_and_grads(torch, lambda x: x.logsumexp(dim, keepdim),
                                  lambda x: x.logsumexp(dim, keepdim), a)
    huge = np.array([[1e4, 1e4 - 1.0, -1e4], [-1e4, -1e4, -1e4], [-np.inf, 0.0, 1.0]])
    grad = same_values_and_grads(torch, lambda x: x.logsumexp(1), lambda x: x.logsumexp(1), huge,
                                 weights=np.ones(3))
    assert np.all(np.isfinite(grad))
    assert mg.tensor(np.full(2, -np.inf)).logsumexp(0).item() == -np.inf
    assert mg.tensor(np.array([np.inf, 1.0])).logsumexp(0).item() == np.inf


def test_norm_against_torch_including_zero_vectors():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(3).normal(size=(3, 4))
    a[1] = 0.0                                   # a zero row: PyTorch's gradient there is 0
    for p in (1, 2, 3, 1.5, float("inf"), -float("inf"), 0, "fro"):
        for dim in (None, 1, 0, (0, 1)):
            if p == "fro" and dim in (0, 1):
                continue
            grad = same_values_and_grads(torch, lambda x: x.norm(p, dim), lambda x: x.norm(p, dim), a)
            assert np.all(np.isfinite(grad)), (p, dim)
    same_values_and_grads(torch, lambda x: x.norm(float("inf"), 1),
                          lambda x: x.norm(float("inf"), 1), INF_TIES,
                          weights=np.ones(2))   # ties share the gradient, as PyTorch
    x = mg.Tensor(np.zeros(3), requires_grad=True)
    x.norm().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_norm_below_one_at_a_zero_entry_matches_pytorch():
    torch = pytest.importorskip("torch")
    x = [[0.0, 1.0, -2.0], [0.0, 0.0, 0.0], [3.0, 0.0, 0.5]]
    for p in (0.5, 0.25, 1.5, 3):
        for dim in (None, 1):
            ours = grad_of(mg, lambda t: t.norm(p, dim=dim), x)
            theirs = grad_of(torch, lambda t: t.norm(p, dim=dim), x)
            assert np.isfinite(ours).all(), (p, dim)
            np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_keep_float32_and_accept_numpy_names():
    t = mg.ones(2, 3)
    for y in (t.prod(0), t.logsumexp(1), t.norm(dim=1)):
        assert y.dtype == np.float32
    np.testing.assert_allclose(t.norm(axis=1, keepdims=True).numpy(), np.full((2, 1), np.sqrt(3)))
    assert mg.tensor([[1, 2], [3, 4]]).prod(1).tolist() == [2, 12]


def test_normalize_against_torch():
    torch = pytest.importorskip("torch")
    import minigrad.nn.functional as F
    a = np.random.default_rng(6).normal(size=(3, 4, 2))
    a[1, :, 0] = 0.0                                  # a zero vector along dim 1: eps takes over
    a[2, :, 1] = 1e-14                                # a norm below eps
    for p, dim in ((2.0, 1), (1.0, 1), (2.0, -1), (3.0, 0), (float("inf"), 1)):
        same_values_and_grads(torch, lambda x: F.normalize(x, p, dim),
                              lambda x: torch.nn.functional.normalize(x, p, dim), a)
    unit = F.normalize(mg.tensor([[3.0, 4.0]]), dim=1)
    np.testing.assert_allclose(unit.numpy(), [[0.6, 0.8]], rtol=1e-6)
    assert unit.dtype == np.float32


def test_record_nothing_under_no_grad():
    x = mg.Tensor(np.random.default_rng(7).normal(size=(3, 4)), requires_grad=True)
    with mg.no_grad():
        outputs = [x.prod(1), x.logsumexp(1), x.norm(dim=1), x.norm(1)]
    assert all(y.grad_fn is None and not y.requires_grad for y in outputs)


@pytest.mark.parametrize("op", [Max, Min, Prod, LogSumExp, Norm], ids=lambda op: op.__name__)
@pytest.mark.parametrize("axis", [1, -1, 0])
def test_reductions_built_with_an_int_axis_equal_the_tuple_axis(op, axis):
    """Max/Min/Prod/LogSumExp/Norm constructed directly take an int axis, as Sum does:
    the same values, shape and gradients as with the one-element tuple (and numpy's)."""
    x = np.random.default_rng(3).normal(size=(2, 3, 4)) + 2.0
    results = []
    for given in (axis, (axis,)):
        t = mg.Tensor(x, requires_grad=True)
        y = op(axis=given)(t)
        y.backward(np.ones(y.shape))
        results.append((y.numpy(), t.grad.numpy()))
    assert results[0][0].shape == np.sum(x, axis=axis).shape
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)
