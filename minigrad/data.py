"""Datasets and batching: ``Dataset``, ``TensorDataset``, ``Subset`` and ``DataLoader``.

A dataset maps an index to a sample (a tuple of arrays or numbers). The loader
asks for a whole batch at once through ``dataset.get_batch(indices)``; the
default implementation fetches the samples one by one and stacks them, and
array-backed datasets (``TensorDataset``, ``MNIST``) override it with a single
fancy-indexing step, so batching costs one numpy copy, not a Python loop.
"""
from __future__ import annotations

import numpy as np

from . import random as _random
from ._tensor import Tensor, make_tensor
from .checks import as_index_array

__all__ = ["Dataset", "TensorDataset", "Subset", "DataLoader"]


class Dataset:
    """Subclass and define ``__len__`` and ``__getitem__(i)``; override
    ``get_batch(indices)`` when a whole batch can be fetched in one step."""

    def __len__(self):
        raise NotImplementedError

    def __getitem__(self, index):
        raise NotImplementedError

    def get_batch(self, indices):
        """The samples at ``indices`` stacked field by field: a tuple of arrays
        (or one array when samples are not tuples)."""
        samples = [self[int(i)] for i in indices]
        if not samples:
            raise ValueError(f"{type(self).__name__}.get_batch: no indices given")
        if isinstance(samples[0], tuple):
            return tuple(np.stack([_array(s[k]) for s in samples]) for k in range(len(samples[0])))
        return np.stack([_array(s) for s in samples])


def _array(value):
    return value.array if isinstance(value, Tensor) else np.asarray(value)


class TensorDataset(Dataset):
    """Samples are rows of equally long arrays: ``TensorDataset(images, labels)[i]``
    is ``(images[i], labels[i])``."""

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset: needs at least one array")
        self.arrays = tuple(_array(a) for a in arrays)
        lengths = [len(a) if a.ndim else None for a in self.arrays]
        if None in lengths or len(set(lengths)) != 1:
            shapes = [a.shape for a in self.arrays]
            raise ValueError(f"TensorDataset: every array needs the same first dimension, got "
                             f"shapes {shapes}")

    def __len__(self):
        return len(self.arrays[0])

    def __getitem__(self, index):
        return tuple(a[index] for a in self.arrays)

    def get_batch(self, indices):
        indices = as_index_array(indices, len(self), "TensorDataset")
        return tuple(a[indices] for a in self.arrays)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices`` (in that order)."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = as_index_array(indices, len(dataset), "Subset")

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, index):
        return self.dataset[int(self.indices[index])]

    def get_batch(self, indices):
        indices = as_index_array(indices, len(self), "Subset")
        return self.dataset.get_batch(self.indices[indices])


class DataLoader:
    """Iterate over ``dataset`` in batches of tensors.

    ``shuffle=True`` draws a new order every epoch: from a generator seeded with
    ``seed`` (the same seed gives the same sequence of epochs), or, when ``seed``
    is None, from minigrad's generator (``minigrad.manual_seed``). Every sample
    appears exactly once per epoch; ``drop_last=True`` drops a final short batch.
    PyTorch's ``num_workers`` and ``pin_memory`` are accepted so its scripts run
    unchanged; batches are always made in this process (there is no GPU to pin for).
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, seed=None,
                 num_workers=0, pin_memory=False):
        if isinstance(num_workers, bool) or not isinstance(num_workers, (int, np.integer)) \
                or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers must be an int >= 0, got {num_workers!r}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size <= 0:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: dataset must define __len__ and __getitem__, got "
                            f"{type(dataset).__name__}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        self._rng = (np.random.default_rng(_random.check_seed(seed, "DataLoader"))
                     if seed is not None else None)

    def __len__(self):
        """The number of batches per epoch."""
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _order(self):
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        rng = self._rng if self._rng is not None else _random.generator()
        return rng.permutation(n)

    def __iter__(self):
        order = self._order()
        get_batch = getattr(self.dataset, "get_batch", None)
        if get_batch is None:   # a plain sequence-like object, not a minigrad Dataset
            get_batch = Dataset.get_batch.__get__(self.dataset)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            batch = get_batch(order[start:start + self.batch_size])
            if isinstance(batch, tuple):
                yield tuple(make_tensor(np.asarray(b)) for b in batch)
            else:
                yield make_tensor(np.asarray(batch))

    def __repr__(self):
        return (f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, "
                f"batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last})")
