"""Reductions: registry cases (every axis option, ties), values and tie rule."""
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad.ops.reduce import ProdOthers
from tests.registry import Case

TIES = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.5]])
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
    Case("max_all", lambda a: a.max() * a, lambda r: r.normal(size=(3, 4))),
    Case("amax_axis0", lambda a: a.amax(axis=0) ** 2, lambda r: r.normal(size=(4, 3))),
    Case("amax_dim1_keepdim", lambda a: a.amax(dim=1, keepdim=True) * a, lambda r: r.normal(size=(3, 5))),
    Case("amax_ties", lambda a: a.amax(axis=1), lambda r: TIES.copy(), gradgrad="ties are kinks"),
    Case("amin_axis_tuple", lambda a: a.amin(axis=(0, 1)) ** 2, lambda r: r.normal(size=(2, 3, 2))),
    Case("max_dim_values", lambda a: a.max(1).values ** 2, lambda r: r.normal(size=(3, 4))),
    Case("min_dim0_keepdim_values", lambda a: a.min(0, keepdim=True)[0] * a,
         lambda r: r.normal(size=(4, 3))),
    Case("min_ties", lambda a: a.min(), lambda r: np.array([2.0, 0.5, 0.5]), gradgrad="ties are kinks"),
    Case("var_ddof0", lambda a: a.var(axis=0, ddof=0), lambda r: r.normal(size=(4, 3))),
    Case("var_unbiased_keepdim", lambda a: a.var(dim=1, keepdim=True),
         lambda r: r.normal(size=(3, 4))),
    Case("std_all", lambda a: a.std(), lambda r: r.normal(size=(6,))),
    Case("std_correction0", lambda a: a.std(0, correction=0), lambda r: r.normal(size=(5, 2))),
]


def test_values_match_numpy():
    a = np.random.default_rng(0).normal(size=(3, 4, 2))
    t = mg.Tensor(a)
    for axis in (None, 0, 1, -1, (0, 2)):
        for keepdims in (False, True):
            for name, numpy_name in (("sum", "sum"), ("mean", "mean"), ("amax", "max"),
                                     ("amin", "min")):
                np.testing.assert_allclose(getattr(t, name)(axis=axis, keepdims=keepdims).data,
                                           getattr(a, numpy_name)(axis=axis, keepdims=keepdims))
                np.testing.assert_allclose(getattr(t, name)(dim=axis, keepdim=keepdims).data,
                                           getattr(a, numpy_name)(axis=axis, keepdims=keepdims))
            np.testing.assert_allclose(t.var(axis=axis, keepdims=keepdims).numpy(),
                                       a.var(axis=axis, keepdims=keepdims, ddof=1))
            np.testing.assert_allclose(t.var(axis, unbiased=False, keepdim=keepdims).numpy(),
                                       a.var(axis=axis, keepdims=keepdims))
    assert t.argmax(axis=1).tolist() == a.argmax(axis=1).tolist()
    assert t.argmax(dim=1).dtype == np.int64


def test_max_and_min_with_a_dim_return_values_and_indices_as_pytorch():
    a = np.array([[1.0, 5.0, 5.0], [7.0, 2.0, 0.0]])
    x = mg.Tensor(a, requires_grad=True)
    values, indices = x.max(1)         # unpacking gives the pair, not the rows
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    result = x.min(dim=0, keepdim=True)
    assert result.values.shape == (1, 3) and result.indices.tolist() == [[0, 1, 1]]
    values.sum().backward()            # the gradient goes to the index taken, not shared
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    assert x.max().item() == 7.0 and x.amax(1).tolist() == [5.0, 7.0]


def test_dim_and_axis_together_is_an_error():
    x = mg.ones(2, 3)
    for call in (lambda: x.sum(dim=0, axis=1), lambda: x.mean(0, keepdim=True, keepdims=True),
                 lambda: x.var(unbiased=True, ddof=0), lambda: mg.cat([x, x], dim=0, axis=0)):
        with pytest.raises(TypeError, match="not both|one of"):
            call()


def test_ties_share_the_gradient_equally():
    x = mg.Tensor(TIES.copy(), requires_grad=True)
    x.amax(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 0.5, 0.5], [0.5, 0.5, 0]])
    y = mg.Tensor(np.array([1.0, 1.0, 1.0, 0.0]), requires_grad=True)
    y.max().backward()
    np.testing.assert_allclose(y.grad.numpy(), [1 / 3, 1 / 3, 1 / 3, 0])


def test_reduction_of_float32_stays_float32():
    t = mg.ones(3, 4)
    assert t.sum().dtype == t.mean(0).dtype == t.var().dtype == np.float32


def test_empty_and_bad_axis_errors():
    with pytest.raises(ValueError, match="max: cannot reduce an empty tensor"):
        mg.zeros(0, 3).amax(axis=0)
    with pytest.raises(ValueError, match=r"max: cannot reduce an empty dim \(shape \(0, 3\)"):
        mg.zeros(0, 3).max(dim=0)
    with pytest.raises(TypeError, match="sum: axis must be an int"):
        mg.ones(2).sum(axis=1.5)


def test_zero_d_tensor_accepts_axis_0_and_minus_1():
    t = mg.tensor(3.0, requires_grad=True)
    for name in ("sum", "mean", "amax", "amin"):
        for axis in (0, -1):
            assert getattr(t, name)(axis=axis).item() == 3.0
    assert t.max(0).values.item() == 3.0 and t.max(0).indices.item() == 0
    assert t.var(axis=0, ddof=0).item() == 0.0
    with pytest.raises(ValueError, match="argmax: a 0-d tensor has no axis"):
        t.argmax(axis=0)


# -- prod, logsumexp, cumsum, norm (issue 11) --------------------------------------------------

ONE_ZERO = np.array([[2.0, 0.0, 3.0, -1.5], [1.5, -2.0, 0.5, 2.0]])
TWO_ZEROS = np.array([[0.0, 1.5, 0.0], [0.7, 0.0, -2.0]])
INF_TIES = np.array([[3.0, -3.0, 1.0], [0.5, -2.0, 1.0]])

CASES += [
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
    Case("cumsum_dim0", lambda a: a.cumsum(0) ** 2, lambda r: r.normal(size=(4, 3))),
    Case("cumsum_last", lambda a: mg.cumsum(a, dim=-1) * a, lambda r: r.normal(size=(2, 5))),
    Case("norm_2_all", lambda a: a.norm(), lambda r: r.normal(size=(3, 4))),
    Case("norm_2_dim_keepdim", lambda a: a.norm(dim=1, keepdim=True) * a, lambda r: r.normal(size=(3, 4))),
    Case("norm_1_dim0", lambda a: a.norm(1, dim=0), lambda r: away_from_zero(r, 4, 3)),
    Case("norm_3_dims", lambda a: a.norm(3, dim=(1, 2)), lambda r: away_from_zero(r, 2, 3, 2)),
    Case("norm_half_dim1", lambda a: a.norm(0.5, dim=1), lambda r: away_from_zero(r, 3, 4)),
    Case("norm_inf", lambda a: a.norm(float("inf"), dim=1), lambda r: away_from_zero(r, 3, 4)),
    Case("norm_inf_ties", lambda a: mg.norm(a, float("inf"), dim=1), lambda r: INF_TIES.copy(),
         gradgrad="ties are kinks"),
]


def away_from_zero(r, *shape):
    return r.choice([-1.0, 1.0], shape) * r.uniform(0.3, 2.0, shape)


def _torch_pair(torch, fn_mg, fn_torch, a, weights=None):
    """Values and gradients of ``fn`` in minigrad and in PyTorch (float64)."""
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


def test_prod_against_torch_with_zeros():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(0).normal(size=(3, 4))
    for data in (a, ONE_ZERO, TWO_ZEROS, np.zeros((2, 3))):
        _torch_pair(torch, lambda x: x.prod(), lambda x: x.prod(), data)
        for dim in (0, 1, -1):
            for keepdim in (False, True):
                _torch_pair(torch, lambda x: x.prod(dim, keepdim), lambda x: x.prod(dim, keepdim), data)


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
            _torch_pair(torch, lambda x: x.logsumexp(dim, keepdim), lambda x: x.logsumexp(dim, keepdim), a)
    huge = np.array([[1e4, 1e4 - 1.0, -1e4], [-1e4, -1e4, -1e4], [-np.inf, 0.0, 1.0]])
    grad = _torch_pair(torch, lambda x: x.logsumexp(1), lambda x: x.logsumexp(1), huge,
                       weights=np.ones(3))
    assert np.all(np.isfinite(grad))
    assert mg.tensor(np.full(2, -np.inf)).logsumexp(0).item() == -np.inf
    assert mg.tensor(np.array([np.inf, 1.0])).logsumexp(0).item() == np.inf


def test_cumsum_against_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(2).normal(size=(3, 4, 2))
    for dim in (0, 1, 2, -1):
        _torch_pair(torch, lambda x: x.cumsum(dim), lambda x: x.cumsum(dim), a)
    assert mg.tensor([1, 2, 3]).cumsum(0).tolist() == [1, 3, 6]
    assert mg.tensor([1, 2, 3]).cumsum(axis=0).dtype == np.int64


def test_norm_against_torch_including_zero_vectors():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(3).normal(size=(3, 4))
    a[1] = 0.0                                   # a zero row: PyTorch's gradient there is 0
    for p in (1, 2, 3, 1.5, float("inf"), -float("inf"), 0, "fro"):
        for dim in (None, 1, 0, (0, 1)):
            if p == "fro" and dim in (0, 1):
                continue
            grad = _torch_pair(torch, lambda x: x.norm(p, dim), lambda x: x.norm(p, dim), a)
            assert np.all(np.isfinite(grad)), (p, dim)
    _torch_pair(torch, lambda x: x.norm(float("inf"), 1), lambda x: x.norm(float("inf"), 1),
                INF_TIES, weights=np.ones(2))   # ties share the gradient, as PyTorch
    x = mg.Tensor(np.zeros(3), requires_grad=True)
    x.norm().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_new_reductions_keep_float32_and_accept_numpy_names():
    t = mg.ones(2, 3)
    for y in (t.prod(0), t.logsumexp(1), t.cumsum(1), t.norm(dim=1)):
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
        _torch_pair(torch, lambda x: F.normalize(x, p, dim), lambda x: torch.nn.functional.normalize(x, p, dim), a)
    unit = F.normalize(mg.tensor([[3.0, 4.0]]), dim=1)
    np.testing.assert_allclose(unit.numpy(), [[0.6, 0.8]], rtol=1e-6)
    assert unit.dtype == np.float32


def test_new_reductions_record_nothing_under_no_grad():
    x = mg.Tensor(np.random.default_rng(7).normal(size=(3, 4)), requires_grad=True)
    with mg.no_grad():
        outputs = [x.prod(1), x.logsumexp(1), x.cumsum(0), x.norm(dim=1), x.norm(1)]
    assert all(y.grad_fn is None and not y.requires_grad for y in outputs)



@pytest.mark.parametrize("op", ["Max", "Min", "Prod", "LogSumExp", "Norm"])
@pytest.mark.parametrize("axis", [1, -1, 0])
def test_reductions_built_with_an_int_axis_equal_the_tuple_axis(op, axis):
    """Max/Min/Prod/LogSumExp/Norm constructed directly take an int axis, as Sum does:
    the same values, shape and gradients as with the one-element tuple (and numpy's)."""
    from minigrad.ops import reduce
    x = np.random.default_rng(3).normal(size=(2, 3, 4)) + 2.0
    results = []
    for given in (axis, (axis,)):
        t = mg.Tensor(x, requires_grad=True)
        y = getattr(reduce, op)(axis=given)(t)
        y.backward(np.ones(y.shape))
        results.append((y.numpy(), t.grad.numpy()))
    assert results[0][0].shape == np.sum(x, axis=axis).shape
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)


# -- gradients PyTorch keeps finite where the plain formula gives NaN ---------------------

def _grad_of(lib, fn, x):
    t = lib.tensor(np.array(x, dtype=np.float64), requires_grad=True)
    fn(t).sum().backward()
    return np.asarray(t.grad.detach().numpy() if lib is not mg else t.grad.numpy())


def test_standardising_a_constant_row_has_pytorch_finite_gradient():
    torch = pytest.importorskip("torch")
    x = [[1.0, 1.0, 1.0], [1.0, 2.0, 4.0], [-3.0, -3.0, -3.0]]

    def standardise(t):
        return (t - t.mean(1, keepdim=True)) / (t.std(1, keepdim=True) + 1e-5) * t

    ours, theirs = _grad_of(mg, standardise, x), _grad_of(torch, standardise, x)
    assert np.isfinite(ours).all()
    np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-6)
    for dim in (0, 1):   # std alone: 0 where std is 0 (PyTorch masks it)
        ours = _grad_of(mg, lambda t: t.std(dim, correction=0), x)
        np.testing.assert_allclose(ours, _grad_of(torch, lambda t: t.std(dim, correction=0), x),
                                   rtol=1e-12, atol=1e-12)


def test_norm_below_one_at_a_zero_entry_matches_pytorch():
    torch = pytest.importorskip("torch")
    x = [[0.0, 1.0, -2.0], [0.0, 0.0, 0.0], [3.0, 0.0, 0.5]]
    for p in (0.5, 0.25, 1.5, 3):
        for dim in (None, 1):
            ours = _grad_of(mg, lambda t: t.norm(p, dim=dim), x)
            theirs = _grad_of(torch, lambda t: t.norm(p, dim=dim), x)
            assert np.isfinite(ours).all(), (p, dim)
            np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


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


def test_float32_cumsum_accumulates_like_torch():
    torch = pytest.importorskip("torch")
    ours = mg.full((3000,), 0.1).cumsum(0)
    theirs = torch.full((3000,), 0.1).cumsum(0)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-7)
    assert ours[-1].item() == theirs[-1].item()
