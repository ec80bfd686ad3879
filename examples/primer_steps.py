"""The primer's 11-step mini-batch procedure, followed literally, next to minigrad's way.

    python examples/primer_steps.py                       # 100 iterations, batch 16
    python examples/primer_steps.py --iterations 5 --batch-size 4

A learner arriving with the CNN primer (docs/primer.md) has an 11-step recipe:
initialise W and b at random; choose the number of iterations, the batch size and
the learning rate eta; then for each batch, take one sample at a time, run it
forward, compute its loss and its output error, propagate the error back layer by
layer, add each parameter's gradient to a running sum that started at zero, and
after the batch, step every parameter against the summed gradient; stop after the
chosen number of iterations.

This script does exactly that on a small CNN (conv 3x3 -> ReLU -> 2x2 max pool ->
flatten -> fully connected -> sigmoid -> fully connected -> softmax), each step a
labelled block below, and prints each layer's error delta = dL/dz for the first
sample (kept with ``Tensor.retain_grad()``). Then it does the same training the
way minigrad's losses do by default, one backward of the batch-mean loss
(``reduction='mean'``), and shows:

* the summed gradient is exactly N times the batch-mean gradient, so summing
  makes the step size grow with the batch size: the primer's eta with a sum is
  minigrad's eta * N with a mean;
* with eta_mean = N * eta_sum, both runs take the same steps (the parameters agree
  to rounding) and both lower the loss on held-out images.

float64 throughout, so the comparisons are exact to rounding.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import minigrad as mg  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402
from minigrad.datasets import MNIST  # noqa: E402

CHANNELS, HIDDEN = 4, 32
NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")


# -- step 1: structure, random initialisation -----------------------------------------

def init_parameters(seed):
    """Step 1: random W and b for every layer (scaled by 1/sqrt(fan-in) so that the
    sigmoid is not saturated from the start), as float64 leaf tensors."""
    rng = np.random.default_rng(seed)

    def param(shape, fan_in):
        return rng.normal(0, 1 / np.sqrt(fan_in), size=shape)

    arrays = {
        "W1": param((CHANNELS, 1, 3, 3), 9), "b1": np.zeros(CHANNELS),                 # conv
        "W2": param((HIDDEN, CHANNELS * 14 * 14), CHANNELS * 14 * 14), "b2": np.zeros(HIDDEN),
        "W3": param((10, HIDDEN), HIDDEN), "b3": np.zeros(10),                          # output
    }
    return {k: mg.tensor(v, requires_grad=True) for k, v in arrays.items()}


def forward(p, x):
    """Step 4: the forward pass, keeping every layer's pre-activation z and output a."""
    z1 = F.conv2d(x, p["W1"], p["b1"], padding=1)       # conv layer
    a1 = F.relu(z1)
    a1p = F.max_pool2d(a1, 2)                           # pooling layer
    flat = a1p.flatten(1)                               # flatten: a reshape
    z2 = F.linear(flat, p["W2"], p["b2"])               # fully connected layer
    a2 = F.sigmoid(z2)
    z3 = F.linear(a2, p["W3"], p["b3"])                 # output layer (logits)
    return {"z1": z1, "a1": a1, "a1p": a1p, "flat": flat, "z2": z2, "a2": a2, "z3": z3}


def load(n_train, n_eval, seed):
    rng = np.random.default_rng(seed)
    train = MNIST(train=True)
    images, labels = train.get_batch(rng.choice(len(train), n_train, replace=False))
    test = MNIST(train=False)
    eval_images, eval_labels = test.get_batch(np.arange(n_eval))
    return (images.astype(np.float64), labels, eval_images.astype(np.float64), eval_labels)


def held_out_loss(p, images, labels):
    with mg.no_grad():
        return F.cross_entropy(forward(p, mg.tensor(images))["z3"], labels).item()


def train_primer(p, images, labels, iterations, batch, eta, log, show_deltas=True):
    """Steps 2-11 exactly as the primer lists them. Returns the parameters and the
    summed gradient of the first batch."""
    first_sum = None
    for it in range(iterations):                                        # step 11 loops here
        # step 2: take one batch
        start = (it * batch) % (len(images) - batch + 1)
        xb, yb = images[start:start + batch], labels[start:start + batch]
        # (step 9's running sum starts at zero for every batch)
        grad_sum = {k: np.zeros_like(v.numpy()) for k, v in p.items()}
        for i in range(batch):
            # step 3: one sample, its input x and label y
            x, y = mg.tensor(xb[i:i + 1]), yb[i:i + 1]
            # step 4: forward, z^l and a^l
            out = forward(p, x)
            for name in ("z1", "a1p", "z2", "z3"):
                out[name].retain_grad()
            # step 5: the loss of this sample
            loss = F.cross_entropy(out["z3"], y, reduction="sum")
            # steps 6-8: backward gives the output error, every layer's error and
            # every parameter's gradient
            for v in p.values():
                v.grad = None
            loss.backward()
            if show_deltas and it == 0 and i == 0:
                print_deltas(out, y, log)
            # step 9: add this sample's gradients to the batch's sum
            for k, v in p.items():
                grad_sum[k] += v.grad.numpy()
        if first_sum is None:
            first_sum = {k: g.copy() for k, g in grad_sum.items()}
        # step 10: gradient descent with the summed gradient
        with mg.no_grad():
            for k, v in p.items():
                v.sub_(mg.tensor(eta * grad_sum[k]))
    return p, first_sum


def train_mean(p, images, labels, iterations, batch, eta):
    """minigrad's default: one backward of the batch-mean loss per batch."""
    first_grad = None
    for it in range(iterations):
        start = (it * batch) % (len(images) - batch + 1)
        xb, yb = images[start:start + batch], labels[start:start + batch]
        for v in p.values():
            v.grad = None
        loss = F.cross_entropy(forward(p, mg.tensor(xb))["z3"], yb)      # reduction='mean'
        loss.backward()
        if first_grad is None:
            first_grad = {k: v.grad.numpy().copy() for k, v in p.items()}
        with mg.no_grad():
            for v in p.values():
                v.sub_(v.grad * eta)
    return p, first_grad


def print_deltas(out, y, log):
    """Each layer's error delta = dL/dz for one sample (steps 6-7)."""
    p = F.softmax(out["z3"].detach(), -1).numpy()[0]
    log(f"  step 6, output error delta3 = p - y (label {int(y[0])}):")
    log("    " + " ".join(f"{v:+.3f}" for v in out["z3"].grad.numpy()[0]))
    assert np.allclose(out["z3"].grad.numpy()[0], p - np.eye(10)[int(y[0])])
    d2 = out["z2"].grad.numpy()[0]
    log(f"  step 7, fully connected: delta2 = (W3^T delta3) * sigmoid'(z2), shape {d2.shape}, "
        f"norm {np.linalg.norm(d2):.3e}")
    dp = out["a1p"].grad.numpy()[0]
    log(f"          flatten: the error reshaped back to the pooled maps {dp.shape}, "
        f"norm {np.linalg.norm(dp):.3e}")
    d1 = out["z1"].grad.numpy()[0]
    log(f"          pooling + conv: delta1 = route(delta) * relu'(z1), shape {d1.shape}, "
        f"norm {np.linalg.norm(d1):.3e}, {np.mean(d1 != 0):.1%} of it non-zero")


# -- steps 7-8 with a conv layer that is not the first ---------------------------------

def correlate_kernel(image, kernel):
    """Slide ``kernel`` (K, h, w) over ``image`` (C, H, W), no padding, stride 1:
    out[k, c, i, j] = sum_{u,v} image[c, i+u, j+v] * kernel[k, u, v]."""
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape[1:], axis=(1, 2))
    return np.einsum("cijuv,kuv->kcij", windows, kernel)


def check_steps_7_8(seed, log):
    """One sample through conv -> ReLU -> conv -> ReLU -> 2x2 max pool -> fully connected,
    so the conv recurrence runs between two conv layers. Steps 6-8 are computed with
    numpy from the primer's formulas and compared with backward(); returns the largest
    difference of each."""
    rng = np.random.default_rng(seed)
    x = mg.tensor(MNIST(train=True).get_batch(np.array([seed]))[0][:, :, 8:20, 8:20]
                  .astype(np.float64))                                 # (1, 1, 12, 12)
    w1, b1 = mg.tensor(rng.normal(0, 0.3, (3, 1, 3, 3)), requires_grad=True), \
        mg.tensor(rng.normal(0, 0.1, 3), requires_grad=True)
    w2, b2 = mg.tensor(rng.normal(0, 0.3, (4, 3, 3, 3)), requires_grad=True), \
        mg.tensor(rng.normal(0, 0.1, 4), requires_grad=True)
    w3, b3 = mg.tensor(rng.normal(0, 0.1, (10, 4 * 6 * 6)), requires_grad=True), \
        mg.tensor(np.zeros(10), requires_grad=True)
    z1 = F.conv2d(x, w1, b1, padding=1)
    a1 = F.relu(z1)
    z2 = F.conv2d(a1, w2, b2, padding=1)                   # layer 2: a conv after a conv
    a2 = F.relu(z2)
    pooled = F.max_pool2d(a2, 2)
    z3 = F.linear(pooled.flatten(1), w3, b3)
    label = int(MNIST(train=True).get_batch(np.array([seed]))[1][0])
    for t in (z1, z2, z3):
        t.retain_grad()
    F.cross_entropy(z3, np.array([label]), reduction="sum").backward()
    n = {k: t.numpy()[0] for k, t in {"x": x, "z1": z1, "a1": a1, "z2": z2, "a2": a2,
                                      "pooled": pooled, "z3": z3}.items()}
    diff = {}
    # step 6: delta^3 = p - y
    p = np.exp(n["z3"] - n["z3"].max())
    p /= p.sum()
    delta3 = p - np.eye(10)[label]
    diff["step 6: delta3 = p - y"] = np.abs(delta3 - z3.grad.numpy()[0]).max()
    # step 8, fully connected: dW3 = delta3 a^T (a: the flattened pooled maps), db3 = delta3
    a_flat = n["pooled"].ravel()
    diff["step 8: dW3 = delta3 a^T"] = np.abs(np.outer(delta3, a_flat) - w3.grad.numpy()).max()
    diff["step 8: db3 = delta3"] = np.abs(delta3 - b3.grad.numpy()).max()
    # step 7, fully connected -> pooling: W3^T delta3, routed to each window's maximum
    d_pooled = (w3.numpy().T @ delta3).reshape(n["pooled"].shape)
    a2 = n["a2"]
    # Each window's first maximum (row by row) gets the error: flat areas of the image
    # give windows with equal values, and the engine routes to the first of them.
    c, h, w = a2.shape
    windows = a2.reshape(c, h // 2, 2, w // 2, 2).transpose(0, 1, 3, 2, 4) \
        .reshape(c, h // 2, w // 2, 4)
    first_max = np.eye(4)[windows.argmax(-1)] * d_pooled[..., None]
    up = first_max.reshape(c, h // 2, w // 2, 2, 2).transpose(0, 1, 3, 2, 4).reshape(c, h, w)
    delta2 = up * (n["z2"] > 0)                                         # ⊙ relu'(z2)
    diff["step 7: delta2 = up(W3^T delta3) ⊙ relu'(z2)"] = np.abs(delta2 - z2.grad.numpy()[0]).max()
    # step 7, the conv recurrence: delta1 = (delta2 full-conv rot180(W2)) ⊙ relu'(z1)
    back = F.full_convolution_rot180(mg.tensor(delta2[None]), w2.detach(), padding=1).numpy()[0]
    delta1 = back * (n["z1"] > 0)
    diff["step 7: delta1 = delta2 * rot180(W2) ⊙ relu'(z1)"] = \
        np.abs(delta1 - z1.grad.numpy()[0]).max()
    # step 8, conv: dW^l[o, c] = a^{l-1}[c] correlated with delta^l[o] -- delta slides, as
    # the kernel, over the padded input; db^l[o] = the sum of delta^l[o]
    dw2 = correlate_kernel(np.pad(n["a1"], ((0, 0), (1, 1), (1, 1))), delta2)
    dw1 = correlate_kernel(np.pad(n["x"], ((0, 0), (1, 1), (1, 1))), delta1)
    diff["step 8: dW2 = a1 (padded) correlated with delta2"] = np.abs(dw2 - w2.grad.numpy()).max()
    diff["step 8: db2 = sum of delta2"] = np.abs(delta2.sum((1, 2)) - b2.grad.numpy()).max()
    diff["step 8: dW1 = x (padded) correlated with delta1"] = np.abs(dw1 - w1.grad.numpy()).max()
    diff["step 8: db1 = sum of delta1"] = np.abs(delta1.sum((1, 2)) - b1.grad.numpy()).max()
    log(f"steps 6-8 on one sample (label {label}) through conv, ReLU, conv, ReLU, pool, "
        "fully connected, computed from the primer's formulas vs backward():")
    for name, d in diff.items():
        log(f"  {name}: max |difference| {d:.1e}")
    return {k: float(v) for k, v in diff.items()}


def main(argv=None, log=print):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=100, help="batches (step 1)")
    parser.add_argument("--batch-size", type=int, default=16, help="samples per batch (step 1)")
    parser.add_argument("--lr", type=float, default=0.01,
                        help="eta for the summed gradient (step 1); the mean run uses N * eta")
    parser.add_argument("--eval", type=int, default=500, help="held-out test images scored")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    n, eta = args.batch_size, args.lr

    log(f"step 1: random W, b (seed {args.seed}); {args.iterations} iterations, batch size "
        f"{n}, eta = {eta}")
    images, labels, eval_images, eval_labels = load(args.iterations * n, args.eval, args.seed)
    start = {k: v.numpy().copy() for k, v in init_parameters(args.seed).items()}
    before = held_out_loss(init_parameters(args.seed), eval_images, eval_labels)
    steps_7_8 = check_steps_7_8(args.seed, log)
    assert max(steps_7_8.values()) < 1e-10, steps_7_8
    log(f"held-out loss before training (mean over {args.eval} test images): {before:.4f}")

    log("steps 2-11, one sample at a time, gradients summed:")
    p_sum, first_sum = train_primer(init_parameters(args.seed), images, labels,
                                    args.iterations, n, eta, log)
    after_sum = held_out_loss(p_sum, eval_images, eval_labels)

    p_mean, first_mean = train_mean(init_parameters(args.seed), images, labels,
                                    args.iterations, n, eta * n)
    after_mean = held_out_loss(p_mean, eval_images, eval_labels)

    p_same, _ = train_mean(init_parameters(args.seed), images, labels, args.iterations, n, eta)
    after_same = held_out_loss(p_same, eval_images, eval_labels)

    ratios = {k: float(np.linalg.norm(first_sum[k]) / np.linalg.norm(first_mean[k]))
              for k in NAMES}
    log("first batch: |summed gradient| / |batch-mean gradient| per parameter: "
        + ", ".join(f"{k} {r:.6f}" for k, r in ratios.items()) + f"  (N = {n})")
    worst = max(float(np.max(np.abs(first_sum[k] - n * first_mean[k]))) for k in NAMES)
    log(f"max |summed - N * mean| = {worst:.2e}")
    drift = max(float(np.max(np.abs(p_sum[k].numpy() - p_mean[k].numpy()))) for k in NAMES)
    log(f"after {args.iterations} iterations, primer (sum, eta={eta}) vs minigrad (mean, "
        f"eta={eta * n:g}): parameters differ by at most {drift:.2e}")
    moved = max(float(np.max(np.abs(p_sum[k].numpy() - start[k]))) for k in NAMES)
    log(f"held-out loss after training: summed {after_sum:.4f}, mean {after_mean:.4f} "
        f"(before {before:.4f}); mean with the primer's eta={eta} (steps N = {n} times "
        f"smaller): {after_same:.4f}")
    log("Summing makes the step grow with the batch size: with a mean, eta does not "
        "depend on N.")
    return {"before": before, "after_sum": after_sum, "after_mean": after_mean, "after_same_eta": after_same,
            "first_sum": first_sum, "first_mean": first_mean, "batch": n,
            "param_drift": drift, "moved": moved, "steps_7_8": steps_7_8}


if __name__ == "__main__":
    main(sys.argv[1:])
