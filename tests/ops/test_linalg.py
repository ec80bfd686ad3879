"""matmul: 1-D, 2-D, batched and broadcast batch axes."""
import numpy as np
import pytest

import minigrad as mg
from tests.registry import Case

CASES = [
    Case("matmul_2d", lambda a, b: a @ b, lambda r: (r.normal(size=(3, 4)), r.normal(size=(4, 2)))),
    Case("matmul_vec_mat", lambda a, b: a @ b, lambda r: (r.normal(size=(4,)), r.normal(size=(4, 3)))),
    Case("matmul_mat_vec", lambda a, b: a @ b, lambda r: (r.normal(size=(2, 4)), r.normal(size=(4,)))),
    Case("matmul_dot", lambda a, b: a @ b, lambda r: (r.normal(size=(5,)), r.normal(size=(5,)))),
    Case("matmul_batched", lambda a, b: a @ b,
         lambda r: (r.normal(size=(2, 3, 4)), r.normal(size=(2, 4, 2)))),
    Case("matmul_broadcast_batch", lambda a, b: a @ b,
         lambda r: (r.normal(size=(2, 1, 3, 4)), r.normal(size=(3, 4, 2)))),
    Case("matmul_batched_vec", lambda a, b: a @ b,
         lambda r: (r.normal(size=(2, 3, 4)), r.normal(size=(4,)))),
    # both operands stored transposed: forward computes (b^T @ a^T)^T
    Case("matmul_both_transposed", lambda a, b: a.T @ b.T,
         lambda r: (r.normal(size=(4, 3)), r.normal(size=(2, 4)))),
    Case("matmul_batched_both_transposed", lambda a, b: a.mT @ b.mT,
         lambda r: (r.normal(size=(2, 4, 3)), r.normal(size=(2, 5, 4)))),
]


def test_values_match_numpy():
    rng = np.random.default_rng(0)
    for sa, sb in [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((4, 2, 3), (3, 5)), ((1, 2, 3), (4, 3, 2))]:
        a, b = rng.normal(size=sa), rng.normal(size=sb)
        np.testing.assert_allclose((mg.Tensor(a) @ mg.Tensor(b)).data, a @ b)
        np.testing.assert_allclose((a @ mg.Tensor(b)).data, a @ b)


@pytest.mark.parametrize("shapes", [((3, 4), (4, 2)), ((512, 64), (64, 600))])
def test_both_operands_stored_transposed(shapes):
    """(b^T @ a^T)^T path: same numbers as numpy, and a wrong shape still names matmul."""
    rng = np.random.default_rng(1)
    a, b = (np.asfortranarray(rng.normal(size=s)) for s in shapes)
    np.testing.assert_allclose((mg.Tensor(a) @ mg.Tensor(b)).data, a @ b, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match=r"matmul: shapes \(3, 4\) and \(3, 2\) do not align"):
        mg.Tensor(np.asfortranarray(a[:3, :4])) @ mg.Tensor(np.asfortranarray(b[:3, :2]))


def test_matmul_errors():
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) do not align.*\(3\).*\(4\)"):
        mg.ones(2, 3) @ mg.ones(4, 5)
    with pytest.raises(ValueError, match="at least 1 dimension"):
        mg.ones(2) @ mg.tensor(2.0)


def test_only_needed_gradients_are_computed():
    w = mg.Tensor(np.ones((3, 2)), requires_grad=True)
    x = mg.Tensor(np.ones((4, 3)))
    (x @ w).sum().backward()
    assert x.grad is None and w.grad.shape == (3, 2)
