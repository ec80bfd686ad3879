"""pixel_shuffle / pixel_unshuffle / unflatten (minigrad/ops/rearrange.py) and their
modules: gradient cases, values and gradients against PyTorch, errors."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from tests.registry import Case

CASES = [
    Case("pixel_shuffle", lambda a: F.pixel_shuffle(a, 2) ** 2, lambda r: r.normal(size=(2, 8, 2, 3))),
    Case("pixel_shuffle_unbatched_r3", lambda a: F.pixel_shuffle(a, 3) ** 2,
         lambda r: r.normal(size=(9, 1, 2))),
    Case("pixel_unshuffle", lambda a: F.pixel_unshuffle(a, 2) ** 2,
         lambda r: r.normal(size=(1, 2, 4, 6))),
    Case("unflatten_module", lambda a: nn.Unflatten(1, (2, -1))(a) ** 2,
         lambda r: r.normal(size=(2, 6, 2))),
]


def _against_torch(ours, theirs, a):
    torch = pytest.importorskip("torch")
    x, tx = mg.Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = ours(x), theirs(tx)
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
    assert y.dtype == np.float64 and y.shape == tuple(ty.shape)
    w = np.random.default_rng(0).normal(size=tuple(ty.shape))
    (y * mg.Tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


@pytest.mark.parametrize("shape, r", [((2, 8, 2, 3), 2), ((18, 3, 1), 3), ((2, 1, 4, 2, 3), 2),
                                      ((1, 3, 2, 2), 1)])
def test_pixel_shuffle_and_unshuffle_match_torch(shape, r):
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(1).normal(size=shape)
    _against_torch(lambda x: F.pixel_shuffle(x, r), lambda x: torch.nn.functional.pixel_shuffle(x, r), a)
    _against_torch(nn.PixelShuffle(r), torch.nn.PixelShuffle(r), a)
    shuffled = torch.nn.functional.pixel_shuffle(torch.tensor(a), r).numpy()
    _against_torch(nn.PixelUnshuffle(r), torch.nn.PixelUnshuffle(r), shuffled)
    np.testing.assert_array_equal(F.pixel_unshuffle(mg.Tensor(shuffled), r).numpy(), a)
    assert repr(nn.PixelShuffle(r)) == repr(torch.nn.PixelShuffle(r))
    assert repr(nn.PixelUnshuffle(r)) == repr(torch.nn.PixelUnshuffle(r))


@pytest.mark.parametrize("dim, sizes", [(1, (2, 4)), (-3, (2, -1)), (0, [1, 2]), (-1, (3, 1))])
def test_unflatten_matches_torch(dim, sizes):
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(2).normal(size=(2, 8, 2, 3))
    _against_torch(nn.Unflatten(dim, sizes), torch.nn.Unflatten(dim, sizes), a)
    assert repr(nn.Unflatten(dim, sizes)) == repr(torch.nn.Unflatten(dim, sizes))
    model = nn.Sequential(nn.Flatten(), nn.Unflatten(1, (8, 2, 3)))
    np.testing.assert_array_equal(model(mg.Tensor(a)).numpy(), a)


@pytest.mark.parametrize("call, exc, pattern", [
    (lambda: F.pixel_shuffle(mg.ones(2, 8, 2, 3), 3), ValueError,
     r"pixel_shuffle: the channel dim \(-3\) of input of shape \(2, 8, 2, 3\) must be divisible "
     r"by upscale_factor\^2 = 9"),
    (lambda: F.pixel_shuffle(mg.ones(8, 2), 2), ValueError,
     r"pixel_shuffle: input must have at least 3 dims \(\*, C, H, W\), got shape \(8, 2\)"),
    (lambda: nn.PixelShuffle(0), ValueError, "PixelShuffle: upscale_factor must be a positive int"),
    (lambda: F.pixel_unshuffle(mg.ones(1, 2, 4, 3), 2), ValueError,
     r"pixel_unshuffle: the height and width of input of shape \(1, 2, 4, 3\) must be divisible "
     r"by downscale_factor \(2\)"),
    (lambda: nn.Unflatten(1, (3, 4))(mg.ones(2, 8)), ValueError,
     r"unflatten: sizes \(3, 4\) do not multiply up to the size of dim 1 \(8\)"),
    (lambda: nn.Unflatten(1, 2), TypeError, "Unflatten: unflattened_size must be a tuple of ints"),
    (lambda: nn.Unflatten(1, (-1, -1)), ValueError, "at most one of them -1"),
    (lambda: nn.Unflatten(2, (2, 4))(mg.ones(2, 8)), ValueError, "unflatten: axis 2 is out of range"),
])
def test_bad_arguments(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()
