"""conv2d, conv_transpose2d and their modules at their edges and against PyTorch.

* bad arguments fail with clear errors;
* PyTorch as an oracle over the geometry grid of tests/ops/conv_references.py, and
  torch.nn.grad.conv2d_weight;
* padding='same' | 'valid' (an odd total padding puts its extra row and column at
  the bottom/right, as PyTorch) and the modules nn.Conv2d / nn.ConvTranspose2d
  (weight layout, initialisation, state-dict keys, output_size).
"""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.ops.conv import conv2d_weight
from tests.kernel_sets import kernel_set  # noqa: F401 (a fixture)
from tests.ops.conv_references import GRID

# every test here runs under both kernel sets
pytestmark = pytest.mark.usefixtures("kernel_set")


# -- bad input -------------------------------------------------------------------------

X4 = mg.Tensor(np.zeros((1, 4, 5, 5)))
W4 = mg.Tensor(np.zeros((2, 4, 3, 3)))


@pytest.mark.parametrize("call, error, words", [
    (lambda: F.conv2d(mg.Tensor(np.zeros((4, 5, 5))), W4), ValueError, ["conv2d", "input", "4-D", "(4, 5, 5)"]),
    (lambda: F.conv2d(X4, mg.Tensor(np.zeros((2, 4, 3)))), ValueError, ["conv2d", "weight", "(2, 4, 3)"]),
    (lambda: F.conv2d(X4, mg.Tensor(np.zeros((2, 3, 3, 3)))), ValueError, ["conv2d", "4 channels", "expects 3"]),
    (lambda: F.conv2d(X4, mg.Tensor(np.zeros((2, 4, 6, 3)))), ValueError, ["conv2d", "larger than the padded input", "height"]),
    (lambda: F.conv2d(X4, mg.Tensor(np.zeros((2, 4, 3, 3))), dilation=3), ValueError, ["dilation 3", "spans 7"]),
    (lambda: F.conv2d(X4, W4, stride=0), ValueError, ["conv2d", "stride", ">= 1"]),
    (lambda: F.conv2d(X4, W4, padding=-1), ValueError, ["conv2d", "padding", ">= 0"]),
    (lambda: F.conv2d(X4, W4, dilation=(1, 0)), ValueError, ["conv2d", "dilation", ">= 1"]),
    (lambda: F.conv2d(X4, W4, stride=1.5), TypeError, ["conv2d", "stride", "int"]),
    (lambda: F.conv2d(X4, W4, padding=(1, 1, 1)), TypeError, ["conv2d", "padding", "pair"]),
    (lambda: F.conv2d(X4, mg.Tensor(np.zeros((3, 2, 3, 3))), groups=2), ValueError, ["groups=2", "divide", "3"]),
    (lambda: F.conv2d(X4, mg.Tensor(np.zeros((3, 1, 3, 3))), groups=3), ValueError, ["groups=3", "divide", "4"]),
    (lambda: F.conv2d(X4, W4, groups=0), ValueError, ["conv2d", "groups", ">= 1"]),
    (lambda: F.conv2d(X4, W4, groups=1.0), TypeError, ["conv2d", "groups", "int"]),
    (lambda: F.conv2d(X4, W4, mg.Tensor(np.zeros(3))), ValueError, ["conv2d", "bias", "(2,)", "(3,)"]),
    (lambda: F.conv2d(np.zeros((1, 4, 5, 5)), W4), TypeError, ["conv2d", "input", "Tensor", "ndarray"]),
    (lambda: F.conv2d(mg.Tensor(np.zeros((1, 4, 5, 5), dtype=np.int64)), W4), TypeError, ["floating-point"]),
    (lambda: F.conv2d(X4, W4.astype(np.float32)), TypeError, ["conv2d", "dtype", "float64", "float32"]),
    (lambda: F.conv_transpose2d(X4, mg.Tensor(np.zeros((3, 2, 3, 3)))), ValueError, ["conv_transpose2d", "4 channels", "expects 3"]),
    (lambda: F.conv_transpose2d(X4, W4.reshape(4, 2, 3, 3), stride=2, output_padding=2), ValueError, ["output_padding", "smaller than"]),
    (lambda: F.conv_transpose2d(mg.Tensor(np.zeros((1, 4, 1, 1))), W4.reshape(4, 2, 3, 3), padding=2), ValueError, ["empty output"]),
    (lambda: F.conv_transpose2d(X4, W4.reshape(4, 2, 3, 3), groups=3), ValueError, ["groups=3", "divide"]),
    (lambda: conv2d_weight(X4, (2, 4, 3, 3), mg.Tensor(np.zeros((1, 2, 4, 4)))), ValueError, ["conv2d_weight", "(1, 2, 3, 3)", "(1, 2, 4, 4)"]),
    (lambda: F.conv2d(X4, W4, stride=2, padding="same"), ValueError, ["conv2d", "padding='same'", "strided", "stride 2"]),
    (lambda: F.conv2d(X4, W4, stride=(1, 2), padding="same"), ValueError, ["padding='same'", "(1, 2)"]),
    (lambda: F.conv2d(X4, W4, padding="full"), ValueError, ["conv2d", "'valid', 'same'", "'full'"]),
    (lambda: F.conv2d(X4, mg.Tensor(np.zeros((2, 4, 3))), padding="same"), ValueError, ["conv2d", "weight", "4-D"]),
    (lambda: F.conv2d(X4, mg.Tensor(np.zeros((2, 4, 7, 3))), padding="valid"), ValueError, ["conv2d", "larger than the padded input"]),
    (lambda: mg.nn.Conv2d(4, 2, 3, stride=2, padding="same"), ValueError, ["Conv2d", "padding='same'", "strided"]),
    (lambda: mg.nn.Conv2d(4, 2, 3, padding="half"), ValueError, ["Conv2d", "'half'"]),
    (lambda: mg.nn.Conv2d(4, 2, 3, padding_mode="reflect"), ValueError, ["Conv2d", "padding_mode 'reflect'", "'zeros'"]),
    (lambda: mg.nn.ConvTranspose2d(4, 3, 3, groups=2), ValueError, ["ConvTranspose2d", "divisible by groups"]),
    (lambda: mg.nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=2), ValueError, ["ConvTranspose2d", "output_padding (2, 2)", "smaller than"]),
    (lambda: mg.nn.ConvTranspose2d(4, 2, 3, stride=2).double()(X4, output_size=(13, 11)), ValueError, ["ConvTranspose2d", "output size of (13, 11)", "from 11 to 12"]),
])
def test_bad_arguments_fail_clearly(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


# -- PyTorch as an oracle (optional) -----------------------------------------------------

@pytest.mark.parametrize("shape, o, kernel, stride, padding, dilation, groups", GRID + [
    ((2, 6, 9, 8), 4, (3, 3), (2, 2), (1, 1), (1, 1), 2)])
def test_matches_torch_conv2d_and_conv_transpose2d(shape, o, kernel, stride, padding, dilation,
                                                   groups):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    x, w, b = rng.normal(size=shape), rng.normal(size=(o, shape[1] // groups, *kernel)), rng.normal(size=o)
    _same_as_torch(torch, rng, (x, w, b),
                   lambda *t: F.conv2d(*t, stride, padding, dilation, groups),
                   lambda *t: torch.nn.functional.conv2d(*t, stride, padding, dilation, groups))
    # conv_transpose2d with the weight read as (C_in, C_out/groups, kH, kW)
    wt = rng.normal(size=(shape[1], o // groups, *kernel))
    for op in range(max(max(stride), max(dilation))):
        out_pad = tuple(min(op, max(s, d) - 1) for s, d in zip(stride, dilation))
        _same_as_torch(
            torch, rng, (x, wt),
            lambda *t: F.conv_transpose2d(*t, None, stride, padding, out_pad, groups, dilation),
            lambda *t: torch.nn.functional.conv_transpose2d(*t, None, stride, padding, out_pad,
                                                            groups, dilation))


def _same_as_torch(torch, rng, arrays, ours_fn, theirs_fn):
    """Forward values and the gradients of every input, for one random cotangent."""
    ours = [mg.Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = ours_fn(*ours), theirs_fn(*theirs)
    g = rng.normal(size=ty.shape)
    y.backward(g)
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), atol=1e-10)
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), atol=1e-10)


def test_conv2d_weight_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    x, g = rng.normal(size=(2, 4, 7, 6)), rng.normal(size=(2, 6, 4, 4))
    ours = conv2d_weight(mg.Tensor(x), (6, 2, 3, 2), mg.Tensor(g), stride=2, padding=1, groups=2)
    theirs = torch.nn.grad.conv2d_weight(torch.tensor(x), (6, 2, 3, 2), torch.tensor(g), stride=2,
                                         padding=1, groups=2)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-10)


# -- padding='same' | 'valid' ------------------------------------------------------------

@pytest.mark.parametrize("kernel, dilation", [((3, 3), 1), ((2, 2), 1), ((2, 5), 1), ((4, 3), (1, 2)),
                                              ((3, 3), 2), ((2, 2), 3), ((1, 1), 1)])
@pytest.mark.parametrize("padding", ["same", "valid"])
def test_padding_strings_match_torch(kernel, dilation, padding):
    torch = pytest.importorskip("torch")
    import warnings
    rng = np.random.default_rng(10)
    x, w, b = rng.normal(size=(2, 3, 8, 7)), rng.normal(size=(4, 3) + kernel), rng.normal(size=4)
    with warnings.catch_warnings():   # torch warns that even kernels need a padded copy
        warnings.simplefilter("ignore")
        _same_as_torch(torch, rng, (x, w, b),
                       lambda *t: F.conv2d(*t, padding=padding, dilation=dilation),
                       lambda *t: torch.nn.functional.conv2d(*t, padding=padding, dilation=dilation))
    if padding == "same":
        assert F.conv2d(mg.Tensor(x), mg.Tensor(w), padding="same", dilation=dilation).shape[2:] == (8, 7)


def test_same_padding_puts_the_odd_extra_row_and_column_at_the_end():
    """A 2x2 kernel needs one row and one column of padding in total: 'same' adds
    them at the bottom and right (PyTorch's choice), so output (0, 0) reads the
    input's top-left 2x2 block and the last output row reads the padding row."""
    x = mg.Tensor(np.arange(9.0).reshape(1, 1, 3, 3))
    y = F.conv2d(x, mg.Tensor(np.ones((1, 1, 2, 2))), padding="same").data[0, 0]
    np.testing.assert_array_equal(y, [[8, 12, 7], [20, 24, 13], [13, 15, 8]])


def test_conv2d_module_accepts_padding_strings():
    torch = pytest.importorskip("torch")
    import warnings
    ours = mg.nn.Conv2d(3, 4, (2, 3), padding="same", dtype=np.float64)
    theirs = torch.nn.Conv2d(3, 4, (2, 3), padding="same").double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(11).normal(size=(2, 3, 6, 5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = theirs(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(ours(mg.Tensor(x)).data, expected, atol=1e-12)
    assert repr(ours) == "Conv2d(3, 4, kernel_size=(2, 3), stride=(1, 1), padding=same)"
    assert mg.nn.Conv2d(3, 4, 3, padding="valid")(mg.Tensor(x.astype(np.float32))).shape == (2, 4, 4, 3)


# -- nn.ConvTranspose2d ------------------------------------------------------------------

def test_conv_transpose2d_module_has_pytorchs_layout_keys_and_numbers():
    torch = pytest.importorskip("torch")
    options = dict(stride=2, padding=1, output_padding=1, groups=2, dilation=1)
    ours = mg.nn.ConvTranspose2d(4, 6, 3, **options, dtype=np.float64)
    theirs = torch.nn.ConvTranspose2d(4, 6, 3, **options).double()
    assert ours.weight.shape == tuple(theirs.weight.shape) == (4, 3, 3, 3)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight", "bias"]
    assert repr(ours) == repr(theirs)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(12).normal(size=(2, 4, 5, 4))
    np.testing.assert_allclose(ours(mg.Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(),
                               atol=1e-12)
    no_bias = mg.nn.ConvTranspose2d(2, 2, 2, bias=False)
    assert no_bias.bias is None and list(no_bias.state_dict()) == ["weight"]


def test_conv_transpose2d_module_initialises_as_pytorch():
    """PyTorch's fan_in for a transposed conv is weight.shape[1] * kH * kW =
    out_channels / groups * kH * kW: weight and bias in U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    mg.manual_seed(0)
    m = mg.nn.ConvTranspose2d(8, 6, 3, groups=2)
    bound = 1 / np.sqrt(3 * 3 * 3)
    for p in (m.weight.numpy(), m.bias.numpy()):
        assert np.abs(p).max() <= bound and np.abs(p).max() > 0.8 * bound
    assert m.weight.dtype == np.float32


def test_conv_transpose2d_module_output_size_picks_the_output_padding():
    torch = pytest.importorskip("torch")
    ours = mg.nn.ConvTranspose2d(2, 3, 3, stride=3, padding=1, dtype=np.float64)
    theirs = torch.nn.ConvTranspose2d(2, 3, 3, stride=3, padding=1).double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(13).normal(size=(1, 2, 4, 4))
    for size in [(10, 10), (11, 12), (1, 3, 12, 10)]:
        y = ours(mg.Tensor(x), output_size=size)
        assert y.shape[2:] == tuple(size[-2:])
        np.testing.assert_allclose(y.numpy(), theirs(torch.tensor(x), output_size=size).detach().numpy(),
                                   atol=1e-12)


def test_conv_transpose2d_module_trains():
    mg.manual_seed(1)
    m = mg.nn.ConvTranspose2d(2, 1, 2, stride=2)
    x = mg.randn(3, 2, 3, 3)
    loss = (m(x) ** 2).mean()
    loss.backward()
    assert m.weight.grad.shape == (2, 1, 2, 2) and m.bias.grad.shape == (1,)
