"""The op registry's test cases.

Every ``Function`` subclass registers itself in ``minigrad.Function.registry``.
Each test module under ``tests/ops/`` lists ``CASES``: small float64 problems
that exercise its ops (odd shapes, broadcasting, every axis option, ties...).
``tests/test_registry.py`` runs gradcheck (and gradgradcheck) on every case and
fails when a registered op appears in no case's graph.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Callable

import numpy as np

import minigrad as mg
from minigrad.autograd import walk


@dataclass
class Case:
    """``fn(*inputs)`` for gradcheck. ``make_inputs(rng)`` returns float64 arrays
    (or Tensors); arrays become Tensors that require grad. ``gradgrad`` is True,
    or a string saying why the second-order check does not apply."""
    id: str
    fn: Callable
    make_inputs: Callable
    gradgrad: object = True
    atol: float = 1e-5
    rtol: float = 1e-3

    def inputs(self, seed=0):
        rng = np.random.default_rng(seed)
        made = self.make_inputs(rng)
        made = made if isinstance(made, tuple) else (made,)
        return tuple(m if isinstance(m, mg.Tensor) else mg.Tensor(np.asarray(m, dtype=np.float64),
                                                                 requires_grad=True)
                     for m in made)


def all_cases():
    """Every ``CASES`` list in the modules of ``tests/ops``."""
    from tests import ops as ops_pkg
    cases = []
    for info in pkgutil.iter_modules(ops_pkg.__path__):
        module = importlib.import_module(f"tests.ops.{info.name}")
        cases.extend(getattr(module, "CASES", []))
    return cases


def ops_in_graph(*outputs):
    """The op classes in the graph that produced ``outputs``."""
    return {type(node) for node in walk(outputs)}
