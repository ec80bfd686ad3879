"""Losses: the fused cross-entropy (weights, ignore_index, label smoothing,
probability targets), nll, mse, l1, smooth_l1, huber, bce, bce with logits, kl_div:
cases, values and gradients against PyTorch in float64, errors."""
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from tests.registry import Case

T3 = np.array([2, 0, 1])
T_SPATIAL = np.array([[0, 2], [1, 1]])
T_IGNORED = np.array([2, -100, 1, 0])
CLASS_W = mg.Tensor(np.array([0.5, 2.0, 1.5]))
PROBS = np.array([[0.2, 0.5, 0.3], [1.0, 0.0, 0.0], [0.1, 0.1, 0.8]])

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
    Case("cross_entropy_weight_ignore_smoothing",
         lambda x: F.cross_entropy(x, T_IGNORED, weight=CLASS_W, label_smoothing=0.2),
         lambda r: r.normal(size=(4, 3))),
    Case("cross_entropy_ignore_none",
         lambda x: F.cross_entropy(x, T_IGNORED, reduction="none", label_smoothing=0.1),
         lambda r: r.normal(size=(4, 3))),
    Case("cross_entropy_probabilities_weight",
         lambda x: F.cross_entropy(x, mg.Tensor(PROBS), weight=CLASS_W, label_smoothing=0.3),
         lambda r: r.normal(size=(3, 3))),
    Case("cross_entropy_spatial_ignore_sum",
         lambda x: F.cross_entropy(x, np.array([[0, -1], [2, 1]]), ignore_index=-1, reduction="sum"),
         lambda r: r.normal(size=(2, 3, 2))),
    Case("nll_loss_weight_ignore", lambda x: F.nll_loss(x, T_IGNORED, weight=CLASS_W),
         lambda r: r.normal(size=(4, 3))),
    Case("l1_loss", lambda a, b: F.l1_loss(a, b, reduction="sum"),
         lambda r: (r.normal(size=(3, 2)), r.normal(size=(3, 2)))),
    Case("smooth_l1_loss_both_pieces", lambda a, b: F.smooth_l1_loss(a, b, beta=0.8),
         lambda r: (r.normal(size=(4, 3)), r.normal(size=(4, 3)))),
    Case("huber_loss_both_pieces", lambda a, b: F.huber_loss(a, b, reduction="none", delta=0.6),
         lambda r: (r.normal(size=(4, 3)), r.normal(size=(4, 3)))),
    Case("bce_with_logits", lambda x, t: F.binary_cross_entropy_with_logits(x, t),
         lambda r: (r.normal(size=(3, 4)) * 3, r.uniform(0, 1, (3, 4)))),
    Case("bce_with_logits_pos_weight_weight",
         lambda x, t: F.binary_cross_entropy_with_logits(
             x, t, weight=mg.Tensor(np.array([[1.0], [0.5], [2.0]])), reduction="sum",
             pos_weight=mg.Tensor(np.array([0.5, 1.0, 2.0, 3.0]))),
         lambda r: (r.normal(size=(3, 4)) * 3, r.uniform(0, 1, (3, 4)))),
    Case("bce_weight_broadcast",
         lambda p, t: F.binary_cross_entropy(p, t, weight=mg.Tensor(np.array([[1.0], [0.5], [2.0]]))),
         lambda r: (r.uniform(0.05, 0.95, (3, 4)), r.uniform(0, 1, (3, 4)))),
    Case("bce_weight_full_sum",
         lambda p: F.binary_cross_entropy(p, mg.Tensor(np.array([[0.0, 1.0], [0.25, 1.0]])),
                                          weight=mg.Tensor(np.array([[1.0, 3.0], [0.5, 2.0]])),
                                          reduction="sum"),
         lambda r: r.uniform(0.05, 0.95, (2, 2))),
    Case("kl_div_batchmean", lambda x, t: F.kl_div(x.log_softmax(dim=1), t, reduction="batchmean"),
         lambda r: (r.normal(size=(3, 4)), r.uniform(0.1, 1, (3, 4)))),
    Case("kl_div_log_target", lambda x, t: F.kl_div(x, t, reduction="none", log_target=True),
         lambda r: (r.normal(size=(3, 4)), r.normal(size=(3, 4)))),
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
    np.testing.assert_allclose(xt.grad.numpy(), (np.exp(logp) - onehot) / 5)


def test_cross_entropy_is_finite_for_huge_logits_float32():
    x = mg.Tensor(np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]], dtype=np.float32), requires_grad=True)
    loss = F.cross_entropy(x, np.array([1, 1]))
    loss.backward()
    assert loss.dtype == np.float32 and np.isfinite(loss.item()) and np.isclose(loss.item(), 1e4)
    assert np.all(np.isfinite(x.grad.numpy()))


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


def _torch_pair(ours, theirs, arrays, seed=0, finite_where_torch_is_nan=False):
    """Values and gradients (of a random cotangent) of the same loss in minigrad and
    in PyTorch, float64. ``finite_where_torch_is_nan``: where PyTorch's gradient is
    NaN, ours must be finite instead."""
    torch = pytest.importorskip("torch")
    ms = [mg.Tensor(a.copy(), requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = ours(*ms), theirs(*ts)
    cotangent = np.random.default_rng(seed).normal(size=out.shape)
    (out * mg.Tensor(cotangent)).sum().backward()
    (expected * torch.tensor(cotangent)).sum().backward()
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    for m, t in zip(ms, ts):
        theirs_grad = t.grad.numpy()
        if finite_where_torch_is_nan:
            assert np.isfinite(m.grad.numpy()).all()
            theirs_grad = np.where(np.isnan(theirs_grad), m.grad.numpy(), theirs_grad)
        np.testing.assert_allclose(m.grad.numpy(), theirs_grad, rtol=1e-9, atol=1e-12)


RNG = np.random.default_rng(5)
LOGITS6 = RNG.normal(size=(6, 5))
TARGET6 = np.array([0, 4, -100, 2, 2, 1])
WEIGHT5 = RNG.uniform(0.5, 2, 5)
PROBS6 = RNG.dirichlet(np.ones(5), size=6)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.25])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("kind", ["indices", "probabilities"])
def test_cross_entropy_matches_torch(kind, weighted, label_smoothing, reduction):
    torch = pytest.importorskip("torch")
    target = TARGET6 if kind == "indices" else PROBS6
    _torch_pair(
        lambda x: F.cross_entropy(x, mg.Tensor(target), weight=mg.Tensor(WEIGHT5) if weighted else None,
                                  reduction=reduction, label_smoothing=label_smoothing),
        lambda x: torch.nn.functional.cross_entropy(
            x, torch.tensor(target), weight=torch.tensor(WEIGHT5) if weighted else None,
            reduction=reduction, label_smoothing=label_smoothing),
        [LOGITS6])


def test_cross_entropy_spatial_with_weight_ignore_index_and_smoothing_matches_torch():
    torch = pytest.importorskip("torch")
    target = RNG.integers(0, 3, (2, 4, 5))
    target[0, 0, :2] = 7
    _torch_pair(lambda x: F.cross_entropy(x, target, weight=mg.Tensor(WEIGHT5[:3]), ignore_index=7,
                                          label_smoothing=0.2),
                lambda x: torch.nn.functional.cross_entropy(
                    x, torch.tensor(target), weight=torch.tensor(WEIGHT5[:3]), ignore_index=7,
                    label_smoothing=0.2),
                [RNG.normal(size=(2, 3, 4, 5))])


def test_weighted_mean_divides_by_the_weight_of_the_targets_not_ignored():
    x = mg.Tensor(LOGITS6)
    per_sample = F.cross_entropy(x, TARGET6, weight=mg.Tensor(WEIGHT5), reduction="none").data
    assert per_sample[2] == 0   # ignored
    kept = TARGET6 != -100
    expected = per_sample.sum() / WEIGHT5[TARGET6[kept]].sum()
    np.testing.assert_allclose(F.cross_entropy(x, TARGET6, weight=mg.Tensor(WEIGHT5)).item(), expected)


def test_every_target_ignored_gives_nan_and_a_zero_gradient_as_torch():
    x = mg.Tensor(LOGITS6[:2], requires_grad=True)
    loss = F.cross_entropy(x, np.array([-100, -100]))
    assert np.isnan(loss.item())
    loss.backward()
    np.testing.assert_array_equal(x.grad.numpy(), 0)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_l1_smooth_l1_huber_match_torch(reduction):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    logp = np.log(RNG.dirichlet(np.ones(5), size=6))
    for weight in (None, WEIGHT5):
        _torch_pair(lambda x: F.nll_loss(x, TARGET6, None if weight is None else mg.Tensor(weight),
                                         reduction=reduction),
                    lambda x: tf.nll_loss(x, torch.tensor(TARGET6),
                                          None if weight is None else torch.tensor(weight),
                                          reduction=reduction), [logp])
    a, b = RNG.normal(size=(4, 5)), RNG.normal(size=(4, 5))
    b[0, 0] = a[0, 0]   # |d| = 0: both give the gradient 0 there
    _torch_pair(lambda x, y: F.l1_loss(x, y, reduction=reduction),
                lambda x, y: tf.l1_loss(x, y, reduction=reduction), [a, b])
    for beta in (0.0, 0.5, 1.0, 3.0):
        _torch_pair(lambda x, y: F.smooth_l1_loss(x, y, reduction=reduction, beta=beta),
                    lambda x, y: tf.smooth_l1_loss(x, y, reduction=reduction, beta=beta), [a, b])
    for delta in (0.5, 1.0, 3.0):
        _torch_pair(lambda x, y: F.huber_loss(x, y, reduction=reduction, delta=delta),
                    lambda x, y: tf.huber_loss(x, y, reduction=reduction, delta=delta), [a, b])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits_matches_torch(reduction):
    torch = pytest.importorskip("torch")
    x, t = RNG.normal(size=(6, 4)) * 4, RNG.uniform(0, 1, (6, 4))
    weight, pos_weight = RNG.uniform(0.5, 2, (6, 1)), RNG.uniform(0.5, 3, 4)
    _torch_pair(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction),
                lambda a, b: torch.nn.functional.binary_cross_entropy_with_logits(a, b, reduction=reduction),
                [x, t])
    _torch_pair(lambda a, b: F.binary_cross_entropy_with_logits(
                    a, b, mg.Tensor(weight), reduction, pos_weight=mg.Tensor(pos_weight)),
                lambda a, b: torch.nn.functional.binary_cross_entropy_with_logits(
                    a, b, torch.tensor(weight), reduction=reduction, pos_weight=torch.tensor(pos_weight)),
                [x, t])


def test_bce_with_logits_is_finite_for_huge_logits_float32():
    x = mg.Tensor(np.array([1e4, -1e4, 1e4, -1e4, 0.0], np.float32), requires_grad=True)
    t = mg.Tensor(np.array([1.0, 0.0, 0.0, 1.0, 0.5], np.float32), requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, t, reduction="none",
                                              pos_weight=mg.Tensor(np.float32(2.0)))
    loss.sum().backward()
    assert loss.dtype == np.float32
    for values in (loss.numpy(), x.grad.numpy(), t.grad.numpy()):
        assert np.isfinite(values).all()
    # right and confident: 0; wrong by 1e4: 1e4 (twice that for a positive, pos_weight 2)
    np.testing.assert_allclose(loss.numpy()[:4], [0, 0, 1e4, 2e4])
    np.testing.assert_allclose(x.grad.numpy()[:4], [0, 0, 1, -2])


@pytest.mark.parametrize("reduction", ["mean", "batchmean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(reduction, log_target):
    torch = pytest.importorskip("torch")
    logq = np.log(RNG.dirichlet(np.ones(5), size=4))
    p = RNG.dirichlet(np.ones(5), size=4)
    p[0, 1] = 0   # 0 log 0 = 0; the target's gradient there is -input (PyTorch's is NaN)
    target = np.log(p + 0.05) if log_target else p
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # PyTorch's note that 'mean' is not the KL divergence
        _torch_pair(lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target),
                    lambda a, b: torch.nn.functional.kl_div(a, b, reduction=reduction,
                                                            log_target=log_target),
                    [logq, target], finite_where_torch_is_nan=True)


def test_loss_modules_pass_their_settings():
    torch = pytest.importorskip("torch")
    x, t = mg.Tensor(LOGITS6), TARGET6
    w = mg.Tensor(WEIGHT5)
    module = nn.CrossEntropyLoss(w, ignore_index=-100, reduction="sum", label_smoothing=0.1)
    assert module(x, t).item() == F.cross_entropy(x, t, w, reduction="sum", label_smoothing=0.1).item()
    assert "weight" in module.state_dict()   # a buffer, as PyTorch's
    expected = torch.nn.CrossEntropyLoss(torch.tensor(WEIGHT5), reduction="sum", label_smoothing=0.1)(
        torch.tensor(LOGITS6), torch.tensor(TARGET6)).item()
    assert module(x, t).item() == pytest.approx(expected, rel=1e-12)
    t0 = np.where(t == -100, 0, t)
    assert nn.NLLLoss(w, ignore_index=0)(x, t0).item() == F.nll_loss(x, t0, w, ignore_index=0).item()
    a, b = mg.Tensor(RNG.normal(size=(3, 2))), mg.Tensor(RNG.normal(size=(3, 2)))
    assert nn.L1Loss(reduction="sum")(a, b).item() == F.l1_loss(a, b, reduction="sum").item()
    assert nn.SmoothL1Loss(beta=0.5)(a, b).item() == F.smooth_l1_loss(a, b, beta=0.5).item()
    assert nn.HuberLoss(delta=0.5)(a, b).item() == F.huber_loss(a, b, delta=0.5).item()
    pos = mg.Tensor(np.array([2.0, 0.5]))
    assert nn.BCEWithLogitsLoss(pos_weight=pos)(a, b.sigmoid()).item() == \
        F.binary_cross_entropy_with_logits(a, b.sigmoid(), pos_weight=pos).item()
    assert nn.KLDivLoss(reduction="batchmean")(a, b.abs()).item() == \
        F.kl_div(a, b.abs(), reduction="batchmean").item()
    with pytest.raises(TypeError):   # keyword-only: PyTorch's size_average sits second
        nn.CrossEntropyLoss(None, None, 3)
    with pytest.raises(ValueError, match="KLDivLoss: reduction must be one of"):
        nn.KLDivLoss(reduction="avg")


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
    np.testing.assert_allclose(x.grad.numpy(), [1 / 3, -1 / 3, -2 / 3])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weight_shape", [(4,), (3, 1), (3, 4), ()])
def test_bce_weight_matches_torch(weight_shape, reduction):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    p, t, w = rng.uniform(0.01, 0.99, (3, 4)), rng.uniform(0, 1, (3, 4)), rng.uniform(0.1, 2, weight_shape)
    _torch_pair(lambda a, b: F.binary_cross_entropy(a, b, weight=mg.Tensor(w), reduction=reduction),
                lambda a, b: torch.nn.functional.binary_cross_entropy(
                    a, b, weight=torch.tensor(w), reduction=reduction), (p, t))
    ours = nn.BCELoss(weight=mg.Tensor(w), reduction=reduction)(mg.Tensor(p), mg.Tensor(t))
    theirs = torch.nn.BCELoss(weight=torch.tensor(w), reduction=reduction)(torch.tensor(p),
                                                                           torch.tensor(t))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    assert list(nn.BCELoss(weight=mg.Tensor(w)).state_dict()) == ["weight"]


@pytest.mark.parametrize("target", [[1.5, 0.0], [-0.1, 0.0], [float("nan"), 0.0]])
def test_bce_target_outside_0_1_is_an_error_as_torch(target):
    torch = pytest.importorskip("torch")
    p = np.array([0.2, 0.7])
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        torch.nn.functional.binary_cross_entropy(torch.tensor(p), torch.tensor(np.array(target)))
    with pytest.raises(RuntimeError, match="binary_cross_entropy: all elements of target should "
                                           "be between 0 and 1"):
        F.binary_cross_entropy(mg.Tensor(p), mg.Tensor(np.array(target)))
    with pytest.raises(ValueError, match="target"):          # also a ValueError, as minigrad's
        nn.BCELoss()(mg.Tensor(p), mg.Tensor(np.array(target)))
    with pytest.raises(ValueError, match="weight of shape \\(3,\\) must broadcast"):
        F.binary_cross_entropy(mg.Tensor(p), mg.Tensor(np.array([1.0, 0.0])),
                               weight=mg.Tensor(np.ones(3)))


def test_nll_loss_with_every_target_ignored_is_nan_with_zero_gradient_as_pytorch():
    """Zero gradient when every target is ignored; PyTorch's NaN at the targets when
    they are kept but all weigh 0 (0 / 0)."""
    torch = pytest.importorskip("torch")
    logp = np.log(np.random.default_rng(0).dirichlet(np.ones(4), size=3))
    for target, weight in (([-100, -100, -100], None), ([-100, 1, -100], [1.0, 0.0, 1.0, 1.0]),
                           ([2, 2, 2], [1.0, 1.0, 0.0, 1.0])):
        grads, values = [], []
        for lib, F_ in ((mg, F), (torch, torch.nn.functional)):
            x = lib.tensor(logp, requires_grad=True)
            w = None if weight is None else lib.tensor(np.array(weight))
            loss = F_.nll_loss(x, lib.tensor(np.array(target)), weight=w)
            loss.backward()
            values.append(float(loss.detach()) if lib is torch else loss.item())
            grads.append(x.grad.numpy())
        assert np.isnan(values[0]) and np.isnan(values[1])
        np.testing.assert_array_equal(grads[0], grads[1])
    assert not np.isnan(grads[0]).all() and np.isnan(grads[0][:, 2]).all()


@pytest.mark.parametrize("shape", [(0, 3), (2, 0), (0,)])
@pytest.mark.parametrize("reduction", ["batchmean", "mean", "sum", "none"])
def test_kl_div_of_empty_inputs_matches_torch(shape, reduction):
    """Batch 0: 'batchmean' and 'mean' are 0 / 0 = NaN, 'sum' 0, as PyTorch."""
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # torch warns that 'mean' is not 'batchmean'
        expected = torch.nn.functional.kl_div(torch.zeros(shape), torch.zeros(shape),
                                              reduction=reduction)
    result = F.kl_div(mg.zeros(*shape), mg.zeros(*shape), reduction=reduction)
    assert result.shape == tuple(expected.shape) and result.dtype == np.float32
    np.testing.assert_array_equal(result.numpy(), expected.numpy())
