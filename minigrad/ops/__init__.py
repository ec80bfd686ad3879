"""Differentiable ops, one module per family. Each op is a ``Function`` subclass
with its forward and its hand-written backward side by side; ``Tensor``'s methods
(``minigrad/_tensor.py``) are one-line calls into these modules."""
from . import elementwise, shape, reduce, linalg, activation, loss, dropout, conv, pool  # noqa: F401
