"""Draw a minigrad computation graph so a person can read it.

    import visualize
    loss = F.cross_entropy(model(x), y)
    visualize.render(loss, params=model, path="graph.svg")      # needs Graphviz `dot`
    print(visualize.to_dot(loss, params=model))                 # needs nothing

Rounded boxes are ops (name, settings, output shape), square boxes tensors
(parameters by their module path, inputs, outputs); dashed boxes group the ops of
each module; a legend explains the colours. ``collapse=`` folds modules into
single nodes, ``show_backward=True`` writes each op's gradient rules (from its docstring),
``show_saved=True`` shows what each op keeps for backward, and ``show_grad=True``
(after backward) colours every tensor by its gradient norm and flags NaN/inf and
all-zero gradients; intermediate gradients need :func:`record_grads` before backward.

``explore(loss, params=model, path="backprop.html")`` runs one backward and writes a
self-contained page that steps through it in the engine's order (the backprop
explorer; ``--html`` on the command line); ``history=GradientHistory(...)`` or
``explore_training(model, x, y, steps=K)`` adds per-parameter gradient norms over
K training steps.

Command line: ``python -m visualize examples/train_mnist.py --out graph.svg``
(see ``python -m visualize --help``).
"""
from __future__ import annotations

from . import report  # noqa: F401
from .api import draw_graph, render, to_dot
from .explore import explore
from .grads import GradRecorder, GradStats, record_grads
from .history import GradientHistory, explore_training
from .render import GraphvizMissingError
from .report import grad_rows, grad_table

__all__ = ["to_dot", "draw_graph", "render", "explore", "record_grads", "GradRecorder", "GradStats",
           "GraphvizMissingError", "grad_rows", "grad_table", "GradientHistory", "explore_training"]
