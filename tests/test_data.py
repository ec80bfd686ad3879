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


# --- default collate, compared with torch.utils.data.default_collate ---

def _same_batch(ours, theirs, torch):
    """Same structure (container types, keys), and tensors of the same values, dtype, shape."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, mg.Tensor), type(ours)
        assert ours.numpy().dtype == theirs.numpy().dtype and ours.shape == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    elif isinstance(theirs, dict):
        assert type(ours) is type(theirs) and list(ours) == list(theirs)
        for key in theirs:
            _same_batch(ours[key], theirs[key], torch)
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs), (ours, theirs)
        for a, b in zip(ours, theirs):
            _same_batch(a, b, torch)
    else:
        assert ours == theirs


def _to_torch(sample, torch):
    if isinstance(sample, mg.Tensor):
        return torch.tensor(sample.numpy())
    if isinstance(sample, dict):
        return {k: _to_torch(v, torch) for k, v in sample.items()}
    if isinstance(sample, tuple) and hasattr(sample, "_fields"):
        return type(sample)(*(_to_torch(v, torch) for v in sample))
    if isinstance(sample, (list, tuple)):
        return type(sample)(_to_torch(v, torch) for v in sample)
    return sample


Pair = __import__("collections").namedtuple("Pair", "image label")
F32 = np.float32
COLLATE_SAMPLES = {
    "dict": [{"x": np.full(3, i, F32), "y": i, "w": i / 2} for i in range(4)],
    "nested-tuple": [((np.full(2, i, F32), np.full(2, -i, F32)), i) for i in range(3)],
    "string-labels": [(np.full(2, i, F32), f"c{i}") for i in range(3)],
    "list-samples": [[np.full(2, i, F32), i, float(i)] for i in range(3)],
    "numbers": [1.5, 2.0, 3.25],
    "ints": [1, 2, 3],
    "bools": [True, False],
    "numpy-scalars": [np.float32(1.5), np.float32(2)],
    "int32-arrays": [np.arange(3, dtype=np.int32) + i for i in range(2)],
    "tensors": [mg.Tensor(np.full((2, 2), i, F32)) for i in range(3)],
    "namedtuple": [Pair(np.full(2, i, F32), i) for i in range(3)],
    "dict-of-lists": [{"boxes": [np.zeros(4, F32) + i, i], "name": "a"} for i in range(2)],
}


@pytest.mark.parametrize("name", list(COLLATE_SAMPLES))
def test_default_collate_matches_torch(name):
    torch = pytest.importorskip("torch")
    from torch.utils.data import default_collate as torch_collate
    samples = COLLATE_SAMPLES[name]
    theirs = torch_collate([_to_torch(s, torch) for s in samples])
    _same_batch(mg.data.default_collate(samples), theirs, torch)


class DictSamples(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {"image": np.full((2,), i, np.float32), "label": i, "tag": f"t{i}"}


def test_loader_collates_dicts_nested_tuples_and_strings():
    batch = next(iter(DataLoader(DictSamples(), batch_size=3)))
    assert isinstance(batch, dict) and batch["tag"] == ["t0", "t1", "t2"]
    assert batch["image"].shape == (3, 2) and batch["label"].dtype == np.int64
    pairs = [((np.full(2, i, F32), np.full(1, 10 * i, F32)), i) for i in range(4)]
    (a, b), y = next(iter(DataLoader(pairs, batch_size=4)))
    assert a.shape == (4, 2) and b.shape == (4, 1)
    np.testing.assert_array_equal(b.numpy()[:, 0], [0, 10, 20, 30])
    np.testing.assert_array_equal(y.numpy(), [0, 1, 2, 3])


def test_collate_errors_match_torch_types():
    with pytest.raises(RuntimeError, match="equal shapes"):
        mg.data.default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(RuntimeError, match="same number of fields"):
        mg.data.default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="found NoneType"):
        mg.data.default_collate([None, None])
    with pytest.raises(TypeError, match="<U1"):
        mg.data.default_collate([np.array(["a"]), np.array(["b"])])


def test_collate_fn_is_used():
    seen = []

    def collate(samples):
        seen.append(len(samples))
        return "batch of %d" % len(samples)

    loader = DataLoader(TensorDataset(np.arange(5)), batch_size=2, collate_fn=collate)
    assert list(loader) == ["batch of 2", "batch of 2", "batch of 1"] and seen == [2, 2, 1]
    with pytest.raises(TypeError, match="collate_fn must be callable"):
        DataLoader(TensorDataset(np.arange(5)), collate_fn=3)


def test_fast_batch_path_equals_default_collate():
    data = TensorDataset(np.arange(12.0).reshape(6, 2).astype(np.float32), np.arange(6))
    fast = next(iter(DataLoader(data, batch_size=4)))
    slow = mg.data.default_collate([data[i] for i in range(4)])
    assert type(fast) is type(slow) is list
    for a, b in zip(fast, slow):
        assert a.dtype == b.dtype and np.array_equal(a.numpy(), b.numpy())


class Doubled(TensorDataset):
    """Redefines only __getitem__: the loader must use it, not the parent's get_batch."""

    def __getitem__(self, index):
        x, = super().__getitem__(index)
        return (x * 2,)


def test_subclass_getitem_is_not_bypassed():
    x, = next(iter(DataLoader(Doubled(np.arange(4)), batch_size=4)))
    np.testing.assert_array_equal(x.numpy(), [0, 2, 4, 6])


def test_tensor_dataset_indexing_gives_tensors():
    torch = pytest.importorskip("torch")
    images, labels = np.arange(20.0).reshape(10, 2), np.arange(10)
    ours, theirs = TensorDataset(images, labels), torch.utils.data.TensorDataset(
        torch.tensor(images), torch.tensor(labels))
    for index in (3, slice(0, 10), slice(2, 7, 2)):
        for a, b in zip(ours[index], theirs[index]):
            assert isinstance(a, mg.Tensor) and a.shape == tuple(b.shape)
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert all(isinstance(t, mg.Tensor) for t in ours.tensors)
