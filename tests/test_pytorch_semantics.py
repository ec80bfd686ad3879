"""The traps a PyTorch user met when porting PyTorch's MNIST example: each gave a
wrong result or a confusing error before minigrad took PyTorch's semantics."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import Function, Input


def test_transpose_of_a_matrix_swaps_its_axes():
    x = mg.tensor([[1.0, 2.0, 3.0]])
    assert x.transpose(0, 1).shape == (3, 1)      # numpy's reading returned it unchanged


def test_max_over_a_dim_unpacks_into_values_and_indices():
    x = mg.tensor([[1.0, 9.0], [4.0, 2.0]])       # a batch of 2: rows would unpack too
    values, indices = x.max(1)
    assert values.tolist() == [9.0, 4.0] and indices.tolist() == [1, 0]


def test_integer_lists_are_int64_so_they_serve_as_labels():
    labels = mg.tensor([2, 0])
    assert labels.dtype == np.int64
    loss = F.cross_entropy(mg.tensor([[0.1, 0.2, 3.0], [2.0, 0.0, 0.0]]), labels)
    assert loss.item() == pytest.approx(0.17457, abs=1e-4)   # PyTorch: 0.1746


def test_size_of_a_dim_and_dim_keepdim_keywords():
    x = mg.ones(4, 3)
    assert x.size(0) == 4 and x.size() == (4, 3)
    assert x.sum(dim=1, keepdim=True).shape == (4, 1)
    assert x.argmax(dim=1, keepdim=True).shape == (4, 1)


def test_create_graph_keeps_the_graph_for_a_gradient_penalty():
    x = mg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    loss = (x ** 3).sum()
    loss.backward(create_graph=True)               # retain_graph defaults to create_graph
    penalty = (x.grad ** 2).sum()                  # d/dx sum((3x^2)^2) = 36 x^3
    x.grad = None
    penalty.backward()
    np.testing.assert_allclose(x.grad.numpy(), 36 * np.array([1.0, 8.0]))


def test_a_custom_forward_that_returns_a_tensor_is_refused_at_the_first_call():
    class Twice(Function, register=False):
        def forward(self, a):
            return mg.tensor(a * 2)                # a Tensor, not an array

        def backward(self, g):
            return g * 2

    with pytest.raises(TypeError, match=r"Twice.forward must return one numpy array, got Tensor"):
        Twice()(mg.tensor([1.0], requires_grad=True))


def test_a_custom_backward_that_returns_arrays_is_refused_by_name():
    class Twice(Function, register=False):
        def forward(self, a):
            return a * 2

        def backward(self, g):
            return g.numpy() * 2                      # an array, not a Tensor

    x = mg.tensor(np.array([1.0]), requires_grad=True)
    with pytest.raises(TypeError, match=r"Twice.backward returned a ndarray for input 0"):
        Twice()(x).sum().backward()
    with pytest.raises(TypeError, match="Twice.backward returned"):
        mg.gradcheck(lambda t: Twice()(t), x)


def test_a_custom_backward_with_the_wrong_count_or_shape_is_refused():
    class Pair(Function, register=False):
        def forward(self, a, b):
            return a + b

        def backward(self, g):
            return g                               # one gradient for two inputs

    class Wide(Function, register=False):
        def forward(self, a):
            return a.sum()

        def backward(self, g):
            return g.reshape(1)                    # shape (1,) for an input of (3,)

    a, b = mg.tensor(np.ones(3), requires_grad=True), mg.tensor(np.ones(3), requires_grad=True)
    with pytest.raises(TypeError, match=r"Pair.backward returned 1 gradient\(s\) for 2 input"):
        Pair()(a, b).sum().backward()
    with pytest.raises(ValueError, match=r"Wide.backward returned a gradient of shape \(1,\) "
                                         r"for input 0 of shape \(3,\)"):
        Wide()(a).backward()


def test_function_apply_as_pytorch():
    class Square(Function, register=False):
        """y = x^2.
        dx = 2 x dy"""

        def forward(self, a):
            self.save_for_backward(Input(0))
            return a * a

        def backward(self, g):
            a, = self.saved_tensors
            return g * a * 2

    x = mg.tensor(np.array([3.0]), requires_grad=True)
    Square.apply(x).backward()
    assert x.grad.tolist() == [6.0]


def test_power_zero_has_a_zero_gradient_at_zero():
    x = mg.tensor(np.array([0.0, 2.0]), requires_grad=True)
    (x ** 0 + x ** 0.0 * 3).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]          # was NaN at x = 0


def test_max_pool_with_padding_routes_an_all_minus_inf_window_to_a_real_pixel():
    x = np.full((1, 1, 4, 4), -np.inf)
    x[0, 0, 2:, 2:] = [[0.0, 1.0], [2.0, 3.0]]
    t = mg.tensor(x, requires_grad=True)
    F.max_pool2d(t, 3, stride=2, padding=1).sum().backward()
    assert t.grad.numpy().sum() == 4.0                # no gradient lost in the padding
    assert t.grad.numpy()[0, 0, 0, 0] == 1.0          # the corner window's first real pixel


def test_an_in_place_change_backward_does_not_read_is_allowed():
    x = mg.tensor(np.array([1.0, 2.0]))            # a constant: Mul keeps only x for dw
    w = mg.tensor(np.array([3.0, 4.0]), requires_grad=True)
    y = (x * w).sum()
    with mg.no_grad():
        w.add_(1.0)
    y.backward()
    assert w.grad.tolist() == [1.0, 2.0]
    z = (x * w).sum() + (w * w).sum()              # this one keeps w (for w * w)
    with mg.no_grad():
        w.add_(1.0)
    with pytest.raises(RuntimeError, match="Mul: input [01] saved for backward"):
        z.backward()
