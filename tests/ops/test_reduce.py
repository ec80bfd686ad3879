"""Reductions: registry cases (every axis option, ties), values and tie rule."""
import numpy as np
import pytest

import minigrad as mg
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
            np.testing.assert_allclose(t.var(axis=axis, keepdims=keepdims).data,
                                       a.var(axis=axis, keepdims=keepdims, ddof=1))
            np.testing.assert_allclose(t.var(axis, unbiased=False, keepdim=keepdims).data,
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
    np.testing.assert_allclose(x.grad.data, [[0, 0.5, 0.5], [0.5, 0.5, 0]])
    y = mg.Tensor(np.array([1.0, 1.0, 1.0, 0.0]), requires_grad=True)
    y.max().backward()
    np.testing.assert_allclose(y.grad.data, [1 / 3, 1 / 3, 1 / 3, 0])


def test_reduction_of_float32_stays_float32():
    t = mg.ones(3, 4)
    assert t.sum().dtype == t.mean(0).dtype == t.var().dtype == np.float32


def test_empty_and_bad_axis_errors():
    with pytest.raises(ValueError, match="max: cannot reduce an empty tensor"):
        mg.zeros(0, 3).amax(axis=0)
    with pytest.raises(ValueError, match=r"max: cannot reduce an empty dim \(shape \(0, 3\)"):
        mg.zeros(0, 3).max(dim=0)
    with pytest.raises(ValueError, match="mean: cannot average over an empty axis"):
        mg.zeros(0, 3).mean(axis=0)
    with pytest.raises(ValueError, match="var: .* too few"):
        mg.ones(1).var()
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
