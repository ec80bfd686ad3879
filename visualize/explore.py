"""The backprop explorer: one backward pass, step by step, in a self-contained page.

:func:`explore` runs one backward inside :func:`minigrad.tracing.record_backward`
and writes one HTML file: the graph as inline SVG (graphviz ``dot``), the steps in
the exact order the engine ran them, and for each step the gradient that arrived
(dy) and the gradient sent to each input, with the op's formula and rules from
its docstring. The page needs no network (inline SVG, JS, CSS and one JSON blob).

Size is kept in check: a tensor of at most ``SMALL`` elements is embedded whole
(a table); a larger one as summary statistics over all of it plus a capped slice
(``CAP``: the first 2 images, first 4 channels, 64 x 64 pixels) for a heatmap.
Numbers are written with 4 significant digits.
"""
from __future__ import annotations

import html
import json
import os
from importlib import resources

import numpy as np

import minigrad
from minigrad.autograd import walk
from minigrad.kernels.reference import avg_unpool as spread_over_windows
from minigrad.kernels.reference import conv2d as correlate, conv2d_weight, rot180_swap
from minigrad.kernels.windows import argmax_cells
from minigrad.nn.functional import full_convolution_rot180, rot180
from minigrad.ops.conv import Conv2d
from minigrad.ops.pool import AvgPool2d, MaxPool2d
from minigrad.tracing import record_backward

from .dot import backward_rules, fmt_shape, fmt_value, module_title, op_title, svg_id, \
    to_dot_source
from .graph import build, output_list, parameter_names
from .layers import Layers
from .render import svg_of

SMALL = 64                     # at most this many elements: the whole tensor, as a table
CAP = (2, 4, 64, 64)           # else a slice of at most (images, channels, rows, columns)
DIGITS = 4                     # significant digits of every embedded number


# -- tensors as JSON ------------------------------------------------------------------

class _Numbers:
    """Arrays formatted once, with numpy, and pasted into the JSON text as raw
    lists (json.dumps of a Python list of floats would print 17 digits)."""

    def __init__(self):
        self.chunks = []

    def add(self, array) -> str:
        a = np.asarray(array, dtype=np.float64).ravel()
        # Wide enough for "null" also where every value is NaN (numpy sizes the strings
        # to the longest, "nan").
        text = np.char.mod(f"%.{DIGITS}g", a).astype("<U16")
        text[~np.isfinite(a)] = "null"          # JSON has no NaN or inf
        self.chunks.append("[" + ",".join(text.tolist()) + "]")
        return f"@@NUMBERS{len(self.chunks) - 1}@@"

    def fill(self, text: str) -> str:
        for i, chunk in enumerate(self.chunks):
            text = text.replace(f'"@@NUMBERS{i}@@"', chunk, 1)
        return text


def as_4d(shape):
    """How a tensor is laid out for a heatmap: (images, channels, rows, columns)."""
    shape = tuple(shape)
    if len(shape) <= 2:
        return (1, 1) + (1,) * (2 - len(shape)) + shape
    if len(shape) == 3:
        return (1,) + shape
    return (shape[0], int(np.prod(shape[1:-2], dtype=np.int64))) + shape[-2:]


def stats(a) -> dict:
    a = np.asarray(a, dtype=np.float64)
    finite = a[np.isfinite(a)]
    out = {"size": int(a.size), "nonzero": int(np.count_nonzero(a)),
           "nonfinite": int(a.size - finite.size)}
    if finite.size:
        out.update(min=float(finite.min()), max=float(finite.max()),
                   mean=float(finite.mean()), l2=float(np.sqrt(np.sum(finite * finite))))
    return out


def tensor_payload(array, numbers: _Numbers, mask=None) -> dict:
    """A tensor for the page: shape, dtype, statistics over all of it, and either
    every value (``values``, small tensors) or a capped 4-D slice (``slice``)."""
    a = np.asarray(array)
    payload = {"shape": list(a.shape), "dtype": str(a.dtype), "stats": stats(a)}
    if a.size <= SMALL:
        payload["values"] = numbers.add(a)
        if mask is not None:
            payload["mask"] = numbers.add(np.asarray(mask).reshape(a.shape))
        return payload
    view = a.reshape(as_4d(a.shape))
    index = tuple(slice(0, min(n, cap)) for n, cap in zip(view.shape, CAP))
    payload["view"] = list(view.shape)
    payload["slice"] = list(view[index].shape)
    payload["data"] = numbers.add(view[index])
    if mask is not None:
        payload["mask"] = numbers.add(np.asarray(mask).reshape(view.shape)[index])
    return payload


# -- the textbook rules, computed from the step's own numbers ------------------------

def _keep_for_rules(node):
    """What a step's teaching view needs that backward frees: MaxPool2d's argmax,
    Conv2d's weight (a parameter's data, else what the op saved)."""
    if isinstance(node, MaxPool2d) and node.argmax is not None:
        return {"argmax": node.argmax}
    if isinstance(node, Conv2d) and node.weight is not None:
        kept = {"weight": node.weight}
        x = _conv_input(node)
        if x is not None:
            kept["input"] = x
        return kept
    return {}


def _conv_input(node):
    """A convolution's input a^{l-1}: a leaf's own values, else the copy forward saved
    for the weight gradient (None when the weight needs no gradient)."""
    if isinstance(node.parents[0], minigrad.Tensor):
        return node.parents[0].array
    for s in node.saved or ():
        if s is not None and s.what == "input 0":
            return s.array
    return None


def padded_dilated(dy, kernel, in_hw, stride, padding, dilation):
    """The dy the primer correlates with rot180(W): s-1 zeros between neighbouring
    values, d(k-1) - p zeros around (cut where that is negative), sized so that a
    stride-1 correlation with the dilated kernel gives back the input's (H, W).
    Returns it and where dy[..., 0, 0] sits in it (row, column; may be negative)."""
    offset = [dilation[i] * (kernel[i] - 1) - padding[i] for i in (0, 1)]
    size = [in_hw[i] + dilation[i] * (kernel[i] - 1) for i in (0, 1)]
    rows, cols = (offset[i] + stride[i] * np.arange(dy.shape[2 + i]) for i in (0, 1))
    keep_rows, keep_cols = (rows >= 0) & (rows < size[0]), (cols >= 0) & (cols < size[1])
    padded = np.zeros(dy.shape[:2] + tuple(size), dtype=dy.dtype)
    padded[:, :, rows[keep_rows][:, None], cols[keep_cols][None, :]] = \
        dy[:, :, keep_rows][:, :, :, keep_cols]
    return padded, offset


def _max_abs_diff(a, b):
    return float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)))) \
        if np.size(a) else 0.0


def _plain_windows(settings):
    """Windows the teaching views draw: no dilation, no ceil_mode, every window
    dividing by its full size (the other options are drawn without a view)."""
    return (tuple(settings.get("dilation", (1, 1))) == (1, 1)
            and not settings.get("ceil_mode", False)
            and settings.get("count_include_pad", True))


def teaching_view(step, kept, numbers):
    """The textbook form of the step's rule, next to what the engine sent."""
    node, dy = step.node, step.grad_output.array
    dx = step.input_grads[0].array if step.input_grads and step.input_grads[0] is not None \
        else None
    if isinstance(node, (MaxPool2d, AvgPool2d)) and not _plain_windows(node.settings()):
        return None
    if isinstance(node, MaxPool2d) and "argmax" in kept:
        cells = argmax_cells(kept["argmax"], node.window)
        view = {"kind": "maxpool", "dy": tensor_payload(dy, numbers),
                "window": [list(node.settings()[k]) for k in ("kernel_size", "stride", "padding")],
                "argmax_cells": int(cells.sum())}
        if dx is not None:
            view["dx"] = tensor_payload(dx, numbers, mask=cells)
            view["nonzero_outside_argmax"] = int(np.count_nonzero(dx[~cells]))
        return view
    if isinstance(node, AvgPool2d):
        spread = spread_over_windows(dy, node.window)
        kh, kw = node.settings()["kernel_size"]
        view = {"kind": "avgpool", "dy": tensor_payload(dy, numbers), "size": kh * kw,
                "window": [list(node.settings()[k]) for k in ("kernel_size", "stride", "padding")],
                "spread": tensor_payload(spread, numbers)}
        if dx is not None:
            view["max_diff"] = _max_abs_diff(spread, dx)
        return view
    if isinstance(node, Conv2d) and "weight" in kept:
        return conv_view(step, kept, numbers, dx)
    return None


def conv_view(step, kept, numbers, dx):
    """A convolution's backward in the primer's form: dx = the padded, stride-dilated
    dy correlated with rot180(W) (step 7), and dW = a^{l-1} * dy (step 8), with the
    geometry the page needs to link each number to its sources."""
    node, dy, w = step.node, step.grad_output.array, kept["weight"]
    settings = node.settings()
    stride, padding, dilation, groups = (tuple(settings[k]) if k != "groups" else settings[k]
                                         for k in ("stride", "padding", "dilation", "groups"))
    in_shape = node.input_shapes[0]
    full = full_convolution_rot180(dy, w, stride, padding, dilation, groups,
                                   input_size=in_shape).array
    padded, offset = padded_dilated(dy, w.shape[2:], in_shape[2:], stride, padding, dilation)
    co, ci = min(w.shape[0], CAP[1]), min(w.shape[1], CAP[1])
    view = {"kind": "conv", "groups": groups,
            "weight": numbers.add(w[:co, :ci]),
            # rot180 swaps in/out channels: kernel (o, c) rotated sits at (c, o).
            "rot180": numbers.add(rot180(w, groups).array[:ci, :co]),
            "kernel_shape": [co, ci] + list(w.shape[2:]), "weight_shape": list(w.shape),
            "geometry": [list(w.shape[2:]), list(stride), list(padding), list(dilation)],
            "full": tensor_payload(full, numbers),
            "padded": tensor_payload(padded, numbers), "offset": offset,
            # The literal rule: a stride-1 correlation of the padded dy with rot180(W).
            "padded_diff": _max_abs_diff(correlate(padded, rot180_swap(w, groups), (1, 1),
                                                   (0, 0), dilation, groups), full)}
    if dx is not None:
        view["max_diff"] = _max_abs_diff(full, dx)
    x, dw = kept.get("input"), _sent(step, 1)
    if x is not None and dw is not None:
        view["x"] = tensor_payload(x, numbers)
        view["dW_diff"] = _max_abs_diff(
            conv2d_weight(x, dy, w.shape[2:], stride, padding, dilation, groups), dw)
    return view


# -- the primer's views: the loss, a fully connected layer, an activation ----------------

def _sent(step, i):
    grads = step.input_grads
    return None if i >= len(grads) or grads[i] is None else grads[i].array


def loss_view(step, layers, numbers):
    """Cross-entropy after softmax: the logits z^L, p = softmax(z^L), the target y
    and the output error delta^L = (p - y) / N next to the dx the engine sent."""
    node = step.node
    z = layers.input_value(node, 0)
    if z is None or z.ndim != 2 or node.reduction == "none":
        return None
    q = np.asarray(node.target_distribution, dtype=np.float64)
    shifted = np.exp(z - z.max(axis=1, keepdims=True))
    p = shifted / shifted.sum(axis=1, keepdims=True)
    dy = float(np.asarray(step.grad_output.array))
    delta = (p * q.sum(axis=1, keepdims=True) - q) * dy / node.divisor
    one_hot = bool(np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=1) == 1))
    view = {"kind": "loss", "z": tensor_payload(z, numbers), "p": tensor_payload(p, numbers),
            "y": tensor_payload(q, numbers), "one_hot": one_hot, "divisor": float(node.divisor),
            "dy": dy, "delta": tensor_payload(delta, numbers),
            "name": layers.name(node.parents[0]) or "z"}
    dx = _sent(step, 0)
    if dx is not None:
        view["max_diff"] = _max_abs_diff(delta, dx)
    return view


def fc_view(l, steps, step_of, layers, numbers):
    """A fully connected layer l as the primer writes it, from the engine's numbers:
    delta^l (the gradient at z^l), a^{l-1} (the layer's input), dW = delta a^T
    (summed over the batch: delta^T a with samples as rows), db = sum of delta,
    the error sent back W^T delta, each next to what the engine sent."""
    parts = layers.fc[l]
    matmul, add = parts["matmul"], parts["add"]
    first = steps[min(step_of[id(n)] for n in (matmul, add) if n is not None and id(n) in step_of)]
    a = layers.input_value(matmul, 0)
    wt = layers.input_value(matmul, 1)           # W^T, as the MatMul read it
    if a is None or wt is None:
        return None
    delta = first.grad_output.array.reshape(-1, wt.shape[1])
    a = a.reshape(-1, wt.shape[0])
    dw, db, dx = delta.T @ a, delta.sum(axis=0), delta @ wt.T
    view = {"kind": "fc", "layer": layers.layer_label(l), "module": type(parts["module"]).__name__,
            "delta": tensor_payload(delta, numbers), "a": tensor_payload(a, numbers),
            "z": tensor_payload(layers.values.get(add or matmul, a @ wt), numbers),
            "dW": tensor_payload(dw, numbers), "dx": tensor_payload(dx, numbers),
            "steps": {}}
    if add is not None:
        view["db"] = tensor_payload(db, numbers)
    mm_step = steps[step_of[id(matmul)]] if id(matmul) in step_of else None
    if add is not None and id(add) in step_of:
        view["steps"]["Add"] = step_of[id(add)]
        sent_b = _sent(steps[step_of[id(add)]], 1)
        if sent_b is not None:
            view["db_diff"] = _max_abs_diff(db, sent_b.reshape(-1, wt.shape[1]).sum(axis=0))
    if mm_step is not None:
        view["steps"]["MatMul"] = step_of[id(matmul)]
        sent_x = _sent(mm_step, 0)
        if sent_x is not None:
            view["dx_diff"] = _max_abs_diff(dx, sent_x.reshape(dx.shape))
    transpose = matmul.parents[1]
    if id(transpose) in step_of:
        view["steps"]["Transpose"] = step_of[id(transpose)]
        sent_w = _sent(steps[step_of[id(transpose)]], 0)
        if sent_w is not None:
            view["dW_engine"] = tensor_payload(sent_w, numbers)
            view["dW_diff"] = _max_abs_diff(dw, sent_w)
    return view


def activation_view(step, layers, numbers):
    """An activation a^l = sigma(z^l): the error delta^l = dy ⊙ sigma'(z^l)."""
    node = step.node
    z, a = layers.input_value(node, 0), layers.values.get(node)
    if z is None and a is None:
        return None
    if node.name == "ReLU":
        slope = ((a if z is None else z) > 0).astype(np.float64)
    elif node.name == "Sigmoid" and a is not None:
        slope = a * (1 - a)
    elif node.name == "Tanh" and a is not None:
        slope = 1 - a * a
    else:
        return None
    dy = step.grad_output.array
    product = dy * slope
    view = {"kind": "activation", "function": node.name,
            "name": layers.name(node), "z_name": layers.name(node.parents[0]),
            "slope": tensor_payload(slope, numbers), "product": tensor_payload(product, numbers)}
    if z is not None:
        view["z"] = tensor_payload(z, numbers)
    if a is not None:
        view["a"] = tensor_payload(a, numbers)
    dx = _sent(step, 0)
    if dx is not None:
        view["max_diff"] = _max_abs_diff(product, dx)
    return view


def primer_view(step, steps, step_of, layers, numbers):
    """The step's view in the primer's terms, or None."""
    node = step.node
    if node.name == "CrossEntropy":
        return loss_view(step, layers, numbers)
    l = layers.layer_of.get(node)
    if l in layers.fc and node.name != "Transpose":
        parts = layers.fc[l]
        first = min(step_of[id(n)] for n in (parts["matmul"], parts["add"])
                    if n is not None and id(n) in step_of)
        if steps[first] is step:
            return fc_view(l, steps, step_of, layers, numbers)
    if layers.name(node) and layers.name(node).startswith("a"):
        return activation_view(step, layers, numbers)
    return None


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
    kept = {node: _keep_for_rules(node) for node in order}
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
    numbers = _Numbers()
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


def page(svg: str, data: str, title: str) -> str:
    """The whole HTML page. ``</`` in the JSON is escaped so no string in it can
    close the script element."""
    static = resources.files("visualize") / "static"
    css = (static / "explorer.css").read_text(encoding="utf-8")
    js = (static / "explorer.js").read_text(encoding="utf-8")
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
