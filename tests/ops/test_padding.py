"""F.pad (PyTorch's pad tuple; 'constant', 'reflect', 'replicate', 'circular') and the
padding modules: registry cases, values and gradients against PyTorch, the folds,
errors."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.ops.padding import FoldBorder
from tests.registry import Case

CASES = [
    Case("pad_constant_last_dim", lambda a: F.pad(a, (1, 2)) ** 2, lambda r: r.normal(size=(2, 3))),
    Case("pad_constant_value_negative_crops", lambda a: F.pad(a, (-1, 2, 1, 0), value=0.5) * 2,
         lambda r: r.normal(size=(2, 4))),
    Case("pad_reflect_1d", lambda a: F.pad(a, (2, 1), mode="reflect") ** 2,
         lambda r: r.normal(size=(2, 4))),
    Case("pad_reflect_2d", lambda a: F.pad(a, (1, 2, 2, 1), mode="reflect") ** 2,
         lambda r: r.normal(size=(1, 2, 4, 3))),
    Case("fold_reflect", lambda a: FoldBorder(((0, 0), (2, 1), (1, 1)), "reflect")(a) ** 2,
         lambda r: r.normal(size=(2, 7, 5))),
    Case("pad_replicate_1d", lambda a: F.pad(a, (3, 1), mode="replicate") ** 2,
         lambda r: r.normal(size=(2, 3))),
    Case("pad_replicate_2d_crop", lambda a: F.pad(a, (2, -1, 1, 3), mode="replicate") ** 2,
         lambda r: r.normal(size=(1, 2, 3, 4))),
    Case("pad_circular_1d_full_wrap", lambda a: F.pad(a, (3, 2), mode="circular") ** 2,
         lambda r: r.normal(size=(2, 3))),
    Case("pad_circular_2d", lambda a: F.pad(a, (1, 2, 2, 0), mode="circular") ** 2,
         lambda r: r.normal(size=(2, 1, 3, 4))),
    Case("fold_replicate_and_circular",
         lambda a: (FoldBorder(((0, 0), (2, 1), (1, 1)), "replicate")(a) ** 2).sum()
         + (FoldBorder(((1, 2), (0, 0), (2, 1)), "circular")(a) ** 3).sum(),
         lambda r: r.normal(size=(5, 7, 5))),
    Case("reflection_pad2d_module", lambda a: nn.ReflectionPad2d((1, 0, 2, 1))(a) ** 2,
         lambda r: r.normal(size=(2, 3, 4))),
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


@pytest.mark.parametrize("mode", ["replicate", "circular"])
@pytest.mark.parametrize("pad", [(1, 1), (3, 0), (0, 4), (2, 3, 1, 2), (4, 4, 3, 3), (0, 0, 3, 1),
                                 (-1, 2, 1, -2)])
def test_replicate_and_circular_against_torch(mode, pad):
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(3).normal(size=(2, 3, 4, 5))
    for batch in ((a[0], a[0, 0]) if len(pad) == 2 else (a, a[0])):
        _against_torch(torch, batch, pad, mode=mode)


def test_copying_modes_read_the_documented_places():
    x = mg.Tensor(np.arange(4.0), requires_grad=True)
    assert F.pad(x, (2, 3), mode="replicate").tolist() == [0, 0, 0, 1, 2, 3, 3, 3, 3]
    assert F.pad(x, (3, 4), mode="circular").tolist() == [1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]
    F.pad(x, (2, 3), mode="replicate").sum().backward()
    assert x.grad.tolist() == [3.0, 1.0, 1.0, 4.0]     # the border places collect the copies
    x.grad = None
    F.pad(x, (3, 4), mode="circular").sum().backward()
    assert x.grad.tolist() == [2.0, 3.0, 3.0, 3.0]


PAD_MODULES = [(nn.ReflectionPad2d, "reflect", {}), (nn.ReplicationPad2d, "replicate", {}),
               (nn.ZeroPad2d, "constant", {}), (nn.ConstantPad2d, "constant", {"value": 2.5})]


@pytest.mark.parametrize("module, mode, extra", PAD_MODULES)
@pytest.mark.parametrize("padding", [2, (1, 2, 0, 3)])
def test_padding_modules_match_torch(module, mode, extra, padding):
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(4).normal(size=(2, 3, 4, 5))
    name = module.__name__
    ours = module(padding, *extra.values())
    theirs = getattr(torch.nn, name)(padding, *extra.values())
    assert repr(ours) == repr(theirs)
    assert ours.padding == theirs.padding
    for batch in (a, a[0]):   # batched (N, C, H, W) and unbatched (C, H, W)
        x, tx = mg.Tensor(batch, requires_grad=True), torch.tensor(batch, requires_grad=True)
        y, ty = ours(x), theirs(tx)
        np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
        w = np.random.default_rng(5).normal(size=tuple(ty.shape))
        (y * mg.Tensor(w)).sum().backward()
        (ty * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_padding_module_arguments():
    with pytest.raises(ValueError, match=r"ReflectionPad2d: padding must be an int or a 4-tuple"):
        nn.ReflectionPad2d((1, 2))
    with pytest.raises(ValueError, match=r"ReplicationPad2d: input must be 3 or 4-D \(C, H, W\) or \(N, C, H, W\)"):
        nn.ReplicationPad2d(1)(mg.ones(2, 3))
    assert nn.ZeroPad2d(1)(mg.ones(2, 3)).shape == (4, 5)   # constant padding takes any rank
    with pytest.raises(TypeError, match="ConstantPad2d: value must be a number"):
        nn.ConstantPad2d(1, "0")


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
    with pytest.raises(ValueError, match="pad: mode must be 'constant', 'reflect', 'replicate' or "
                                         "'circular', got 'wrap'"):
        F.pad(x, (1, 1), mode="wrap")
    with pytest.raises(ValueError, match=r"pad: circular padding \(4, 0\) must be at most the "
                                         r"length of its dim \(3\)"):
        F.pad(x, (4, 0), mode="circular")
    with pytest.raises(ValueError, match="pad: mode 'replicate' takes no value"):
        F.pad(x, (1, 1), mode="replicate", value=0.0)
    with pytest.raises(ValueError, match="pad: mode 'reflect' takes no value"):
        F.pad(x, (1, 1), mode="reflect", value=1.0)
