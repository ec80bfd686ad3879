"""Shape ops: registry cases, values against numpy, errors."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.ops.shape import ScatterAdd
from tests.registry import Case

IDX = np.array([0, 2, 2, 1, 0])   # repeated indices must accumulate

MASK = np.array([[True, False, True, False], [False, False, True, True], [True, False, False, False]])


def written(a, index, value):
    """``a * 1`` with ``value`` written at ``index`` (``t[index] = value``), squared so
    that the second derivative is not zero."""
    y = a * 1
    y[index] = value
    return y * y


def written_into_constant(value):
    out = mg.zeros(3, 2, dtype=mg.float64)
    out[1] = value
    out[2, ::-1] = value * 2   # a negative step
    return out * out


CASES = [
    Case("setitem_basic_slice", lambda a, v: written(a, (slice(1, None), slice(None, None, 2)), v),
         lambda r: (r.normal(size=(3, 4)), r.normal(size=(2, 2)))),
    Case("setitem_int_array", lambda a, v: written(a, np.array([3, 0]), v),
         lambda r: (r.normal(size=(4, 3)), r.normal(size=(2, 3)))),
    Case("setitem_two_int_arrays", lambda a, v: written(a, (np.array([0, 2]), np.array([1, 3])), v),
         lambda r: (r.normal(size=(3, 4)), r.normal(size=(2,)))),
    Case("setitem_bool_mask", lambda a, v: written(a, mg.tensor(MASK), v),
         lambda r: (r.normal(size=(3, 4)), r.normal(size=(int(MASK.sum()),)))),
    Case("setitem_broadcast_row", lambda a, v: written(a, [0, 2], v),
         lambda r: (r.normal(size=(3, 4)), r.normal(size=(4,)))),
    Case("setitem_broadcast_scalar_and_leading_ones",
         lambda a, v, w: written(written(a, (slice(None), 1), v), 0, w),
         lambda r: (r.normal(size=(3, 4)), r.normal(size=()), r.normal(size=(1, 1, 4)))),
    Case("setitem_number_into_graph", lambda a: written(a, (Ellipsis, 0), 0.5),
         lambda r: r.normal(size=(2, 3))),
    Case("setitem_into_constant", written_into_constant, lambda r: r.normal(size=(2,))),
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
    Case("getitem_basic", lambda a: a[1:, ::2, 0], lambda r: r.normal(size=(3, 4, 2))),
    Case("getitem_int_array_repeats", lambda a: a[IDX] * a[IDX], lambda r: r.normal(size=(3, 2))),
    Case("getitem_two_arrays", lambda a: a[np.array([0, 1, 1]), np.array([2, 0, 2])],
         lambda r: r.normal(size=(2, 3))),
    Case("getitem_bool_mask", lambda a: a[a.numpy() > 0] * 2, lambda r: r.normal(size=(4, 3))),
    Case("getitem_ellipsis_newaxis", lambda a: a[..., None, 1], lambda r: r.normal(size=(2, 3))),
    Case("scatter_add", lambda a: ScatterAdd(IDX, (4, 2))(a) ** 2, lambda r: r.normal(size=(5, 2))),
    Case("pad_per_axis", lambda a: a.pad(((1, 0), (2, 1))) ** 2, lambda r: r.normal(size=(2, 3))),
    Case("pad_int_value", lambda a: a.pad(1, value=2.0) * a.pad(1), lambda r: r.normal(size=(2, 2))),
    Case("concatenate_axis1", lambda a, b: mg.concatenate([a, b, a], axis=1) ** 2,
         lambda r: (r.normal(size=(2, 1)), r.normal(size=(2, 3)))),
    Case("stack_axis_last", lambda a, b: mg.stack([a, b], axis=-1) ** 2,
         lambda r: (r.normal(size=(2, 3)), r.normal(size=(2, 3)))),
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
    np.testing.assert_array_equal(t[:, [0, 2]].data, a[:, [0, 2]])
    np.testing.assert_array_equal(t.flatten(1).numpy(), a.reshape(2, 12))
    np.testing.assert_array_equal(t.pad(((0, 0), (1, 1), (0, 2))).data,
                                  np.pad(a, ((0, 0), (1, 1), (0, 2))))
    np.testing.assert_array_equal(mg.stack([t, t], 1).data, np.stack([a, a], 1))


def test_repeated_indices_accumulate():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[np.array([0, 0, 2, 0])].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


def test_tensor_index_and_list_index():
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    idx = mg.tensor(np.array([1, 1]))
    x[idx].sum().backward()
    assert x.grad.tolist() == [[0, 0], [2, 2]]
    assert x[[0, 1], [1, 0]].tolist() == [2.0, 3.0]


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
    with pytest.raises(ValueError, match="concatenate"):
        mg.concatenate([t, mg.ones(3, 3)], axis=1)
    with pytest.raises(IndexError, match="getitem"):
        t[np.array([5])]
    with pytest.raises(ValueError, match="pad"):
        t.pad(-1)
    with pytest.raises(ValueError, match="axis 5 is out of range"):
        t.sum(axis=5)


def test_view_shares_version_with_base():
    base = mg.Tensor(np.arange(4.0))
    view = base.reshape(2, 2)
    w = mg.Tensor(np.ones((2, 2)), requires_grad=True)
    y = w * view
    with mg.no_grad():
        base.add_(1)   # changes the view's data too
    with pytest.raises(RuntimeError, match="modified in place"):
        y.sum().backward()


def test_lists_inside_a_tuple_index_accumulate_like_arrays():
    for index in (([0, 0], slice(None)), ([0, 0], [1, 1]), (slice(None), [1, 1])):
        x = mg.Tensor(np.ones((3, 2)), requires_grad=True)
        x[index].sum().backward()
        expected = np.zeros((3, 2))
        np.add.at(expected, tuple(np.asarray(i) if isinstance(i, list) else i for i in index), 1)
        np.testing.assert_array_equal(x.grad.numpy(), expected)


# -- flip, repeat, split, chunk (issue 11) -----------------------------------------------------

CASES += [
    Case("flip_one_dim", lambda a: a.flip(0) * a, lambda r: r.normal(size=(3, 2))),
    Case("flip_two_dims", lambda a: mg.flip(a, (0, -1)) ** 2, lambda r: r.normal(size=(2, 3, 4))),
    Case("repeat_same_rank", lambda a: a.repeat(2, 3) ** 2, lambda r: r.normal(size=(2, 3))),
    Case("repeat_new_leading_dims", lambda a: a.repeat(2, 1, 3) * a.repeat(2, 1, 3),
         lambda r: r.normal(size=(3, 2))),
    Case("split_sizes", lambda a: a.split([1, 3], dim=1)[1] ** 2 + a.split(2, 1)[0].sum(),
         lambda r: r.normal(size=(2, 4))),
    Case("chunk_uneven", lambda a: mg.cat([c * (i + 1) for i, c in enumerate(a.chunk(3))]),
         lambda r: r.normal(size=(5, 2))),
]


def _against_torch(torch, fn, a):
    x = mg.Tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    y, ty = fn(x, mg), fn(tx, torch)
    w = np.random.default_rng(0).normal(size=tuple(ty.shape))
    (y * mg.Tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_flip_and_repeat_against_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(1).normal(size=(2, 3, 4))
    for fn in (lambda x, lib: x.flip(0), lambda x, lib: x.flip(-1, 1), lambda x, lib: lib.flip(x, [0, 2]),
               lambda x, lib: x.repeat(1, 1, 1), lambda x, lib: x.repeat(2, 1, 3),
               lambda x, lib: x.repeat((3, 2, 2, 1)), lambda x, lib: x.repeat(1, 0, 2)):
        _against_torch(torch, fn, a)


def test_split_and_chunk_against_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(2).normal(size=(5, 6))
    for args in ((2,), (2, 1), ([1, 4], 0), ([3, 0, 3], -1), (5, 1), (7,)):
        pieces, t_pieces = mg.split(mg.Tensor(a), *args), torch.split(torch.tensor(a), *args)
        assert isinstance(pieces, tuple) and len(pieces) == len(t_pieces)
        for p, tp in zip(pieces, t_pieces):
            np.testing.assert_array_equal(p.numpy(), tp.numpy())
    for chunks, dim in ((2, 0), (3, 0), (4, 1), (6, 1), (10, 0)):
        pieces, t_pieces = mg.Tensor(a).chunk(chunks, dim), torch.tensor(a).chunk(chunks, dim)
        assert [p.shape for p in pieces] == [tuple(tp.shape) for tp in t_pieces]
    assert [p.shape for p in mg.zeros(0).chunk(3)] == [(0,)] * 3
    assert [p.shape for p in mg.zeros(0).split(2)] == [(0,)]
    _against_torch(torch, lambda x, lib: lib.cat([c * i for i, c in enumerate(x.chunk(4, 1))], 1), a)


def test_each_split_piece_is_differentiable_and_gradients_add_up():
    x = mg.Tensor(np.arange(6.0), requires_grad=True)
    first, second, third = x.split(2)
    (first * 1 + second * 2).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 2.0, 2.0, 0.0, 0.0]
    assert third.tolist() == [4.0, 5.0]


def test_flip_copies_and_split_bad_arguments():
    x = mg.Tensor(np.arange(4.0))
    y = x.flip(0)
    y.numpy()[0] = 99.0
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match=r"split: section sizes \[1, 2\] must be >= 0 and add up to 4"):
        x.split([1, 2])
    with pytest.raises(ValueError, match="split: split_size must be a positive int, got 0"):
        x.split(0)
    with pytest.raises(ValueError, match=r"repeat: give at least one size per dim: 1 size\(s\)"):
        mg.ones(2, 3).repeat(2)


def test_squeeze_of_a_dim_that_is_not_1_and_indexing_with_an_empty_list_as_torch():
    torch = pytest.importorskip("torch")
    a, ta = mg.ones(2, 1, 3), torch.ones(2, 1, 3)
    for dim in (0, 1, (0, 1), -1):
        assert a.squeeze(dim).shape == tuple(ta.squeeze(dim).shape)
    assert a[[]].shape == tuple(ta[[]].shape) and a[[]].dtype == np.float32
    assert a[:, []].shape == tuple(ta[:, []].shape)
