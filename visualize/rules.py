"""One-line backward rules, shown on op nodes with ``show_backward=True``.

Notation: ``x``, ``a``, ``b`` are the op's inputs, ``y`` its output, ``dy`` the
gradient arriving at the output, ``dx`` (``da``, ``db``, ``dW``) the gradients it
sends back. The table covers minigrad's own ops; any other ``Function`` subclass
(a user's own op) falls back to the first ``d... = ...`` formula in its docstring,
which is where minigrad's ops state their gradient.
"""
from __future__ import annotations

import re

BACKWARD_RULES = {
    # elementwise
    "Add": "da = dy, db = dy (summed back to each shape)",
    "Sub": "da = dy, db = -dy",
    "Mul": "da = dy*b, db = dy*a",
    "Div": "da = dy/b, db = -dy*a/b^2",
    "Pow": "da = dy*b*a^(b-1), db = dy*y*log(a)",
    "Neg": "dx = -dy",
    "Exp": "dx = dy*y",
    "Log": "dx = dy/x",
    "Sqrt": "dx = dy/(2y)",
    "Abs": "dx = dy*sign(x)",
    "Clip": "dx = dy where lo <= x <= hi, else 0",
    "Erf": "dx = dy*2/sqrt(pi)*exp(-x^2)",
    "Where": "da = dy where cond, db = dy where not cond",
    "Cast": "dx = cast(dy, x.dtype)",
    "Clone": "dx = dy",
    # shape
    "Reshape": "dx = reshape(dy, x.shape)",
    "Transpose": "dx = transpose(dy, inverse axes)",
    "BroadcastTo": "dx = sum_to(dy, x.shape)",
    "SumTo": "dx = broadcast(dy, x.shape)",
    "GetItem": "dx = scatter_add(zeros(x.shape), index, dy)",
    "ScatterAdd": "dx = dy[index]",
    "Pad": "dx = crop(dy)",
    "Concatenate": "dx_i = slice_i(dy)",
    "Stack": "dx_i = dy[i along axis]",
    # reductions and linear algebra
    "Sum": "dx = broadcast(dy)",
    "Mean": "dx = broadcast(dy)/N",
    "Max": "dx = dy at the max (ties share it), else 0",
    "Min": "dx = dy at the min (ties share it), else 0",
    "MatMul": "da = dy @ b^T, db = a^T @ dy",
    # activations and losses
    "ReLU": "dx = dy*(y > 0)",
    "Sigmoid": "dx = dy*y*(1-y)",
    "Tanh": "dx = dy*(1-y^2)",
    "LeakyReLU": "dx = dy*(1 if x > 0 else slope)",
    "ELU": "dx = dy if x > 0 else dy*(y+alpha)",
    "GELU": "dx = dy*(Phi(x) + x*phi(x))",
    "Softplus": "dx = dy*sigmoid(beta*x)",
    "Softmax": "dx = y*(dy - sum(dy*y))",
    "LogSoftmax": "dx = dy - exp(y)*sum(dy)",
    "Dropout": "dx = dy*mask/(1-p)",
    "CrossEntropy": "dx = (softmax(x) - onehot(t))*dy/N",
    # convolution and pooling (spelled the ways a conv family may name them)
    "Conv2d": "dx = conv_full(dilate(dy), rot180(W)), dW = corr(x, dy), db = sum(dy)",
    "Conv2D": "dx = conv_full(dilate(dy), rot180(W)), dW = corr(x, dy), db = sum(dy)",
    "ConvTranspose2d": "dx = conv2d(dy, W), dW = corr(dy, x), db = sum(dy)",
    "Conv2dWeightGrad": "dx = conv_transpose(g, dy), dg = conv2d(x, dy)",
    "MaxUnpool2d": "dx = gather(dy, argmax)",
    "GatherArgmax2d": "dx = route(dy, argmax)",
    "AvgUnpool2d": "dx = avg_pool(dy)",
    "MaxPool2d": "dx = route(dy, argmax)",
    "MaxPool2D": "dx = route(dy, argmax)",
    "AvgPool2d": "dx = upsample(dy)/N",
    "AvgPool2D": "dx = upsample(dy)/N",
    "BatchNorm2d": "dx = gamma/sigma*(dy - mean(dy) - xhat*mean(dy*xhat))",
    "BatchNorm": "dx = gamma/sigma*(dy - mean(dy) - xhat*mean(dy*xhat))",
}

# "da = dz * b" style formulas in a docstring: d, a name, " = ".
_FORMULA = re.compile(r"\bd[A-Za-z_]\w*\s*=\s")


def docstring_rule(cls) -> str | None:
    """The first gradient formula stated in the class docstring (the rest of its
    line, without a trailing parenthesised remark), or None."""
    doc = cls.__doc__ or ""
    for line in doc.splitlines():
        match = _FORMULA.search(line)
        if match:
            rule = line[match.start():].strip()
            rule = re.split(r"\s{2,}\(", rule)[0]       # drop "  (explanation)"
            rule = re.sub(r"\s{2,}", " ", rule).rstrip(" .")
            return rule.replace("dz", "dy")
    return None


def backward_rule(node) -> str:
    """A one-line backward rule for a graph node (or an op class)."""
    cls = node if isinstance(node, type) else type(node)
    rule = BACKWARD_RULES.get(cls.__name__)
    if rule is None:
        rule = docstring_rule(cls)
    return rule if rule is not None else "backward: see the op's code (no formula documented)"
