"""examples/policy_gradient.py: REINFORCE on the numpy cart-pole learns in a few
dozen episodes, and the same source run on PyTorch gives the same losses and weights
from the same weights, environment seed and action draws."""
import numpy as np
import pytest

import minigrad as mg
from tests.examples.scripts import load_example, load_example_on_torch

torch = pytest.importorskip("torch")


def test_reinforce_main_learns_to_balance_longer():
    logs = []
    module = load_example("policy_gradient")
    history = module.main(["--episodes", "80", "--report-every", "20"], log=logs.append)
    lengths, losses, recent_means = map(np.array, zip(*history))
    assert len(history) == 80 and len(logs) == 4 and logs[0].startswith("episode   20: balanced")
    assert np.all(np.isfinite(losses))
    np.testing.assert_allclose(recent_means[-1], lengths[-20:].mean())
    # the same seeds with a zero learning rate: the policy as initialised, never updated
    frozen = module.main(["--episodes", "80", "--lr", "0"], log=lambda *a: None)
    frozen_lengths = np.array([length for length, _, _ in frozen])
    assert lengths[-20:].mean() > 2 * frozen_lengths[-20:].mean(), (lengths, frozen_lengths)


def test_parameters_change_after_one_episode():
    module = load_example("policy_gradient")
    mg.manual_seed(0)
    policy = module.BalancePolicy()
    before = {k: v.numpy().copy() for k, v in policy.state_dict().items()}
    optimizer = mg.optim.Adam(policy.parameters(), lr=1e-2)
    [(length, loss, _)] = module.train(policy, optimizer, module.CartPole(1), 1, log=lambda *a: None)
    assert length >= 8 and np.isfinite(loss)
    for name, value in policy.state_dict().items():
        assert not np.array_equal(value.numpy(), before[name]), name


def same_draws(framework, uniforms):
    """A replacement for the script's sample_action: inverse-CDF draws from one shared
    sequence of uniforms, so both frameworks take the same actions."""
    def sample_action(dist):
        probs = np.array(dist.probs.detach().numpy(), dtype=np.float64).ravel()
        action = int((next(uniforms) >= np.cumsum(probs)).sum())
        return framework.tensor(action)
    return sample_action


def test_first_episodes_equal_torch_with_the_same_weights_and_draws():
    ours, theirs = load_example("policy_gradient"), load_example_on_torch("policy_gradient")
    mg.manual_seed(0)
    policy, t_policy = ours.BalancePolicy(), theirs.BalancePolicy()
    t_policy.load_state_dict({k: torch.tensor(v.numpy()) for k, v in policy.state_dict().items()})
    uniforms = np.random.default_rng(7).random(5000)
    ours.sample_action = same_draws(mg, iter(uniforms))
    theirs.sample_action = same_draws(torch, iter(uniforms))
    history = ours.train(policy, mg.optim.Adam(policy.parameters(), lr=1e-2), ours.CartPole(3),
                         4, log=lambda *a: None)
    t_history = theirs.train(t_policy, torch.optim.Adam(t_policy.parameters(), lr=1e-2),
                             theirs.CartPole(3), 4, log=lambda *a: None)
    lengths, losses, _ = map(np.array, zip(*history))
    t_lengths, t_losses, _ = map(np.array, zip(*t_history))
    np.testing.assert_array_equal(lengths, t_lengths)   # the same actions, step by step
    np.testing.assert_allclose(losses, t_losses, rtol=1e-4, atol=1e-5)   # float32
    for name, value in policy.state_dict().items():
        np.testing.assert_allclose(value.numpy(), t_policy.state_dict()[name].numpy(),
                                   rtol=1e-4, atol=1e-6)
    assert len(set(lengths)) > 1   # episodes of different lengths: the draws mattered
