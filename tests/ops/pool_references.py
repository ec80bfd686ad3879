"""The pooling textbook rules as loops (argmax routing, upsample / window size),
and the grid of geometries the pooling tests run them over (tests/ops/test_pool.py,
tests/ops/test_pool_options.py, tests/kernels/test_fast_pool.py)."""
import numpy as np


def loop_pool(x, kernel, stride, padding, kind):
    """Forward and the routing of each output to its input pixels, window by window.
    Returns (y, route) where route[(n, c, i, j)] lists (pixel, weight) pairs."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    n, c, h, w = x.shape
    ho, wo = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    y = np.zeros((n, c, ho, wo))
    route = {}
    for b in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    best, best_at, cells = -np.inf, None, []
                    for a in range(kh):            # row-major window order
                        for bb in range(kw):
                            u, v = i * sh + a - ph, j * sw + bb - pw
                            inside = 0 <= u < h and 0 <= v < w
                            value = x[b, ch, u, v] if inside else (-np.inf if kind == "max" else 0.0)
                            if inside:
                                cells.append((u, v))
                            if value > best:       # strictly greater: the first maximum stays
                                best, best_at = value, (u, v)
                    if kind == "max":
                        y[b, ch, i, j] = best
                        route[(b, ch, i, j)] = [(best_at, 1.0)]
                    else:
                        y[b, ch, i, j] = sum(x[b, ch, u, v] for u, v in cells) / (kh * kw)
                        route[(b, ch, i, j)] = [(cell, 1.0 / (kh * kw)) for cell in cells]
    return y, route


def loop_pool_backward(g, x_shape, route):
    """dx = every g[n, c, i, j] sent along its route (argmax, or upsample / window size);
    overlapping windows add up."""
    dx = np.zeros(x_shape)
    for (b, ch, i, j), targets in route.items():
        for (u, v), weight in targets:
            dx[b, ch, u, v] += weight * g[b, ch, i, j]
    return dx


POOL_GRID = [  # (x shape, kernel, stride, padding)
    ((1, 1, 4, 4), (2, 2), (2, 2), (0, 0)),
    ((3, 2, 7, 6), (3, 3), (2, 2), (1, 1)),
    ((1, 3, 5, 7), (2, 3), (1, 2), (1, 0)),
    ((2, 1, 6, 5), (3, 2), (3, 1), (0, 1)),
]
