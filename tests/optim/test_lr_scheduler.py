"""Learning-rate schedules: written-out values, and PyTorch's when installed."""
import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim
from minigrad.optim import lr_scheduler


def _lrs(make, epochs, lr=1.0):
    opt = optim.SGD([nn.Parameter([1.0])], lr=lr)
    sched = make(opt)
    values = [opt.param_groups[0]["lr"]]
    for _ in range(epochs):
        opt.step()
        sched.step()
        values.append(opt.param_groups[0]["lr"])
    assert sched.get_last_lr() == [values[-1]]
    return values


def test_step_lr_written_out():
    values = _lrs(lambda o: lr_scheduler.StepLR(o, step_size=2, gamma=0.5), 5)
    assert values == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]


def test_multistep_and_exponential_written_out():
    values = _lrs(lambda o: lr_scheduler.MultiStepLR(o, [1, 3], gamma=0.1), 4)
    np.testing.assert_allclose(values, [1.0, 0.1, 0.1, 0.01, 0.01])
    np.testing.assert_allclose(_lrs(lambda o: lr_scheduler.ExponentialLR(o, 0.5), 3),
                               [1, 0.5, 0.25, 0.125])


def test_cosine_written_out():
    # eta_min + (1 - eta_min) * (1 + cos(pi t / 4)) / 2 with eta_min = 0.1
    values = _lrs(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=4, eta_min=0.1), 6)
    half = (1 + math.cos(math.pi / 4)) / 2        # 0.853553...
    expected = [1.0, 0.1 + 0.9 * half, 0.55, 0.1 + 0.9 * (1 - half), 0.1,
                0.1 + 0.9 * (1 - half), 0.55]       # and back up after T_max, as PyTorch
    np.testing.assert_allclose(values, expected, rtol=1e-12)


# Schedulers and settings compared with PyTorch's own (when torch is installed).
TORCH_CASES = [
    ("StepLR", dict(step_size=3, gamma=0.3)),
    ("MultiStepLR", dict(milestones=[2, 5, 6], gamma=0.5)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=5, eta_min=0.01)),
]


@pytest.mark.parametrize("name, kwargs", TORCH_CASES)
def test_matches_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    ours = _lrs(lambda o: getattr(lr_scheduler, name)(o, **kwargs), 12, lr=0.2)
    opt = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.2)
    sched = getattr(torch.optim.lr_scheduler, name)(opt, **kwargs)
    theirs = [opt.param_groups[0]["lr"]]
    for _ in range(12):
        opt.step()
        sched.step()
        theirs.append(opt.param_groups[0]["lr"])
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def test_scheduler_state_round_trip(tmp_path):
    opt = optim.Adam([nn.Parameter([1.0])], lr=0.1)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    for _ in range(3):
        sched.step()
    mg.save({"sched": sched.state_dict(), "opt": opt.state_dict()}, tmp_path / "s.npz")
    saved = mg.load(tmp_path / "s.npz")
    opt2 = optim.Adam([nn.Parameter([1.0])], lr=0.1)
    opt2.load_state_dict(saved["opt"])
    sched2 = lr_scheduler.CosineAnnealingLR(opt2, T_max=10)
    sched2.load_state_dict(saved["sched"])
    sched.step(), sched2.step()
    assert sched2.last_epoch == 4 and sched2.get_last_lr() == sched.get_last_lr()
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]


def test_bad_arguments():
    opt = optim.SGD([nn.Parameter([1.0])], lr=0.1)
    with pytest.raises(ValueError, match="step_size"):
        lr_scheduler.StepLR(opt, step_size=0)
    with pytest.raises(TypeError, match="Optimizer"):
        lr_scheduler.StepLR("not an optimizer", step_size=1)


def _resume(opt_factory, make_sched, lr, epochs_before, epochs_after):
    """Train ``epochs_before`` epochs, then resume PyTorch's recommended way (load the
    optimizer state, create the scheduler, load its state) and return the rates of
    the resumed run: the one it starts at and one per later epoch."""
    opt = opt_factory(lr)
    sched = make_sched(opt)
    for _ in range(epochs_before):
        opt.step()
        sched.step()
    opt_state, sched_state = opt.state_dict(), sched.state_dict()
    opt2 = opt_factory(lr)
    opt2.load_state_dict(opt_state)
    sched2 = make_sched(opt2)
    sched2.load_state_dict(sched_state)
    values = [opt2.param_groups[0]["lr"]]
    for _ in range(epochs_after):
        opt2.step()
        sched2.step()
        values.append(opt2.param_groups[0]["lr"])
    return values


def _sgd(lr):
    return optim.SGD([nn.Parameter([1.0])], lr=lr)


def test_resuming_continues_from_the_loaded_rate():
    # StepLR(2, 0.5) from 0.1: epochs 1..3 give 0.1, 0.05, 0.05; the resumed run must
    # start at 0.05 (not jump back to 0.1), then epoch 4 halves it: 0.025, epoch 5 keeps it.
    values = _resume(_sgd, lambda o: lr_scheduler.StepLR(o, step_size=2, gamma=0.5), 0.1, 3, 2)
    np.testing.assert_allclose(values, [0.05, 0.025, 0.025], rtol=1e-12)
    # Cosine T_max = 4 from 1.0: epoch 2 is 0.5 and epoch 3 is (1 - cos(pi/4)) / 2.
    values = _resume(_sgd, lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=4), 1.0, 2, 1)
    np.testing.assert_allclose(values, [0.5, (1 - math.cos(math.pi / 4)) / 2], rtol=1e-12)


def test_two_schedulers_on_one_optimizer_compose():
    # ExponentialLR(0.9) and StepLR(2, 0.1) both step every epoch from lr = 1:
    # 0.9, 0.9^2 * 0.1, 0.9^3 * 0.1, 0.9^4 * 0.01, 0.9^5 * 0.01
    opt = _sgd(1.0)
    scheds = [lr_scheduler.ExponentialLR(opt, 0.9), lr_scheduler.StepLR(opt, 2, gamma=0.1)]
    values = []
    for _ in range(5):
        opt.step()
        for sched in scheds:
            sched.step()
        values.append(opt.param_groups[0]["lr"])
    np.testing.assert_allclose(values, [0.9, 0.081, 0.0729, 0.006561, 0.0059049], rtol=1e-12)


def test_multistep_repeated_milestone_counts_twice():
    # milestones [2, 2]: at epoch 2 the rate is multiplied by gamma twice (as PyTorch)
    values = _lrs(lambda o: lr_scheduler.MultiStepLR(o, [2, 2], gamma=0.5), 3)
    np.testing.assert_allclose(values, [1.0, 1.0, 0.25, 0.25])


@pytest.mark.parametrize("name, kwargs", TORCH_CASES)
def test_resume_and_chaining_match_torch(name, kwargs):
    torch = pytest.importorskip("torch")

    def torch_sgd(lr):
        return torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=lr)

    def ours(o):
        return getattr(lr_scheduler, name)(o, **kwargs)

    def theirs(o):
        return getattr(torch.optim.lr_scheduler, name)(o, **kwargs)

    for before in (1, 4, 7):
        np.testing.assert_allclose(_resume(_sgd, ours, 0.2, before, 8),
                                   _resume(torch_sgd, theirs, 0.2, before, 8), rtol=1e-9)
    # chained after an ExponentialLR(0.8) on the same optimizer
    runs = []
    for sgd, make, exp in ((_sgd, ours, lr_scheduler.ExponentialLR),
                           (torch_sgd, theirs, torch.optim.lr_scheduler.ExponentialLR)):
        opt = sgd(0.2)
        scheds = [exp(opt, 0.8), make(opt)]
        values = []
        for _ in range(12):
            opt.step()
            for sched in scheds:
                sched.step()
            values.append(opt.param_groups[0]["lr"])
        runs.append(values)
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-9)


# A param group added with add_param_group after the scheduler was made (gradual
# unfreezing): every scheduler does what PyTorch's does, rate for rate or error type.
ADDED_GROUP_CASES = {
    "StepLR": dict(step_size=2, gamma=0.5),
    "MultiStepLR": dict(milestones=[2, 5, 6], gamma=0.5),
    "ExponentialLR": dict(gamma=0.9),
    "CosineAnnealingLR": dict(T_max=4, eta_min=0.01),
    "LambdaLR": dict(lr_lambda=lambda e: 0.9 ** e),
    "MultiplicativeLR": dict(lr_lambda=lambda e: 0.95),
    "LinearLR": dict(start_factor=0.25, total_iters=4),
    "CosineAnnealingWarmRestarts": dict(T_0=3, T_mult=2, eta_min=0.01),
    "OneCycleLR": dict(max_lr=1.0, total_steps=12),
    "ReduceLROnPlateau": dict(patience=1, factor=0.5),
    "ReduceLROnPlateau-min-lr-list": dict(patience=1, factor=0.5, min_lr=[0.001]),
    "SequentialLR": None,
}


def _added_group_run(lib, name, add_at):
    first, second = lib.nn.Parameter(lib.ones(1)), lib.nn.Parameter(lib.ones(1))
    opt = lib.optim.SGD([first], lr=0.2, momentum=0.9)
    schedulers = lib.optim.lr_scheduler
    if name == "SequentialLR":
        sched = schedulers.SequentialLR(opt, [schedulers.ExponentialLR(opt, gamma=0.9),
                                              schedulers.StepLR(opt, step_size=2)], milestones=[4])
    else:
        sched = getattr(schedulers, name.split("-")[0])(opt, **ADDED_GROUP_CASES[name])
    rates = []
    for epoch in range(10):
        if epoch == add_at:
            opt.add_param_group({"params": [second], "lr": 0.05})
        opt.step()
        try:
            sched.step(1.0) if name.startswith("ReduceLROnPlateau") else sched.step()
        except (ValueError, KeyError, RuntimeError) as error:
            rates.append(type(error).__name__)
            break
        rates.append([float(group["lr"]) for group in opt.param_groups])
        assert sched.get_last_lr() == rates[-1]
    return rates


@pytest.mark.parametrize("add_at", [0, 2, 5])
@pytest.mark.parametrize("name", list(ADDED_GROUP_CASES))
def test_param_group_added_later_follows_torch(name, add_at):
    torch = pytest.importorskip("torch")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = _added_group_run(torch, name, add_at)
    ours = _added_group_run(mg, name, add_at)
    assert len(ours) == len(theirs), (ours, theirs)
    for a, b in zip(ours, theirs):
        if isinstance(b, str):
            assert a == b
        else:
            np.testing.assert_allclose(a, b, rtol=1e-12)


def test_added_group_error_says_what_to_do():
    p = mg.nn.Parameter(mg.ones(1))
    opt = mg.optim.SGD([p], lr=0.1)
    sched = mg.optim.lr_scheduler.LambdaLR(opt, lambda e: 0.5)
    opt.add_param_group({"params": [mg.nn.Parameter(mg.ones(1))]})
    with pytest.raises(ValueError, match="LambdaLR: the optimizer has 2 param groups but this "
                                         "scheduler was made for 1.*add_param_group"):
        sched.step()
