"""Losses: the fused cross-entropy, nll, mse, bce: cases, values, errors."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from tests.registry import Case

T3 = np.array([2, 0, 1])
T_SPATIAL = np.array([[0, 2], [1, 1]])

CASES = [
    Case("cross_entropy_mean", lambda x: F.cross_entropy(x, T3), lambda r: r.normal(size=(3, 4))),
    Case("cross_entropy_sum", lambda x: F.cross_entropy(x, T3, reduction="sum"),
         lambda r: r.normal(size=(3, 3))),
    Case("cross_entropy_none", lambda x: F.cross_entropy(x, T3, reduction="none"),
         lambda r: r.normal(size=(3, 5))),
    Case("cross_entropy_spatial", lambda x: F.cross_entropy(x, T_SPATIAL),
         lambda r: r.normal(size=(2, 3, 2))),
    Case("nll_loss", lambda x: F.nll_loss(x.log_softmax(axis=1), T3), lambda r: r.normal(size=(3, 4))),
    Case("mse_loss", lambda a, b: F.mse_loss(a, b), lambda r: (r.normal(size=(3, 2)), r.normal(size=(3, 2)))),
    Case("bce", lambda p: F.binary_cross_entropy(p, mg.Tensor(np.array([0.0, 1.0, 1.0, 0.3]))),
         lambda r: r.uniform(0.1, 0.9, (4,))),
]


def test_cross_entropy_matches_the_definition():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 4))
    t = np.array([0, 3, 1, 1, 2])
    logp = x - np.log(np.exp(x).sum(1, keepdims=True))
    per_sample = -logp[np.arange(5), t]
    np.testing.assert_allclose(F.cross_entropy(mg.Tensor(x), t).item(), per_sample.mean())
    np.testing.assert_allclose(F.cross_entropy(mg.Tensor(x), t, reduction="none").data, per_sample)
    np.testing.assert_allclose(F.nll_loss(mg.Tensor(logp), t, reduction="sum").item(), per_sample.sum())
    # the fused gradient: (softmax - onehot) / N
    xt = mg.Tensor(x, requires_grad=True)
    F.cross_entropy(xt, mg.tensor(t)).backward()
    onehot = np.eye(4)[t]
    np.testing.assert_allclose(xt.grad.data, (np.exp(logp) - onehot) / 5)


def test_cross_entropy_is_finite_for_huge_logits_float32():
    x = mg.Tensor(np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]], dtype=np.float32), requires_grad=True)
    loss = F.cross_entropy(x, np.array([1, 1]))
    loss.backward()
    assert loss.dtype == np.float32 and np.isfinite(loss.item()) and np.isclose(loss.item(), 1e4)
    assert np.all(np.isfinite(x.grad.data))


def test_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x, t = rng.normal(size=(6, 5)), rng.integers(0, 5, 6)
    for reduction in ("mean", "sum", "none"):
        ours = F.cross_entropy(mg.Tensor(x), t, reduction=reduction).data
        theirs = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(t), reduction=reduction)
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-10)
    p, y = rng.uniform(0.01, 0.99, 7), rng.uniform(0, 1, 7)
    np.testing.assert_allclose(F.binary_cross_entropy(mg.Tensor(p), mg.Tensor(y)).item(),
                               torch.nn.functional.binary_cross_entropy(torch.tensor(p), torch.tensor(y)).item())


def test_bce_clamps_log_at_minus_100():
    loss = F.binary_cross_entropy(mg.tensor([0.0, 1.0]), mg.tensor([1.0, 0.0]), reduction="none")
    assert loss.tolist() == [100.0, 100.0]


@pytest.mark.parametrize("call, exc, pattern", [
    (lambda: F.cross_entropy(mg.ones(3, 4), np.array([0, 1])), ValueError,
     r"cross_entropy: target has shape \(2,\) but input of shape \(3, 4\) needs a target of shape \(3,\)"),
    (lambda: F.cross_entropy(mg.ones(2, 4), np.array([0, 4])), ValueError,
     r"cross_entropy: target holds class index 4, but input has 4 classes"),
    (lambda: F.cross_entropy(mg.ones(2, 4), np.array([0, -1])), ValueError, "class index -1"),
    (lambda: F.cross_entropy(mg.ones(2, 4), np.array([0.0, 1.0])), TypeError,
     "cross_entropy: target must hold integer class indices, got dtype float64"),
    (lambda: F.cross_entropy(mg.ones(4), np.array([0])), ValueError, r"\(N, C\)"),
    (lambda: F.cross_entropy(mg.ones(2, 4), np.array([0, 1]), reduction="avg"), ValueError, "reduction"),
    (lambda: F.mse_loss(mg.ones(3, 1), mg.ones(3)), ValueError, r"mse_loss: input has shape \(3, 1\)"),
    (lambda: F.binary_cross_entropy(mg.tensor([2.0]), mg.tensor([1.0])), ValueError, "probabilities"),
])
def test_loss_errors(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


def test_bce_gradient_is_finite_at_saturated_probabilities():
    x = mg.Tensor(np.array([0.0, 1.0, 0.5]), requires_grad=True)
    F.binary_cross_entropy(x, mg.Tensor(np.array([0.0, 1.0, 1.0]))).backward()
    # d/dp of -log(1 - p) at p = 0 is 1, of -log(p) at p = 1 is -1 (then / 3)
    np.testing.assert_allclose(x.grad.data, [1 / 3, -1 / 3, -2 / 3])
