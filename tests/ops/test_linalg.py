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
    Case("einsum_matmul", lambda a, b: mg.einsum("ij,jk->ik", a, b),
         lambda r: (r.normal(size=(3, 4)), r.normal(size=(4, 2)))),
    Case("einsum_batched_implicit", lambda a, b: mg.einsum("bij,bjk", a, b),
         lambda r: (r.normal(size=(2, 3, 4)), r.normal(size=(2, 4, 2)))),
    Case("einsum_sum_all", lambda a: mg.einsum("ij->", a), lambda r: r.normal(size=(3, 2))),
    Case("einsum_diagonal", lambda a: mg.einsum("ii->i", a), lambda r: r.normal(size=(3, 3))),
    Case("einsum_three_operands", lambda a, b, c: mg.einsum("i,ij,jk->k", a, b, c),
         lambda r: (r.normal(size=(2,)), r.normal(size=(2, 3)), r.normal(size=(3, 4)))),
    Case("einsum_outer_and_alone", lambda a, b: mg.einsum("ij,k->ik", a, b),
         lambda r: (r.normal(size=(2, 3)), r.normal(size=(4,)))),
    Case("diag_tril_trace_kron", lambda a, v: a.tril().diag().diag(1).sum() + a.triu(-1).sum()
         + a[:2, :2].kron(v.outer(v)).sum() + a.trace(),
         lambda r: (r.normal(size=(3, 3)), r.normal(size=(2,)))),
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


EINSUM_SPECS = [("ij,jk->ik", [(3, 4), (4, 2)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
                ("ii->i", [(4, 4)]), ("ii", [(3, 3)]), ("ij->ji", [(2, 3)]), ("i,j", [(3,), (2,)]),
                ("ij,ij->", [(2, 3), (2, 3)]), ("iij->j", [(3, 3, 2)]), ("i,ij,jk->k", [(2,), (2, 3), (3, 4)])]


@pytest.mark.parametrize("spec, shapes", EINSUM_SPECS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_einsum_values_and_gradients_match_torch(spec, shapes, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(len(spec))
    arrays = [rng.normal(size=s).astype(dtype) for s in shapes]
    ours = [mg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = mg.einsum(spec, *ours), torch.einsum(spec, *theirs)
    g = rng.normal(size=ty.shape).astype(dtype)
    y.backward(mg.tensor(g))
    ty.backward(torch.tensor(g))
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert y.shape == tuple(ty.shape) and y.dtype == ty.detach().numpy().dtype
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=tol, atol=tol)
    for a, ta in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=tol, atol=tol)


def test_einsum_errors_name_the_op():
    with pytest.raises(ValueError, match="einsum: 'ij' has 2 indices but its operand has shape"):
        mg.einsum("ij->i", mg.ones(3))
    with pytest.raises(ValueError, match="einsum: 'ij,jk' names 2 operands, got 1"):
        mg.einsum("ij,jk", mg.ones(2, 2))
    with pytest.raises(ValueError, match="einsum: ij,jk->ik does not fit"):
        mg.einsum("ij,jk->ik", mg.ones(2, 3), mg.ones(2, 2))


@pytest.mark.parametrize("name, args", [
    ("mm", [(3, 4), (4, 2)]), ("bmm", [(2, 3, 4), (2, 4, 5)]), ("outer", [(3,), (4,)]),
    ("diag", [(4,)]), ("diag", [(3, 5)]), ("trace", [(4, 4)]), ("tril", [(3, 4)]),
    ("triu", [(2, 4, 3)]), ("kron", [(2, 3), (3, 2)]), ("kron", [(2,), (3, 2)])])
def test_matrix_functions_match_torch(name, args):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    arrays = [rng.normal(size=s) for s in args]
    ours = [mg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = getattr(mg, name)(*ours), getattr(torch, name)(*theirs)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-12)
    g = rng.normal(size=ty.shape)
    y.backward(mg.tensor(g))
    ty.backward(torch.tensor(g))
    for a, ta in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-12)
    if name in ("diag", "tril", "triu"):
        for k in (-1, 1, 2):
            np.testing.assert_allclose(getattr(mg, name)(ours[0], k).numpy(),
                                       getattr(torch, name)(theirs[0], k).detach().numpy())


def test_mm_and_bmm_refuse_other_shapes_by_name():
    with pytest.raises(ValueError, match="mm: both operands must be 2-D"):
        mg.mm(mg.ones(2, 3, 4), mg.ones(4, 2))
    with pytest.raises(ValueError, match="bmm: both operands must be 3-D with the same batch size"):
        mg.bmm(mg.ones(2, 3, 4), mg.ones(3, 4, 2))
