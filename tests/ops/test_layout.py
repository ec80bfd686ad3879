import numpy as np
import pytest

from minigrad.ops.layout import (empty_like_layout, in_layout_of, mean_over, memory_order,
                                 run_sums, sum_over)


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


def _to_batch_last(a):
    return np.ascontiguousarray(a.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)


# (layout, axes, whether BLAS sums apply)
SUM_CASES = [
    ("batch_last", (0, 2, 3), True),      # a conv output's channels: one run each
    ("c_order", (2, 3), True),             # per (n, c) plane
    ("c_order", (1, 2, 3), True),          # per sample (layer norm)
    ("c_order", None, True),               # everything
    ("c_order", (0, 2, 3), False),         # channels not contiguous: numpy
    ("c_order", (3,), False),              # runs shorter than a BLOCK
    ("batch_last", (2, 3), False),         # summed axes not innermost
    ("sliced", (0, 2, 3), False),          # gaps in memory
    ("mixed", (0, 2, 3), True),            # a batch-last, times not: BLAS for a alone
    ("float16", (0, 2, 3), False),
    ("small", (0, 2, 3), False),           # under SMALL_SUM numbers
    ("empty", (0, 2, 3), False),
]


@pytest.mark.parametrize("layout, axes, blas", SUM_CASES)
@pytest.mark.parametrize("with_times", [False, True])
def test_sum_over_and_mean_over_equal_numpy(layout, axes, blas, with_times):
    rng = np.random.default_rng(3)
    # (41 x 24 x 20 per channel: 76 blocks and a tail)
    shape = {"empty": (0, 3, 24, 20), "small": (2, 3, 4, 5)}.get(layout, (41, 3, 24, 20))
    # a different offset per channel, so a sum landing on the wrong channel shows
    a, b = (rng.normal(size=shape) + np.arange(3).reshape(1, 3, 1, 1) for _ in range(2))
    if layout == "batch_last":
        a, b = _to_batch_last(a), _to_batch_last(b)
    elif layout == "mixed":
        a = _to_batch_last(a)
    elif layout == "sliced":
        a, b = np.repeat(a, 2, axis=3)[..., ::2], np.repeat(b, 2, axis=3)[..., ::2]
    elif layout == "float16":   # (sums that float16 can hold)
        a, b = a / 10, b / 10
    times = b if with_times else None
    product = a * b if with_times else a
    for dtype in ((np.float16,) if layout == "float16" else (np.float64, np.float32)):
        a_, times_ = a.astype(dtype), None if times is None else times.astype(dtype)
        assert (run_sums(a_, axes, times_) is not None) == (blas and not (with_times and layout == "mixed"))
        total = sum_over(a_, axes, times_)
        expected = product.sum(axis=axes, keepdims=True)
        assert total.shape == expected.shape and total.dtype == dtype
        rtol, atol = {np.float64: (1e-12, 1e-12), np.float32: (1e-5, 1e-3)}.get(dtype, (1e-2, 1.0))
        np.testing.assert_allclose(total, expected, rtol=rtol, atol=atol)
        if product.size:   # (the mean of nothing is numpy's NaN with a warning)
            mean = mean_over(a_, axes, times_)
            assert mean.dtype == dtype
            np.testing.assert_allclose(mean, product.mean(axis=axes, keepdims=True), rtol=rtol,
                                       atol=atol)


@pytest.mark.parametrize("data", ["equal", "background", "random"])
def test_float32_sums_are_as_close_as_numpys(data):
    """Long runs of equal values are where a single long dot drifts (each lane adds one
    value after another): 1.5e-4 off on 2^20 values. In blocks (layout.BLOCK), the sums stay
    within 2x of numpy's pairwise error (and below 3e-7 relative)."""
    rng = np.random.default_rng(0)
    shape = (2, 1 << 19)   # one run of 2^19 per row; plus a whole-array sum of 2^20
    a = {"equal": np.full(shape, 0.1, np.float32),
         "background": np.where(rng.random(shape) < 0.85, np.float32(0.1),
                                rng.random(shape, dtype=np.float32)).astype(np.float32),
         "random": rng.random(shape, dtype=np.float32)}[data]
    for axes, times in (((1,), None), ((1,), a), (None, None)):
        product = (a.astype(np.float64) * (1 if times is None else times))
        exact = product.sum(axis=axes, keepdims=True)
        ours = np.abs(sum_over(a, axes, times) / exact - 1).max()
        numpys = np.abs((a if times is None else a * times).sum(axis=axes, keepdims=True)
                        / exact - 1).max()
        assert run_sums(a, axes, times) is not None
        assert ours <= max(2 * numpys, 3e-7), (axes, times is None, ours, numpys)
