"""Grad mode (minigrad/grad_mode.py): when ops record the graph, no_grad and
set_grad_enabled as contexts, calls and decorators, per thread."""
import threading

import numpy as np
import pytest

import minigrad as mg
from tests.autograd_helpers import leaf


def test_graph_recorded_only_when_needed():
    a = mg.Tensor(np.ones(3))
    assert (a * 2).grad_fn is None
    b = leaf(np.ones(3))
    assert (a * b).grad_fn is not None
    with mg.no_grad():
        c = b * 2
    assert c.grad_fn is None and not c.requires_grad
    assert mg.is_grad_enabled()


def test_no_grad_as_decorator_and_set_grad_enabled():
    @mg.no_grad()
    def f(t):
        return t * 2
    assert f(leaf([1.0])).grad_fn is None
    with mg.set_grad_enabled(False):
        with mg.enable_grad():
            assert (leaf([1.0]) * 2).requires_grad


def test_grad_mode_is_thread_local():
    results = {}

    def worker():
        with mg.no_grad():
            results["worker_inside"] = mg.is_grad_enabled()
            barrier.wait()   # main thread checks while the worker is inside no_grad
            barrier.wait()

    barrier = threading.Barrier(2)
    t = threading.Thread(target=worker)
    t.start()
    barrier.wait()
    results["main"] = mg.is_grad_enabled()
    results["main_records"] = (leaf([1.0]) * 2).grad_fn is not None
    barrier.wait()
    t.join()
    assert results == {"worker_inside": False, "main": True, "main_records": True}


def test_no_grad_works_as_a_bare_decorator():
    @mg.no_grad
    def f(t):
        return t * 2
    assert f(leaf([1.0])).grad_fn is None


def test_set_grad_enabled_as_a_call_a_context_and_a_decorator():
    torch = pytest.importorskip("torch")
    for lib in (mg, torch):
        try:
            lib.set_grad_enabled(False)   # a plain call sets the mode
            assert not lib.is_grad_enabled()
            assert not (lib.ones(2, requires_grad=True) * 2).requires_grad
        finally:
            lib.set_grad_enabled(True)
        lib.no_grad()   # made but not entered: no change
        assert lib.is_grad_enabled()
        with lib.set_grad_enabled(False):
            assert not lib.is_grad_enabled()
        assert lib.is_grad_enabled()

        @lib.set_grad_enabled(False)
        def inside():
            return lib.is_grad_enabled()
        assert lib.is_grad_enabled() and inside() is False and lib.is_grad_enabled()
