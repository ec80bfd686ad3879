"""The pooling modules (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d,
nn.AdaptiveMaxPool2d): PyTorch's modules' numbers and indices, reprs, settings
checked when built."""
import numpy as np
import pytest

import minigrad as mg
from tests.kernel_sets import kernel_set  # noqa: F401 (a fixture)

# every test here runs under both kernel sets
pytestmark = pytest.mark.usefixtures("kernel_set")


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
