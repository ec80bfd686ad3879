"""What the engine's tests share."""
import numpy as np

import minigrad as mg


def leaf(values):
    return mg.Tensor(np.asarray(values, dtype=np.float64), requires_grad=True)
