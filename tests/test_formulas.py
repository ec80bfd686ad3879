"""The formula text of each simple op is checked on numbers, so a stale formula fails.

Each row of ``minigrad.ops.unary`` states its gradient as text (``dx = dy * y``),
which becomes the op's docstring. Here that text is evaluated with numpy, through a
small explicit mapping of names, at random points, and compared with what the op's
``backward`` gives. The docstring-form test stays in ``tests/test_registry.py``.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

import minigrad as mg
from minigrad.ops.unary import ROWS, OPS

#: the only names a gradient text may use besides x, y and dy
NUMPY_NAMES = {"exp": np.exp, "log": np.log, "sqrt": np.sqrt, "sin": np.sin, "cos": np.cos,
               "sign": np.sign, "pi": np.pi}

#: magnitudes where every op of the table is smooth; both signs unless defined for x > 0 only
DOMAIN = (0.2, 2.5)
POSITIVE_ONLY = {"Log", "Sqrt", "Log1p"}


def evaluate_rule(rule, x, y, dy):
    """The right-hand side of ``dx = ...`` as numpy arrays (``^`` is a power)."""
    left, right = rule.split(" = ", 1)
    assert left == "dx", rule
    expression = right.replace("^", "**")
    unknown = set(re.findall(r"[A-Za-z_]\w*", expression)) - set(NUMPY_NAMES) - {"x", "y", "dy"}
    assert not unknown, f"{rule}: no numpy mapping for {sorted(unknown)}"
    return eval(expression, {"__builtins__": {}}, {**NUMPY_NAMES, "x": x, "y": y, "dy": dy})


def backward_of(op_class, x, dy):
    """``(y, dx)`` of the op at ``x`` for the upstream gradient ``dy``, through the engine."""
    tensor = mg.tensor(x, requires_grad=True)
    out = op_class()(tensor)
    out.backward(mg.tensor(dy))
    return out.numpy(), tensor.grad.numpy()


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_formula_text_equals_backward(row):
    rng = np.random.default_rng(21)
    signs = 1.0 if row.name in POSITIVE_ONLY else rng.choice([-1.0, 1.0], size=(3, 4))
    x = signs * rng.uniform(*DOMAIN, size=(3, 4))
    dy = rng.normal(size=(3, 4))
    y, dx = backward_of(OPS[row.name], x, dy)
    np.testing.assert_allclose(evaluate_rule(row.rule, x, y, dy), dx, rtol=1e-12, atol=1e-14,
                               err_msg=f"{row.name}: formula {row.rule!r} disagrees with backward")


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_forward_text_names_the_numpy_function(row):
    """``y = f(x)``: the function the text names is the one forward computes."""
    rng = np.random.default_rng(3)
    x = rng.uniform(*DOMAIN, size=5)
    match = re.fullmatch(r"y = (.*?)(, exact for tiny x)?\.", row.forward)
    assert match, row.forward
    expression = match.group(1).replace("|x|", "abs(x)")
    names = {**NUMPY_NAMES, "abs": np.abs, "erf": np.vectorize(math.erf), "x": x}
    np.testing.assert_allclose(eval(expression, {"__builtins__": {}}, names), row.compute(x),
                               rtol=1e-12, err_msg=row.name)


def test_docstrings_are_the_rows_formulas():
    for row in ROWS:
        forward, rules = OPS[row.name].formula()
        assert forward == row.forward and rules[0].startswith(row.rule), (row.name, rules)


def test_a_planted_wrong_formula_fails():
    """The check can fail: Sqrt's rule with the 2 dropped, Cos's with the sign dropped."""
    rng = np.random.default_rng(0)
    x, dy = rng.uniform(*DOMAIN, size=6), rng.normal(size=6)
    for name, stale in (("Sqrt", "dx = dy / y"), ("Cos", "dx = dy * sin(x)"),
                        ("Expm1", "dx = dy * y")):
        y, dx = backward_of(OPS[name], x, dy)
        assert not np.allclose(evaluate_rule(stale, x, y, dy), dx), name


def test_a_formula_with_an_unmapped_name_is_an_error():
    with pytest.raises(AssertionError, match="no numpy mapping"):
        evaluate_rule("dx = dy * tan(x)", np.ones(2), np.ones(2), np.ones(2))
