"""gradcheck itself: it must catch wrong gradients, and tell kinks from bugs."""
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import Function


class _TransposedGrad(Function, register=False):
    """z = a @ W with a deliberately wrong backward (uses W instead of W^T): a .sum()
    check with a square, symmetric-in-sum W can miss this; a random cotangent cannot."""

    def __init__(self, w):
        self.w = w

    def forward(self, a):
        return a @ self.w

    def backward(self, g):
        return g @ mg.Tensor(self.w)   # should be W^T


class _WrongAtKink(Function, register=False):
    """|a| whose backward claims slope 2 everywhere: wrong, kink or not."""

    def forward(self, a):
        return np.abs(a)

    def backward(self, g):
        return g * 2


def test_gradcheck_catches_a_transposition_bug_that_sum_misses():
    w = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 2.0], [2.0, 0.0, 1.0]])   # not symmetric
    x = mg.Tensor(np.array([[0.3, -0.7, 0.2]]), requires_grad=True)
    # the all-ones cotangent cannot see it: W's row sums equal its column sums
    _TransposedGrad(w)(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.ones((1, 3)) @ w.T)
    with pytest.raises(mg.GradcheckError) as info:
        mg.gradcheck(lambda a: _TransposedGrad(w)(a), x)
    message = str(info.value)
    assert "input 0 (shape (1, 3))" in message and "analytic" in message and "numerical" in message


def test_raise_exception_false_returns_false():
    x = mg.Tensor(np.array([[0.3, -0.7]]), requires_grad=True)
    w = np.array([[1.0, 3.0], [1.0, 1.0]])
    assert mg.gradcheck(lambda a: _TransposedGrad(w)(a), x, raise_exception=False) is False


def test_kink_with_a_valid_subgradient_passes_with_a_warning():
    x = mg.Tensor(np.array([0.0, 1.0, -2.0]), requires_grad=True)
    with pytest.warns(mg.KinkWarning, match=r"input 0 element \(0,\)"):
        assert mg.gradcheck(lambda a: a.relu(), x)
    # a symmetric tie: central differences see exactly the equal split
    ties = mg.Tensor(np.array([[1.0, 1.0, 0.0]]), requires_grad=True)
    assert mg.gradcheck(lambda a: a.max(axis=1), ties)


def test_wrong_gradient_at_a_kink_is_still_reported():
    x = mg.Tensor(np.array([0.0, 1.0]), requires_grad=True)
    with pytest.raises(mg.GradcheckError, match="on a kink, and not a subgradient"):
        mg.gradcheck(lambda a: _WrongAtKink()(a), x)


def test_float32_inputs_are_promoted():
    x = mg.tensor([0.5, 1.5], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert mg.gradcheck(lambda a: (a * a).sum(), x)
    assert x.dtype == np.float32   # the caller's tensor is untouched


def test_multiple_inputs_and_outputs():
    a = mg.Tensor(np.random.default_rng(0).normal(size=(2, 3)), requires_grad=True)
    b = mg.Tensor(np.random.default_rng(1).normal(size=(3,)), requires_grad=True)
    c = mg.Tensor(np.ones(3))   # not checked: does not require grad
    assert mg.gradcheck(lambda x, y, z: (x * y + z, (x * x).sum()), (a, b, c))


def test_gradgradcheck_catches_a_wrong_second_derivative():
    class BadSquare(Function, register=False):
        """a^2 whose backward saves a as a constant: first derivative right, second lost."""

        def forward(self, a):
            self.save_for_backward(a.copy())   # a copy is not the input: a constant
            return a * a

        def backward(self, g):
            a, = self.saved_tensors
            return g * 2 * a

    x = mg.Tensor(np.array([0.5, -1.0]), requires_grad=True)
    assert mg.gradcheck(lambda t: BadSquare()(t), x)
    with pytest.raises(mg.GradcheckError):
        mg.gradgradcheck(lambda t: BadSquare()(t), x)


def test_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="no input requires grad"):
        mg.gradcheck(lambda a: a * 2, mg.Tensor(np.ones(2)))
