"""The inputs the bad-input rows (tests/robustness/bad_inputs_*.py) share."""
import numpy as np

import minigrad as mg

X = mg.Tensor(np.zeros((2, 3, 6, 6)))              # float64 NCHW batch
W = mg.Tensor(np.zeros((4, 3, 3, 3)))
X32 = mg.zeros(2, 3, 6, 6)                          # float32, for modules
LOGITS = mg.ones(2, 3)
