"""Differential rows of the shape ops (minigrad/ops/shape.py, subscript.py,
pad_flip_repeat.py, join.py)."""
from tests.differential.row import INDEX, MATRIX, UNARY, Row, pattern_mask


def written_rows(L, x, v):
    """``y[1:] = v`` on a tensor in the graph (v broadcast over the rows)."""
    y = x * 1
    y[1:] = v
    return y


def written_mask(L, x, v):
    y = x * 1
    y[L.const(pattern_mask(tuple(x.shape)))] = v
    return y

ROWS = [
    Row("reshape_flat", lambda L, x: x.reshape(-1), UNARY),
    Row("view_rows", lambda L, x: x.view(x.shape[0], -1), [((3, 4),), ((2, 3, 2),), ((1, 5),)]),
    Row("transpose01", lambda L, x: x.transpose(0, 1), MATRIX, second_order=True),
    Row("permute", lambda L, x: x.permute(2, 0, 1), [((2, 3, 4),), ((1, 0, 2),)]),
    Row("t", lambda L, x: x.t(), [((3, 4),), ((1, 5),), ((4,),)]),
    Row("mT", lambda L, x: x.mT, [((2, 3, 4),), ((3, 1),)]),
    Row("expand_lead", lambda L, x: x.expand(3, *x.shape), UNARY, second_order=True),
    Row("expand_dim", lambda L, x: x.expand(x.shape[0], 4), [((3, 1),), ((1, 1),), ((0, 1),)]),
    Row("getitem_slices", lambda L, x: x[1:, ::2], [((3, 4),), ((2, 3, 5),), ((1, 1),), ((0, 3),)]),
    Row("getitem_int_array", lambda L, x: x[L.const(INDEX)], [((3, 4),), ((3,),)], second_order=True),
    Row("getitem_two_arrays", lambda L, x: x[L.const([0, 1, 1]), L.const([2, 0, 2])],
        [((2, 3),), ((3, 3, 2),)], second_order=True),
    Row("getitem_bool_mask", lambda L, x: x[L.const(pattern_mask(tuple(x.shape)))],
        [((4, 3),), ((5,),), ((0, 2),)]),
    Row("getitem_empty_list", lambda L, x: x[[]], [((3, 4),)]),
    Row("setitem_rows", written_rows, [((3, 4), (4,)), ((3, 2, 2), (2, 1)), ((1, 3), (3,))],
        second_order=True),
    Row("setitem_mask", written_mask, [((4, 3), ()), ((5,), (1,)), ((0, 2), ())]),
    Row("pad_constant", lambda L, x: L.F.pad(x, (1, 2)), [((2, 3),), ((2, 3, 4),), ((0, 3),)]),
    Row("pad_constant_value_2d", lambda L, x: L.F.pad(x, (1, 0, 2, 1), value=0.5),
        [((2, 3),), ((1, 2, 3, 3),)]),
    Row("cat_dim1", lambda L, a, b: L.lib.cat([a, b, a], dim=1),
        [((2, 3), (2, 1)), ((1, 0), (1, 2)), ((2, 3, 4), (2, 2, 4))]),
    Row("stack_last", lambda L, a, b: L.lib.stack([a, b], dim=-1),
        [((2, 3), (2, 3)), ((), ()), ((0,), (0,))]),
    Row("flip0", lambda L, x: x.flip(0), [((3, 2),), ((1,),), ((0, 2),)]),
    Row("flip_two_dims", lambda L, x: L.lib.flip(x, (0, -1)), [((2, 3, 4),), ((3, 2),)]),
    Row("repeat", lambda L, x: x.repeat(2, 3), [((2, 3),), ((1, 1),), ((0, 2),), ((4,),)]),
    Row("repeat_new_dims", lambda L, x: x.repeat(2, 1, 3), [((2, 3),), ((3,),)]),
    Row("split_sizes", lambda L, x: x.split([1, 3], dim=1)[1], [((2, 4),), ((0, 4, 2),)]),
    Row("chunk", lambda L, x: x.chunk(3)[1], [((7, 2),), ((3,),)]),
    Row("squeeze_unsqueeze", lambda L, x: x.unsqueeze(1).squeeze(1), [((3, 4),), ((1,),)]),
    Row("flatten", lambda L, x: x.flatten(1), [((2, 3, 4),), ((2, 0, 3),)]),
]
