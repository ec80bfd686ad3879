"""Datasets and the DataLoader: batching, every sample once per epoch,
reproducible shuffling, drop_last."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.data import DataLoader, Dataset, Subset, TensorDataset


def _epoch_ids(loader):
    return np.concatenate([ids.numpy() for _, ids in loader])


@pytest.mark.parametrize("n, batch, drop_last", [(10, 3, False), (10, 3, True), (12, 4, False),
                                                 (5, 8, False)])
@pytest.mark.parametrize("shuffle", [False, True])
def test_every_sample_once_per_epoch(n, batch, drop_last, shuffle):
    data = TensorDataset(np.random.default_rng(0).standard_normal((n, 2)).astype(np.float32),
                         np.arange(n))
    loader = DataLoader(data, batch_size=batch, shuffle=shuffle, drop_last=drop_last, seed=1)
    expected_batches = n // batch if drop_last else -(-n // batch)
    assert len(loader) == expected_batches
    for _ in range(2):
        batches = list(loader)
        assert len(batches) == expected_batches
        ids = np.concatenate([b[1].numpy() for b in batches])
        if drop_last:
            assert len(ids) == expected_batches * batch and len(set(ids)) == len(ids)
            assert all(len(b[1]) == batch for b in batches)
        else:
            assert sorted(ids) == list(range(n))
        for x, i in batches:            # features stay with their labels
            np.testing.assert_array_equal(x.numpy(), data.arrays[0][i.numpy()])
        if not shuffle:
            np.testing.assert_array_equal(ids, np.arange(len(ids)))


def test_shuffle_reproducible_by_seed_and_new_each_epoch():
    data = TensorDataset(np.arange(100))
    a = DataLoader(data, 10, shuffle=True, seed=7)
    b = DataLoader(data, 10, shuffle=True, seed=7)
    first_a, first_b = _ids(a), _ids(b)
    np.testing.assert_array_equal(first_a, first_b)
    assert not np.array_equal(first_a, _ids(a))          # the next epoch is a new order
    assert not np.array_equal(first_a, _ids(DataLoader(data, 10, shuffle=True, seed=8)))
    np.testing.assert_array_equal(_ids(DataLoader(data, 10)), np.arange(100))


def _ids(loader):
    return np.concatenate([b[0].numpy() for b in loader])


def test_shuffle_without_seed_follows_manual_seed():
    data = TensorDataset(np.arange(50))
    mg.manual_seed(3)
    first = _ids(DataLoader(data, 7, shuffle=True))
    mg.manual_seed(3)
    np.testing.assert_array_equal(_ids(DataLoader(data, 7, shuffle=True)), first)


def test_batches_are_stacked_tensors():
    images = np.zeros((7, 1, 4, 4), np.float32)
    labels = np.arange(7)
    x, y = next(iter(DataLoader(TensorDataset(images, labels), batch_size=4)))
    assert isinstance(x, mg.Tensor) and x.shape == (4, 1, 4, 4) and x.dtype == np.float32
    assert y.dtype == labels.dtype and not x.requires_grad


class Squares(Dataset):
    """A dataset written the PyTorch way: only __len__ and __getitem__."""

    def __len__(self):
        return 9

    def __getitem__(self, i):
        return mg.Tensor(np.full((2,), i, np.float32)), i * i


def test_generic_dataset_is_collated_field_by_field():
    batches = list(DataLoader(Squares(), batch_size=4))
    assert [len(b[1]) for b in batches] == [4, 4, 1]
    x, y = batches[1]
    np.testing.assert_array_equal(x.numpy(), [[4, 4], [5, 5], [6, 6], [7, 7]])
    np.testing.assert_array_equal(y.numpy(), [16, 25, 36, 49])
    plain = list(DataLoader([np.ones(2) * i for i in range(3)], batch_size=2))  # a list
    assert plain[0].shape == (2, 2)


def test_subset_maps_indices():
    data = TensorDataset(np.arange(10) * 10)
    sub = Subset(data, [9, 2, 4])
    assert len(sub) == 3 and sub[0][0] == 90
    np.testing.assert_array_equal(_ids(DataLoader(sub, 2)), [90, 20, 40])
    with pytest.raises(IndexError):
        Subset(data, [10])


def test_bad_arguments():
    with pytest.raises(ValueError, match="same first dimension"):
        TensorDataset(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(TensorDataset(np.zeros(3)), batch_size=0)
    with pytest.raises(TypeError, match="__len__"):
        DataLoader(42)
