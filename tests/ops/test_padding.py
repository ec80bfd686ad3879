"""F.pad (PyTorch's pad tuple, 'constant' and 'reflect'): registry cases, values and
gradients against PyTorch, the reflect fold, errors."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.ops.padding import FoldReflect
from tests.registry import Case

CASES = [
    Case("pad_constant_last_dim", lambda a: F.pad(a, (1, 2)) ** 2, lambda r: r.normal(size=(2, 3))),
    Case("pad_constant_value_negative_crops", lambda a: F.pad(a, (-1, 2, 1, 0), value=0.5) * 2,
         lambda r: r.normal(size=(2, 4))),
    Case("pad_reflect_1d", lambda a: F.pad(a, (2, 1), mode="reflect") ** 2,
         lambda r: r.normal(size=(2, 4))),
    Case("pad_reflect_2d", lambda a: F.pad(a, (1, 2, 2, 1), mode="reflect") ** 2,
         lambda r: r.normal(size=(1, 2, 4, 3))),
    Case("fold_reflect", lambda a: FoldReflect(((0, 0), (2, 1), (1, 1)))(a) ** 2,
         lambda r: r.normal(size=(2, 7, 5))),
]


def _against_torch(torch, a, pad, **kwargs):
    x = mg.Tensor(a, requires_grad=True)
    y = F.pad(x, pad, **kwargs)
    tx = torch.tensor(a, requires_grad=True)
    ty = torch.nn.functional.pad(tx, pad, **kwargs)
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
    w = np.random.default_rng(0).normal(size=tuple(ty.shape))
    (y * mg.Tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("pad", [(1, 1), (3, 0), (0, 4), (2, 3, 1, 2), (4, 4, 2, 2), (0, 0, 3, 1),
                                 (-1, 2, 1, -2)])
def test_reflect_against_torch(pad):
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(1).normal(size=(2, 3, 4, 5))
    # PyTorch reflects 1 dim of a 2-D/3-D input, 2 dims of a 3-D/4-D one
    for batch in ((a[0], a[0, 0]) if len(pad) == 2 else (a, a[0])):
        _against_torch(torch, batch, pad, mode="reflect")


@pytest.mark.parametrize("pad", [(1, 2), (0, 0, 2, 1), (1, 1, 1, 1, 1, 1), (-1, 1, 0, -2), (2, 2, 0, 0, 0, 0, 1, 0)])
def test_constant_against_torch(pad):
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(2).normal(size=(2, 3, 4, 5))
    _against_torch(torch, a, pad)
    _against_torch(torch, a, pad, mode="constant", value=-1.5)


def test_reflect_backward_folds_the_borders_back():
    x = mg.Tensor(np.arange(4.0), requires_grad=True)
    y = F.pad(x, (2, 3), mode="reflect")
    assert y.tolist() == [2.0, 1.0, 0.0, 1.0, 2.0, 3.0, 2.0, 1.0, 0.0]
    y.sum().backward()
    # place 0 appears twice, 1 three times, 2 three times, 3 once
    assert x.grad.tolist() == [2.0, 3.0, 3.0, 1.0]


def test_pad_bad_arguments():
    x = mg.ones(1, 2, 3)
    with pytest.raises(ValueError, match=r"pad: reflect padding \(3, 0\) must be less than the length of its dim \(3\)"):
        F.pad(x, (3, 0), mode="reflect")
    with pytest.raises(ValueError, match=r"pad: pad \(1, 1, 1\) must have an even length"):
        F.pad(x, (1, 1, 1))
    with pytest.raises(ValueError, match="pad: mode must be 'constant' or 'reflect', got 'wrap'"):
        F.pad(x, (1, 1), mode="wrap")
    with pytest.raises(ValueError, match="pad: mode 'reflect' takes no value"):
        F.pad(x, (1, 1), mode="reflect", value=1.0)
