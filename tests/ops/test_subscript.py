"""Subscripts (t[index], t[index] = v, and their scatter-add): registry cases, values
against numpy, repeated indices, errors."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.ops.subscript import ScatterAdd
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
    Case("getitem_basic", lambda a: a[1:, ::2, 0], lambda r: r.normal(size=(3, 4, 2))),
    Case("getitem_int_array_repeats", lambda a: a[IDX] * a[IDX], lambda r: r.normal(size=(3, 2))),
    Case("getitem_two_arrays", lambda a: a[np.array([0, 1, 1]), np.array([2, 0, 2])],
         lambda r: r.normal(size=(2, 3))),
    Case("getitem_bool_mask", lambda a: a[a.numpy() > 0] * 2, lambda r: r.normal(size=(4, 3))),
    Case("getitem_ellipsis_newaxis", lambda a: a[..., None, 1], lambda r: r.normal(size=(2, 3))),
    Case("scatter_add", lambda a: ScatterAdd(IDX, (4, 2))(a) ** 2, lambda r: r.normal(size=(5, 2))),
]


def test_values_match_numpy():
    a = np.arange(24.0).reshape(2, 3, 4)
    t = mg.Tensor(a)
    np.testing.assert_array_equal(t[:, [0, 2]].data, a[:, [0, 2]])
    np.testing.assert_array_equal(t[1, ..., ::-2].numpy(), a[1, ..., ::-2])


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
    with pytest.raises(IndexError, match="getitem"):
        mg.ones(2, 3)[np.array([5])]
    in_graph = mg.ones(2, 3, requires_grad=True) * 1
    with pytest.raises(ValueError, match=r"__setitem__: a value of shape \(4,\) cannot be written"):
        in_graph[0] = mg.ones(4)


def test_lists_inside_a_tuple_index_accumulate_like_arrays():
    for index in (([0, 0], slice(None)), ([0, 0], [1, 1]), (slice(None), [1, 1])):
        x = mg.Tensor(np.ones((3, 2)), requires_grad=True)
        x[index].sum().backward()
        expected = np.zeros((3, 2))
        np.add.at(expected, tuple(np.asarray(i) if isinstance(i, list) else i for i in index), 1)
        np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_indexing_with_an_empty_list_as_torch():
    torch = pytest.importorskip("torch")
    a, ta = mg.ones(2, 1, 3), torch.ones(2, 1, 3)
    assert a[[]].shape == tuple(ta[[]].shape) and a[[]].dtype == np.float32
    assert a[:, []].shape == tuple(ta[:, []].shape)
