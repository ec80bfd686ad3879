"""The backprop explorer: one backward pass, step by step, in a self-contained page.

:func:`explore` runs one backward inside :func:`minigrad.tracing.record_backward`
and writes one HTML file: the graph as inline SVG (graphviz ``dot``), the steps in
the exact order the engine ran them, and for each step the gradient that arrived
(dy) and the gradient sent to each input, with the op's formula and rules from
its docstring. The page needs no network (inline SVG, JS, CSS and one JSON blob).

The steps' tensors go into the page as described in :mod:`visualize.tensor_json`;
the textbook and primer views of a step come from :mod:`visualize.teaching_views`.
"""
from __future__ import annotations

import html
import json
import os
from importlib import resources

import numpy as np

import minigrad
from minigrad.autograd import walk
from minigrad.tracing import record_backward

from .dot import svg_id, to_dot_source
from .graph import build, output_list
from .labels import backward_rules, fmt_shape, fmt_value, module_title, op_title
from .layers import Layers
from .naming import parameter_names
from .render import svg_of
from .teaching_views import keep_for_rules, primer_view, teaching_view
from .tensor_json import DIGITS, SMALL, JsonNumbers, tensor_payload


# -- the page's data --------------------------------------------------------------------

def _input_label(parent, names, node, i):
    if parent is None:
        return f"input {i} (no grad) {fmt_shape(node.input_shapes[i])}"
    if isinstance(parent, minigrad.Tensor):
        return f"{names.get(id(parent), 'leaf')} {fmt_shape(parent.shape)}"
    return f"{parent.name} output {fmt_shape(parent.out_shape)}"


def _check_outputs(pairs, gradient):
    """The outputs, and one gradient for each (a scalar's is 1)."""
    tensors = [t for _, t in pairs]
    for name, t in pairs:
        if not t.requires_grad:
            raise ValueError(f"visualize.explore: output {name!r} (shape {t.shape}) does not "
                             "require grad, so there is no backward to step through")
    if gradient is None:
        gradient = [None] * len(tensors)
    elif isinstance(gradient, minigrad.Tensor) or not isinstance(gradient, (list, tuple)):
        gradient = [gradient]
    if len(gradient) != len(tensors):
        raise ValueError(f"visualize.explore: {len(gradient)} gradient(s) for "
                         f"{len(tensors)} output(s)")
    from minigrad._tensor import check_grad_output
    grads = []
    for (name, t), g in zip(pairs, gradient):
        if g is None and t.array.size != 1:
            raise ValueError(f"visualize.explore: output {name!r} has shape {t.shape}; a "
                             "non-scalar output needs gradient= (dL/d(output), same shape), or "
                             "reduce it to a scalar first (e.g. .sum())")
        grads.append(check_grad_output(t, g, "visualize.explore"))
    return tensors, grads


class ExplorerPage(str):
    """The path of a written explorer page (a ``str``); in a Jupyter notebook it
    displays the page inline, as an iframe holding the same offline HTML."""

    height = 720

    def _repr_html_(self):
        with open(self, encoding="utf-8") as f:
            text = f.read()
        return (f'<iframe srcdoc="{html.escape(text, quote=True)}" '
                f'style="width: 100%; height: {self.height}px; border: 1px solid #ced4da" '
                'sandbox="allow-scripts" title="backprop explorer"></iframe>')


def explore(*outputs, params=None, path="backprop.html", gradient=None, collapse=None,
            rankdir="TB", title=None, history=None) -> ExplorerPage:
    """Run one backward from ``outputs`` and write a page that steps through it.

    outputs: tensors (or a list / dict name -> tensor) that require grad and whose
        graph has not been backpropagated yet (backward frees what it needs).
    params: names for parameters, as :func:`visualize.to_dot`.
    gradient: dL/d(output) for a non-scalar output (one per output).
    collapse, rankdir, title: the drawing, as :func:`visualize.to_dot`.
    history: a :class:`visualize.GradientHistory` of earlier training steps, shown
        as a strip of per-parameter gradient norms over those steps ("Over time").

    Leaves' ``.grad`` accumulate as after ``loss.backward()``. Needs Graphviz's
    ``dot`` (:class:`GraphvizMissingError` otherwise). Returns the path written, as an
    :class:`ExplorerPage` (a ``str`` that a Jupyter notebook displays inline)."""
    pairs = output_list(outputs)
    tensors, grads = _check_outputs(pairs, gradient)
    order = walk(tensors)
    if any(node.saved is None for node in order):
        raise RuntimeError("visualize.explore: this graph has already been backpropagated "
                           "(backward freed its saved values); build it again and call "
                           "explore(...) instead of backward(): it runs the backward itself")
    # A Linear is one fully connected layer, as the primer draws it (its ops are
    # still separate steps: the engine runs them apart).
    drawing = build(outputs, params=params,
                    collapse=minigrad.nn.Linear if collapse is None else collapse)
    # No legend: the page's header explains its own colours (current, done).
    svg = _inline_svg(svg_of(to_dot_source(drawing, rankdir=rankdir, title=title,
                                           legend=False, svg_ids=True)))
    kept = {node: keep_for_rules(node) for node in order}
    layers = Layers(order, {node: k["weight"] for node, k in kept.items() if "weight" in k})
    with record_backward() as steps:
        minigrad.autograd.run_backward(tensors, grads)
    data = page_data(steps, drawing, kept, params, layers, history)
    path = os.fspath(path)
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(page(svg, data, title or _page_title(drawing)))
    return ExplorerPage(path)


def page_data(steps, drawing, kept, params=None, layers=None, history=None) -> str:
    """The JSON text the page reads: one entry per backward step, in the engine's
    order, and the leaves (parameters) with their gradients. ``layers`` (a
    :class:`Layers`, made before the backward) adds the primer's names and views;
    ``history`` (a :class:`GradientHistory`) the gradient norms over training steps."""
    numbers = JsonNumbers()
    step_of = {id(step.node): k for k, step in enumerate(steps)}
    where = {}                    # graph node -> drawn node id (its group when collapsed)
    names = parameter_names(params)
    for item in drawing.nodes:
        if item.kind == "op":
            where[id(item.obj)] = svg_id(item)
        elif item.kind == "group":
            where.update((id(member), svg_id(item)) for member in item.members)
        if item.kind == "param":
            names.setdefault(id(item.obj), item.name)
        for name, t in item.absorbed:
            names.setdefault(id(t), name)
    entries = []
    for k, step in enumerate(steps):
        node = step.node
        forward, _ = type(node).formula()
        scope = [drawing.module_names.get(id(m), type(m).__name__) for m in (node.scope or ())]
        entries.append({
            "index": k, "op": node.name, "title": op_title(node), "svg": where.get(id(node)),
            "module": ".".join(p for p in scope if p) or None,
            "settings": [[key, fmt_value(v, 60)] for key, v in _settings(node).items()],
            "forward": forward.replace("``", ""), "rules": backward_rules(node),
            "dy": tensor_payload(step.grad_output.array, numbers),
            "inputs": [{"label": _input_label(p, names, node, i),
                        "grad": None if g is None else tensor_payload(g.array, numbers)}
                       for i, (p, g) in enumerate(zip(node.parents, step.input_grads))],
            "teach": teaching_view(step, kept.get(node, {}), numbers),
        })
        if layers is not None:
            entries[-1]["primer"] = layers.primer_labels(node)
            entries[-1]["layer"] = primer_view(step, steps, step_of, layers, numbers)
    leaves = {}
    for item in drawing.nodes:
        if item.kind in ("param", "leaf") and item.obj.grad is not None:
            leaves[svg_id(item)] = {"name": item.name or "leaf tensor",
                                    "grad": tensor_payload(item.obj.grad.array, numbers)}
        if item.kind == "group":
            leaves[svg_id(item)] = {"name": item.name or type(item.obj).__name__,
                                    "module": module_title(item.obj)}
    blob = {"steps": entries, "leaves": leaves, "small": SMALL, "digits": DIGITS}
    if history is not None and len(history):
        blob["history"] = {"loss": numbers.add(np.array(history.loss, dtype=np.float64)),
                           "rows": [{"name": name, "shape": list(t.shape), "norms": numbers.add(
                                         np.array(norms, dtype=np.float64))}
                                    for (name, t), norms in zip(history.rows, history.norms)]}
    text = json.dumps(blob, separators=(",", ":"))
    return numbers.fill(text)


def _settings(node):
    try:
        return node.settings()
    except Exception:          # a user's op whose settings() fails must not break the page
        return {}


def _page_title(drawing):
    roots = [type(r).__name__ for r in drawing.roots if drawing.module_names.get(id(r)) == ""]
    return "backprop explorer" + (f": {' + '.join(roots)}" if roots else "")


def _inline_svg(svg: str) -> str:
    """graphviz's SVG without the XML prolog and DOCTYPE (an inline <svg> needs
    neither, and the DOCTYPE names a URL)."""
    return svg[svg.index("<svg"):]


#: The explorer's scripts in visualize/static, in the order the page runs them. They
#: share one strict-mode function scope: a file uses the helpers of those before it,
#: and the last wires the controls and shows the first step.
EXPLORER_SCRIPTS = ("explorer_core.js", "explorer_tables.js", "explorer_heatmaps.js",
                    "explorer_links.js", "explorer_teaching.js", "explorer_panel.js",
                    "explorer_stepping.js")


def page(svg: str, data: str, title: str) -> str:
    """The whole HTML page, its styles and scripts inline. ``</`` in the JSON is
    escaped so no string in it can close the script element."""
    static = resources.files("visualize") / "static"
    css = (static / "explorer.css").read_text(encoding="utf-8")
    js = ('(function () {\n"use strict";\n'
          + "\n".join((static / name).read_text(encoding="utf-8") for name in EXPLORER_SCRIPTS)
          + "})();\n")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(title)}</title>\n<style>\n{css}</style>\n</head>\n<body>\n"
        "<header><h1>" + html.escape(title) + "</h1>"
        "<button id=\"prev\" type=\"button\" title=\"previous step (Left arrow)\">&#9664; Prev"
        "</button><span id=\"counter\"></span>"
        "<button id=\"next\" type=\"button\" title=\"next step (Right arrow)\">Next &#9654;"
        "</button><select id=\"jump\" aria-label=\"go to step\"></select>"
        "<span class=\"hint\">Left/Right arrow keys step, Home/End first/last; click any node"
        "<span class=\"key current\"></span>this step<span class=\"key done\"></span>"
        "gradient already passed</span></header>\n"
        f"<main><div id=\"graph\">{svg}</div><aside id=\"panel\"></aside></main>\n"
        "<script type=\"application/json\" id=\"backprop-data\">"
        + data.replace("</", "<\\/") + "</script>\n"
        f"<script>\n{js}</script>\n</body>\n</html>\n")
