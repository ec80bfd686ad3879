"""L-BFGS, as ``torch.optim.LBFGS``: a quasi-Newton method that keeps the last
``history_size`` steps and gradient changes and, from them, applies an approximate
inverse Hessian to the gradient (the two-loop recursion). ``step(closure)`` runs up to
``max_iter`` iterations, calling ``closure`` (which zeroes the gradients, computes the
loss, calls ``backward`` and returns the loss) once per iteration, or several times per
iteration with ``line_search_fn='strong_wolfe'``.

The optimizer works on one flat vector that strings every parameter together (numpy,
in the parameters' dtype); the parameters themselves change in place.
"""
from __future__ import annotations

import copy
import numbers

import numpy as np

from ..autograd import enable_grad
from .._tensor import Tensor
from .optimizer import Optimizer, check_range

__all__ = ["LBFGS"]


def cubic_minimiser(t1, f1, slope1, t2, f2, slope2, bounds=None):
    """Where the cubic through (t1, f1) and (t2, f2) with slopes ``slope1``, ``slope2``
    has its minimum, clipped into ``bounds`` (default: between t1 and t2); the middle of
    the bounds when that cubic has no local minimum."""
    low, high = bounds if bounds is not None else (min(t1, t2), max(t1, t2))
    a = slope1 + slope2 - 3 * (f1 - f2) / (t1 - t2)
    discriminant = a * a - slope1 * slope2
    if discriminant < 0:
        return (low + high) / 2.0
    b = np.sqrt(discriminant)
    # measured from the farther of the two points, as the closed form needs
    if t1 <= t2:
        minimum = t2 - (t2 - t1) * ((slope2 + b - a) / (slope2 - slope1 + 2 * b))
    else:
        minimum = t1 - (t1 - t2) * ((slope1 + b - a) / (slope1 - slope2 + 2 * b))
    return min(max(minimum, low), high)


class Trial:
    """One point of the line search: step length, loss, gradient, slope along d."""
    __slots__ = ("t", "loss", "grad", "slope")

    def __init__(self, t, loss, grad, slope):
        self.t, self.loss, self.grad, self.slope = t, loss, grad, slope


def strong_wolfe_search(evaluate, direction, t, start, max_evals, tolerance_change,
                        c1=1e-4, c2=0.9):
    """A step length along ``direction`` that meets the strong Wolfe conditions
    (enough decrease: f(t) <= f(0) + c1 t f'(0); flat enough: |f'(t)| <= c2 |f'(0)|).

    ``evaluate(t)`` returns (loss, flat gradient) at x + t d; ``start`` is the Trial at
    t = 0. First the step grows (cubic extrapolation, at most 10x) until an interval
    must hold such a point; then that interval shrinks (cubic interpolation, kept at
    least a tenth of the interval away from its ends) until a point qualifies.
    Returns (best Trial, number of evaluations)."""
    slope0 = start.slope

    def decreases_enough(trial):
        return trial.loss <= start.loss + c1 * trial.t * slope0

    def flat_enough(trial):
        return abs(trial.slope) <= -c2 * slope0

    def trial_at(step):
        loss, grad = evaluate(step)
        return Trial(step, loss, grad, grad.dot(direction))

    current = trial_at(t)
    evals, rounds = 1, 0
    previous = start
    bracket, done = None, False
    # growing phase: find an interval that holds an acceptable step
    while rounds < max_evals:
        if not decreases_enough(current) or (rounds > 1 and current.loss >= previous.loss):
            bracket = [previous, current]
            break
        if flat_enough(current):
            bracket, done = [current], True
            break
        if current.slope >= 0:
            bracket = [previous, current]
            break
        grown = cubic_minimiser(previous.t, previous.loss, previous.slope, current.t,
                                current.loss, current.slope,
                                bounds=(current.t + 0.01 * (current.t - previous.t),
                                        current.t * 10))
        previous, current = current, trial_at(grown)
        evals += 1
        rounds += 1
    if rounds == max_evals:   # out of evaluations: choose between the start and the last
        bracket = [start, current]

    # shrinking phase: bracket[low] is the best point so far, bracket[high] the other end
    low, high = (0, 1) if bracket[0].loss <= bracket[-1].loss else (1, 0)
    stalled = False
    step_size = np.abs(direction).max()
    while not done and rounds < max_evals:
        left, right = bracket
        if abs(right.t - left.t) * step_size < tolerance_change:
            break
        step = cubic_minimiser(left.t, left.loss, left.slope, right.t, right.loss, right.slope)
        lowest, highest = min(left.t, right.t), max(left.t, right.t)
        margin = 0.1 * (highest - lowest)
        if min(highest - step, step - lowest) < margin:
            # too near an end: allowed once, then (or when outside) moved a margin inside
            if stalled or step >= highest or step <= lowest:
                step = highest - margin if abs(step - highest) < abs(step - lowest) \
                    else lowest + margin
                stalled = False
            else:
                stalled = True
        else:
            stalled = False
        current = trial_at(step)
        evals += 1
        rounds += 1
        if not decreases_enough(current) or current.loss >= bracket[low].loss:
            bracket[high] = current
            low, high = (0, 1) if bracket[0].loss <= bracket[1].loss else (1, 0)
        else:
            if flat_enough(current):
                done = True
            elif current.slope * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = current
    return bracket[low], evals


class LBFGS(Optimizer):
    """``LBFGS(params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
    tolerance_change=1e-9, history_size=100, line_search_fn=None)``, PyTorch's algorithm
    and defaults (``max_eval`` defaults to ``max_iter * 5 // 4``).

    Each iteration: direction d = -H g from the two-loop recursion over the stored pairs
    (s = step taken, y = change of gradient; a pair is kept only when y.s > 1e-10; H
    starts as (y.s / y.y) I), step length lr (min(1, 1/|g|_1) lr on the very first
    iteration), or the strong-Wolfe line search from there. It stops when the largest
    gradient entry is <= tolerance_grad, the slope along d is > -tolerance_change, the
    step or the change of loss is below tolerance_change, or max_iter / max_eval is
    reached. The history and the last direction carry over to the next ``step`` call.
    One parameter group only."""

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        if max_eval is None and isinstance(max_iter, numbers.Integral):
            max_eval = max_iter * 5 // 4
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                                      tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change,
                                      history_size=history_size, line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS: only one parameter group is supported (L-BFGS treats "
                             "all parameters as one vector)")

    def add_param_group(self, group):
        if self.param_groups:
            raise ValueError("LBFGS: only one parameter group is supported (L-BFGS treats "
                             "all parameters as one vector)")
        super().add_param_group(group)

    def _check_group(self, group):
        super()._check_group(group)
        for key in ("max_iter", "max_eval", "history_size"):
            value = group[key]
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"LBFGS: {key} must be a positive int, got {value!r}")
        check_range(group, "tolerance_grad", 0.0, None, "LBFGS")
        check_range(group, "tolerance_change", 0.0, None, "LBFGS")
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(f"LBFGS: line_search_fn must be None or 'strong_wolfe', got "
                             f"{group['line_search_fn']!r}")

    # -- the parameters as one flat vector -----------------------------------------
    @property
    def params(self):
        return self.param_groups[0]["params"]

    def flat_params(self):
        return np.concatenate([p.array.ravel() for p in self.params])

    def flat_grad(self):
        parts = []
        for p in self.params:
            if p.grad is None:
                parts.append(np.zeros(p.array.size, p.array.dtype))
            else:
                if not isinstance(p.grad, Tensor) or p.grad.shape != p.shape:
                    raise RuntimeError(f"LBFGS: the .grad of a parameter of shape "
                                       f"{tuple(p.shape)} is not a Tensor of that shape")
                parts.append(p.grad.array.ravel())
        return np.concatenate(parts)

    def write_params(self, flat):
        """Set the parameters in place from one flat vector."""
        offset = 0
        for p in self.params:
            p.ensure_writeable()
            p.array[...] = flat[offset:offset + p.array.size].reshape(p.array.shape)
            p.bump_version()
            offset += p.array.size

    def move_params(self, t, direction):
        """x <- x + t d, in place."""
        offset = 0
        for p in self.params:
            p.ensure_writeable()
            p.array += t * direction[offset:offset + p.array.size].reshape(p.array.shape)
            p.bump_version()
            offset += p.array.size

    @staticmethod
    def evaluate(closure):
        with enable_grad():
            loss = closure()
        return loss

    def step(self, closure):
        """Run up to ``max_iter`` iterations; returns the loss ``closure`` gave at the
        parameters ``step`` started from."""
        if closure is None or not callable(closure):
            raise TypeError("LBFGS.step: needs a closure that zeroes the gradients, "
                            "computes the loss, calls backward() and returns the loss")
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        history_size = group["history_size"]
        state = self.state.setdefault(self.params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        first_loss = self.evaluate(closure)
        loss = float(first_loss)
        evals = 1
        state["func_evals"] += 1
        grad = self.flat_grad()
        if np.abs(grad).max() <= tolerance_grad:
            return first_loss

        d, t = state.get("d"), state.get("t")
        steps, grad_changes = state.get("old_stps"), state.get("old_dirs")
        inverse_curvature, h_diag = state.get("ro"), state.get("H_diag")
        prev_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")

        iteration = 0
        while iteration < max_iter:
            iteration += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -grad
                steps, grad_changes, inverse_curvature, h_diag = [], [], [], 1
            else:
                y, s = grad - prev_grad, d * t
                ys = y.dot(s)
                if ys > 1e-10:   # keep only pairs with positive curvature
                    if len(steps) == history_size:
                        del steps[0], grad_changes[0], inverse_curvature[0]
                    steps.append(s)
                    grad_changes.append(y)
                    inverse_curvature.append(1.0 / ys)
                    h_diag = ys / y.dot(y)
                d = self.two_loop_direction(grad, steps, grad_changes, inverse_curvature, h_diag)
            prev_grad = grad.copy()
            prev_loss = loss

            t = min(1.0, 1.0 / np.abs(grad).sum()) * lr if state["n_iter"] == 1 else lr
            slope = grad.dot(d)
            if slope > -tolerance_change:   # d is not a descent direction any more
                break

            if group["line_search_fn"] == "strong_wolfe":
                origin = self.flat_params()

                def along_direction(step_length, origin=origin, direction=d):
                    self.move_params(step_length, direction)
                    value = float(self.evaluate(closure))
                    gradient = self.flat_grad()
                    self.write_params(origin)
                    return value, gradient

                best, used = strong_wolfe_search(along_direction, d, t,
                                                 Trial(0, loss, grad.copy(), slope),
                                                 max_eval - evals, tolerance_change)
                loss, grad, t = best.loss, best.grad, best.t
                self.move_params(t, d)
                used_evals = used
            else:
                self.move_params(t, d)
                used_evals = 0
                if iteration != max_iter:   # the last iteration leaves the loss unevaluated
                    loss = float(self.evaluate(closure))
                    grad = self.flat_grad()
                    used_evals = 1
            small_grad = np.abs(grad).max() <= tolerance_grad
            evals += used_evals
            state["func_evals"] += used_evals

            if iteration == max_iter or evals >= max_eval or small_grad:
                break
            if np.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                break

        state.update(d=d, t=t, old_dirs=grad_changes, old_stps=steps, ro=inverse_curvature,
                     H_diag=h_diag, prev_flat_grad=prev_grad, prev_loss=prev_loss)
        return first_loss

    @staticmethod
    def two_loop_direction(grad, steps, grad_changes, inverse_curvature, h_diag):
        """-H g for the L-BFGS inverse Hessian H built from the stored (s, y) pairs."""
        q = -grad
        alphas = [None] * len(steps)
        for i in reversed(range(len(steps))):
            alphas[i] = steps[i].dot(q) * inverse_curvature[i]
            q -= alphas[i] * grad_changes[i]
        r = q * h_diag
        for i in range(len(steps)):
            beta = grad_changes[i].dot(r) * inverse_curvature[i]
            r += (alphas[i] - beta) * steps[i]
        return r

    # -- state dicts: the state is one flat history, kept under the first parameter --
    def state_dict(self):
        packed = super().state_dict()
        packed["state"] = copy.deepcopy(packed["state"])
        return packed

    def load_state_dict(self, state_dict):
        try:
            saved = dict(state_dict["state"])
        except (TypeError, KeyError):
            raise ValueError("LBFGS.load_state_dict: expected a dict with 'state' and "
                             "'param_groups' (from Optimizer.state_dict())") from None
        super().load_state_dict({**state_dict, "state": {}})
        size = sum(p.array.size for p in self.params)
        dtype = self.params[0].array.dtype
        restored = {}
        for index, entries in saved.items():
            if int(index) != 0:
                raise ValueError(f"LBFGS.load_state_dict: state for parameter {index}; LBFGS "
                                 "keeps its state under parameter 0")
            restored = copy.deepcopy(dict(entries))
            for key, value in restored.items():
                if isinstance(value, Tensor):
                    value = restored[key] = value.array.copy()
                if isinstance(value, list):
                    restored[key] = [v.astype(dtype) if isinstance(v, np.ndarray) else v
                                     for v in value]
                elif isinstance(value, np.ndarray) and value.ndim == 1:
                    if value.size != size:
                        raise ValueError(f"LBFGS.load_state_dict: state {key!r} has "
                                         f"{value.size} entries, the parameters {size}")
                    restored[key] = value.astype(dtype)
        self.state = {self.params[0]: restored} if restored else {}
