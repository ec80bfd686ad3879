"""Check hand-written gradients against central differences.

``gradcheck`` contracts the Jacobian with a random cotangent ``v`` (not just
``.sum()``, whose all-ones cotangent lets transposition bugs cancel out): the
analytic side is one backward pass with ``v``; the numerical side perturbs every
input element by +-eps and measures ``v . (f(x + eps) - f(x - eps)) / 2 eps``.

Where the two disagree, the one-sided differences tell a bug from a kink: if
``(f(x + eps) - f(x)) / eps`` and ``(f(x) - f(x - eps)) / eps`` differ, the
function has a corner there (relu at 0, a tie in max, a clip bound), central
differences mean nothing, and an analytic value between the two one-sided
slopes is a valid subgradient. Such elements are reported with a
``KinkWarning`` rather than as a mismatch.
"""
from __future__ import annotations

import warnings

import numpy as np

from .autograd import grad as autograd_grad, set_grad_enabled
from ._tensor import Tensor, make_tensor

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError", "KinkWarning"]


class GradcheckError(RuntimeError):
    """The analytic gradient disagrees with the numerical one."""


class KinkWarning(UserWarning):
    """An input sits on a kink where the derivative does not exist."""


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(fn, inputs):
    outs = _as_tuple(fn(*inputs))
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(f"gradcheck: fn must return a Tensor or a tuple of Tensors, got "
                            f"{type(o).__name__}")
    return outs


def _promote(inputs):
    promoted = []
    for t in inputs:
        if not isinstance(t, Tensor):
            raise TypeError(f"gradcheck: inputs must be Tensors, got {type(t).__name__}")
        data = t.array.astype(np.float64) if t.array.dtype.kind == "f" else t.array.copy()
        promoted.append(make_tensor(np.array(data, order="C"), False, None))
        if t.requires_grad:
            promoted[-1].requires_grad_(True)
    return tuple(promoted)


def _vdot(outs, vs):
    return sum(float(np.sum(o.array.astype(np.float64) * v)) for o, v in zip(outs, vs))


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, seed=0,
              _record_numeric=False):
    """Compare backward's gradients of ``fn(*inputs)`` with central differences.

    ``inputs``: a Tensor or a tuple of Tensors; those with ``requires_grad=True``
    are checked (promoted to float64 first). Returns True, or raises
    :class:`GradcheckError` naming the input, the worst elements and both values
    (returns False when ``raise_exception=False``)."""
    inputs = _promote(_as_tuple(inputs))
    diff = [i for i, t in enumerate(inputs) if t.requires_grad]
    if not diff:
        raise ValueError("gradcheck: no input requires grad; nothing to check")
    rng = np.random.default_rng(seed)

    outs = _outputs(fn, inputs)
    vs = [np.asarray(rng.standard_normal(o.shape)) for o in outs]

    # Analytic: one backward pass of v . f(x).
    live = [(o, v) for o, v in zip(outs, vs) if o.requires_grad]
    if live:
        grads = autograd_grad([o for o, _ in live], [inputs[i] for i in diff],
                              [make_tensor(v.astype(o.dtype), False, None) for o, v in live],
                              allow_unused=True)
    else:
        grads = [None] * len(diff)

    problems, kinks = [], []
    # The numerical side needs no graph, unless fn itself differentiates
    # (gradgradcheck's fn computes a gradient with create_graph=True).
    with set_grad_enabled(_record_numeric):
        for k, i in enumerate(diff):
            x = inputs[i].array
            analytic = (np.zeros(x.shape) if grads[k] is None
                        else np.asarray(grads[k].array, dtype=np.float64))
            if analytic.shape != x.shape:
                raise GradcheckError(f"gradcheck: gradient of input {i} has shape "
                                     f"{analytic.shape}, expected {x.shape}")
            f0 = _vdot(_outputs(fn, inputs), vs)
            numeric = np.zeros(x.shape)
            left = np.zeros(x.shape)
            right = np.zeros(x.shape)
            flat = x.reshape(-1)   # a view: perturbing it perturbs the input
            for j in range(flat.size):
                orig = flat[j]
                flat[j] = orig + eps
                fp = _vdot(_outputs(fn, inputs), vs)
                flat[j] = orig - eps
                fm = _vdot(_outputs(fn, inputs), vs)
                flat[j] = orig
                numeric.flat[j] = (fp - fm) / (2 * eps)
                right.flat[j] = (fp - f0) / eps
                left.flat[j] = (f0 - fm) / eps
            bad = np.abs(analytic - numeric) > atol + rtol * np.abs(numeric)
            if not bad.any():
                continue
            tol = atol + rtol * np.maximum(np.abs(left), np.abs(right))
            kink = bad & (np.abs(left - right) > tol)
            lo, hi = np.minimum(left, right) - tol, np.maximum(left, right) + tol
            subgradient = kink & (analytic >= lo) & (analytic <= hi)
            for j in np.flatnonzero(subgradient):
                kinks.append((i, np.unravel_index(j, x.shape), analytic.flat[j],
                              left.flat[j], right.flat[j]))
            bad &= ~subgradient
            if bad.any():
                problems.append((i, x.shape, analytic, numeric, bad, kink))

    if kinks:
        i, idx, a, lft, rgt = kinks[0]
        warnings.warn(
            f"gradcheck: {len(kinks)} element(s) sit on a kink where the function is not "
            f"differentiable (first: input {i} element {tuple(int(v) for v in idx)}: left slope "
            f"{lft:.6g}, right slope {rgt:.6g}); the analytic value {a:.6g} lies between "
            "them, a valid subgradient, so they were not counted as mismatches",
            KinkWarning, stacklevel=2)
    if not problems:
        return True
    message = _describe(problems)
    with set_grad_enabled(True):
        for i, shape, analytic, numeric, bad, kink in problems:
            worst = np.unravel_index(int(np.argmax(np.where(bad, np.abs(analytic - numeric), -1))),
                                     shape)
            message += "\n" + _raw_entries(fn, inputs, i, worst, eps)
    if raise_exception:
        raise GradcheckError(message)
    return False


def _raw_entries(fn, inputs, i, idx, eps, count=4):
    """Single Jacobian entries d out[m] / d input_i[idx] for the outputs m that move
    most: numerical (central difference) and analytic (a backward of out[m] alone),
    so a reader can check them against a formula by hand."""
    flat = inputs[i].array.reshape(-1)
    j = int(np.ravel_multi_index(idx, inputs[i].shape))
    orig = flat[j]
    flat[j] = orig + eps
    plus = [o.array.astype(np.float64).ravel().copy() for o in _outputs(fn, inputs)]
    flat[j] = orig - eps
    minus = [o.array.astype(np.float64).ravel().copy() for o in _outputs(fn, inputs)]
    flat[j] = orig
    column = np.concatenate([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    outs = _outputs(fn, inputs)
    starts = np.cumsum([0] + [o.array.size for o in outs])
    lines = [f"raw Jacobian entries d out[m] / d (input {i} element {tuple(int(v) for v in idx)}) "
             "(the outputs that move most):"]
    for m in np.argsort(-np.abs(column), kind="stable")[:count]:
        k = int(np.searchsorted(starts, m, side="right") - 1)
        where = np.unravel_index(int(m - starts[k]), outs[k].shape)
        entry = float("nan")
        if outs[k].requires_grad:
            one_hot = np.zeros(outs[k].shape)
            one_hot[where] = 1.0
            g, = autograd_grad([outs[k]], [inputs[i]], [make_tensor(one_hot.astype(outs[k].dtype))],
                               retain_graph=True, allow_unused=True)
            entry = 0.0 if g is None else float(g.array.reshape(-1)[j])
        name = f"output {k} " if len(outs) > 1 else "out"
        lines.append(f"  d {name}{tuple(int(v) for v in where)}: analytic {entry:.8g}, "
                     f"numerical {column[m]:.8g}")
    return "\n".join(lines)


def _describe(problems):
    lines = ["gradcheck: analytic and numerical gradients disagree. The values compared "
             "are the gradient of v . f(x) for a fixed random vector v (the Jacobian "
             "contracted with v, which also catches transposed gradients), not single "
             "Jacobian entries; those follow each input's list."]
    for i, shape, analytic, numeric, bad, kink in problems:
        err = np.where(bad, np.abs(analytic - numeric), -1)
        worst = np.argsort(err, axis=None)[::-1][:min(5, int(bad.sum()))]
        lines.append(f"input {i} (shape {shape}): {int(bad.sum())} of {bad.size} elements "
                     "differ; worst:")
        for j in worst:
            idx = tuple(int(v) for v in np.unravel_index(j, shape))
            note = "  (on a kink, and not a subgradient)" if kink.flat[j] else ""
            lines.append(f"  element {idx}: analytic {analytic.flat[j]:.8g}, numerical "
                         f"{numeric.flat[j]:.8g}{note}")
    return "\n".join(lines)


def gradgradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, seed=0):
    """Check second derivatives: gradcheck of the gradient of ``v . fn(inputs)``
    (computed with ``create_graph=True``) with respect to the inputs and ``v``."""
    inputs = _promote(_as_tuple(inputs))
    diff = [i for i, t in enumerate(inputs) if t.requires_grad]
    rng = np.random.default_rng(seed + 1)
    outs = _outputs(fn, inputs)
    vs = tuple(make_tensor(np.asarray(rng.standard_normal(o.shape)), False, None).requires_grad_(True)
               for o in outs)
    n = len(inputs)

    def first_derivative(*args):
        xs, cotangents = args[:n], args[n:]
        outs = [(o, v) for o, v in zip(_outputs(fn, xs), cotangents) if o.requires_grad]
        if not outs:
            return tuple(make_tensor(np.zeros(xs[i].shape), False, None) for i in diff)
        grads = autograd_grad([o for o, _ in outs], [xs[i] for i in diff], [v for _, v in outs],
                              create_graph=True, allow_unused=True)
        return tuple(g if g is not None else make_tensor(np.zeros(xs[i].shape), False, None)
                     for g, i in zip(grads, diff))

    return gradcheck(first_derivative, inputs + vs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, seed=seed + 2, _record_numeric=True)
