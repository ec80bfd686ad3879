import numpy as np

from minigrad.ops.layout import empty_like_layout, in_layout_of, memory_order


def batch_last(shape):
    """An NCHW view of (C, H, W, N) memory, as conv returns."""
    n, c, h, w = shape
    return np.arange(np.prod(shape), dtype=np.float32).reshape(c, h, w, n).transpose(3, 0, 1, 2)


def test_memory_order_lists_axes_outermost_first():
    assert memory_order(np.zeros((2, 3, 4, 5))) == (0, 1, 2, 3)
    assert memory_order(batch_last((2, 3, 4, 5))) == (1, 2, 3, 0)


def test_empty_like_layout_takes_the_axis_order_of_its_model():
    like = batch_last((2, 3, 4, 5))
    out = empty_like_layout((2, 3, 2, 2), like, np.float64, zero=True)
    assert out.shape == (2, 3, 2, 2) and out.dtype == np.float64 and not out.any()
    assert memory_order(out) == memory_order(like)


def test_in_layout_of_copies_only_when_the_orders_differ():
    like = batch_last((2, 3, 4, 5))
    assert in_layout_of(like, like) is like
    c_ordered = np.ascontiguousarray(like)
    moved = in_layout_of(c_ordered, like)
    assert moved is not c_ordered and memory_order(moved) == memory_order(like)
    np.testing.assert_array_equal(moved, c_ordered)
