"""optim.LBFGS against torch.optim.LBFGS: the same iterates after every ``step`` (to
1e-10 in float64) on Rosenbrock and least squares, with and without the strong-Wolfe
line search, small histories and several steps; state carried across steps and through
state_dict; clear errors for bad settings."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim

torch = pytest.importorskip("torch")


def rosenbrock(framework, x):
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def least_squares(framework, params, a, b):
    weight, bias = params
    residual = framework.tensor(a) @ weight + bias - framework.tensor(b)
    return (residual ** 2).mean()


def run_both(make_loss, starts, steps, **settings):
    """Each framework's parameter values after each of ``steps`` calls of ``step``,
    and the losses ``step`` returned."""
    results = []
    for framework, make_param, optimizer in ((mg, nn.Parameter, optim.LBFGS),
                                             (torch, torch.nn.Parameter, torch.optim.LBFGS)):
        params = [make_param(framework.tensor(np.array(s, dtype=np.float64))) for s in starts]
        opt = optimizer(params, **settings)

        def closure():
            opt.zero_grad()
            loss = make_loss(framework, params)
            loss.backward()
            return loss

        trace, losses = [], []
        for _ in range(steps):
            losses.append(float(opt.step(closure).detach()))
            trace.append(np.concatenate([np.array(p.detach().numpy()).ravel() for p in params]))
        results.append((np.array(trace), np.array(losses), opt))
    return results


# (settings, number of step calls). Rosenbrock's curved valley amplifies rounding
# differences (numpy's and PyTorch's dot products sum in different orders) by about
# 10x per iteration once an unsafeguarded run wanders, so each case stops at a step
# count (20 to 60 iterations) where both still agree to 1e-10.
ROSENBROCK_CASES = [
    (dict(), 2),
    (dict(line_search_fn="strong_wolfe"), 2),
    (dict(lr=0.5, max_iter=7, history_size=3), 4),
    (dict(max_iter=5, history_size=2, line_search_fn="strong_wolfe"), 4),
    (dict(lr=0.1, max_iter=4, max_eval=6, history_size=4), 6),
    (dict(max_iter=30, max_eval=12, line_search_fn="strong_wolfe"), 4),
    (dict(max_iter=5), 6),
]


@pytest.mark.parametrize("settings, steps", ROSENBROCK_CASES)
@pytest.mark.parametrize("start", [[-1.5, 2.0], list(np.linspace(-1.2, 1.1, 10))],
                         ids=["2d", "10d"])
def test_rosenbrock_iterates_equal_torch(settings, steps, start):
    (ours, our_losses, opt), (theirs, their_losses, t_opt) = run_both(
        lambda fw, p: rosenbrock(fw, p[0]), [start], steps, **settings)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-10, atol=1e-12)
    state, t_state = opt.state[opt.params[0]], t_opt.state[t_opt.param_groups[0]["params"][0]]
    assert (state["n_iter"], state["func_evals"]) == (t_state["n_iter"], t_state["func_evals"])
    assert len(state["old_dirs"]) == len(t_state["old_dirs"])
    assert not np.allclose(ours[0], start)   # it moved


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_long_runs_reach_the_rosenbrock_minimum_as_torch_does(line_search_fn):
    (ours, _, _), (theirs, _, _) = run_both(lambda fw, p: rosenbrock(fw, p[0]),
                                            [list(np.linspace(-1.2, 1.1, 10))], 8,
                                            line_search_fn=line_search_fn)
    np.testing.assert_allclose(ours[-1], np.ones(10), atol=1e-5)
    np.testing.assert_allclose(theirs[-1], np.ones(10), atol=1e-5)


@pytest.mark.parametrize("settings", [dict(), dict(line_search_fn="strong_wolfe"),
                                      dict(history_size=2, max_iter=3)])
def test_least_squares_with_two_parameters_equals_torch(settings):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((20, 3)), rng.standard_normal((20, 2))
    starts = [rng.standard_normal((3, 2)), np.zeros(2)]
    (ours, losses, _), (theirs, t_losses, _) = run_both(
        lambda fw, p: least_squares(fw, p, a, b), starts, steps=3, **settings)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)
    np.testing.assert_allclose(losses, t_losses, rtol=1e-10)
    solution, *_ = np.linalg.lstsq(np.hstack([a, np.ones((20, 1))]), b, rcond=None)
    best = np.mean((np.hstack([a, np.ones((20, 1))]) @ solution - b) ** 2)
    assert losses[0] > 2 * best and losses[-1] < 1.001 * best   # near the least-squares fit


def test_float32_parameters_stay_float32_and_follow_torch():
    start = np.array([-1.5, 2.0], dtype=np.float32)
    values = []
    for framework, make_param, optimizer in ((mg, nn.Parameter, optim.LBFGS),
                                             (torch, torch.nn.Parameter, torch.optim.LBFGS)):
        x = make_param(framework.tensor(start))
        opt = optimizer([x], max_iter=5, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = rosenbrock(framework, x)
            loss.backward()
            return loss
        opt.step(closure)
        assert str(x.dtype).endswith("float32")
        values.append(np.array(x.detach().numpy()))
    np.testing.assert_allclose(values[0], values[1], rtol=1e-4)


def test_converged_start_returns_without_moving():
    x = nn.Parameter(mg.tensor([1.0, 1.0], dtype=mg.float64))
    opt = optim.LBFGS([x])
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = rosenbrock(mg, x)
        loss.backward()
        return loss
    assert float(opt.step(closure)) == 0.0
    assert len(calls) == 1 and x.numpy().tolist() == [1.0, 1.0]


def test_state_dict_round_trip_continues_like_the_original():
    def fresh(start):
        x = nn.Parameter(mg.tensor(np.array(start, dtype=np.float64)))
        opt = optim.LBFGS([x], max_iter=3, history_size=4, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = rosenbrock(mg, x)
            loss.backward()
            return loss
        return x, opt, closure

    x, opt, closure = fresh([-1.2, 1.0, 0.5])
    opt.step(closure)
    saved = opt.state_dict()
    saved_n_iter = saved["state"][0]["n_iter"]
    saved_start = x.numpy().tolist()
    y, copy_opt, copy_closure = fresh(saved_start)
    copy_opt.load_state_dict(saved)
    opt.step(closure)
    copy_opt.step(copy_closure)
    np.testing.assert_array_equal(x.numpy(), y.numpy())
    assert saved["state"][0]["n_iter"] == saved_n_iter   # the saved copy did not change
    assert copy_opt.state[copy_opt.params[0]]["n_iter"] == opt.state[opt.params[0]]["n_iter"] \
        > saved_n_iter
    fresh_start, fresh_opt, fresh_closure = fresh(saved_start)
    fresh_opt.step(fresh_closure)   # without the history the step differs
    assert not np.array_equal(fresh_start.numpy(), x.numpy())


@pytest.mark.parametrize("settings, message", [
    (dict(line_search_fn="backtracking"), "line_search_fn"),
    (dict(max_iter=0), "max_iter"),
    (dict(history_size=2.5), "history_size"),
    (dict(lr=-1.0), "learning rate"),
    (dict(tolerance_grad=-1.0), "tolerance_grad"),
])
def test_bad_settings_name_lbfgs(settings, message):
    with pytest.raises((ValueError, TypeError), match=message) as error:
        optim.LBFGS([nn.Parameter(mg.zeros(2))], **settings)
    assert "LBFGS" in str(error.value)


def test_one_parameter_group_only_and_a_closure_is_required():
    a, b = nn.Parameter(mg.zeros(2)), nn.Parameter(mg.zeros(2))
    with pytest.raises(ValueError, match="one parameter group"):
        optim.LBFGS([{"params": [a]}, {"params": [b]}])
    with pytest.raises(TypeError, match="closure"):
        optim.LBFGS([a]).step()
