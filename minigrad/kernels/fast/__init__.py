"""The fast kernel set (the default): tiled im2col/col2im conv kernels on
batch-last memory, and pooling by strided views per tap on cache-sized chunks.
Each function computes the same numbers as its namesake in
``minigrad/kernels/reference.py`` (tests/kernels/test_reference_equals_fast.py)."""
from .conv import conv2d, conv2d_weight, conv_transpose2d, pad_input  # noqa: F401
from .pool import avg_pool, avg_unpool, gather_argmax, max_pool, max_unpool  # noqa: F401

NAME = "fast"
