"""examples/sequence_lstm.py: a few Adam steps lower the loss, and the gradient table
shows the vanishing gradient of the vanilla RNN and the LSTM's cell-state path."""
import numpy as np

from tests.examples.scripts import load_example


def test_a_few_steps_learn_and_the_gradient_table_shows_the_cell_state_path():
    example = load_example("sequence_lstm")
    logs = []
    model, losses, rows = example.main(["--steps", "40"], log=logs.append)
    assert len(losses) == 40 and all(np.isfinite(losses))
    assert np.mean(losses[-5:]) < 0.2 * losses[0], losses
    assert any(line.startswith("| RNN (tanh) |") for line in logs)
    rnn, lstm_open = rows["RNN (tanh)"], rows["LSTM, forget bias 3"]
    assert rnn[0] < 1e-8 * rnn[-1]            # 50 steps of W_hh^T diag(1 - h^2) vanish
    assert lstm_open[0] > 0.1 * lstm_open[-1]  # f near 1 carries it back through c
    assert rows["LSTM"][0] < 1e-6 * rows["LSTM"][-1]   # default init: f near 0.5 does not
