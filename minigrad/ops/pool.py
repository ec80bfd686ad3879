"""2-D max and average pooling, plain and adaptive, with the gradients derived by hand.

A pooling window of kH x kW taps, ``dilation`` apart, windows ``stride`` apart,
on the input padded by ``padding`` (-inf for max, zeros for average, as PyTorch);
or PyTorch's adaptive windows. The geometry (output sizes, taps, ceil_mode) is
``minigrad/kernels/windows.py``; the numbers come from the selected kernel set
(``minigrad.kernels.use``), whose ``reference`` module states each rule as numpy.
With g = dL/dy (docs/derivations.md, sections 2, 3 and 6):

* average: y = (sum over the window) / D, with D the window's own divisor (kH kW,
  or fewer at the edges: ``count_include_pad=False``, ceil_mode, adaptive), so
  each input pixel receives g / D from every window that contains it
  (``AvgUnpool2d``, whose own backward is the average pooling again);
* max: y = x[argmax of the window], so the whole of g goes to the pixel that was
  the maximum, recorded in the forward pass (``MaxUnpool2d``); on ties, the first
  maximum in row-major window order (row by row, left to right) takes it all.
  Its backward gathers at the same argmax (``GatherArgmax2d``), and so on.

Overlapping windows add their contributions.
"""
from __future__ import annotations

import operator

from .. import kernels
from .._tensor import make_tensor
from ..autograd import Function
from ..checks import as_pair, check_bool, check_float_tensor
from ..kernels.windows import Window, adaptive_window, flat_indices


class _Pool(Function):
    def __init__(self, window):
        self._window = window

    @property
    def window(self):
        """The windows' geometry (a ``minigrad.kernels.windows.Window``)."""
        return self._window

    def settings(self):
        return self._window.settings()


class _MaxPool(_Pool):
    def forward(self, x, found=None):
        """``found``: (max, argmax) already computed by the caller (return_indices)."""
        need = self.needs_input_grad[0]
        if found is None:
            # Inference (no_grad, or no input needing a grad): the max only, no argmax.
            found = kernels.selected().max_pool(x, self._window, with_argmax=need)
        out, argmax = found
        if need:
            self.save_for_backward(argmax)
        return out

    def backward(self, g):
        argmax, = self.saved_tensors
        return MaxUnpool2d(self._window, argmax.array)(g)

    @property
    def argmax(self):
        """Each window's recorded argmax, as the tap index k = a*kW + b (row-major),
        shaped as the output; None without a gradient to route, or after backward."""
        kept = self._saved[0] if self._saved else None
        return None if kept is None else kept[1]

class MaxPool2d(_MaxPool):
    """y = max over each window; the argmax (first in row-major order on ties) is recorded.
    dx = MaxUnpool2d(argmax)(dy): dy routed to the recorded argmax
    """


class AdaptiveMaxPool2d(_MaxPool):
    """y = max over each adaptive window (rows floor(iH/Ho) .. ceil((i+1)H/Ho) - 1).
    dx = MaxUnpool2d(argmax)(dy): dy routed to the recorded argmax
    """


class MaxUnpool2d(_Pool):
    """y = zeros like the pooled input, with each x[n, c, i, j] added at its window's
        recorded ``argmax`` (overlapping windows accumulate).
    dx = GatherArgmax2d(argmax)(dy)
    """

    def __init__(self, window, argmax):
        super().__init__(window)
        self._argmax = argmax   # part of the op's definition, like Where's condition

    def forward(self, g):
        return kernels.selected().max_unpool(g, self._argmax, self._window)

    def backward(self, gg):
        return GatherArgmax2d(self._window, self._argmax)(gg)


class GatherArgmax2d(_Pool):
    """y[n, c, i, j] = x[n, c, recorded argmax of window (i, j)] (max pooling with the
        argmax frozen).
    dx = MaxUnpool2d(argmax)(dy)
    """

    def __init__(self, window, argmax):
        super().__init__(window)
        self._argmax = argmax

    def forward(self, x):
        return kernels.selected().gather_argmax(x, self._argmax, self._window)

    def backward(self, g):
        return MaxUnpool2d(self._window, self._argmax)(g)


# -- average pooling -----------------------------------------------------------------

class _AvgPool(_Pool):
    def forward(self, x):
        return kernels.selected().avg_pool(x, self._window)

    def backward(self, g):
        return AvgUnpool2d(self._window)(g)


class AvgPool2d(_AvgPool):
    """y = sum over each window / D, D = the window's divisor (kH kW; at the edges, the
        real pixels without count_include_pad, the part inside the padded input with ceil_mode).
    dx = AvgUnpool2d(dy): dy / D spread over each window
    """


class AdaptiveAvgPool2d(_AvgPool):
    """y = mean over each adaptive window (rows floor(iH/Ho) .. ceil((i+1)H/Ho) - 1).
    dx = AvgUnpool2d(dy): dy / (window size) spread over each window
    """


class AvgUnpool2d(_Pool):
    """y = each x[n, c, i, j] / D (its window's divisor) added to every pixel of its
        window (the adjoint of average pooling).
    dx = AvgPool2d(dy)
    """

    def forward(self, g):
        return kernels.selected().avg_unpool(g, self._window)

    def backward(self, gg):
        return (AdaptiveAvgPool2d if self._window.adaptive else AvgPool2d)(self._window)(gg)


# -- argument checking and the public functions --------------------------------------

def _window(op, x, kernel_size, stride, padding, dilation=1, ceil_mode=False,
            count_include_pad=True):
    check_float_tensor(x, "input", op, 4, "(N, C, H, W)")
    kernel = as_pair(kernel_size, "kernel_size", op, minimum=1)
    stride = kernel if stride is None else as_pair(stride, "stride", op, minimum=1)
    padding = as_pair(padding, "padding", op, minimum=0)
    dilation = as_pair(dilation, "dilation", op, minimum=1)
    ceil_mode = check_bool(ceil_mode, op, "ceil_mode")
    count_include_pad = check_bool(count_include_pad, op, "count_include_pad")
    if any(2 * padding[i] > kernel[i] for i in (0, 1)):   # checked first, as PyTorch
        raise ValueError(f"{op}: padding {padding} must be at most half the kernel_size "
                         f"{kernel} (as PyTorch), so every window holds a real pixel")
    for i, name in ((0, "height"), (1, "width")):
        span = dilation[i] * (kernel[i] - 1) + 1
        if span > x.shape[2 + i] + 2 * padding[i]:
            spans = f" (dilation {dilation[i]}: spans {span})" if dilation[i] > 1 else ""
            raise ValueError(f"{op}: kernel_size {kernel}{spans} is larger than the padded input "
                             f"({name} {x.shape[2 + i]} + 2*padding {padding[i]}); input "
                             f"shape {x.shape}")
    return Window(kernel, stride, padding, x.shape[2:], dilation, ceil_mode, count_include_pad)


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over kH x kW windows (taps ``dilation`` apart), ``stride`` apart (default:
    kernel_size), on the input padded with -inf; ``ceil_mode``: round the output
    size up (a last, partial window, never one starting in the right padding).
    The gradient goes to each window's first maximum (row-major order). With
    ``return_indices``: (output, indices), the argmax as h * W + w (int64)."""
    window = _window("max_pool2d", x, kernel_size, stride, padding, dilation, ceil_mode)
    return _max_pool(MaxPool2d, x, window, check_bool(return_indices, "max_pool2d",
                                                       "return_indices"))


def _max_pool(op, x, window, return_indices):
    if not return_indices:
        return op(window)(x)
    out, argmax = kernels.selected().max_pool(x.array, window)
    return op(window)(x, found=(out, argmax)), make_tensor(flat_indices(argmax, window))


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mean over kH x kW windows, ``stride`` apart (default: kernel_size), on the
    input padded with zeros that count in the mean unless ``count_include_pad=False``;
    ``ceil_mode`` as in max_pool2d (a partial last window divides by its part inside
    the padded input, as PyTorch)."""
    window = _window("avg_pool2d", x, kernel_size, stride, padding, 1, ceil_mode,
                     count_include_pad)
    return AvgPool2d(window)(x)


def _adaptive_window(op, x, output_size):
    check_float_tensor(x, "input", op, 4, "(N, C, H, W)")
    if 0 in x.shape[1:]:
        raise ValueError(f"{op}: input must have non-zero channels, height and width (only the "
                         f"batch may be empty), got shape {x.shape}")
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    if len(sizes) != 2:
        raise ValueError(f"{op}: output_size must be an int or an (H, W) pair (None keeps the "
                         f"input's size), got {output_size!r}")
    out_hw = []
    for size, kept in zip(sizes, x.shape[2:]):
        try:
            size = kept if size is None else operator.index(size)
        except TypeError:
            raise TypeError(f"{op}: output_size must be ints or None, got {output_size!r}") from None
        if size < 0 or isinstance(size, bool):
            raise ValueError(f"{op}: output_size must be >= 0, got {output_size!r}")
        out_hw.append(size)
    return adaptive_window(x.shape[2:], out_hw)


def adaptive_avg_pool2d(x, output_size):
    """Mean over PyTorch's adaptive windows, which give an output of ``output_size``
    (an int, or an (H, W) pair whose None entries keep the input's size)."""
    return AdaptiveAvgPool2d(_adaptive_window("adaptive_avg_pool2d", x, output_size))(x)


def adaptive_max_pool2d(x, output_size, return_indices=False):
    """Max over PyTorch's adaptive windows (see adaptive_avg_pool2d); with
    ``return_indices``: (output, indices) as max_pool2d."""
    op = "adaptive_max_pool2d"
    window = _adaptive_window(op, x, output_size)
    return _max_pool(AdaptiveMaxPool2d, x, window, check_bool(return_indices, op, "return_indices"))
