"""The functional interface (``import minigrad.nn.functional as F``): the ops of
``minigrad/ops`` under PyTorch's names, plus ``linear`` and ``normalize``. The
teaching aids ``rot180`` and ``full_convolution_rot180`` give the conv input
gradient in its textbook form."""
from ..checks import check_float_tensor, check_number, check_same_dtype, normalize_axis
from ..ops.activation import (elu, gelu, hardtanh, leaky_relu, log_softmax, relu, sigmoid, silu,
                              softmax, softplus, tanh)
from ..ops.conv import conv2d, conv_transpose2d, full_convolution_rot180, rot180
from ..ops.dropout import dropout, dropout2d
from ..ops.embedding import embedding
from ..ops.index import one_hot
from ..ops.linalg import matmul
from ..ops.loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                        huber_loss, kl_div, l1_loss, mse_loss, nll_loss, smooth_l1_loss)
from ..ops.norm import batch_norm, group_norm, instance_norm, layer_norm
from ..ops.padding import pad
from ..ops.pool import adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d, max_pool2d
from ..ops.rearrange import pixel_shuffle, pixel_unshuffle
from ..ops.prod_logsumexp_norm import norm as p_norm
from ..ops.resize import interpolate

__all__ = [
    "adaptive_avg_pool2d", "adaptive_max_pool2d", "avg_pool2d", "batch_norm",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "conv2d",
    "conv_transpose2d", "cross_entropy", "dropout", "dropout2d", "elu", "embedding",
    "full_convolution_rot180", "gelu", "group_norm", "hardtanh", "huber_loss",
    "instance_norm", "interpolate", "kl_div", "l1_loss", "layer_norm", "leaky_relu",
    "linear", "log_softmax", "max_pool2d", "mse_loss", "nll_loss", "normalize", "one_hot",
    "pad", "pixel_shuffle", "pixel_unshuffle", "relu", "rot180", "sigmoid", "silu",
    "smooth_l1_loss", "softmax", "softplus", "tanh",
]


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


def normalize(x, p=2.0, dim=1, eps=1e-12):
    """x / max(||x||_p over dim, eps): unit p-norm along ``dim`` (composed of
    differentiable ops, so its gradient is PyTorch's)."""
    check_float_tensor(x, "input", "normalize")
    normalize_axis(dim, x.ndim, "normalize")   # the error names normalize, not norm
    return x / p_norm(x, p, dim, keepdim=True).clip(check_number(eps, "eps", "normalize"))
