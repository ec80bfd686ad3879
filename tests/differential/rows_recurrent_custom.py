"""Differential rows of the recurrent ops (minigrad/ops/recurrent.py,
recurrent_sequence.py) against PyTorch's cells, and of a PyTorch-style ctx Function
(minigrad/custom_function.py)."""
import torch

import minigrad as mg
from minigrad.ops.recurrent import GRUCellStep, LSTMCellStep, RNNCellStep
from minigrad.ops.recurrent_sequence import GRUSequence, LSTMSequence, RNNSequence
from tests.ops.test_custom_function import define_smooth_clamp
from tests.differential.row import SUMS, Row


SMOOTH_CLAMP = {}


def smooth_clamp(L):
    """x / sqrt(1 + x^2) as a PyTorch-style ctx Function of library L, the same class
    body for both libraries (tests/ops/test_custom_function.py writes it)."""
    if L.name not in SMOOTH_CLAMP:
        SMOOTH_CLAMP[L.name] = define_smooth_clamp(L.lib.autograd)
    return SMOOTH_CLAMP[L.name]


def torch_sequence(cell, reverse=False):
    """PyTorch's ``cell(x_t, state, *weights)`` over every step of x (T, B, I), the
    states stacked by t: what minigrad's sequence ops compute in one op."""
    def run(L, x, state, *weights):
        states = [None] * x.shape[0]
        for t in (reversed(range(x.shape[0])) if reverse else range(x.shape[0])):
            state = cell(x[t], state, *weights)
            states[t] = state
        return torch.stack(states)
    return run


def torch_lstm_cell_hc(x, hc, *weights):
    """torch.lstm_cell on the [h | c] state minigrad's LSTM ops carry."""
    return torch.cat(torch.lstm_cell(x, hc.chunk(2, dim=1), *weights), dim=1)

ROWS = [
    Row("custom_ctx_function", lambda L, x: smooth_clamp(L).apply(x), [((5,),), ((2, 3),)],
        second_order=True),
    Row("rnn_cell", lambda L, x, h, wi, wh, bi, bh: RNNCellStep()(x, h, wi, wh, bi, bh),
        [((3, 4), (3, 5), (5, 4), (5, 5), (5,), (5,))], tol=SUMS,
        torch_fn=lambda L, *t: torch.rnn_tanh_cell(*t)),
    Row("gru_cell", lambda L, x, h, wi, wh, bi, bh: GRUCellStep()(x, h, wi, wh, bi, bh),
        [((3, 4), (3, 5), (15, 4), (15, 5), (15,), (15,))], tol=SUMS,
        torch_fn=lambda L, *t: torch.gru_cell(*t)),
    Row("lstm_cell_h", lambda L, x, h, c, wi, wh, bi, bh:
        LSTMCellStep()(x, mg.cat([h, c], 1), wi, wh, bi, bh)[:, :5],
        [((3, 4), (3, 5), (3, 5), (20, 4), (20, 5), (20,), (20,))], tol=SUMS,
        torch_fn=lambda L, x, h, c, *w: torch.lstm_cell(x, (h, c), *w)[0]),
    Row("rnn_relu_sequence", lambda L, x, h, wi, wh, bi, bh: RNNSequence("relu")(x, h, wi, wh, bi, bh),
        [((4, 3, 2), (3, 5), (5, 2), (5, 5), (5,), (5,))], tol=SUMS,
        torch_fn=torch_sequence(torch.rnn_relu_cell)),
    Row("gru_sequence", lambda L, x, h, wi, wh, bi, bh: GRUSequence()(x, h, wi, wh, bi, bh),
        [((4, 3, 2), (3, 5), (15, 2), (15, 5), (15,), (15,))], tol=SUMS,
        torch_fn=torch_sequence(torch.gru_cell)),
    Row("lstm_sequence_reverse", lambda L, x, hc, wi, wh, bi, bh:
        LSTMSequence(reverse=True)(x, hc, wi, wh, bi, bh),
        [((4, 3, 2), (3, 10), (20, 2), (20, 5), (20,), (20,))], tol=SUMS,
        torch_fn=torch_sequence(torch_lstm_cell_hc, reverse=True)),
]
