"""minigrad.distributions against torch.distributions: log_prob, entropy and their
gradients in the parameters for the same parameters (float32 and float64, batched),
shapes and dtypes of samples, sample statistics, rsample's gradient, and the checks
that name the distribution."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.distributions import Bernoulli, Categorical, Normal

torch = pytest.importorskip("torch")
td = torch.distributions

DTYPES = [(np.float32, 2e-6), (np.float64, 1e-12)]


def both(array):
    """The same values as a minigrad and a torch leaf that require grad."""
    return mg.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)


def compare(ours, theirs, rtol):
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol,
                               atol=rtol)


def check_value_and_gradient(make, t_make, params, values, rtol):
    """log_prob(values) and entropy() equal torch's, and so do the gradients of
    sum(log_prob * weights) + sum(entropy) in every parameter."""
    ours_params, t_params = zip(*(both(p) for p in params))
    ours, theirs = make(*ours_params), t_make(*t_params)
    log_prob = ours.log_prob(mg.tensor(values))
    t_log_prob = theirs.log_prob(torch.tensor(values))
    compare(log_prob, t_log_prob, rtol)
    compare(ours.entropy(), theirs.entropy(), rtol)
    weights = np.linspace(-1, 2, log_prob.numel()).reshape(log_prob.shape).astype(log_prob.dtype)
    ((log_prob * mg.tensor(weights)).sum() + ours.entropy().sum()).backward()
    ((t_log_prob * torch.tensor(weights)).sum() + theirs.entropy().sum()).backward()
    for p, t_p in zip(ours_params, t_params):
        compare(p.grad, t_p.grad, rtol)


@pytest.mark.parametrize("dtype, rtol", DTYPES)
@pytest.mark.parametrize("shape, value_shape", [((5,), ()), ((5,), (7,)), ((3, 4), (3,)),
                                                ((2, 3, 4), (6, 2, 3)), ((3, 4), (2, 1))])
@pytest.mark.parametrize("kind", ["probs", "logits"])
def test_categorical_equals_torch(kind, shape, value_shape, dtype, rtol):
    rng = np.random.default_rng(0)
    param = (rng.random(shape) + 0.05 if kind == "probs" else rng.standard_normal(shape))
    values = rng.integers(0, shape[-1], value_shape)
    check_value_and_gradient(lambda p: Categorical(**{kind: p}),
                             lambda p: td.Categorical(**{kind: p}),
                             [param.astype(dtype)], values, rtol)
    ours, theirs = Categorical(**{kind: mg.tensor(param.astype(dtype))}), \
        td.Categorical(**{kind: torch.tensor(param.astype(dtype))})
    compare(ours.probs, theirs.probs, rtol)
    compare(ours.logits, theirs.logits, rtol)
    assert ours.batch_shape == tuple(theirs.batch_shape)
    compare(ours.mode, theirs.mode, 0)


def test_categorical_with_zero_probability_and_infinite_logits_equals_torch():
    probs = np.array([[0.0, 0.3, 0.7], [0.5, 0.5, 0.0]])
    check_value_and_gradient(lambda p: Categorical(probs=p), lambda p: td.Categorical(probs=p),
                             [probs], np.array([1, 0]), 1e-12)
    logits = np.array([0.0, -np.inf, 1.0])
    compare(Categorical(logits=mg.tensor(logits)).entropy(),
            td.Categorical(logits=torch.tensor(logits)).entropy(), 1e-12)


@pytest.mark.parametrize("dtype, rtol", DTYPES)
@pytest.mark.parametrize("shape, value_shape", [((), ()), ((4,), (4,)), ((2, 3), (5, 2, 3)),
                                                ((2, 3), (3,))])
@pytest.mark.parametrize("kind", ["probs", "logits"])
def test_bernoulli_equals_torch(kind, shape, value_shape, dtype, rtol):
    rng = np.random.default_rng(1)
    param = rng.uniform(0.05, 0.95, shape) if kind == "probs" else rng.standard_normal(shape)
    values = (rng.random(value_shape) < 0.5).astype(dtype)
    check_value_and_gradient(lambda p: Bernoulli(**{kind: p}), lambda p: td.Bernoulli(**{kind: p}),
                             [np.asarray(param, dtype)], values, rtol)
    ours = Bernoulli(**{kind: mg.tensor(np.asarray(param, dtype))})
    theirs = td.Bernoulli(**{kind: torch.tensor(np.asarray(param, dtype))})
    for name in ("probs", "logits", "mean", "variance"):
        compare(getattr(ours, name), getattr(theirs, name), rtol)


@pytest.mark.parametrize("dtype, rtol", DTYPES)
@pytest.mark.parametrize("loc_shape, scale_shape, value_shape",
                         [((), (), ()), ((4,), (4,), (3, 4)), ((2, 3), (3,), (2, 3)),
                          ((3, 1), (1, 4), (4,))])
def test_normal_equals_torch(loc_shape, scale_shape, value_shape, dtype, rtol):
    rng = np.random.default_rng(2)
    loc, scale = rng.standard_normal(loc_shape), rng.uniform(0.3, 2.0, scale_shape)
    values = rng.standard_normal(value_shape).astype(dtype)
    check_value_and_gradient(Normal, td.Normal, [np.asarray(loc, dtype), np.asarray(scale, dtype)],
                             values, rtol)
    ours, theirs = Normal(mg.tensor(np.asarray(loc, dtype)), mg.tensor(np.asarray(scale, dtype))), \
        td.Normal(torch.tensor(np.asarray(loc, dtype)), torch.tensor(np.asarray(scale, dtype)))
    for name in ("mean", "stddev", "variance"):
        compare(getattr(ours, name), getattr(theirs, name), rtol)
    compare(ours.cdf(mg.tensor(values)), theirs.cdf(torch.tensor(values)), 10 * rtol)


def test_numbers_as_parameters_take_the_tensor_dtype_or_float32():
    assert Normal(0.0, 1.0).loc.dtype == np.float32
    n = Normal(mg.zeros(3, dtype=mg.float64), 2)
    assert n.scale.dtype == np.float64 and n.scale.shape == (3,) and n.batch_shape == (3,)
    assert Bernoulli(0.3).sample().dtype == np.float32 and Bernoulli(0.3).batch_shape == ()
    compare(Normal(1.0, 2.0).log_prob(mg.tensor(0.5)), td.Normal(1.0, 2.0).log_prob(torch.tensor(0.5)),
            1e-6)


def test_rsample_carries_the_gradient_and_sample_does_not():
    mg.manual_seed(0)
    loc, scale = mg.tensor([1.0, -2.0], requires_grad=True), mg.tensor([0.5, 3.0], requires_grad=True)
    dist = Normal(loc, scale)
    draw = dist.rsample((1000,))
    assert draw.shape == (1000, 2) and draw.requires_grad
    draw.sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), [1000, 1000])
    eps = (draw.detach().numpy() - loc.detach().numpy()) / scale.detach().numpy()
    np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0), rtol=1e-4)
    assert not dist.sample((3,)).requires_grad


def test_samples_are_seeded_and_have_the_right_statistics():
    mg.manual_seed(3)
    probs = mg.tensor([[0.1, 0.2, 0.7], [0.5, 0.0, 0.5]])
    draws = Categorical(probs).sample((20000,))
    assert draws.dtype == np.int64 and draws.shape == (20000, 2)
    for row in range(2):
        frequencies = np.bincount(draws.numpy()[:, row], minlength=3) / 20000
        np.testing.assert_allclose(frequencies, probs.numpy()[row], atol=0.015)
    assert Categorical(logits=mg.zeros(4)).sample().shape == ()
    coins = Bernoulli(mg.tensor([0.2, 0.9])).sample((20000,)).numpy()
    np.testing.assert_allclose(coins.mean(0), [0.2, 0.9], atol=0.015)
    assert set(np.unique(coins)) <= {0.0, 1.0}
    normal = Normal(mg.tensor([1.0, -3.0]), mg.tensor([2.0, 0.5])).sample((20000,)).numpy()
    np.testing.assert_allclose(normal.mean(0), [1.0, -3.0], atol=0.05)
    np.testing.assert_allclose(normal.std(0), [2.0, 0.5], rtol=0.03)
    mg.manual_seed(5)
    first = Categorical(probs).sample((10,)).numpy()
    mg.manual_seed(5)
    np.testing.assert_array_equal(first, Categorical(probs).sample((10,)).numpy())


def test_policy_gradient_loss_reaches_the_logits_as_in_torch():
    logits = np.array([[0.2, -0.4, 1.0], [0.0, 0.3, -0.1]])
    actions, returns = np.array([2, 0]), np.array([1.5, -0.5])
    ours, theirs = both(logits)
    loss = -(Categorical(logits=ours).log_prob(mg.tensor(actions)) * mg.tensor(returns)).sum()
    t_loss = -(td.Categorical(logits=theirs).log_prob(torch.tensor(actions))
               * torch.tensor(returns)).sum()
    loss.backward(), t_loss.backward()
    compare(loss, t_loss, 1e-12)
    compare(ours.grad, theirs.grad, 1e-12)


@pytest.mark.parametrize("make, message", [
    (lambda: Normal(0.0, -1.0), r"Normal: .*scale.*positive"),
    (lambda: Normal(mg.zeros(2), mg.tensor([1.0, 0.0])), r"Normal: .*scale.*positive"),
    (lambda: Bernoulli(mg.tensor([0.2, 1.5])), r"Bernoulli: .*probs.*\[0, 1\].*1\.5"),
    (lambda: Categorical(mg.tensor([0.2, -0.5])), r"Categorical: .*probs.*non-negative"),
    (lambda: Categorical(mg.zeros(3)), r"Categorical: .*positive finite sum"),
    (lambda: Categorical(mg.tensor(0.5)), r"Categorical: .*one-dimensional"),
    (lambda: Categorical(), r"Categorical: give either probs or logits"),
    (lambda: Bernoulli(probs=0.5, logits=0.0), r"Bernoulli: give either"),
    (lambda: Normal(mg.zeros(2), mg.ones(3)), r"Normal: .*broadcast.*\(2,\).*\(3,\)"),
])
def test_bad_parameters_raise_errors_naming_the_distribution(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_parameter_types_and_values_for_log_prob():
    with pytest.raises(TypeError, match="Normal: loc must be a Tensor or a number"):
        Normal([0.0], 1.0)
    with pytest.raises(TypeError, match="Categorical: probs must be a floating-point"):
        Categorical(mg.tensor([1, 2]))
    dist = Categorical(mg.tensor([[0.5, 0.5], [0.1, 0.9]]))
    with pytest.raises(ValueError, match=r"Categorical.log_prob: .*support.*0\.\.1"):
        dist.log_prob(mg.tensor([0, 2]))
    with pytest.raises(ValueError, match=r"Categorical.log_prob: .*\(3,\).*broadcast"):
        dist.log_prob(mg.tensor([0, 1, 1]))
    with pytest.raises(ValueError, match=r"Bernoulli.log_prob: .*support"):
        Bernoulli(mg.tensor([0.5])).log_prob(mg.tensor([0.5]))
    with pytest.raises(ValueError, match="must be a Tensor"):
        Normal(0.0, 1.0).log_prob(0.5)
    # with validate_args=False, as in PyTorch, nothing is checked
    assert Normal(0.0, 1.0, validate_args=False).log_prob(0.5).shape == ()
    assert Normal(0.0, -1.0, validate_args=False).scale.item() == -1.0
