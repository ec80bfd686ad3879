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


@pytest.mark.parametrize("name, kwargs", [
    ("StepLR", dict(step_size=3, gamma=0.3)),
    ("MultiStepLR", dict(milestones=[2, 5, 6], gamma=0.5)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=5, eta_min=0.01)),
])
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
