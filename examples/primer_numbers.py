"""Every number in docs/primer.md, computed by minigrad.

    python examples/primer_numbers.py                   # print every block
    python examples/primer_numbers.py --block maxpool   # one block
    python examples/primer_numbers.py --update docs/primer.md   # rewrite the doc's blocks

Each block is a small worked example of a forward and a backward pass with
integer-valued inputs, so a learner can redo it by hand: max and average pooling,
an activation before a pooling layer, a 3x3 convolution's input gradient as the
full convolution with the rotated kernel (stride 1 and stride 2), a fully
connected layer with a sigmoid, flatten, and softmax with cross-entropy.

The backward numbers printed as "x.grad" (or "z.grad", ...) are what minigrad's
backward() computed. The intermediate steps (the routed or upsampled gradient,
the zeros inserted by the stride, the padding, the rotated kernel) are computed
here the way the textbook describes them, and the script asserts that they end
in the same numbers as backward(). tests/docs/test_primer.py checks that each
``<!-- primer_numbers: NAME -->`` block in docs/primer.md is exactly this
script's output, so the document cannot drift from the code.
"""
from __future__ import annotations

import argparse
import os
import re
import sys

import numpy as np

# the minigrad of this checkout, also when another copy is installed
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import minigrad as mg  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402


# -- formatting ------------------------------------------------------------------------

def _number(v):
    v = float(v) + 0.0                       # no "-0"
    if v == round(v):
        return str(int(round(v)))
    return f"{v:.4f}".rstrip("0")


def matrix(title, a):
    """``title``, then the 2-D (or 1-D) array ``a`` as right-aligned columns."""
    a = np.asarray(a.numpy() if isinstance(a, mg.Tensor) else a)
    a = a.reshape(a.shape[-2:]) if a.ndim > 2 and a.size == a.shape[-1] * a.shape[-2] else a
    rows = a if a.ndim == 2 else a.reshape(1, -1)
    cells = [[_number(v) for v in row] for row in rows]
    width = max(len(c) for row in cells for c in row) + 2
    lines = [title] + ["".join(c.rjust(width) for c in row) for row in cells]
    return "\n".join(lines)


def t(values, shape=None, grad=False):
    """A float64 tensor of small integers (float64 so the numbers compare exactly)."""
    a = np.array(values, dtype=np.float64)
    return mg.tensor(a.reshape(shape) if shape else a, requires_grad=grad)


def same(a, b):
    """The textbook recipe and backward() must agree (to rounding)."""
    a = a.numpy() if isinstance(a, mg.Tensor) else np.asarray(a)
    b = b.numpy() if isinstance(b, mg.Tensor) else np.asarray(b)
    np.testing.assert_allclose(a.reshape(b.shape), b, rtol=1e-12, atol=1e-12)


# -- the blocks ------------------------------------------------------------------------

X_POOL = [[1, 3, 2, 1],
          [4, 2, 0, 5],
          [3, 1, 6, 2],
          [0, 2, 1, 4]]
DY_POOL = [[1, 2],
           [3, 4]]


def block_maxpool():
    x = t(X_POOL, (1, 1, 4, 4), grad=True)
    y = F.max_pool2d(x, 2)
    dy = t(DY_POOL, (1, 1, 2, 2))
    y.backward(dy)
    return "\n\n".join([
        matrix("x (input, 4x4):", x),
        matrix("y = max_pool2d(x, 2) (the maximum of each 2x2 window):", y),
        matrix("dy (the gradient arriving at y):", dy),
        matrix("x.grad (each dy entry routed to its window's argmax, zeros elsewhere):", x.grad),
    ])


def block_avgpool():
    x = t(X_POOL, (1, 1, 4, 4), grad=True)
    y = F.avg_pool2d(x, 2)
    dy = t(DY_POOL, (1, 1, 2, 2))
    y.backward(dy)
    up = np.kron(dy.numpy()[0, 0], np.ones((2, 2)))      # upsample: copy over each window
    same(up / 4, x.grad)
    return "\n\n".join([
        matrix("x (input, 4x4):", x),
        matrix("y = avg_pool2d(x, 2) (the mean of each 2x2 window):", y),
        matrix("dy:", dy),
        matrix("upsample(dy) (each dy entry copied over its 2x2 window):", up),
        matrix("x.grad = upsample(dy) / 4:", x.grad),
    ])


def block_pool_layer_error():
    # z: a conv layer's output before its ReLU; the top-right window is all negative
    z = t([[1, -2, -1, -3],
           [-4, 3, -2, -5],
           [2, 0, -1, 4],
           [-3, 5, 2, -2]], (1, 1, 4, 4), grad=True)
    a = F.relu(z)
    a.retain_grad()
    y = F.max_pool2d(a, 2)
    dy = t(DY_POOL, (1, 1, 2, 2))
    y.backward(dy)
    relu_slope = (z.numpy() > 0).astype(np.float64)
    same(a.grad.numpy() * relu_slope, z.grad)
    return "\n\n".join([
        matrix("z (pre-activation of the layer before the pooling):", z),
        matrix("a = relu(z):", a),
        matrix("y = max_pool2d(a, 2):", y),
        matrix("dy (the error at the pooling output):", dy),
        matrix("a.grad = route(dy) (the top-right window is a tie of zeros: the first one wins):",
               a.grad),
        matrix("relu'(z) (1 where z > 0, else 0):", relu_slope),
        matrix("z.grad = route(dy) * relu'(z) (elementwise):", z.grad),
    ])


X_CONV1 = [[1, 0, 2, 1, 0],
           [0, 1, 3, 0, 1],
           [2, 1, 0, 1, 2],
           [1, 0, 1, 2, 0],
           [0, 2, 1, 0, 1]]
W_CONV = [[1, 2, 0],
          [0, 1, -1],
          [2, 0, 1]]


def block_conv_stride1():
    x = t(X_CONV1, (1, 1, 5, 5), grad=True)
    w = t(W_CONV, (1, 1, 3, 3), grad=True)
    b = t([1], grad=True)
    y = F.conv2d(x, w, b)
    dy = t([[1, 0, -1],
            [2, 1, 0],
            [0, -1, 1]], (1, 1, 3, 3))
    y.backward(dy)
    k, p = 3, 0
    padded = np.pad(dy.numpy(), ((0, 0), (0, 0), (k - 1 - p,) * 2, (k - 1 - p,) * 2))
    rotated = F.rot180(w)
    dx = F.conv2d(t(padded), rotated)               # a plain correlation, stride 1
    same(dx, x.grad)
    same(F.full_convolution_rot180(dy, w, input_size=(5, 5)), x.grad)
    dw = F.conv2d(x.detach(), dy)                   # x correlated with dy
    same(dw, w.grad)
    return "\n\n".join([
        matrix("x (5x5, one channel):", x),
        matrix("w (3x3), bias b = 1:", w),
        matrix("y = conv2d(x, w, b) (stride 1, padding 0: 5 - 3 + 1 = 3):", y),
        matrix("dy:", dy),
        matrix(f"dy padded by k - 1 - p = {k - 1 - p} zeros on each side (7x7):", padded[0, 0]),
        matrix("rot180(w) (w turned upside down and left to right):", rotated),
        matrix("dy_padded correlated with rot180(w) (stride 1), 5x5:", dx),
        matrix("x.grad from backward() (the same numbers):", x.grad),
        matrix("w.grad = x correlated with dy:", w.grad),
        matrix("b.grad = sum of dy:", b.grad),
    ])


X_CONV2 = [[1, 0, 2, 1, 0, 1],
           [0, 1, 3, 0, 1, 2],
           [2, 1, 0, 1, 2, 0],
           [1, 0, 1, 2, 0, 1],
           [0, 2, 1, 0, 1, 3],
           [1, 1, 0, 2, 1, 0]]


def block_conv_stride2():
    x = t(X_CONV2, (1, 1, 6, 6), grad=True)
    w = t(W_CONV, (1, 1, 3, 3), grad=True)
    s, p, k, h = 2, 1, 3, 6
    y = F.conv2d(x, w, stride=s, padding=p)
    dy = t([[1, 0, -1],
            [2, 1, 0],
            [0, -1, 1]], (1, 1, 3, 3))
    y.backward(dy)
    ho = y.shape[2]
    r = (h + 2 * p - (k - 1) - 1) % s               # rows the forward's floor left unread
    dilated = np.zeros(((ho - 1) * s + 1,) * 2)
    dilated[::s, ::s] = dy.numpy()[0, 0]
    before, after = k - 1 - p, k - 1 - p + r
    padded = np.pad(dilated, ((before, after), (before, after)))
    rotated = F.rot180(w)
    dx = F.conv2d(t(padded, (1, 1) + padded.shape), rotated)
    same(dx, x.grad)
    same(F.full_convolution_rot180(dy, w, stride=s, padding=p, input_size=(h, h)), x.grad)
    return "\n\n".join([
        matrix("x (6x6, one channel):", x),
        matrix("w (3x3, the same kernel):", w),
        matrix(f"y = conv2d(x, w, stride={s}, padding={p}) "
               f"(floor((6 + 2 - 3) / 2) + 1 = 3; r = {r} row/column left unread):", y),
        matrix("dy:", dy),
        matrix(f"dy dilated by the stride ({s - 1} zero between neighbours), 5x5:", dilated),
        matrix(f"padded by k - 1 - p = {before} on the top/left and k - 1 - p + r = {after} "
               "on the bottom/right (8x8):", padded),
        matrix("rot180(w):", rotated),
        matrix("padded correlated with rot180(w) (stride 1), 6x6:", dx),
        matrix("x.grad from backward() (the same numbers):", x.grad),
    ])


def block_fully_connected():
    a0 = t([1, 2, -1], (1, 3), grad=True)                 # the layer's input (one sample)
    w1 = t([[1, 0, 1], [0, -1, 2]], grad=True)            # 2 units
    b1 = t([0, 1], grad=True)
    w2 = t([[1, -1], [2, 0], [0, 1]], grad=True)          # 3 classes
    b2 = t([0, 0, 0], grad=True)
    target = np.array([2])
    z1 = F.linear(a0, w1, b1)
    z1.retain_grad()
    a1 = F.sigmoid(z1)
    z2 = F.linear(a1, w2, b2)
    z2.retain_grad()
    loss = F.cross_entropy(z2, target, reduction="sum")
    loss.backward()
    p = F.softmax(z2.detach(), -1).numpy()
    onehot = np.eye(3)[target]
    delta2 = p - onehot
    slope = a1.numpy() * (1 - a1.numpy())
    delta1 = (delta2 @ w2.numpy()) * slope              # (W2^T delta2) * sigma'(z1)
    same(delta2, z2.grad)
    same(delta1, z1.grad)
    same(delta1.T @ a0.numpy(), w1.grad)
    same(delta1[0], b1.grad)
    return "\n\n".join([
        matrix("a0 (input of the layer):", a0),
        matrix("W1 (2 units x 3 inputs):", w1),
        matrix("b1:", b1),
        matrix("z1 = W1 a0 + b1:", z1),
        matrix("a1 = sigmoid(z1):", a1),
        matrix("W2 (3 classes x 2 units), b2 = 0:", w2),
        matrix("z2 = W2 a1 + b2 (logits):", z2),
        matrix("p = softmax(z2):", p),
        matrix("one-hot target (class 2):", onehot),
        matrix("delta2 = p - y = z2.grad:", z2.grad),
        matrix("sigma'(z1) = a1 (1 - a1):", slope),
        matrix("delta1 = (W2^T delta2) * sigma'(z1) = z1.grad:", z1.grad),
        matrix("W1.grad = delta1 a0^T:", w1.grad),
        matrix("b1.grad = delta1:", b1.grad),
    ])


def block_flatten():
    a = t(np.arange(1, 9), (1, 2, 2, 2), grad=True)
    flat = a.flatten(1)
    dflat = t([1, -1, 2, 0, 3, 1, 0, -2], (1, 8))
    flat.backward(dflat)
    same(dflat.numpy().reshape(a.shape), a.grad)
    return "\n\n".join([
        matrix("a, channel 0:", a.numpy()[0, 0]),
        matrix("a, channel 1:", a.numpy()[0, 1]),
        matrix("flatten(a) (channel by channel, row by row):", flat),
        matrix("the gradient arriving at flatten(a):", dflat),
        matrix("a.grad, channel 0 (the same numbers, reshaped back):", a.grad.numpy()[0, 0]),
        matrix("a.grad, channel 1:", a.grad.numpy()[0, 1]),
    ])


def block_softmax_sign():
    z = t([[2, 1, -1]], grad=True)
    target = np.array([0])
    loss = F.cross_entropy(z, target, reduction="sum")
    loss.backward()
    p = F.softmax(z.detach(), -1).numpy()
    onehot = np.eye(3)[target]
    same(p - onehot, z.grad)
    eta = 0.5
    descent = F.cross_entropy(t(z.numpy() - eta * z.grad.numpy()), target, reduction="sum").item()
    wrong = F.cross_entropy(t(z.numpy() - eta * (onehot - p)), target, reduction="sum").item()
    assert descent < loss.item() < wrong
    return "\n\n".join([
        matrix("z (logits of one sample), target class 0:", z),
        matrix("p = softmax(z):", p),
        matrix("y (one-hot):", onehot),
        matrix("z.grad from backward() = p - y:", z.grad),
        matrix("y - p (the primer's output error):", onehot - p),
        f"loss = -log p[0] = {_number(loss.item())}\n"
        f"z - 0.5 * (p - y) gives loss {_number(descent)} (down: p - y is the gradient)\n"
        f"z - 0.5 * (y - p) gives loss {_number(wrong)} (up: y - p is minus the gradient)",
    ])


BLOCKS = {
    "maxpool": block_maxpool,
    "avgpool": block_avgpool,
    "pool-layer-error": block_pool_layer_error,
    "conv-stride1": block_conv_stride1,
    "conv-stride2": block_conv_stride2,
    "fully-connected": block_fully_connected,
    "flatten": block_flatten,
    "softmax-sign": block_softmax_sign,
}

# a marker comment, then a fenced text block; the body never contains a fence, so an
# empty block ("```text" then "```") matches alone
MARKER = re.compile(r"(<!-- primer_numbers: (?P<name>[\w-]+) -->\n```text\n)"
                    r"(?P<body>(?:(?!```).)*?)\n?```", re.S)


def all_blocks():
    return {name: make() for name, make in BLOCKS.items()}


def doc_blocks(text):
    """{name: body} of every ``<!-- primer_numbers: NAME -->`` fenced block in a document."""
    return {m.group("name"): m.group("body") for m in MARKER.finditer(text)}


def update(path, blocks):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    missing = set(blocks) - set(doc_blocks(text))
    text = MARKER.sub(lambda m: m.group(1) + blocks[m.group("name")] + "\n```", text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return missing


def main(argv=None, out=print):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--block", choices=list(BLOCKS), help="print only this block")
    parser.add_argument("--update", metavar="MARKDOWN",
                        help="rewrite the primer_numbers blocks of this file in place")
    args = parser.parse_args(argv)
    blocks = all_blocks()
    if args.update:
        missing = update(args.update, blocks)
        out(f"updated {args.update}" + (f"; no block for {sorted(missing)}" if missing else ""))
        return blocks
    for name, body in blocks.items():
        if args.block in (None, name):
            out(f"== {name} ==\n{body}\n")
    return blocks


if __name__ == "__main__":
    main(sys.argv[1:])
