"""The one random generator behind initialisation, dropout, randn/rand and
shuffling: ``manual_seed(n)`` makes all of them reproducible."""
from __future__ import annotations

import numpy as np

_rng = np.random.default_rng()


def manual_seed(seed):
    """Reseed minigrad's generator (initialisation, dropout, randn, shuffling)."""
    global _rng
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise ValueError(f"manual_seed: seed must be >= 0, got {seed}")
    _rng = np.random.default_rng(seed)
    return _rng


def generator():
    return _rng
