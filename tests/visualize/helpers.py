"""Small fixed graphs for the visualize tests."""
import numpy as np

import minigrad as mg
from minigrad.tracing import module_scope


class Affine:
    """A plain object standing in for a module: x @ w + b under module_scope."""

    def __init__(self, w, b):
        self.w, self.b = w, b

    def __call__(self, x):
        with module_scope(self):
            return x @ self.w + self.b


def small_graph():
    """loss = mean(relu(Affine(x)) * 2): ops MatMul, Add, ReLU, Mul (with a
    constant), Mean; a no-grad input x; leaves w and b."""
    x = mg.Tensor(np.arange(6, dtype=np.float64).reshape(2, 3) / 10)
    w = mg.Tensor(np.linspace(-1, 1, 12).reshape(3, 4), requires_grad=True)
    b = mg.Tensor(np.array([0.1, -0.2, 0.3, -0.4]), requires_grad=True)
    layer = Affine(w, b)
    loss = (layer(x).relu() * 2.0).mean()
    return loss, {"layer.w": w, "layer.b": b}
