"""Extremum reductions (amax/amin, max/min, argmax/argmin): registry cases (every axis
option, ties), values against numpy, the tie rule and errors."""
import numpy as np
import pytest

import minigrad as mg
from tests.registry import Case

TIES = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.5]])
CASES = [
    Case("max_all", lambda a: a.max() * a, lambda r: r.normal(size=(3, 4))),
    Case("amax_axis0", lambda a: a.amax(axis=0) ** 2, lambda r: r.normal(size=(4, 3))),
    Case("amax_dim1_keepdim", lambda a: a.amax(dim=1, keepdim=True) * a, lambda r: r.normal(size=(3, 5))),
    Case("amax_ties", lambda a: a.amax(axis=1), lambda r: TIES.copy(), gradgrad="ties are kinks"),
    Case("amin_axis_tuple", lambda a: a.amin(axis=(0, 1)) ** 2, lambda r: r.normal(size=(2, 3, 2))),
    Case("max_dim_values", lambda a: a.max(1).values ** 2, lambda r: r.normal(size=(3, 4))),
    Case("min_dim0_keepdim_values", lambda a: a.min(0, keepdim=True)[0] * a,
         lambda r: r.normal(size=(4, 3))),
    Case("min_ties", lambda a: a.min(), lambda r: np.array([2.0, 0.5, 0.5]), gradgrad="ties are kinks"),
]


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("name, numpy_name", [("amax", "max"), ("amin", "min")])
def test_values_match_numpy(name, numpy_name, axis, keepdims):
    a = np.random.default_rng(0).normal(size=(3, 4, 2))
    expected = getattr(a, numpy_name)(axis=axis, keepdims=keepdims)
    t = mg.Tensor(a)
    np.testing.assert_array_equal(getattr(t, name)(axis=axis, keepdims=keepdims).numpy(), expected)
    np.testing.assert_array_equal(getattr(t, name)(dim=axis, keepdim=keepdims).numpy(), expected)


def test_argmax_matches_numpy_and_is_int64():
    a = np.random.default_rng(0).normal(size=(3, 4, 2))
    t = mg.Tensor(a)
    assert t.argmax(axis=1).tolist() == a.argmax(axis=1).tolist()
    assert t.argmin(dim=2).tolist() == a.argmin(axis=2).tolist()
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


def test_ties_share_the_gradient_equally():
    x = mg.Tensor(TIES.copy(), requires_grad=True)
    x.amax(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 0.5, 0.5], [0.5, 0.5, 0]])
    y = mg.Tensor(np.array([1.0, 1.0, 1.0, 0.0]), requires_grad=True)
    y.max().backward()
    np.testing.assert_allclose(y.grad.numpy(), [1 / 3, 1 / 3, 1 / 3, 0])


def test_empty_errors():
    with pytest.raises(ValueError, match="max: cannot reduce an empty tensor"):
        mg.zeros(0, 3).amax(axis=0)
    with pytest.raises(ValueError, match=r"max: cannot reduce an empty dim \(shape \(0, 3\)"):
        mg.zeros(0, 3).max(dim=0)


def test_zero_d_tensor_accepts_axis_0_and_minus_1():
    t = mg.tensor(3.0, requires_grad=True)
    for name in ("amax", "amin"):
        for axis in (0, -1):
            assert getattr(t, name)(axis=axis).item() == 3.0
    assert t.max(0).values.item() == 3.0 and t.max(0).indices.item() == 0
    with pytest.raises(ValueError, match="argmax: a 0-d tensor has no axis"):
        t.argmax(axis=0)
