"""A row of the differential table (tests/differential/table.py): one public minigrad
entry point that reaches a registered op, written once for both libraries.

A row's ``fn(L, *inputs)`` is called with ``L = MINIGRAD`` and minigrad tensors,
then with ``L = TORCH`` and torch tensors (``torch_fn`` when PyTorch spells the
call differently). ``L.lib`` is ``minigrad`` or ``torch``, ``L.F`` the functional
module and ``L.const(array)`` a constant tensor (indices, masks, targets).
``shapes`` lists the cases: one shape per differentiable input; ``values(rng,
shape)`` draws an input (one callable, or one per input). Rows marked
``second_order`` also compare the double backward (grad of grad . w, with
respect to the inputs and the cotangent): the internal ops that only backward
uses (SumTo, ScatterAdd, MaxUnpool2d, ...) are reached that way.

Here too: the input draws and the shape cases the rows of several op families use,
and ``case_id``, the name of one case.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Callable

import numpy as np
import torch

import minigrad as mg
import minigrad.nn.functional as mgF
import torch.nn.functional as torchF

MINIGRAD = SimpleNamespace(name="minigrad", lib=mg, F=mgF, const=mg.tensor)
TORCH = SimpleNamespace(name="torch", lib=torch, F=torchF, const=torch.tensor)

#: (rtol, atol) per dtype: elementwise ops agree to rounding
EXACT = {np.float32: (1e-5, 1e-6), np.float64: (1e-10, 1e-12)}
#: ops that sum many terms (matmul, conv, norms) in an order of their own
SUMS = {np.float32: (1e-4, 1e-5), np.float64: (1e-9, 1e-11)}


@dataclass
class Row:
    id: str
    fn: Callable
    shapes: list
    values: object = None
    torch_fn: Callable = None
    second_order: bool = False
    #: False where tied values make PyTorch's own choice unspecified (topk) or the
    #: result ill-conditioned (batch norm of a constant batch): no zero-stride layout
    ties_ok: bool = True
    tol: dict = field(default_factory=lambda: EXACT)

    def call(self, L, *inputs):
        fn = self.torch_fn if (L is TORCH and self.torch_fn is not None) else self.fn
        return fn(L, *inputs)

    def make(self, rng, spec, dtype):
        draws = self.values if isinstance(self.values, tuple) else (self.values,) * len(spec)
        return tuple(np.asarray((draw or normal)(rng, shape), dtype=dtype)
                     for draw, shape in zip(draws, spec))


# -- input generators -----------------------------------------------------------------

def normal(rng, shape):
    return rng.normal(size=shape)


def positive(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def away_from_zero(rng, shape):
    """Values at least 0.2 from 0 (kinks of relu, abs, ... sit at 0)."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.2, 2.0, shape)


def probability(rng, shape):
    return rng.uniform(0.05, 0.95, shape)


def above_minus_half(rng, shape):
    return rng.uniform(-0.5, 2.0, shape)


def pattern_mask(shape):
    """A fixed boolean mask: every third element, so both values occur."""
    return np.arange(int(np.prod(shape, dtype=np.int64))).reshape(shape) % 3 == 0


def class_targets(shape):
    """Class indices for logits of ``shape`` (N, C, ...): target (N, ...)."""
    target_shape = (shape[0],) + tuple(shape[2:])
    return np.arange(int(np.prod(target_shape, dtype=np.int64))).reshape(target_shape) % shape[1]


# -- shape cases ----------------------------------------------------------------------

UNARY = [((),), ((1,),), ((0,),), ((3, 4),), ((2, 3, 5),)]
BINARY = [((3, 4), (3, 4)), ((2, 1, 4), (3, 1)), ((), (2, 3)), ((1,), (0,)), ((4,), (3, 4))]
DIM1 = [((3, 4),), ((2, 3, 5),), ((1, 1),), ((0, 4),), ((3, 0),)]
MATRIX = [((3, 4),), ((1, 5),), ((0, 3),), ((2, 3, 4),)]
IMAGES = [((2, 3, 6, 6),), ((1, 2, 7, 5),)]
INDEX = np.array([0, 2, 2, 1])


def case_id(row, spec, dtype):
    shapes = ",".join("x".join(map(str, s)) or "0d" for s in spec)
    return f"{row.id}[{shapes}]-{np.dtype(dtype).name}"
