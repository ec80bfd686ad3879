"""The ``torch.X`` functions that are Tensor methods too: ``minigrad.exp(t)`` is
``t.exp()``, ``minigrad.max(t, 1)`` is ``t.max(1)``, with the same arguments.

One table, ``METHOD_FUNCTIONS``, lists them; each function is made from the Tensor
method of its name, so the two cannot disagree. The first argument must be a tensor,
as in PyTorch, except for ``pow`` and ``remainder``, which take a number too
(``minigrad.pow(2, t)``)."""
from __future__ import annotations

from ._tensor import Tensor, tensor

METHOD_FUNCTIONS = (
    # arithmetic and math
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "neg",
    "negative", "pow", "square", "reciprocal", "rsqrt", "abs", "exp", "log", "sqrt", "sin",
    "cos", "tanh", "sigmoid", "relu", "erf", "log1p", "expm1", "sign", "round", "floor", "ceil",
    "trunc", "fix", "clamp", "clip", "maximum", "minimum", "lerp", "nan_to_num", "remainder",
    "fmod", "floor_divide",
    # comparisons and tests (no gradient)
    "eq", "ne", "lt", "le", "gt", "ge", "isnan", "isinf", "isfinite", "allclose", "isclose",
    "equal", "logical_and", "logical_or", "logical_xor", "logical_not",
    # reductions
    "sum", "mean", "max", "min", "amax", "amin", "var", "std", "prod", "norm", "logsumexp",
    "cumsum", "argmax", "argmin", "median",
    # matrices
    "matmul", "mm", "bmm", "outer", "ger", "diag", "trace", "tril", "triu", "kron",
    # shapes and selection
    "reshape", "squeeze", "unsqueeze", "transpose", "swapaxes", "permute", "t", "flatten",
    "flip", "tile", "repeat_interleave", "unbind", "narrow", "index_select", "gather",
    "scatter", "scatter_add", "masked_fill", "sort", "argsort", "topk", "unique", "numel",
    "softmax", "log_softmax", "chunk", "split",
)


#: functions whose first argument may be a number, as PyTorch's (``torch.pow(2, t)``)
NUMBER_FIRST = ("pow", "remainder")


def function_of_method(name):
    method = getattr(Tensor, name)

    def function(input, *args, **kwargs):  # noqa: A002  (PyTorch's argument name)
        if not isinstance(input, Tensor):
            if name not in NUMBER_FIRST or not isinstance(input, (int, float)):
                raise TypeError(f"{name}: input must be a Tensor, got {type(input).__name__} "
                                "(wrap arrays and numbers with minigrad.tensor(...))")
            input = tensor(input)  # noqa: A001
        return method(input, *args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``minigrad.{name}(t, ...)`` is ``t.{name}(...)``.\n\n{method.__doc__ or ''}"
    return function


FUNCTIONS = {name: function_of_method(name) for name in METHOD_FUNCTIONS
             if hasattr(Tensor, name)}


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):  # noqa: A002
    """``(var, mean)`` over ``dim``, as PyTorch's."""
    return (input.var(dim, unbiased, keepdim, correction=correction),
            input.mean(dim, keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):  # noqa: A002
    """``(std, mean)`` over ``dim``, as PyTorch's."""
    return (input.std(dim, unbiased, keepdim, correction=correction),
            input.mean(dim, keepdim))
