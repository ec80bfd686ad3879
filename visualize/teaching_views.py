"""The explorer's teaching views: each backward step's rule in the primer's form,
computed from the step's own numbers, next to what the engine sent.

The textbook rules of an op: max pooling routes dy to the argmax cells, average
pooling spreads dy over each window and divides, a convolution sends the padded,
stride-dilated dy correlated with rot180(W) back and dW = a^{l-1} * dy. The primer's
layer views: the loss (delta^L = (p - y) / N), a fully connected layer (dW, db and
W^T delta) and an activation (dy times sigma'(z)).
"""
from __future__ import annotations

import numpy as np

import minigrad
from minigrad.kernels.reference import avg_unpool as spread_over_windows
from minigrad.kernels.reference import conv2d as correlate, conv2d_weight, rot180_swap
from minigrad.kernels.windows import argmax_cells
from minigrad.nn.functional import full_convolution_rot180, rot180
from minigrad.ops.conv import Conv2d
from minigrad.ops.pool import AvgPool2d, MaxPool2d

from .tensor_json import CAP, tensor_payload


# -- the textbook rules, computed from the step's own numbers ------------------------

def keep_for_rules(node):
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
