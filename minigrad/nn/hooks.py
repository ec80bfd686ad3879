"""The machinery behind ``Module``'s hooks: the bookkeeping of one call of a module
with full backward hooks (the handles that remove hooks are ``minigrad.utils.hooks``'s)."""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from .._tensor import Tensor, make_tensor
from ..utils.hooks import RemovableHandle

__all__ = ["HOOK_KINDS", "RemovableHandle", "BackwardWatch"]


HOOK_KINDS = ("_forward_pre_hooks", "_forward_hooks", "_backward_hooks")


class _PackInputs(Function, register=False):
    """y = the inputs raveled and concatenated (one node, so a backward hook sees
        every input's gradient at once).
    dx = the slice of dy that belongs to each input, reshaped
    """

    def forward(self, *arrays):
        return np.concatenate([a.reshape(-1) for a in arrays])

    def backward(self, g):
        return tuple(piece for piece in _unpack(g, self.input_shapes, self.input_dtypes))


def _unpack(packed, shapes, dtypes):
    start = 0
    for shape, dtype in zip(shapes, dtypes):
        size = int(np.prod(shape))
        piece = packed[start:start + size].reshape(shape)
        yield piece if piece.dtype == dtype else piece.astype(dtype)
        start += size


class BackwardWatch:
    """One call of a module with full backward hooks: the gradients of the outputs
    are noted as they arrive; the inputs that need a gradient pass through one
    ``_PackInputs`` node, whose gradient is every input's gradient together, and
    there the hooks run (with None for inputs that need no gradient)."""

    def __init__(self, module, hooks):
        self.module, self.hooks = module, hooks
        self.grad_outputs, self.outputs_waiting = [], 0
        self.tensor_args, self.positions, self.shapes, self.dtypes = [], [], [], []

    def wrap_inputs(self, args):
        self.tensor_args = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.positions = [i for i in self.tensor_args if args[i].requires_grad]
        if not self.positions:
            return args
        inputs = [args[i] for i in self.positions]
        self.shapes = [t.shape for t in inputs]
        self.dtypes = [t.dtype for t in inputs]
        packed = _PackInputs()(*inputs)
        packed.register_hook(self.on_input_gradient)
        args = list(args)
        for i, piece in zip(self.positions, _unpack(packed, self.shapes, self.dtypes)):
            args[i] = piece
        return tuple(args)

    def watch_outputs(self, output):
        outputs = output if isinstance(output, (tuple, list)) else (output,)
        self.grad_outputs = [None] * len(outputs)
        for k, out in enumerate(outputs):
            if isinstance(out, Tensor) and out.requires_grad:
                self.outputs_waiting += 1
                out.register_hook(lambda g, k=k: self.on_output_gradient(k, g))

    def on_output_gradient(self, k, g):
        self.grad_outputs[k] = g
        self.outputs_waiting -= 1
        if not self.positions and self.outputs_waiting == 0:   # no input wants a gradient
            self.run_hooks((None,) * len(self.tensor_args))

    def on_input_gradient(self, g):
        by_position = dict(zip(self.positions, _unpack(g, self.shapes, self.dtypes)))
        replaced = self.run_hooks(tuple(by_position.get(i) for i in self.tensor_args))
        if replaced is None:
            return None
        pieces = [replaced[j] for j, i in enumerate(self.tensor_args) if i in by_position]
        return make_tensor(np.concatenate([
            (np.zeros(shape, dtype) if p is None else np.asarray(p.array, dtype)).reshape(-1)
            for p, shape, dtype in zip(pieces, self.shapes, self.dtypes)]))

    def run_hooks(self, grad_input):
        grad_output = tuple(self.grad_outputs)
        replaced = None
        for hook in self.hooks:
            result = hook(self.module, grad_input, grad_output)
            if result is not None:
                result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
                if len(result) != len(grad_input):
                    raise ValueError(f"backward hook of {type(self.module).__name__} returned "
                                     f"{len(result)} gradient(s) for {len(grad_input)} input(s)")
                grad_input = replaced = result
        return replaced
