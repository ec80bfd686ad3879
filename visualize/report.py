"""Per-layer gradient norms as a text table (the numbers behind ``show_grad``)."""
from __future__ import annotations

from .graph import build
from .grads import format_norm, leaf_grad, node_grad


def grad_rows(*outputs, params=None, collapse=True):
    """One dict per module (by default every module without submodules), in
    forward order: its path, class, the gradient norm at its output, each
    parameter's gradient norm and flags (NaN, inf, all-zero). Needs
    :func:`record_grads` before backward for the output gradients."""
    drawing = build(outputs, params=params, collapse=collapse)
    rows = []
    for item in reversed(drawing.nodes):       # traversal runs output -> input
        if item.kind != "group":
            continue
        out = node_grad(item.exit)
        param_stats = [(name.rpartition(".")[2] if name else "leaf", leaf_grad(t))
                       for name, t in item.absorbed]
        flags = []
        for s in [node_grad(n) for n in item.members] + [s for _, s in param_stats]:
            if s is None:
                continue
            if s.nans and "NaN" not in flags:
                flags.append("NaN")
            if s.infs and "inf" not in flags:
                flags.append("inf")
            if s.all_zero and "all-zero" not in flags:
                flags.append("all-zero")
        rows.append({"module": item.name or type(item.obj).__name__,
                     "type": type(item.obj).__name__, "output_grad": out,
                     "params": param_stats, "flags": flags})
    return rows


def grad_table(*outputs, params=None, collapse=True) -> str:
    """:func:`grad_rows` formatted as an aligned text table."""
    rows = grad_rows(*outputs, params=params, collapse=collapse)
    header = ("module", "type", "|grad| at output", "|grad| of parameters", "flags")
    body = []
    for r in rows:
        out = format_norm(r["output_grad"].norm) if r["output_grad"] is not None else "-"
        ps = ", ".join(f"{n} {format_norm(s.norm) if s is not None else '-'}"
                       for n, s in r["params"]) or "-"
        body.append((r["module"], r["type"], out, ps, ", ".join(r["flags"]) or "-"))
    widths = [max(len(str(row[i])) for row in [header] + body) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip()
             for row in [header] + body]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
