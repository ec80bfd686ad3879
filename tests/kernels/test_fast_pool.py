"""The fast pooling kernels' own machinery (minigrad/kernels/fast/pool.py): passes in
chunks, the batch-last layout and float32 kept, an NCHW gradient routed into a
batch-last pool."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from tests.kernel_sets import FAST_ONLY, kernel_set  # noqa: F401 (a fixture)
from tests.ops.pool_references import loop_pool, loop_pool_backward

# every test here pins the fast set
pytestmark = pytest.mark.usefixtures("kernel_set")


@FAST_ONLY
@pytest.mark.parametrize("batch_last", [False, True])
def test_chunked_passes_give_the_same_result(batch_last):
    """With a chunk of one image (or one channel, batch-last) at a time, overlapping
    and padded windows still equal the loop reference."""
    from minigrad.kernels.fast import pool
    rng = np.random.default_rng(3)
    x = np.round(rng.normal(size=(3, 2, 7, 6)), 1)
    data = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2) if batch_last else x
    old = pool.CHUNK_BYTES
    try:
        pool.CHUNK_BYTES = 1
        for kind, fn in (("max", F.max_pool2d), ("avg", F.avg_pool2d)):
            X = mg.from_numpy(data.copy(order="K")).requires_grad_(True)
            y = fn(X, 3, 2, 1)
            g = rng.normal(size=y.shape)
            y.backward(g)
            ref, route = loop_pool(x, (3, 3), (2, 2), (1, 1), kind)
            np.testing.assert_allclose(y.numpy(), ref, atol=1e-12)
            np.testing.assert_allclose(X.grad.numpy(), loop_pool_backward(g, x.shape, route), atol=1e-12)
    finally:
        pool.CHUNK_BYTES = old


@FAST_ONLY  # the batch-last layout is the fast kernels' own
def test_batch_last_layout_and_float32_are_kept():
    """A conv output is an NCHW view of batch-last (C, H, W, N) memory; pooling keeps
    that layout (so the next conv reads it without a copy) and the dtype."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 2, 6, 6)).astype(np.float32)
    x_last = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
    for pool in (F.max_pool2d, F.avg_pool2d):
        X = mg.from_numpy(x_last).requires_grad_(True)
        y = pool(X, 2)
        assert y.dtype == np.float32 and y.numpy().transpose(1, 2, 3, 0).flags.c_contiguous
        np.testing.assert_array_equal(y.numpy(), pool(mg.Tensor(x), 2).data)
        y.backward(np.ones(y.shape, dtype=np.float32))
        assert X.grad.dtype == np.float32
        if pool is F.max_pool2d:   # the gradient for the conv before it stays batch-last
            assert X.grad.numpy().transpose(1, 2, 3, 0).flags.c_contiguous


@FAST_ONLY  # the batch-last layout is the fast kernels' own
@pytest.mark.parametrize("kernel, stride, padding", [(2, 2, 0), (3, 2, 1), (2, 1, 0)])
def test_an_nchw_gradient_for_a_batch_last_pool_is_routed_as_for_nchw(kernel, stride, padding):
    """After Flatten the gradient arrives in NCHW order while the argmax is batch-last:
    the backward reorders it, and must route every value (inf too) as the NCHW case does."""
    rng = np.random.default_rng(4)
    x = np.round(rng.normal(size=(3, 2, 6, 6)), 1).astype(np.float32)   # rounded: ties
    x_last = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
    grads = []
    for data in (x, x_last):
        X = mg.from_numpy(data.copy(order="K")).requires_grad_(True)
        y = F.max_pool2d(X, kernel, stride, padding)
        g = np.random.default_rng(5).normal(size=y.shape).astype(np.float32)
        g[1, 0, 0, 0] = np.inf
        y.backward(g)                    # g: ordinary C order, whatever y's layout
        grads.append(X.grad.numpy())
    np.testing.assert_array_equal(grads[1], grads[0])
    n, c, h, w = grads[1].strides    # still batch-last for the conv (a view when padded)
    assert c > h > w > n == grads[1].itemsize
    assert not np.isnan(grads[1]).any()
