"""nn.utils: gradient clipping and parameter/vector conversion, written out and
against torch.nn.utils; and the layering rule that nn never imports optim."""
import math
import pathlib
import re

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn.utils import (clip_grad_norm_, clip_grad_value_, parameters_to_vector,
                               vector_to_parameters, zero_grad_)


def _params_with_grads(grads):
    params = []
    for g in grads:
        p = nn.Parameter(np.zeros_like(g))
        p.grad = mg.Tensor(np.array(g, dtype=np.float64))
        params.append(p)
    return params


def test_clip_grad_norm_written_out():
    # grads (3, 4) and (12,): total 2-norm sqrt(9 + 16 + 144) = 13; max_norm 6.5 halves them
    params = _params_with_grads([np.array([3.0, 4.0]), np.array([12.0])])
    total = nn.utils.clip_grad_norm_(params, 6.5)
    assert isinstance(total, mg.Tensor) and total.item() == 13.0
    coef = 6.5 / (13 + 1e-6)
    np.testing.assert_allclose(params[0].grad.numpy(), [3 * coef, 4 * coef], rtol=1e-15)
    # already small: the factor is clamped to 1 and nothing changes
    params = _params_with_grads([np.array([0.3, 0.4])])
    assert clip_grad_norm_(params, 1.0).item() == pytest.approx(0.5)
    np.testing.assert_array_equal(params[0].grad.numpy(), [0.3, 0.4])


def test_clip_grad_norm_inf_and_p_norms():
    params = _params_with_grads([np.array([3.0, -7.0]), np.array([5.0])])
    assert clip_grad_norm_(params, 1.0, norm_type=math.inf).item() == 7.0
    assert abs(params[0].grad.numpy()[1]) == pytest.approx(1 / (7 + 1e-6) * 7)
    params = _params_with_grads([np.array([3.0, -7.0]), np.array([5.0])])
    assert clip_grad_norm_(params, 100.0, norm_type=1).item() == 15.0
    assert clip_grad_norm_(params, 100.0, norm_type="inf").item() == 7.0


def test_clip_grad_norm_skips_missing_grads_and_handles_none():
    p, q = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    assert clip_grad_norm_([p, q], 1.0).item() == 0.0          # no gradients at all
    q.grad = mg.Tensor(np.array([6.0, 8.0]))
    assert clip_grad_norm_(q, 5.0).item() == 10.0               # a single Tensor is accepted
    assert p.grad is None and np.linalg.norm(q.grad.numpy()) == pytest.approx(5.0, rel=1e-6)


def test_clip_grad_norm_nonfinite():
    params = _params_with_grads([np.array([np.inf, 1.0])])
    with pytest.raises(RuntimeError, match=r"clip_grad_norm_: the total 2.0-norm .* is inf"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    assert math.isinf(clip_grad_norm_(params, 1.0).item())     # default: clip anyway, as torch


def test_clip_grad_value_():
    params = _params_with_grads([np.array([-3.0, 0.5, 2.0])])
    assert clip_grad_value_(params, 1.0) is None
    np.testing.assert_array_equal(params[0].grad.numpy(), [-1.0, 0.5, 1.0])


def test_vector_round_trip():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    vec = parameters_to_vector(model.parameters())
    assert vec.shape == (3 * 2 + 2 + 2 + 1,)
    np.testing.assert_array_equal(vec.numpy()[:6], model[0].weight.numpy().ravel())
    vector_to_parameters(vec * 2, model.parameters())
    np.testing.assert_array_equal(parameters_to_vector(model.parameters()).data, vec.numpy() * 2)
    with pytest.raises(ValueError, match=r"vector_to_parameters: vec has 3 elements but the "
                                         r"parameters .* hold 11"):
        vector_to_parameters(mg.zeros(3), model.parameters())


def test_parameters_to_vector_is_differentiable():
    a, b = nn.Parameter(np.ones((2, 2))), nn.Parameter(np.ones(3))
    (parameters_to_vector([a, b]) * mg.Tensor(np.arange(7.0))).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [[0, 1], [2, 3]])
    np.testing.assert_array_equal(b.grad.numpy(), [4, 5, 6])


def test_zero_grad_is_shared_by_module_and_optimizer():
    p = nn.Parameter(np.ones(2))
    p.grad = mg.Tensor(np.ones(2))
    held = p.grad
    zero_grad_([p], set_to_none=False)
    assert p.grad is held and (held.numpy() == 0).all()
    zero_grad_([p])
    assert p.grad is None


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_matches_torch(norm_type, max_norm):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    grads = [rng.standard_normal((4, 5)), rng.standard_normal(7)]
    ours = _params_with_grads(grads)
    theirs = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads]
    for t, g in zip(theirs, grads):
        t.grad = torch.tensor(g)
    total = clip_grad_norm_(ours, max_norm, norm_type)
    ref = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert total.item() == pytest.approx(ref.item(), rel=1e-13)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-13)
    clip_grad_value_(ours, 0.3)
    torch.nn.utils.clip_grad_value_(theirs, 0.3)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-13)
        assert np.abs(p.grad.numpy()).max() <= 0.3


def test_nn_does_not_import_optim():
    """Layering: optim builds on nn (zero_grad_ lives in nn.utils), never the reverse.
    (Importing minigrad.nn runs minigrad/__init__, which imports optim, so the
    sources are checked rather than sys.modules.)"""
    for path in (pathlib.Path(mg.__file__).parent / "nn").glob("*.py"):
        assert not re.search(r"^\s*(from|import)\s+\S*optim", path.read_text(), re.M), path
