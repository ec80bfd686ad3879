"""The functional interface (``import minigrad.nn.functional as F``)."""
from ..ops.activation import (relu, sigmoid, tanh, leaky_relu, elu, gelu, softplus,  # noqa: F401
                              softmax, log_softmax)
from ..ops.loss import cross_entropy, nll_loss, mse_loss, binary_cross_entropy  # noqa: F401
from ..ops.dropout import dropout  # noqa: F401
from ..ops.linalg import matmul
from ..checks import check_float_tensor, check_same_dtype


def linear(x, weight, bias=None):
    """y = x @ weight^T + bias, with weight of shape (out_features, in_features)."""
    check_float_tensor(x, "input", "linear")
    check_float_tensor(weight, "weight", "linear", 2, "(out_features, in_features)")
    if bias is not None:
        check_float_tensor(bias, "bias", "linear")
        if bias.shape != (weight.shape[0],):
            raise ValueError(f"linear: bias must have shape ({weight.shape[0]},) (one value per "
                             f"output feature of weight {weight.shape}), got {bias.shape}")
    check_same_dtype("linear", ("input", x), ("weight", weight), ("bias", bias))
    if x.ndim < 1 or x.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: input of shape {x.shape} has {x.shape[-1] if x.ndim else 0} "
                         f"features but weight of shape {weight.shape} expects "
                         f"{weight.shape[1]} (in_features)")
    out = matmul(x, weight.T)
    return out + bias if bias is not None else out


# -- convolution and pooling (minigrad/ops/conv.py, minigrad/ops/pool.py) -----------------
from ..ops.conv import conv2d, conv_transpose2d  # noqa: E402,F401
from ..ops.pool import max_pool2d, avg_pool2d  # noqa: E402,F401


# -- teaching aids: the conv input gradient in its textbook form ---------------------------
# Thin public wrappers over the helpers in minigrad/ops/conv.py. They return plain
# (non-differentiable) Tensors: they exist to be read and compared with what
# backward() gives, not to be trained through (backward uses ConvTranspose2d).
import numpy as _np  # noqa: E402

from ..tensor import Tensor as _Tensor  # noqa: E402
from ..ops import conv as _conv  # noqa: E402


def _teaching_array(value, name, op):
    """A Tensor or array-like as a floating-point numpy array (a copy-free view of a
    Tensor's data); a TypeError naming ``op`` and ``name`` otherwise."""
    if isinstance(value, _Tensor):
        array = value.data
    else:
        try:
            array = _np.asarray(value)
        except Exception:                                   # pragma: no cover - odd objects
            array = None
        if array is None or array.dtype == object:
            raise TypeError(f"{op}: {name} must be a Tensor or a numeric array, "
                            f"got {type(value).__name__}")
    if array.dtype.kind in "iub":
        array = array.astype(_np.float64)
    if array.dtype.kind != "f":
        raise TypeError(f"{op}: {name} must hold real numbers, got dtype {array.dtype} "
                        f"(shape {array.shape})")
    return array


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
    w = _teaching_array(weight, "weight", op)
    groups = _conv._check_groups(groups, op)
    if w.ndim == 2:
        if groups != 1:
            raise ValueError(f"{op}: a single (kH, kW) filter {w.shape} has no channels to "
                             f"split into groups={groups}; pass a 4-D weight")
        return _Tensor._wrap(w[::-1, ::-1].copy())
    if w.ndim != 4:
        raise ValueError(f"{op}: weight must be a (kH, kW) filter or a conv2d weight "
                         f"(C_out, C_in/groups, kH, kW), got shape {w.shape}")
    if w.shape[0] % groups:
        raise ValueError(f"{op}: groups={groups} must divide the output channels of weight "
                         f"{w.shape} ({w.shape[0]})")
    return _Tensor._wrap(_conv.rot180_swap(w, groups).copy())


def full_convolution_rot180(dy, weight, stride=1, padding=0, dilation=1, groups=1,
                            input_size=None):
    """conv2d's input gradient computed literally as the textbook writes it: dilate
    ``dy`` by the stride (s-1 zeros between neighbours), pad it by d(k-1) - p on each
    side (plus, at the bottom/right, the rows the forward's floor left unread), and
    correlate it with ``rot180(weight, groups)`` at stride 1 and dilation d.

    ``dy``: the gradient at conv2d's output, (N, C_out, Ho, Wo); ``weight``: the
    conv2d weight (C_out, C_in/groups, kH, kW); ``stride``, ``padding``,
    ``dilation``, ``groups``: the forward's settings; ``input_size``: the forward
    input's (H, W) (or its whole (N, C_in, H, W) shape), needed when the stride
    left rows unread; by default the smallest input that gives ``dy``'s size.

    Returns dL/dx, a Tensor of shape (N, C_in, H, W) that does not require grad:
    the same numbers as ``x.grad`` after ``conv2d(x, weight, ...).backward(dy)``,
    which minigrad computes faster as col2im(weight^T @ dy) (see docs/derivations.md,
    formula (10), and docs/primer.md)."""
    op = "full_convolution_rot180"
    g = _teaching_array(dy, "dy", op)
    w = _teaching_array(weight, "weight", op)
    if g.ndim != 4:
        raise ValueError(f"{op}: dy must be 4-D (N, C_out, Ho, Wo), got shape {g.shape}")
    if w.ndim != 4:
        raise ValueError(f"{op}: weight must be 4-D (C_out, C_in/groups, kH, kW), got shape "
                         f"{w.shape}")
    stride, padding, dilation, groups = _conv._conv_args(op, stride, padding, dilation, groups)
    if w.shape[0] % groups:
        raise ValueError(f"{op}: groups={groups} must divide the output channels of weight "
                         f"{w.shape} ({w.shape[0]})")
    if g.shape[1] != w.shape[0]:
        raise ValueError(f"{op}: dy {g.shape} has {g.shape[1]} channels but weight {w.shape} "
                         f"has {w.shape[0]} output channels (weight.shape[0]); dy must be the "
                         "gradient at this weight's conv2d output")
    if 0 in w.shape or 0 in g.shape[1:]:
        raise ValueError(f"{op}: dy {g.shape} and weight {w.shape} must have at least one "
                         "channel, one output position and a 1x1 kernel")
    kernel = w.shape[2:]
    smallest = tuple((g.shape[2 + i] - 1) * stride[i] - 2 * padding[i]
                     + dilation[i] * (kernel[i] - 1) + 1 for i in (0, 1))
    if input_size is None:
        hw = smallest
        if min(hw) < 1:
            raise ValueError(f"{op}: dy {g.shape} with weight {w.shape}, stride {stride}, "
                             f"padding {padding}, dilation {dilation} fits no input; pass "
                             "input_size")
    else:
        size = tuple(input_size)
        if len(size) not in (2, 4) or not all(isinstance(v, (int, _np.integer)) for v in size):
            raise ValueError(f"{op}: input_size must be (H, W) or (N, C_in, H, W) ints, got "
                             f"{input_size!r}")
        if len(size) == 4 and (size[0] != g.shape[0] or size[1] != w.shape[1] * groups):
            raise ValueError(f"{op}: input_size {size} does not match dy {g.shape} (batch "
                             f"{g.shape[0]}) and weight {w.shape} with groups={groups} "
                             f"({w.shape[1] * groups} input channels)")
        hw = tuple(int(v) for v in size[-2:])
        for i, name in ((0, "height"), (1, "width")):
            got = _conv.conv_output_size(hw[i], kernel[i], stride[i], padding[i], dilation[i])
            if got != g.shape[2 + i]:
                raise ValueError(
                    f"{op}: an input of {name} {hw[i]} gives a conv2d output of {name} {got} "
                    f"with kernel {kernel[i]}, stride {stride[i]}, padding {padding[i]}, "
                    f"dilation {dilation[i]}, but dy {g.shape} has {g.shape[2 + i]}")
    dtype = _np.result_type(g, w)
    return _Tensor._wrap(_np.ascontiguousarray(_conv.full_convolution_rot180(
        g.astype(dtype, copy=False), w.astype(dtype, copy=False), hw, stride, padding,
        dilation, groups)))
