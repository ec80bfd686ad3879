"""The numpy kernels behind the conv and pooling ops, in two sets that compute the
same numbers:

* ``reference`` (``reference.py``): each rule as the textbook writes it (im2col +
  matmul, the full convolution with rot180, upsample-and-divide, argmax routing);
* ``fast`` (``fast/``, the default): tiled, cache- and layout-aware kernels.

``use("reference")`` selects a set for the whole process; ``with use("reference"):``
selects it for a block and restores the previous one after. Both sets provide:

    pad_input(x, padding)                                   the padded input a_p
    conv2d(x, w, stride, padding, dilation, groups, padded=None)
    conv_transpose2d(g, w, out_hw, stride, padding, dilation, groups)
    conv2d_weight(x, g, kernel, stride, padding, dilation, groups, padded=None)
    max_pool(x, window, with_argmax) -> (max, argmax tap index or None)
    max_unpool(g, argmax, window), gather_argmax(x, argmax, window)
    avg_pool(x, window), avg_unpool(g, window)

(``window``: a ``windows.Window``; ``padded``: what the same set's ``pad_input`` made.)
"""
from __future__ import annotations

from . import fast, reference, windows  # noqa: F401

SETS = {"fast": fast, "reference": reference}


class _Selection:
    kernels = fast   # one choice for the whole process (every thread)


_selection = _Selection()


def selected():
    """The kernel set the ops call now (the module ``fast`` or ``reference``)."""
    return _selection.kernels


class use:
    """Select the kernel set: ``use("reference")`` (until the next call), or
    ``with use("reference"): ...`` (for the block only)."""

    def __init__(self, name):
        if name not in SETS:
            raise ValueError(f"minigrad.kernels.use: kernel set must be one of "
                             f"{sorted(SETS)}, got {name!r}")
        self.previous = _selection.kernels
        _selection.kernels = SETS[name]

    def __enter__(self):
        return _selection.kernels

    def __exit__(self, *exc):
        _selection.kernels = self.previous
