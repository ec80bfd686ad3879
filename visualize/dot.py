"""DOT text for a :class:`~visualize.drawing.Drawing`: each node's attributes and
label, the module boxes (clusters), the edges and the legend.

Pure string formatting: needs neither the ``dot`` binary nor the graphviz package.
Conventions (explained in the drawn legend): rounded boxes are ops, square boxes
are tensors; parameters are blue, other leaves that require grad green, inputs
without grad grey, outputs orange, folded modules yellow; dashed boxes around
nodes are modules. Arrows point the way data flows forward; backward sends
gradients against them. With ``show_grad=True`` the fill colour is the gradient
norm instead (darker blue = larger, near-white = vanishing), all-zero gradients
are grey and dashed, NaN/inf gradients red, and the border keeps the kind colour.
The colours are in :mod:`visualize.colours`, the label texts in :mod:`visualize.labels`.
"""
from __future__ import annotations

from .colours import BAD_FILL, GRAD_BINS, KIND_BORDER, KIND_FILL, KIND_TEXT, NO_GRAD_FILL, \
    ZERO_FILL, grad_colours
from .grads import format_norm, leaf_grad, node_grad
from .labels import backward_rules, constants_text, esc, fmt_shape, module_title, op_title, \
    saved_label, small_text, wrap

NODE_DEFAULTS = {"fontname": "Helvetica", "fontsize": "10", "shape": "box",
                 "margin": "0.08,0.03", "height": "0.3"}
EDGE_DEFAULTS = {"color": "#6c757d", "arrowsize": "0.6"}
CLUSTER_STYLE = {"style": "rounded,dashed", "color": "#868e96", "fontsize": "10",
                 "labeljust": "l"}


def _grad_line(stats, colour, prefix=""):
    if stats is None:
        return None
    flags = []
    if stats.nans:
        flags.append(f"NaN x{stats.nans}")
    if stats.infs:
        flags.append(f"inf x{stats.infs}")
    if stats.all_zero:
        flags.append("ALL ZERO")
    elif stats.zero_fraction >= 0.5:
        flags.append(f"{stats.zero_fraction:.0%} zero")
    text = f"{prefix}|grad| {format_norm(stats.norm)}"
    if flags:
        text += " <B>" + esc(", ".join(flags)) + "</B>"
    return small_text(text, colour, 9)


# -- one node ------------------------------------------------------------------------

class NodeStyle:
    def __init__(self, show_grad, show_backward, show_saved):
        self.show_grad = show_grad
        self.show_backward = show_backward
        self.show_saved = show_saved

    def stats(self, item):
        if item.kind == "op":
            return node_grad(item.obj)
        if item.kind in ("param", "leaf"):
            return leaf_grad(item.obj)
        if item.kind == "output":
            t = item.obj
            return node_grad(t.grad_fn) if t.grad_fn is not None else leaf_grad(t)
        if item.kind == "group":
            return _group_stats(item)
        return None

    def attributes(self, item) -> dict:
        kind = item.kind
        if kind == "more":
            return {"shape": "box", "style": "dashed", "color": KIND_BORDER["more"],
                    "label": f"<... {item.count} more node{'s' if item.count != 1 else ''}"
                             "<BR/>" + small_text("(max_nodes reached)") + ">"}
        stats = self.stats(item) if self.show_grad else None
        if self.show_grad and kind != "input":
            fill, font, extra = grad_colours(stats)
        else:
            fill, font, extra = KIND_FILL[kind], "black", ""
        muted = "#dee2e6" if font == "white" else "#495057"
        lines = self.lines(item, muted)
        if self.show_grad:
            inside = kind == "group" and stats is not None and stats is not node_grad(item.exit)
            line = _grad_line(stats, font, "inside: " if inside else "")
            if line:
                lines.append(line)
        attrs = {"label": "<" + "<BR/>".join(lines) + ">"}
        style = ["filled"] + (["rounded"] if kind in ("op", "group") else []) + \
            ([extra] if extra else [])
        attrs["style"] = ",".join(style)
        attrs["fillcolor"] = fill
        if font != "black":
            attrs["fontcolor"] = font
        if self.show_grad or kind != "op":
            attrs["color"] = KIND_BORDER[kind]
        if self.show_grad and kind in ("param", "leaf", "output", "group"):
            attrs["penwidth"] = "2"
        if kind == "output":
            attrs["peripheries"] = "2"
        return attrs

    def lines(self, item, muted):
        kind = item.kind
        if kind == "op":
            node = item.obj
            title = esc(op_title(node))
            if item.consts:
                title += esc(" " + constants_text(node, item.consts))
            lines = [_bold_name(node.name, title),
                     small_text(f"{fmt_shape(node.out_shape)} {node.out_dtype}", muted)]
            if self.show_backward:
                lines.extend(small_text("<I>" + esc(part) + "</I>", muted)
                             for rule in backward_rules(node) for part in wrap(rule))
            if self.show_saved and node.saved is None:
                lines.append(small_text("saved values freed by backward", muted))
            return lines
        if kind in ("param", "leaf"):
            t = item.obj
            head = esc(item.name) if kind == "param" else "leaf (requires grad)"
            return [f"<B>{head}</B>", small_text(f"{fmt_shape(t.shape)} {t.dtype}", muted)]
        if kind == "input":
            info = item.obj
            return ["<B>input</B> (no grad)", small_text(esc(f"{fmt_shape(info.shape)} {info.dtype}"),
                                                     muted)]
        if kind == "output":
            t = item.obj
            text = f"{fmt_shape(t.shape)} {t.dtype}"
            if t.array.size == 1 and t.array.dtype.kind in "biuf":
                text += f" = {float(t.array.reshape(-1)[0]):.5g}"
            return [f"<B>{esc(item.name)}</B>", small_text(esc(text), muted)]
        if kind == "group":
            module = item.obj
            lines = [f"<B>{esc(item.name or type(module).__name__)}</B>: "
                     f"{esc(module_title(module))}"]
            for name, t in item.absorbed:
                label = name.rpartition(".")[2] if name else "leaf"
                lines.append(small_text(esc(f"{label} {fmt_shape(t.shape)}"), muted))
            exit_node = item.exit
            ops = len(item.members)
            lines.append(small_text(esc(f"{fmt_shape(exit_node.out_shape)} {exit_node.out_dtype}"
                                    f" · {ops} op{'s' if ops != 1 else ''}"), muted))
            return lines
        raise ValueError(f"visualize: unknown node kind {kind!r}")


def _bold_name(name, title):
    """The op name in bold, settings after it (title is already escaped)."""
    head = esc(name)
    if title.startswith(head):
        return f"<B>{head}</B>{title[len(head):]}"
    return title


def _group_stats(item):
    """A folded module shows the gradient at its output, unless a NaN/inf or an
    all-zero gradient hides inside (what one looks for): then that one."""
    inner = [node_grad(n) for n in item.members] + [leaf_grad(t) for _, t in item.absorbed]
    inner = [s for s in inner if s is not None]
    for bad in (lambda s: s.nonfinite, lambda s: s.all_zero):
        found = next((s for s in inner if bad(s)), None)
        if found is not None:
            return found
    return node_grad(item.exit)



# -- legend ---------------------------------------------------------------------------

def _swatch(fill, text, border="#495057", font="black", dashed=False):
    text = esc(text) if font == "black" else f'<FONT COLOR="{font}">{esc(text)}</FONT>'
    style = ' STYLE="dashed"' if dashed else ""
    return (f'<TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1"{style}>'
            f'<FONT POINT-SIZE="9">{text}</FONT></TD>')


def legend_table(kinds, show_grad, recorded):
    """The legend: a short, wide HTML table drawn in the graph's label, above the
    graph (a legend node would sit on a rank and stretch the layout)."""
    cells = []
    for kind in ("op", "param", "leaf", "input", "output", "group"):
        if kind in kinds:
            fill = NO_GRAD_FILL if show_grad and kind != "input" else KIND_FILL[kind]
            cells.append(_swatch(fill, KIND_TEXT[kind], border=KIND_BORDER[kind]))
    rows = [_legend_row("<B>kind</B>" + (" (border)" if show_grad else ""), cells)]
    if show_grad:
        cells = []
        uppers = [None] + [lower for lower, _, _ in GRAD_BINS[:-1]]
        for (lower, fill, font), upper in zip(GRAD_BINS, uppers):
            text = f">= {lower:g}" if upper is None else (
                f"< {upper:g} vanishing" if lower == 0 else f"{lower:g}..{upper:g}")
            cells.append(_swatch(fill, text, font=font))
        cells.append(_swatch(ZERO_FILL, "all zero (dead)", dashed=True))
        cells.append(_swatch(BAD_FILL, "NaN / inf", font="white"))
        cells.append(_swatch(NO_GRAD_FILL, "none" if recorded else
                             "none (record_grads before backward)"))
        rows.append(_legend_row("<B>|grad| (fill)</B>", cells))
    rows.append(_legend_row("rounded box = op (name, settings, output shape); square box = "
                            "tensor; dashed box = module; arrows = forward data flow, "
                            "gradients flow back against them", []))
    return ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
            + "".join(rows) + "</TABLE>")


def _legend_row(title, cells):
    """One legend line as its own table, so its cells keep their natural widths."""
    head = f'<TD ALIGN="LEFT"><FONT POINT-SIZE="9">{title}</FONT></TD>'
    return ('<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" '
            f'CELLPADDING="2"><TR>{head}{"".join(cells)}</TR></TABLE></TD></TR>')


# -- the whole graph -----------------------------------------------------------------

def _quote(value) -> str:
    text = str(value)
    if text.startswith("<") and text.endswith(">"):
        return text        # an HTML label
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def attr_list(attrs: dict) -> str:
    return "[" + " ".join(f"{k}={_quote(v)}" for k, v in attrs.items()) + "]"


def svg_id(item) -> str:
    """The ``id`` a drawn node carries into graphviz's SVG (``svg_ids=True``)."""
    return f"node_{item.id}"   # graphviz would write a "-" as &#45;


def dot_lines(drawing, show_grad=False, show_saved=False, show_backward=False,
              legend=True, rankdir="TB", title=None, svg_ids=False):
    """The statements of the DOT graph, each a line ending in a newline (the form
    ``graphviz.Digraph(body=...)`` takes, so its ``.source`` equals ``to_dot``).
    ``svg_ids``: give each node an ``id`` (:func:`svg_id`) that graphviz writes on
    its SVG group, so a page can find it (the backprop explorer)."""
    style = NodeStyle(show_grad, show_backward, show_saved)
    if title is None:
        title = _auto_title(drawing)
    graph_attrs = {"rankdir": rankdir, "fontname": "Helvetica", "fontsize": "12",
                   "nodesep": "0.25", "ranksep": "0.3", "newrank": "true"}
    label_rows = [f'<TR><TD ALIGN="LEFT"><B>{esc(title)}</B></TD></TR>'] if title else []
    if legend:
        kinds = {item.kind for item in drawing.nodes}
        recorded = any(node_grad(item.obj) is not None for item in drawing.nodes
                       if item.kind == "op")
        label_rows.append(f'<TR><TD ALIGN="LEFT">{legend_table(kinds, show_grad, recorded)}'
                          "</TD></TR>")
    if label_rows:
        graph_attrs.update(label='<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0">'
                                 + "".join(label_rows) + "</TABLE>>",
                           labelloc="t", labeljust="l")
    lines = ["graph " + attr_list(graph_attrs),
             "node " + attr_list(NODE_DEFAULTS),
             "edge " + attr_list(EDGE_DEFAULTS)]

    # Nodes, nested inside their module boxes (clusters) in order of first appearance.
    tree = {(): []}              # cluster path -> list of node items and child paths
    order = [()]
    for item in reversed(drawing.nodes):     # forward order (inputs first) lays out best
        path = tuple(item.cluster)
        for depth in range(1, len(path) + 1):
            prefix = path[:depth]
            if prefix not in tree:
                tree[prefix] = []
                tree[prefix[:-1]].append(("cluster", prefix))
                order.append(prefix)
        tree[path].append(("node", item))
    cluster_ids = {path: f"cluster_{i}" for i, path in enumerate(order[1:])}

    def emit(path, indent):
        pad = "\t" * indent
        for what, value in tree[path]:
            if what == "node":
                attrs = style.attributes(value)
                if svg_ids:
                    attrs["id"] = svg_id(value)
                lines.append(pad + f"{value.id} {attr_list(attrs)}")
                if show_saved and value.kind == "op":
                    label = saved_label(value.obj)
                    if label is not None:
                        lines.append(pad + f"{value.id}_saved " + attr_list({
                            "label": f"<{label}>", "shape": "note", "style": "filled",
                            "fillcolor": "#fffde7", "color": "#adb5bd", "fontsize": "9"}))
            else:
                module = value[-1]
                name = drawing.module_names.get(id(module), type(module).__name__)
                title = module_title(module)
                label = f"<<B>{esc(name)}</B>: {esc(title)}>" if name and \
                    name != type(module).__name__ else f"<<B>{esc(title)}</B>>"
                lines.append(pad + f"subgraph {cluster_ids[value]} {{")
                lines.append(pad + "\tgraph " + attr_list({"label": label, **CLUSTER_STYLE}))
                emit(value, indent + 1)
                lines.append(pad + "}")

    emit((), 0)                # recursion depth = module nesting depth: small
    spine = {item.id for item in drawing.nodes if item.kind in ("op", "group", "more")}
    for a, b in drawing.edges:
        # Heavier op -> op edges keep the main data path straight, the tensors to the side.
        lines.append(f"{a} -> {b}" + (" [weight=4]" if a in spine else ""))
    if show_saved:
        for item in drawing.nodes:
            if item.kind == "op" and saved_label(item.obj) is not None:
                lines.append(f"{item.id}_saved -> {item.id} "
                             + attr_list({"style": "dotted", "arrowhead": "none"}))
    return ["\t" + line + "\n" for line in lines]


def _auto_title(drawing):
    params = {}
    for item in drawing.nodes:
        if item.kind == "param":
            params[id(item.obj)] = item.obj.numel()
        for _, t in item.absorbed:
            params[id(t)] = t.numel()
    parts = []
    named_roots = [r for r in drawing.roots if drawing.module_names.get(id(r)) == ""]
    if named_roots:
        parts.append(" + ".join(type(r).__name__ for r in named_roots))
    parts.append(f"{drawing.op_count} op{'s' if drawing.op_count != 1 else ''}")
    if params:
        parts.append(f"{sum(params.values()):,} parameter values")
    if drawing.hidden:
        parts.append(f"{drawing.hidden} nodes not drawn (max_nodes)")
    return " · ".join(parts)


def to_dot_source(drawing, **options) -> str:
    return "digraph minigrad {\n" + "".join(dot_lines(drawing, **options)) + "}\n"

