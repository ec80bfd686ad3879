"""What :func:`minigrad.autograd.grad` (PyTorch's ``torch.autograd.grad``) asks of a
backward pass: its arguments as lists, checked; a :class:`Capture` that keeps the
gradients of the requested tensors instead of accumulating ``.grad``, and runs only
the nodes that lead to them; and the check that every requested tensor was reached."""
from __future__ import annotations

from ._tensor import Tensor, check_grad_output


def grad_arguments(outputs, inputs, grad_outputs):
    """``grad``'s arguments as three lists (outputs, inputs, one gradient per output),
    refusing a tensor that does not require grad."""
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None or not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs] * (len(outputs) if grad_outputs is None else 1)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for t in inputs + outputs:
        if not t.requires_grad:
            kind = "an input" if any(t is i for i in inputs) else "an output"
            raise RuntimeError(f"grad: {kind} of shape {t.shape} does not require grad")
    return outputs, inputs, [check_grad_output(o, g, "grad") for o, g in zip(outputs, grad_outputs)]


class Capture:
    """The gradients of ``tensors`` as backward reaches them (``grads``, one per tensor);
    ``to_run``: the nodes of ``order`` (parents first) whose backward leads to one."""

    def __init__(self, tensors, order):
        self.targets = {}   # node or leaf -> the positions in ``tensors`` it answers
        for i, t in enumerate(tensors):
            self.targets.setdefault(t.grad_fn or t, []).append(i)
        self.grads = [None] * len(tensors)
        self.to_run = nodes_to_run(order, self.targets)

    def reached(self, at, g):
        """Backward reached ``at`` (a node or a leaf) with ``g``: keep it if ``at`` is a
        requested tensor. Whether ``at``'s backward leads to one (for a node: run it)."""
        for i in self.targets.get(at, ()):
            self.grads[i] = g
        return at in self.to_run


def nodes_to_run(order, targets):
    """The nodes whose backward leads to a target (node or leaf)."""
    reaches, run = set(), set()   # reaches: a target is this node or lies upstream of it
    for node in order:   # parents first, so a parent's answer is known
        if any(p in reaches or p in targets for p in node.parents if p is not None):
            run.add(node)
            reaches.add(node)
        elif node in targets:
            reaches.add(node)
    return run


def all_used(inputs, grads, allow_unused):
    """``grads`` as a tuple, refusing a requested input that no gradient reached unless
    ``allow_unused``."""
    unused = [t for t, g in zip(inputs, grads) if g is None]
    if unused and not allow_unused:
        raise RuntimeError(f"grad: an input of shape {unused[0].shape} was not used to compute "
                           "the outputs; pass allow_unused=True to get None for it")
    return tuple(grads)
