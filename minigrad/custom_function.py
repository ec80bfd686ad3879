"""PyTorch's ``autograd.Function`` protocol on minigrad's engine.

A subclass of :class:`minigrad.Function` whose ``forward`` and ``backward`` are
static methods taking a ``ctx`` first is a PyTorch-style function::

    class Cube(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, dy):
            x, = ctx.saved_tensors
            return 3 * x ** 2 * dy

    y = Cube.apply(x)

``apply`` runs it as one graph node, :class:`CustomFunction`: its forward calls the
user's ``forward`` on tensors (grad mode off, as PyTorch), its backward the user's
``backward``. What ``ctx.save_for_backward`` is given goes through the engine's one
channel (an input stays wired into the graph, so a backward written with tensor ops
has second derivatives too)."""
from __future__ import annotations

from .autograd import Function, Input, OUTPUT, no_grad
from ._tensor import Tensor, make_tensor


class FunctionCtx:
    """The ``ctx`` a PyTorch-style function's forward and backward share: what forward
    saves, ``needs_input_grad`` (one flag per forward argument) and any attribute the
    function sets on it."""

    def __init__(self, node, needs_input_grad):
        self.node = node
        self.needs_input_grad = needs_input_grad
        self.to_save = ()
        self.materialize_grads = True

    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"{self.node.name}: save_for_backward takes tensors (or None), got "
                                f"{type(t).__name__}; keep other values as ctx attributes")
        self.to_save = tensors

    @property
    def saved_tensors(self):
        return self.node.saved_tensors

    def mark_non_differentiable(self, *tensors):
        """Accepted for compatibility: minigrad's custom functions have one output."""

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)


class CustomFunction(Function):
    """y = forward(ctx, *inputs), a PyTorch-style ``autograd.Function`` (user code).
    dx_i = backward(ctx, dy)[i], the user's hand-written gradient
    """

    def __init__(self, function_class, arguments, tensor_positions):
        self.function_class = function_class
        self.arguments, self.tensor_positions = arguments, tensor_positions

    @property
    def name(self):
        from .tracing import NodeName
        return NodeName(self.function_class.__name__ + "Backward")

    def forward(self, *arrays):
        needs = [False] * len(self.arguments)
        for position, need in zip(self.tensor_positions, self.needs_input_grad):
            needs[position] = need
        self.ctx = FunctionCtx(self, tuple(needs))
        inputs = [make_tensor(a) for a in arrays]
        call = list(self.arguments)
        for position, t in zip(self.tensor_positions, inputs):
            call[position] = t
        with no_grad():
            out = self.function_class.forward(self.ctx, *call)
        if not isinstance(out, Tensor):
            raise TypeError(f"{self.function_class.__name__}.forward must return one Tensor, got "
                            f"{type(out).__name__} (minigrad's custom functions have one output)")
        self.save_for_backward(*[self.saved_item(t, inputs, out) for t in self.ctx.to_save])
        return out.array

    @staticmethod
    def saved_item(t, inputs, out):
        """What ctx saved, as the engine keeps it: an input by its index, the output as
        OUTPUT, anything else as a constant array."""
        if t is None:
            return None
        for i, x in enumerate(inputs):
            if t is x:
                return Input(i)
        return OUTPUT if t is out else t.array

    def backward(self, g):
        grads = self.function_class.backward(self.ctx, g)
        grads = grads if isinstance(grads, tuple) else (grads,)
        if len(grads) < len(self.arguments):
            raise ValueError(f"{self.function_class.__name__}.backward returned {len(grads)} "
                             f"gradient(s); forward took {len(self.arguments)} argument(s)")
        picked = []
        for position in self.tensor_positions:
            grad = grads[position]
            if grad is not None and not isinstance(grad, Tensor):
                raise TypeError(f"{self.function_class.__name__}.backward must return Tensors (or "
                                f"None), got {type(grad).__name__} for argument {position}")
            picked.append(grad)
        return tuple(picked)

    def settings(self):
        return {"function": self.function_class.__name__}


def apply_with_ctx(function_class, arguments):
    """``Function.apply(*args)`` for a PyTorch-style function: one graph node whose
    inputs are the tensor arguments (the others are passed through as they are)."""
    positions = tuple(i for i, a in enumerate(arguments) if isinstance(a, Tensor))
    node = CustomFunction(function_class, tuple(arguments), positions)
    return node(*[arguments[i] for i in positions])
