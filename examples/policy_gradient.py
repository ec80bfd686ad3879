"""REINFORCE (Williams, 1992) on a cart-pole, written as a PyTorch script: only the
imports name minigrad, so the same source runs on PyTorch with ``import torch``.

The policy network maps the cart-pole's state to the probabilities of pushing left or
right; each step's action is drawn from ``Categorical(probs)``. After an episode every
step's return G_t (the discounted sum of the rewards from t on) is standardised over the
episode, and one Adam step on ``-sum_t G_t log pi(a_t | s_t)`` makes the actions that
were followed by long balancing more likely.

The cart-pole (Barto, Sutton and Anderson, 1983) is simulated below in numpy: a pole
hinged on a cart that moves on a track; +1 reward per step until the pole leans more
than 12 degrees, the cart leaves the track, or ``--max-steps`` is reached.

    python examples/policy_gradient.py --episodes 300
"""
import argparse

import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
import minigrad.optim as optim
from minigrad.distributions import Categorical


class CartPole:
    """Euler-integrated cart-pole; the state is (x, x', theta, theta')."""
    gravity, cart_mass, pole_mass, half_length = 9.8, 1.0, 0.1, 0.5
    push, dt = 10.0, 0.02
    x_limit, angle_limit = 2.4, 12 * np.pi / 180

    def __init__(self, seed=0, max_steps=200):
        self.rng = np.random.default_rng(seed)
        self.max_steps = max_steps

    def reset(self):
        self.state = self.rng.uniform(-0.05, 0.05, size=4)
        self.steps = 0
        return self.state.copy()

    def step(self, action):
        """Push left (0) or right (1) for one time step: (state, reward, done)."""
        x, speed, angle, spin = self.state
        force = self.push if action == 1 else -self.push
        total_mass = self.cart_mass + self.pole_mass
        pole_moment = self.pole_mass * self.half_length
        cos, sin = np.cos(angle), np.sin(angle)
        shared = (force + pole_moment * spin ** 2 * sin) / total_mass
        spin_rate = (self.gravity * sin - cos * shared) / (
            self.half_length * (4.0 / 3.0 - self.pole_mass * cos ** 2 / total_mass))
        speed_rate = shared - pole_moment * spin_rate * cos / total_mass
        self.state = np.array([x + self.dt * speed, speed + self.dt * speed_rate,
                               angle + self.dt * spin, spin + self.dt * spin_rate])
        self.steps += 1
        fallen = abs(self.state[0]) > self.x_limit or abs(self.state[2]) > self.angle_limit
        return self.state.copy(), 1.0, bool(fallen or self.steps >= self.max_steps)


class BalancePolicy(nn.Module):
    def __init__(self, hidden=24):
        super().__init__()
        self.body = nn.Linear(4, hidden)
        self.action_logits = nn.Linear(hidden, 2)

    def forward(self, state):
        return F.softmax(self.action_logits(torch.tanh(self.body(state))), dim=-1)


def sample_action(dist):
    """The action drawn from the policy's distribution (a test replaces this to feed
    both frameworks the same draws)."""
    return dist.sample()


def play_episode(policy, env):
    """One episode with actions drawn from ``policy``: its rewards and the
    log-probability of each action taken (a 1-d tensor)."""
    state, done = env.reset(), False
    rewards, log_probs = [], []
    while not done:
        dist = Categorical(policy(torch.from_numpy(state).float()))
        action = sample_action(dist)
        log_probs.append(dist.log_prob(action))
        state, reward, done = env.step(action.item())
        rewards.append(reward)
    return rewards, torch.stack(log_probs)


def standardised_returns(rewards, gamma):
    """G_t = r_t + gamma G_{t+1} for every step, shifted and scaled to mean 0 and
    standard deviation 1 over the episode (a one-step episode gives 0)."""
    returns = np.zeros(len(rewards))
    following = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        following = rewards[t] + gamma * following
        returns[t] = following
    spread = returns.std(ddof=1) if len(returns) > 1 else 1.0
    return torch.tensor((returns - returns.mean()) / (spread + 1e-6), dtype=torch.float32)


def reinforce_step(optimizer, rewards, log_probs, gamma):
    """One policy-gradient update from a finished episode; returns the loss."""
    loss = -(standardised_returns(rewards, gamma) * log_probs).sum()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def train(policy, optimizer, env, episodes, gamma=0.99, report_every=10, window=20, log=print):
    """``episodes`` episodes of REINFORCE, stopping early once the mean length of the
    last ``window`` episodes reaches 95% of the step limit; per episode (length, loss,
    mean length of the last ``window`` episodes)."""
    history = []
    for episode in range(1, episodes + 1):
        rewards, log_probs = play_episode(policy, env)
        loss = reinforce_step(optimizer, rewards, log_probs, gamma)
        recent = [length for length, _, _ in history[-(window - 1):]] + [len(rewards)]
        history.append((len(rewards), loss, sum(recent) / len(recent)))
        if episode % report_every == 0:
            log(f"episode {episode:4d}: balanced {len(rewards):3d} steps, "
                f"mean of the last {len(recent)}: {history[-1][2]:.1f}")
        if len(recent) == window and history[-1][2] >= 0.95 * env.max_steps:
            log(f"balanced: the last {window} episodes averaged {history[-1][2]:.1f} steps "
                f"by episode {episode}")
            break
    return history


def main(argv=None, log=print):
    parser = argparse.ArgumentParser(description="REINFORCE on a numpy cart-pole")
    parser.add_argument("--episodes", type=int, default=500)
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--lr", type=float, default=2e-2)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--max-steps", type=int, default=200)
    parser.add_argument("--report-every", type=int, default=10)
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)
    policy = BalancePolicy()
    optimizer = optim.Adam(policy.parameters(), lr=args.lr)
    env = CartPole(args.seed, args.max_steps)
    return train(policy, optimizer, env, args.episodes, args.gamma, args.report_every, log=log)


if __name__ == "__main__":
    main()
