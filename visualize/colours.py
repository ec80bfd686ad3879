"""The drawing's colours: fill, border and legend text for each kind of node, the
gradient-norm bins (darker blue = larger), the fills for all-zero, NaN/inf and absent
gradients, and :func:`grad_colours`, which picks a node's colours from its gradient."""
from __future__ import annotations

KIND_FILL = {
    "op": "#f8f9fa", "param": "#cfe2ff", "leaf": "#d3f9d8", "input": "#e9ecef",
    "output": "#ffd8a8", "group": "#fff3bf", "more": "#ffffff",
}
KIND_BORDER = {
    "op": "#495057", "param": "#1c7ed6", "leaf": "#2f9e44", "input": "#868e96",
    "output": "#e8590c", "group": "#495057", "more": "#868e96",
}
KIND_TEXT = {
    "op": "op: name, settings, output shape", "param": "parameter (module path)",
    "leaf": "leaf tensor that requires grad", "input": "input / constant without grad",
    "output": "output", "group": "folded module (collapse=)",
}
# Gradient-norm bins, largest first: (lower bound, fill, text colour).
GRAD_BINS = [
    (10.0, "#08306b", "white"), (1.0, "#08519c", "white"), (1e-1, "#2171b5", "white"),
    (1e-2, "#4292c6", "white"), (1e-3, "#6baed6", "black"), (1e-4, "#9ecae1", "black"),
    (1e-5, "#c6dbef", "black"), (0.0, "#f7fbff", "black"),
]
ZERO_FILL = "#bdbdbd"
BAD_FILL = "#e03131"
NO_GRAD_FILL = "#ffffff"


def grad_colours(stats):
    """(fill, font colour, extra style) for a node's gradient statistics."""
    if stats is None:
        return NO_GRAD_FILL, "black", ""
    if stats.nonfinite:
        return BAD_FILL, "white", ""
    if stats.all_zero:
        return ZERO_FILL, "black", "dashed"
    for lower, fill, text in GRAD_BINS:
        if stats.norm >= lower:
            return fill, text, ""
    return GRAD_BINS[-1][1], GRAD_BINS[-1][2], ""
