"""adaptive_avg_pool2d and adaptive_max_pool2d: PyTorch's window rule written out as
loops and PyTorch itself, the strided fast path when the size divides, empty sizes,
batch-last layout and float32."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from tests.kernel_sets import kernel_set  # noqa: F401 (a fixture)

# every test here runs under both kernel sets
pytestmark = pytest.mark.usefixtures("kernel_set")


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
