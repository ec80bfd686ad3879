"""max_pool2d, avg_pool2d, adaptive_avg_pool2d and adaptive_max_pool2d.

* ``CASES``: float64 gradcheck + gradgradcheck over kernel, stride (overlapping
  windows), padding, dilation, ceil_mode, count_include_pad, odd sizes, 1 and 3
  channels, batch 1 and 3, deliberate ties, adaptive sizes that divide and that
  do not (overlapping windows, upsampling); the backward ops (MaxUnpool2d,
  GatherArgmax2d, AvgUnpool2d) through gradients taken with create_graph=True;
* loop references of the textbook rules (argmax routing, upsample / window size);
* the tie rule: the first maximum in row-major window order gets the gradient;
* bad arguments; PyTorch oracle comparisons over a grid of every option;
* inference: no argmax is computed or kept when no gradient is needed;
* the modules (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d).
"""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from tests.kernel_sets import kernel_set  # noqa: F401 (a fixture)
from tests.registry import Case

# every test here runs under both kernel sets, unless it pins one
pytestmark = pytest.mark.usefixtures("kernel_set")
FAST_ONLY = pytest.mark.parametrize("kernel_set", ["fast"], indirect=True)


def _input(*shape):
    return lambda r: r.normal(size=shape)


def pool_gradient(pool, *args):
    """dL/dx of pool(x) for the cotangent v, as a differentiable function of (x, v)."""
    def fn(x, v):
        with mg.enable_grad():   # gradcheck's numerical side runs under no_grad
            return mg.grad(pool(x, *args), x, v, create_graph=True)[0]
    return fn


def max_pool_second_order(x, v, u, pool=lambda x: F.max_pool2d(x, 3, 2, 1)):
    """The gradient of (the max-pool gradient) with respect to v, for cotangent u:
    its graph is GatherArgmax2d(u)."""
    with mg.enable_grad():
        dx, = mg.grad(pool(x), x, v, create_graph=True)
        return mg.grad(dx, v, u, create_graph=True)[0]


def adaptive_max_second_order(x, v, u):
    return max_pool_second_order(x, v, u, lambda x: F.adaptive_max_pool2d(x, (3, 4)))


def ceil_max_second_order(x, v, u):
    return max_pool_second_order(x, v, u, lambda x: F.max_pool2d(x, 2, 2, 1, 2, ceil_mode=True))


def max_pool_values(x):
    """The values half of return_indices=True (the graph is the same MaxPool2d)."""
    out, indices = F.max_pool2d(x, 3, 2, 1, ceil_mode=True, return_indices=True)
    assert indices.dtype == np.int64 and not indices.requires_grad
    return out


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
    # -- dilation, ceil_mode, return_indices, count_include_pad --------------------------
    Case("max_pool2d_dilation2_pad1_batch3", lambda x: F.max_pool2d(x, 2, 1, 1, dilation=2),
         _input(3, 2, 5, 6)),
    Case("max_pool2d_dilation_pair_rect_kernel", lambda x: F.max_pool2d(x, (3, 2), 2, 0, (1, 3)),
         _input(1, 1, 7, 8)),
    Case("max_pool2d_ceil_mode_partial_last_window", lambda x: F.max_pool2d(x, 2, ceil_mode=True),
         _input(2, 1, 5, 7)),
    Case("max_pool2d_ceil_pad1_dilation2", lambda x: F.max_pool2d(x, 2, 2, 1, 2, ceil_mode=True),
         _input(1, 2, 6, 5)),
    Case("max_pool2d_return_indices_ceil", max_pool_values, _input(2, 1, 6, 6)),
    Case("max_unpool2d_ceil_dilation_via_create_graph",
         pool_gradient(F.max_pool2d, 2, 2, 1, 2, True),
         lambda r: (r.normal(size=(1, 2, 6, 5)), r.normal(size=(1, 2, 4, 3)))),
    Case("gather_argmax2d_ceil_dilation_second_order", ceil_max_second_order,
         lambda r: (r.normal(size=(1, 1, 6, 5)), r.normal(size=(1, 1, 4, 3)),
                    r.normal(size=(1, 1, 6, 5)))),
    Case("avg_pool2d_no_count_include_pad", lambda x: F.avg_pool2d(x, 3, 2, 1, False, False),
         _input(2, 2, 5, 6)),
    Case("avg_pool2d_ceil_mode_pad1", lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True),
         _input(1, 3, 6, 6)),
    Case("avg_pool2d_ceil_no_count_rect", lambda x: F.avg_pool2d(x, (2, 3), (2, 2), (1, 1), True, False),
         _input(3, 1, 5, 6)),
    Case("avg_unpool2d_uneven_divisor_via_create_graph",
         pool_gradient(F.avg_pool2d, 3, 2, 1, True, False),
         lambda r: (r.normal(size=(1, 2, 6, 6)), r.normal(size=(1, 2, 4, 4)))),
    # -- adaptive pooling ---------------------------------------------------------------------
    Case("adaptive_avg_pool2d_divides_fast_path", lambda x: F.adaptive_avg_pool2d(x, (2, 3)),
         _input(2, 3, 6, 6)),
    Case("adaptive_avg_pool2d_uneven_overlap", lambda x: F.adaptive_avg_pool2d(x, (3, 4)),
         _input(1, 2, 5, 7)),
    Case("adaptive_avg_pool2d_upsamples_keep_width", lambda x: F.adaptive_avg_pool2d(x, (5, None)),
         _input(3, 1, 3, 4)),
    Case("adaptive_avg_pool2d_global_int", lambda x: F.adaptive_avg_pool2d(x, 1), _input(2, 3, 5, 4)),
    Case("adaptive_avg_unpool2d_via_create_graph", pool_gradient(F.adaptive_avg_pool2d, (3, 4)),
         lambda r: (r.normal(size=(1, 2, 5, 7)), r.normal(size=(1, 2, 3, 4)))),
    Case("adaptive_max_pool2d_uneven_overlap", lambda x: F.adaptive_max_pool2d(x, (3, 4)),
         _input(2, 2, 5, 7)),
    Case("adaptive_max_pool2d_divides_fast_path", lambda x: F.adaptive_max_pool2d(x, 2),
         _input(1, 3, 4, 6)),
    Case("adaptive_max_pool2d_upsamples", lambda x: F.adaptive_max_pool2d(x, (4, 3)),
         _input(1, 1, 3, 2)),
    Case("adaptive_max_unpool2d_via_create_graph", pool_gradient(F.adaptive_max_pool2d, (3, 4)),
         lambda r: (r.normal(size=(1, 2, 5, 7)), r.normal(size=(1, 2, 3, 4)))),
    Case("adaptive_gather_argmax2d_second_order", adaptive_max_second_order,
         lambda r: (r.normal(size=(1, 1, 5, 7)), r.normal(size=(1, 1, 3, 4)),
                    r.normal(size=(1, 1, 5, 7)))),
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
    np.testing.assert_allclose(y.numpy(), ref, atol=1e-12)
    g = rng.normal(size=y.shape)
    y.backward(g)
    np.testing.assert_allclose(X.grad.numpy(), loop_pool_backward(g, shape, route), atol=1e-12)


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


def test_ties_send_the_gradient_to_the_first_maximum_in_row_major_order():
    x = mg.Tensor(TIES.copy(), requires_grad=True)
    F.max_pool2d(x, 2).backward(np.array([[[[10.0, 20.0], [30.0, 40.0]]]]))
    expected = np.array([[[[0, 10, 20, 0],     # window (0,0): 3 at (0,1) and (1,0): (0,1) first
                           [0, 0, 0, 0],       # window (0,1): 3 at (0,2) and (1,3): (0,2) first
                           [30, 0, 40, 0],     # window (1,0): all zeros: the top-left one
                           [0, 0, 0, 0]]]])    # window (1,1): 5 at (2,2), (3,2), (3,3): (2,2)
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_overlapping_windows_accumulate_at_a_shared_maximum():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 9.0           # the maximum of all four 2x2 windows (stride 1)
    X = mg.Tensor(x, requires_grad=True)
    F.max_pool2d(X, 2, 1).backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    assert X.grad.numpy()[0, 0, 1, 1] == 10.0 and X.grad.numpy().sum() == 10.0


def test_nan_is_the_maximum_as_in_pytorch():
    x = np.array([[[[1.0, np.nan], [3.0, np.nan]]]])
    X = mg.Tensor(x, requires_grad=True)
    y = F.max_pool2d(X, 2)
    assert np.isnan(y.numpy()).all()
    y.backward(np.ones((1, 1, 1, 1)))
    np.testing.assert_array_equal(X.grad.numpy(), [[[[0.0, 1.0], [0.0, 0.0]]]])


@pytest.mark.parametrize("stride", [2, 1])
def test_an_infinite_gradient_reaches_only_the_argmax(stride):
    """inf * 0 would be NaN: the routing must select, not multiply by a mask."""
    x = mg.Tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    y = F.max_pool2d(x, 2, stride)
    g = np.ones(y.shape)
    g[0, 0, 0, 0] = np.inf
    y.backward(g)
    assert not np.isnan(x.grad.numpy()).any()
    assert x.grad.numpy()[0, 0, 1, 1] == np.inf and np.isinf(x.grad.numpy()).sum() == 1


def test_padding_is_minus_infinity_for_max_and_counted_zeros_for_avg():
    x = -np.ones((1, 1, 2, 2))
    np.testing.assert_array_equal(F.max_pool2d(mg.Tensor(x), 2, 2, 1).data, -np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(F.avg_pool2d(mg.Tensor(x), 2, 2, 1).data,
                                  np.full((1, 1, 2, 2), -0.25))


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
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), atol=1e-12)


# -- PyTorch's options: dilation, ceil_mode, return_indices, count_include_pad -----------

OPTION_GRID = [  # (x shape, kernel, stride, padding, dilation)
    ((2, 2, 7, 6), 2, None, 0, 1),
    ((1, 3, 5, 5), 3, 2, 1, 1),
    ((2, 1, 8, 9), (3, 2), (2, 1), (1, 0), 1),
    ((1, 2, 7, 7), 2, 1, 1, 2),
    ((1, 1, 9, 8), (2, 3), 3, (1, 1), (3, 2)),
    ((3, 2, 6, 6), 3, 2, 1, 1),        # ceil_mode: one more window, partly past the padding
    ((1, 2, 4, 5), 2, 3, 1, 1),        # ceil_mode: a third window would start in the padding
]


@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("shape, kernel, stride, padding, dilation", OPTION_GRID)
def test_max_pool2d_options_and_indices_match_torch(shape, kernel, stride, padding, dilation,
                                                    ceil_mode):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x = np.round(rng.normal(size=shape), 1)      # ties too
    ours, theirs = mg.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, indices = F.max_pool2d(ours, kernel, stride, padding, dilation, ceil_mode, True)
    ty, tindices = torch.nn.functional.max_pool2d(theirs, kernel, stride, padding, dilation,
                                                  ceil_mode, True)
    assert y.shape == tuple(ty.shape) and indices.dtype == np.int64
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
    np.testing.assert_array_equal(indices.numpy(), tindices.numpy())
    g = rng.normal(size=y.shape)
    y.backward(g)
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("shape, kernel, stride, padding, _", OPTION_GRID)
def test_avg_pool2d_divisors_match_torch(shape, kernel, stride, padding, _, ceil_mode,
                                         count_include_pad):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x = rng.normal(size=shape)
    ours, theirs = mg.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y = F.avg_pool2d(ours, kernel, stride, padding, ceil_mode, count_include_pad)
    ty = torch.nn.functional.avg_pool2d(theirs, kernel, stride, padding, ceil_mode,
                                        count_include_pad)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), atol=1e-12)
    g = rng.normal(size=y.shape)
    y.backward(g)
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), atol=1e-12)


def test_ceil_mode_drops_a_window_that_would_start_in_the_right_padding():
    """H = 4, kernel 2, stride 3, padding 1: rounding up gives ceil((4 + 2 - 2) / 3) + 1
    = 3 windows, but the third would start at padded row 6, in the right padding
    (rows 5..): PyTorch drops it, leaving 2. H = 6, kernel 3, stride 2, padding 1:
    the fourth window starts at padded row 6, inside the input (rows 1..6), and is
    kept, one more than floor mode's 3."""
    assert F.max_pool2d(mg.Tensor(np.ones((1, 1, 4, 4))), 2, 3, 1, ceil_mode=True).shape == (1, 1, 2, 2)
    assert F.max_pool2d(mg.Tensor(np.ones((1, 1, 6, 6))), 3, 2, 1, ceil_mode=True).shape == (1, 1, 4, 4)
    assert F.max_pool2d(mg.Tensor(np.ones((1, 1, 6, 6))), 3, 2, 1).shape == (1, 1, 3, 3)
    # H = 5, kernel 2, stride 2, no padding: the partial last window starts at row 4
    # (inside the input) and is kept: 3 windows, the last reads one row.
    y = F.avg_pool2d(mg.Tensor(np.ones((1, 1, 5, 5))), 2, ceil_mode=True)
    assert y.shape == (1, 1, 3, 3)
    np.testing.assert_array_equal(y.numpy(), np.ones((1, 1, 3, 3)))   # divided by its 1 or 2 real rows


def test_avg_pool2d_ceil_window_divides_by_its_part_inside_the_padded_input():
    """count_include_pad=True: padding counts, but not the part of a ceil_mode window
    that runs past the padded input (PyTorch's rule)."""
    y = F.avg_pool2d(mg.Tensor(np.ones((1, 1, 5, 5))), 3, 2, 1, ceil_mode=True)
    # window rows: -1..1 (3 in the padded input, 2 real), 1..3 (3), 3..5 (3 in, 2 real)
    edge = 2 / 3
    expected = np.outer([edge, 1, edge], [edge, 1, edge])
    np.testing.assert_allclose(y.numpy()[0, 0], expected, atol=1e-15)


# -- adaptive pooling ---------------------------------------------------------------------

def loop_adaptive(x, out_hw, kind):
    """PyTorch's windows, written out: rows floor(i H / Ho) .. ceil((i + 1) H / Ho) - 1."""
    n, c, h, w = x.shape
    ho, wo = out_hw
    y = np.zeros((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            r0, r1 = (i * h) // ho, -(-((i + 1) * h) // ho)
            c0, c1 = (j * w) // wo, -(-((j + 1) * w) // wo)
            patch = x[:, :, r0:r1, c0:c1]
            y[:, :, i, j] = patch.max(axis=(2, 3)) if kind == "max" else patch.mean(axis=(2, 3))
    return y


ADAPTIVE_GRID = [  # (x shape, output_size)
    ((2, 3, 6, 6), (3, 2)),       # divides: the strided fast path
    ((1, 2, 5, 7), (3, 4)),       # does not: windows overlap and differ in size
    ((2, 1, 7, 5), (None, 2)),    # None keeps the height
    ((1, 2, 2, 3), (3, 5)),       # larger than the input: windows repeat
    ((3, 2, 9, 9), 1),            # global pooling
    ((1, 1, 10, 13), (4, 6)),
]


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("shape, output_size", ADAPTIVE_GRID)
def test_adaptive_pooling_matches_the_window_rule_and_torch(kind, shape, output_size):
    rng = np.random.default_rng(6)
    x = np.round(rng.normal(size=shape), 1)
    name = f"adaptive_{kind}_pool2d"
    ours = mg.Tensor(x, requires_grad=True)
    y = getattr(F, name)(ours, output_size)
    sizes = output_size if isinstance(output_size, tuple) else (output_size,) * 2
    out_hw = tuple(shape[2 + i] if s is None else s for i, s in enumerate(sizes))
    np.testing.assert_allclose(y.numpy(), loop_adaptive(x, out_hw, kind), atol=1e-12)
    torch = pytest.importorskip("torch")
    theirs = torch.tensor(x, requires_grad=True)
    ty = getattr(torch.nn.functional, name)(theirs, output_size)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), atol=1e-12)
    g = rng.normal(size=y.shape)
    y.backward(g)
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), atol=1e-12)
    if kind == "max":
        _, indices = F.adaptive_max_pool2d(mg.Tensor(x), output_size, return_indices=True)
        _, tindices = torch.nn.functional.adaptive_max_pool2d(torch.tensor(x), output_size, True)
        np.testing.assert_array_equal(indices.numpy(), tindices.numpy())


def test_adaptive_pooling_that_divides_uses_strided_windows():
    """H % Ho == 0: the adaptive windows are plain kernel = stride = H / Ho windows,
    read as strided views (no gathers)."""
    y = F.adaptive_avg_pool2d(mg.Tensor(np.ones((1, 1, 6, 8)), requires_grad=True), (3, 2))
    assert y.grad_fn.settings() == {"kernel_size": (2, 4), "stride": (2, 4), "padding": (0, 0),
                                    "dilation": (1, 1), "ceil_mode": False}
    z = F.adaptive_avg_pool2d(mg.Tensor(np.ones((1, 1, 7, 8)), requires_grad=True), (3, 2))
    assert z.grad_fn.settings() == {"output_size": (3, 2)}


def test_adaptive_pooling_to_an_empty_size_gives_an_empty_output():
    """As PyTorch, an output_size of 0 is allowed and gives no windows."""
    assert F.adaptive_avg_pool2d(mg.Tensor(np.ones((2, 3, 4, 4))), (0, 2)).shape == (2, 3, 0, 2)
    assert F.adaptive_max_pool2d(mg.Tensor(np.ones((2, 3, 4, 4))), (2, 0)).shape == (2, 3, 2, 0)


def test_adaptive_pooling_keeps_batch_last_layout_and_float32():
    x = np.random.default_rng(8).normal(size=(3, 2, 7, 5)).astype(np.float32)
    x_last = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
    for pool in (F.adaptive_max_pool2d, F.adaptive_avg_pool2d):
        X = mg.from_numpy(x_last).requires_grad_(True)
        y = pool(X, (3, 2))
        assert y.dtype == np.float32
        np.testing.assert_allclose(y.numpy(), pool(mg.Tensor(x), (3, 2)).data, rtol=1e-6)
        y.backward(np.ones(y.shape, dtype=np.float32))
        assert X.grad.dtype == np.float32


# -- inference: the argmax only when a gradient will need it --------------------------------

def test_max_pooling_computes_no_argmax_without_a_gradient(monkeypatch, kernel_set):
    """Under no_grad, or when the input needs no grad, max pooling finds the max only:
    the argmax exists for backward alone (issue 12)."""
    from minigrad import kernels
    pool = kernels.SETS[kernel_set]
    asked = []
    real = pool.max_pool

    def spy(x, window, with_argmax=True):
        asked.append(with_argmax)
        return real(x, window, with_argmax)

    monkeypatch.setattr(pool, "max_pool", spy)
    x = np.random.default_rng(9).normal(size=(2, 3, 6, 6))
    leaf = mg.Tensor(x, requires_grad=True)
    with mg.no_grad():
        a = F.max_pool2d(leaf, 2)
    b = F.max_pool2d(mg.Tensor(x), 3, 2, 1)
    c = F.adaptive_max_pool2d(mg.Tensor(x), (4, 4))
    assert asked == [False, False, False]
    assert a.grad_fn is None and b.grad_fn is None and c.grad_fn is None
    y = F.max_pool2d(leaf, 2)
    assert asked[-1] is True and [s.what for s in y.grad_fn.saved] == ["array"]
    np.testing.assert_array_equal(a.numpy(), y.numpy())


@pytest.mark.parametrize("pool", [lambda x: F.max_pool2d(x, 3, 2, 1, 2, True),
                                  lambda x: F.max_pool2d(x, (2, 3), 1, (1, 0)),
                                  lambda x: F.adaptive_max_pool2d(x, (4, 3))])
def test_the_max_without_the_argmax_is_the_same_max(pool):
    x = np.round(np.random.default_rng(10).normal(size=(2, 2, 7, 7)), 1)
    x[0, 0, 1, 1] = np.nan
    with mg.no_grad():
        alone = pool(mg.Tensor(x)).data
    np.testing.assert_array_equal(alone, pool(mg.Tensor(x, requires_grad=True)).data)


# -- the modules ---------------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda nn: nn.MaxPool2d(3, 2, 1, 2, False, True),
    lambda nn: nn.MaxPool2d(2, ceil_mode=True),
    lambda nn: nn.AvgPool2d(3, 2, 1, True, False),
    lambda nn: nn.AvgPool2d((2, 3), ceil_mode=True),
    lambda nn: nn.AdaptiveAvgPool2d((3, None)),
    lambda nn: nn.AdaptiveMaxPool2d(4),
])
def test_pooling_modules_match_torch_modules(make):
    torch = pytest.importorskip("torch")
    x = np.round(np.random.default_rng(11).normal(size=(2, 3, 7, 9)), 1)
    ours, theirs = make(mg.nn)(mg.Tensor(x)), make(torch.nn)(torch.tensor(x))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-12)


def test_max_pool_modules_return_indices_as_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(12).normal(size=(1, 2, 7, 7))
    for make in (lambda nn: nn.MaxPool2d(3, 2, return_indices=True),
                 lambda nn: nn.AdaptiveMaxPool2d((3, 5), return_indices=True)):
        (y, i), (ty, ti) = make(mg.nn)(mg.Tensor(x)), make(torch.nn)(torch.tensor(x))
        np.testing.assert_array_equal(y.numpy(), ty.numpy())
        np.testing.assert_array_equal(i.numpy(), ti.numpy())


def test_pooling_module_reprs_show_non_default_options():
    assert repr(mg.nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0)"
    assert (repr(mg.nn.MaxPool2d(3, 2, 1, dilation=2, ceil_mode=True))
            == "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True)")
    assert (repr(mg.nn.AvgPool2d(2, count_include_pad=False))
            == "AvgPool2d(kernel_size=2, stride=2, padding=0, count_include_pad=False)")
    assert repr(mg.nn.AdaptiveAvgPool2d((7, None))) == "AdaptiveAvgPool2d(output_size=(7, None))"


@pytest.mark.parametrize("make, words", [
    (lambda: mg.nn.MaxPool2d(2, dilation=0), "MaxPool2d: dilation must be >= 1"),
    (lambda: mg.nn.MaxPool2d(2, ceil_mode=1), "MaxPool2d: ceil_mode must be a bool"),
    (lambda: mg.nn.AvgPool2d(2, count_include_pad="no"), "AvgPool2d: count_include_pad must be a bool"),
    (lambda: mg.nn.AdaptiveAvgPool2d((2, 2, 2)), "AdaptiveAvgPool2d: output_size must be an int"),
    (lambda: mg.nn.AdaptiveMaxPool2d(-1), "AdaptiveMaxPool2d: output_size must be an int >= 0"),
])
def test_pooling_modules_check_their_settings_when_built(make, words):
    with pytest.raises((ValueError, TypeError)) as info:
        make()
    assert words in str(info.value)
