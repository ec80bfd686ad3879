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


class Generator:
    """``minigrad.Generator()``: a random generator of its own, as PyTorch's, for the
    ``generator=`` argument of the random factories and samplers; minigrad's global
    generator is used where none is given."""

    def __init__(self, device="cpu"):
        from ._tensor import device as check_device
        check_device(device)
        self.numpy = np.random.default_rng()
        self._seed = None

    def manual_seed(self, seed):
        self._seed = check_seed(seed, "Generator.manual_seed")
        self.numpy = np.random.default_rng(self._seed)
        return self

    def seed(self):
        """Reseed from fresh entropy; returns the new seed."""
        return self.manual_seed(int(np.random.SeedSequence().generate_state(1)[0])).initial_seed()

    def initial_seed(self):
        return self._seed

    def get_state(self):
        return copy.deepcopy(self.numpy.bit_generator.state)

    def set_state(self, state):
        if not isinstance(state, dict) or "bit_generator" not in state:
            raise TypeError(f"Generator.set_state: expected a state from get_state(), got "
                            f"{type(state).__name__}")
        self.numpy.bit_generator.state = copy.deepcopy(state)
        return self


def numpy_generator(generator, op):
    """The numpy generator behind ``generator=`` (minigrad's global one for None)."""
    if generator is None:
        return _rng
    if not isinstance(generator, Generator):
        raise TypeError(f"{op}: generator must be a minigrad.Generator, got "
                        f"{type(generator).__name__}")
    return generator.numpy
