"""Recurrent cell steps: registry cases (gradcheck and gradgradcheck in float64), the
two backward paths agree, the precomputed input projection changes nothing, and
bad inputs are clear errors."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.ops.recurrent import GRUCellStep, LSTMCellStep, RNNCellStep
from tests.registry import Case

STEPS = {"rnn_tanh": (lambda: RNNCellStep("tanh"), 1, 1),
         "rnn_relu": (lambda: RNNCellStep("relu"), 1, 1),
         "lstm": (LSTMCellStep, 4, 2),
         "gru": (GRUCellStep, 3, 1)}


def step_inputs(kind, batch, features, hidden, bias):
    """A function making (x, state, W_ih, W_hh[, b_ih, b_hh]) for ``kind``."""
    _, gates, width = STEPS[kind]

    def make(r):
        arrays = (r.normal(size=(batch, features)), r.normal(size=(batch, width * hidden)),
                  r.normal(size=(gates * hidden, features)) * 0.6,
                  r.normal(size=(gates * hidden, hidden)) * 0.6)
        if bias:
            arrays += (r.normal(size=(gates * hidden,)), r.normal(size=(gates * hidden,)))
        return arrays
    return make


def one_step(kind):
    return lambda *inputs: STEPS[kind][0]()(*inputs)


def unrolled(kind, steps):
    """``steps`` steps of the same cell (x split over time): backprop through time."""
    def run(xs, state, *params):
        for t in range(steps):
            state = STEPS[kind][0]()(xs[t], state, *params)
        return state
    return run


def sequence_inputs(kind, steps, batch, features, hidden, bias=True):
    """A function making (x (T, B, I), state, W_ih, W_hh[, b_ih, b_hh]) for ``kind``."""
    single = step_inputs(kind, batch, features, hidden, bias)

    def make(r):
        x, state, *params = single(r)
        return (r.normal(size=(steps, batch, features)), state, *params)
    return make


CASES = []
for _kind in STEPS:
    CASES += [
        Case(f"{_kind}_step", one_step(_kind), step_inputs(_kind, 3, 4, 5, True)),
        Case(f"{_kind}_step_no_bias", one_step(_kind), step_inputs(_kind, 2, 3, 2, False)),
        Case(f"{_kind}_step_batch1", one_step(_kind), step_inputs(_kind, 1, 1, 3, True)),
        Case(f"{_kind}_three_steps", unrolled(_kind, 3), sequence_inputs(_kind, 3, 2, 3, 2)),
    ]

def seeded(make):
    mg.manual_seed(0)
    return make()


# The layers (fixed weights), through their precomputed input projection, h0/c0 given or not.
LSTM_BI = seeded(lambda: nn.LSTM(3, 2, bidirectional=True, dtype=np.float64))
GRU_2 = seeded(lambda: nn.GRU(3, 2, num_layers=2, dtype=np.float64))
RNN_BF = seeded(lambda: nn.RNN(3, 2, batch_first=True, dtype=np.float64))
CASES += [
    Case("lstm_layer_bidirectional_h0_c0", lambda x, h0, c0: LSTM_BI(x, (h0, c0))[0],
         lambda r: (r.normal(size=(4, 2, 3)), r.normal(size=(2, 2, 2)), r.normal(size=(2, 2, 2)))),
    Case("gru_layer_two_layers_no_h0",
         lambda x: GRU_2(x)[1],
         lambda r: r.normal(size=(3, 2, 3))),
    Case("rnn_layer_batch_first_h0",
         lambda x, h0: RNN_BF(x, h0)[0],
         lambda r: (r.normal(size=(2, 3, 3)), r.normal(size=(1, 2, 2)))),
]


def make_tensors(kind, bias=True, seed=0):
    arrays = step_inputs(kind, 3, 4, 5, bias)(np.random.default_rng(seed))
    return [mg.Tensor(a, requires_grad=True) for a in arrays]


@pytest.mark.parametrize("kind", list(STEPS))
@pytest.mark.parametrize("bias", [True, False])
def test_array_backward_equals_the_differentiable_backward(kind, bias):
    """Grad mode off: the formulas on saved arrays; create_graph: the same formulas
    on tensors. Both give the same gradients."""
    grads = []
    for create_graph in (False, True):
        inputs = make_tensors(kind, bias)
        out = STEPS[kind][0]()(*inputs)
        weight = mg.Tensor(np.random.default_rng(1).normal(size=out.shape))
        (out * weight).sum().backward(create_graph=create_graph)
        grads.append([t.grad.numpy() for t in inputs])
        if create_graph:   # (relu's bias gradient is constant: its mask has no gradient)
            assert sum(t.grad.requires_grad for t in inputs) >= 4
    for plain, recorded in zip(*grads):
        np.testing.assert_allclose(plain, recorded, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", list(STEPS))
def test_precomputed_input_projection_gives_the_same_step(kind):
    x, state, w_ih, w_hh, b_ih, b_hh = make_tensors(kind)
    gates_x = x.numpy() @ w_ih.numpy().T + b_ih.numpy()
    plain = STEPS[kind][0]()(x, state, w_ih, w_hh, b_ih, b_hh)
    given = STEPS[kind][0]()(x, state, w_ih, w_hh, b_ih, b_hh, gates_x=gates_x)
    np.testing.assert_allclose(given.numpy(), plain.numpy(), rtol=1e-12)


def test_only_needed_gradients_are_computed():
    x, state, w_ih, w_hh, b_ih, b_hh = make_tensors("lstm")
    x.requires_grad = False
    out = LSTMCellStep()(x, state, w_ih, w_hh, b_ih, b_hh)
    out.sum().backward()
    assert x.grad is None and state.grad is not None and w_ih.grad is not None


def test_in_place_change_of_an_rnn_output_is_caught():
    x, h, w_ih, w_hh, b_ih, b_hh = make_tensors("rnn_tanh")
    out = RNNCellStep()(x, h, w_ih, w_hh, b_ih, b_hh)
    y = out * 1.0
    with mg.no_grad():
        out.add_(1.0)
    with pytest.raises(RuntimeError, match="RNNCellStep"):
        y.sum().backward()


def test_bad_shapes_and_dtypes_are_clear_errors():
    x, state, w_ih, w_hh, b_ih, b_hh = make_tensors("lstm")
    with pytest.raises(ValueError, match=r"LSTMCellStep: inputs of shapes .* expected x \(B, I\), "
                                         r"state \(B, 2H\)"):
        LSTMCellStep()(x, state[:, :5], w_ih, w_hh, b_ih, b_hh)
    with pytest.raises(ValueError, match="GRUCellStep: inputs of shapes"):
        GRUCellStep()(x, state[:, :5], w_ih, w_hh)
    with pytest.raises(TypeError, match="LSTMCellStep: inputs must share one dtype"):
        LSTMCellStep()(x.float(), state, w_ih, w_hh)
    with pytest.raises(TypeError, match="expected inputs"):
        LSTMCellStep()(x, state, w_ih)
    with pytest.raises(ValueError, match="nonlinearity must be 'tanh' or 'relu'"):
        RNNCellStep("gelu")


def test_formulas_are_in_the_docstrings():
    for op in (RNNCellStep, LSTMCellStep, GRUCellStep):
        forward, rules = op.formula()
        assert forward.startswith("y = ") and len(rules) >= 3
