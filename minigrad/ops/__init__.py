"""Differentiable ops, one module per family. Each op is a ``Function`` subclass
with its forward and its hand-written backward side by side; importing a family
binds its methods and operators onto ``Tensor``."""
from . import elementwise, shape, reduce, linalg, activation, loss, dropout, conv, pool  # noqa: F401
