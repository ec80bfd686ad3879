"""The primer's view of a backward pass: layers numbered l = 1..L, their forward
values z^l and a^l, the errors delta^l, and the primer's step numbers (6: the
output error, 7: the error of the layer before, 8: the parameter gradients).

A *layer* is a convolution (a ``Conv2d`` node) or a fully connected layer (the
``MatMul`` of ``x @ W^T`` and the ``Add`` of the bias that ``F.linear`` records,
inside one ``nn.Linear``), numbered in forward order. ``z^l`` is its output,
``a^l`` the output of the activation applied to ``z^l``. The forward values are
read from what the graph keeps for backward (an op's saved inputs and outputs) and
the few that nothing keeps (the output of a MatMul, an Add, a Conv2d) are
recomputed from those, so they must be collected before backward frees them.
"""
from __future__ import annotations

import numpy as np

import minigrad
from minigrad.nn import Linear
from minigrad.ops.conv import Conv2d

ACTIVATIONS = {"ReLU": "ReLU", "Sigmoid": "sigmoid", "Tanh": "tanh"}
# Ops between layers, named by what they do to the value they pass on.
PASS_THROUGH = {"MaxPool2d": "pool", "AvgPool2d": "pool", "Reshape": "flat", "Flatten": "flat"}


def _up(text, sup):
    return f"{text}^{sup}"


class Layers:
    """The layers of a graph, its forward values and the primer's names for them.

    order: the graph's nodes, parents before children (``autograd.walk``);
    weights: node -> conv weight array for the Conv2d nodes (the explorer's kept
    values), so a convolution's output can be recomputed."""

    def __init__(self, order, weights):
        self.values = {}         # node -> its forward output (ndarray)
        self.layer_of = {}       # node -> l, for every node of a layer
        self.output_of = {}      # l -> the node whose output is z^l
        self.activation = {}     # l -> the activation node applied to z^l
        self.fc = {}             # l -> {"matmul", "add", "module"} of a fully connected layer
        self._collect_values(order, weights)
        self._number_layers(order)

    # -- forward values ---------------------------------------------------------------
    def _collect_values(self, order, weights):
        self.saved_inputs = {}   # (node, i) -> the input value the node saved (backward frees it)
        for node in order:
            for s in node.saved or ():
                if s is None:
                    continue
                if s.what == "output":
                    self.values[node] = s.array
                elif s.what.startswith("input "):
                    i = int(s.what.split()[1])
                    self.saved_inputs[node, i] = s.array
                    if isinstance(node.parents[i], minigrad.autograd.Function):
                        self.values.setdefault(node.parents[i], s.array)
        for node in order:          # parents first: their values are known by now
            if node in self.values:
                continue
            inputs = [self.input_value(node, i) for i in range(len(node.parents))]
            if node.name == "MatMul" and all(v is not None for v in inputs):
                self.values[node] = np.matmul(inputs[0], inputs[1])
            elif (node.name == "Transpose" and inputs[0] is not None and inputs[0].ndim == 2
                  and tuple(node.out_shape) == inputs[0].shape[::-1]):
                self.values[node] = inputs[0].T           # a matrix's only transpose
            elif node.name == "Add" and all(v is not None for v in inputs):
                self.values[node] = inputs[0] + inputs[1]
            elif isinstance(node, Conv2d) and inputs[0] is not None and node in weights:
                bias = inputs[2] if len(inputs) > 2 else None
                settings = node.settings()
                with minigrad.no_grad():
                    out = minigrad.nn.functional.conv2d(
                        minigrad.tensor(inputs[0]), minigrad.tensor(weights[node]),
                        None if bias is None else minigrad.tensor(bias),
                        stride=settings["stride"], padding=settings["padding"],
                        dilation=settings["dilation"], groups=settings["groups"])
                self.values[node] = out.array

    def input_value(self, node, i):
        """The forward value of input ``i`` of ``node``, or None if nothing kept it."""
        if (node, i) in self.saved_inputs:
            return self.saved_inputs[node, i]
        parent = node.parents[i]
        if isinstance(parent, minigrad.Tensor):
            return parent.array
        return self.values.get(parent)

    # -- layers -----------------------------------------------------------------------
    def _number_layers(self, order):
        count = 0
        for node in order:
            module = node.scope[-1] if node.scope else None
            if isinstance(module, Linear) and node.name == "MatMul":
                count += 1
                parts = {"matmul": node, "add": None, "module": module}
                for other in order:
                    if (other.name == "Add" and other.scope and other.scope[-1] is module
                            and other.parents[0] is node):
                        parts["add"] = other
                self.fc[count] = parts
                self.output_of[count] = parts["add"] or node
                self.layer_of[node] = count
                if parts["add"] is not None:
                    self.layer_of[parts["add"]] = count
                if isinstance(node.parents[1], minigrad.autograd.Function):
                    self.layer_of[node.parents[1]] = count          # the weight's Transpose
            elif isinstance(node, Conv2d):
                count += 1
                self.output_of[count] = node
                self.layer_of[node] = count
        self.count = count
        outputs = {node: l for l, node in self.output_of.items()}
        for node in order:
            if node.name in ACTIVATIONS and node.parents and node.parents[0] in outputs:
                self.activation[outputs[node.parents[0]]] = node
        self.symbol = {}          # node -> the primer's name of its output
        for l, node in self.output_of.items():
            self.symbol[node] = _up("z", self.layer_label(l))
        for l, node in self.activation.items():
            self.symbol[node] = _up("a", self.layer_label(l))
        # Between layers: pooling and flattening of a named value keep a readable name.
        for node in order:
            wrap = PASS_THROUGH.get(node.name)
            if wrap and node not in self.symbol and node.parents and node.parents[0] in self.symbol:
                self.symbol[node] = f"{wrap}({self.symbol[node.parents[0]]})"

    def layer_label(self, l):
        """l as the primer writes it: "L" for the last layer."""
        return "L" if l == self.count and self.count > 1 else str(l)

    def name(self, node):
        """The primer's name of a node's output: z^l, a^l, or None."""
        return self.symbol.get(node)

    def grad_name(self, node):
        """The primer's name of the gradient at a node's output."""
        symbol = self.symbol.get(node)
        if symbol is None:
            return None
        if symbol.startswith("z"):
            return "δ" + symbol[1:] + " = ∂C/∂" + symbol
        return "∂C/∂" + symbol

    def primer_labels(self, node):
        """What the primer calls this step's numbers: its step number(s) and the names
        of dy and of what is sent to each input (None where the primer has no name)."""
        if node.name == "CrossEntropy":
            parent = node.parents[0]
            sent = [("δ" + self.symbol[parent][1:] + " = ∂C/∂" + self.symbol[parent])
                    if parent in self.symbol else None]
            return {"steps": [6], "dy": "∂C/∂C = 1 (the loss)", "sent": sent,
                    "what": "step 6: the output layer's error δ^L"}
        layer = self.layer_of.get(node)
        sent = []
        for i, parent in enumerate(node.parents):
            if isinstance(parent, minigrad.Tensor):
                sent.append(None)
            else:
                sent.append(self.grad_name(parent))
        steps, what = [7], "step 7: the error goes back one op"
        if layer is not None:
            l = self.layer_label(layer)
            if node.name == "Transpose":
                steps, what = [8], f"step 8: ∂C/∂W^{l} reaches the weight of layer {l}"
                sent = [f"∂C/∂W^{l}"]
            else:
                steps = [7, 8]
                what = (f"layer {l} ({'fully connected' if layer in self.fc else 'convolution'}):"
                        f" step 7 sends the error back, step 8 the parameter gradients")
                for i, parent in enumerate(node.parents):
                    if isinstance(parent, minigrad.Tensor):
                        sent[i] = (f"∂C/∂b^{l}" if parent.ndim == 1 else f"∂C/∂W^{l}")
        elif node in self.symbol and self.symbol[node].startswith("a"):
            l = self.symbol[node][2:]
            what = f"step 7: δ^{l} = ∂C/∂a^{l} ⊙ σ'(z^{l})"
        dy = self.grad_name(node)
        if layer in self.fc and node.name != "Transpose":
            # Inside a fully connected layer the bias add passes delta^l on unchanged.
            output = self.output_of[layer]
            dy = dy or self.grad_name(output)
            if node.name == "Add":
                sent[0] = self.grad_name(output)
            elif len(sent) > 1 and sent[1] is None:
                sent[1] = f"(∂C/∂W^{self.layer_label(layer)})^T, on to the Transpose of W"
        return {"steps": steps, "dy": dy, "sent": sent, "what": what}
