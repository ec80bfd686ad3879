"""Module hooks, ModuleDict, apply, requires_grad_, float/double: PyTorch's behaviour."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


def _linear_pair(torch):
    ours = nn.Linear(3, 2, dtype=np.float64)
    theirs = torch.nn.Linear(3, 2, dtype=torch.float64)
    theirs.weight.data[...] = torch.tensor(ours.weight.numpy())
    theirs.bias.data[...] = torch.tensor(ours.bias.numpy())
    return ours, theirs


def _record(log):
    def hook(module, grad_input, grad_output):
        log.append(([None if g is None else np.array(g.numpy() if hasattr(g, "data") else g)
                     for g in grad_input],
                    [None if g is None else np.array(g.numpy()) for g in grad_output]))
    return hook


@pytest.mark.parametrize("input_requires_grad", [False, True])
def test_full_backward_hook_on_linear_sees_what_torch_sees(input_requires_grad):
    torch = pytest.importorskip("torch")
    ours, theirs = _linear_pair(torch)
    x = np.random.default_rng(0).normal(size=(4, 3))
    ours_log, theirs_log = [], []
    ours.register_full_backward_hook(_record(ours_log))
    theirs.register_full_backward_hook(lambda m, gi, go: theirs_log.append(
        ([None if g is None else g.detach().numpy().copy() for g in gi],
         [None if g is None else g.detach().numpy().copy() for g in go])))
    cot = np.random.default_rng(1).normal(size=(4, 2))
    xm = mg.Tensor(x, requires_grad=input_requires_grad)
    (ours(xm) * mg.Tensor(cot)).sum().backward()
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # PyTorch notes that no input requires grad
        (theirs(torch.tensor(x, requires_grad=input_requires_grad)) * torch.tensor(cot)).sum().backward()
    assert len(ours_log) == len(theirs_log) == 1
    (ours_in, ours_out), (theirs_in, theirs_out) = ours_log[0], theirs_log[0]
    assert len(ours_in) == len(theirs_in) == 1 and len(ours_out) == len(theirs_out) == 1
    if input_requires_grad:
        np.testing.assert_allclose(ours_in[0], theirs_in[0], rtol=1e-12)
    else:
        assert ours_in[0] is None and theirs_in[0] is None
    np.testing.assert_allclose(ours_out[0], theirs_out[0], rtol=1e-12)
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-12)


def test_backward_hook_may_replace_grad_input_and_handles_remove_it():
    layer = nn.Linear(3, 2)
    x = mg.randn(2, 3, requires_grad=True)
    handle = layer.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0 + 7,))
    layer(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 7)
    handle.remove()
    x.grad = None
    layer(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.ones((2, 2)) @ layer.weight.numpy(), rtol=1e-6)
    handle.remove()   # twice is harmless


def test_backward_hook_with_two_tensor_inputs_and_a_number():
    class Scale(nn.Module):
        def forward(self, a, k, b):
            return a * b * k

    seen = []
    module = Scale()
    module.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
    a = mg.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = mg.Tensor(np.array([3.0, 4.0]))
    module(a, 2.0, b).sum().backward()
    (grad_a, grad_b), (grad_out,) = seen[0]
    np.testing.assert_array_equal(grad_a.numpy(), [6.0, 8.0])   # one entry per Tensor argument
    assert grad_b is None   # needs no gradient (PyTorch hands zeros here)
    np.testing.assert_array_equal(grad_out.numpy(), [1.0, 1.0])


def test_forward_pre_hook_and_forward_hook_as_torch():
    layer = nn.Linear(3, 2)
    calls = []
    pre = layer.register_forward_pre_hook(lambda m, args: calls.append(("pre", type(args), len(args))))
    post = layer.register_forward_hook(lambda m, args, out: calls.append(("post", out.shape)))
    layer(mg.ones(1, 3))
    assert calls == [("pre", tuple, 1), ("post", (1, 2))]
    # a pre-hook may replace the input (one value becomes a 1-tuple), a hook the output
    replace = layer.register_forward_pre_hook(lambda m, args: args[0] * 0)
    double = layer.register_forward_hook(lambda m, args, out: out * 2)
    np.testing.assert_allclose(layer(mg.ones(1, 3)).data, 2 * layer.bias.numpy()[None], rtol=1e-6)
    for handle in (pre, post, replace, double):
        handle.remove()
    calls.clear()
    np.testing.assert_allclose(layer(mg.zeros(1, 3)).data, layer.bias.numpy()[None])
    assert calls == []


def test_hooks_do_not_change_state_dict_or_run_under_no_grad():
    layer = nn.Linear(2, 2)
    keys = list(layer.state_dict())
    fired = []
    layer.register_full_backward_hook(lambda *a: fired.append(a))
    assert list(layer.state_dict()) == keys
    with mg.no_grad():
        out = layer(mg.ones(1, 2))
    assert out.grad_fn is None and fired == []


def test_module_dict():
    torch = pytest.importorskip("torch")
    d = nn.ModuleDict({"fc": nn.Linear(2, 3), "act": nn.ReLU()})
    d["out"] = nn.Linear(3, 1)
    assert list(d) == ["fc", "act", "out"] and len(d) == 3 and "act" in d
    assert [name for name, _ in d.named_parameters()] == ["fc.weight", "fc.bias", "out.weight", "out.bias"]
    reference = torch.nn.ModuleDict({"fc": torch.nn.Linear(2, 3), "act": torch.nn.ReLU(),
                                     "out": torch.nn.Linear(3, 1)})
    assert list(d.state_dict()) == list(reference.state_dict())
    assert isinstance(d.pop("act"), nn.ReLU) and list(d.keys()) == ["fc", "out"]
    d.update([("extra", nn.Identity())])
    assert list(d.values())[-1].__class__ is nn.Identity
    with pytest.raises(KeyError, match="ModuleDict: no module named 'missing'"):
        d["missing"]
    with pytest.raises(TypeError, match="must be a Module"):
        d["bad"] = 3
    d.clear()
    assert len(d) == 0


def test_apply_requires_grad_and_dtype_conversion():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Linear(3, 3)), nn.LayerNorm(3))
    order = []
    model.apply(lambda m: order.append(type(m).__name__))
    assert order == ["Linear", "Linear", "Sequential", "LayerNorm", "Sequential"]   # children first

    def zero_linear(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight)
    model.apply(zero_linear)
    assert all((m.weight.numpy() == 0).all() for m in model.modules() if isinstance(m, nn.Linear))
    assert model.requires_grad_(False) is model
    assert not any(p.requires_grad for p in model.parameters())
    model.requires_grad_()
    assert all(p.requires_grad for p in model.parameters())
    assert all(p.dtype == np.float64 for p in model.double().parameters())
    assert all(p.dtype == np.float32 for p in model.float().parameters())
