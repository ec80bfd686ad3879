"""Optimizer steps equal PyTorch's update rules: written-out numbers that run
without torch, and a comparison with torch itself when it is installed."""
import numpy as np
import pytest

import minigrad as mg
from tests.optim.helpers import run_steps
from tests.optim.test_new_optimizers import NEW_CONFIGS
from minigrad import nn, optim


# Each expected value is worked out by hand from the update rule in the docstring.
SGD_CASES = [
    # plain: p = 1 - 0.1 * 1 = 0.9, then 0.9 - 0.1 * 2 = 0.7
    (dict(lr=0.1), [0.9, 0.7]),
    # momentum 0.9: buf = 1, p = 0.9; buf = 0.9 * 1 + 2 = 2.9, p = 0.9 - 0.29 = 0.61
    (dict(lr=0.1, momentum=0.9), [0.9, 0.61]),
    # dampening 0.5 (not on the first step): buf = 1, p = 0.9; buf = 0.9 + 0.5 * 2 = 1.9, p = 0.71
    (dict(lr=0.1, momentum=0.9, dampening=0.5), [0.9, 0.71]),
    # nesterov: buf = 1, g = 1 + 0.9 * 1 = 1.9, p = 0.81;
    #           buf = 2.9, g = 2 + 0.9 * 2.9 = 4.61, p = 0.81 - 0.461 = 0.349
    (dict(lr=0.1, momentum=0.9, nesterov=True), [0.81, 0.349]),
    # weight decay 0.5: g = 1 + 0.5 * 1 = 1.5, p = 0.85; g = 2 + 0.425 = 2.425, p = 0.6075
    (dict(lr=0.1, weight_decay=0.5), [0.85, 0.6075]),
    # maximize: ascend, p = 1 + 0.1 = 1.1, then 1.3
    (dict(lr=0.1, maximize=True), [1.1, 1.3]),
]


@pytest.mark.parametrize("settings, expected", SGD_CASES)
def test_sgd_written_out(settings, expected):
    np.testing.assert_allclose(run_steps(optim.SGD, [1.0, 2.0], **settings), expected, rtol=1e-12)


def test_adam_written_out():
    # Step 1, g = 0.5: m = 0.05, v = 0.00025; m_hat = 0.5, sqrt(v_hat) = 0.5; p = 1 - 0.1 * 0.5 / (0.5 + 1e-8)
    # Step 2, g = -1: m = 0.045 - 0.1 = -0.055, v = 0.00024975 + 0.001 = 0.00124975
    #   p -= 0.1 / 0.19 * m / (sqrt(v) / sqrt(0.001999) + 1e-8)
    step1 = 1 - 0.1 * 0.5 / (0.5 + 1e-8)
    step2 = step1 - 0.1 / 0.19 * -0.055 / (np.sqrt(0.00124975) / np.sqrt(0.001999) + 1e-8)
    values = run_steps(optim.Adam, [0.5, -1.0], lr=0.1)
    np.testing.assert_allclose(values, [step1, step2], rtol=1e-12)
    assert values[1] == pytest.approx(0.93661, abs=1e-5)


def test_adam_l2_versus_adamw_decoupled_decay():
    # Adam folds the decay into g: g = 0.5 + 0.1 * 1 = 0.6; the first step is still lr * sign.
    assert run_steps(optim.Adam, [0.5], lr=0.1, weight_decay=0.1) == pytest.approx([0.9], abs=1e-7)
    # AdamW shrinks p first: p = 1 * (1 - 0.1 * 0.1) = 0.99, then 0.99 - 0.1
    assert run_steps(optim.AdamW, [0.5], lr=0.1, weight_decay=0.1) == pytest.approx([0.89], abs=1e-7)
    # Second step with g = 0: Adam's L2 gradient is 0.1 * 0.9 = 0.09 > 0, so p keeps falling
    adam = run_steps(optim.Adam, [0.5, 0.0], lr=0.1, weight_decay=0.1)
    assert adam[1] < adam[0]


def test_amsgrad_keeps_the_largest_second_moment():
    # Step 2's gradient is tiny, so v falls; amsgrad divides by the old, larger v.
    plain = run_steps(optim.Adam, [1.0, 1e-3], lr=0.1)
    ams = run_steps(optim.Adam, [1.0, 1e-3], lr=0.1, amsgrad=True)
    assert plain[0] == ams[0]
    assert (plain[0] - plain[1]) > (ams[0] - ams[1]) > 0


TORCH_CONFIGS = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True, maximize=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.2, amsgrad=True)),
] + NEW_CONFIGS


@pytest.mark.parametrize("name, settings", TORCH_CONFIGS)
def test_matches_torch(name, settings):
    """The same gradients for 35 steps: the parameters agree with PyTorch's after
    every step (to float64 rounding: PyTorch's kernels fuse some multiply-adds)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    starts = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    ours = [nn.Parameter(s.copy()) for s in starts]
    theirs = [torch.nn.Parameter(torch.tensor(s)) for s in starts]
    opt = getattr(optim, name)(ours, **settings)
    ref = getattr(torch.optim, name)(theirs, **settings)
    for step in range(35):
        for p, t in zip(ours, theirs):
            g = rng.standard_normal(p.shape)
            p.grad, t.grad = mg.Tensor(g), torch.tensor(g)
        opt.step()
        ref.step()
        for p, t in zip(ours, theirs):
            np.testing.assert_allclose(p.numpy(), t.detach().numpy(), rtol=1e-12, atol=1e-14,
                                       err_msg=f"{name} {settings} step {step}")
    assert not np.allclose(ours[0].numpy(), starts[0])   # it moved


@pytest.mark.parametrize("settings", [c[1] for c in TORCH_CONFIGS if c[0] == "SGD"] + [
    dict(lr=0.05, momentum=0.9, maximize=True),
    dict(lr=0.05, momentum=0.7, dampening=0.2, maximize=True, weight_decay=0.1)])
def test_sgd_matches_torch_on_0d_chunked_and_transposed_gradients(settings):
    """SGD updates in place in chunks: a 0-d parameter (its momentum buffer must
    still accumulate), one larger than a chunk, and a gradient stored transposed
    (as a Linear weight's is when computed as (x^T dy)^T) all follow PyTorch."""
    torch = pytest.importorskip("torch")
    from minigrad.optim import sgd
    rng = np.random.default_rng(1)
    starts = [rng.standard_normal(()), rng.standard_normal(sgd.CHUNK + 7),
              rng.standard_normal((30, 40))]
    ours = [nn.Parameter(s.copy()) for s in starts]
    theirs = [torch.nn.Parameter(torch.tensor(s)) for s in starts]
    opt, ref = optim.SGD(ours, **settings), torch.optim.SGD(theirs, **settings)
    for step in range(5):
        for p, t in zip(ours, theirs):
            g = rng.standard_normal(p.shape)
            t.grad = torch.tensor(g)
            p.grad = mg.Tensor(np.asfortranarray(g) if g.ndim == 2 else g)
        opt.step()
        ref.step()
        for p, t in zip(ours, theirs):
            np.testing.assert_allclose(p.numpy(), t.detach().numpy(), rtol=1e-12, atol=1e-14,
                                       err_msg=f"SGD {settings} step {step}")


def test_zero_grad_sets_none_and_parameters_without_grad_are_skipped():
    a, b = nn.Parameter([1.0]), nn.Parameter([2.0])
    opt = optim.SGD([a, b], lr=0.5)
    a.grad = mg.Tensor(np.array([1.0], np.float32))
    opt.step()
    assert a.numpy()[0] == 0.5 and b.numpy()[0] == 2.0
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_step_bumps_the_version_so_a_stale_backward_is_refused():
    w = nn.Parameter([2.0])
    x = mg.Tensor([3.0], requires_grad=True)
    y = (w * x).sum()                # Mul saved w's value for the gradient of x
    opt = optim.SGD([w], lr=0.1)
    w.grad = mg.Tensor([1.0])
    opt.step()
    with pytest.raises(RuntimeError, match="Mul: input 0 saved for backward.*modified in place"):
        y.backward()


def test_a_step_that_changes_a_value_backward_does_not_read_is_allowed():
    """With a constant x, Mul keeps only x (dw = dy * x): changing w is harmless,
    as in PyTorch."""
    w = nn.Parameter([2.0])
    x = mg.Tensor([3.0])
    y = (w * x).sum()
    opt = optim.SGD([w], lr=0.1)
    w.grad = mg.Tensor([1.0])
    opt.step()
    w.grad = None
    y.backward()
    assert w.grad.tolist() == [3.0]


def test_parameter_groups_have_their_own_settings():
    a, b = nn.Parameter([1.0]), nn.Parameter([1.0])
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad = b.grad = mg.Tensor([1.0])
    opt.step()
    assert a.numpy()[0] == pytest.approx(0.9) and b.numpy()[0] == pytest.approx(0.5)


@pytest.mark.parametrize("make, message", [
    (lambda p: optim.SGD(p, lr=-1), "learning rate"),
    (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "nesterov"),
    (lambda p: optim.Adam(p, betas=(0.9, 1.0)), "betas"),
    (lambda p: optim.SGD(p[0], lr=0.1), "single Tensor"),
    (lambda p: optim.SGD([], lr=0.1), "empty"),
    (lambda p: optim.SGD([p[0], p[0]], lr=0.1), "more than one"),
    (lambda p: optim.SGD([p[0] * 2], lr=0.1), "leaf"),
])
def test_bad_settings_are_errors(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make([nn.Parameter([1.0])])


def _fit(opt_class, steps, resume_at=None, tmp_path=None, **settings):
    """Fit y = 2x + 1 with a Linear layer; optionally save and reload the model
    and optimizer half way (through a file) and carry on with fresh objects."""
    mg.manual_seed(0)
    model = nn.Linear(1, 1)
    opt = opt_class(model.parameters(), **settings)
    x = mg.Tensor(np.linspace(-1, 1, 16, dtype=np.float32).reshape(-1, 1))
    y = x * 2 + 1
    for step in range(steps):
        if step == resume_at:
            path = tmp_path / "ckpt.npz"
            mg.save({"model": model.state_dict(), "opt": opt.state_dict()}, path)
            mg.manual_seed(123)
            model = nn.Linear(1, 1)
            opt = opt_class(model.parameters(), **settings)
            saved = mg.load(path)
            model.load_state_dict(saved["model"])
            opt.load_state_dict(saved["opt"])
        loss = ((model(x) - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model, loss.item()


@pytest.mark.parametrize("opt_class, settings", [
    (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    (optim.Adam, dict(lr=0.05, amsgrad=True)),
    (optim.AdamW, dict(lr=0.05)),
])
def test_resuming_from_a_checkpoint_continues_exactly(opt_class, settings, tmp_path):
    straight, loss = _fit(opt_class, 60, **settings)
    resumed, _ = _fit(opt_class, 60, resume_at=25, tmp_path=tmp_path, **settings)
    assert loss < 1e-2                                   # it really learns y = 2x + 1 (from ~4)
    for a, b in zip(straight.parameters(), resumed.parameters()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_optimizer_state_dict_layout_and_mismatch_errors():
    a, b = nn.Parameter(np.ones((2, 2), np.float32)), nn.Parameter(np.ones(3, np.float32))
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = mg.ones(2, 2)
    opt.step()
    sd = opt.state_dict()
    assert sd["param_groups"][0]["params"] == [0, 1] and sd["param_groups"][0]["betas"] == (0.9, 0.999)
    assert set(sd["state"]) == {0} and set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}
    assert sd["state"][0]["step"] == 1
    other = optim.Adam([nn.Parameter(np.ones(3, np.float32))])
    with pytest.raises(ValueError, match="2 parameter\\(s\\) in the state dict but 1 here"):
        other.load_state_dict(sd)
    swapped = optim.Adam([nn.Parameter(np.ones(3, np.float32)), nn.Parameter(np.ones((2, 2)))])
    with pytest.raises(ValueError, match="shape \\(2, 2\\), the parameter has \\(3,\\)"):
        swapped.load_state_dict(sd)
    assert swapped.state == {}                           # nothing was half-applied


@pytest.mark.parametrize("amsgrad", [False, True])
def test_state_of_a_0d_parameter_stays_an_array_after_load_state_dict(amsgrad):
    # Adam on p with constant gradient 3, lr 0.1: each step moves p by ~0.1 (m / sqrt(v) = 1
    # after bias correction), so four steps take p from 1.0 to 0.6 (eps makes it 0.6000000013).
    # Reloading the state after the first step must not change that: the moments stay
    # 0-d arrays the optimizer updates in place, not frozen Python floats.
    p = mg.Tensor(np.array(1.0), requires_grad=True)
    opt = optim.Adam([p], lr=0.1, amsgrad=amsgrad)
    p.grad = mg.Tensor(np.array(3.0))
    opt.step()
    opt.load_state_dict(opt.state_dict())
    for key in ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if amsgrad else ()):
        assert isinstance(opt.state[p][key], np.ndarray) and opt.state[p][key].shape == ()
    assert opt.state[p]["step"] == 1
    for _ in range(3):
        p.grad = mg.Tensor(np.array(3.0))
        opt.step()
    np.testing.assert_allclose(float(p.numpy()), 0.6, rtol=1e-8)
    # m after 4 steps of g = 3 with beta1 = 0.9: 3 * (1 - 0.9^4) = 1.0317
    np.testing.assert_allclose(opt.state[p]["exp_avg"], 3 * (1 - 0.9 ** 4), rtol=1e-12)


def test_sgd_momentum_buffer_of_a_0d_parameter_survives_a_state_round_trip():
    # momentum 0.9, lr 0.1, g = 1 each step: buf 1, 1.9, 2.71; p = 1 - 0.1 - 0.19 - 0.271 = 0.439
    p = mg.Tensor(np.array(1.0), requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    for step in range(3):
        p.grad = mg.Tensor(np.array(1.0))
        opt.step()
        opt.load_state_dict(opt.state_dict())
        assert isinstance(opt.state[p]["momentum_buffer"], np.ndarray)
    np.testing.assert_allclose(float(p.numpy()), 0.439, rtol=1e-12)


def test_frozen_parameters_are_accepted_and_skipped_while_they_have_no_grad():
    # As PyTorch: a leaf that does not require grad may be handed to an optimizer
    # (fine-tuning passes model.parameters() with some layers frozen); with no
    # .grad it is left alone. Unfreezing it later lets the same optimizer train it.
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    model[0].requires_grad_(False)
    opt = optim.SGD(model.parameters(), lr=0.5)
    frozen = model[0].weight.numpy().copy()
    x = mg.Tensor(np.ones((1, 2), dtype=np.float32))
    model(x).sum().backward()
    assert model[0].weight.grad is None
    bias_before = model[1].bias.numpy().copy()
    opt.step()
    np.testing.assert_array_equal(model[0].weight.numpy(), frozen)
    # d(sum)/d(bias of the last layer) = 1, so bias -= 0.5 * 1
    np.testing.assert_allclose(model[1].bias.numpy(), bias_before - 0.5, rtol=1e-6)
    model[0].requires_grad_(True)
    opt.zero_grad()
    model(x).sum().backward()
    opt.step()
    assert not np.array_equal(model[0].weight.numpy(), frozen)


def test_matches_torch_with_a_frozen_layer():
    torch = pytest.importorskip("torch")
    mg.manual_seed(0)
    ours = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1)).double()
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(2, 1)).double()
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
    ours[0].requires_grad_(False)
    theirs[0].requires_grad_(False)
    opt = optim.Adam(ours.parameters(), lr=0.1)
    topt = torch.optim.Adam(theirs.parameters(), lr=0.1)
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    for _ in range(3):
        opt.zero_grad(), topt.zero_grad()
        (ours(mg.Tensor(x)) ** 2).sum().backward()
        (theirs(torch.from_numpy(x)) ** 2).sum().backward()
        opt.step(), topt.step()
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].data, value.numpy(), rtol=1e-12)


def test_loading_another_optimizers_state_names_the_missing_settings():
    p = nn.Parameter(np.ones(2, np.float32))
    sgd = optim.SGD([p], lr=0.1, momentum=0.9)
    adam = optim.Adam([p], lr=0.01)
    with pytest.raises(ValueError, match=r"Adam.load_state_dict: .*'betas'.*'eps'.*different "
                                         r"optimizer"):
        adam.load_state_dict(sgd.state_dict())
    assert adam.param_groups[0]["lr"] == 0.01                 # nothing was applied
    with pytest.raises(ValueError, match=r"SGD.load_state_dict: .*'momentum'"):
        sgd.load_state_dict(adam.state_dict())


@pytest.mark.parametrize("owner", ["optimizer", "module"])
def test_zero_grad_without_set_to_none_zeroes_the_existing_grad_in_place(owner):
    model = nn.Linear(2, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)
    x = mg.Tensor(np.array([[1.0, 2.0]], np.float32))
    model(x).sum().backward()
    grad, array = model.weight.grad, model.weight.grad.numpy()
    np.testing.assert_array_equal(array, [[1.0, 2.0]])
    (opt if owner == "optimizer" else model).zero_grad(set_to_none=False)
    assert model.weight.grad is grad and grad.numpy() is array   # same tensor, same memory
    np.testing.assert_array_equal(array, [[0.0, 0.0]])
    model(x).sum().backward()                                 # accumulates onto the zeros
    np.testing.assert_array_equal(model.weight.grad.numpy(), [[1.0, 2.0]])


def test_zero_grad_in_place_detaches_a_grad_kept_with_create_graph():
    # like torch's zero_grad(set_to_none=False): a gradient built with create_graph
    # is detached, then zeroed, so later accumulation does not extend an old graph
    p = nn.Parameter(np.array([3.0]))
    (p * p).sum().backward(create_graph=True)
    grad = p.grad
    assert grad.requires_grad
    optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
    assert p.grad is grad and not grad.requires_grad and grad.grad_fn is None
    np.testing.assert_array_equal(grad.numpy(), [0.0])
