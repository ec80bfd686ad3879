"""Recurrent layers (``RNN``, ``LSTM``, ``GRU``) and single-step cells (``RNNCell``,
``LSTMCell``, ``GRUCell``) with PyTorch's arguments, parameter names, shapes,
initialisation and return values.

A layer runs one op per layer and direction over the whole sequence
(``minigrad/ops/recurrent_sequence.py``: the input projection of all steps in one
matmul, the loop over time and backprop through time inside the op); a cell runs one
step op (``minigrad/ops/recurrent.py``). Both ops share each cell's gate math. The
LSTM's state is h and c side by side, [h | c]; the layer slices h and c out (views).
"""
from __future__ import annotations

import math

import numpy as np

from . import functional as F
from . import init
from .module import Module, Parameter
from ..checks import check_bool, check_float_tensor, positive_int
from ..ops.recurrent import GRUCellStep, LSTMCellStep, RNNCellStep
from ..ops.recurrent_sequence import GRUSequence, LSTMSequence, RNNSequence
from ..ops.join import cat, stack
from .._tensor import DEFAULT_DTYPE, make_tensor

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

#: gate blocks stacked in the weights of each kind of cell
GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def make_step(mode):
    """A fresh step op for ``mode`` (each call is a graph node)."""
    if mode == "LSTM":
        return LSTMCellStep()
    if mode == "GRU":
        return GRUCellStep()
    return RNNCellStep("tanh" if mode == "RNN_TANH" else "relu")


def make_sequence(mode, reverse):
    """A fresh whole-sequence op for ``mode``, running backwards in time if ``reverse``."""
    if mode == "LSTM":
        return LSTMSequence(reverse)
    if mode == "GRU":
        return GRUSequence(reverse)
    return RNNSequence("tanh" if mode == "RNN_TANH" else "relu", reverse)


def rnn_mode(nonlinearity, op):
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"{op}: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    return "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"


def check_cpu(device, op):
    if device is not None and str(device) != "cpu":
        raise ValueError(f"{op}: device {device!r} is not available; minigrad runs on the CPU")


def new_parameter(shape, dtype):
    return Parameter(np.empty(shape, dtype=np.dtype(DEFAULT_DTYPE if dtype is None else dtype)))


def reset_uniform(module, hidden_size):
    """PyTorch's initialisation of recurrent weights: every parameter U(-k, k),
    k = 1/sqrt(hidden_size)."""
    bound = 1.0 / math.sqrt(hidden_size)
    for p in module.parameters():
        init.uniform_(p, -bound, bound)


def check_state(state, name, shape, dtype, op):
    check_float_tensor(state, name, op)
    if tuple(state.shape) != tuple(shape):
        raise ValueError(f"{op}: {name} must have shape {tuple(shape)}, got {tuple(state.shape)}")
    if state.dtype != dtype:
        raise TypeError(f"{op}: {name} has dtype {state.dtype} but the input and weights have "
                        f"{dtype}")


def check_input_fits(op, input, input_size, dtype):  # noqa: A002
    """The input's last axis is input_size and its dtype the weights'."""
    if input.shape[-1] != input_size:
        raise ValueError(f"{op}: input has {input.shape[-1]} features (shape "
                         f"{tuple(input.shape)}), expected input_size={input_size}")
    if input.dtype != dtype:
        raise TypeError(f"{op}: input dtype {input.dtype} differs from the weights' {dtype}; "
                        "convert one with .to(dtype)")


def zeros_state(rows, width, dtype):
    return make_tensor(np.zeros((rows, width), dtype=dtype))


# -- full-sequence layers ------------------------------------------------------------------

class RNNBase(Module):
    """What RNN, LSTM and GRU share: parameters, initial states, the loop over layers,
    directions and time steps."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        name = {"RNN_TANH": "RNN", "RNN_RELU": "RNN"}.get(mode, mode)
        check_cpu(device, name)
        self.mode = mode
        self.input_size = positive_int(input_size, "input_size", name)
        self.hidden_size = positive_int(hidden_size, "hidden_size", name)
        self.num_layers = positive_int(num_layers, "num_layers", name)
        self.bias = check_bool(bias, name, "bias")
        self.batch_first = check_bool(batch_first, name, "batch_first")
        self.bidirectional = check_bool(bidirectional, name, "bidirectional")
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout must be a probability in [0, 1], got {dropout!r}")
        self.dropout = float(dropout)
        if proj_size:
            raise ValueError(f"{name}: proj_size={proj_size!r} (LSTM projections) is not "
                             "supported; use proj_size=0")
        self.proj_size = 0
        directions = 2 if bidirectional else 1
        rows = GATES[mode] * self.hidden_size
        for layer in range(self.num_layers):
            layer_input = self.input_size if layer == 0 else self.hidden_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                setattr(self, "weight_ih" + suffix, new_parameter((rows, layer_input), dtype))
                setattr(self, "weight_hh" + suffix, new_parameter((rows, self.hidden_size), dtype))
                if self.bias:
                    setattr(self, "bias_ih" + suffix, new_parameter((rows,), dtype))
                    setattr(self, "bias_hh" + suffix, new_parameter((rows,), dtype))
        self.reset_parameters()

    def reset_parameters(self):
        reset_uniform(self, self.hidden_size)

    @property
    def layer_name(self):
        return type(self).__name__

    def weights(self, layer, direction):
        """[W_ih, W_hh] (+ [b_ih, b_hh]) of one layer and direction."""
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if self.bias else [])
        return [getattr(self, n + suffix) for n in names]

    def initial_states(self, hx, batch, batched, dtype):
        """One state tensor per (layer, direction): h, or [h | c] for the LSTM; zeros
        when hx is None, as PyTorch."""
        count = self.num_layers * (2 if self.bidirectional else 1)
        hidden = self.hidden_size
        is_lstm = self.mode == "LSTM"
        if hx is None:
            return [zeros_state(batch, 2 * hidden if is_lstm else hidden, dtype)] * count
        parts = hx
        if is_lstm:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(f"{self.layer_name}: hx must be a tuple (h_0, c_0), got "
                                f"{type(hx).__name__}")
        else:
            parts = (hx,)
        shape = (count, batch, hidden) if batched else (count, hidden)
        checked = []
        for name, state in zip(("h_0", "c_0"), parts):
            check_state(state, name, shape, dtype, self.layer_name)
            checked.append(state if batched else state.unsqueeze(1))
        if is_lstm:
            h0, c0 = checked
            return [cat([h0[k], c0[k]], dim=1) for k in range(count)]
        return [checked[0][k] for k in range(count)]

    def forward(self, input, hx=None):  # noqa: A002  (PyTorch's argument name)
        name = self.layer_name
        check_float_tensor(input, "input", name, ndim=(2, 3),
                           what="(L, H_in) unbatched, or (L, N, H_in) / (N, L, H_in) batch_first")
        batched = input.ndim == 3
        if not batched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        steps, batch, _ = input.shape
        dtype = self.weight_ih_l0.dtype
        check_input_fits(name, input, self.input_size, dtype)
        if steps == 0:
            raise ValueError(f"{name}: the input sequence is empty (shape {tuple(input.shape)})")
        states = self.initial_states(hx, batch, batched, dtype)
        directions = 2 if self.bidirectional else 1
        hidden, is_lstm = self.hidden_size, self.mode == "LSTM"
        layer_in, finals = input, []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                state = states[layer * directions + direction]
                every_state = make_sequence(self.mode, direction == 1)(
                    layer_in, state, *self.weights(layer, direction))
                finals.append(every_state[0 if direction else steps - 1])
                outputs.append(every_state[:, :, :hidden] if is_lstm else every_state)
            layer_in = outputs[0] if directions == 1 else cat(outputs, dim=2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_in = F.dropout(layer_in, self.dropout, True)
        output = layer_in
        h_n = stack([s[:, :hidden] if is_lstm else s for s in finals], dim=0)
        c_n = stack([s[:, hidden:] for s in finals], dim=0) if is_lstm else None
        if not batched:
            output, h_n = output.squeeze(1), h_n.squeeze(1)
            c_n = None if c_n is None else c_n.squeeze(1)
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, ((h_n, c_n) if is_lstm else h_n)

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.mode == "RNN_RELU":
            text += ", nonlinearity='relu'"
        for key, default in (("bias", True), ("batch_first", False), ("dropout", 0.0),
                             ("bidirectional", False)):
            if getattr(self, key) != default:
                text += f", {key}={getattr(self, key)}"
        return text


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu), stacked
    ``num_layers`` deep, optionally bidirectional. Returns (output, h_n) as PyTorch."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__(rnn_mode(nonlinearity, "RNN"), input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory; returns (output, (h_n, c_n)) as PyTorch. Gates i, f, g, o
    stacked in that order in ``weight_ih_l{k}`` (4H, I) and ``weight_hh_l{k}`` (4H, H)."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)


class GRU(RNNBase):
    """Gated recurrent unit; returns (output, h_n) as PyTorch. Gates r, z, n stacked in
    that order; the new gate is n = tanh(a_n + r * (W_hn h + b_hn)), as PyTorch's."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device=device, dtype=dtype)


# -- single-step cells -------------------------------------------------------------------

class RNNCellBase(Module):
    """What the cells share: ``weight_ih`` (G*H, I), ``weight_hh`` (G*H, H), ``bias_ih``,
    ``bias_hh`` (G*H,), PyTorch's initialisation, 1-D (unbatched) or 2-D input."""

    def __init__(self, mode, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        check_cpu(device, name)
        self.mode = mode
        self.input_size = positive_int(input_size, "input_size", name)
        self.hidden_size = positive_int(hidden_size, "hidden_size", name)
        self.bias = check_bool(bias, name, "bias")
        rows = GATES[mode] * self.hidden_size
        self.weight_ih = new_parameter((rows, self.input_size), dtype)
        self.weight_hh = new_parameter((rows, self.hidden_size), dtype)
        self.register_parameter("bias_ih", new_parameter((rows,), dtype) if bias else None)
        self.register_parameter("bias_hh", new_parameter((rows,), dtype) if bias else None)
        self.reset_parameters()

    def reset_parameters(self):
        reset_uniform(self, self.hidden_size)

    def step(self, input, states):  # noqa: A002
        """Check the input and states, run one step op; returns its output (2-D) and
        whether the input was batched."""
        name = type(self).__name__
        check_float_tensor(input, "input", name, ndim=(1, 2), what="(N, H_in) or (H_in,)")
        batched = input.ndim == 2
        if not batched:
            input = input.unsqueeze(0)
        batch = input.shape[0]
        dtype = self.weight_ih.dtype
        check_input_fits(name, input, self.input_size, dtype)
        shape = (batch, self.hidden_size) if batched else (self.hidden_size,)
        given = []
        for label, state in states:
            if state is None:
                given.append(zeros_state(batch, self.hidden_size, dtype))
                continue
            check_state(state, label, shape, dtype, name)
            given.append(state if batched else state.unsqueeze(0))
        state = given[0] if len(given) == 1 else cat(given, dim=1)
        params = [self.weight_ih, self.weight_hh] + ([self.bias_ih, self.bias_hh] if self.bias else [])
        return make_step(self.mode)(input, state, *params), batched

    def forward(self, input, hx=None):  # noqa: A002
        """One step from hidden state ``hx`` (zeros if None): the new h (LSTMCell
        overrides this for its (h, c) pair)."""
        h, batched = self.step(input, [("hx", hx)])
        return h if batched else h.squeeze(0)

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        if self.mode == "RNN_RELU":
            text += ", nonlinearity='relu'"
        return text


class RNNCell(RNNCellBase):
    """One Elman step: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(rnn_mode(nonlinearity, "RNNCell"), input_size, hidden_size, bias,
                         device, dtype)
        self.nonlinearity = nonlinearity


class GRUCell(RNNCellBase):
    """One GRU step; returns h'."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, bias, device, dtype)


class LSTMCell(RNNCellBase):
    """One LSTM step; ``hx`` is (h, c) or None, returns (h', c')."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, bias, device, dtype)

    def forward(self, input, hx=None):  # noqa: A002
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError(f"LSTMCell: hx must be a tuple (h, c) or None, got {type(hx).__name__}")
        h, c = (None, None) if hx is None else hx
        hc, batched = self.step(input, [("h", h), ("c", c)])
        hidden = self.hidden_size
        h_new, c_new = hc[:, :hidden], hc[:, hidden:]
        return (h_new, c_new) if batched else (h_new.squeeze(0), c_new.squeeze(0))
