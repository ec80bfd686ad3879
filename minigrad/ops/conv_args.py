"""Argument checks of the conv functions (``conv.py``): each bad call fails with a
ValueError/TypeError that names the op, the shapes and what was expected."""
from __future__ import annotations

import operator

import numpy as np

from .._tensor import Tensor
from ..checks import as_pair, check_float_tensor, check_same_dtype
from ..kernels.windows import output_size


def check_groups(groups, op):
    try:
        groups = operator.index(groups)
    except TypeError:
        raise TypeError(f"{op}: groups must be an int, got {groups!r}") from None
    if isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op}: groups must be >= 1, got {groups!r}")
    return groups


def check_not_empty(op, x, weight):
    """Channels and kernel taps must exist (only the batch may be empty): with
    none, the im2col matrices have a zero-length axis and numpy fails deep inside."""
    if x.shape[1] == 0 or 0 in weight.shape:
        raise ValueError(f"{op}: input {x.shape} and weight {weight.shape} must have at least "
                         "one channel and a kernel of at least 1x1 (only the batch axis N may "
                         "be 0)")


def conv_args(op, stride, padding, dilation, groups):
    return (as_pair(stride, "stride", op, minimum=1), as_pair(padding, "padding", op, minimum=0),
            as_pair(dilation, "dilation", op, minimum=1), check_groups(groups, op))


def check_bias(op, bias, channels):
    if bias is None:
        return
    check_float_tensor(bias, "bias", op)
    if bias.shape != (channels,):
        raise ValueError(f"{op}: bias must have shape ({channels},) (one value per output "
                         f"channel), got {bias.shape}")


def check_window_fits(op, in_hw, kernel, padding, dilation, x_shape, w_shape):
    for axis, name in ((0, "height"), (1, "width")):
        span = dilation[axis] * (kernel[axis] - 1) + 1
        room = in_hw[axis] + 2 * padding[axis]
        if span > room:
            raise ValueError(
                f"{op}: the kernel ({name} {kernel[axis]}, dilation {dilation[axis]}: spans "
                f"{span}) is larger than the padded input ({name} {in_hw[axis]} + 2*padding "
                f"{padding[axis]} = {room}); input {x_shape}, weight {w_shape}")


def check_conv_call(op, x, weight, bias, weight_layout, stride, padding, dilation, groups):
    """The checks conv2d and conv_transpose2d share; returns the geometry as pairs."""
    check_float_tensor(x, "input", op, 4, "(N, C_in, H, W)")
    check_float_tensor(weight, "weight", op, 4, weight_layout)
    check_same_dtype(op, ("input", x), ("weight", weight), ("bias", bias))
    check_not_empty(op, x, weight)
    return conv_args(op, stride, padding, dilation, groups)


def same_padding(padding, stride, dilation, kernel, op):
    """``padding`` as given, or for 'valid' (0, 0), or for 'same' (stride 1 only) the
    symmetric part (d(k-1) // 2) and the extra row/column an odd total puts at the
    bottom/right, as PyTorch: returns (padding, extra or None)."""
    if not isinstance(padding, str):
        return padding, None
    if padding == "valid":
        return 0, None
    if padding != "same":
        raise ValueError(f"{op}: padding must be 'valid', 'same', an int or a pair of ints, got "
                         f"{padding!r}")
    if as_pair(stride, "stride", op, minimum=1) != (1, 1):
        raise ValueError(f"{op}: padding='same' is not supported for strided convolutions "
                         f"(stride {stride!r}), as PyTorch; give the padding as numbers")
    dilation = as_pair(dilation, "dilation", op, minimum=1)
    total = tuple(dilation[i] * (kernel[i] - 1) for i in (0, 1))
    extra = tuple(t % 2 for t in total)
    return tuple(t // 2 for t in total), (extra if any(extra) else None)


def teaching_array(value, name, op):
    """A Tensor or array-like as a floating-point numpy array (a copy-free view of a
    Tensor's data); a TypeError naming ``op`` and ``name`` otherwise."""
    if isinstance(value, Tensor):
        array = value.array
    else:
        try:
            array = np.asarray(value)
        except Exception:                                   # pragma: no cover - odd objects
            array = None
        if array is None or array.dtype == object:
            raise TypeError(f"{op}: {name} must be a Tensor or a numeric array, "
                            f"got {type(value).__name__}")
    if array.dtype.kind in "iub":
        array = array.astype(np.float64)
    if array.dtype.kind != "f":
        raise TypeError(f"{op}: {name} must hold real numbers, got dtype {array.dtype} "
                        f"(shape {array.shape})")
    return array


def full_convolution_args(op, g, w, stride, padding, dilation, groups, input_size):
    """The checked settings of ``full_convolution_rot180`` and the input's (H, W)."""
    if g.ndim != 4:
        raise ValueError(f"{op}: dy must be 4-D (N, C_out, Ho, Wo), got shape {g.shape}")
    if w.ndim != 4:
        raise ValueError(f"{op}: weight must be 4-D (C_out, C_in/groups, kH, kW), got shape "
                         f"{w.shape}")
    stride, padding, dilation, groups = conv_args(op, stride, padding, dilation, groups)
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
    if input_size is None:   # the smallest input that gives dy's size
        hw = tuple((g.shape[2 + i] - 1) * stride[i] - 2 * padding[i]
                   + dilation[i] * (kernel[i] - 1) + 1 for i in (0, 1))
        if min(hw) < 1:
            raise ValueError(f"{op}: dy {g.shape} with weight {w.shape}, stride {stride}, "
                             f"padding {padding}, dilation {dilation} fits no input; pass "
                             "input_size")
        return stride, padding, dilation, groups, hw
    size = tuple(input_size)
    if len(size) not in (2, 4) or not all(isinstance(v, (int, np.integer)) for v in size):
        raise ValueError(f"{op}: input_size must be (H, W) or (N, C_in, H, W) ints, got "
                         f"{input_size!r}")
    if len(size) == 4 and (size[0] != g.shape[0] or size[1] != w.shape[1] * groups):
        raise ValueError(f"{op}: input_size {size} does not match dy {g.shape} (batch "
                         f"{g.shape[0]}) and weight {w.shape} with groups={groups} "
                         f"({w.shape[1] * groups} input channels)")
    hw = tuple(int(v) for v in size[-2:])
    for i, name in ((0, "height"), (1, "width")):
        got = output_size(hw[i], kernel[i], stride[i], padding[i], dilation[i])
        if got != g.shape[2 + i]:
            raise ValueError(
                f"{op}: an input of {name} {hw[i]} gives a conv2d output of {name} {got} "
                f"with kernel {kernel[i]}, stride {stride[i]}, padding {padding[i]}, "
                f"dilation {dilation[i]}, but dy {g.shape} has {g.shape[2 + i]}")
    return stride, padding, dilation, groups, hw
