"""The one random generator behind initialisation, dropout, randn/rand and
shuffling: ``manual_seed(n)`` makes all of them reproducible."""
from __future__ import annotations

import numpy as np

_rng = np.random.default_rng()


def manual_seed(seed):
    """Reseed minigrad's generator (initialisation, dropout, randn, shuffling)."""
    global _rng
    _rng = np.random.default_rng(seed)
    return _rng


def generator():
    return _rng
