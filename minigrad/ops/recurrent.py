"""Recurrent cells: the gate math of a vanilla RNN, an LSTM and a GRU, with their
derivatives written out by hand, and one op per time step of each (``RNNCellStep``,
``LSTMCellStep``, ``GRUCellStep``, what the cells ``nn.RNNCell`` etc. run).
``minigrad/ops/recurrent_sequence.py`` runs the same gate math over a whole sequence
in one op (what the layers ``nn.RNN`` etc. run).

Every step op takes ``(x, state, W_ih, W_hh[, b_ih, b_hh])`` with x of shape (B, I)
and weights in PyTorch's layout: W_ih (G*H, I), W_hh (G*H, H), gates stacked in
PyTorch's order (LSTM: i, f, g, o; GRU: r, z, n). The LSTM's state is h and c side by
side, ``hc = [h | c]`` of shape (B, 2H), so that the step is one op with one output.

A cell's math is a mixin (``RNNGates``, ``LSTMGates``, ``GRUGates``):

* ``step``: one time step from the input projection ``gates_x`` = x @ W_ih^T + b_ih
  (computed by the caller: once per step, or for all steps in one matmul);
* ``gate_gradients``: from the new state's gradient, the gradients of the two affine
  maps' outputs (x @ W_ih^T + b_ih and h @ W_hh^T + b_hh) and the part of the old
  state's gradient that bypasses W_hh (the LSTM's c, the GRU's z h);
* ``state_gradient``: the old state's whole gradient from that part and dgh @ W_hh.

Backward has two paths that share these formulas, written against a small ``math``
namespace (numpy arrays or minigrad tensors):

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
from . import buffers
from .join import cat, stack
from .linalg import MatMul


# -- the two namespaces the formulas are written against --------------------------------

class ArrayMath:
    """The formulas on numpy arrays (forward, and the first-order backward)."""

    @staticmethod
    def sigmoid(a):
        """1 / (1 + exp(-a)) as (1 + tanh(a / 2)) / 2: no exp overflows, keeps the dtype,
        one numpy ufunc pass instead of logaddexp's several."""
        half = np.multiply(a, 0.5, dtype=a.dtype)
        np.tanh(half, out=half)
        half *= 0.5
        half += 0.5
        return half

    tanh = staticmethod(np.tanh)

    @staticmethod
    def relu(a):
        return np.maximum(a, 0)

    @staticmethod
    def cat(parts):
        return np.concatenate(parts, axis=-1)

    @staticmethod
    def stack(parts):
        """np.stack along a new first axis; a large result in the buffer pool."""
        shape = (len(parts),) + parts[0].shape
        return np.stack(parts, out=buffers.empty_if_large(shape, parts[0].dtype))

    @staticmethod
    def matmul(a, b):
        """a @ b; a large product in the buffer pool."""
        return np.matmul(a, b, out=MatMul.pooled_output(a, b))

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
    def stack(parts):
        return stack(parts, dim=0)

    @staticmethod
    def matmul(a, b):
        return a @ b

    @staticmethod
    def wrap(t):
        return t


# -- pieces shared by the three cells and by the step and sequence ops -------------------

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
    if need[5]:   # (the same sum when dgi is dgh, as a separate array: each bias its own)
        db_hh = dgh.sum(axis=0) if db_ih is None or dgh is not dgi else 1 * db_ih
    else:
        db_hh = None
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


# -- the gate math of each cell (mixins of the step op and the sequence op) --------------

class RNNGates:
    """h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act = tanh or relu."""
    gates = 1         # G: gate blocks in the weights
    state_width = 1   # the state is H wide (the LSTM's [h | c] is 2H)
    bias_hh_only_added = True   # b_hh only adds to x W_ih^T + b_ih (not so in the GRU)

    def __init__(self, nonlinearity="tanh"):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"{type(self).__name__}: nonlinearity must be 'tanh' or 'relu', "
                             f"got {nonlinearity!r}")
        self.nonlinearity = nonlinearity

    def step(self, math, x, h, w_ih, w_hh, b_ih=None, b_hh=None, gates_x=None):
        gi, gh = input_and_hidden_gates(x, h, w_ih, w_hh, b_ih, b_hh, gates_x)
        act = math.tanh if self.nonlinearity == "tanh" else math.relu
        h_new = act(gi + gh)
        return (h_new,), h_new

    def local_derivatives(self, math, h, activations):
        h_new, = activations
        return ((1 - h_new * h_new) if self.nonlinearity == "tanh" else (h_new > 0),)

    def gate_gradients(self, math, dy, local):
        da = dy * local[0]
        return da, da, None

    def state_gradient(self, math, dh, direct):
        return dh

    def hidden_part(self, state):
        return state


class LSTMGates:
    """[h' | c'] from [h | c]: c' = f c + i g, h' = o tanh(c')."""
    gates, state_width, bias_hh_only_added = 4, 2, True

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

    def local_derivatives(self, math, hc, activations):
        i, f, g, o, tanh_c = activations
        c = hc[..., tanh_c.shape[-1]:]
        return (o * (1 - tanh_c * tanh_c),
                math.cat([g * i * (1 - i), c * f * (1 - f), i * (1 - g * g), tanh_c * o * (1 - o)]),
                f)

    def gate_gradients(self, math, dy, local):
        dc_dh, dz_dcdcdch, f = local
        hidden = f.shape[-1]
        dh_new, dc_new = dy[..., :hidden], dy[..., hidden:]
        dc = dc_new + dh_new * dc_dh
        dz = math.cat([dc, dc, dc, dh_new]) * dz_dcdcdch
        return dz, dz, dc * f

    def state_gradient(self, math, dh, direct):
        return math.cat([dh, direct])

    def hidden_part(self, state):
        return state[..., :state.shape[-1] // 2]


class GRUGates:
    """h' = (1 - z) n + z h, n = tanh(a_n + r b_n) (b_n from h W_hh^T + b_hh)."""
    gates, state_width, bias_hh_only_added = 3, 1, False

    def step(self, math, x, h, w_ih, w_hh, b_ih=None, b_hh=None, gates_x=None):
        hidden = w_hh.shape[1]
        gi, gh = input_and_hidden_gates(x, h, w_ih, w_hh, b_ih, b_hh, gates_x)
        r = math.sigmoid(gi[:, :hidden] + gh[:, :hidden])
        z = math.sigmoid(gi[:, hidden:2 * hidden] + gh[:, hidden:2 * hidden])
        b_n = gh[:, 2 * hidden:]
        n = math.tanh(gi[:, 2 * hidden:] + r * b_n)
        return (r, z, n, b_n), n + z * (h - n)

    def local_derivatives(self, math, h, activations):
        r, z, n, b_n = activations
        dn_dh = (1 - z) * (1 - n * n)
        dz_dh = (h - n) * z * (1 - z)
        dr_dh = dn_dh * b_n * r * (1 - r)
        return math.cat([dr_dh, dz_dh, dn_dh]), math.cat([dr_dh, dz_dh, dn_dh * r]), z

    def gate_gradients(self, math, dy, local):
        dgi_dh, dgh_dh, z = local
        dy3 = math.cat([dy, dy, dy])
        return dy3 * dgi_dh, dy3 * dgh_dh, dy * z

    def state_gradient(self, math, dh, direct):
        return dh + direct

    def hidden_part(self, state):
        return state


# -- one op per time step ----------------------------------------------------------------

class _CellStep(Function, register=False):
    """What the three step ops share: input checks, saving, the two backward paths."""

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
        x, state, w_ih, w_hh = saved[:4]
        local = self.local_derivatives(math, state, activations)
        dgi, dgh, direct = self.gate_gradients(math, dy, local)
        need = self.needs_input_grad
        grads = list(affine_gradients(need, dgi, dgh, x, self.hidden_part(state), w_ih, w_hh,
                                      len(saved) == 6))
        if need[1]:
            grads[1] = self.state_gradient(math, grads[1], direct)
        return tuple(math.wrap(g) for g in grads)


class RNNCellStep(RNNGates, _CellStep):
    """y = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act = tanh or relu (inputs x, h, W_ih,
        W_hh, b_ih, b_hh; y is the new h).
    dy_a = dy * (1 - y^2) for tanh, dy * [y > 0] for relu (at the pre-activation a)
    dx = dy_a @ W_ih,  dh = dy_a @ W_hh,  dW_ih = dy_a^T x,  dW_hh = dy_a^T h
    db_ih = db_hh = sum over the batch of dy_a
    """

    def kept_activations(self, activations):
        return (OUTPUT,)   # the output itself: an in-place change to it is then caught


class LSTMCellStep(LSTMGates, _CellStep):
    """y = [h' | c'] with c' = f c + i g,  h' = o tanh(c')  (inputs x, [h | c], W_ih, W_hh,
        b_ih, b_hh), where z = x W_ih^T + b_ih + h W_hh^T + b_hh = [z_i z_f z_g z_o],
        i, f, o = sigmoid(z_i, z_f, z_o), g = tanh(z_g); dy = [dy_h | dy_c].
    dy_ct = dy_c + dy_h * o * (1 - tanh(c')^2)  (c' reaches the loss directly and via h')
    dy_z = [dy_ct * g * i (1 - i) | dy_ct * c * f (1 - f) | dy_ct * i * (1 - g^2) |
        dy_h * tanh(c') * o (1 - o)]  (the gates' pre-activations)
    dhc = [dy_z @ W_hh | dy_ct * f] (the state [h | c]),  dx = dy_z @ W_ih
    dW_ih = dy_z^T x,  dW_hh = dy_z^T h,  db_ih = db_hh = sum over the batch of dy_z
    """


class GRUCellStep(GRUGates, _CellStep):
    """y = (1 - z) n + z h  (inputs x, h, W_ih, W_hh, b_ih, b_hh), where
        [a_r a_z a_n] = x W_ih^T + b_ih,  [b_r b_z b_n] = h W_hh^T + b_hh,
        r = sigmoid(a_r + b_r),  z = sigmoid(a_z + b_z),  n = tanh(a_n + r b_n).
    dy_n = dy (1 - z) (1 - n^2),  dy_z = dy (h - n) z (1 - z),  dy_r = dy_n b_n r (1 - r)
    dh = dy z + [dy_r dy_z dy_n r] @ W_hh,  dx = [dy_r dy_z dy_n] @ W_ih
    dW_ih = [dy_r dy_z dy_n]^T x,  dW_hh = [dy_r dy_z dy_n r]^T h
    db_ih = sum over the batch of [dy_r dy_z dy_n],  db_hh = the same of [dy_r dy_z dy_n r]
    """
