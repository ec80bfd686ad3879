"""pad, flip and repeat: registry cases, values and gradients against numpy and PyTorch,
errors."""
import numpy as np
import pytest

import minigrad as mg
from tests.against_torch import same_moved_values_and_grads
from tests.registry import Case

CASES = [
    Case("pad_per_axis", lambda a: a.pad(((1, 0), (2, 1))) ** 2, lambda r: r.normal(size=(2, 3))),
    Case("pad_int_value", lambda a: a.pad(1, value=2.0) * a.pad(1), lambda r: r.normal(size=(2, 2))),
    Case("flip_one_dim", lambda a: a.flip(0) * a, lambda r: r.normal(size=(3, 2))),
    Case("flip_two_dims", lambda a: mg.flip(a, (0, -1)) ** 2, lambda r: r.normal(size=(2, 3, 4))),
    Case("repeat_same_rank", lambda a: a.repeat(2, 3) ** 2, lambda r: r.normal(size=(2, 3))),
    Case("repeat_new_leading_dims", lambda a: a.repeat(2, 1, 3) * a.repeat(2, 1, 3),
         lambda r: r.normal(size=(3, 2))),
]


def test_pad_matches_numpy_and_refuses_negative_widths():
    a = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(mg.Tensor(a).pad(((0, 0), (1, 1), (0, 2))).data,
                                  np.pad(a, ((0, 0), (1, 1), (0, 2))))
    with pytest.raises(ValueError, match="pad"):
        mg.ones(2, 3).pad(-1)


def test_flip_and_repeat_against_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(1).normal(size=(2, 3, 4))
    for fn in (lambda x, lib: x.flip(0), lambda x, lib: x.flip(-1, 1), lambda x, lib: lib.flip(x, [0, 2]),
               lambda x, lib: x.repeat(1, 1, 1), lambda x, lib: x.repeat(2, 1, 3),
               lambda x, lib: x.repeat((3, 2, 2, 1)), lambda x, lib: x.repeat(1, 0, 2)):
        same_moved_values_and_grads(torch, fn, a)


def test_flip_copies_and_repeat_bad_arguments():
    x = mg.Tensor(np.arange(4.0))
    y = x.flip(0)
    y.numpy()[0] = 99.0
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match=r"repeat: give at least one size per dim: 1 size\(s\)"):
        mg.ones(2, 3).repeat(2)
