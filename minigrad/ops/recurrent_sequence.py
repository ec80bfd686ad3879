"""Recurrent layers over a whole sequence: one op per layer and direction
(``RNNSequence``, ``LSTMSequence``, ``GRUSequence``), what ``nn.RNN``, ``nn.LSTM`` and
``nn.GRU`` run. Each is the cell's gate math of ``minigrad/ops/recurrent.py`` (the same
mixin the step op uses) applied for t = 0..T-1 inside one op:

* forward: the input projection x_t @ W_ih^T + b_ih of every step is one matmul; per
  step only h @ W_hh^T and the gates;
* backward (backprop through time): one loop from the last step to the first carries
  the state's gradient back through the gates (``gate_gradients``) and through W_hh
  (``state_gradient``); the weight, bias and input gradients are then one matmul or
  sum each over all steps at once.

Inputs ``(x, state, W_ih, W_hh[, b_ih, b_hh])`` with x (T, B, I) and the initial state
(B, S), S = H (RNN, GRU) or 2H ([h | c], LSTM); the output (T, B, S) is the state after
every step, so the layer reads h_t (and the final c) from it with views. With
``reverse=True`` the steps run from t = T-1 down to 0 (a bidirectional layer's second
direction); the output stays indexed by t.
"""
from __future__ import annotations

from ..autograd import Function, Input, OUTPUT, is_grad_enabled
from .recurrent import (ArrayMath, TensorMath, GRUGates, LSTMGates, RNNGates, affine_gradients,
                        check_step_inputs)


def project_inputs(math, x, w_ih, biases):
    """x_t @ W_ih^T + the biases for every t in one matmul: (T, B, I) -> (T, B, G*H)."""
    steps, batch, features = x.shape
    gates_x = math.matmul(x.reshape(steps * batch, features), w_ih.T)
    for b in biases:
        gates_x += b   # (in place: the product is a new array)
    return gates_x.reshape(steps, batch, -1)


def check_sequence_inputs(op, arrays, gates, state_width):
    """x (T, B, I) with T >= 1, then the step's shapes for x[0] (``check_step_inputs``)."""
    if arrays and (arrays[0].ndim != 3 or arrays[0].shape[0] == 0):
        raise ValueError(f"{op}: x must be a (T, B, I) sequence with T >= 1, got shape "
                         f"{arrays[0].shape}")
    check_step_inputs(op, (arrays[0][0], *arrays[1:]) if arrays else arrays, gates, state_width)


class _Sequence(Function, register=False):
    """What the three sequence ops share: the loop over time both ways, saving, the two
    backward paths (arrays, or tensors when create_graph)."""

    def forward(self, *arrays):
        check_sequence_inputs(self.name, arrays, self.gates, self.state_width)
        activations, out = self.run(ArrayMath, *arrays)
        if any(self.needs_input_grad):   # every step's activations as they are (no copy)
            self.save_for_backward(*[Input(i) for i in range(len(arrays))], OUTPUT,
                                   *[a for per_step in activations for a in per_step])
        return out

    def time_steps(self, steps):
        """The order the steps run in."""
        return range(steps - 1, -1, -1) if self.reverse else range(steps)

    def run(self, math, x, state, w_ih, w_hh, b_ih=None, b_hh=None):
        """Each step's activations (a list indexed by t) and the states stacked (T, B, S)."""
        if b_hh is None or not self.bias_hh_only_added:
            gates_x = project_inputs(math, x, w_ih, [] if b_ih is None else [b_ih])
        else:   # b_hh added once for all steps
            gates_x, b_hh = project_inputs(math, x, w_ih, [b_ih, b_hh]), None
        steps = x.shape[0]
        activations, states = [None] * steps, [None] * steps
        for t in self.time_steps(steps):
            activations[t], state = self.step(math, None, state, w_ih, w_hh, b_ih, b_hh,
                                              gates_x=gates_x[t])
            states[t] = state
        return activations, math.stack(states)

    def backward(self, dy):
        n = len(self.input_shapes)
        if is_grad_enabled():   # create_graph: recompute the steps with ops
            math, inputs = TensorMath, self.saved_tensors[:n]
            activations, out = self.run(math, *inputs)
        else:
            math, saved = ArrayMath, self.saved_arrays
            inputs, out, flat, dy = saved[:n], saved[n], saved[n + 1:], dy.array
            kinds = len(flat) // len(out)
            activations = [flat[t * kinds:(t + 1) * kinds] for t in range(len(out))]
        return tuple(math.wrap(g) for g in self.through_time(math, dy, inputs, out, activations))

    def through_time(self, math, dy, inputs, out, activations):
        """Backprop through time: the state's gradient carried from the last step to the
        first, then every weight's gradient summed over all steps in one matmul."""
        x, state0, w_ih, w_hh = inputs[:4]
        need = self.needs_input_grad
        steps = len(activations)
        order = self.time_steps(steps)
        first, back = order[0], (1 if self.reverse else -1)
        dgi, dgh = [None] * steps, [None] * steps
        carried = None
        for t in reversed(order):
            d_state = dy[t] if carried is None else dy[t] + carried
            previous = state0 if t == first else out[t + back]
            local = self.local_derivatives(math, previous, activations[t])
            dgi[t], dgh[t], direct = self.gate_gradients(math, d_state, local)
            if t != first or need[1]:
                carried = self.state_gradient(math, dgh[t] @ w_hh, direct)
        dgh = math.stack(dgh)
        dgi = dgh if dgi[0] is dgh[0] else math.stack(dgi)

        def rows(a):
            return a.reshape(-1, a.shape[-1])
        grads = list(affine_gradients((need[0], False, need[2], False) + need[4:], rows(dgi),
                                      rows(dgh), rows(x), None, w_ih, w_hh, len(inputs) == 6))
        if need[0]:
            grads[0] = grads[0].reshape(x.shape)
        grads[1] = carried if need[1] else None
        if need[3]:   # sum_t dgh_t^T h_{t-1}: h_{t-1} is the initial state, then the output
            later, earlier = (slice(None, -1), slice(1, None)) if self.reverse else \
                (slice(1, None), slice(None, -1))
            grads[3] = (dgh[first].T @ self.hidden_part(state0)
                        + rows(dgh[later]).T @ rows(self.hidden_part(out[earlier])))
        return grads


class RNNSequence(RNNGates, _Sequence):
    """y[t] = h_t = RNNCellStep(x[t], h_{t-1}, W_ih, W_hh, b_ih, b_hh) for every t, h_{-1} = h
        (inputs x (T, B, I), h (B, H), W_ih, W_hh, b_ih, b_hh; with reverse, t runs from
        T-1 down to 0 and t+1 below reads t-1).
    dy_a_t = (dy[t] + dh_t) * (1 - h_t^2), or * [h_t > 0] for relu, where dh_t =
        dy_a_{t+1} @ W_hh is what step t+1 sends back (backprop through time)
    dh = dy_a_0 @ W_hh,  dx = [dy_a_t]_t @ W_ih (all steps in one matmul)
    dW_ih = sum_t dy_a_t^T x[t],  dW_hh = sum_t dy_a_t^T h_{t-1} (one matmul each)
    db_ih = db_hh = sum over t and the batch of dy_a_t
    """

    def __init__(self, nonlinearity="tanh", reverse=False):
        super().__init__(nonlinearity)
        self.reverse = bool(reverse)


class LSTMSequence(LSTMGates, _Sequence):
    """y[t] = [h_t | c_t] = LSTMCellStep(x[t], [h_{t-1} | c_{t-1}], W_ih, W_hh, b_ih, b_hh)
        for every t, [h_{-1} | c_{-1}] = hc (inputs x (T, B, I), hc (B, 2H), W_ih, W_hh,
        b_ih, b_hh; with reverse, t runs from T-1 down to 0 and t+1 below reads t-1).
    dy_z_t = LSTMCellStep's dy_z at step t (and dy_ct_t its dy_ct) for the state gradient
        dy[t] + dhc_t, where dhc_t = [dy_z_{t+1} @ W_hh | dy_ct_{t+1} * f_{t+1}] is what
        step t+1 sends back (backprop through time)
    dhc = [dy_z_0 @ W_hh | dy_ct_0 * f_0],  dx = [dy_z_t]_t @ W_ih (all steps in one matmul)
    dW_ih = sum_t dy_z_t^T x[t],  dW_hh = sum_t dy_z_t^T h_{t-1} (one matmul each)
    db_ih = db_hh = sum over t and the batch of dy_z_t
    """

    def __init__(self, reverse=False):
        self.reverse = bool(reverse)


class GRUSequence(GRUGates, _Sequence):
    """y[t] = h_t = GRUCellStep(x[t], h_{t-1}, W_ih, W_hh, b_ih, b_hh) for every t, h_{-1} = h
        (inputs x (T, B, I), h (B, H), W_ih, W_hh, b_ih, b_hh; with reverse, t runs from
        T-1 down to 0 and t+1 below reads t-1).
    dy_g_t = GRUCellStep's [dy_r dy_z dy_n] at step t (and dy_gh_t its [dy_r dy_z dy_n r])
        for the state gradient dy[t] + dh_t, where dh_t = (dy[t+1] + dh_{t+1}) z_{t+1} +
        dy_gh_{t+1} @ W_hh is what step t+1 sends back (backprop through time)
    dh = (dy[0] + dh_0) z_0 + dy_gh_0 @ W_hh,  dx = [dy_g_t]_t @ W_ih (all steps in one matmul)
    dW_ih = sum_t dy_g_t^T x[t],  dW_hh = sum_t dy_gh_t^T h_{t-1} (one matmul each)
    db_ih = sum over t and the batch of dy_g_t,  db_hh = the same of dy_gh_t
    """

    def __init__(self, reverse=False):
        self.reverse = bool(reverse)
