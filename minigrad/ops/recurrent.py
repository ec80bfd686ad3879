"""Recurrent cell steps: one op per time step of a vanilla RNN, an LSTM and a GRU,
each with its gate derivatives written out by hand.

Every step op takes ``(x, state, W_ih, W_hh[, b_ih, b_hh])`` with x of shape (B, I)
and weights in PyTorch's layout: W_ih (G*H, I), W_hh (G*H, H), gates stacked in
PyTorch's order (LSTM: i, f, g, o; GRU: r, z, n). The LSTM's state is h and c side by
side, ``hc = [h | c]`` of shape (B, 2H), so that the step is one op with one output
(the layer splits it with views).

A layer calls a step with the option ``gates_x``: x @ W_ih^T + b_ih already computed
for this step, because the layer computes it for all time steps in one matmul. It is
the same number the op would compute, so the gradients do not change.

Backward has two paths that share one set of formulas, written against a small
``math`` namespace (numpy arrays or minigrad tensors):

* grad mode off (a plain ``loss.backward()``): the formulas run on the arrays saved in
  forward (gate activations, inputs), one numpy expression each;
* grad mode on (``create_graph=True``): the gates are recomputed from the saved inputs
  with minigrad ops and the same formulas run on tensors, so the gradient is itself
  differentiable (gradgradcheck).
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function, Input, OUTPUT, is_grad_enabled
from .._tensor import make_tensor
from .join import cat


# -- the two namespaces the formulas are written against --------------------------------

class ArrayMath:
    """The formulas on numpy arrays (forward, and the first-order backward)."""

    @staticmethod
    def sigmoid(a):
        return np.exp(-np.logaddexp(0, -a))   # no exp overflows, keeps the dtype

    tanh = staticmethod(np.tanh)

    @staticmethod
    def relu(a):
        return np.maximum(a, 0)

    @staticmethod
    def cat(parts):
        return np.concatenate(parts, axis=-1)

    @staticmethod
    def wrap(a):
        return a if a is None else make_tensor(a)


class TensorMath:
    """The same formulas on minigrad tensors (a differentiable backward)."""

    @staticmethod
    def sigmoid(t):
        return t.sigmoid()

    @staticmethod
    def tanh(t):
        return t.tanh()

    @staticmethod
    def relu(t):
        return t.relu()

    @staticmethod
    def cat(parts):
        return cat(parts, dim=-1)

    @staticmethod
    def wrap(t):
        return t


# -- pieces shared by the three cells ------------------------------------------------------

def input_and_hidden_gates(x, h, w_ih, w_hh, b_ih, b_hh, gates_x=None):
    """(x @ W_ih^T + b_ih, h @ W_hh^T + b_hh): the two affine maps every cell starts with."""
    gi = gates_x
    if gi is None:
        gi = x @ w_ih.T
        if b_ih is not None:
            gi = gi + b_ih
    gh = h @ w_hh.T
    if b_hh is not None:
        gh = gh + b_hh
    return gi, gh


def affine_gradients(need, dgi, dgh, x, h, w_ih, w_hh, has_bias):
    """Gradients of the two affine maps from their outputs' gradients dgi, dgh:
    dx = dgi @ W_ih, dh = dgh @ W_hh, dW_ih = dgi^T x, dW_hh = dgh^T h, db = column sums.
    ``need`` is the op's needs_input_grad; what no one needs is None."""
    dx = dgi @ w_ih if need[0] else None
    dh = dgh @ w_hh if need[1] else None
    dw_ih = dgi.T @ x if need[2] else None
    dw_hh = dgh.T @ h if need[3] else None
    if not has_bias:
        return dx, dh, dw_ih, dw_hh
    db_ih = dgi.sum(axis=0) if need[4] else None
    db_hh = dgh.sum(axis=0) if need[5] else None
    return dx, dh, dw_ih, dw_hh, db_ih, db_hh


def check_step_inputs(op, arrays, gates, state_width):
    """Shapes of a step's inputs: x (B, I), state (B, state_width * H), W_ih (G*H, I),
    W_hh (G*H, H), biases (G*H,); one dtype. Errors name the op and the shapes."""
    if len(arrays) not in (4, 6):
        raise TypeError(f"{op}: expected inputs (x, state, W_ih, W_hh) or (x, state, W_ih, "
                        f"W_hh, b_ih, b_hh), got {len(arrays)} inputs")
    x, state, w_ih, w_hh = arrays[:4]
    shapes = [a.shape for a in arrays]
    ok = x.ndim == 2 and state.ndim == 2 and w_ih.ndim == 2 and w_hh.ndim == 2
    if ok:
        hidden = w_hh.shape[1]
        ok = (w_hh.shape[0] == gates * hidden and w_ih.shape == (gates * hidden, x.shape[1])
              and state.shape == (x.shape[0], state_width * hidden)
              and all(b.shape == (gates * hidden,) for b in arrays[4:]))
    if not ok:
        raise ValueError(f"{op}: inputs of shapes {shapes} do not fit; expected x (B, I), "
                         f"state (B, {state_width}H), W_ih ({gates}H, I), W_hh ({gates}H, H) "
                         f"and biases ({gates}H,)")
    dtypes = {a.dtype for a in arrays}
    if len(dtypes) != 1:
        raise TypeError(f"{op}: inputs must share one dtype, got {sorted(map(str, dtypes))}")


class _CellStep(Function, register=False):
    """What the three step ops share: input checks, saving, the two backward paths."""
    gates = 1         # G: gate blocks in the weights
    state_width = 1   # the state is H (RNN, GRU) or [h | c], 2H (LSTM)

    def forward(self, *arrays, gates_x=None):
        check_step_inputs(self.name, arrays, self.gates, self.state_width)
        activations, out = self.step(ArrayMath, *arrays, gates_x=gates_x)
        if any(self.needs_input_grad):
            self.save_for_backward(*[Input(i) for i in range(len(arrays))],
                                   *self.kept_activations(activations))
        return out

    def kept_activations(self, activations):
        """What forward saves of its activations for the first-order backward."""
        return activations

    def backward(self, dy):
        n = len(self.input_shapes)
        if is_grad_enabled():   # create_graph: recompute the gates with ops
            math, saved = TensorMath, self.saved_tensors[:n]
            activations, _ = self.step(math, *saved)
        else:
            math, saved = ArrayMath, self.saved_arrays
            saved, activations, dy = saved[:n], saved[n:], dy.array
        grads = self.gradients(math, dy, saved, activations)
        return tuple(math.wrap(g) for g in grads)


class RNNCellStep(_CellStep):
    """y = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act = tanh or relu (inputs x, h, W_ih,
        W_hh, b_ih, b_hh; y is the new h).
    dy_a = dy * (1 - y^2) for tanh, dy * [y > 0] for relu (at the pre-activation a)
    dx = dy_a @ W_ih,  dh = dy_a @ W_hh,  dW_ih = dy_a^T x,  dW_hh = dy_a^T h
    db_ih = db_hh = sum over the batch of dy_a
    """


    def __init__(self, nonlinearity="tanh"):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCellStep: nonlinearity must be 'tanh' or 'relu', got "
                             f"{nonlinearity!r}")
        self.nonlinearity = nonlinearity

    def step(self, math, x, h, w_ih, w_hh, b_ih=None, b_hh=None, gates_x=None):
        gi, gh = input_and_hidden_gates(x, h, w_ih, w_hh, b_ih, b_hh, gates_x)
        act = math.tanh if self.nonlinearity == "tanh" else math.relu
        h_new = act(gi + gh)
        return (h_new,), h_new

    def kept_activations(self, activations):
        return (OUTPUT,)   # the output itself: an in-place change to it is then caught

    def gradients(self, math, dy, saved, activations):
        x, h, w_ih, w_hh = saved[:4]
        h_new, = activations
        if self.nonlinearity == "tanh":
            da = dy * (1 - h_new * h_new)
        else:
            da = dy * (h_new > 0)
        return affine_gradients(self.needs_input_grad, da, da, x, h, w_ih, w_hh, len(saved) == 6)


class LSTMCellStep(_CellStep):
    """y = [h' | c'] with c' = f c + i g,  h' = o tanh(c')  (inputs x, [h | c], W_ih, W_hh,
        b_ih, b_hh), where z = x W_ih^T + b_ih + h W_hh^T + b_hh = [z_i z_f z_g z_o],
        i, f, o = sigmoid(z_i, z_f, z_o), g = tanh(z_g); dy = [dy_h | dy_c].
    dy_ct = dy_c + dy_h * o * (1 - tanh(c')^2)  (c' reaches the loss directly and via h')
    dy_z = [dy_ct * g * i (1 - i) | dy_ct * c * f (1 - f) | dy_ct * i * (1 - g^2) |
        dy_h * tanh(c') * o (1 - o)]  (the gates' pre-activations)
    dhc = [dy_z @ W_hh | dy_ct * f] (the state [h | c]),  dx = dy_z @ W_ih
    dW_ih = dy_z^T x,  dW_hh = dy_z^T h,  db_ih = db_hh = sum over the batch of dy_z
    """
    gates, state_width = 4, 2

    def step(self, math, x, hc, w_ih, w_hh, b_ih=None, b_hh=None, gates_x=None):
        hidden = w_hh.shape[1]
        h, c = hc[:, :hidden], hc[:, hidden:]
        gi, gh = input_and_hidden_gates(x, h, w_ih, w_hh, b_ih, b_hh, gates_x)
        z = gi + gh
        i = math.sigmoid(z[:, :hidden])
        f = math.sigmoid(z[:, hidden:2 * hidden])
        g = math.tanh(z[:, 2 * hidden:3 * hidden])
        o = math.sigmoid(z[:, 3 * hidden:])
        c_new = f * c + i * g
        tanh_c = math.tanh(c_new)
        return (i, f, g, o, tanh_c), math.cat([o * tanh_c, c_new])

    def gradients(self, math, dy, saved, activations):
        x, hc, w_ih, w_hh = saved[:4]
        i, f, g, o, tanh_c = activations
        hidden = w_hh.shape[1]
        h, c = hc[:, :hidden], hc[:, hidden:]
        dh_new, dc_new = dy[:, :hidden], dy[:, hidden:]
        dc = dc_new + dh_new * o * (1 - tanh_c * tanh_c)
        dz = math.cat([dc * g * i * (1 - i), dc * c * f * (1 - f), dc * i * (1 - g * g),
                       dh_new * tanh_c * o * (1 - o)])
        need = self.needs_input_grad
        grads = list(affine_gradients(need, dz, dz, x, h, w_ih, w_hh, len(saved) == 6))
        if need[1]:
            grads[1] = math.cat([grads[1], dc * f])
        return grads


class GRUCellStep(_CellStep):
    """y = (1 - z) n + z h  (inputs x, h, W_ih, W_hh, b_ih, b_hh), where
        [a_r a_z a_n] = x W_ih^T + b_ih,  [b_r b_z b_n] = h W_hh^T + b_hh,
        r = sigmoid(a_r + b_r),  z = sigmoid(a_z + b_z),  n = tanh(a_n + r b_n).
    dy_n = dy (1 - z) (1 - n^2),  dy_z = dy (h - n) z (1 - z),  dy_r = dy_n b_n r (1 - r)
    dh = dy z + [dy_r dy_z dy_n r] @ W_hh,  dx = [dy_r dy_z dy_n] @ W_ih
    dW_ih = [dy_r dy_z dy_n]^T x,  dW_hh = [dy_r dy_z dy_n r]^T h
    db_ih = sum over the batch of [dy_r dy_z dy_n],  db_hh = the same of [dy_r dy_z dy_n r]
    """
    gates = 3

    def step(self, math, x, h, w_ih, w_hh, b_ih=None, b_hh=None, gates_x=None):
        hidden = w_hh.shape[1]
        gi, gh = input_and_hidden_gates(x, h, w_ih, w_hh, b_ih, b_hh, gates_x)
        r = math.sigmoid(gi[:, :hidden] + gh[:, :hidden])
        z = math.sigmoid(gi[:, hidden:2 * hidden] + gh[:, hidden:2 * hidden])
        b_n = gh[:, 2 * hidden:]
        n = math.tanh(gi[:, 2 * hidden:] + r * b_n)
        return (r, z, n, b_n), n + z * (h - n)

    def gradients(self, math, dy, saved, activations):
        x, h, w_ih, w_hh = saved[:4]
        r, z, n, b_n = activations
        dn = dy * (1 - z) * (1 - n * n)
        dz = dy * (h - n) * z * (1 - z)
        dr = dn * b_n * r * (1 - r)
        dgi = math.cat([dr, dz, dn])
        dgh = math.cat([dr, dz, dn * r])
        grads = list(affine_gradients(self.needs_input_grad, dgi, dgh, x, h, w_ih, w_hh,
                                      len(saved) == 6))
        if self.needs_input_grad[1]:
            grads[1] = grads[1] + dy * z
        return grads
