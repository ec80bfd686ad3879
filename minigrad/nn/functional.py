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
from ..ops.pool import adaptive_avg_pool2d, adaptive_max_pool2d  # noqa: E402,F401
from ..ops.resize import interpolate  # noqa: E402,F401


# -- teaching aids: the conv input gradient in its textbook form (minigrad/ops/conv.py)
from ..ops.conv import rot180, full_convolution_rot180  # noqa: E402,F401


# -- issue 11: more activations, padding modes, one_hot, normalize -------------------------
from ..ops.activation import silu, hardtanh  # noqa: E402,F401
from ..ops.padding import pad  # noqa: E402,F401
from ..ops.index import one_hot  # noqa: E402,F401
from ..ops.reduce import norm as _norm  # noqa: E402
from ..checks import check_number, normalize_axis  # noqa: E402


def normalize(x, p=2.0, dim=1, eps=1e-12):
    """x / max(||x||_p over dim, eps): unit p-norm along ``dim`` (composed of
    differentiable ops, so its gradient is PyTorch's)."""
    check_float_tensor(x, "input", "normalize")
    normalize_axis(dim, x.ndim, "normalize")   # the error names normalize, not norm
    return x / _norm(x, p, dim, keepdim=True).clip(check_number(eps, "eps", "normalize"))


# -- losses, normalisation, embedding, channel dropout (ops/loss.py, norm.py, embedding.py,
# dropout.py)
from ..ops.loss import (l1_loss, smooth_l1_loss, huber_loss,  # noqa: E402,F401
                        binary_cross_entropy_with_logits, kl_div)
from ..ops.norm import batch_norm, layer_norm, group_norm  # noqa: E402,F401
from ..ops.embedding import embedding  # noqa: E402,F401
from ..ops.dropout import dropout2d  # noqa: E402,F401


# -- issue 23: instance norm, pixel shuffle (ops/norm.py, ops/rearrange.py) ----------------
from ..ops.norm import instance_norm  # noqa: E402,F401
from ..ops.rearrange import pixel_shuffle, pixel_unshuffle  # noqa: E402,F401
