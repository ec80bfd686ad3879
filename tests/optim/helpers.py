"""Shared by the optimizer tests."""
import numpy as np

import minigrad as mg
from minigrad import nn


def run_steps(opt_class, grads, start=1.0, **settings):
    """The parameter's value after each step with the given scalar gradients."""
    p = nn.Parameter(np.array([start], dtype=np.float64))
    opt = opt_class([p], **settings)
    values = []
    for g in grads:
        p.grad = mg.Tensor(np.array([g], dtype=np.float64))
        opt.step()
        values.append(p.numpy()[0])
    return values
