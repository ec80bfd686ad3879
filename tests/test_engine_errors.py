"""The engine's errors (minigrad/engine_errors.py): each names the op and says what is
wrong: a second backward through a freed graph, a missing or misshapen gradient,
in-place changes of what backward saved, saving what the op does not have, a gradient
of a shape the input does not broadcast to."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import Function, Input
from tests.autograd_helpers import leaf


def test_second_backward_through_released_graph_is_an_error():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_backward_of_non_scalar_needs_a_gradient():
    x = leaf(np.ones((2, 3)))
    with pytest.raises(RuntimeError, match=r"scalar output.*shape \(2, 3\)"):
        (x * 2).backward()
    (x * 2).backward(np.ones((2, 3)))
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"grad has shape \(3,\) but the output has shape \(2, 3\)"):
        (x * 2).backward(np.ones(3))


def test_backward_on_tensor_without_grad_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        mg.tensor([1.0]).sum().backward()


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(TypeError, match="only floating-point tensors can require grad.*int64"):
        mg.Tensor(np.array([1, 2]), requires_grad=True)


def test_in_place_change_of_a_saved_input_is_detected():
    x = leaf([1.0, 2.0])
    a = mg.Tensor(np.array([3.0, 4.0]))
    y = (x * a).sum()
    a[0] = 10.0     # Mul saved a for x's gradient
    with pytest.raises(RuntimeError, match=r"Mul: input 1 saved for backward \(shape \(2,\).*modified in place"):
        y.backward()


def test_in_place_on_tensor_requiring_grad_needs_no_grad():
    x = leaf([1.0])
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad .* in-place"):
        x.add_(1.0)
    with mg.no_grad():
        x.add_(1.0)
    assert x.item() == 2.0


def test_saving_an_input_as_a_bare_array_says_which_marker_to_use():
    class Square(Function, register=False):
        def forward(self, a):
            self.save_for_backward(a)
            return a * a

    with pytest.raises(TypeError, match=r"Square.forward: saved input 0 as a bare array.*Input\(0\)"):
        Square()(leaf([1.0]))


def test_a_saved_constant_is_rebuilt_and_still_checked_for_in_place_changes():
    x = leaf([1.0, 2.0])
    c = mg.Tensor(np.array([3.0, 4.0]))      # needs no grad: the node keeps its array
    y = x * c
    assert y.grad_fn.saved[1].tensor is None and y.grad_fn.saved[1].array is c.numpy()
    c.add_(1.0)
    with pytest.raises(RuntimeError, match=r"Mul: input 1 saved for backward.*modified in place"):
        y.sum().backward()
    z = x * mg.Tensor(np.array([3.0, 4.0]))
    z.sum().backward()                        # the constant tensor itself is gone by now
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 4.0])


def test_saving_an_input_the_op_does_not_have_names_the_op():
    class Twice(Function, register=False):
        """y = 2 x.
        dx = 2 dy
        """

        def forward(self, a):
            self.save_for_backward(Input(1))
            return 2 * a

        def backward(self, g):
            return g * 2

    with pytest.raises(IndexError, match=r"Twice.forward: save_for_backward\(Input\(1\)\) but the op has 1 input"):
        Twice()(leaf([1.0]))


@pytest.mark.parametrize("op, name", [("tanh", "Tanh"), ("sigmoid", "Sigmoid")])
def test_saved_arrays_are_checked_like_saved_tensors(op, name):
    """A plain backward that reads its saved output as an array (``saved_arrays``)
    still catches an in-place change of it, and a second backward."""
    x = leaf([0.5, -1.0])
    y = getattr(x, op)()
    with mg.no_grad():
        y.add_(1.0)
    with pytest.raises(RuntimeError, match=rf"{name}: output saved for backward.*modified in place"):
        y.sum().backward()
    z = getattr(x, op)()
    z.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        z.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        z.grad_fn.saved_arrays


def test_a_gradient_of_a_shape_the_input_does_not_broadcast_to_names_the_op():
    class _WrongShape(Function):   # (a leading underscore keeps it out of the registry)
        """y = x.
        dx = dy
        """
        def forward(self, a):
            return a.copy()

        def backward(self, g):
            return mg.ones(4)

    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"_WrongShape.backward returned a gradient of shape "
                                         r"\(4,\) for input 0 of shape \(3,\)"):
        _WrongShape()(x).sum().backward()
