"""Whole-sequence recurrent ops: registry cases (gradcheck and gradgradcheck in float64,
both directions, bias or not), the op equals the step op unrolled over time (values and
every gradient), the two backward paths agree, the graph does not grow with the
sequence, and bad inputs are clear errors."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.autograd import walk
from minigrad.ops.recurrent_sequence import GRUSequence, LSTMSequence, RNNSequence
from tests.ops.test_recurrent import STEPS, sequence_inputs
from tests.registry import Case

SEQUENCES = {"rnn_tanh": lambda reverse: RNNSequence("tanh", reverse),
             "rnn_relu": lambda reverse: RNNSequence("relu", reverse),
             "lstm": LSTMSequence,
             "gru": GRUSequence}


def whole(kind, reverse=False):
    return lambda *inputs: SEQUENCES[kind](reverse)(*inputs)


def unrolled(kind, reverse=False):
    """The step op over every t (in the op's order), the states stacked by t."""
    def run(x, state, *params):
        states = [None] * x.shape[0]
        order = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
        for t in order:
            state = STEPS[kind][0]()(x[t], state, *params)
            states[t] = state
        return mg.stack(states, dim=0)
    return run


CASES = []
for _kind in SEQUENCES:
    CASES += [
        Case(f"{_kind}_sequence", whole(_kind), sequence_inputs(_kind, 3, 2, 3, 2)),
        Case(f"{_kind}_sequence_reverse", whole(_kind, True), sequence_inputs(_kind, 3, 2, 3, 2)),
        Case(f"{_kind}_sequence_no_bias", whole(_kind), sequence_inputs(_kind, 2, 2, 2, 3, False)),
        Case(f"{_kind}_sequence_one_step_batch1", whole(_kind, True),
             sequence_inputs(_kind, 1, 1, 2, 2)),
    ]


def make_tensors(kind, bias=True, seed=0, steps=4):
    arrays = sequence_inputs(kind, steps, 3, 4, 5, bias)(np.random.default_rng(seed))
    return [mg.Tensor(a, requires_grad=True) for a in arrays]


def values_and_gradients(fn, inputs, seed=1):
    out = fn(*inputs)
    weight = mg.Tensor(np.random.default_rng(seed).normal(size=out.shape))
    (out * weight).sum().backward()
    return [out.numpy()] + [t.grad.numpy() for t in inputs]


@pytest.mark.parametrize("kind", list(SEQUENCES))
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_sequence_op_equals_the_step_op_unrolled(kind, reverse, bias):
    """The same states and the same gradients for every input, every step's output
    reaching the loss (so the carried gradient adds to each step's own)."""
    got = values_and_gradients(whole(kind, reverse), make_tensors(kind, bias))
    want = values_and_gradients(unrolled(kind, reverse), make_tensors(kind, bias))
    for k, (g, w) in enumerate(zip(got, want)):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12, err_msg=f"item {k}")


@pytest.mark.parametrize("kind", list(SEQUENCES))
def test_array_backward_equals_the_differentiable_backward(kind):
    grads = []
    for create_graph in (False, True):
        inputs = make_tensors(kind)
        out = SEQUENCES[kind](True)(*inputs)
        weight = mg.Tensor(np.random.default_rng(1).normal(size=out.shape))
        (out * weight).sum().backward(create_graph=create_graph)
        grads.append([t.grad.numpy() for t in inputs])
        if create_graph:
            assert sum(t.grad.requires_grad for t in inputs) >= 4
    for plain, recorded in zip(*grads):
        np.testing.assert_allclose(plain, recorded, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_only_needed_gradients_are_computed(kind):
    x, state, *params = make_tensors(kind)
    x.requires_grad = state.requires_grad = False
    SEQUENCES[kind](False)(x, state, *params).sum().backward()
    assert x.grad is None and state.grad is None
    assert all(p.grad is not None for p in params)


def test_the_layers_graph_does_not_grow_with_the_sequence():
    """One op per layer and direction: no per-step slices of the input (their gradients
    would be sequence-sized, T of them) and no per-step nodes."""
    mg.manual_seed(0)
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    sizes = []
    for steps in (2, 40):
        x = mg.randn(steps, 2, 3, requires_grad=True)
        out, (h_n, c_n) = lstm(x)
        sizes.append(len(walk([out, h_n, c_n])))
    assert sizes[0] == sizes[1]


def test_in_place_change_of_the_output_is_caught():
    inputs = make_tensors("lstm")
    out = LSTMSequence()(*inputs)
    y = out * 1.0
    with mg.no_grad():
        out.add_(1.0)
    with pytest.raises(RuntimeError, match="LSTMSequence"):
        y.sum().backward()


def test_bad_shapes_are_clear_errors():
    x, state, w_ih, w_hh, b_ih, b_hh = make_tensors("lstm")
    with pytest.raises(ValueError, match=r"LSTMSequence: x must be a \(T, B, I\) sequence"):
        LSTMSequence()(x[0], state, w_ih, w_hh, b_ih, b_hh)
    with pytest.raises(ValueError, match=r"LSTMSequence: x must be a \(T, B, I\) sequence"):
        LSTMSequence()(x[:0], state, w_ih, w_hh, b_ih, b_hh)
    with pytest.raises(ValueError, match=r"GRUSequence: inputs of shapes .* state \(B, 1H\)"):
        GRUSequence()(x, state, w_ih[:15], w_hh[:15])
    with pytest.raises(ValueError, match="RNNSequence: nonlinearity must be 'tanh' or 'relu'"):
        RNNSequence("gelu")


def test_formulas_are_in_the_docstrings():
    for op in (RNNSequence, LSTMSequence, GRUSequence):
        forward, rules = op.formula()
        assert forward.startswith("y[t] = ") and len(rules) >= 3
