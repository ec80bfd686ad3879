"""One-input elementwise ops as a table: one ``Row`` per op.

A row holds the op's numpy function, what its backward reads (the input ``x``, the
output ``y``, nothing, or an array computed in forward), its gradient written with
minigrad ops (so second derivatives work) and its formula text. ``make_op`` turns a
row into the registered ``Function`` class (its docstring's first lines are the
formula, as ``tracing.docstring_formula`` reads them); ``install_methods`` makes the
Tensor methods (``t.exp()``, ``-t``, ``abs(t)``) and the public ``minigrad.exp``
functions. ``tests/test_formulas.py`` evaluates each row's gradient text with numpy
and compares it with the op's backward, so a stale formula fails.

Adding an op: one row (and a ``Case`` in ``tests/ops/test_elementwise.py``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..autograd import Function, Input, OUTPUT
from .._tensor import Tensor
from ..promotion import float_result_dtype

#: what a row's backward reads: the input, the output, nothing, or (a callable) an
#: array computed from the input in forward, kept only when a gradient is needed
READS = {"x": Input(0), "y": OUTPUT, None: None}


@dataclass(frozen=True)
class Row:
    """One elementwise op. ``gradient(dy, saved)`` returns dx from the gradient and
    what ``reads`` names. ``forward``/``rule``: the formula text (``rule`` in the
    names x, y, dy and the functions ``tests/test_formulas.py`` maps to numpy);
    ``note``: an optional remark printed after the rule. ``function``: the public
    name (``minigrad.exp``, ``t.exp()``) of an op whose integer or bool input becomes
    float32 first, as PyTorch's; ``methods``: Tensor methods that call the op as it is."""
    name: str
    compute: Callable
    reads: object
    gradient: Callable
    forward: str
    rule: str
    note: str = ""
    function: str | None = None
    methods: tuple = ()


_erf_object = np.frompyfunc(math.erf, 1, 1)


def erf_array(a):
    """``erf`` of an ndarray, in ``a``'s float dtype (float64 for an integer array)."""
    return np.asarray(_erf_object(a)).astype(a.dtype if a.dtype.kind == "f" else np.float64)


TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

# The gradients name Sin and Cos, bound below once the classes exist.
ROWS = (
    Row("Neg", np.negative, None, lambda dy, _: -dy,
        "y = -x.", "dx = -dy", methods=("__neg__",)),
    Row("Abs", np.abs, np.sign, lambda dy, sign: dy * sign,
        "y = |x|.", "dx = dy * sign(x)", "(0 at x = 0, a valid subgradient)",
        methods=("abs", "__abs__")),
    Row("Exp", np.exp, "y", lambda dy, y: dy * y,
        "y = exp(x).", "dx = dy * y", function="exp"),
    Row("Log", np.log, "x", lambda dy, x: dy / x,
        "y = log(x).", "dx = dy / x", function="log"),
    Row("Sqrt", np.sqrt, "y", lambda dy, y: dy / (y * 2),
        "y = sqrt(x).", "dx = dy / (2 * y)", function="sqrt"),
    Row("Sin", np.sin, "x", lambda dy, x: dy * Cos()(x),
        "y = sin(x).", "dx = dy * cos(x)", function="sin"),
    Row("Cos", np.cos, "x", lambda dy, x: -(dy * Sin()(x)),
        "y = cos(x).", "dx = -dy * sin(x)", function="cos"),
    Row("Log1p", np.log1p, "x", lambda dy, x: dy / (x + 1.0),
        "y = log(1 + x), exact for tiny x.", "dx = dy / (1 + x)", function="log1p"),
    Row("Expm1", np.expm1, "y", lambda dy, y: dy * (y + 1.0),
        "y = exp(x) - 1, exact for tiny x.", "dx = dy * (y + 1)", function="expm1"),
    Row("Erf", erf_array, "x", lambda dy, x: dy * (-(x * x)).exp() * TWO_OVER_SQRT_PI,
        "y = erf(x).", "dx = dy * 2/sqrt(pi) * exp(-x^2)", function="erf"),
)


def make_forward(compute, reads):
    if reads is None:
        def forward(self, a):
            return compute(a)
    elif callable(reads):
        def forward(self, a):
            if self.needs_input_grad[0]:
                self.save_for_backward(reads(a))
            return compute(a)
    else:
        saved = READS[reads]

        def forward(self, a):
            self.save_for_backward(saved)
            return compute(a)
    return forward


def make_backward(gradient, reads):
    if reads is None:
        def backward(self, g):
            return gradient(g, None)
    else:
        def backward(self, g):
            saved, = self.saved_tensors
            return gradient(g, saved)
    return backward


def make_op(row):
    """The registered ``Function`` subclass of ``row``."""
    rule = f"{row.rule}  {row.note}" if row.note else row.rule
    namespace = {
        "__doc__": f"{row.forward}\n{rule}\n\nMade from its row in ``minigrad.ops.unary``.",
        "__module__": __name__,
        "__qualname__": row.name,
        "row": row,
        "forward": make_forward(row.compute, row.reads),
        "backward": make_backward(row.gradient, row.reads),
    }
    return type(row.name, (Function,), namespace)


OPS = {row.name: make_op(row) for row in ROWS}
Neg, Abs, Exp, Log, Sqrt = OPS["Neg"], OPS["Abs"], OPS["Exp"], OPS["Log"], OPS["Sqrt"]
Sin, Cos, Log1p, Expm1, Erf = OPS["Sin"], OPS["Cos"], OPS["Log1p"], OPS["Expm1"], OPS["Erf"]


def float_math(op_class, a, name):
    """A math function of a tensor; integers and bools become float32 first, as in
    PyTorch (numpy would give float64)."""
    if not isinstance(a, Tensor):
        raise TypeError(f"{name}: input must be a Tensor, got {type(a).__name__} "
                        "(wrap arrays with minigrad.tensor(...))")
    if a.array.dtype.kind not in "fc":
        a = a.astype(float_result_dtype(a))
    return op_class()(a)


def float_function(op_class, name):
    """The public function ``name(a)`` of a float math op (see ``float_math``)."""
    def apply(a):
        return float_math(op_class, a, name)
    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = f"``{name}`` elementwise (an integer or bool tensor gives float32)."
    return apply


def direct_method(op_class, name):
    """The Tensor method ``name`` that applies ``op_class`` to the tensor as it is."""
    def method(self):
        return op_class()(self)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``{op_class.__name__}`` of the tensor: {op_class.__doc__.splitlines()[0]}"
    return method


FUNCTIONS = {row.function: float_function(OPS[row.name], row.function)
             for row in ROWS if row.function}
exp, log, sqrt = FUNCTIONS["exp"], FUNCTIONS["log"], FUNCTIONS["sqrt"]
sin, cos, log1p, expm1 = FUNCTIONS["sin"], FUNCTIONS["cos"], FUNCTIONS["log1p"], FUNCTIONS["expm1"]
erf = FUNCTIONS["erf"]


def install_methods(tensor_class):
    """The rows' Tensor methods: ``t.exp()`` is ``minigrad.exp(t)``, ``-t`` is ``Neg``."""
    for row in ROWS:
        if row.function:
            setattr(tensor_class, row.function, FUNCTIONS[row.function])
        for name in row.methods:
            setattr(tensor_class, name, direct_method(OPS[row.name], name))


install_methods(Tensor)
