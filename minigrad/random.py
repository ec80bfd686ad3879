"""The one random generator behind initialisation, dropout, randn/rand and
shuffling: ``manual_seed(n)`` makes all of them reproducible."""
from __future__ import annotations

import copy

import numpy as np

_rng = np.random.default_rng()


def check_seed(seed, op):
    """A seed is a non-negative int (numpy's own errors do not name the caller)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{op}: seed must be an int, got {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise ValueError(f"{op}: seed must be >= 0, got {seed}")
    return int(seed)


def manual_seed(seed):
    """Reseed minigrad's generator (initialisation, dropout, randn, shuffling)."""
    global _rng
    _rng = np.random.default_rng(check_seed(seed, "manual_seed"))
    return _rng


def generator():
    return _rng


def get_rng_state():
    """A copy of the generator's state (as ``torch.get_rng_state``): give it to
    :func:`set_rng_state` to replay the same random numbers."""
    return copy.deepcopy(_rng.bit_generator.state)


def set_rng_state(state):
    if not isinstance(state, dict) or "bit_generator" not in state:
        raise TypeError(f"set_rng_state: expected a state from get_rng_state(), got "
                        f"{type(state).__name__}")
    generator = np.random.default_rng()
    try:
        generator.bit_generator.state = copy.deepcopy(state)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"set_rng_state: not a state of this generator ({exc})") from None
    global _rng
    _rng = generator
