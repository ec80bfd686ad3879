"""REINFORCE (Williams, 1992) on a cart-pole, written as a PyTorch script: only the
imports name minigrad, so the same source runs on PyTorch with ``import torch``.

The policy network gives the probabilities of pushing the cart left or right; an
action is drawn from ``Categorical(probs)``, and after each episode the loss
``-sum_t log pi(a_t | s_t) * G_t`` (G_t: the discounted return from step t, normalised)
raises the probability of the actions that were followed by long balancing.

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


class Policy(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.affine1 = nn.Linear(4, hidden)
        self.affine2 = nn.Linear(hidden, 2)

    def forward(self, x):
        return F.softmax(self.affine2(F.relu(self.affine1(x))), dim=1)


def sample_action(dist):
    """The action drawn from the policy's distribution (a test replaces this to feed
    both frameworks the same draws)."""
    return dist.sample()


def select_action(policy, state):
    """An action for ``state`` and its log-probability (kept for the loss)."""
    probs = policy(torch.from_numpy(state).float().unsqueeze(0))
    dist = Categorical(probs)
    action = sample_action(dist)
    return action.item(), dist.log_prob(action)


def run_episode(policy, env):
    """Play one episode; the rewards and the log-probabilities of the actions taken."""
    state, rewards, log_probs, done = env.reset(), [], [], False
    while not done:
        action, log_prob = select_action(policy, state)
        state, reward, done = env.step(action)
        rewards.append(reward)
        log_probs.append(log_prob)
    return rewards, log_probs


def discounted_returns(rewards, gamma):
    """G_t = r_t + gamma G_{t+1}, normalised to mean 0 and standard deviation 1."""
    returns, running = [], 0.0
    for reward in reversed(rewards):
        running = reward + gamma * running
        returns.insert(0, running)
    returns = torch.tensor(returns)
    eps = np.finfo(np.float32).eps.item()
    return (returns - returns.mean()) / (returns.std() + eps)


def finish_episode(optimizer, rewards, log_probs, gamma):
    """One REINFORCE update from a finished episode; returns the loss."""
    returns = discounted_returns(rewards, gamma)
    loss = torch.cat([-log_prob * g for log_prob, g in zip(log_probs, returns)]).sum()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def train(policy, optimizer, env, episodes, gamma=0.99, log_interval=10, log=print):
    """``episodes`` episodes of REINFORCE; per episode (reward, loss, running reward)."""
    running_reward, history = 10.0, []
    for episode in range(1, episodes + 1):
        rewards, log_probs = run_episode(policy, env)
        loss = finish_episode(optimizer, rewards, log_probs, gamma)
        running_reward = 0.05 * sum(rewards) + 0.95 * running_reward
        history.append((sum(rewards), loss, running_reward))
        if episode % log_interval == 0:
            log(f"Episode {episode}\tLast reward: {sum(rewards):.0f}\t"
                f"Running reward: {running_reward:.2f}")
        if running_reward > 0.975 * env.max_steps:
            log(f"Solved: running reward {running_reward:.2f} after {episode} episodes")
            break
    return history


def main(argv=None, log=print):
    parser = argparse.ArgumentParser(description="REINFORCE on a numpy cart-pole")
    parser.add_argument("--episodes", type=int, default=500)
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--seed", type=int, default=543)
    parser.add_argument("--max-steps", type=int, default=200)
    parser.add_argument("--log-interval", type=int, default=10)
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)
    policy = Policy()
    optimizer = optim.Adam(policy.parameters(), lr=args.lr)
    env = CartPole(args.seed, args.max_steps)
    return train(policy, optimizer, env, args.episodes, args.gamma, args.log_interval, log)


if __name__ == "__main__":
    main()
