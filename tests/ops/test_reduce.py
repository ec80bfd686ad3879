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
    Case("max_axis0", lambda a: a.max(axis=0) ** 2, lambda r: r.normal(size=(4, 3))),
    Case("max_axis1_keepdims", lambda a: a.max(axis=1, keepdims=True) * a, lambda r: r.normal(size=(3, 5))),
    Case("max_ties", lambda a: a.max(axis=1), lambda r: TIES.copy(), gradgrad="ties are kinks"),
    Case("min_axis_tuple", lambda a: a.min(axis=(0, 1)) ** 2, lambda r: r.normal(size=(2, 3, 2))),
    Case("min_ties", lambda a: a.min(), lambda r: np.array([2.0, 0.5, 0.5]), gradgrad="ties are kinks"),
    Case("var_ddof0", lambda a: a.var(axis=0), lambda r: r.normal(size=(4, 3))),
    Case("var_ddof1_keepdims", lambda a: a.var(axis=1, keepdims=True, ddof=1),
         lambda r: r.normal(size=(3, 4))),
    Case("std_all", lambda a: a.std(), lambda r: r.normal(size=(6,))),
]


def test_values_match_numpy():
    a = np.random.default_rng(0).normal(size=(3, 4, 2))
    t = mg.Tensor(a)
    for axis in (None, 0, 1, -1, (0, 2)):
        for keepdims in (False, True):
            for name in ("sum", "mean", "max", "min", "var"):
                np.testing.assert_allclose(getattr(t, name)(axis=axis, keepdims=keepdims).data,
                                           getattr(a, name)(axis=axis, keepdims=keepdims))
    assert t.argmax(axis=1).tolist() == a.argmax(axis=1).tolist()


def test_ties_share_the_gradient_equally():
    x = mg.Tensor(TIES.copy(), requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.data, [[0, 0.5, 0.5], [0.5, 0.5, 0]])
    y = mg.Tensor(np.array([1.0, 1.0, 1.0, 0.0]), requires_grad=True)
    y.max().backward()
    np.testing.assert_allclose(y.grad.data, [1 / 3, 1 / 3, 1 / 3, 0])


def test_reduction_of_float32_stays_float32():
    t = mg.ones(3, 4)
    assert t.sum().dtype == t.mean(0).dtype == t.var().dtype == np.float32


def test_empty_and_bad_axis_errors():
    with pytest.raises(ValueError, match="max: cannot reduce an empty tensor"):
        mg.zeros(0, 3).max(axis=0)
    with pytest.raises(ValueError, match="mean: cannot average over an empty axis"):
        mg.zeros(0, 3).mean(axis=0)
    with pytest.raises(ValueError, match="var: .* too few"):
        mg.ones(1).var(ddof=1)
    with pytest.raises(TypeError, match="sum: axis must be an int"):
        mg.ones(2).sum(axis=1.5)


def test_zero_d_tensor_accepts_axis_0_and_minus_1():
    t = mg.tensor(3.0, requires_grad=True)
    for name in ("sum", "mean", "max", "min"):
        for axis in (0, -1):
            assert getattr(t, name)(axis=axis).item() == 3.0
    assert t.var(axis=0).item() == 0.0
    with pytest.raises(ValueError, match="argmax: a 0-d tensor has no axis"):
        t.argmax(axis=0)
