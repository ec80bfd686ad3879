"""Differential rows of the neural-network ops: activations, losses, dropout,
convolution, pooling, normalisation, embedding and indexing along a dim, padding
and resizing (minigrad/ops/activation.py, loss.py, dropout.py, conv.py, pool.py,
norm.py, embedding.py, index.py, padding.py, resize.py)."""
import numpy as np
import torch

import minigrad as mg
import minigrad.nn.functional as mgF
from tests.differential.row import (DIM1, IMAGES, SUMS, UNARY, Row, away_from_zero, class_targets,
                                   normal, pattern_mask, probability)


def dropout_reference(p, channels_only):
    """PyTorch's dropout with minigrad's mask: the mask minigrad draws after
    ``manual_seed(0)`` for a tensor of ones (masks depend only on the shape)."""
    def fn(L, x):
        mg.manual_seed(0)
        ones = mg.from_numpy(np.ones(tuple(x.shape), dtype=x.detach().numpy().dtype))
        scaled_mask = (mgF.dropout2d if channels_only else mgF.dropout)(ones, p)
        return x * torch.tensor(scaled_mask.numpy())
    return fn


def seeded(fn):
    def call(L, *inputs):
        mg.manual_seed(0)
        return fn(L, *inputs)
    return call

ROWS = [
    # activations (minigrad/ops/activation.py)
    Row("relu", lambda L, x: L.F.relu(x), UNARY, values=away_from_zero),
    Row("relu_method", lambda L, x: x.relu(), UNARY, values=away_from_zero),
    Row("sigmoid", lambda L, x: x.sigmoid(), UNARY, second_order=True),
    Row("tanh", lambda L, x: L.F.tanh(x), UNARY, second_order=True),
    Row("leaky_relu", lambda L, x: L.F.leaky_relu(x, 0.1), UNARY, values=away_from_zero),
    Row("elu", lambda L, x: L.F.elu(x, alpha=0.7), UNARY, values=away_from_zero,
        second_order=True),
    Row("gelu", lambda L, x: L.F.gelu(x), UNARY, second_order=True),
    Row("gelu_tanh", lambda L, x: L.F.gelu(x, approximate="tanh"), UNARY, second_order=True),
    Row("softplus", lambda L, x: L.F.softplus(x, beta=2.0, threshold=5.0), UNARY,
        values=away_from_zero, second_order=True),
    Row("silu", lambda L, x: L.F.silu(x), UNARY, second_order=True),
    Row("hardtanh", lambda L, x: L.F.hardtanh(x, -0.5, 2.0), UNARY),
    Row("softmax_last", lambda L, x: x.softmax(dim=-1), DIM1, second_order=True),
    Row("softmax_dim0", lambda L, x: L.F.softmax(x, dim=0), [((3, 2, 2),), ((1,),)]),
    Row("log_softmax_dim1", lambda L, x: x.log_softmax(dim=1), DIM1, second_order=True),
    # losses (minigrad/ops/loss.py)
    Row("cross_entropy", lambda L, x: L.F.cross_entropy(x, L.const(class_targets(tuple(x.shape)))),
        [((3, 4),), ((2, 3, 2, 2),), ((1, 1),)], tol=SUMS, second_order=True),
    Row("cross_entropy_sum_smoothing", lambda L, x: L.F.cross_entropy(
        x, L.const(class_targets(tuple(x.shape))), reduction="sum", label_smoothing=0.1),
        [((3, 4),)], tol=SUMS),
    Row("cross_entropy_none_weight_ignore", lambda L, x: L.F.cross_entropy(
        x, L.const(np.array([0, 2, -100, 1])), weight=x.detach()[0] * 0 + L.const([0.5, 2.0, 1.0]),
        reduction="none"), [((4, 3),)], tol=SUMS),
    Row("cross_entropy_probabilities", lambda L, x: L.F.cross_entropy(x, x.detach() * 0 + 0.25),
        [((3, 4),)], tol=SUMS),
    Row("nll_loss", lambda L, x: L.F.nll_loss(x.log_softmax(dim=1),
                                             L.const(class_targets(tuple(x.shape)))),
        [((3, 4),)], tol=SUMS),
    Row("nll_loss_all_ignored", lambda L, x: L.F.nll_loss(x, L.const(np.array([-100, -100]))),
        [((2, 3),)], tol=SUMS),
    Row("bce_with_logits", lambda L, x: L.F.binary_cross_entropy_with_logits(
        x, L.const(pattern_mask(tuple(x.shape))).to(x.dtype)), [((3, 4),), ((5,),)], tol=SUMS,
        second_order=True),
    Row("bce_with_logits_pos_weight", lambda L, x: L.F.binary_cross_entropy_with_logits(
        x, (L.const(pattern_mask(tuple(x.shape)))).to(x.dtype),
        pos_weight=x.detach() * 0 + 3.0, reduction="none"), [((3, 4),)], tol=SUMS),
    Row("mse_loss", lambda L, a, b: L.F.mse_loss(a, b), [((3, 2), (3, 2)), ((4,), (4,))], tol=SUMS),
    Row("l1_loss_sum", lambda L, a, b: L.F.l1_loss(a, b, reduction="sum"), [((3, 2), (3, 2))],
        tol=SUMS),
    Row("smooth_l1_loss", lambda L, a, b: L.F.smooth_l1_loss(a, b, beta=0.8), [((4, 3), (4, 3))],
        tol=SUMS),
    Row("huber_loss", lambda L, a, b: L.F.huber_loss(a, b, reduction="none", delta=0.6),
        [((4, 3), (4, 3))], tol=SUMS),
    Row("binary_cross_entropy", lambda L, p: L.F.binary_cross_entropy(p, p.detach() * 0 + 0.3),
        [((4,),), ((2, 3),)], values=probability, tol=SUMS),
    Row("kl_div_batchmean", lambda L, x, t: L.F.kl_div(x.log_softmax(dim=1), t,
                                                       reduction="batchmean"),
        [((3, 4), (3, 4))], values=(normal, probability), tol=SUMS),
    # dropout (minigrad/ops/dropout.py): torch applies minigrad's mask
    Row("dropout", seeded(lambda L, x: L.F.dropout(x, 0.4)), [((4, 5),), ((2, 3, 4),), ((0, 3),)],
        torch_fn=dropout_reference(0.4, channels_only=False)),
    Row("dropout2d", seeded(lambda L, x: L.F.dropout2d(x, 0.5)), [((3, 4, 2, 2),)],
        torch_fn=dropout_reference(0.5, channels_only=True)),
    # convolution (minigrad/ops/conv.py)
    Row("conv2d_bias", lambda L, x, w, b: L.F.conv2d(x, w, b),
        [((2, 3, 5, 5), (4, 3, 3, 3), (4,)), ((1, 1, 4, 6), (2, 1, 2, 3), (2,))],
        tol=SUMS, second_order=True),
    Row("conv2d_stride_pad_dilation", lambda L, x, w: L.F.conv2d(x, w, stride=2, padding=1,
                                                                 dilation=(1, 2)),
        [((2, 2, 7, 8), (3, 2, 3, 2))], tol=SUMS, second_order=True),
    Row("conv2d_groups", lambda L, x, w: L.F.conv2d(x, w, padding=1, groups=3),
        [((1, 3, 5, 5), (6, 1, 3, 3))], tol=SUMS),
    Row("conv2d_same", lambda L, x, w: L.F.conv2d(x, w, padding="same"),
        [((1, 2, 5, 6), (3, 2, 2, 4))], tol=SUMS),
    Row("conv_transpose2d", lambda L, x, w, b: L.F.conv_transpose2d(x, w, b, stride=2, padding=1,
                                                                     output_padding=1),
        [((2, 3, 4, 4), (3, 2, 3, 3), (2,))], tol=SUMS, second_order=True),
    Row("conv_transpose2d_groups_dilation", lambda L, x, w: L.F.conv_transpose2d(
        x, w, groups=2, dilation=2), [((1, 4, 3, 3), (4, 1, 2, 2))], tol=SUMS),
    # pooling (minigrad/ops/pool.py)
    Row("max_pool2d", lambda L, x: L.F.max_pool2d(x, 2), IMAGES, second_order=True),
    Row("max_pool2d_k3_s2_p1", lambda L, x: L.F.max_pool2d(x, 3, 2, 1), IMAGES, second_order=True),
    Row("max_pool2d_ceil_dilation", lambda L, x: L.F.max_pool2d(x, 2, 2, 1, 2, ceil_mode=True),
        IMAGES),
    Row("avg_pool2d", lambda L, x: L.F.avg_pool2d(x, 2), IMAGES, second_order=True),
    Row("avg_pool2d_k3_s2_p1_no_pad_count", lambda L, x: L.F.avg_pool2d(x, 3, 2, 1, False, False),
        IMAGES, second_order=True),
    Row("adaptive_avg_pool2d", lambda L, x: L.F.adaptive_avg_pool2d(x, (3, 4)), IMAGES,
        second_order=True),
    Row("adaptive_max_pool2d", lambda L, x: L.F.adaptive_max_pool2d(x, (3, 4)), IMAGES,
        second_order=True),
    # normalisation (minigrad/ops/norm.py)
    Row("batch_norm_train", lambda L, x, w, b: L.F.batch_norm(x, None, None, w, b, training=True),
        [((4, 3, 2, 2), (3,), (3,)), ((5, 3), (3,), (3,))], tol=SUMS, second_order=True,
        ties_ok=False),
    Row("batch_norm_eval", lambda L, x, w, b: L.F.batch_norm(
        x, x.detach()[0, :, 0, 0] * 0 + 0.5, x.detach()[0, :, 0, 0] * 0 + 2.0, w, b,
        training=False), [((2, 3, 2, 2), (3,), (3,))], tol=SUMS),
    Row("layer_norm", lambda L, x, w, b: L.F.layer_norm(x, (4,), w, b),
        [((3, 4), (4,), (4,)), ((2, 3, 4), (4,), (4,))], tol=SUMS, second_order=True),
    Row("group_norm", lambda L, x, w, b: L.F.group_norm(x, 2, w, b),
        [((2, 4, 3, 3), (4,), (4,)), ((3, 4, 5), (4,), (4,))], tol=SUMS, second_order=True),
    # embedding and indexing along a dim (minigrad/ops/embedding.py, index.py)
    Row("embedding", lambda L, w: L.F.embedding(L.const(np.array([[0, 2, 2], [4, 1, 0]])), w),
        [((5, 3),)], second_order=True),
    Row("gather_dim1", lambda L, x: x.gather(1, L.const(np.array([[0, 3, 3], [1, 1, 0]]))),
        [((2, 4),)], second_order=True),
    Row("gather_function_dim0", lambda L, x: L.lib.gather(x, 0, L.const(np.array([[1, 0]]))),
        [((3, 2),)], second_order=True),
    # padding and resizing (minigrad/ops/padding.py, resize.py)
    Row("pad_reflect_1d", lambda L, x: L.F.pad(x, (2, 1), mode="reflect"), [((2, 3, 5),)],
        second_order=True),
    Row("pad_reflect_2d", lambda L, x: L.F.pad(x, (1, 2, 2, 1), mode="reflect"),
        [((1, 2, 4, 4),)], second_order=True),
    Row("interpolate_scale2", lambda L, x: L.F.interpolate(x, scale_factor=2), [((2, 3, 3, 4),)],
        second_order=True),
    Row("interpolate_size", lambda L, x: L.F.interpolate(x, size=(3, 7)), [((1, 2, 5, 4),)],
        second_order=True),
    Row("instance_norm", lambda L, x, w, b: L.F.instance_norm(x, weight=w, bias=b),
        [((2, 3, 4, 4), (3,), (3,)), ((1, 2, 5), (2,), (2,))], ties_ok=False, tol=SUMS),
]
