"""What every reduction shares: which axes it covers, the shape it leaves, how many
elements each output combines, and its backward's first step, spreading the output
gradient back over the reduced axes (``dy`` reshaped to the keepdims shape and
broadcast to the input's shape)."""
from __future__ import annotations

import numpy as np

from ..checks import dim_and_keepdim, keepdims_shape, normalize_axis


def reduced_count(shape, axes):
    """How many elements each output of a reduction over ``axes`` combines."""
    return int(np.prod(shape if axes is None else [shape[i] for i in axes]))


def reduced_shape(shape, axes):
    """The shape of a reduction over ``axes`` (None: all) without keepdims."""
    return () if axes is None else tuple(n for i, n in enumerate(shape) if i not in axes)


def output_shape(shape, axes, keepdims):
    return keepdims_shape(shape, axes) if keepdims else reduced_shape(shape, axes)


def spread_over_reduced(g, in_shape, axes, keepdims):
    """dz of a reduction, broadcast back over the reduced axes of the input."""
    if not keepdims:
        g = g.reshape(keepdims_shape(in_shape, axes))
    return g.expand(*in_shape)


def reduction_axes(dim, ndim, op):
    """The axes a reduction over ``dim`` covers (None: all). As PyTorch, an empty
    tuple or list of dims reduces over all of them, not over none."""
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        return None
    return normalize_axis(dim, ndim, op)


def reduce_over_dim(op_class, a, dim, keepdim, numpy_names, name):
    """``op_class(axes, keepdim)(a)`` for a reduction that takes PyTorch's
    ``dim``/``keepdim`` or numpy's ``axis``/``keepdims``."""
    dim, keepdim = dim_and_keepdim(name, dim, keepdim, numpy_names)
    return op_class(reduction_axes(dim, a.ndim, name), keepdim)(a)
