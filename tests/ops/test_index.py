"""Index ops (gather, sort, topk, one_hot): registry cases, values and gradients
against PyTorch, tie order, errors."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.ops.index import ScatterAddAlong
from tests.registry import Case

ROWS = np.array([[0, 2, 2], [1, 0, 1]])          # repeated indices must accumulate
SHORT = np.array([[3, 0], [1, 1]])               # shorter than the input along dim 0
TIED = np.array([[1.0, 3.0, 3.0, 0.5], [2.0, -1.0, 2.0, 2.0]])

CASES = [
    Case("gather_dim1_repeats", lambda a: a.gather(1, ROWS) ** 2, lambda r: r.normal(size=(2, 4))),
    Case("gather_dim0_smaller_index", lambda a: mg.gather(a, 0, mg.tensor(SHORT)) * 3,
         lambda r: r.normal(size=(4, 3))),
    Case("scatter_add_along", lambda a: ScatterAddAlong(1, ROWS, (2, 4))(a) ** 2,
         lambda r: r.normal(size=(2, 3))),
    Case("sort_last", lambda a: a.sort().values ** 2, lambda r: r.normal(size=(3, 5))),
    Case("sort_dim0_descending", lambda a: mg.sort(a, 0, descending=True)[0] * a,
         lambda r: r.normal(size=(4, 2))),
    Case("topk_largest", lambda a: a.topk(2).values ** 2, lambda r: r.normal(size=(3, 5))),
    Case("topk_smallest_dim0", lambda a: mg.topk(a, 3, dim=0, largest=False).values * 2,
         lambda r: r.normal(size=(4, 2))),
    Case("sort_ties", lambda a: a.sort(descending=True).values * mg.tensor(np.arange(4.0)),
         lambda r: TIED.copy(), gradgrad="ties are kinks"),
    # PyTorch's selection functions, made of indexing, gather and scatter-add
    Case("index_select_repeats", lambda a: a.index_select(1, mg.tensor([2, 0, 2])) ** 2,
         lambda r: r.normal(size=(2, 3))),
    Case("scatter_and_scatter_add", lambda a, s: a.scatter(1, mg.tensor([[2], [0]]), s[:, :1])
         + a.scatter_add(0, mg.tensor([[1, 1, 0]]), s[:1]) * a,
         lambda r: (r.normal(size=(2, 3)), r.normal(size=(2, 3)))),
    Case("narrow_unbind_repeat_interleave", lambda a: a.narrow(1, 1, 2).sum() * a.unbind(0)[1]
         + a.repeat_interleave(2, dim=0)[1:4].sum(0), lambda r: r.normal(size=(3, 3))),
    Case("median_lerp_nan_to_num", lambda a, b: a.median(1).values * a.median()
         + a.lerp(b, 0.3).nan_to_num().sum(1), lambda r: (r.normal(size=(2, 5)), r.normal(size=(2, 5)))),
]


def _check(torch, fn, a):
    """Values, indices and the values' gradient of fn(x) match PyTorch's."""
    x = mg.Tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    values, indices = fn(x, mg)
    t_values, t_indices = fn(tx, torch)
    np.testing.assert_array_equal(values.numpy(), t_values.detach().numpy())
    np.testing.assert_array_equal(indices.numpy(), t_indices.numpy())
    assert indices.dtype == np.int64
    w = np.random.default_rng(0).normal(size=tuple(t_values.shape))
    (values * mg.Tensor(w)).sum().backward()
    (t_values * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_gather_against_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(1).normal(size=(4, 3, 5))
    rng = np.random.default_rng(2)
    for dim, shape in ((0, (6, 3, 5)), (1, (4, 2, 5)), (2, (2, 3, 7)), (-1, (1, 1, 1))):
        index = rng.integers(0, a.shape[dim], shape)
        x = mg.Tensor(a, requires_grad=True)
        y = x.gather(dim, mg.tensor(index))
        tx = torch.tensor(a, requires_grad=True)
        ty = tx.gather(dim, torch.tensor(index))
        np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
        w = rng.normal(size=shape)
        (y * mg.Tensor(w)).sum().backward()
        (ty * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_sort_against_torch_including_stable_ties():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(3).normal(size=(3, 4, 5))
    ties = np.array([[2.0, 1.0, 2.0, 0.0, 1.0, 2.0], [5.0, 5.0, 5.0, 5.0, -1.0, 5.0]])
    for data in (a, ties):
        for dim in (0, -1):
            for descending in (False, True):
                _check(torch, lambda x, lib: lib.sort(x, dim=dim, descending=descending, stable=True), data)
    nan = np.array([1.0, np.nan, -2.0, 3.0])
    for descending in (False, True):   # NaN counts as the largest value, as PyTorch
        values, indices = mg.tensor(nan).sort(descending=descending)
        t_values, t_indices = torch.tensor(nan).sort(descending=descending)
        np.testing.assert_array_equal(indices.numpy(), t_indices.numpy())
    assert mg.Tensor(ties).argsort(descending=True).tolist() == \
        torch.tensor(ties).argsort(descending=True, stable=True).tolist()


def test_topk_against_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(4).normal(size=(3, 6, 2))
    for k, dim, largest in ((1, -1, True), (2, 1, True), (6, 1, False), (3, 0, False), (0, 1, True)):
        _check(torch, lambda x, lib: lib.topk(x, k, dim=dim, largest=largest), a)


def test_topk_ties_take_the_lower_index_first_with_pytorchs_values():
    torch = pytest.importorskip("torch")
    data = np.array([1.0, 2.0, 2.0, 0.0, 2.0, 1.0])
    x = mg.Tensor(data, requires_grad=True)
    values, indices = x.topk(3)
    assert indices.tolist() == [1, 2, 4]         # PyTorch's order among ties is unspecified
    np.testing.assert_array_equal(values.numpy(), torch.tensor(data).topk(3).values.numpy())
    values.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0, 0.0, 1.0, 0.0]


def test_sort_and_topk_of_a_0d_tensor_and_named_fields():
    t = mg.tensor(2.5, requires_grad=True)
    result = t.sort()
    assert result.values.item() == 2.5 and result.indices.item() == 0
    top = t.topk(1)
    assert top.values.shape == () and top.indices.item() == 0
    pair = mg.tensor([3.0, 1.0]).topk(1, sorted=False)
    assert pair.values.tolist() == [3.0] and pair.indices.tolist() == [0]


def test_one_hot_against_torch():
    torch = pytest.importorskip("torch")
    labels = np.array([[0, 3], [2, 1]])
    for num_classes in (-1, 4, 6):
        y = F.one_hot(mg.tensor(labels), num_classes)
        ty = torch.nn.functional.one_hot(torch.tensor(labels), num_classes)
        np.testing.assert_array_equal(y.numpy(), ty.numpy())
        assert y.dtype == np.int64 and not y.requires_grad
    assert F.one_hot(mg.tensor(np.zeros(0, np.int64)), 3).shape == (0, 3)
    assert F.one_hot(np.array([1, 0])).tolist() == [[0, 1], [1, 0]]
