"""The differential table: one row per public minigrad entry point that reaches a
registered op, each written once for both libraries.

A row's ``fn(L, *inputs)`` is called with ``L = MINIGRAD`` and minigrad tensors,
then with ``L = TORCH`` and torch tensors (``torch_fn`` when PyTorch spells the
call differently). ``L.lib`` is ``minigrad`` or ``torch``, ``L.F`` the functional
module and ``L.const(array)`` a constant tensor (indices, masks, targets).
``shapes`` lists the cases: one shape per differentiable input; ``values(rng,
shape)`` draws an input (one callable, or one per input). Rows marked
``second_order`` also compare the double backward (grad of grad . w, with
respect to the inputs and the cotangent): the internal ops that only backward
uses (SumTo, ScatterAdd, MaxUnpool2d, ...) are reached that way.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Callable

import numpy as np
import torch

import minigrad as mg
import minigrad.nn.functional as mgF
from minigrad.ops.recurrent import GRUCellStep, LSTMCellStep, RNNCellStep
from minigrad.ops.recurrent_sequence import GRUSequence, LSTMSequence, RNNSequence
from tests.ops.test_custom_function import define_smooth_clamp
import torch.nn.functional as torchF

MINIGRAD = SimpleNamespace(name="minigrad", lib=mg, F=mgF, const=mg.tensor)
TORCH = SimpleNamespace(name="torch", lib=torch, F=torchF, const=torch.tensor)

#: (rtol, atol) per dtype: elementwise ops agree to rounding
EXACT = {np.float32: (1e-5, 1e-6), np.float64: (1e-10, 1e-12)}
#: ops that sum many terms (matmul, conv, norms) in an order of their own
SUMS = {np.float32: (1e-4, 1e-5), np.float64: (1e-9, 1e-11)}


@dataclass
class Row:
    id: str
    fn: Callable
    shapes: list
    values: object = None
    torch_fn: Callable = None
    second_order: bool = False
    #: False where tied values make PyTorch's own choice unspecified (topk) or the
    #: result ill-conditioned (batch norm of a constant batch): no zero-stride layout
    ties_ok: bool = True
    tol: dict = field(default_factory=lambda: EXACT)

    def call(self, L, *inputs):
        fn = self.torch_fn if (L is TORCH and self.torch_fn is not None) else self.fn
        return fn(L, *inputs)

    def make(self, rng, spec, dtype):
        draws = self.values if isinstance(self.values, tuple) else (self.values,) * len(spec)
        return tuple(np.asarray((draw or normal)(rng, shape), dtype=dtype)
                     for draw, shape in zip(draws, spec))


# -- input generators -----------------------------------------------------------------

def off_integers(rng, shape):
    """Values at least 0.1 from an integer and from a half (the steps of floor/round)."""
    return rng.integers(-3, 3, shape) + rng.choice([0.15, 0.35, 0.65, 0.85], size=shape)


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


def normal(rng, shape):
    return rng.normal(size=shape)


def positive(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def away_from_zero(rng, shape):
    """Values at least 0.2 from 0 (kinks of relu, abs, ... sit at 0)."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.2, 2.0, shape)


def probability(rng, shape):
    return rng.uniform(0.05, 0.95, shape)


def above_minus_half(rng, shape):
    return rng.uniform(-0.5, 2.0, shape)


def pattern_mask(shape):
    """A fixed boolean mask: every third element, so both values occur."""
    return np.arange(int(np.prod(shape, dtype=np.int64))).reshape(shape) % 3 == 0


def class_targets(shape):
    """Class indices for logits of ``shape`` (N, C, ...): target (N, ...)."""
    target_shape = (shape[0],) + tuple(shape[2:])
    return np.arange(int(np.prod(target_shape, dtype=np.int64))).reshape(target_shape) % shape[1]


def dropout_reference(p, channels_only):
    """PyTorch's dropout with minigrad's mask: the mask minigrad draws after
    ``manual_seed(0)`` for a tensor of ones (masks depend only on the shape)."""
    def fn(L, x):
        mg.manual_seed(0)
        ones = mg.from_numpy(np.ones(tuple(x.shape), dtype=x.detach().numpy().dtype))
        scaled_mask = (mgF.dropout2d if channels_only else mgF.dropout)(ones, p)
        return x * torch.tensor(scaled_mask.numpy())
    return fn


def seeded(fn):
    def call(L, *inputs):
        mg.manual_seed(0)
        return fn(L, *inputs)
    return call


# -- shape cases ----------------------------------------------------------------------

def written_rows(L, x, v):
    """``y[1:] = v`` on a tensor in the graph (v broadcast over the rows)."""
    y = x * 1
    y[1:] = v
    return y


def written_mask(L, x, v):
    y = x * 1
    y[L.const(pattern_mask(tuple(x.shape)))] = v
    return y


UNARY = [((),), ((1,),), ((0,),), ((3, 4),), ((2, 3, 5),)]
BINARY = [((3, 4), (3, 4)), ((2, 1, 4), (3, 1)), ((), (2, 3)), ((1,), (0,)), ((4,), (3, 4))]
DIM1 = [((3, 4),), ((2, 3, 5),), ((1, 1),), ((0, 4),), ((3, 0),)]
MATRIX = [((3, 4),), ((1, 5),), ((0, 3),), ((2, 3, 4),)]
IMAGES = [((2, 3, 6, 6),), ((1, 2, 7, 5),)]
INDEX = np.array([0, 2, 2, 1])

ROWS = [
    # shape ops (minigrad/ops/shape.py, subscript.py, pad_flip_repeat.py, join.py)
    Row("reshape_flat", lambda L, x: x.reshape(-1), UNARY),
    Row("view_rows", lambda L, x: x.view(x.shape[0], -1), [((3, 4),), ((2, 3, 2),), ((1, 5),)]),
    Row("transpose01", lambda L, x: x.transpose(0, 1), MATRIX, second_order=True),
    Row("permute", lambda L, x: x.permute(2, 0, 1), [((2, 3, 4),), ((1, 0, 2),)]),
    Row("t", lambda L, x: x.t(), [((3, 4),), ((1, 5),), ((4,),)]),
    Row("mT", lambda L, x: x.mT, [((2, 3, 4),), ((3, 1),)]),
    Row("expand_lead", lambda L, x: x.expand(3, *x.shape), UNARY, second_order=True),
    Row("expand_dim", lambda L, x: x.expand(x.shape[0], 4), [((3, 1),), ((1, 1),), ((0, 1),)]),
    Row("getitem_slices", lambda L, x: x[1:, ::2], [((3, 4),), ((2, 3, 5),), ((1, 1),), ((0, 3),)]),
    Row("getitem_int_array", lambda L, x: x[L.const(INDEX)], [((3, 4),), ((3,),)], second_order=True),
    Row("getitem_two_arrays", lambda L, x: x[L.const([0, 1, 1]), L.const([2, 0, 2])],
        [((2, 3),), ((3, 3, 2),)], second_order=True),
    Row("getitem_bool_mask", lambda L, x: x[L.const(pattern_mask(tuple(x.shape)))],
        [((4, 3),), ((5,),), ((0, 2),)]),
    Row("getitem_empty_list", lambda L, x: x[[]], [((3, 4),)]),
    Row("setitem_rows", written_rows, [((3, 4), (4,)), ((3, 2, 2), (2, 1)), ((1, 3), (3,))],
        second_order=True),
    Row("setitem_mask", written_mask, [((4, 3), ()), ((5,), (1,)), ((0, 2), ())]),
    Row("pad_constant", lambda L, x: L.F.pad(x, (1, 2)), [((2, 3),), ((2, 3, 4),), ((0, 3),)]),
    Row("pad_constant_value_2d", lambda L, x: L.F.pad(x, (1, 0, 2, 1), value=0.5),
        [((2, 3),), ((1, 2, 3, 3),)]),
    Row("cat_dim1", lambda L, a, b: L.lib.cat([a, b, a], dim=1),
        [((2, 3), (2, 1)), ((1, 0), (1, 2)), ((2, 3, 4), (2, 2, 4))]),
    Row("stack_last", lambda L, a, b: L.lib.stack([a, b], dim=-1),
        [((2, 3), (2, 3)), ((), ()), ((0,), (0,))]),
    Row("flip0", lambda L, x: x.flip(0), [((3, 2),), ((1,),), ((0, 2),)]),
    Row("flip_two_dims", lambda L, x: L.lib.flip(x, (0, -1)), [((2, 3, 4),), ((3, 2),)]),
    Row("repeat", lambda L, x: x.repeat(2, 3), [((2, 3),), ((1, 1),), ((0, 2),), ((4,),)]),
    Row("repeat_new_dims", lambda L, x: x.repeat(2, 1, 3), [((2, 3),), ((3,),)]),
    Row("split_sizes", lambda L, x: x.split([1, 3], dim=1)[1], [((2, 4),), ((0, 4, 2),)]),
    Row("chunk", lambda L, x: x.chunk(3)[1], [((7, 2),), ((3,),)]),
    Row("squeeze_unsqueeze", lambda L, x: x.unsqueeze(1).squeeze(1), [((3, 4),), ((1,),)]),
    Row("flatten", lambda L, x: x.flatten(1), [((2, 3, 4),), ((2, 0, 3),)]),
    # elementwise (minigrad/ops/elementwise.py)
    Row("add", lambda L, a, b: a + b, BINARY, second_order=True),
    Row("sub", lambda L, a, b: a - b, BINARY),
    Row("mul", lambda L, a, b: a * b, BINARY, second_order=True),
    Row("div", lambda L, a, b: a / b, BINARY, values=(normal, away_from_zero), second_order=True),
    Row("pow_tensors", lambda L, a, b: a ** b, [((3, 4), (3, 4)), ((2, 1, 3), (3,)), ((), (2,))],
        values=(positive, normal), second_order=True),
    Row("pow_int", lambda L, x: x ** 3, UNARY, second_order=True),
    Row("pow_half", lambda L, x: x ** 2.5, UNARY, values=positive),
    Row("rpow", lambda L, x: 2.0 ** x, UNARY),
    Row("add_scalar", lambda L, x: x + 2.5, UNARY),
    Row("radd_int", lambda L, x: 3 + x, UNARY),
    Row("rsub_scalar", lambda L, x: 1 - x, UNARY),
    Row("mul_scalar", lambda L, x: x * -1.5, UNARY),
    Row("div_scalar", lambda L, x: x / 4.0, UNARY),
    Row("rdiv_scalar", lambda L, x: 1.0 / x, UNARY, values=away_from_zero, second_order=True),
    Row("neg", lambda L, x: -x, UNARY),
    Row("exp", lambda L, x: x.exp(), UNARY, second_order=True),
    Row("log", lambda L, x: x.log(), UNARY, values=positive, second_order=True),
    Row("sqrt", lambda L, x: x.sqrt(), UNARY, values=positive, second_order=True),
    Row("sin", lambda L, x: x.sin(), UNARY, second_order=True),
    Row("cos", lambda L, x: L.lib.cos(x), UNARY, second_order=True),
    Row("log1p", lambda L, x: x.log1p(), UNARY, values=above_minus_half, second_order=True),
    Row("expm1", lambda L, x: L.lib.expm1(x), UNARY, second_order=True),
    Row("abs", lambda L, x: x.abs(), UNARY, values=away_from_zero),
    Row("erf", lambda L, x: x.erf(), UNARY, second_order=True),
    Row("clip_both", lambda L, x: x.clip(-0.5, 0.5), UNARY),
    Row("clip_min", lambda L, x: x.clip(0.1), UNARY),
    Row("masked_fill", lambda L, x: x.masked_fill(L.const(pattern_mask(tuple(x.shape))), 2.5),
        UNARY),
    Row("masked_fill_function", lambda L, x: L.lib.masked_fill(x, L.const(np.array([True, False])),
                                                               -1.0), [((3, 2),), ((2,),)]),
    Row("where", lambda L, a, b: L.lib.where(
        L.const(pattern_mask(np.broadcast_shapes(tuple(a.shape), tuple(b.shape)))), a, b), BINARY),
    Row("cast_roundtrip", lambda L, x: x.float().double(), UNARY),
    Row("clone", lambda L, x: x.clone(), UNARY),
    # reductions (minigrad/ops/reduce.py, extremum.py, prod_logsumexp_norm.py)
    Row("sum_all", lambda L, x: x.sum(), UNARY, tol=SUMS),
    Row("sum_dim1", lambda L, x: x.sum(dim=1), DIM1, tol=SUMS),
    Row("sum_dims_keepdim", lambda L, x: x.sum(dim=(0, 2), keepdim=True),
        [((2, 3, 4),), ((1, 0, 2),)], tol=SUMS),
    Row("sum_empty_dims", lambda L, x: x.sum(dim=()), [((2, 3),)], tol=SUMS),
    Row("mean_all", lambda L, x: x.mean(), UNARY, tol=SUMS),
    Row("mean_dim1", lambda L, x: x.mean(dim=1), DIM1[:4], tol=SUMS),
    Row("var_dim1", lambda L, x: x.var(dim=1), DIM1[:2], tol=SUMS, second_order=True),
    Row("var_all", lambda L, x: x.var(), [((3, 4),), ((1,),)], tol=SUMS),
    Row("std_dim0_correction0", lambda L, x: x.std(0, correction=0), [((5, 2),), ((3,),)],
        tol=SUMS),
    Row("std_one_element", lambda L, x: x.std(), [((1,),)], tol=SUMS),
    Row("max_all", lambda L, x: x.max(), [((3, 4),), ((),), ((1,),)]),
    Row("max_dim_values", lambda L, x: x.max(1).values, DIM1[:4]),
    Row("min_dim_keepdim", lambda L, x: x.min(0, keepdim=True)[0], [((3, 4),), ((1, 2),)]),
    Row("min_all", lambda L, x: x.min(), [((3, 4),), ((1,),)]),
    Row("amax_dim0", lambda L, x: x.amax(dim=0), [((4, 3),), ((2, 3, 2),)]),
    Row("amin_dims", lambda L, x: x.amin(dim=(0, 1)), [((2, 3, 2),), ((1, 1, 3),)]),
    Row("prod_dim1", lambda L, x: x.prod(1), [((3, 4),), ((2, 3, 2),), ((1, 1),), ((0, 3),)],
        tol=SUMS, second_order=True),
    Row("prod_all", lambda L, x: L.lib.prod(x), [((2, 3),), ((),)], values=positive,
        second_order=True),
    Row("logsumexp_dim1", lambda L, x: x.logsumexp(1), DIM1[:4], tol=SUMS, second_order=True),
    Row("logsumexp_dims_keepdim", lambda L, x: L.lib.logsumexp(x, (0, 2), keepdim=True),
        [((2, 3, 4),)], tol=SUMS),
    Row("cumsum_dim0", lambda L, x: x.cumsum(0), [((4, 3),), ((1,),), ((0, 2),)], tol=SUMS),
    Row("cumsum_last", lambda L, x: L.lib.cumsum(x, dim=-1), [((2, 5),), ((3,),)], tol=SUMS),
    Row("norm_2", lambda L, x: x.norm(), [((3, 4),), ((5,),)], tol=SUMS, second_order=True),
    Row("norm_2_dim_keepdim", lambda L, x: x.norm(dim=1, keepdim=True), [((3, 4),)], tol=SUMS),
    Row("norm_1_dim0", lambda L, x: x.norm(1, dim=0), [((4, 3),)], values=away_from_zero,
        tol=SUMS),
    Row("norm_3_dims", lambda L, x: x.norm(3, dim=(1, 2)), [((2, 3, 2),)], values=away_from_zero,
        tol=SUMS),
    Row("norm_inf", lambda L, x: L.lib.norm(x, float("inf"), dim=1), [((3, 4),)],
        values=away_from_zero),
    Row("sort_values", lambda L, x: x.sort(dim=-1).values, [((3, 5),), ((4,),)]),
    Row("topk_values", lambda L, x: x.topk(2, dim=0, largest=False).values, [((4, 3),)],
        ties_ok=False),
    # linear algebra (minigrad/ops/linalg.py)
    Row("matmul", lambda L, a, b: a @ b,
        [((3, 4), (4, 2)), ((4,), (4, 3)), ((2, 4), (4,)), ((5,), (5,)), ((2, 3, 4), (4, 5)),
         ((2, 1, 3, 4), (3, 4, 2)), ((0, 3), (3, 2)), ((3, 0), (0, 2))],
        tol=SUMS, second_order=True),
    Row("linear", lambda L, x, w, b: L.F.linear(x, w, b),
        [((5, 3), (4, 3), (4,)), ((2, 5, 3), (4, 3), (4,))], tol=SUMS),
    # activations (minigrad/ops/activation.py)
    Row("relu", lambda L, x: L.F.relu(x), UNARY, values=away_from_zero),
    Row("relu_method", lambda L, x: x.relu(), UNARY, values=away_from_zero),
    Row("sigmoid", lambda L, x: x.sigmoid(), UNARY, second_order=True),
    Row("tanh", lambda L, x: L.F.tanh(x), UNARY, second_order=True),
    Row("leaky_relu", lambda L, x: L.F.leaky_relu(x, 0.1), UNARY, values=away_from_zero),
    Row("elu", lambda L, x: L.F.elu(x, alpha=0.7), UNARY, values=away_from_zero,
        second_order=True),
    Row("gelu", lambda L, x: L.F.gelu(x), UNARY, second_order=True),
    Row("gelu_tanh", lambda L, x: L.F.gelu(x, approximate="tanh"), UNARY, second_order=True),
    Row("softplus", lambda L, x: L.F.softplus(x, beta=2.0, threshold=5.0), UNARY,
        values=away_from_zero, second_order=True),
    Row("silu", lambda L, x: L.F.silu(x), UNARY, second_order=True),
    Row("hardtanh", lambda L, x: L.F.hardtanh(x, -0.5, 2.0), UNARY),
    Row("softmax_last", lambda L, x: x.softmax(dim=-1), DIM1, second_order=True),
    Row("softmax_dim0", lambda L, x: L.F.softmax(x, dim=0), [((3, 2, 2),), ((1,),)]),
    Row("log_softmax_dim1", lambda L, x: x.log_softmax(dim=1), DIM1, second_order=True),
    # losses (minigrad/ops/loss.py)
    Row("cross_entropy", lambda L, x: L.F.cross_entropy(x, L.const(class_targets(tuple(x.shape)))),
        [((3, 4),), ((2, 3, 2, 2),), ((1, 1),)], tol=SUMS, second_order=True),
    Row("cross_entropy_sum_smoothing", lambda L, x: L.F.cross_entropy(
        x, L.const(class_targets(tuple(x.shape))), reduction="sum", label_smoothing=0.1),
        [((3, 4),)], tol=SUMS),
    Row("cross_entropy_none_weight_ignore", lambda L, x: L.F.cross_entropy(
        x, L.const(np.array([0, 2, -100, 1])), weight=x.detach()[0] * 0 + L.const([0.5, 2.0, 1.0]),
        reduction="none"), [((4, 3),)], tol=SUMS),
    Row("cross_entropy_probabilities", lambda L, x: L.F.cross_entropy(x, x.detach() * 0 + 0.25),
        [((3, 4),)], tol=SUMS),
    Row("nll_loss", lambda L, x: L.F.nll_loss(x.log_softmax(dim=1),
                                             L.const(class_targets(tuple(x.shape)))),
        [((3, 4),)], tol=SUMS),
    Row("nll_loss_all_ignored", lambda L, x: L.F.nll_loss(x, L.const(np.array([-100, -100]))),
        [((2, 3),)], tol=SUMS),
    Row("bce_with_logits", lambda L, x: L.F.binary_cross_entropy_with_logits(
        x, L.const(pattern_mask(tuple(x.shape))).to(x.dtype)), [((3, 4),), ((5,),)], tol=SUMS,
        second_order=True),
    Row("bce_with_logits_pos_weight", lambda L, x: L.F.binary_cross_entropy_with_logits(
        x, (L.const(pattern_mask(tuple(x.shape)))).to(x.dtype),
        pos_weight=x.detach() * 0 + 3.0, reduction="none"), [((3, 4),)], tol=SUMS),
    Row("mse_loss", lambda L, a, b: L.F.mse_loss(a, b), [((3, 2), (3, 2)), ((4,), (4,))], tol=SUMS),
    Row("l1_loss_sum", lambda L, a, b: L.F.l1_loss(a, b, reduction="sum"), [((3, 2), (3, 2))],
        tol=SUMS),
    Row("smooth_l1_loss", lambda L, a, b: L.F.smooth_l1_loss(a, b, beta=0.8), [((4, 3), (4, 3))],
        tol=SUMS),
    Row("huber_loss", lambda L, a, b: L.F.huber_loss(a, b, reduction="none", delta=0.6),
        [((4, 3), (4, 3))], tol=SUMS),
    Row("binary_cross_entropy", lambda L, p: L.F.binary_cross_entropy(p, p.detach() * 0 + 0.3),
        [((4,),), ((2, 3),)], values=probability, tol=SUMS),
    Row("kl_div_batchmean", lambda L, x, t: L.F.kl_div(x.log_softmax(dim=1), t,
                                                       reduction="batchmean"),
        [((3, 4), (3, 4))], values=(normal, probability), tol=SUMS),
    # dropout (minigrad/ops/dropout.py): torch applies minigrad's mask
    Row("dropout", seeded(lambda L, x: L.F.dropout(x, 0.4)), [((4, 5),), ((2, 3, 4),), ((0, 3),)],
        torch_fn=dropout_reference(0.4, channels_only=False)),
    Row("dropout2d", seeded(lambda L, x: L.F.dropout2d(x, 0.5)), [((3, 4, 2, 2),)],
        torch_fn=dropout_reference(0.5, channels_only=True)),
    # convolution (minigrad/ops/conv.py)
    Row("conv2d_bias", lambda L, x, w, b: L.F.conv2d(x, w, b),
        [((2, 3, 5, 5), (4, 3, 3, 3), (4,)), ((1, 1, 4, 6), (2, 1, 2, 3), (2,))],
        tol=SUMS, second_order=True),
    Row("conv2d_stride_pad_dilation", lambda L, x, w: L.F.conv2d(x, w, stride=2, padding=1,
                                                                 dilation=(1, 2)),
        [((2, 2, 7, 8), (3, 2, 3, 2))], tol=SUMS, second_order=True),
    Row("conv2d_groups", lambda L, x, w: L.F.conv2d(x, w, padding=1, groups=3),
        [((1, 3, 5, 5), (6, 1, 3, 3))], tol=SUMS),
    Row("conv2d_same", lambda L, x, w: L.F.conv2d(x, w, padding="same"),
        [((1, 2, 5, 6), (3, 2, 2, 4))], tol=SUMS),
    Row("conv_transpose2d", lambda L, x, w, b: L.F.conv_transpose2d(x, w, b, stride=2, padding=1,
                                                                     output_padding=1),
        [((2, 3, 4, 4), (3, 2, 3, 3), (2,))], tol=SUMS, second_order=True),
    Row("conv_transpose2d_groups_dilation", lambda L, x, w: L.F.conv_transpose2d(
        x, w, groups=2, dilation=2), [((1, 4, 3, 3), (4, 1, 2, 2))], tol=SUMS),
    # pooling (minigrad/ops/pool.py)
    Row("max_pool2d", lambda L, x: L.F.max_pool2d(x, 2), IMAGES, second_order=True),
    Row("max_pool2d_k3_s2_p1", lambda L, x: L.F.max_pool2d(x, 3, 2, 1), IMAGES, second_order=True),
    Row("max_pool2d_ceil_dilation", lambda L, x: L.F.max_pool2d(x, 2, 2, 1, 2, ceil_mode=True),
        IMAGES),
    Row("avg_pool2d", lambda L, x: L.F.avg_pool2d(x, 2), IMAGES, second_order=True),
    Row("avg_pool2d_k3_s2_p1_no_pad_count", lambda L, x: L.F.avg_pool2d(x, 3, 2, 1, False, False),
        IMAGES, second_order=True),
    Row("adaptive_avg_pool2d", lambda L, x: L.F.adaptive_avg_pool2d(x, (3, 4)), IMAGES,
        second_order=True),
    Row("adaptive_max_pool2d", lambda L, x: L.F.adaptive_max_pool2d(x, (3, 4)), IMAGES,
        second_order=True),
    # normalisation (minigrad/ops/norm.py)
    Row("batch_norm_train", lambda L, x, w, b: L.F.batch_norm(x, None, None, w, b, training=True),
        [((4, 3, 2, 2), (3,), (3,)), ((5, 3), (3,), (3,))], tol=SUMS, second_order=True,
        ties_ok=False),
    Row("batch_norm_eval", lambda L, x, w, b: L.F.batch_norm(
        x, x.detach()[0, :, 0, 0] * 0 + 0.5, x.detach()[0, :, 0, 0] * 0 + 2.0, w, b,
        training=False), [((2, 3, 2, 2), (3,), (3,))], tol=SUMS),
    Row("layer_norm", lambda L, x, w, b: L.F.layer_norm(x, (4,), w, b),
        [((3, 4), (4,), (4,)), ((2, 3, 4), (4,), (4,))], tol=SUMS, second_order=True),
    Row("group_norm", lambda L, x, w, b: L.F.group_norm(x, 2, w, b),
        [((2, 4, 3, 3), (4,), (4,)), ((3, 4, 5), (4,), (4,))], tol=SUMS, second_order=True),
    # embedding and indexing along a dim (minigrad/ops/embedding.py, index.py)
    Row("embedding", lambda L, w: L.F.embedding(L.const(np.array([[0, 2, 2], [4, 1, 0]])), w),
        [((5, 3),)], second_order=True),
    Row("gather_dim1", lambda L, x: x.gather(1, L.const(np.array([[0, 3, 3], [1, 1, 0]]))),
        [((2, 4),)], second_order=True),
    Row("gather_function_dim0", lambda L, x: L.lib.gather(x, 0, L.const(np.array([[1, 0]]))),
        [((3, 2),)], second_order=True),
    # padding and resizing (minigrad/ops/padding.py, resize.py)
    Row("pad_reflect_1d", lambda L, x: L.F.pad(x, (2, 1), mode="reflect"), [((2, 3, 5),)],
        second_order=True),
    Row("pad_reflect_2d", lambda L, x: L.F.pad(x, (1, 2, 2, 1), mode="reflect"),
        [((1, 2, 4, 4),)], second_order=True),
    Row("interpolate_scale2", lambda L, x: L.F.interpolate(x, scale_factor=2), [((2, 3, 3, 4),)],
        second_order=True),
    Row("interpolate_size", lambda L, x: L.F.interpolate(x, size=(3, 7)), [((1, 2, 5, 4),)],
        second_order=True),
    # -- ops added with the torch namespace and the recurrent / instance-norm layers --
    Row("remainder", lambda L, a, b: a % b, [((3, 4), (3, 4)), ((2, 3), (3,))],
        values=(normal, positive), second_order=True),
    Row("remainder_scalar", lambda L, a: L.lib.remainder(a, 0.7), [((3, 4),), ((5,),)]),
    Row("maximum", lambda L, a, b: L.lib.maximum(a, b), [((3, 4), (3, 4)), ((2, 3), (3,))],
        second_order=True),
    Row("minimum", lambda L, a, b: L.lib.minimum(a, b), [((3, 4), (3, 4)), ((4, 1), (1, 5))]),
    Row("floor_times_x", lambda L, x: x.floor() * x, [((3, 4),), ((5,),)], values=off_integers),
    Row("round_sign_ceil_trunc", lambda L, x: x.round() + x.sign() * x + x.ceil() * x.trunc(),
        [((2, 3),)], values=off_integers),
    Row("einsum_matmul", lambda L, a, b: L.lib.einsum("ij,jk->ik", a, b),
        [((3, 4), (4, 2)), ((1, 3), (3, 1))], second_order=True, tol=SUMS),
    Row("einsum_diagonal_sum", lambda L, a: L.lib.einsum("ii->", a), [((4, 4),)], second_order=True),
    Row("custom_ctx_function", lambda L, x: smooth_clamp(L).apply(x), [((5,),), ((2, 3),)],
        second_order=True),
    Row("instance_norm", lambda L, x, w, b: L.F.instance_norm(x, weight=w, bias=b),
        [((2, 3, 4, 4), (3,), (3,)), ((1, 2, 5), (2,), (2,))], ties_ok=False, tol=SUMS),
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


def case_id(row, spec, dtype):
    shapes = ",".join("x".join(map(str, s)) or "0d" for s in spec)
    return f"{row.id}[{shapes}]-{np.dtype(dtype).name}"
