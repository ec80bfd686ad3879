"""The bad-input table: every public op and module, given a wrong rank, wrong
channels, impossible geometry, wrong dtype, wrong type or an out-of-range value,
raises ValueError/TypeError (RuntimeError for misuse of gradients, as API.md
says) whose message names the op, the argument, what it saw and what it
expected (never a numpy traceback, never a silent answer).

Bad inputs already tabled next to their op are not repeated here:
tests/ops/test_conv.py::test_bad_arguments_fail_clearly (conv2d rank, channel,
kernel-size, stride/padding/dilation/groups, bias and dtype errors),
tests/ops/test_pool.py::test_bad_arguments_fail_clearly (pooling window, stride,
padding), tests/ops/test_loss.py::test_loss_errors (cross_entropy batch mismatch,
index out of range, float target), tests/nn/test_module.py (load_state_dict
missing/unexpected/size-mismatch keys). ``test_every_bad_input_is_tabled``
counts all of them together.

The second half checks odd but *valid* inputs (read-only, non-contiguous, empty
batch, unsigned class indices): they must give the same numbers as plain ones.
"""
import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn, optim
from minigrad import transforms as T
from minigrad.optim import lr_scheduler
from minigrad.ops.conv import conv2d_weight

X = mg.Tensor(np.zeros((2, 3, 6, 6)))              # float64 NCHW batch
W = mg.Tensor(np.zeros((4, 3, 3, 3)))
X32 = mg.zeros(2, 3, 6, 6)                          # float32, for modules
LOGITS = mg.ones(2, 3)


def _bn_state(**change):
    state = dict(nn.BatchNorm2d(2).state_dict())
    state.update(change)
    return state


def _params():
    return [nn.Parameter(np.ones(2))]


def _sgd():
    return optim.SGD(_params(), lr=0.1, momentum=0.9)


def _sequential(milestones):
    opt = _sgd()
    return lr_scheduler.SequentialLR(opt, [lr_scheduler.StepLR(opt, 2), lr_scheduler.StepLR(opt, 3)],
                                     milestones)


def _step_with_grad(optimizer_class, grad):
    model = nn.Linear(2, 2)
    opt = optimizer_class(model.parameters(), lr=0.1)
    model.weight.grad = grad
    opt.step()


# (id, call, exception type, regex that names op + argument + what was seen/expected)
BAD_INPUTS = [
    # -- conv2d / conv_transpose2d / conv2d_weight beyond tests/ops/test_conv.py --------
    ("conv2d-bool-input", lambda: F.conv2d(mg.Tensor(np.zeros((2, 3, 6, 6), bool)), W),
     TypeError, r"conv2d: input must be a floating-point tensor, got dtype bool \(shape \(2, 3, 6, 6\)\)"),
    ("conv2d-int-weight", lambda: F.conv2d(X, mg.Tensor(np.zeros((4, 3, 3, 3), np.int32))),
     TypeError, r"conv2d: weight must be a floating-point tensor, got dtype int32"),
    ("conv2d-weight-ndarray", lambda: F.conv2d(X, np.zeros((4, 3, 3, 3))),
     TypeError, r"conv2d: weight must be a Tensor, got ndarray"),
    ("conv2d-bias-ndarray", lambda: F.conv2d(X, W, np.zeros(4)),
     TypeError, r"conv2d: bias must be a Tensor, got ndarray"),
    ("conv2d-bias-2d", lambda: F.conv2d(X, W, mg.Tensor(np.zeros((4, 1)))),
     ValueError, r"conv2d: bias must have shape \(4,\) .* got \(4, 1\)"),
    ("conv2d-zero-channels", lambda: F.conv2d(mg.Tensor(np.zeros((2, 0, 6, 6))), mg.Tensor(np.zeros((4, 0, 3, 3)))),
     ValueError, r"conv2d: input \(2, 0, 6, 6\) and weight \(4, 0, 3, 3\) must have at least one channel"),
    ("conv2d-zero-kernel", lambda: F.conv2d(X, mg.Tensor(np.zeros((4, 3, 0, 3)))),
     ValueError, r"conv2d: .*weight \(4, 3, 0, 3\) .*kernel of at least 1x1"),
    ("conv2d-zero-out-channels", lambda: F.conv2d(X, mg.Tensor(np.zeros((0, 3, 3, 3)))),
     ValueError, r"conv2d: .*weight \(0, 3, 3, 3\) must have at least one channel"),
    ("conv2d-stride-bool", lambda: F.conv2d(X, W, stride=True),
     TypeError, r"conv2d: stride must be an int or a pair of ints, got True"),
    ("conv2d-stride-None", lambda: F.conv2d(X, W, stride=None),
     TypeError, r"conv2d: stride must be an int or a pair of ints, got None"),
    ("conv2d-padding-float", lambda: F.conv2d(X, W, padding=1.0),
     TypeError, r"conv2d: padding must be an int or a pair of ints, got 1.0"),
    ("conv2d-dilation-float", lambda: F.conv2d(X, W, dilation=(1, 1.5)),
     TypeError, r"conv2d: dilation must be an int or a pair of ints, got \(1, 1.5\)"),
    ("conv2d-stride-one-element", lambda: F.conv2d(X, W, stride=[1]),
     TypeError, r"conv2d: stride must be an int or a pair of ints, got \[1\]"),
    ("conv_transpose2d-rank", lambda: F.conv_transpose2d(mg.Tensor(np.zeros((3, 6, 6))), W),
     ValueError, r"conv_transpose2d: input must be 4-D \(N, C_in, H, W\), got shape \(3, 6, 6\)"),
    ("conv_transpose2d-stride-0", lambda: F.conv_transpose2d(X, mg.Tensor(np.zeros((3, 2, 3, 3))), stride=0),
     ValueError, r"conv_transpose2d: stride must be >= 1, got 0"),
    ("conv_transpose2d-dilation-0", lambda: F.conv_transpose2d(X, mg.Tensor(np.zeros((3, 2, 3, 3))), dilation=0),
     ValueError, r"conv_transpose2d: dilation must be >= 1, got 0"),
    ("conv_transpose2d-empty-weight", lambda: F.conv_transpose2d(X, mg.Tensor(np.zeros((3, 0, 3, 3)))),
     ValueError, r"conv_transpose2d: .*weight \(3, 0, 3, 3\) must have at least one channel"),
    ("conv_transpose2d-dtype-mix", lambda: F.conv_transpose2d(X32, mg.Tensor(np.zeros((3, 2, 3, 3)))),
     TypeError, r"conv_transpose2d: input, weight must share one dtype, got input float32, weight float64"),
    ("conv2d_weight-bad-size", lambda: conv2d_weight(X, (4, 3, 3), mg.Tensor(np.zeros((2, 4, 4, 4)))),
     ValueError, r"conv2d_weight: weight_size must be \(C_out, C_in/groups, kH, kW\), got \(4, 3, 3\)"),
    # -- nn.Conv2d ---------------------------------------------------------------------
    ("Conv2d-kernel-float", lambda: nn.Conv2d(3, 4, 2.5),
     TypeError, r"Conv2d: kernel_size must be an int or a pair of ints, got 2.5"),
    ("Conv2d-kernel-0", lambda: nn.Conv2d(3, 4, 0), ValueError, r"Conv2d: kernel_size must be >= 1, got 0"),
    ("Conv2d-stride-0", lambda: nn.Conv2d(3, 4, 3, stride=0), ValueError, r"Conv2d: stride must be >= 1, got 0"),
    ("Conv2d-padding-negative", lambda: nn.Conv2d(3, 4, 3, padding=-1),
     ValueError, r"Conv2d: padding must be >= 0, got -1"),
    ("Conv2d-dilation-0", lambda: nn.Conv2d(3, 4, 3, dilation=(0, 1)),
     ValueError, r"Conv2d: dilation must be >= 1, got \(0, 1\)"),
    ("Conv2d-in-channels-0", lambda: nn.Conv2d(0, 4, 3),
     ValueError, r"Conv2d: in_channels must be a positive int, got 0"),
    ("Conv2d-groups-not-dividing", lambda: nn.Conv2d(3, 4, 3, groups=2),
     ValueError, r"Conv2d: in_channels \(3\) and out_channels \(4\) must both be divisible by groups \(2\)"),
    ("Conv2d-groups-0", lambda: nn.Conv2d(4, 4, 3, groups=0), ValueError, r"Conv2d: groups must be a positive int, got 0"),
    ("Conv2d-channel-mismatch", lambda: nn.Conv2d(1, 4, 3)(X32),
     ValueError, r"conv2d: input \(2, 3, 6, 6\) has 3 channels but weight \(4, 1, 3, 3\) with groups=1 expects 1"),
    ("Conv2d-3d-input", lambda: nn.Conv2d(3, 4, 3)(mg.zeros(3, 6, 6)),
     ValueError, r"conv2d: input must be 4-D \(N, C_in, H, W\), got shape \(3, 6, 6\)"),
    ("Conv2d-kernel-larger-than-padded-input", lambda: nn.Conv2d(3, 4, 5, padding=1)(mg.zeros(1, 3, 2, 2)),
     ValueError, r"conv2d: the kernel \(height 5, dilation 1: spans 5\) is larger than the padded input "
                 r"\(height 2 \+ 2\*padding 1 = 4\)"),
    ("Conv2d-float64-input", lambda: nn.Conv2d(3, 4, 3)(X),
     TypeError, r"conv2d: input, weight, bias must share one dtype, got input float64, weight float32"),
    ("Conv2d-int-input", lambda: nn.Conv2d(3, 4, 3)(mg.Tensor(np.zeros((2, 3, 6, 6), np.int64))),
     TypeError, r"conv2d: input must be a floating-point tensor, got dtype int64"),
    # -- pooling beyond tests/ops/test_pool.py -----------------------------------------
    ("max_pool2d-int-input", lambda: F.max_pool2d(mg.Tensor(np.zeros((2, 3, 6, 6), np.int32)), 2),
     TypeError, r"max_pool2d: input must be a floating-point tensor, got dtype int32 \(shape \(2, 3, 6, 6\)\)"),
    ("avg_pool2d-bool-input", lambda: F.avg_pool2d(mg.Tensor(np.zeros((2, 3, 6, 6), bool)), 2),
     TypeError, r"avg_pool2d: input must be a floating-point tensor, got dtype bool"),
    ("max_pool2d-empty-height", lambda: F.max_pool2d(mg.Tensor(np.zeros((2, 3, 0, 6))), 1),
     ValueError, r"max_pool2d: kernel_size \(1, 1\) is larger than the padded input \(height 0"),
    ("max_pool2d-kernel-bool", lambda: F.max_pool2d(X, True),
     TypeError, r"max_pool2d: kernel_size must be an int or a pair of ints, got True"),
    ("MaxPool2d-kernel-0", lambda: nn.MaxPool2d(0), ValueError, r"MaxPool2d: kernel_size must be >= 1, got 0"),
    ("AvgPool2d-stride-0", lambda: nn.AvgPool2d(2, 0), ValueError, r"AvgPool2d: stride must be >= 1, got 0"),
    ("AvgPool2d-padding-negative", lambda: nn.AvgPool2d(2, 2, -1),
     ValueError, r"AvgPool2d: padding must be >= 0, got -1"),
    ("MaxPool2d-window-larger-than-input", lambda: nn.MaxPool2d(7)(X32),
     ValueError, r"max_pool2d: kernel_size \(7, 7\) is larger than the padded input \(height 6 \+ 2\*padding 0\); "
                 r"input shape \(2, 3, 6, 6\)"),
    ("max_pool2d-dilated-kernel-too-large", lambda: F.max_pool2d(X, 3, dilation=3),
     ValueError, r"max_pool2d: kernel_size \(3, 3\) \(dilation 3: spans 7\) is larger than the padded "
                 r"input \(height 6 \+ 2\*padding 0\)"),
    ("max_pool2d-dilation-0", lambda: F.max_pool2d(X, 2, dilation=(1, 0)),
     ValueError, r"max_pool2d: dilation must be >= 1, got \(1, 0\)"),
    ("max_pool2d-ceil_mode-int", lambda: F.max_pool2d(X, 2, ceil_mode=1),
     TypeError, r"max_pool2d: ceil_mode must be a bool, got int 1"),
    ("max_pool2d-return_indices-str", lambda: F.max_pool2d(X, 2, return_indices="yes"),
     TypeError, r"max_pool2d: return_indices must be a bool, got str 'yes'"),
    ("max_pool2d-ceil-padding-over-half", lambda: F.max_pool2d(X, 2, 2, 2, ceil_mode=True),
     ValueError, r"max_pool2d: padding \(2, 2\) must be at most half the kernel_size \(2, 2\)"),
    ("avg_pool2d-count_include_pad-None", lambda: F.avg_pool2d(X, 2, count_include_pad=None),
     TypeError, r"avg_pool2d: count_include_pad must be a bool, got NoneType None"),
    ("avg_pool2d-ceil-kernel-too-large", lambda: F.avg_pool2d(X, (2, 9), ceil_mode=True),
     ValueError, r"avg_pool2d: kernel_size \(2, 9\) is larger than the padded input \(width 6"),
    ("adaptive_avg_pool2d-negative", lambda: F.adaptive_avg_pool2d(X, -1),
     ValueError, r"adaptive_avg_pool2d: output_size must be >= 0, got -1"),
    ("adaptive_avg_pool2d-float", lambda: F.adaptive_avg_pool2d(X, (2, 2.5)),
     TypeError, r"adaptive_avg_pool2d: output_size must be ints or None, got \(2, 2.5\)"),
    ("adaptive_max_pool2d-three-sizes", lambda: F.adaptive_max_pool2d(X, (2, 2, 2)),
     ValueError, r"adaptive_max_pool2d: output_size must be an int or an \(H, W\) pair"),
    ("adaptive_max_pool2d-empty-height", lambda: F.adaptive_max_pool2d(mg.Tensor(np.zeros((2, 3, 0, 6))), 2),
     ValueError, r"adaptive_max_pool2d: input must have non-zero channels, height and width .*\(2, 3, 0, 6\)"),
    ("adaptive_avg_pool2d-rank", lambda: F.adaptive_avg_pool2d(mg.Tensor(np.zeros((3, 6, 6))), 2),
     ValueError, r"adaptive_avg_pool2d: input must be 4-D \(N, C, H, W\), got shape \(3, 6, 6\)"),
    ("adaptive_max_pool2d-ndarray", lambda: F.adaptive_max_pool2d(np.zeros((2, 3, 6, 6)), 2),
     TypeError, r"adaptive_max_pool2d: input must be a Tensor, got ndarray"),
    ("AdaptiveAvgPool2d-bool", lambda: nn.AdaptiveAvgPool2d(True),
     ValueError, r"AdaptiveAvgPool2d: output_size must be an int >= 0 .*got True"),
    # -- interpolate / Upsample ------------------------------------------------------------
    ("interpolate-mode-bilinear", lambda: F.interpolate(X, scale_factor=2, mode="bilinear"),
     ValueError, r"interpolate: mode 'bilinear' is not supported; minigrad implements mode='nearest' only"),
    ("interpolate-no-size", lambda: F.interpolate(X),
     ValueError, r"interpolate: give exactly one of size and scale_factor, got size=None, scale_factor=None"),
    ("interpolate-both", lambda: F.interpolate(X, size=2, scale_factor=2),
     ValueError, r"interpolate: give exactly one of size and scale_factor"),
    ("interpolate-size-0", lambda: F.interpolate(X, size=(0, 3)),
     ValueError, r"interpolate: size must be >= 1, got \(0, 3\)"),
    ("interpolate-size-float", lambda: F.interpolate(X, size=2.5),
     TypeError, r"interpolate: size must be an int or a pair of ints, got 2.5"),
    ("interpolate-scale-negative", lambda: F.interpolate(X, scale_factor=(2, -1)),
     ValueError, r"interpolate: scale_factor must be > 0, got \(2, -1\)"),
    ("interpolate-scale-nan", lambda: F.interpolate(X, scale_factor=float("nan")),
     ValueError, r"interpolate: scale_factor must be > 0, got nan"),
    ("interpolate-scale-str", lambda: F.interpolate(X, scale_factor="2"),
     TypeError, r"interpolate: scale_factor must be a number or a pair of numbers, got '2'"),
    ("interpolate-scale-empties", lambda: F.interpolate(X, scale_factor=0.1),
     ValueError, r"interpolate: scale_factor 0.1 turns the input's \(H, W\) \(6, 6\) into \(0, 0\)"),
    ("interpolate-rank-3", lambda: F.interpolate(mg.Tensor(np.zeros((2, 3, 6))), scale_factor=2),
     ValueError, r"interpolate: input must be 4-D \(N, C, H, W\) .*got shape \(2, 3, 6\)"),
    ("interpolate-int-input", lambda: F.interpolate(mg.Tensor(np.zeros((2, 3, 6, 6), np.int64)), size=3),
     TypeError, r"interpolate: input must be a floating-point tensor, got dtype int64"),
    ("Upsample-mode-bicubic", lambda: nn.Upsample(scale_factor=2, mode="bicubic"),
     ValueError, r"Upsample: mode 'bicubic' is not supported; minigrad implements mode='nearest' only"),
    ("Upsample-nothing", lambda: nn.Upsample(), ValueError, r"Upsample: give exactly one of size and scale_factor"),
    # -- conv padding strings / ConvTranspose2d ----------------------------------------------
    ("conv2d-same-stride2", lambda: F.conv2d(X, W, stride=2, padding="same"),
     ValueError, r"conv2d: padding='same' is not supported for strided convolutions \(stride 2\)"),
    ("Conv2d-same-stride-pair", lambda: nn.Conv2d(3, 4, 3, stride=(2, 1), padding="same"),
     ValueError, r"Conv2d: padding='same' is not supported for strided convolutions \(stride \(2, 1\)\)"),
    ("conv2d-padding-word", lambda: F.conv2d(X, W, padding="SAME"),
     ValueError, r"conv2d: padding must be 'valid', 'same', an int or a pair of ints, got 'SAME'"),
    ("Conv2d-padding-mode", lambda: nn.Conv2d(3, 4, 3, padding_mode="circular"),
     ValueError, r"Conv2d: padding_mode 'circular' is not supported; minigrad pads with zeros only"),
    ("ConvTranspose2d-in-channels-0", lambda: nn.ConvTranspose2d(0, 4, 3),
     ValueError, r"ConvTranspose2d: in_channels must be a positive int, got 0"),
    ("ConvTranspose2d-kernel-float", lambda: nn.ConvTranspose2d(3, 4, 2.0),
     TypeError, r"ConvTranspose2d: kernel_size must be an int or a pair of ints, got 2.0"),
    ("ConvTranspose2d-output-size-rank", lambda: nn.ConvTranspose2d(3, 4, 3)(X32, output_size=(5,)),
     ValueError, r"ConvTranspose2d: output_size must be \(H, W\) or \(N, C, H, W\) ints, got \(5,\)"),
    ("ConvTranspose2d-wrong-channels", lambda: nn.ConvTranspose2d(4, 2, 3)(X32),
     ValueError, r"conv_transpose2d: input \(2, 3, 6, 6\) has 3 channels but weight \(4, 2, 3, 3\) expects 4"),
    # -- cross_entropy / nll_loss beyond tests/ops/test_loss.py ------------------------
    ("cross_entropy-bool-target", lambda: F.cross_entropy(LOGITS, np.array([True, False])),
     TypeError, r"cross_entropy: target must hold integer class indices, got dtype bool"),
    ("cross_entropy-float-tensor-target", lambda: F.cross_entropy(LOGITS, mg.tensor([0.0, 1.0])),
     TypeError, r"cross_entropy: target must hold integer class indices, got dtype float32"),
    ("cross_entropy-target-2d", lambda: F.cross_entropy(LOGITS, np.array([[0], [1]])),
     ValueError, r"cross_entropy: target has shape \(2, 1\) but input of shape \(2, 3\) needs a target of shape \(2,\)"),
    ("cross_entropy-more-targets-than-logits", lambda: F.cross_entropy(LOGITS, np.array([0, 1, 2])),
     ValueError, r"cross_entropy: target has shape \(3,\) but input of shape \(2, 3\) needs a target of shape \(2,\)"),
    ("cross_entropy-spatial-mismatch", lambda: F.cross_entropy(mg.ones(2, 3, 4, 4), np.zeros((2, 4, 5), np.int64)),
     ValueError, r"cross_entropy: target has shape \(2, 4, 5\) but input of shape \(2, 3, 4, 4\) needs a target "
                 r"of shape \(2, 4, 4\)"),
    ("cross_entropy-zero-classes", lambda: F.cross_entropy(mg.ones(2, 0), np.zeros(2, np.int64)),
     ValueError, r"cross_entropy: target holds class index 0, but input has 0 classes"),
    ("cross_entropy-ndarray-logits", lambda: F.cross_entropy(np.ones((2, 3)), np.array([0, 1])),
     TypeError, r"cross_entropy: input \(logits\) must be a Tensor, got ndarray"),
    ("cross_entropy-int-logits", lambda: F.cross_entropy(mg.Tensor(np.ones((2, 3), np.int64)), np.array([0, 1])),
     TypeError, r"cross_entropy: input \(logits\) must be a floating-point tensor, got dtype int64 \(shape \(2, 3\)\)"),
    ("cross_entropy-reduction-None", lambda: F.cross_entropy(LOGITS, np.array([0, 1]), reduction=None),
     ValueError, r"cross_entropy: reduction must be one of \('mean', 'sum', 'none'\), got None"),
    ("nll_loss-float-target", lambda: F.nll_loss(LOGITS, np.array([0.0, 1.0])),
     TypeError, r"nll_loss: target must hold integer class indices, got dtype float64"),
    ("nll_loss-index-out-of-range", lambda: F.nll_loss(LOGITS, np.array([0, 3])),
     ValueError, r"nll_loss: target holds class index 3, but input has 3 classes \(expected 0 <= target < 3\)"),
    ("nll_loss-1d-input", lambda: F.nll_loss(mg.ones(3), np.array([0])),
     ValueError, r"nll_loss: input must have shape \(N, C\) or \(N, C, d1, ...\), got \(3,\)"),
    ("CrossEntropyLoss-batch-mismatch", lambda: nn.CrossEntropyLoss()(LOGITS, np.array([0])),
     ValueError, r"cross_entropy: target has shape \(1,\) but input of shape \(2, 3\) needs a target of shape \(2,\)"),
    ("mse_loss-int-input", lambda: F.mse_loss(mg.Tensor(np.ones(3, np.int64)), mg.Tensor(np.ones(3, np.int64))),
     TypeError, r"mse_loss: input must be a floating-point tensor, got dtype int64"),
    ("MSELoss-shape-mismatch", lambda: nn.MSELoss()(mg.ones(2, 3), mg.ones(3, 2)),
     ValueError, r"mse_loss: input has shape \(2, 3\) but target has shape \(3, 2\)"),
    ("binary_cross_entropy-ndarray-input", lambda: F.binary_cross_entropy(np.ones(2) / 2, mg.ones(2)),
     TypeError, r"binary_cross_entropy: input must be a Tensor, got ndarray"),
    ("binary_cross_entropy-shape-mismatch", lambda: F.binary_cross_entropy(mg.ones(2) * 0.5, mg.ones(3)),
     ValueError, r"binary_cross_entropy: input has shape \(2,\) but target has shape \(3,\)"),
    # -- weights, ignore_index, smoothing, probability targets, the other losses ---------
    ("cross_entropy-index-out-of-range-not-ignored",
     lambda: F.cross_entropy(LOGITS, np.array([0, 5]), ignore_index=5 + 1),
     ValueError, r"cross_entropy: target holds class index 5, but input has 3 classes \(expected 0 <= target < 3\) "
                 r"and it is not ignore_index \(6\)"),
    ("cross_entropy-ignore_index-float", lambda: F.cross_entropy(LOGITS, np.array([0, 1]), ignore_index=1.5),
     TypeError, r"cross_entropy: ignore_index must be an int, got 1.5"),
    ("cross_entropy-probabilities-shape", lambda: F.cross_entropy(LOGITS, mg.ones(2, 4) / 4),
     ValueError, r"cross_entropy: probability target has shape \(2, 4\) but input has shape \(2, 3\)"),
    ("cross_entropy-weight-length", lambda: F.cross_entropy(LOGITS, np.array([0, 1]), weight=mg.ones(4)),
     ValueError, r"cross_entropy: weight must have shape \(3,\) \(one weight per class of input \(2, 3\)\), got \(4,\)"),
    ("cross_entropy-weight-ndarray", lambda: F.cross_entropy(LOGITS, np.array([0, 1]), weight=np.ones(3)),
     TypeError, r"cross_entropy: weight must be a Tensor, got ndarray"),
    ("cross_entropy-label-smoothing-1.5", lambda: F.cross_entropy(LOGITS, np.array([0, 1]), label_smoothing=1.5),
     ValueError, r"cross_entropy: label_smoothing must be in \[0, 1\], got 1.5"),
    ("CrossEntropyLoss-weight-length", lambda: nn.CrossEntropyLoss(mg.ones(2))(LOGITS, np.array([0, 1])),
     ValueError, r"cross_entropy: weight must have shape \(3,\)"),
    ("nll_loss-weight-length", lambda: F.nll_loss(LOGITS, np.array([0, 1]), weight=mg.ones(2)),
     ValueError, r"nll_loss: weight must have shape \(3,\) .*got \(2,\)"),
    ("smooth_l1_loss-negative-beta", lambda: F.smooth_l1_loss(mg.ones(2), mg.zeros(2), beta=-1.0),
     ValueError, r"smooth_l1_loss: beta must be >= 0, got -1.0"),
    ("huber_loss-zero-delta", lambda: F.huber_loss(mg.ones(2), mg.zeros(2), delta=0.0),
     ValueError, r"huber_loss: delta must be > 0, got 0.0"),
    ("HuberLoss-delta-string", lambda: nn.HuberLoss(delta="1")(mg.ones(2), mg.zeros(2)),
     TypeError, r"huber_loss: delta must be a number, got str '1'"),
    ("l1_loss-shape-mismatch", lambda: F.l1_loss(mg.ones(2, 3), mg.ones(3)),
     ValueError, r"l1_loss: input has shape \(2, 3\) but target has shape \(3,\)"),
    ("bce_with_logits-pos_weight-shape",
     lambda: F.binary_cross_entropy_with_logits(mg.ones(2, 3), mg.ones(2, 3), pos_weight=mg.ones(4)),
     ValueError, r"binary_cross_entropy_with_logits: pos_weight of shape \(4,\) must broadcast to the input's "
                 r"shape \(2, 3\)"),
    ("bce_with_logits-int-target",
     lambda: F.binary_cross_entropy_with_logits(mg.ones(2), mg.Tensor(np.ones(2, np.int64))),
     TypeError, r"binary_cross_entropy_with_logits: target must be a floating-point tensor, got dtype int64"),
    ("kl_div-reduction", lambda: F.kl_div(mg.ones(2), mg.ones(2), reduction="avg"),
     ValueError, r"kl_div: reduction must be one of \('mean', 'sum', 'none', 'batchmean'\), got 'avg'"),
    # -- normalisation layers, embedding, channel dropout, ModuleDict ---------------------
    ("LayerNorm-shape-mismatch", lambda: nn.LayerNorm(4)(mg.ones(2, 3)),
     ValueError, r"layer_norm: input of shape \(2, 3\) must end in normalized_shape \(4,\)"),
    ("LayerNorm-shape-0", lambda: nn.LayerNorm(0),
     ValueError, r"LayerNorm: normalized_shape must be a positive int, got 0"),
    ("GroupNorm-channels", lambda: nn.GroupNorm(2, 4)(mg.ones(2, 6, 3)),
     ValueError, r"GroupNorm: expected input \(N, 4, ...\), got shape \(2, 6, 3\)"),
    ("group_norm-weight-length", lambda: F.group_norm(mg.ones(2, 4, 3), 2, mg.ones(3)),
     ValueError, r"group_norm: weight must have shape \(4,\) \(one per channel of input \(2, 4, 3\)\), got \(3,\)"),
    ("batch_norm-weight-dtype", lambda: F.batch_norm(X32, None, None, mg.Tensor(np.ones(3)), None, True),
     TypeError, r"batch_norm: input, weight must share one dtype, got input float32, weight float64"),
    ("Embedding-index-out-of-range", lambda: nn.Embedding(3, 2)(mg.tensor([0, 3])),
     IndexError, r"embedding: index 3 is out of range for a weight of 3 rows"),
    ("Embedding-dim-0", lambda: nn.Embedding(3, 0),
     ValueError, r"Embedding: embedding_dim must be a positive int, got 0"),
    ("Dropout2d-1d-input", lambda: nn.Dropout2d(0.5)(mg.ones(5)),
     ValueError, r"dropout2d: input must have at least 2 dims \(a channel axis 1\), got shape \(5,\)"),
    ("Dropout2d-p", lambda: nn.Dropout2d(1.5),
     ValueError, r"Dropout2d: p must be a probability in \[0, 1\], got 1.5"),
    ("ModuleDict-update-bad", lambda: nn.ModuleDict([nn.ReLU()]),
     TypeError, r"ModuleDict.update: expected a mapping or \(name, module\) pairs"),
    # -- linear / nn.Linear --------------------------------------------------------------
    ("Linear-feature-mismatch", lambda: nn.Linear(4, 2)(mg.ones(3, 5)),
     ValueError, r"linear: input of shape \(3, 5\) has 5 features but weight of shape \(2, 4\) expects 4 \(in_features\)"),
    ("Linear-0d-input", lambda: nn.Linear(4, 2)(mg.tensor(1.0)),
     ValueError, r"linear: input of shape \(\) has 0 features but weight of shape \(2, 4\) expects 4"),
    ("Linear-int-input", lambda: nn.Linear(4, 2)(mg.Tensor(np.ones((3, 4), np.int64))),
     TypeError, r"linear: input must be a floating-point tensor, got dtype int64 \(shape \(3, 4\)\)"),
    ("Linear-bool-input", lambda: nn.Linear(4, 2)(mg.Tensor(np.ones((3, 4), bool))),
     TypeError, r"linear: input must be a floating-point tensor, got dtype bool"),
    ("Linear-ndarray-input", lambda: nn.Linear(4, 2)(np.ones((3, 4), np.float32)),
     TypeError, r"linear: input must be a Tensor, got ndarray"),
    ("Linear-float64-input", lambda: nn.Linear(4, 2)(mg.Tensor(np.ones((3, 4)))),
     TypeError, r"linear: input, weight, bias must share one dtype, got input float64, weight float32, bias float32"),
    ("Linear-in-features-0", lambda: nn.Linear(0, 2), ValueError, r"Linear: in_features must be a positive int, got 0"),
    ("Linear-out-features-float", lambda: nn.Linear(4, 2.0),
     ValueError, r"Linear: out_features must be a positive int, got 2.0"),
    ("linear-bias-shape", lambda: F.linear(mg.ones(3, 4), mg.ones(2, 4), mg.ones(3)),
     ValueError, r"linear: bias must have shape \(2,\) .*weight \(2, 4\).*got \(3,\)"),
    ("linear-weight-1d", lambda: F.linear(mg.ones(3, 4), mg.ones(4)),
     ValueError, r"linear: weight must be 2-D \(out_features, in_features\), got shape \(4,\)"),
    # -- BatchNorm -----------------------------------------------------------------------
    ("BatchNorm2d-channel-mismatch", lambda: nn.BatchNorm2d(4)(mg.ones(2, 3, 4, 4)),
     ValueError, r"BatchNorm2d: expected input of 4 dimensions with 4 channels on axis 1, got shape \(2, 3, 4, 4\)"),
    ("BatchNorm2d-3d-input", lambda: nn.BatchNorm2d(3)(mg.ones(3, 4, 4)),
     ValueError, r"BatchNorm2d: expected input of 4 dimensions with 3 channels on axis 1, got shape \(3, 4, 4\)"),
    ("BatchNorm1d-channel-mismatch", lambda: nn.BatchNorm1d(3)(mg.ones(4, 5)),
     ValueError, r"BatchNorm1d: expected input of 2 or 3 dimensions with 3 channels on axis 1, got shape \(4, 5\)"),
    ("BatchNorm2d-empty-batch", lambda: nn.BatchNorm2d(3)(mg.ones(0, 3, 4, 4)),
     ValueError, r"BatchNorm2d: training needs more than one value per channel, got input of shape \(0, 3, 4, 4\)"),
    ("BatchNorm2d-int-input", lambda: nn.BatchNorm2d(3)(mg.Tensor(np.ones((2, 3, 4, 4), np.int64))),
     TypeError, r"BatchNorm2d: input must be a floating-point tensor, got dtype int64"),
    ("BatchNorm2d-eps-negative", lambda: nn.BatchNorm2d(3, eps=-1e-5),
     ValueError, r"BatchNorm2d: eps must be >= 0, got -1e-05"),
    ("BatchNorm2d-momentum-2", lambda: nn.BatchNorm2d(3, momentum=2),
     ValueError, r"BatchNorm2d: momentum must be in \[0, 1\] or None, got 2"),
    ("BatchNorm2d-eps-string", lambda: nn.BatchNorm2d(3, eps="1e-5"),
     TypeError, r"BatchNorm2d: eps must be a number, got str '1e-5'"),
    ("BatchNorm2d-features-0", lambda: nn.BatchNorm2d(0),
     ValueError, r"BatchNorm2d: num_features must be a positive int, got 0"),
    # -- load_state_dict beyond tests/nn/test_module.py --------------------------------
    ("load_state_dict-fractional-into-int-buffer",
     lambda: nn.BatchNorm2d(2).load_state_dict(_bn_state(num_batches_tracked=np.array(2.7))),
     ValueError, r"load_state_dict for BatchNorm2d: value for num_batches_tracked holds non-integer numbers "
                 r"\(dtype float64\) but the model's is int64 \(nothing was loaded\)"),
    ("load_state_dict-overflows-float32",
     lambda: nn.Linear(3, 2).load_state_dict({"weight": np.full((2, 3), 1e300), "bias": np.ones(2)}),
     ValueError, r"load_state_dict for Linear: value for weight has numbers beyond the range of the model's float32"),
    ("load_state_dict-string-value",
     lambda: nn.Linear(3, 2).load_state_dict({"weight": "abc", "bias": np.ones(2)}),
     TypeError, r"load_state_dict: value for 'weight' must be numeric, got dtype <U3"),
    ("load_state_dict-complex-value",
     lambda: nn.Linear(3, 2).load_state_dict({"weight": np.ones((2, 3), complex), "bias": np.ones(2)}),
     TypeError, r"load_state_dict: value for 'weight' must be numeric, got dtype complex128"),
    ("load_state_dict-transposed-weight",
     lambda: nn.Conv2d(1, 2, 3).load_state_dict({"weight": np.zeros((1, 2, 3, 3)), "bias": np.zeros(2)}),
     ValueError, r"size mismatch for weight: checkpoint has shape \(1, 2, 3, 3\), the model has \(2, 1, 3, 3\)"),
    # -- other functional ops and modules -----------------------------------------------
    ("dropout-int-input", lambda: F.dropout(mg.Tensor(np.ones(3, np.int64)), 0.3),
     TypeError, r"dropout: input must be a floating-point tensor, got dtype int64"),
    ("dropout-p-above-1", lambda: F.dropout(mg.ones(3), 1.5),
     ValueError, r"dropout: p must be a probability in \[0, 1\], got 1.5"),
    ("Dropout-p-negative", lambda: nn.Dropout(-0.1),
     ValueError, r"Dropout: p must be a probability in \[0, 1\], got -0.1"),
    ("softmax-axis-out-of-range", lambda: F.softmax(LOGITS, axis=2),
     ValueError, r"softmax: axis 2 is out of range for a tensor with 2 dimension\(s\) \(expected -2 <= axis < 2\)"),
    ("softmax-axis-tuple", lambda: F.softmax(LOGITS, axis=(0, 1)),
     TypeError, r"softmax: dim must be a single int, got \(0, 1\)"),
    ("softmax-axis-float", lambda: F.softmax(LOGITS, axis=1.0),
     TypeError, r"softmax: axis must be an int or a tuple of ints, got 1.0"),
    ("softmax-bool-input", lambda: mg.Tensor(np.ones(3, bool)).softmax(),
     TypeError, r"softmax: input must be a floating-point tensor, got dtype bool"),
    ("log_softmax-int-input", lambda: F.log_softmax(mg.Tensor(np.ones(3, np.int64))),
     TypeError, r"log_softmax: input must be a floating-point tensor, got dtype int64"),
    ("Softmax-empty-rank", lambda: nn.Softmax(dim=1)(mg.ones(3)),
     ValueError, r"softmax: axis 1 is out of range for a tensor with 1 dimension\(s\)"),
    ("leaky_relu-slope-string", lambda: F.leaky_relu(mg.ones(3), "a"),
     TypeError, r"leaky_relu: negative_slope must be a number, got str 'a'"),
    ("elu-alpha-string", lambda: F.elu(mg.ones(3), "a"), TypeError, r"elu: alpha must be a number, got str 'a'"),
    ("softplus-beta-None", lambda: F.softplus(mg.ones(3), None),
     TypeError, r"softplus: beta must be a number, got NoneType None"),
    ("Flatten-1d-input", lambda: nn.Flatten()(mg.ones(3)),
     ValueError, r"flatten: axis 1 is out of range for a tensor with 1 dimension\(s\)"),
    ("Sequential-non-module", lambda: nn.Sequential(3),
     TypeError, r"add_module: '0' must be a Module or None, got int"),
    # -- tensors and arithmetic -------------------------------------------------------------
    ("add-broadcast-mismatch", lambda: mg.ones(2, 3) + mg.ones(3, 2),
     ValueError, r"add: shapes \(2, 3\) and \(3, 2\) cannot be broadcast together"),
    ("mul-ndarray-broadcast-mismatch", lambda: mg.ones(2, 3) * np.ones(4),
     ValueError, r"mul: shapes \(2, 3\) and \(4,\) cannot be broadcast together"),
    ("add-string", lambda: mg.ones(2) + "a",
     TypeError, r"cannot combine a tensor with str \(numpy dtype <U1\); expected a number"),
    ("pow-int-negative-exponent", lambda: mg.Tensor(np.array([2])) ** -1,
     ValueError, r"pow: Integers to negative integer powers are not allowed. \(operands of dtype int64 and int64"),
    ("matmul-mismatch", lambda: mg.ones(2, 3) @ mg.ones(2, 3),
     ValueError, r"matmul: shapes \(2, 3\) and \(2, 3\) do not align: the last axis of a \(3\) must equal"),
    ("tensor-ragged-list", lambda: mg.tensor([[1, 2], [3]]),
     ValueError, r"tensor: cannot make a tensor from this list: the nested lists must form a rectangular array"),
    ("tensor-int-requires-grad", lambda: mg.tensor([1, 2], dtype="int64", requires_grad=True),
     TypeError, r"Tensor: only floating-point tensors can require grad; this one has dtype int64 and shape \(2,\)"),
    ("backward-grad-string", lambda: (mg.ones(2, requires_grad=True) * 2).backward("ab"),
     TypeError, r"backward: grad must be a tensor or an array of numbers, got str"),
    ("backward-grad-shape", lambda: (mg.ones(2, requires_grad=True) * 2).backward(mg.ones(3)),
     ValueError, r"backward: grad has shape \(3,\) but the output has shape \(2,\)"),
    ("sum-empty-max", lambda: mg.ones(0).max(),
     ValueError, r"max: cannot reduce an empty tensor \(shape \(0,\), axis None\)"),
    ("reshape-wrong-size", lambda: mg.ones(2, 3).reshape(4, 2),
     ValueError, r"reshape: cannot reshape a tensor of shape \(2, 3\) \(6 elements\) into shape \(4, 2\)"),
    # -- creation, seeding, optimizers --------------------------------------------------------
    ("randn-negative-size", lambda: mg.randn(-1, 2), ValueError, r"randn: sizes must be >= 0, got shape \(-1, 2\)"),
    ("zeros-float-size", lambda: mg.zeros(2.5), TypeError, r"zeros: shape must be ints, got \(2.5,\)"),
    ("eye-negative", lambda: mg.eye(-1), ValueError, r"eye: sizes must be >= 0, got shape \(-1,\)"),
    ("arange-zero-step", lambda: mg.arange(0, 5, 0), ValueError, r"arange: step must not be zero"),
    ("manual_seed-float", lambda: mg.manual_seed(1.5), TypeError, r"manual_seed: seed must be an int, got float 1.5"),
    ("manual_seed-negative", lambda: mg.manual_seed(-1), ValueError, r"manual_seed: seed must be >= 0, got -1"),
    ("SGD-lr-string", lambda: optim.SGD(nn.Linear(2, 2).parameters(), lr="0.1"),
     TypeError, r"SGD: lr must be a number, got str '0.1'"),
    ("Adam-lr-nan", lambda: optim.Adam(nn.Linear(2, 2).parameters(), lr=math.nan),
     ValueError, r"Adam: invalid learning rate nan \(must be >= 0\)"),
    ("SGD-non-leaf-param", lambda: optim.SGD([nn.Parameter([1.0]) * 2], lr=0.1),
     ValueError, r"SGD: can only optimise leaf tensors, got a non-leaf tensor of shape \(1,\)"),
    ("SGD-grad-ndarray", lambda: _step_with_grad(optim.SGD, np.ones((2, 2))),
     TypeError, r"SGD: the .grad of a parameter of shape \(2, 2\) is a ndarray; expected a Tensor or None"),
    ("Adam-grad-wrong-shape", lambda: _step_with_grad(optim.Adam, mg.ones(3)),
     RuntimeError, r"Adam: gradient of shape \(3,\) for a parameter of shape \(2, 2\)"),
    ("DataLoader-seed-string", lambda: mg.data.DataLoader(mg.data.TensorDataset(np.ones(3)), seed="a"),
     TypeError, r"DataLoader: seed must be an int, got str 'a'"),
    ("concatenate-axis-string", lambda: mg.concatenate([mg.ones(2)], axis="0"),
     TypeError, r"concatenate: dim must be an int, got '0'"),
    # -- PyTorch's spellings (dim/keepdim, transpose, view, devices) -----------------------
    ("sum-dim-and-axis", lambda: mg.ones(2, 3).sum(dim=0, axis=1),
     TypeError, r"sum: give dim or axis, not both .*got dim=0, axis=1"),
    ("mean-keepdim-and-keepdims", lambda: mg.ones(2, 3).mean(0, keepdim=True, keepdims=True),
     TypeError, r"mean: give keepdim or keepdims, not both"),
    ("softmax-dim-and-axis", lambda: F.softmax(LOGITS, dim=1, axis=1),
     TypeError, r"softmax: give dim or axis, not both"),
    ("var-unbiased-and-correction", lambda: mg.ones(3).var(unbiased=True, correction=0),
     TypeError, r"var: give one of unbiased, correction and ddof"),
    ("transpose-one-dim", lambda: mg.ones(2, 3).transpose(0),
     TypeError, r"transpose\(\) missing 1 required positional argument: 'dim1'"),
    ("transpose-dim-out-of-range", lambda: mg.ones(2, 3).transpose(0, 2),
     ValueError, r"transpose: axis 2 is out of range for a tensor with 2 dimension"),
    ("permute-not-a-permutation", lambda: mg.ones(2, 3).permute(0, 0),
     ValueError, r"permute: dims \(0, 0\) is not a permutation of the 2 dims of a tensor of shape \(2, 3\)"),
    ("view-impossible-shape", lambda: mg.ones(2, 3).view(4, -1),
     ValueError, r"reshape: cannot reshape a tensor of shape \(2, 3\) \(6 elements\) into shape \(4, -1\)"),
    ("to-cuda", lambda: mg.ones(2).to("cuda"),
     RuntimeError, r"minigrad runs on the CPU only, got 'cuda'"),
    ("module-to-cuda", lambda: nn.Linear(2, 2).to("cuda:0"),
     RuntimeError, r"minigrad runs on the CPU only, got 'cuda:0'"),
    ("max-dim-tuple", lambda: mg.ones(2, 3).max(dim=(0, 1)),
     TypeError, r"max: dim must be one int \(got \(0, 1\)\); for several dims use amax"),
    ("size-dim-out-of-range", lambda: mg.ones(2, 3).size(2),
     ValueError, r"size: axis 2 is out of range"),
    ("stack-shape-mismatch", lambda: mg.stack([mg.ones(2), mg.ones(3)]),
     ValueError, r"stack: cannot stack shapes \[\(2,\), \(3,\)\] along axis 0"),
    ("clip-string-bound", lambda: mg.ones(2).clip("a"), TypeError, r"clip: lo must be a number, got str 'a'"),
    ("clip-lo-above-hi", lambda: mg.ones(2).clip(2, 1), ValueError, r"clip: lo \(2\) must not exceed hi \(1\)"),
    ("save-path-int", lambda: mg.save({"a": 1}, 5),
     TypeError, r"save: path must be a str, a pathlib.Path or a binary file object, got int"),
    ("load-path-None", lambda: mg.load(None),
     TypeError, r"load: path must be a str, a pathlib.Path or a binary file object, got NoneType"),
    ("DataLoader-batch-0", lambda: mg.data.DataLoader(mg.data.TensorDataset(np.ones(3)), batch_size=0),
     ValueError, r"DataLoader: batch_size must be a positive int, got 0"),
    # -- new optimizers, schedulers, nn.utils, transforms, MNIST -------------------------------
    ("Adadelta-lr-negative", lambda: optim.Adadelta(_params(), lr=-1.0),
     ValueError, r"Adadelta: invalid learning rate -1.0 \(must be >= 0\)"),
    ("Adadelta-rho-above-1", lambda: optim.Adadelta(_params(), rho=1.1),
     ValueError, r"Adadelta: invalid rho 1.1 \(must be in \[0, 1\]\)"),
    ("Adadelta-eps-negative", lambda: optim.Adadelta(_params(), eps=-1e-6),
     ValueError, r"Adadelta: invalid eps -1e-06 \(must be >= 0\)"),
    ("RMSprop-alpha-negative", lambda: optim.RMSprop(_params(), alpha=-0.5),
     ValueError, r"RMSprop: invalid alpha -0.5 \(must be >= 0\)"),
    ("RMSprop-eps-string", lambda: optim.RMSprop(_params(), eps="1e-8"),
     TypeError, r"RMSprop: eps must be a number, got str '1e-8'"),
    ("Adagrad-lr-negative", lambda: optim.Adagrad(_params(), lr=-0.01),
     ValueError, r"Adagrad: invalid learning rate -0.01 \(must be >= 0\)"),
    ("Adagrad-initial-accumulator-negative", lambda: optim.Adagrad(_params(), initial_accumulator_value=-1),
     ValueError, r"Adagrad: invalid initial_accumulator_value -1.0 \(must be >= 0\)"),
    ("OneCycleLR-total-steps-missing", lambda: lr_scheduler.OneCycleLR(_sgd(), max_lr=0.1),
     ValueError, r"OneCycleLR: the schedule's length is missing: pass total_steps, or both epochs "
                 r"and steps_per_epoch"),
    ("OneCycleLR-total-steps-0", lambda: lr_scheduler.OneCycleLR(_sgd(), max_lr=0.1, total_steps=0),
     ValueError, r"OneCycleLR: total_steps must be a positive int, got 0"),
    ("OneCycleLR-anneal-unknown", lambda: lr_scheduler.OneCycleLR(_sgd(), 0.1, 10, anneal_strategy="exp"),
     ValueError, r"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got 'exp'"),
    ("OneCycleLR-no-momentum", lambda: lr_scheduler.OneCycleLR(optim.Adagrad(_params()), 0.1, 10),
     ValueError, r"OneCycleLR: cycle_momentum needs an optimizer with 'momentum' or 'betas', and "
                 r"Adagrad has neither"),
    ("LinearLR-start-factor-0", lambda: lr_scheduler.LinearLR(_sgd(), start_factor=0),
     ValueError, r"LinearLR: start_factor must be in \(0, 1\], got 0"),
    ("LambdaLR-not-callable", lambda: lr_scheduler.LambdaLR(_sgd(), 0.5),
     TypeError, r"LambdaLR: lr_lambda must be a function of the epoch .*got float"),
    ("SequentialLR-milestones-count", lambda: _sequential(milestones=[2, 4]),
     ValueError, r"SequentialLR: 2 scheduler\(s\) need 1 milestone\(s\), got 2"),
    ("CosineAnnealingWarmRestarts-T_mult-0", lambda: lr_scheduler.CosineAnnealingWarmRestarts(_sgd(), 2, T_mult=0),
     ValueError, r"CosineAnnealingWarmRestarts: T_mult must be a positive int, got 0"),
    ("ReduceLROnPlateau-factor-1", lambda: lr_scheduler.ReduceLROnPlateau(_sgd(), factor=1.0),
     ValueError, r"ReduceLROnPlateau: factor must be a number in \[0, 1\), got 1.0"),
    ("ReduceLROnPlateau-mode", lambda: lr_scheduler.ReduceLROnPlateau(_sgd(), mode="minimum"),
     ValueError, r"ReduceLROnPlateau: mode must be 'min' or 'max', got 'minimum'"),
    ("ReduceLROnPlateau-metric-string", lambda: lr_scheduler.ReduceLROnPlateau(_sgd()).step("low"),
     TypeError, r"ReduceLROnPlateau.step: metrics must be a number, got str"),
    ("clip_grad_norm_-max-norm-negative", lambda: nn.utils.clip_grad_norm_(_params(), -1.0),
     ValueError, r"clip_grad_norm_: max_norm must be a non-negative number, got -1.0"),
    ("clip_grad_norm_-max-norm-string", lambda: nn.utils.clip_grad_norm_(_params(), "1"),
     TypeError, r"clip_grad_norm_: max_norm must be a number, got str '1'"),
    ("clip_grad_value_-nan", lambda: nn.utils.clip_grad_value_(_params(), math.nan),
     ValueError, r"clip_grad_value_: clip_value must be a non-negative number, got nan"),
    ("vector_to_parameters-2d", lambda: nn.utils.vector_to_parameters(mg.zeros(2, 3), _params()),
     ValueError, r"vector_to_parameters: vec must be 1-D, got shape \(2, 3\)"),
    ("Normalize-std-zero", lambda: T.Normalize([0.5, 0.5], [0.2, 0.0]),
     ValueError, r"Normalize: std \[0.2, 0.0\] has a zero, which would divide by zero"),
    ("Normalize-int-image", lambda: T.Normalize(0.5, 0.5)(mg.Tensor(np.zeros((1, 2, 2), np.int64))),
     TypeError, r"Normalize: expected a floating-point image, got dtype int64"),
    ("RandomCrop-larger-than-padded", lambda: T.RandomCrop(10, padding=2)(np.zeros((1, 5, 5))),
     ValueError, r"RandomCrop: crop size \(10, 10\) is larger than the \(padded\) image \(9, 9\)"),
    ("RandomCrop-padding-mode", lambda: T.RandomCrop(3, padding=1, padding_mode="wrap"),
     ValueError, r"RandomCrop: padding_mode must be one of .*got 'wrap'"),
    ("RandomHorizontalFlip-p", lambda: T.RandomHorizontalFlip(p=1.5),
     ValueError, r"RandomHorizontalFlip: p must be a probability in \[0, 1\], got 1.5"),
    ("ToTensor-list", lambda: T.ToTensor()([[1, 2]]),
     TypeError, r"ToTensor: expected a numpy array \(H, W\) or \(H, W, C\), got list"),
    ("ToTensor-4d", lambda: T.ToTensor()(np.zeros((1, 2, 2, 3), np.uint8)),
     ValueError, r"ToTensor: expected an image of shape \(H, W\) or \(H, W, C\), got shape \(1, 2, 2, 3\)"),
    ("TensorDataset-length-mismatch", lambda: mg.data.TensorDataset(np.ones(3), np.ones(4)),
     ValueError, r"TensorDataset: every array needs the same first dimension, got shapes \[\(3,\), \(4,\)\]"),
    # -- issue 11: elementwise, reductions, index and padding ops ----------------------------
    ("sin-string", lambda: mg.sin("a"), TypeError, r"sin: input must be a Tensor, got str"),
    ("masked_fill-int-mask", lambda: mg.ones(2, 3).masked_fill(np.ones((2, 3), int), 0.0),
     TypeError, r"masked_fill: mask must be a boolean tensor, got dtype int64"),
    ("masked_fill-mask-shape", lambda: mg.ones(2, 3).masked_fill(np.ones((3, 3), bool), 0.0),
     ValueError, r"masked_fill: mask of shape \(3, 3\) does not broadcast to the tensor's shape \(2, 3\)"),
    ("masked_fill-value-string", lambda: mg.ones(2, 3).masked_fill(np.ones((2, 3), bool), "a"),
     TypeError, r"masked_fill: value must be a number, got str 'a'"),
    ("masked_fill-value-tensor-2", lambda: mg.ones(2).masked_fill(np.ones(2, bool), mg.ones(2)),
     ValueError, r"masked_fill: value must be a number or a one-element tensor, got a tensor of shape \(2,\)"),
    ("prod-dim-tuple", lambda: mg.ones(2, 3).prod(dim=(0, 1)),
     TypeError, r"prod: dim must be one int or None, got \(0, 1\)"),
    ("logsumexp-no-dim", lambda: mg.ones(2, 3).logsumexp(None),
     TypeError, r"logsumexp: dim is required"),
    ("logsumexp-int-input", lambda: mg.tensor([1, 2]).logsumexp(0),
     TypeError, r"logsumexp: input must be a floating-point tensor, got dtype int64"),
    ("cumsum-no-dim", lambda: mg.ones(2, 3).cumsum(),
     TypeError, r"cumsum: dim must be one int \(it is required, as in PyTorch\), got None"),
    ("norm-p-nuc", lambda: mg.ones(2, 3).norm("nuc"), ValueError, r"norm: p must be a number, inf or 'fro', got 'nuc'"),
    ("norm-p-negative", lambda: mg.ones(2, 3).norm(-1), ValueError, r"norm: p must be >= 0, inf or -inf, got -1.0"),
    ("norm-int-input", lambda: mg.tensor([1, 2]).norm(),
     TypeError, r"norm: input must be a floating-point tensor, got dtype int64"),
    ("norm-inf-empty", lambda: mg.zeros(0).norm(float("inf")),
     ValueError, r"norm: the inf-norm of an empty tensor is undefined \(shape \(0,\)"),
    ("gather-float-index", lambda: mg.ones(2, 3).gather(1, np.ones((2, 1))),
     TypeError, r"gather: index must be an integer tensor, got dtype float64"),
    ("gather-index-rank", lambda: mg.ones(2, 3).gather(1, np.ones(2, int)),
     ValueError, r"gather: index must have as many dims as the input: index shape \(2,\), input shape \(2, 3\)"),
    ("gather-index-out-of-range", lambda: mg.ones(2, 3).gather(1, np.array([[3], [0]])),
     IndexError, r"gather: index 3 is out of bounds for dim 1 with size 3"),
    ("gather-index-negative", lambda: mg.ones(2, 3).gather(1, np.array([[-1], [0]])),
     IndexError, r"gather: index -1 is out of bounds for dim 1 with size 3"),
    ("gather-index-larger", lambda: mg.ones(2, 3).gather(1, np.zeros((3, 1), int)),
     ValueError, r"gather: index shape \(3, 1\) is larger than the input shape \(2, 3\) in a dim other than dim 1"),
    ("flip-dim-out-of-range", lambda: mg.ones(2, 3).flip(2), ValueError, r"flip: axis 2 is out of range"),
    ("repeat-negative", lambda: mg.ones(2, 3).repeat(1, -1), ValueError, r"repeat: sizes must be >= 0, got \(1, -1\)"),
    ("repeat-too-few-sizes", lambda: mg.ones(2, 3).repeat(2),
     ValueError, r"repeat: give at least one size per dim: 1 size\(s\) \(2,\) for a tensor of shape \(2, 3\)"),
    ("split-float-size", lambda: mg.ones(4).split(1.5),
     TypeError, r"split: split_size_or_sections must be an int or a list of ints, got 1.5"),
    ("split-sections-sum", lambda: mg.ones(4).split([1, 2]),
     ValueError, r"split: section sizes \[1, 2\] must be >= 0 and add up to 4"),
    ("chunk-0", lambda: mg.ones(4).chunk(0), ValueError, r"chunk: chunks must be a positive int, got 0"),
    ("topk-k-too-large", lambda: mg.ones(2, 3).topk(4),
     ValueError, r"topk: k must be an int in \[0, 3\] \(the length of dim -1 of shape \(2, 3\)\), got 4"),
    ("sort-descending-string", lambda: mg.ones(3).sort(descending="yes"),
     TypeError, r"sort: descending must be a bool, got str 'yes'"),
    ("sort-dim-out-of-range", lambda: mg.ones(3).sort(dim=1), ValueError, r"sort: axis 1 is out of range"),
    ("pad-float-width", lambda: F.pad(mg.ones(2, 3), (1.5, 1)), TypeError, r"pad: pad must be a tuple of ints, got \(1.5, 1\)"),
    ("pad-int-not-tuple", lambda: F.pad(mg.ones(3), 1),
     TypeError, r"pad: pad must be a tuple of ints \(left, right, top, bottom, ...\), got int 1"),
    ("pad-too-long", lambda: F.pad(mg.ones(3), (1, 1, 1, 1)),
     ValueError, r"pad: pad \(1, 1, 1, 1\) must have an even length of at most 2 \* 1 .* shape \(3,\)"),
    ("pad-crops-too-much", lambda: F.pad(mg.ones(3), (-2, -2)),
     ValueError, r"pad: negative padding \(-2, -2\) crops more than the input of shape \(3,\) holds"),
    ("pad-ndarray-input", lambda: F.pad(np.ones(3), (1, 1)), TypeError, r"pad: input must be a Tensor, got ndarray"),
    ("pad-reflect-too-wide", lambda: F.pad(mg.ones(1, 2, 3), (0, 3), mode="reflect"),
     ValueError, r"pad: reflect padding \(0, 3\) must be less than the length of its dim \(3\)"),
    ("pad-mode-unknown", lambda: F.pad(mg.ones(1, 3), (1, 1), mode="circle"),
     ValueError, r"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got 'circle'"),
    ("one_hot-float", lambda: F.one_hot(mg.tensor([0.0, 1.0])),
     TypeError, r"one_hot: expected a tensor of integer class indices, got dtype float32 \(shape \(2,\)\)"),
    ("one_hot-too-few-classes", lambda: F.one_hot(mg.tensor([0, 3]), 3),
     ValueError, r"one_hot: class index 3 does not fit num_classes=3"),
    ("one_hot-negative", lambda: F.one_hot(mg.tensor([0, -1])), ValueError, r"one_hot: class indices must be >= 0, got -1"),
    ("one_hot-empty-infer", lambda: F.one_hot(mg.tensor(np.zeros(0, np.int64))),
     ValueError, r"one_hot: cannot infer num_classes from an empty tensor"),
    ("normalize-int-input", lambda: F.normalize(mg.tensor([[1, 2]])),
     TypeError, r"normalize: input must be a floating-point tensor, got dtype int64"),
    ("normalize-dim-out-of-range", lambda: F.normalize(mg.ones(3)),
     ValueError, r"normalize: axis 1 is out of range for a tensor with 1 dimension"),
    ("silu-int-input", lambda: F.silu(mg.tensor([1, 2])), TypeError, r"silu: input must be a floating-point tensor, got dtype int64"),
    ("hardtanh-min-above-max", lambda: F.hardtanh(mg.ones(3), 1.0, -1.0),
     ValueError, r"hardtanh: min_val \(1.0\) must not be greater than max_val \(-1.0\)"),
    ("Hardtanh-max-None", lambda: nn.Hardtanh(max_val=None), TypeError, r"Hardtanh: max_val must be a number, got NoneType None"),
]


@pytest.mark.parametrize("call, error, pattern", [case[1:] for case in BAD_INPUTS],
                         ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_raises_a_named_error(call, error, pattern):
    with pytest.raises(error, match=pattern) as info:
        call()
    # A numpy-internal exception class (UFuncTypeError, AxisError, ...) means the
    # input reached numpy unchecked, even when it happens to subclass the right type.
    assert type(info.value).__module__.split(".")[0] != "numpy", type(info.value)


def test_a_rejected_state_dict_changes_nothing():
    bn = nn.BatchNorm2d(2)
    before = {k: v.numpy().copy() for k, v in bn.state_dict().items()}
    with pytest.raises(ValueError):
        bn.load_state_dict(_bn_state(num_batches_tracked=np.array(2.7), running_mean=np.full(2, 5.0)))
    for k, v in bn.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])


def _table_size(test_function):
    """Number of parametrised cases of a test (the product over its parametrize marks)."""
    size = 1
    for mark in test_function.pytestmark:
        if mark.name == "parametrize":
            size *= len(mark.args[1])
    return size


def test_every_bad_input_is_tabled():
    """The per-op tables named in the module docstring still exist (so together
    with this one they list every bad input), and no case is listed twice."""
    from tests.ops import test_conv, test_loss, test_pool
    elsewhere = (_table_size(test_conv.test_bad_arguments_fail_clearly)
                 + _table_size(test_pool.test_bad_arguments_fail_clearly)
                 + _table_size(test_loss.test_loss_errors))
    ids = [case[0] for case in BAD_INPUTS]
    assert len(ids) == len(set(ids))
    assert len(BAD_INPUTS) + elsewhere >= 160, (len(BAD_INPUTS), elsewhere)


# -- odd but valid inputs: the same numbers as plain ones ---------------------------------

def _read_only(a):
    a = np.array(a)
    a.flags.writeable = False
    return a


def _non_contiguous(a):
    """The same values in a strided, non-contiguous (Fortran-ordered, doubled) view."""
    wide = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), dtype=a.dtype, order="F")
    wide[..., ::2] = a
    view = wide[..., ::2]
    assert not view.flags.c_contiguous
    return view


RNG = np.random.default_rng(7)
IMAGES = RNG.normal(size=(2, 3, 6, 6))
CONV_W = RNG.normal(size=(4, 3, 3, 3))
MATRIX = RNG.normal(size=(5, 4))
LIN_W = RNG.normal(size=(2, 4))
TARGET = np.array([0, 3, 1, 2, 3])

VALID_OPS = {
    "conv2d": (lambda x, w: F.conv2d(x, w, stride=2, padding=1), IMAGES, CONV_W),
    "max_pool2d": (lambda x: F.max_pool2d(x, 3, 2, 1), IMAGES),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, 2), IMAGES),
    "max_pool2d_ceil_dilation": (lambda x: F.max_pool2d(x, 2, 3, 1, 2, ceil_mode=True), IMAGES),
    "avg_pool2d_ceil_no_pad_count": (lambda x: F.avg_pool2d(x, 3, 2, 1, True, False), IMAGES),
    "adaptive_max_pool2d": (lambda x: F.adaptive_max_pool2d(x, (4, 5)), IMAGES),
    "adaptive_avg_pool2d": (lambda x: F.adaptive_avg_pool2d(x, (4, 5)), IMAGES),
    "interpolate": (lambda x: F.interpolate(x, scale_factor=(1.5, 0.5)), IMAGES),
    "conv2d_same": (lambda x, w: F.conv2d(x, w[:, :, :2, :2], padding="same"), IMAGES, CONV_W),
    "linear": (lambda x, w: F.linear(x, w), MATRIX, LIN_W),
    "cross_entropy": (lambda x: F.cross_entropy(x, TARGET), MATRIX),
    "softmax": (lambda x: F.softmax(x, axis=0), MATRIX),
    "batch_norm": (lambda x: nn.BatchNorm2d(3).double()(x), IMAGES),
    "group_norm": (lambda x: F.group_norm(x, 3), IMAGES),
    "layer_norm": (lambda x: F.layer_norm(x, (6, 6)), IMAGES),
    "broadcast_mul": (lambda x, w: x * w[0], MATRIX, LIN_W),
}


@pytest.mark.parametrize("layout", [_read_only, _non_contiguous])
@pytest.mark.parametrize("name", sorted(VALID_OPS))
def test_read_only_and_non_contiguous_arrays_give_the_plain_results(name, layout):
    fn, *arrays = VALID_OPS[name]

    def run(make):
        leaves = [mg.from_numpy(make(a)).requires_grad_() for a in arrays]
        out = fn(*leaves)
        (out * out).sum().backward()
        return out.numpy(), [t.grad.numpy() for t in leaves]

    out, grads = run(np.array)
    odd_out, odd_grads = run(layout)
    np.testing.assert_allclose(odd_out, out, rtol=1e-12, atol=1e-12)
    for g, odd in zip(grads, odd_grads):
        np.testing.assert_allclose(odd, g, rtol=1e-12, atol=1e-12)


def test_empty_batches_give_empty_results():
    empty = mg.Tensor(np.zeros((0, 3, 6, 6)), requires_grad=True)
    out = F.max_pool2d(F.conv2d(empty, mg.Tensor(CONV_W), padding=1), 2)
    assert out.shape == (0, 4, 3, 3)
    out.sum().backward()
    assert empty.grad.shape == (0, 3, 6, 6)
    assert F.linear(mg.Tensor(np.zeros((0, 4))), mg.Tensor(LIN_W)).shape == (0, 2)
    # an empty batch has no mean loss: NaN, as PyTorch (and a 'sum' of 0)
    logits = mg.Tensor(np.zeros((0, 3)))
    assert math.isnan(F.cross_entropy(logits, np.zeros(0, np.int64)).item())
    assert F.cross_entropy(logits, np.zeros(0, np.int64), reduction="sum").item() == 0


def test_unsigned_and_list_class_indices_are_accepted():
    logits = mg.Tensor(MATRIX)
    expected = F.cross_entropy(logits, TARGET).item()
    assert F.cross_entropy(logits, TARGET.astype(np.uint8)).item() == expected
    assert F.cross_entropy(logits, TARGET.tolist()).item() == expected
    assert F.cross_entropy(logits, mg.Tensor(TARGET)).item() == expected
