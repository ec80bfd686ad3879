"""The text of a drawing: shapes and values, an op's title (its non-default
settings, or the expression a number op computes), a module's title, an op's
one-number constants, its backward rules (from its docstring), and the note listing
what it saved for backward. Strings only; :mod:`visualize.dot` places them."""
from __future__ import annotations

import html
import inspect
import numpy as np

from .folding import has_children

ABBREVIATIONS = {"padding": "pad", "dilation": "dil", "kernel_size": "kernel",
                 "negative_slope": "slope", "output_padding": "out_pad"}


def esc(text) -> str:
    return html.escape(str(text), quote=False)


def fmt_shape(shape) -> str:
    if shape is None:
        return "shape ?"
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def fmt_value(v, limit=28) -> str:
    if isinstance(v, np.ndarray):
        return f"array{fmt_shape(v.shape)}"
    if isinstance(v, (tuple, list)) and v and all(isinstance(x, (int, float, np.number))
                                                  and not isinstance(x, bool) for x in v):
        if len(v) == 1 or (len(v) == 2 and v[0] == v[1]):
            return fmt_value(v[0])
        text = "(" + ",".join(fmt_value(x) for x in v) + ")"
    elif isinstance(v, (float, np.floating)):
        text = f"{float(v):g}"
    elif isinstance(v, np.dtype) or (isinstance(v, type) and issubclass(v, np.generic)):
        text = str(np.dtype(v))
    elif isinstance(v, str):
        text = v
    else:
        text = repr(v)
    return text if len(text) <= limit else text[:limit - 3] + "..."


_DEFAULTS = {}


def _defaults(cls) -> dict:
    """The op's ``__init__`` defaults, so settings left at their default are not shown."""
    if cls not in _DEFAULTS:
        try:
            params = inspect.signature(cls.__init__).parameters.values()
            _DEFAULTS[cls] = {p.name: p.default for p in params
                              if p.default is not inspect.Parameter.empty}
        except (TypeError, ValueError):
            _DEFAULTS[cls] = {}
    return _DEFAULTS[cls]


def _is_default(value, default) -> bool:
    if isinstance(value, (tuple, list)) and value and not isinstance(default, (tuple, list)):
        values = set()
        for x in value:
            if isinstance(x, (np.ndarray, list, tuple, dict)):
                return False
            values.add(x)
        return len(values) == 1 and _is_default(value[0], default)
    try:
        same = value == default
        return bool(same) if isinstance(same, (bool, np.bool_)) else False
    except Exception:       # arrays and other things that do not compare to a bool
        return False


def op_title(node) -> str:
    """``Conv2d stride=2 pad=1``: the op's name and its non-default settings;
    ``MulScalar (* 2)``: a number op reads as the expression it computes."""
    symbol = SCALAR_OPERATORS.get(node.name)
    if symbol is not None and isinstance(getattr(node, "c", None), (int, float)):
        return f"{node.name} ({symbol} {fmt_value(node.c)})"
    try:
        settings = node.settings()
    except Exception:       # a user's op whose settings() fails must not break the drawing
        settings = {}
    defaults = _defaults(type(node))
    parts = [f"{ABBREVIATIONS.get(k, k)}={fmt_value(v)}" for k, v in settings.items()
             if not (k in defaults and _is_default(v, defaults[k]))]
    return " ".join([node.name] + parts)


def module_title(module) -> str:
    """``Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))`` for a layer; just the class
    name for a container (its repr would list every child) or a long repr."""
    extra = getattr(module, "extra_repr", None)
    text = None
    if callable(extra) and not has_children(module):
        try:
            text = f"{type(module).__name__}({extra()})"
        except Exception:
            text = None
    if text is None or "\n" in text or len(text) > 80:
        return type(module).__name__
    return text


def small_text(text, colour="#495057", size=9):
    return f'<FONT POINT-SIZE="{size}" COLOR="{colour}">{text}</FONT>'


# -- backward rules and constants -------------------------------------------------

NO_RULE = "backward: see the op's code (no formula in its docstring)"


def backward_rules(node) -> list:
    """The op's gradient rules, one per line, as its docstring states them
    (``Function.formula``: the one source of each formula)."""
    cls = node if isinstance(node, type) else type(node)
    formula = getattr(cls, "formula", None)
    rules = formula()[1] if callable(formula) else []
    # ``axis`` is reStructuredText for code; the drawing shows the bare name.
    return [rule.replace("``", "") for rule in rules] or [NO_RULE]


def wrap(text, width=60) -> list:
    """``text`` cut at spaces into lines of about ``width`` characters (a long
    rule such as Conv2d's would make its node as wide as the page)."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line] if line else lines


# An arithmetic op with a one-number constant reads as the expression it computes.
OPERATORS = {"Add": "+", "Sub": "-", "Mul": "*", "Div": "/", "Pow": "**"}
# ``t + 0.5`` and ``t * 2`` are one-input ops with the number as a setting.
SCALAR_OPERATORS = {"AddScalar": "+", "MulScalar": "*"}


def constants_text(node, consts) -> str:
    """``(+ 1e-05)``, ``(1 - x)`` or ``(* const ())``: the op's one-number
    constants (:class:`~visualize.drawing.InputInfo`), their value when the op saved
    it, else their shape (and dtype when it differs from the output's)."""
    parts = []
    for info in consts:
        value = f"{info.value:g}" if info.value is not None else "const " + fmt_shape(info.shape)
        if info.value is None and info.dtype != node.out_dtype:
            value += f" {info.dtype}"
        symbol = OPERATORS.get(node.name)
        if symbol is None:
            parts.append(f"input {info.index} = {value}")
        elif info.index == 0:
            parts.append(f"{value} {symbol} x")
        else:
            parts.append(f"{symbol} {value}")
    return "(" + ", ".join(parts) + ")"


# -- saved values --------------------------------------------------------------------

def saved_label(node):
    """A note listing exactly what the op saved for backward (``node.saved``:
    what, shape, dtype, bytes), or None when it saved nothing or backward freed
    it (the op's label says so then)."""
    entries = [entry for entry in (node.saved or ()) if entry is not None]
    if not entries:
        return None
    total = sum(entry.array.nbytes for entry in entries)
    parts = [esc(f"{entry.what} {fmt_shape(entry.array.shape)} {entry.array.dtype} "
                 f"{_bytes(entry.array.nbytes)}") for entry in entries]
    return "<BR/>".join(["<B>saved</B> " + esc(_bytes(total))] + [small_text(p) for p in parts])


def _bytes(n):
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
