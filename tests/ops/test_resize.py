"""interpolate (mode 'nearest') and nn.Upsample.

* ``CASES``: float64 gradcheck + gradgradcheck of UpsampleNearest2d (integer and
  non-integer scales, up and down, a size) and of its adjoint NearestSum2d through
  gradients taken with create_graph=True;
* the rule written out with loops: src(i) = min(floor(i * scale), H - 1), and the
  gradient as the sum of dy over the output pixels that copied each input pixel;
* PyTorch as the oracle over a grid of sizes and scale factors (bad arguments:
  tests/robustness/test_bad_input.py).
"""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.ops.resize import nearest_sources
from tests.registry import Case


def _input(*shape):
    return lambda r: r.normal(size=shape)


def upsample_gradient(**options):
    """dL/dx of interpolate(x) for cotangent v: its graph is NearestSum2d(v)."""
    def fn(x, v):
        with mg.enable_grad():
            return mg.grad(F.interpolate(x, **options), x, v, create_graph=True)[0]
    return fn


CASES = [
    Case("interpolate_nearest_scale2", lambda x: F.interpolate(x, scale_factor=2), _input(2, 3, 3, 4)),
    Case("interpolate_nearest_scale_1_5_and_0_5", lambda x: F.interpolate(x, scale_factor=(1.5, 0.5)),
         _input(1, 2, 4, 6)),
    Case("interpolate_nearest_size_down_and_up", lambda x: F.interpolate(x, size=(3, 7)),
         _input(3, 1, 5, 4)),
    Case("interpolate_nearest_scale_0_7_skips_rows", lambda x: F.interpolate(x, scale_factor=0.7),
         _input(1, 1, 7, 6)),
    Case("nearest_sum2d_via_create_graph", upsample_gradient(scale_factor=(2.5, 1.5)),
         lambda r: (r.normal(size=(1, 2, 3, 4)), r.normal(size=(1, 2, 7, 6)))),
    Case("nearest_sum2d_downsampling_via_create_graph", upsample_gradient(size=(2, 3)),
         lambda r: (r.normal(size=(2, 1, 5, 7)), r.normal(size=(2, 1, 2, 3)))),
]


# -- the rule, with loops -------------------------------------------------------------------

def loop_nearest(x, out_hw, scales=(None, None)):
    """y[i, j] = x[src(i), src(j)]; dx by sending every dy to its source pixel."""
    n, c, h, w = x.shape
    src = []
    for size, out, s in zip((h, w), out_hw, scales):
        if out in (size, 2 * size):          # PyTorch's two special cases
            src.append([i * size // out for i in range(out)])
            continue
        scale = np.float32(1.0 / s) if s else np.float32(size) / np.float32(out)
        src.append([min(int(np.floor(np.float32(i) * scale)), size - 1) for i in range(out)])
    y = np.zeros((n, c) + tuple(out_hw))
    for i, u in enumerate(src[0]):
        for j, v in enumerate(src[1]):
            y[:, :, i, j] = x[:, :, u, v]

    def backward(g):
        dx = np.zeros(x.shape)
        for i, u in enumerate(src[0]):
            for j, v in enumerate(src[1]):
                dx[:, :, u, v] += g[:, :, i, j]
        return dx
    return y, backward


@pytest.mark.parametrize("shape, options, out_hw, scales", [
    ((2, 3, 4, 5), dict(scale_factor=2), (8, 10), (2.0, 2.0)),
    ((1, 2, 5, 4), dict(scale_factor=(1.5, 0.75)), (7, 3), (1.5, 0.75)),
    ((1, 1, 7, 9), dict(size=(3, 4)), (3, 4), (None, None)),
    ((2, 1, 3, 3), dict(size=(8, 3)), (8, 3), (None, None)),
    ((1, 1, 6, 7), dict(scale_factor=1 / 3), (2, 2), (1 / 3, 1 / 3)),
])
def test_forward_and_backward_equal_the_loop_reference(shape, options, out_hw, scales):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape)
    X = mg.Tensor(x, requires_grad=True)
    y = F.interpolate(X, **options)
    ref, backward = loop_nearest(x, out_hw, scales)
    np.testing.assert_array_equal(y.numpy(), ref)
    g = rng.normal(size=y.shape)
    y.backward(g)
    np.testing.assert_allclose(X.grad.numpy(), backward(g), atol=1e-12)


def test_sources_follow_pytorchs_rule_and_special_cases():
    np.testing.assert_array_equal(nearest_sources(3, 6, 2.0), [0, 0, 1, 1, 2, 2])
    np.testing.assert_array_equal(nearest_sources(4, 2), [0, 2])
    np.testing.assert_array_equal(nearest_sources(5, 7, 1.5), [0, 0, 1, 2, 2, 3, 4])
    # an output of the input's size copies, whatever the scale_factor (5 * 1.1 -> 5)
    np.testing.assert_array_equal(nearest_sources(5, 5, 1.1), np.arange(5))
    # twice the size is i // 2 even when 1 / scale_factor would round otherwise
    np.testing.assert_array_equal(nearest_sources(3, 6, 2.3), [0, 0, 1, 1, 2, 2])


def test_downsampling_sends_no_gradient_to_skipped_pixels():
    x = mg.Tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    y = F.interpolate(x, size=2)                 # rows and columns 0 and 2
    np.testing.assert_array_equal(y.numpy()[0, 0], [[0, 2], [8, 10]])
    y.backward(np.ones(y.shape))
    expected = np.zeros((4, 4))
    expected[::2, ::2] = 1
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], expected)


def test_upsampling_sums_the_gradient_of_every_copy():
    x = mg.Tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    y = F.interpolate(x, scale_factor=3)
    y.backward(np.arange(36.0).reshape(1, 1, 6, 6))
    blocks = np.arange(36.0).reshape(2, 3, 2, 3).sum(axis=(1, 3))
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], blocks)


def test_float32_stays_float32():
    x = mg.Tensor(np.ones((1, 2, 3, 3), np.float32), requires_grad=True)
    y = F.interpolate(x, scale_factor=1.5)
    assert y.dtype == np.float32
    y.backward(np.ones(y.shape, np.float32))
    assert x.grad.dtype == np.float32


SCALE_GRID = [dict(scale_factor=2), dict(scale_factor=3), dict(scale_factor=0.5),
              dict(scale_factor=1.5), dict(scale_factor=(2, 0.5)), dict(scale_factor=2.5),
              dict(scale_factor=0.75), dict(size=(9, 4)), dict(size=5), dict(size=(2, 13))]


@pytest.mark.parametrize("options", SCALE_GRID, ids=str)
@pytest.mark.parametrize("shape", [(2, 3, 4, 6), (1, 1, 7, 5), (1, 2, 12, 9)])
def test_matches_torch(shape, options):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x = rng.normal(size=shape)
    ours, theirs = mg.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y = F.interpolate(ours, **options)
    ty = torch.nn.functional.interpolate(theirs, **options)
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
    g = rng.normal(size=y.shape)
    y.backward(g)
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), atol=1e-12)


def test_upsample_module_matches_torch_and_reads_like_it():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).normal(size=(1, 2, 3, 5))
    for options in (dict(scale_factor=2), dict(size=(4, 7)), dict(scale_factor=(1.5, 2))):
        ours, theirs = mg.nn.Upsample(**options), torch.nn.Upsample(**options)
        np.testing.assert_array_equal(ours(mg.Tensor(x)).data, theirs(torch.tensor(x)).numpy())
        assert repr(ours) == repr(theirs)
