"""max_pool2d and avg_pool2d.

* ``CASES``: float64 gradcheck + gradgradcheck over kernel, stride (overlapping
  windows), padding, odd sizes, 1 and 3 channels, batch 1 and 3, deliberate ties;
  the backward ops (MaxUnpool2d, GatherArgmax2d, AvgUnpool2d) through gradients
  taken with create_graph=True;
* loop references of the textbook rules (argmax routing, upsample / window size);
* the tie rule: the first maximum in row-major window order gets the gradient;
* bad arguments; optional PyTorch oracle comparisons.
"""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from tests.registry import Case


def _input(*shape):
    return lambda r: r.normal(size=shape)


def pool_gradient(pool, *args):
    """dL/dx of pool(x) for the cotangent v, as a differentiable function of (x, v)."""
    def fn(x, v):
        with mg.enable_grad():   # gradcheck's numerical side runs under no_grad
            return mg.grad(pool(x, *args), x, v, create_graph=True)[0]
    return fn


def max_pool_second_order(x, v, u):
    """The gradient of (the max-pool gradient) with respect to v, for cotangent u:
    its graph is GatherArgmax2d(u)."""
    with mg.enable_grad():
        dx, = mg.grad(F.max_pool2d(x, 3, 2, 1), x, v, create_graph=True)
        return mg.grad(dx, v, u, create_graph=True)[0]


# Inputs with ties: a window whose maximum appears twice or more, and a window
# of equal values (as after a ReLU zeroes a whole patch).
TIES = np.array([[[[1.0, 3.0, 3.0, 0.0],
                   [3.0, 2.0, 1.0, 3.0],
                   [0.0, 0.0, 5.0, 4.0],
                   [0.0, 0.0, 5.0, 5.0]]]])

CASES = [
    Case("max_pool2d_2x2", lambda x: F.max_pool2d(x, 2), _input(1, 3, 6, 6)),
    Case("max_pool2d_k3_s2_p1_overlap_batch3", lambda x: F.max_pool2d(x, 3, 2, 1), _input(3, 1, 7, 7)),
    Case("max_pool2d_rect_s1_overlap_odd", lambda x: F.max_pool2d(x, (2, 3), 1), _input(1, 2, 5, 7)),
    Case("max_pool2d_k2_s1_batch3_3ch", lambda x: F.max_pool2d(x, 2, 1), _input(3, 3, 4, 5)),
    Case("max_pool2d_floor_pad_pair", lambda x: F.max_pool2d(x, 3, (2, 3), (1, 0)), _input(1, 1, 6, 7)),
    # Ties are kinks: gradcheck accepts the first-max gradient as a subgradient when
    # each tied pixel lies in one window. A pixel tied in two overlapping windows has
    # no one-dimensional slope to compare with, so those ties are checked against the
    # loop reference and PyTorch below instead.
    Case("max_pool2d_ties", lambda x: F.max_pool2d(x, 2), lambda r: TIES.copy(),
         gradgrad="ties are kinks"),
    Case("max_unpool2d_via_create_graph", pool_gradient(F.max_pool2d, 3, 2, 1),
         lambda r: (r.normal(size=(1, 2, 5, 5)), r.normal(size=(1, 2, 3, 3)))),
    Case("gather_argmax2d_via_second_order", max_pool_second_order,
         lambda r: (r.normal(size=(1, 1, 5, 6)), r.normal(size=(1, 1, 3, 3)),
                    r.normal(size=(1, 1, 5, 6)))),
    Case("avg_pool2d_2x2", lambda x: F.avg_pool2d(x, 2), _input(1, 3, 6, 6)),
    Case("avg_pool2d_k3_s2_p1_overlap_batch3", lambda x: F.avg_pool2d(x, 3, 2, 1), _input(3, 1, 7, 7)),
    Case("avg_pool2d_k2_s1_batch3_3ch", lambda x: F.avg_pool2d(x, 2, 1), _input(3, 3, 4, 5)),
    Case("avg_pool2d_rect_pair_args_odd", lambda x: F.avg_pool2d(x, (3, 2), (1, 2), (1, 0)),
         _input(1, 2, 5, 7)),
    Case("avg_unpool2d_via_create_graph", pool_gradient(F.avg_pool2d, 3, 2, 1),
         lambda r: (r.normal(size=(1, 2, 5, 5)), r.normal(size=(1, 2, 3, 3)))),
]


# -- the textbook rules, with loops ---------------------------------------------------

def loop_pool(x, kernel, stride, padding, kind):
    """Forward and the routing of each output to its input pixels, window by window.
    Returns (y, route) where route[(n, c, i, j)] lists (pixel, weight) pairs."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    n, c, h, w = x.shape
    ho, wo = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    y = np.zeros((n, c, ho, wo))
    route = {}
    for b in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    best, best_at, cells = -np.inf, None, []
                    for a in range(kh):            # row-major window order
                        for bb in range(kw):
                            u, v = i * sh + a - ph, j * sw + bb - pw
                            inside = 0 <= u < h and 0 <= v < w
                            value = x[b, ch, u, v] if inside else (-np.inf if kind == "max" else 0.0)
                            if inside:
                                cells.append((u, v))
                            if value > best:       # strictly greater: the first maximum stays
                                best, best_at = value, (u, v)
                    if kind == "max":
                        y[b, ch, i, j] = best
                        route[(b, ch, i, j)] = [(best_at, 1.0)]
                    else:
                        y[b, ch, i, j] = sum(x[b, ch, u, v] for u, v in cells) / (kh * kw)
                        route[(b, ch, i, j)] = [(cell, 1.0 / (kh * kw)) for cell in cells]
    return y, route


def loop_pool_backward(g, x_shape, route):
    """dx = every g[n, c, i, j] sent along its route (argmax, or upsample / window size);
    overlapping windows add up."""
    dx = np.zeros(x_shape)
    for (b, ch, i, j), targets in route.items():
        for (u, v), weight in targets:
            dx[b, ch, u, v] += weight * g[b, ch, i, j]
    return dx


POOL_GRID = [  # (x shape, kernel, stride, padding)
    ((1, 1, 4, 4), (2, 2), (2, 2), (0, 0)),
    ((3, 2, 7, 6), (3, 3), (2, 2), (1, 1)),
    ((1, 3, 5, 7), (2, 3), (1, 2), (1, 0)),
    ((2, 1, 6, 5), (3, 2), (3, 1), (0, 1)),
]


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("shape, kernel, stride, padding", POOL_GRID)
def test_forward_and_backward_equal_the_loop_reference(kind, shape, kernel, stride, padding):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape)
    x[..., 0, :2] = 1.5      # some ties too
    pool = F.max_pool2d if kind == "max" else F.avg_pool2d
    X = mg.Tensor(x, requires_grad=True)
    y = pool(X, kernel, stride, padding)
    ref, route = loop_pool(x, kernel, stride, padding, kind)
    np.testing.assert_allclose(y.data, ref, atol=1e-12)
    g = rng.normal(size=y.shape)
    y.backward(g)
    np.testing.assert_allclose(X.grad.data, loop_pool_backward(g, shape, route), atol=1e-12)


@pytest.mark.parametrize("batch_last", [False, True])
def test_chunked_passes_give_the_same_result(batch_last):
    """With a chunk of one image (or one channel, batch-last) at a time, overlapping
    and padded windows still equal the loop reference."""
    from minigrad.ops import pool
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
            np.testing.assert_allclose(y.data, ref, atol=1e-12)
            np.testing.assert_allclose(X.grad.data, loop_pool_backward(g, x.shape, route), atol=1e-12)
    finally:
        pool.CHUNK_BYTES = old


def test_ties_send_the_gradient_to_the_first_maximum_in_row_major_order():
    x = mg.Tensor(TIES.copy(), requires_grad=True)
    F.max_pool2d(x, 2).backward(np.array([[[[10.0, 20.0], [30.0, 40.0]]]]))
    expected = np.array([[[[0, 10, 20, 0],     # window (0,0): 3 at (0,1) and (1,0): (0,1) first
                           [0, 0, 0, 0],       # window (0,1): 3 at (0,2) and (1,3): (0,2) first
                           [30, 0, 40, 0],     # window (1,0): all zeros: the top-left one
                           [0, 0, 0, 0]]]])    # window (1,1): 5 at (2,2), (3,2), (3,3): (2,2)
    np.testing.assert_array_equal(x.grad.data, expected)


def test_overlapping_windows_accumulate_at_a_shared_maximum():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 9.0           # the maximum of all four 2x2 windows (stride 1)
    X = mg.Tensor(x, requires_grad=True)
    F.max_pool2d(X, 2, 1).backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    assert X.grad.data[0, 0, 1, 1] == 10.0 and X.grad.data.sum() == 10.0


def test_nan_is_the_maximum_as_in_pytorch():
    x = np.array([[[[1.0, np.nan], [3.0, np.nan]]]])
    X = mg.Tensor(x, requires_grad=True)
    y = F.max_pool2d(X, 2)
    assert np.isnan(y.data).all()
    y.backward(np.ones((1, 1, 1, 1)))
    np.testing.assert_array_equal(X.grad.data, [[[[0.0, 1.0], [0.0, 0.0]]]])


@pytest.mark.parametrize("stride", [2, 1])
def test_an_infinite_gradient_reaches_only_the_argmax(stride):
    """inf * 0 would be NaN: the routing must select, not multiply by a mask."""
    x = mg.Tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    y = F.max_pool2d(x, 2, stride)
    g = np.ones(y.shape)
    g[0, 0, 0, 0] = np.inf
    y.backward(g)
    assert not np.isnan(x.grad.data).any()
    assert x.grad.data[0, 0, 1, 1] == np.inf and np.isinf(x.grad.data).sum() == 1


def test_padding_is_minus_infinity_for_max_and_counted_zeros_for_avg():
    x = -np.ones((1, 1, 2, 2))
    np.testing.assert_array_equal(F.max_pool2d(mg.Tensor(x), 2, 2, 1).data, -np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(F.avg_pool2d(mg.Tensor(x), 2, 2, 1).data,
                                  np.full((1, 1, 2, 2), -0.25))


def test_batch_last_layout_and_float32_are_kept():
    """A conv output is an NCHW view of batch-last (C, H, W, N) memory; pooling keeps
    that layout (so the next conv reads it without a copy) and the dtype."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 2, 6, 6)).astype(np.float32)
    x_last = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
    for pool in (F.max_pool2d, F.avg_pool2d):
        X = mg.from_numpy(x_last).requires_grad_(True)
        y = pool(X, 2)
        assert y.dtype == np.float32 and y.data.transpose(1, 2, 3, 0).flags.c_contiguous
        np.testing.assert_array_equal(y.data, pool(mg.Tensor(x), 2).data)
        y.backward(np.ones(y.shape, dtype=np.float32))
        assert X.grad.dtype == np.float32
        if pool is F.max_pool2d:   # the gradient for the conv before it stays batch-last
            assert X.grad.data.transpose(1, 2, 3, 0).flags.c_contiguous


# -- bad input -------------------------------------------------------------------------

X = mg.Tensor(np.zeros((1, 2, 5, 5)))


@pytest.mark.parametrize("pool", [F.max_pool2d, F.avg_pool2d])
@pytest.mark.parametrize("args, error, words", [
    (((np.zeros((1, 2, 5, 5)),), 2), TypeError, ["input", "Tensor"]),
    (((mg.Tensor(np.zeros((2, 5, 5))),), 2), ValueError, ["input", "4-D", "(2, 5, 5)"]),
    (((X,), 6), ValueError, ["kernel_size (6, 6)", "larger than the padded input", "(1, 2, 5, 5)"]),
    (((X,), 0), ValueError, ["kernel_size", ">= 1"]),
    (((X,), 2.0), TypeError, ["kernel_size", "int"]),
    (((X,), 2, 0), ValueError, ["stride", ">= 1"]),
    (((X,), 2, 2, -1), ValueError, ["padding", ">= 0"]),
    (((X,), 2, 2, 2), ValueError, ["padding (2, 2)", "half the kernel_size (2, 2)"]),
    (((X,), (2, 3), None, (1, 2)), ValueError, ["padding (1, 2)", "half"]),
])
def test_bad_arguments_fail_clearly(pool, args, error, words):
    (first,), *rest = args
    with pytest.raises(error) as info:
        pool(first, *rest)
    message = str(info.value)
    assert message.startswith(pool.__name__), message
    for word in words:
        assert word in message, (word, message)


# -- PyTorch as an oracle (optional) -----------------------------------------------------

@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("shape, kernel, stride, padding", POOL_GRID + [((2, 3, 8, 8), (2, 2), (2, 2), (0, 0))])
def test_matches_torch(kind, shape, kernel, stride, padding):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x = np.round(rng.normal(size=shape), 1)      # rounding makes ties
    name = f"{kind}_pool2d"
    ours = mg.Tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    y = getattr(F, name)(ours, kernel, stride, padding)
    ty = getattr(torch.nn.functional, name)(theirs, kernel, stride, padding)
    g = rng.normal(size=ty.shape)
    y.backward(g)
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(y.data, ty.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), atol=1e-12)
