"""Datasets and batching: ``Dataset``, ``TensorDataset``, ``Subset``, ``DataLoader``
and ``default_collate``.

A dataset maps an index to a sample. The loader turns a list of samples into a
batch with ``collate_fn`` (by default ``default_collate``, PyTorch's rules). When
no ``collate_fn`` is given and the dataset fetches a whole batch itself
(``get_batch(indices)``, as ``TensorDataset`` and ``MNIST`` do with one
fancy-indexing step), the loader uses that instead, so batching costs one numpy
copy, not a Python loop over samples; the batch is the same as collating.
"""
from __future__ import annotations

import collections.abc

import numpy as np

from . import random as _random
from ._tensor import Tensor, make_tensor
from .checks import as_index_array

__all__ = ["Dataset", "TensorDataset", "Subset", "DataLoader", "default_collate"]


def _array(value):
    return value.array if isinstance(value, Tensor) else np.asarray(value)


def _stack(arrays):
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise RuntimeError(f"default_collate: the samples of one field must have equal shapes to "
                           f"be stacked, got shapes {sorted(shapes)}")
    return make_tensor(np.stack(arrays))


_COLLATABLE = "tensors, numpy arrays, numbers, strings, dicts or lists"


def default_collate(samples):
    """PyTorch's default collate: a list of samples -> one batch, field by field.

    Tensors and numpy arrays are stacked along a new first dimension; Python
    floats become a float64 tensor, ints an int64 tensor, bools a bool tensor,
    numpy scalars a tensor of their dtype; strings and bytes stay the sequence
    they came in. Dicts become dicts of batches, named tuples named tuples,
    tuples lists and other sequences the same type (else lists), recursively.
    """
    given, samples = samples, list(samples)
    if not samples:
        raise ValueError("default_collate: got an empty list of samples")
    first = samples[0]
    if isinstance(first, Tensor):
        return _stack([_array(s) for s in samples])
    if isinstance(first, np.ndarray) or (isinstance(first, np.generic)
                                         and not isinstance(first, (np.str_, np.bytes_))):
        if first.dtype.kind in "SUO":
            raise TypeError(f"default_collate: cannot turn numpy arrays of dtype {first.dtype} "
                            f"into a tensor; samples must hold {_COLLATABLE}")
        if isinstance(first, np.generic):
            return make_tensor(np.asarray(samples))
        return _stack([np.asarray(s) for s in samples])
    if isinstance(first, (str, bytes)):
        return given
    if isinstance(first, bool):
        return make_tensor(np.asarray(samples, dtype=bool if all(isinstance(s, bool)
                                                                 for s in samples) else np.int64))
    if isinstance(first, int):
        values = np.asarray(samples)
        return make_tensor(values.astype(np.float32 if values.dtype.kind == "f" else np.int64))
    if isinstance(first, float):
        return make_tensor(np.asarray(samples, dtype=np.float64))
    if isinstance(first, collections.abc.Mapping):
        batch = {key: default_collate([s[key] for s in samples]) for key in first}
        try:
            return type(first)(batch)
        except TypeError:   # a mapping type that cannot be built from a dict
            return batch
    if isinstance(first, tuple) and hasattr(first, "_fields"):   # a named tuple
        return type(first)(*(default_collate(field) for field in zip(*samples)))
    if isinstance(first, collections.abc.Sequence):
        lengths = {len(s) for s in samples}
        if len(lengths) != 1:
            raise RuntimeError(f"default_collate: each sample of a batch must have the same "
                               f"number of fields, got lengths {sorted(lengths)}")
        fields = [default_collate(field) for field in zip(*samples)]
        if isinstance(first, tuple):
            return fields   # PyTorch turns tuples of samples into a list of batches
        try:
            return type(first)(fields)
        except TypeError:
            return fields
    raise TypeError(f"default_collate: samples must hold {_COLLATABLE}; found "
                    f"{type(first).__name__}")


def _as_tensor_batch(batch):
    """A batch from ``get_batch`` as the loader yields it: arrays become tensors,
    a tuple of fields a list (as ``default_collate`` gives)."""
    if isinstance(batch, np.ndarray):
        return make_tensor(batch)
    if isinstance(batch, tuple) and not hasattr(batch, "_fields"):
        return [_as_tensor_batch(b) for b in batch]
    return batch


def _batch_fetcher(dataset):
    """``dataset.get_batch`` when it stands for collating ``dataset[i]`` samples:
    the nearest class in the MRO defining ``get_batch`` or ``__getitem__``
    defines ``get_batch`` (a subclass that redefines only ``__getitem__`` has its
    samples fetched one by one, so its ``__getitem__`` is the one used)."""
    for klass in type(dataset).__mro__:
        if "get_batch" in vars(klass):
            return dataset.get_batch
        if "__getitem__" in vars(klass):
            return None
    return None


class Dataset:
    """Subclass and define ``__len__`` and ``__getitem__(i)``; override
    ``get_batch(indices)`` when a whole batch can be fetched in one step."""

    def __len__(self):
        raise NotImplementedError

    def __getitem__(self, index):
        raise NotImplementedError

    def get_batch(self, indices):
        """The samples at ``indices`` collated by ``default_collate``."""
        return default_collate([self[int(i)] for i in indices])


class TensorDataset(Dataset):
    """Samples are rows of equally long tensors: ``TensorDataset(images, labels)[i]``
    is ``(images[i], labels[i])``, a tuple of tensors (for an int or a slice)."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset: needs at least one array")
        self.arrays = tuple(_array(a) for a in tensors)
        lengths = [len(a) if a.ndim else None for a in self.arrays]
        if None in lengths or len(set(lengths)) != 1:
            shapes = [a.shape for a in self.arrays]
            raise ValueError(f"TensorDataset: every array needs the same first dimension, got "
                             f"shapes {shapes}")
        self.tensors = tuple(make_tensor(a) for a in self.arrays)

    def __len__(self):
        return len(self.arrays[0])

    def __getitem__(self, index):
        return tuple(make_tensor(np.asarray(a[index])) for a in self.arrays)

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
        fetch = _batch_fetcher(self.dataset)
        if fetch is None:
            return default_collate([self.dataset[int(i)] for i in self.indices[indices]])
        return fetch(self.indices[indices])


class DataLoader:
    """Iterate over ``dataset`` in batches.

    A batch is ``collate_fn(list_of_samples)``; by default ``default_collate``
    (PyTorch's), served by the dataset's ``get_batch`` when it has one.
    ``shuffle=True`` draws a new order every epoch: from a generator seeded with
    ``seed`` (the same seed gives the same sequence of epochs), or, when ``seed``
    is None, from minigrad's generator (``minigrad.manual_seed``). Every sample
    appears exactly once per epoch; ``drop_last=True`` drops a final short batch.
    PyTorch's ``num_workers`` and ``pin_memory`` are accepted so its scripts run
    unchanged; batches are always made in this process (there is no GPU to pin for).
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, collate_fn=None,
                 seed=None, num_workers=0, pin_memory=False):
        if isinstance(num_workers, bool) or not isinstance(num_workers, (int, np.integer)) \
                or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers must be an int >= 0, got {num_workers!r}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size <= 0:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: dataset must define __len__ and __getitem__, got "
                            f"{type(dataset).__name__}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable (a list of samples -> a "
                            f"batch), got {type(collate_fn).__name__}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
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
        fetch = _batch_fetcher(self.dataset) if self.collate_fn is None else None
        collate = self.collate_fn if self.collate_fn is not None else default_collate
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            indices = order[start:start + self.batch_size]
            if fetch is not None:
                yield _as_tensor_batch(fetch(indices))
            else:
                yield collate([self.dataset[int(i)] for i in indices])

    def __repr__(self):
        return (f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, "
                f"batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last})")
