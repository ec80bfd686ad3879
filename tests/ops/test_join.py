"""Joining and splitting (cat/concatenate, stack, split, chunk): registry cases, values
against numpy and PyTorch, errors."""
import numpy as np
import pytest

import minigrad as mg
from tests.against_torch import same_moved_values_and_grads
from tests.registry import Case

CASES = [
    Case("concatenate_axis1", lambda a, b: mg.concatenate([a, b, a], axis=1) ** 2,
         lambda r: (r.normal(size=(2, 1)), r.normal(size=(2, 3)))),
    Case("stack_axis_last", lambda a, b: mg.stack([a, b], axis=-1) ** 2,
         lambda r: (r.normal(size=(2, 3)), r.normal(size=(2, 3)))),
    Case("split_sizes", lambda a: a.split([1, 3], dim=1)[1] ** 2 + a.split(2, 1)[0].sum(),
         lambda r: r.normal(size=(2, 4))),
    Case("chunk_uneven", lambda a: mg.cat([c * (i + 1) for i, c in enumerate(a.chunk(3))]),
         lambda r: r.normal(size=(5, 2))),
]


def test_stack_matches_numpy_and_concatenate_names_the_shapes():
    a = np.arange(24.0).reshape(2, 3, 4)
    t = mg.Tensor(a)
    np.testing.assert_array_equal(mg.stack([t, t], 1).data, np.stack([a, a], 1))
    with pytest.raises(ValueError, match="concatenate"):
        mg.concatenate([mg.ones(2, 3), mg.ones(3, 3)], axis=1)


def test_split_and_chunk_against_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(2).normal(size=(5, 6))
    for args in ((2,), (2, 1), ([1, 4], 0), ([3, 0, 3], -1), (5, 1), (7,)):
        pieces, t_pieces = mg.split(mg.Tensor(a), *args), torch.split(torch.tensor(a), *args)
        assert isinstance(pieces, tuple) and len(pieces) == len(t_pieces)
        for p, tp in zip(pieces, t_pieces):
            np.testing.assert_array_equal(p.numpy(), tp.numpy())
    for chunks, dim in ((2, 0), (3, 0), (4, 1), (6, 1), (10, 0)):
        pieces, t_pieces = mg.Tensor(a).chunk(chunks, dim), torch.tensor(a).chunk(chunks, dim)
        assert [p.shape for p in pieces] == [tuple(tp.shape) for tp in t_pieces]
    assert [p.shape for p in mg.zeros(0).chunk(3)] == [(0,)] * 3
    assert [p.shape for p in mg.zeros(0).split(2)] == [(0,)]
    same_moved_values_and_grads(
        torch, lambda x, lib: lib.cat([c * i for i, c in enumerate(x.chunk(4, 1))], 1), a)


def test_each_split_piece_is_differentiable_and_gradients_add_up():
    x = mg.Tensor(np.arange(6.0), requires_grad=True)
    first, second, third = x.split(2)
    (first * 1 + second * 2).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 2.0, 2.0, 0.0, 0.0]
    assert third.tolist() == [4.0, 5.0]


def test_split_bad_arguments():
    x = mg.Tensor(np.arange(4.0))
    with pytest.raises(ValueError, match=r"split: section sizes \[1, 2\] must be >= 0 and add up to 4"):
        x.split([1, 2])
    with pytest.raises(ValueError, match="split: split_size must be a positive int, got 0"):
        x.split(0)
