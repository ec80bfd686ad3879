"""Deep and wide graphs beyond tests/test_memory.py's 100,000-op chain: second
derivatives through a long chain, a long graph dropped without backward (no
recursion in teardown), and one leaf feeding 100,000 ops."""
import gc
import weakref

import numpy as np
import pytest

import minigrad as mg

DEPTH = 30_000


def test_second_derivative_through_a_deep_chain():
    x = mg.Tensor(np.array([1.5, -2.0]), requires_grad=True)
    y = x
    for _ in range(DEPTH):                 # deeper than any recursion limit
        y = y * 1.0
    g, = mg.grad((y * y * y).sum(), [x], create_graph=True)     # 3x^2
    np.testing.assert_allclose(g.numpy(), 3 * x.numpy() ** 2)
    g.sum().backward()                                          # d/dx sum 3x^2 = 6x
    np.testing.assert_allclose(x.grad.numpy(), 6 * x.numpy())


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")   # e.g. a RecursionError in __del__
def test_a_long_graph_dropped_without_backward_is_freed():
    x = mg.Tensor(np.ones(2), requires_grad=True)
    y = x
    for _ in range(200_000):
        y = y + 1.0
    first = weakref.ref(y.grad_fn)
    del y                                  # tearing down 200k nested nodes must not recurse
    gc.collect()
    assert first() is None


def test_one_leaf_feeding_a_hundred_thousand_ops_accumulates_exactly():
    x = mg.Tensor(np.ones(3), requires_grad=True)
    total = mg.stack([x * float(i) for i in range(100_000)]).sum()
    total.backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(3, 99_999 * 100_000 / 2))
