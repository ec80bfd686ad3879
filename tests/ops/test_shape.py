"""Shape views (reshape, permute/transpose, expand, sum_to, squeeze/unsqueeze/flatten):
registry cases, values against numpy, errors, shared versions."""
import numpy as np
import pytest

import minigrad as mg
from tests.registry import Case

CASES = [
    Case("reshape", lambda a: a.reshape(2, 6) * a.reshape(2, 6), lambda r: r.normal(size=(3, 4))),
    Case("reshape_infer", lambda a: a.reshape(-1), lambda r: r.normal(size=(2, 3, 1))),
    Case("permute_3d", lambda a: a.permute(2, 0, 1), lambda r: r.normal(size=(2, 3, 4))),
    Case("transpose_swaps_two", lambda a: a.transpose(0, 2) ** 2, lambda r: r.normal(size=(2, 3, 4))),
    Case("T_mT_t", lambda a: a.T * 2 + a.mT.swapaxes(0, 1).T + a.t().t().T,
         lambda r: r.normal(size=(2, 3))),
    Case("expand", lambda a: a.expand(3, 2, 4), lambda r: r.normal(size=(2, 1))),
    Case("broadcast_to_lead", lambda a: a.broadcast_to((2, 3)) * a, lambda r: r.normal(size=(3,))),
    Case("sum_to", lambda a: a.sum_to((1, 4)), lambda r: r.normal(size=(3, 3, 4))),
    Case("squeeze_unsqueeze_flatten",
         lambda a: a.squeeze(1).unsqueeze(0).flatten(1) * 3, lambda r: r.normal(size=(2, 1, 3))),
]


def test_values_match_numpy():
    a = np.arange(24.0).reshape(2, 3, 4)
    t = mg.Tensor(a)
    np.testing.assert_array_equal(t.permute(1, 2, 0).numpy(), a.transpose(1, 2, 0))
    np.testing.assert_array_equal(t.transpose(0, 2).numpy(), a.swapaxes(0, 2))
    np.testing.assert_array_equal(t.T.numpy(), a.T)
    m = mg.Tensor(a[0])
    np.testing.assert_array_equal(m.transpose(0, 1).numpy(), a[0].T)   # swaps, as PyTorch
    np.testing.assert_array_equal(m.t().numpy(), a[0].T)
    np.testing.assert_array_equal(t.view(4, -1).numpy(), a.reshape(4, 6))
    np.testing.assert_array_equal(t.flatten(0, 1).numpy(), a.reshape(6, 4))
    np.testing.assert_array_equal(t.view_as(mg.zeros(6, 4)).data, a.reshape(6, 4))
    np.testing.assert_array_equal(m[:, :1].expand_as(m).numpy(), np.repeat(a[0][:, :1], 4, 1))
    assert t.size() == (2, 3, 4) and t.size(-1) == 4 and t.numel() == 24 and t.dim() == 3
    np.testing.assert_array_equal(t.flatten(1).numpy(), a.reshape(2, 12))


def test_errors_name_op_and_shapes():
    t = mg.ones(2, 3)
    with pytest.raises(ValueError, match=r"reshape: cannot reshape a tensor of shape \(2, 3\)"):
        t.reshape(4, 2)
    with pytest.raises(ValueError, match="permute: dims"):
        mg.ones(2, 3, 4).permute(0, 2)
    with pytest.raises(TypeError, match="transpose"):
        mg.ones(2, 3, 4).transpose(0)
    with pytest.raises(ValueError, match="t: expects a tensor with at most 2 dims"):
        mg.ones(2, 3, 4).t()
    with pytest.raises(ValueError, match="expand"):
        t.expand(2, 4)


def test_view_shares_version_with_base():
    base = mg.Tensor(np.arange(4.0))
    view = base.reshape(2, 2)
    w = mg.Tensor(np.ones((2, 2)), requires_grad=True)
    y = w * view
    with mg.no_grad():
        base.add_(1)   # changes the view's data too
    with pytest.raises(RuntimeError, match="modified in place"):
        y.sum().backward()


def test_squeeze_of_a_dim_that_is_not_1_as_torch():
    torch = pytest.importorskip("torch")
    a, ta = mg.ones(2, 1, 3), torch.ones(2, 1, 3)
    for dim in (0, 1, (0, 1), -1):
        assert a.squeeze(dim).shape == tuple(ta.squeeze(dim).shape)
