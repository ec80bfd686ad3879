"""2-D convolution and its transpose, with the gradients derived by hand.

Notation (NCHW, one group; docs/derivations.md has the whole derivation, and
``minigrad/kernels/reference.py`` each rule as numpy):
x (N, C, H, W) is padded by p to x_p; the weight w is (O, C, kH, kW); stride s,
dilation d. Then

    y[n, o, i, j] = sum_{c, a, b} w[o, c, a, b] * x_p[n, c, s*i + d*a, s*j + d*b] + bias[o]

and, with g = dL/dy, the chain rule gives three formulas, each one op here:

* input gradient (op ``ConvTranspose2d``): every y[n, o, i, j] touched the pixels
  x_p[n, c, s*i + d*a, s*j + d*b], so dx_p[n, c, u, v] collects g[n, o, i, j] *
  w[o, c, a, b] over the (i, j, a, b) that land on (u, v). Written as a
  convolution, that is the *full* convolution of g, dilated by the stride and
  padded by d(k-1) - p, with the kernel rotated by 180 degrees and its in/out
  channels swapped (``full_convolution_rot180``; ``reference.conv_transpose2d``).
* weight gradient (op ``Conv2dWeightGrad``): dw[o, c, a, b] = sum_{n, i, j}
  g[n, o, i, j] * x_p[n, c, s*i + d*a, s*j + d*b], the correlation of the input
  with the output gradient (``reference.conv2d_weight``).
* bias gradient: db[o] = sum_{n, i, j} g[n, o, i, j] (``reference.bias_grad``).

The three ops are bilinear and each one's backward is made of the other two, so
gradients of any order work: Conv2d -> (ConvTranspose2d, Conv2dWeightGrad),
ConvTranspose2d -> (Conv2d, Conv2dWeightGrad), Conv2dWeightGrad -> (ConvTranspose2d, Conv2d).

The numbers come from the selected kernel set (``minigrad.kernels.use``): the
textbook ``reference`` kernels or the ``fast`` ones (the default); argument
checks are in ``conv_args.py``.
"""
from __future__ import annotations

import numpy as np

from .. import kernels
from .._tensor import Tensor, make_tensor
from ..autograd import Function, Input
from ..checks import as_pair, check_float_tensor, check_same_dtype
from ..kernels.reference import rot180_swap
from ..kernels.windows import output_hw as conv_output_hw
from .conv_args import (check_bias, check_conv_call, check_groups, check_window_fits,
                        conv_args, full_convolution_args, same_padding, teaching_array)
from .pad_flip_repeat import pad

__all__ = ["Conv2d", "ConvTranspose2d", "Conv2dWeightGrad", "conv2d", "conv_transpose2d",
           "conv2d_weight", "rot180", "full_convolution_rot180", "same_padding"]


def _crop_to(t, hw):
    """The top-left hw of an NCHW tensor (differentiable); t itself if it fits."""
    return t if t.shape[2:] == tuple(hw) else t[:, :, :hw[0], :hw[1]]


class _Conv(Function):
    """Shared hyper-parameters: pairs of stride, padding, dilation, and groups."""

    def __init__(self, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups

    def _geometry(self):
        return self.stride, self.padding, self.dilation, self.groups

    @staticmethod
    def _add_bias(out, bias):
        if bias is not None:
            out += bias.reshape(1, -1, 1, 1)
        return out

    def _with_bias_grad(self, gx, gw, g):
        """(dx, dw), and dbias = g summed over N, H, W when the op was given a bias."""
        need = self.needs_input_grad
        if len(need) == 2:
            return gx, gw
        return gx, gw, (g.sum(axis=(0, 2, 3)) if need[2] else None)

    def _unread(self, in_hw, kernel):
        """Input rows/cols past the last window (the forward's floor): the
        output_padding that makes the transpose give back the input's size."""
        return tuple((in_hw[i] + 2 * self.padding[i] - self.dilation[i] * (kernel[i] - 1) - 1)
                     % self.stride[i] for i in (0, 1))


class Conv2d(_Conv):
    """y = conv2d(x, w) + bias (cross-correlation, as PyTorch).
    dx = ConvTranspose2d(dy, w): the full convolution of the stride-dilated dy, padded
        by d(k-1) - p, with w rotated 180 degrees and in/out channels swapped
    dw = Conv2dWeightGrad(x, dy): the correlation of x with dy
    dbias = dy summed over N, H, W
    """

    def forward(self, x, w, bias=None):
        self._kernels = kernels.selected()
        padded = self._kernels.pad_input(x, self.padding)
        need_x, need_w = self.needs_input_grad[:2]
        # dx reads w; dw reads x, and the padded copy of x serves it again (the same
        # windows: no second copy).
        self.save_for_backward(Input(0) if need_w else None, Input(1) if need_x else None,
                               padded if need_w else None)
        return self._add_bias(self._kernels.conv2d(x, w, *self._geometry(), padded=padded), bias)

    def backward(self, g):
        x, w, padded = self.saved_tensors
        x_shape, w_shape = self.input_shapes[:2]
        kernel = w_shape[2:]
        gx = (ConvTranspose2d(*self._geometry(), output_padding=self._unread(x_shape[2:], kernel))
              (g, w) if w is not None else None)
        # the padded input is in the layout of the kernel set that made it
        reuse = padded.array if padded is not None and kernels.selected() is self._kernels else None
        gw = (Conv2dWeightGrad(kernel, *self._geometry())(x, g, padded_input=reuse)
              if x is not None else None)
        return self._with_bias_grad(gx, gw, g)

    @property
    def weight(self):
        """The weight's values (an array; what visualize/teaching_views.py shows), or None
        when not at hand: the leaf's own, else the copy forward saved for dx."""
        parents = getattr(self, "parents", ())
        if len(parents) > 1 and isinstance(parents[1], Tensor):
            return parents[1].array
        kept = self._saved[1] if self._saved and len(self._saved) > 1 else None
        return None if kept is None else kept[1]


class ConvTranspose2d(_Conv):
    """y = conv_transpose2d(x, w) + bias, the adjoint of conv2d with the same weight.
    dx = Conv2d(dy, w)
    dw = Conv2dWeightGrad(dy, x) (x plays the output gradient)
    dbias = dy summed over N, H, W

    Forward spreads each input pixel, times w, over a kH x kW patch of the output,
    patches s apart (w is (C_in, C_out/groups, kH, kW), as PyTorch): col2im(w^T @ x),
    i.e. ``full_convolution_rot180`` without its zeros. y is linear in x with
    conv2d(., w) as its adjoint, hence dx.
    """

    def __init__(self, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1,
                 output_padding=(0, 0)):
        super().__init__(stride, padding, dilation, groups)
        self.output_padding = output_padding

    def output_hw(self, in_hw, kernel):
        return tuple((in_hw[i] - 1) * self.stride[i] - 2 * self.padding[i]
                     + self.dilation[i] * (kernel[i] - 1) + self.output_padding[i] + 1
                     for i in (0, 1))

    def forward(self, x, w, bias=None):
        need_x, need_w = self.needs_input_grad[:2]
        self.save_for_backward(Input(0) if need_w else None, Input(1) if need_x else None)
        out_hw = self.output_hw(x.shape[2:], w.shape[2:])
        out = kernels.selected().conv_transpose2d(x, w, out_hw, *self._geometry())
        return self._add_bias(out, bias)

    def backward(self, g):
        x, w = self.saved_tensors
        x_shape, w_shape = self.input_shapes[:2]
        # With output_padding >= stride, conv2d of g reaches past x: keep x's part.
        gx = _crop_to(Conv2d(*self._geometry())(g, w), x_shape[2:]) if w is not None else None
        gw = Conv2dWeightGrad(w_shape[2:], *self._geometry())(g, x) if x is not None else None
        return self._with_bias_grad(gx, gw, g)


class Conv2dWeightGrad(_Conv):
    """y = conv2d_weight(x, g): y[o, c, a, b] = sum_{n,i,j} g[n,o,i,j]
        x_p[n,c,s*i+d*a,s*j+d*b] (the weight gradient of a conv).
    dx = ConvTranspose2d(g, dy) (the input gradient of a conv with weight dy)
    dg = Conv2d(x, dy) (the conv itself, with weight dy)

    It is bilinear in (x, g), so both gradients are convolutions with dy as the weight.
    """

    def __init__(self, kernel_size, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
        super().__init__(stride, padding, dilation, groups)
        self.kernel_size = tuple(kernel_size)

    def forward(self, x, g, padded_input=None):
        """``padded_input``: x as the selected kernel set's ``pad_input`` made it,
        when the caller (Conv2d's backward) has it at hand; not kept."""
        need_x, need_g = self.needs_input_grad
        self.save_for_backward(Input(0) if need_g else None, Input(1) if need_x else None)
        return kernels.selected().conv2d_weight(x, g, self.kernel_size, *self._geometry(),
                                                padded=padded_input)

    def backward(self, gw):
        x, g = self.saved_tensors
        in_hw, g_hw = self.input_shapes[0][2:], self.input_shapes[1][2:]
        full_hw = conv_output_hw(in_hw, self.kernel_size, self.stride, self.padding, self.dilation)
        # g may cover fewer output positions than x allows (then the transpose must
        # still give back x's size: the extra rows enter output_padding).
        extra = tuple(self._unread(in_hw, self.kernel_size)[i]
                      + (full_hw[i] - g_hw[i]) * self.stride[i] for i in (0, 1))
        gx = ConvTranspose2d(*self._geometry(), output_padding=extra)(g, gw) if g is not None else None
        gg = _crop_to(Conv2d(*self._geometry())(x, gw), g_hw) if x is not None else None
        return gx, gg


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation, as PyTorch) of x (N, C_in, H, W) with weight
    (C_out, C_in/groups, kH, kW): output (N, C_out, Ho, Wo) with
    Ho = floor((H + 2p - d(kH-1) - 1) / s) + 1. ``stride``, ``padding``, ``dilation``:
    an int or an (h, w) pair; ``padding='valid'`` is 0 and ``padding='same'``
    (stride 1) keeps H and W, an odd total padding d(k-1) putting its extra row and
    column at the bottom and right, as PyTorch."""
    op = "conv2d"
    if isinstance(padding, str):   # 'same' reads the kernel size: check the tensors first
        check_float_tensor(x, "input", op, 4, "(N, C_in, H, W)")
        check_float_tensor(weight, "weight", op, 4, "(C_out, C_in/groups, kH, kW)")
    padding, extra = same_padding(padding, stride, dilation, weight.shape[2:], op)
    stride, padding, dilation, groups = check_conv_call(
        op, x, weight, bias, "(C_out, C_in/groups, kH, kW)", stride, padding, dilation, groups)
    if extra is not None:   # zero rows/columns at the end, through the (differentiable) Pad op
        x = pad(x, ((0, 0), (0, 0), (0, extra[0]), (0, extra[1])))
    c_in, c_out = x.shape[1], weight.shape[0]
    if c_in % groups or c_out % groups:
        raise ValueError(f"{op}: groups={groups} must divide both input channels ({c_in}, input "
                         f"{x.shape}) and output channels ({c_out}, weight {weight.shape})")
    if weight.shape[1] * groups != c_in:
        raise ValueError(f"{op}: input {x.shape} has {c_in} channels but weight {weight.shape} "
                         f"with groups={groups} expects {weight.shape[1] * groups} "
                         f"(weight.shape[1] * groups)")
    check_bias(op, bias, c_out)
    check_window_fits(op, x.shape[2:], weight.shape[2:], padding, dilation, x.shape, weight.shape)
    inputs = (x, weight) if bias is None else (x, weight, bias)
    return Conv2d(stride, padding, dilation, groups)(*inputs)


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """Transposed convolution (the adjoint of conv2d, "fractionally strided"), as
    PyTorch: x (N, C_in, H, W), weight (C_in, C_out/groups, kH, kW), output
    (N, C_out, Ho, Wo) with Ho = (H - 1)s - 2p + d(kH - 1) + output_padding + 1."""
    op = "conv_transpose2d"
    stride, padding, dilation, groups = check_conv_call(
        op, x, weight, bias, "(C_in, C_out/groups, kH, kW)", stride, padding, dilation, groups)
    output_padding = as_pair(output_padding, "output_padding", op, minimum=0)
    for axis in (0, 1):
        if output_padding[axis] >= max(stride[axis], dilation[axis]):
            raise ValueError(f"{op}: output_padding {output_padding} must be smaller than "
                             f"stride {stride} or dilation {dilation} (per axis)")
    c_in = x.shape[1]
    if c_in % groups:
        raise ValueError(f"{op}: groups={groups} must divide the input channels ({c_in}, input "
                         f"{x.shape})")
    if weight.shape[0] != c_in:
        raise ValueError(f"{op}: input {x.shape} has {c_in} channels but weight {weight.shape} "
                         f"expects {weight.shape[0]} (weight.shape[0])")
    fn = ConvTranspose2d(stride, padding, dilation, groups, output_padding)
    out_hw = fn.output_hw(x.shape[2:], weight.shape[2:])
    if min(out_hw) < 1:
        raise ValueError(f"{op}: input {x.shape} and weight {weight.shape} with stride {stride}, "
                         f"padding {padding}, dilation {dilation} give an empty output "
                         f"{out_hw}; reduce the padding")
    check_bias(op, bias, weight.shape[1] * groups)
    return fn(*((x, weight) if bias is None else (x, weight, bias)))


def conv2d_weight(x, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv2d with respect to its weight (as
    ``torch.nn.grad.conv2d_weight``): the correlation of ``x`` with ``grad_output``."""
    op = "conv2d_weight"
    check_float_tensor(x, "input", op, 4, "(N, C_in, H, W)")
    check_float_tensor(grad_output, "grad_output", op, 4, "(N, C_out, Ho, Wo)")
    check_same_dtype(op, ("input", x), ("grad_output", grad_output))
    stride, padding, dilation, groups = conv_args(op, stride, padding, dilation, groups)
    weight_size = tuple(weight_size)
    if len(weight_size) != 4:
        raise ValueError(f"{op}: weight_size must be (C_out, C_in/groups, kH, kW), got "
                         f"{weight_size}")
    c_out, c_g, kh, kw = weight_size
    expected = (x.shape[0], c_out) + conv_output_hw(x.shape[2:], (kh, kw), stride, padding, dilation)
    if c_g * groups != x.shape[1] or c_out % groups or grad_output.shape != expected:
        raise ValueError(f"{op}: input {x.shape}, weight_size {weight_size}, groups {groups} "
                         f"need grad_output of shape {expected}, got {grad_output.shape}")
    return Conv2dWeightGrad((kh, kw), stride, padding, dilation, groups)(x, grad_output)


# -- teaching aids: the conv input gradient in its textbook form ---------------------------
# They return plain (non-differentiable) Tensors: they exist to be read and compared
# with what backward() gives, not to be trained through.

def rot180(weight, groups=1):
    """The kernel that the conv input gradient convolves with.

    * ``weight`` of shape (kH, kW): the filter rotated by 180 degrees (flipped
      upside down and left to right), ``result[a, b] = weight[kH-1-a, kW-1-b]``.
    * a conv2d weight of shape (C_out, C_in/groups, kH, kW): every filter rotated,
      and the in/out channels swapped within each group, giving
      (C_in, C_out/groups, kH, kW): the input gradient runs the conv "backwards",
      from the output channels to the input channels.

    Accepts a Tensor or an array; returns a Tensor that does not require grad."""
    op = "rot180"
    w = teaching_array(weight, "weight", op)
    groups = check_groups(groups, op)
    if w.ndim == 2:
        if groups != 1:
            raise ValueError(f"{op}: a single (kH, kW) filter {w.shape} has no channels to "
                             f"split into groups={groups}; pass a 4-D weight")
        return make_tensor(w[::-1, ::-1].copy())
    if w.ndim != 4:
        raise ValueError(f"{op}: weight must be a (kH, kW) filter or a conv2d weight "
                         f"(C_out, C_in/groups, kH, kW), got shape {w.shape}")
    if w.shape[0] % groups:
        raise ValueError(f"{op}: groups={groups} must divide the output channels of weight "
                         f"{w.shape} ({w.shape[0]})")
    return make_tensor(rot180_swap(w, groups).copy())


def full_convolution_rot180(dy, weight, stride=1, padding=0, dilation=1, groups=1,
                            input_size=None):
    """conv2d's input gradient computed literally as the textbook writes it: dilate
    ``dy`` by the stride (s-1 zeros between neighbours), pad it by d(k-1) - p on each
    side (plus, at the bottom/right, the rows the forward's floor left unread), and
    correlate it with ``rot180(weight, groups)`` at stride 1 and dilation d
    (``minigrad.kernels.reference.conv_transpose2d``).

    ``dy``: the gradient at conv2d's output, (N, C_out, Ho, Wo); ``weight``: the
    conv2d weight (C_out, C_in/groups, kH, kW); ``stride``, ``padding``,
    ``dilation``, ``groups``: the forward's settings; ``input_size``: the forward
    input's (H, W) (or its whole (N, C_in, H, W) shape), needed when the stride
    left rows unread; by default the smallest input that gives ``dy``'s size.

    Returns dL/dx, a Tensor of shape (N, C_in, H, W) that does not require grad:
    the same numbers as ``x.grad`` after ``conv2d(x, weight, ...).backward(dy)``."""
    op = "full_convolution_rot180"
    g = teaching_array(dy, "dy", op)
    w = teaching_array(weight, "weight", op)
    stride, padding, dilation, groups, hw = full_convolution_args(
        op, g, w, stride, padding, dilation, groups, input_size)
    dtype = np.result_type(g, w)
    return make_tensor(np.ascontiguousarray(kernels.reference.conv_transpose2d(
        g.astype(dtype, copy=False), w.astype(dtype, copy=False), hw, stride, padding,
        dilation, groups)))
