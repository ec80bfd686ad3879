"""max_pool2d and avg_pool2d at their edges and against PyTorch: bad arguments; PyTorch
oracle comparisons over a grid of every option (dilation, ceil_mode, return_indices,
count_include_pad); the windows ceil_mode keeps or drops and what they divide by."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from tests.kernel_sets import kernel_set  # noqa: F401 (a fixture)
from tests.ops.pool_references import POOL_GRID

# every test here runs under both kernel sets
pytestmark = pytest.mark.usefixtures("kernel_set")


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
