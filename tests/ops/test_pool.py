"""max_pool2d and avg_pool2d: gradient checks, the textbook rules, ties.

* ``CASES``: float64 gradcheck + gradgradcheck over kernel, stride (overlapping
  windows), padding, dilation, ceil_mode, count_include_pad, odd sizes, 1 and 3
  channels, batch 1 and 3, deliberate ties, adaptive sizes that divide and that
  do not (overlapping windows, upsampling); the backward ops (MaxUnpool2d,
  GatherArgmax2d, AvgUnpool2d) through gradients taken with create_graph=True;
* loop references of the textbook rules (tests/ops/pool_references.py);
* the tie rule: the first maximum in row-major window order gets the gradient;
* inference: no argmax is computed or kept when no gradient is needed.

Bad arguments and PyTorch's options are in tests/ops/test_pool_options.py, adaptive
pooling in tests/ops/test_adaptive_pool.py, the modules in
tests/nn/test_pooling_modules.py, the fast kernels' chunks and batch-last layout in
tests/kernels/test_fast_pool.py.
"""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from tests.kernel_sets import kernel_set  # noqa: F401 (a fixture)
from tests.ops.pool_references import POOL_GRID, loop_pool, loop_pool_backward
from tests.registry import Case

# every test here runs under both kernel sets
pytestmark = pytest.mark.usefixtures("kernel_set")


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
