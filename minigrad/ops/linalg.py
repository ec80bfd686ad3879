"""Matrix product with numpy's ``matmul`` rules (1-D, 2-D and batched)."""
from __future__ import annotations

import numpy as np

from ..autograd import Function, Input
from .._tensor import Tensor, as_operand, make_tensor
from . import buffers


class MatMul(Function):
    """y = a @ b.
    da = dy @ b^T,  db = a^T @ dy

    A 1-D operand is treated as a row (a) or column (b) vector, and batch axes
    that were broadcast are summed back, exactly undoing what forward did."""

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul: operands must have at least 1 dimension, got shapes "
                             f"{a.shape} and {b.shape} (use * for scalars)")
        try:
            if _long_inner_axis(a, b) and _stored_transposed(a) and _stored_transposed(b):
                # A flattened batch-last activation times Linear's weight.T: computed as
                # (b^T @ a^T)^T, not as numpy's transposed x transposed product (see
                # benchmarks/README.md). The small result is copied back to the C order
                # numpy gives, as gradients follow layouts.
                out = np.ascontiguousarray(np.matmul(b.T, a.T).T)
            else:
                out = np.matmul(a, b, out=self.pooled_output(a, b))
        except ValueError:
            k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
            raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not align: the last "
                             f"axis of a ({a.shape[-1]}) must equal the "
                             f"{'only' if b.ndim == 1 else 'second-to-last'} axis of b ({k_b}), "
                             "and batch axes must broadcast") from None
        need_a, need_b = self.needs_input_grad   # da reads b, db reads a; shapes read both
        self.save_for_backward(Input(0) if need_b else None, Input(1) if need_a else None)
        self._transposed = (need_a and _stored_transposed(a), need_b and _stored_transposed(b))
        return out

    @staticmethod
    def pooled_output(a, b):
        """A large product's output from the buffer pool (``buffers.py``), else None."""
        if a.ndim < 2 or b.ndim < 2 or a.shape[-1] != b.shape[-2]:
            return None   # (numpy makes the 1-D results, and the shape errors)
        try:
            batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            return None
        return buffers.empty_if_large(batch + (a.shape[-2], b.shape[-1]), np.result_type(a, b))

    def backward(self, g):
        a, b = self.saved_tensors
        a_shape, b_shape = self.input_shapes
        # As 2-D (or batched) matrices: a 1-D a is a row, a 1-D b a column. The
        # engine sums each gradient over the batch axes its operand was broadcast along.
        a_mat = a_shape if len(a_shape) > 1 else (1,) + a_shape
        b_mat = b_shape if len(b_shape) > 1 else b_shape + (1,)
        batch = np.broadcast_shapes(a_mat[:-2], b_mat[:-2])
        g = g.reshape(batch + (a_mat[-2], b_mat[-1]))
        ga = gb = None
        if b is not None:
            b = b.reshape(b_mat)
            # An operand stored transposed (Linear's weight.T) gets its gradient in the
            # same memory order, (b @ dy^T)^T: the same numbers, but the optimizer then
            # updates the weight with contiguous reads instead of a transposing walk.
            ga = (b @ g.mT).mT if self._transposed[0] else g @ b.mT
            ga = ga.reshape(ga.shape[:-2] + a_shape) if len(a_shape) == 1 else ga
        if a is not None:
            a = a.reshape(a_mat)
            gb = (g.mT @ a).mT if self._transposed[1] else a.mT @ g
            gb = gb.reshape(gb.shape[:-2] + b_shape) if len(b_shape) == 1 else gb
        return ga, gb


def _long_inner_axis(a, b):
    """Two matrices whose shared axis is at least 4x longer than the result's sides."""
    return a.ndim == b.ndim == 2 and a.shape[1] >= 4 * max(a.shape[0], b.shape[1])


def _stored_transposed(a):
    """True when the array is a matrix (stack) stored transposed: not C-contiguous,
    but its ``.mT`` is (a ``.T`` view of an ordinary array)."""
    return a.ndim >= 2 and not a.flags.c_contiguous and a.swapaxes(-1, -2).flags.c_contiguous


def matmul(a, b):
    if not isinstance(a, Tensor):
        a = as_operand(a, b)
    return MatMul()(a, b if isinstance(b, Tensor) else as_operand(b, a))


class Einsum(Function):
    """y = einsum(spec, x_1, ..., x_n), a sum of products over the repeated indices.
    dx_i = einsum(spec with x_i's indices as the output and dy in x_i's place, the other
    operands), then summed over an index x_i repeats (its diagonal) back into x_i's shape

    Each operand's gradient is itself an einsum: the output's indices take the operand's
    place, and the operand's indices become the output. An index that only the operand
    has (summed away in forward) is broadcast back, since dy does not depend on it."""

    def __init__(self, inputs, output):
        self.inputs, self.output = tuple(inputs), output

    @property
    def spec(self):
        return ",".join(self.inputs) + "->" + self.output

    def forward(self, *arrays):
        self.save_for_backward(*[Input(i) for i in range(len(arrays))])
        try:
            return np.einsum(self.spec, *arrays, optimize=len(arrays) > 2)
        except ValueError as exc:
            raise ValueError(f"einsum: {self.spec} does not fit operands of shapes "
                             f"{[a.shape for a in arrays]} ({exc})") from None

    def backward(self, g):
        operands = self.saved_tensors
        grads = []
        for i, need in enumerate(self.needs_input_grad):
            if not need:
                grads.append(None)
                continue
            indices = self.inputs[i]
            others = [j for j in range(len(operands)) if j != i]
            unique = "".join(dict.fromkeys(indices))    # the operand's indices, each once
            sizes = dict(zip(indices, self.input_shapes[i]))
            reachable = set(self.output).union(*[self.inputs[j] for j in others])
            kept = "".join(c for c in unique if c in reachable)
            terms = [self.output] + [self.inputs[j] for j in others]
            grad = Einsum(terms, kept)(g, *[operands[j] for j in others])
            if kept != unique:   # an index summed away alone: dy does not vary along it
                grad = grad.reshape(*[sizes[c] if c in kept else 1 for c in unique])
                grad = grad.expand(*[sizes[c] for c in unique])
            if unique != indices:   # a repeated index (a diagonal): put it back in place
                grad = diagonal_embed(grad, unique, indices, sizes)
            grads.append(grad)
        return tuple(grads)

    def settings(self):
        return {"spec": self.spec}


def diagonal_embed(grad, unique, indices, sizes):
    """``grad`` (indexed by ``unique``) spread onto the diagonal of a tensor indexed by
    ``indices``, in which some index repeats: an einsum with identity matrices."""
    extra, eyes, out = [], [], []
    spare = iter(c for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                 if c not in indices)
    seen = set()
    for c in indices:
        if c in seen:
            new = next(spare)
            eyes.append(c + new)
            extra.append(np.eye(sizes[c], dtype=grad.dtype))
            out.append(new)
        else:
            seen.add(c)
            out.append(c)
    return Einsum([unique] + eyes, "".join(out))(grad, *[make_tensor(e) for e in extra])


def einsum(equation, *operands):
    """``einsum("ij,jk->ik", a, b)`` as numpy's and PyTorch's (explicit ``->`` output, or
    the implicit form: the indices seen once, sorted); operands may also come as one list."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise TypeError(f"einsum: the equation must be a string, got {type(equation).__name__}")
    spec = equation.replace(" ", "")
    if "..." in spec:
        raise ValueError("einsum: '...' (ellipsis) is not supported; name every index")
    inputs, _, output = spec.partition("->")
    inputs = inputs.split(",")
    if not _:
        counts = {c: "".join(inputs).count(c) for c in "".join(inputs)}
        output = "".join(sorted(c for c, n in counts.items() if n == 1))
    if len(inputs) != len(operands):
        raise ValueError(f"einsum: {equation!r} names {len(inputs)} operands, got {len(operands)}")
    for term, t in zip(inputs, operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum: operands must be Tensors, got {type(t).__name__}")
        if len(term) != t.ndim:
            raise ValueError(f"einsum: {term!r} has {len(term)} indices but its operand has shape "
                             f"{t.shape}")
    return Einsum(inputs, output)(*operands)


# -- PyTorch's matrix functions, made of matmul, indexing and masks ----------------------------

def mm(a, b):
    """The product of two matrices (2-D only, as PyTorch's ``mm``; ``matmul`` broadcasts)."""
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"mm: both operands must be 2-D matrices, got shapes {a.shape} and "
                         f"{b.shape} (matmul takes other shapes)")
    return matmul(a, b)


def bmm(a, b):
    """Batched matrix product of two 3-D tensors with the same batch size."""
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0]:
        raise ValueError(f"bmm: both operands must be 3-D with the same batch size, got shapes "
                         f"{a.shape} and {b.shape}")
    return matmul(a, b)


def outer(a, b):
    """a_i * b_j for 1-D a and b."""
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"outer: both operands must be 1-D, got shapes {a.shape} and {b.shape}")
    return a.reshape(-1, 1) * b.reshape(1, -1)


def diagonal_positions(rows, cols, offset):
    """Row and column indices of the diagonal ``offset`` of a rows x cols matrix."""
    start_r, start_c = max(-offset, 0), max(offset, 0)
    length = max(0, min(rows - start_r, cols - start_c))
    steps = np.arange(length)
    return start_r + steps, start_c + steps


def diag(a, diagonal=0):
    """A 1-D tensor: the square matrix with it on diagonal ``diagonal``; a 2-D one: that
    diagonal as a 1-D tensor (both differentiable)."""
    if a.ndim == 1:
        n = a.shape[0] + abs(diagonal)
        rows, cols = diagonal_positions(n, n, diagonal)
        placed = np.zeros((n, n, a.shape[0]), dtype=a.dtype)
        placed[rows, cols, np.arange(a.shape[0])] = 1
        return matmul(make_tensor(placed), a)
    if a.ndim == 2:
        rows, cols = diagonal_positions(*a.shape, diagonal)
        return a[rows, cols]
    raise ValueError(f"diag: expected a 1-D or 2-D tensor, got shape {a.shape}")


def trace(a):
    if a.ndim != 2:
        raise ValueError(f"trace: expected a 2-D tensor, got shape {a.shape}")
    return diag(a).sum()


def triangle(a, diagonal, lower):
    if a.ndim < 2:
        raise ValueError(f"{'tril' if lower else 'triu'}: expected at least 2 dims, got shape {a.shape}")
    rows, cols = a.shape[-2:]
    keep = (np.tri(rows, cols, diagonal, dtype=bool) if lower
            else ~np.tri(rows, cols, diagonal - 1, dtype=bool))
    from .elementwise import where
    return where(keep, a, make_tensor(np.zeros((), a.dtype)))


def tril(a, diagonal=0):
    """The lower triangle (on and below diagonal ``diagonal``); zeros above."""
    return triangle(a, diagonal, lower=True)


def triu(a, diagonal=0):
    """The upper triangle (on and above diagonal ``diagonal``); zeros below."""
    return triangle(a, diagonal, lower=False)


def kron(a, b):
    """The Kronecker product: every a_ij times the whole of b, as blocks."""
    ndim = max(a.ndim, b.ndim)
    a = a.reshape(*(1,) * (ndim - a.ndim), *a.shape)
    b = b.reshape(*(1,) * (ndim - b.ndim), *b.shape)
    blocks = a.reshape(*[n for s in a.shape for n in (s, 1)]) * \
        b.reshape(*[n for s in b.shape for n in (1, s)])
    return blocks.reshape(*[x * y for x, y in zip(a.shape, b.shape)])
