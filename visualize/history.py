"""Gradient norms over several training steps, for the explorer's "over time" strip.

A :class:`GradientHistory` is told, after each ``backward()`` of the caller's own
training loop, to note every parameter's gradient L2 norm (and the loss); passed to
:func:`visualize.explore` as ``history=``, the page shows the norms as a strip,
one row per parameter (inputs side first), one column per step: the
vanishing-gradient story of ``examples/gradient_flow.py`` as it unfolds.
:func:`explore_training` runs such a loop itself (plain SGD on one batch).

    history = visualize.GradientHistory(model)
    for step in range(20):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        history.record(loss)
        optimizer.step()
    visualize.explore(F.cross_entropy(model(x), y), params=model, history=history)
"""
from __future__ import annotations

import numpy as np

import minigrad
import minigrad.optim

from .naming import parameter_names


class GradientHistory:
    """Each parameter's gradient L2 norm (float64, over the whole gradient) at every
    :meth:`record`, and the loss if given. params: an ``nn.Module``, a dict
    name -> Tensor or (name, Tensor) pairs, in forward order (rows keep it)."""

    def __init__(self, params):
        names = parameter_names(params)
        if not names:
            raise ValueError("visualize.GradientHistory: no parameters to follow (params is empty)")
        by_id = {}
        for t in _tensors(params):
            by_id.setdefault(id(t), t)
        self.rows = [(names[key], by_id[key]) for key in names]
        self.norms = [[] for _ in self.rows]
        self.loss = []

    def record(self, loss=None):
        """Note every parameter's gradient norm now (call it after backward, before
        the optimizer's step); a parameter without a gradient is noted as None."""
        for norms, (_, t) in zip(self.norms, self.rows):
            g = t.grad
            norms.append(None if g is None else
                         float(np.sqrt(np.sum(np.square(g.array, dtype=np.float64)))))
        self.loss.append(None if loss is None else float(np.asarray(
            loss.array if isinstance(loss, minigrad.Tensor) else loss)))

    def __len__(self):
        return len(self.loss)


def _tensors(params):
    if isinstance(params, dict):
        return list(params.values())
    if callable(getattr(params, "named_parameters", None)):
        return [t for _, t in params.named_parameters()]
    return [t for _, t in params]


def explore_training(model, inputs, targets, steps=10, lr=0.1, loss_fn=None,
                     path="backprop.html", **explore_options):
    """Train ``model`` for ``steps`` steps of plain SGD (``lr``) on one batch, noting
    the gradient norms after each backward, then explore the backward of step
    ``steps + 1`` with those norms as the page's "over time" strip.

    loss_fn(output, targets) -> scalar loss: cross-entropy by default. The model's
    weights change (they are trained); its ``.grad`` holds the explored step's
    gradients afterwards. Other keyword arguments go to :func:`visualize.explore`."""
    from .explore import explore
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"visualize.explore_training: steps must be a positive int, got {steps!r}")
    loss_fn = minigrad.nn.functional.cross_entropy if loss_fn is None else loss_fn
    history = GradientHistory(model)
    optimizer = minigrad.optim.SGD(model.parameters(), lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        history.record(loss)
        optimizer.step()
    optimizer.zero_grad()
    return explore(loss_fn(model(inputs), targets), params=model, path=path, history=history,
                   **explore_options)
