"""Activations and softmax. Each backward is the derivative of the activation,
written with minigrad ops on the saved input or output, so it can be
differentiated again."""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Function, Input, OUTPUT, is_grad_enabled
from .._tensor import make_tensor
from .elementwise import where
from .unary import erf, erf_array, float_math
from .layout import output_like
from ..checks import check_float_tensor, check_number, dim_and_keepdim, one_axis


class ReLU(Function):
    """y = max(x, 0).
    dx = dy where x > 0, else 0 (0 at x = 0, as PyTorch)
    """

    def forward(self, a):
        self.save_for_backward(OUTPUT)
        return np.maximum(a, 0, out=output_like(a, a.dtype))

    def backward(self, g):
        out, = self.saved_tensors
        positive = np.greater(out.array, 0, out=output_like(out.array, np.bool_))
        return g * positive


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x)), computed as exp(-log(1 + exp(-x))) so no exp overflows.
    dx = dy * y * (1 - y)
    """

    def forward(self, a):
        self.save_for_backward(OUTPUT)
        return np.exp(-np.logaddexp(0, -a))

    def backward(self, g):
        if is_grad_enabled():   # create_graph: the gradient is a node of its own
            return SigmoidBackward()(g, *self.saved_tensors)
        out, = self.saved_arrays
        dx = SigmoidBackward.compute(g.array, out)
        return make_tensor(dx if type(dx) is np.ndarray else np.asarray(dx))   # 0-d: a scalar


class SigmoidBackward(Function):
    """y = g * s * (1 - s): sigmoid's backward as one op (inputs g, s; as PyTorch's
        sigmoid_backward).
    dg = dy * s * (1 - s),  ds = dy * g * (1 - 2s)
    """

    @staticmethod
    def compute(g, y):
        """The forward on arrays (a plain backward of Sigmoid calls it directly)."""
        return g * y * (1 - y)

    def forward(self, g, y):
        self.save_for_backward(Input(0), Input(1))
        return self.compute(g, y)

    def backward(self, dz):
        g, y = self.saved_tensors
        need_g, need_y = self.needs_input_grad
        return (SigmoidBackward()(dz, y) if need_g else None,
                dz * g * (1 - 2 * y) if need_y else None)


class Tanh(Function):
    """y = tanh(x).
    dx = dy * (1 - y^2)
    """

    def forward(self, a):
        self.save_for_backward(OUTPUT)
        return np.tanh(a)

    def backward(self, g):
        if is_grad_enabled():   # create_graph: the gradient is a node of its own
            return TanhBackward()(g, *self.saved_tensors)
        out, = self.saved_arrays
        dx = TanhBackward.compute(g.array, out)
        return make_tensor(dx if type(dx) is np.ndarray else np.asarray(dx))   # 0-d: a scalar


class TanhBackward(Function):
    """y = g * (1 - t^2): tanh's backward as one op (inputs g, t; as PyTorch's
        tanh_backward).
    dg = dy * (1 - t^2),  dt = -2 dy * g * t
    """

    @staticmethod
    def compute(g, y):
        """The forward on arrays: what a plain backward of Tanh calls directly (an op
        call costs more than this arithmetic on a small tensor)."""
        return g * (1 - y * y)

    def forward(self, g, y):
        self.save_for_backward(Input(0), Input(1))
        return self.compute(g, y)

    def backward(self, dz):
        g, y = self.saved_tensors
        need_g, need_y = self.needs_input_grad
        return (TanhBackward()(dz, y) if need_g else None,
                dz * g * y * -2 if need_y else None)


class LeakyReLU(Function):
    """y = x if x > 0 else slope * x.
    dx = dy * (1 if x > 0 else slope)
    """

    def __init__(self, negative_slope=0.01):
        self.negative_slope = negative_slope

    def forward(self, a):
        self.save_for_backward(Input(0))
        return np.where(a > 0, a, a * self.negative_slope)

    def backward(self, g):
        a, = self.saved_tensors
        return g * np.where(a.array > 0, 1, self.negative_slope).astype(g.dtype)


class ELU(Function):
    """y = x if x > 0 else alpha * (exp(x) - 1).
    dx = dy if x > 0 else dy * (y + alpha)
    """

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def forward(self, a):
        self.save_for_backward(Input(0), OUTPUT)
        return np.where(a > 0, a, self.alpha * np.expm1(np.minimum(a, 0)))

    def backward(self, g):
        a, out = self.saved_tensors
        return where(a.array > 0, g, g * (out + self.alpha))


_SQRT2 = math.sqrt(2.0)
_TANH_C = math.sqrt(2.0 / math.pi)


class GELU(Function):
    """y = x * Phi(x), Phi the standard normal CDF (``approximate='tanh'``: 0.5 x (1 +
        tanh(c (x + 0.044715 x^3)))).
    dx = dy * (Phi(x) + x * phi(x)), phi the normal density (tanh form: its derivative)
    """

    def __init__(self, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, a):
        self.save_for_backward(Input(0))
        if self.approximate == "tanh":
            return 0.5 * a * (1 + np.tanh(_TANH_C * (a + 0.044715 * a ** 3)))
        return (0.5 * a * (1 + erf_array(a / _SQRT2))).astype(a.dtype)

    def backward(self, g):
        a, = self.saved_tensors
        if self.approximate == "tanh":
            t = (_TANH_C * (a + 0.044715 * a * a * a)).tanh()
            slope = 0.5 * (1 + t) + 0.5 * a * (1 - t * t) * (_TANH_C * (1 + 3 * 0.044715 * a * a))
        else:
            cdf = 0.5 * (1 + erf(a * (1 / _SQRT2)))
            pdf = (a * a * -0.5).exp() * (1 / math.sqrt(2 * math.pi))
            slope = cdf + a * pdf
        return g * slope


class Softplus(Function):
    """y = log(1 + exp(beta x)) / beta (linear above ``threshold``, as PyTorch).
    dx = dy * sigmoid(beta x)
    """

    def __init__(self, beta=1.0, threshold=20.0):
        self.beta, self.threshold = beta, threshold

    def forward(self, a):
        self.save_for_backward(Input(0))
        scaled = a * self.beta
        return np.where(scaled > self.threshold, a, np.logaddexp(0, scaled) / self.beta).astype(a.dtype)

    def backward(self, g):
        a, = self.saved_tensors
        return where((a.array * self.beta) > self.threshold, g, g * (a * self.beta).sigmoid())


class SiLU(Function):
    """y = x * sigmoid(x) (also called swish).
    dx = dy * s * (1 + x * (1 - s)), s = sigmoid(x)
    """

    def forward(self, a):
        self.save_for_backward(Input(0))
        return a * np.exp(-np.logaddexp(0, -a))   # the stable sigmoid, as Sigmoid

    def backward(self, g):
        a, = self.saved_tensors
        s = a.sigmoid()
        return g * s * (a * (1 - s) + 1)


class Hardtanh(Function):
    """y = min(max(x, min_val), max_val).
    dx = dy where min_val < x < max_val, else 0 (0 at the bounds, as PyTorch)
    """

    def __init__(self, min_val=-1.0, max_val=1.0):
        self.min_val, self.max_val = min_val, max_val

    def forward(self, a):
        if self.needs_input_grad[0]:
            self.save_for_backward((a > self.min_val) & (a < self.max_val))
        return np.clip(a, self.min_val, self.max_val).astype(a.dtype, copy=False)

    def backward(self, g):
        inside, = self.saved_tensors
        return where(inside, g, 0.0)


class Softmax(Function):
    """y = exp(x - max) / sum(exp(x - max)) along ``axis``.
    dx = y * (dy - sum(dy * y, axis))
    """

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, a):
        self.save_for_backward(OUTPUT)
        if a.size == 0:   # nothing to normalise (numpy's max refuses an empty axis)
            return a.copy()
        e = np.exp(a - a.max(axis=self.axis, keepdims=True))
        return e / e.sum(axis=self.axis, keepdims=True)

    def backward(self, g):
        out, = self.saved_tensors
        return out * (g - (g * out).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    """y = x - logsumexp(x) along ``axis`` (shifted by the max: stable for huge logits).
    dx = dy - exp(y) * sum(dy, axis)
    """

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, a):
        self.save_for_backward(OUTPUT)
        return log_softmax_array(a, self.axis)

    def backward(self, g):
        out, = self.saved_tensors
        return g - out.exp() * g.sum(axis=self.axis, keepdims=True)


def log_softmax_array(a, axis):
    if a.size == 0:   # nothing to normalise (numpy's max refuses an empty axis)
        return a.copy()
    shifted = a - a.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _axis(x, axis, op):
    """The one axis softmax normalises over; x must be a float tensor (numpy would
    fail on bool and silently promote ints)."""
    check_float_tensor(x, "input", op)
    if isinstance(axis, (tuple, list)) or axis is None:   # not silently the first of several
        raise TypeError(f"{op}: dim must be a single int, got {axis!r}")
    return one_axis(axis, x.ndim, op)


def relu(x):
    return ReLU()(x)


def sigmoid(x):
    return float_math(Sigmoid, x, "sigmoid")


def tanh(x):
    return float_math(Tanh, x, "tanh")


def leaky_relu(x, negative_slope=0.01):
    return LeakyReLU(check_number(negative_slope, "negative_slope", "leaky_relu"))(x)


def elu(x, alpha=1.0):
    return ELU(check_number(alpha, "alpha", "elu"))(x)


def gelu(x, approximate="none"):
    return GELU(approximate)(x)


def softplus(x, beta=1.0, threshold=20.0):
    return Softplus(check_number(beta, "beta", "softplus"),
                    check_number(threshold, "threshold", "softplus"))(x)


def silu(x, inplace=False):
    """x * sigmoid(x); ``inplace`` is accepted and computed out of place (see nn.ReLU)."""
    check_float_tensor(x, "input", "silu")
    return SiLU()(x)


def hardtanh(x, min_val=-1.0, max_val=1.0, inplace=False):
    """x clipped to [min_val, max_val]; the gradient is 0 at the bounds, as PyTorch."""
    check_float_tensor(x, "input", "hardtanh")
    return Hardtanh(*hardtanh_bounds(min_val, max_val, "hardtanh"))(x)


def hardtanh_bounds(min_val, max_val, op):
    """The two bounds as floats, min_val <= max_val (PyTorch's check)."""
    min_val, max_val = check_number(min_val, "min_val", op), check_number(max_val, "max_val", op)
    if min_val > max_val:
        raise ValueError(f"{op}: min_val ({min_val}) must not be greater than max_val ({max_val})")
    return min_val, max_val


def softmax(x, dim=None, **numpy_names):
    """exp(x) / sum(exp(x)) along ``dim`` (default: the last)."""
    dim, _ = dim_and_keepdim("softmax", dim, False, numpy_names, default_dim=-1)
    return Softmax(_axis(x, dim, "softmax"))(x)


def log_softmax(x, dim=None, **numpy_names):
    dim, _ = dim_and_keepdim("log_softmax", dim, False, numpy_names, default_dim=-1)
    return LogSoftmax(_axis(x, dim, "log_softmax"))(x)
