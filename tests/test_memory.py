"""Memory: graphs and saved arrays are released every step; no_grad records nothing."""
import gc
import tracemalloc

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.autograd import Function


def _live_nodes():
    return sum(issubclass(type(o), Function) for o in gc.get_objects())


def test_training_loop_does_not_grow_in_memory():
    rng = np.random.default_rng(0)
    w1 = mg.Tensor(rng.normal(size=(16, 8)) * 0.1, requires_grad=True)
    w2 = mg.Tensor(rng.normal(size=(4, 16)) * 0.1, requires_grad=True)
    x = mg.Tensor(rng.normal(size=(32, 8)))
    y = rng.integers(0, 4, 32)

    def step():
        loss = F.cross_entropy(F.linear(F.linear(x, w1).relu(), w2), y)
        w1.grad = w2.grad = None
        loss.backward()
        with mg.no_grad():
            for w in (w1, w2):
                w.data -= 0.01 * w.grad.data
        return loss.item()

    for _ in range(50):   # warm up caches
        step()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        losses = [step() for _ in range(1000)]
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert losses[-1] < losses[0]
    assert retained < 64 * 1024, f"{retained} bytes retained after 1,000 steps"


def test_no_grad_inference_allocates_no_graph():
    w = mg.Tensor(np.ones((3, 3)), requires_grad=True)
    gc.collect()
    before = _live_nodes()
    with mg.no_grad():
        out = (mg.Tensor(np.ones((2, 3))) @ w).relu().softmax()
    assert out.grad_fn is None
    assert _live_nodes() == before


# A 100,000-op graph backpropagating and being freed: tests/test_autograd.py::
# test_deep_chain_has_no_recursion_error; dropped without backward:
# tests/robustness/test_deep_graphs.py.
