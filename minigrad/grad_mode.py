"""Grad mode: whether ops record the graph, per thread (``no_grad``, ``enable_grad``,
``set_grad_enabled``, ``is_grad_enabled``; :mod:`minigrad.autograd` re-exports them)."""
from __future__ import annotations

import functools
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "GradModeContext",
           "grad_state"]


class GradState(threading.local):
    """Per thread: one thread under ``no_grad`` leaves the others recording."""
    enabled = True


grad_state = GradState()


def is_grad_enabled() -> bool:
    return grad_state.enabled


class GradModeContext:
    """A context manager and decorator that records the graph (``mode`` True) or not
    inside, and restores the previous mode after."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)

    def __enter__(self):
        self.prev, grad_state.enabled = grad_state.enabled, self.mode

    def __exit__(self, *exc):
        grad_state.enabled = self.prev

    def __call__(self, func):
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with GradModeContext(mode):
                return func(*args, **kwargs)
        return wrapper


class set_grad_enabled(GradModeContext):
    """As PyTorch: ``set_grad_enabled(False)`` called alone sets the mode for this
    thread from now on; ``with set_grad_enabled(False):`` sets it inside only, and
    ``@set_grad_enabled(False)`` inside the decorated function only (decorating
    leaves the current mode as it was)."""

    def __init__(self, mode: bool):
        super().__init__(mode)
        self.prev, grad_state.enabled = grad_state.enabled, self.mode

    def __enter__(self):   # the mode was set when made; __exit__ restores the one before
        grad_state.enabled = self.mode

    def __call__(self, func):
        grad_state.enabled = self.prev
        return super().__call__(func)


def no_grad(func=None):
    """``with no_grad():``, ``@no_grad()`` or ``@no_grad``: record no graph."""
    return GradModeContext(False)(func) if func else GradModeContext(False)


def enable_grad(func=None):
    """The opposite of ``no_grad``: record the graph inside, even under no_grad."""
    return GradModeContext(True)(func) if func else GradModeContext(True)
