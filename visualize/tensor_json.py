"""Tensors as the explorer page's JSON: shape, dtype, statistics, and their numbers.

Size is kept in check: a tensor of at most ``SMALL`` elements is embedded whole
(a table); a larger one as summary statistics over all of it plus a capped slice
(``CAP``: the first 2 images, first 4 channels, 64 x 64 pixels) for a heatmap.
Numbers are written with ``DIGITS`` (4) significant digits.
"""
from __future__ import annotations

import numpy as np

SMALL = 64                     # at most this many elements: the whole tensor, as a table
CAP = (2, 4, 64, 64)           # else a slice of at most (images, channels, rows, columns)
DIGITS = 4                     # significant digits of every embedded number


class JsonNumbers:
    """Arrays formatted once, with numpy, and pasted into the JSON text as raw
    lists (json.dumps of a Python list of floats would print 17 digits)."""

    def __init__(self):
        self.chunks = []

    def add(self, array) -> str:
        a = np.asarray(array, dtype=np.float64).ravel()
        # Wide enough for "null" also where every value is NaN (numpy sizes the strings
        # to the longest, "nan").
        text = np.char.mod(f"%.{DIGITS}g", a).astype("<U16")
        text[~np.isfinite(a)] = "null"          # JSON has no NaN or inf
        self.chunks.append("[" + ",".join(text.tolist()) + "]")
        return f"@@NUMBERS{len(self.chunks) - 1}@@"

    def fill(self, text: str) -> str:
        for i, chunk in enumerate(self.chunks):
            text = text.replace(f'"@@NUMBERS{i}@@"', chunk, 1)
        return text


def as_4d(shape):
    """How a tensor is laid out for a heatmap: (images, channels, rows, columns)."""
    shape = tuple(shape)
    if len(shape) <= 2:
        return (1, 1) + (1,) * (2 - len(shape)) + shape
    if len(shape) == 3:
        return (1,) + shape
    return (shape[0], int(np.prod(shape[1:-2], dtype=np.int64))) + shape[-2:]


def stats(a) -> dict:
    a = np.asarray(a, dtype=np.float64)
    finite = a[np.isfinite(a)]
    out = {"size": int(a.size), "nonzero": int(np.count_nonzero(a)),
           "nonfinite": int(a.size - finite.size)}
    if finite.size:
        out.update(min=float(finite.min()), max=float(finite.max()),
                   mean=float(finite.mean()), l2=float(np.sqrt(np.sum(finite * finite))))
    return out


def tensor_payload(array, numbers: JsonNumbers, mask=None) -> dict:
    """A tensor for the page: shape, dtype, statistics over all of it, and either
    every value (``values``, small tensors) or a capped 4-D slice (``slice``)."""
    a = np.asarray(array)
    payload = {"shape": list(a.shape), "dtype": str(a.dtype), "stats": stats(a)}
    if a.size <= SMALL:
        payload["values"] = numbers.add(a)
        if mask is not None:
            payload["mask"] = numbers.add(np.asarray(mask).reshape(a.shape))
        return payload
    view = a.reshape(as_4d(a.shape))
    index = tuple(slice(0, min(n, cap)) for n, cap in zip(view.shape, CAP))
    payload["view"] = list(view.shape)
    payload["slice"] = list(view[index].shape)
    payload["data"] = numbers.add(view[index])
    if mask is not None:
        payload["mask"] = numbers.add(np.asarray(mask).reshape(view.shape)[index])
    return payload
