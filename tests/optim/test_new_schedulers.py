"""LambdaLR, MultiplicativeLR, LinearLR, SequentialLR, CosineAnnealingWarmRestarts,
OneCycleLR and ReduceLROnPlateau: written-out values, every step's rate (and
momentum) against PyTorch over 30+ steps, and state-dict round trips."""
import math
import warnings

import numpy as np
import pytest

from minigrad import nn, optim
from minigrad.optim import lr_scheduler as ours


def _trace(lib, opt, sched, steps, metrics=None):
    """(lr, momentum or beta1) after construction and after each step."""
    def now():
        group = opt.param_groups[0]
        mom = group["betas"][0] if "betas" in group else group.get("momentum")
        return (group["lr"], mom)
    values = [now()]
    for i in range(steps):
        opt.step()
        sched.step() if metrics is None else sched.step(metrics[i])
        values.append(now())
    return np.array(values, dtype=float)


def _ours(make, opt_name="SGD", steps=40, metrics=None, **opt_kwargs):
    opt_kwargs = opt_kwargs or dict(lr=0.1, momentum=0.9)
    opt = getattr(optim, opt_name)([nn.Parameter(np.ones(1))], **opt_kwargs)
    return _trace(ours, opt, make(ours, opt), steps, metrics)


def test_linear_lr_written_out():
    # factor 0.5 -> 1 over 4 epochs: 0.5, 0.625, 0.75, 0.875, 1, then stays
    values = _ours(lambda L, o: L.LinearLR(o, start_factor=0.5, total_iters=4), steps=6, lr=1.0)
    np.testing.assert_allclose(values[:, 0], [0.5, 0.625, 0.75, 0.875, 1, 1, 1], rtol=1e-14)


def test_lambda_and_multiplicative_written_out():
    values = _ours(lambda L, o: L.LambdaLR(o, lambda e: 1 / (e + 1)), steps=3, lr=1.0)
    np.testing.assert_allclose(values[:, 0], [1, 1 / 2, 1 / 3, 1 / 4], rtol=1e-14)
    values = _ours(lambda L, o: L.MultiplicativeLR(o, lambda e: 0.5), steps=3, lr=1.0)
    np.testing.assert_allclose(values[:, 0], [1, 0.5, 0.25, 0.125], rtol=1e-14)


def test_warm_restarts_written_out():
    # T_0 = 2, T_mult = 2: periods of 2, 4, 8 epochs; lr = (1 + cos(pi T_cur / T_i)) / 2
    values = _ours(lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2), steps=6,
                   lr=1.0)[:, 0]
    c = [(1 + math.cos(math.pi * t / T)) / 2 for t, T in
         [(0, 2), (1, 2), (0, 4), (1, 4), (2, 4), (3, 4), (0, 8)]]
    np.testing.assert_allclose(values, c, rtol=1e-14)


def test_one_cycle_written_out():
    # 10 steps, pct_start 0.3, linear: up 0.04 -> 1 over steps 0..2, down to 4e-6 over 2..9
    values = _ours(lambda L, o: L.OneCycleLR(o, max_lr=1.0, total_steps=10,
                                             anneal_strategy="linear"), steps=9)
    np.testing.assert_allclose(values[:3, 0], [0.04, 0.52, 1.0], rtol=1e-14)
    assert values[-1, 0] == pytest.approx(0.04 / 1e4, rel=1e-12)
    np.testing.assert_allclose(values[[0, 2, 9], 1], [0.95, 0.85, 0.95], rtol=1e-14)  # momentum


def test_plateau_written_out():
    # patience 1: the rate drops after the second epoch in a row without improvement
    losses = [1.0, 0.5, 0.6, 0.7, 0.4, 0.45, 0.5, 0.5]
    values = _ours(lambda L, o: L.ReduceLROnPlateau(o, patience=1, factor=0.5), steps=8,
                   metrics=losses, lr=1.0)[:, 0]
    np.testing.assert_allclose(values, [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25])


TORCH_CASES = {
    "LambdaLR": lambda L, o: L.LambdaLR(o, lambda e: 0.95 ** e + 0.01 * (e % 3)),
    "MultiplicativeLR": lambda L, o: L.MultiplicativeLR(o, lambda e: 0.9 if e % 2 else 1.02),
    "LinearLR": lambda L, o: L.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=7),
    "SequentialLR-warmup-cosine-exp": lambda L, o: L.SequentialLR(
        o, [L.LinearLR(o, start_factor=0.1, total_iters=5), L.CosineAnnealingLR(o, T_max=10),
            L.ExponentialLR(o, 0.9)], milestones=[5, 20]),
    "SequentialLR-step-restarts-mult": lambda L, o: L.SequentialLR(
        o, [L.StepLR(o, 3, 0.5), L.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2),
            L.MultiplicativeLR(o, lambda e: 0.8)], milestones=[7, 25]),
    "CosineAnnealingWarmRestarts-Tmult2": lambda L, o: L.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.001),
    "CosineAnnealingWarmRestarts": lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=4),
    "OneCycleLR-cos": lambda L, o: L.OneCycleLR(o, max_lr=1.0, total_steps=40),
    "OneCycleLR-three-phase-linear": lambda L, o: L.OneCycleLR(
        o, max_lr=0.5, total_steps=41, three_phase=True, anneal_strategy="linear", pct_start=0.25),
    "OneCycleLR-three-phase-cos": lambda L, o: L.OneCycleLR(
        o, max_lr=0.5, total_steps=40, three_phase=True),
    "OneCycleLR-epochs": lambda L, o: L.OneCycleLR(
        o, max_lr=0.5, epochs=4, steps_per_epoch=10, base_momentum=0.8, max_momentum=0.9,
        div_factor=10, final_div_factor=100),
}


def _torch_trace(torch, make, opt_name, opt_kwargs, steps=40, metrics=None):
    opt = getattr(torch.optim, opt_name)([torch.nn.Parameter(torch.ones(1))], **opt_kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # torch's deprecation notes about step(epoch)
        return _trace(torch.optim.lr_scheduler, opt, make(torch.optim.lr_scheduler, opt), steps,
                      metrics)


@pytest.mark.parametrize("name", list(TORCH_CASES))
@pytest.mark.parametrize("opt_name, opt_kwargs", [("SGD", dict(lr=0.1, momentum=0.9)),
                                                  ("Adam", dict(lr=0.1))])
def test_every_step_matches_torch(name, opt_name, opt_kwargs):
    torch = pytest.importorskip("torch")
    make = TORCH_CASES[name]
    mine = _ours(make, opt_name, **opt_kwargs)
    theirs = _torch_trace(torch, make, opt_name, opt_kwargs)
    np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=0)
    assert len(set(mine[:, 0])) > 3          # the schedule really moves


PLATEAU_CASES = [
    dict(patience=2),
    dict(mode="max", patience=1, cooldown=2, factor=0.5, threshold_mode="abs", threshold=0.05,
         min_lr=0.01),
    dict(patience=0, factor=0.5, eps=0.02, min_lr=0.005),
    dict(patience=3, threshold=0.1, cooldown=1),
]


@pytest.mark.parametrize("kwargs", PLATEAU_CASES)
def test_plateau_matches_torch_on_a_scripted_loss(kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    losses = list(np.cumsum(rng.standard_normal(40) * 0.1) + 5)   # a wandering loss
    make = lambda L, o: L.ReduceLROnPlateau(o, **kwargs)  # noqa: E731
    mine = _ours(make, metrics=losses)
    theirs = _torch_trace(torch, make, "SGD", dict(lr=0.1, momentum=0.9), metrics=losses)
    np.testing.assert_array_equal(mine, theirs)
    assert mine[-1, 0] < mine[0, 0]


class Halve:
    """A callable object: LambdaLR saves its attributes (a plain function is not saved)."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, epoch):
        return self.rate ** epoch


ROUND_TRIP = {
    "LambdaLR-object": lambda L, o: L.LambdaLR(o, Halve(0.9)),
    "LambdaLR-function": lambda L, o: L.LambdaLR(o, lambda e: 0.9 ** e),
    "MultiplicativeLR": lambda L, o: L.MultiplicativeLR(o, Halve(0.97)),
    "LinearLR": TORCH_CASES["LinearLR"],
    "SequentialLR": TORCH_CASES["SequentialLR-warmup-cosine-exp"],
    "CosineAnnealingWarmRestarts": TORCH_CASES["CosineAnnealingWarmRestarts-Tmult2"],
    "OneCycleLR": TORCH_CASES["OneCycleLR-three-phase-cos"],
    "ReduceLROnPlateau": lambda L, o: L.ReduceLROnPlateau(o, patience=1, cooldown=1),
}


@pytest.mark.parametrize("name", list(ROUND_TRIP))
def test_state_dict_round_trip(name):
    """Save optimizer + scheduler after 13 steps, build fresh ones, load, and carry
    on: the rates (and momenta) equal the uninterrupted run's."""
    make = ROUND_TRIP[name]
    losses = [5, 4, 4.5, 4.6, 4.7, 3, 3.1, 3.2, 3.3, 3.4] * 4

    def build():
        opt = optim.SGD([nn.Parameter(np.ones(1))], lr=0.1, momentum=0.9)
        return opt, make(ours, opt)

    def advance(opt, sched, steps, start):
        out = []
        for i in range(start, start + steps):
            opt.step()
            sched.step(losses[i]) if name == "ReduceLROnPlateau" else sched.step()
            out.append((opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]))
        return out

    opt, sched = build()
    advance(opt, sched, 13, 0)
    saved_opt, saved_sched = opt.state_dict(), sched.state_dict()
    straight = advance(opt, sched, 20, 13)
    opt2, sched2 = build()
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved_sched)
    assert sched2.last_epoch == 13
    assert advance(opt2, sched2, 20, 13) == straight
    if name == "LambdaLR-object":
        assert saved_sched["lr_lambdas"] == [{"rate": 0.9}]
    if name == "LambdaLR-function":
        assert saved_sched["lr_lambdas"] == [None]


def test_lambda_state_restores_a_callable_objects_attributes():
    opt = optim.SGD([nn.Parameter(np.ones(1))], lr=1.0)
    state = ours.LambdaLR(opt, Halve(0.5)).state_dict()
    fresh = Halve(0.9)
    sched = ours.LambdaLR(optim.SGD([nn.Parameter(np.ones(1))], lr=1.0), fresh)
    sched.load_state_dict(state)
    assert fresh.rate == 0.5


def test_per_group_lambdas_and_max_lr():
    a, b = nn.Parameter(np.ones(1)), nn.Parameter(np.ones(1))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 2.0}], lr=1.0)
    sched = ours.LambdaLR(opt, [lambda e: 1.0, lambda e: 0.5 ** e])
    opt.step(), sched.step()
    assert sched.get_last_lr() == [1.0, 1.0]
    with pytest.raises(ValueError, match=r"LambdaLR: expected 2 lr_lambda value\(s\)"):
        ours.LambdaLR(opt, [lambda e: 1.0])
    opt = optim.Adam([{"params": [a]}, {"params": [b]}], lr=1.0)
    ours.OneCycleLR(opt, max_lr=[1.0, 10.0], total_steps=5)
    np.testing.assert_allclose([g["lr"] for g in opt.param_groups], [0.04, 0.4], rtol=1e-14)


def test_one_cycle_refuses_to_run_past_total_steps():
    opt = optim.SGD([nn.Parameter(np.ones(1))], lr=0.1, momentum=0.9)
    sched = ours.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    for _ in range(3):
        sched.step()
    with pytest.raises(ValueError, match=r"OneCycleLR: stepped 4 times, but the schedule has "
                                         r"total_steps=3"):
        sched.step()


def test_warm_restarts_fractional_epoch_matches_torch():
    torch = pytest.importorskip("torch")
    runs = []
    for lib, opt_lib, param in ((ours, optim, nn.Parameter(np.ones(1))),
                                (torch.optim.lr_scheduler, torch.optim,
                                 torch.nn.Parameter(torch.ones(1)))):
        opt = opt_lib.SGD([param], lr=0.1)
        sched = lib.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2)
        values = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for epoch in np.arange(0, 12, 0.25):
                opt.step()
                sched.step(float(epoch))
                values.append(opt.param_groups[0]["lr"])
        runs.append(values)
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-12)
