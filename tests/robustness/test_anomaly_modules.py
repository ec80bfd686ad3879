"""Anomaly mode inside a model (tests/test_autograd.py covers single ops): the
first op whose forward or backward goes non-finite is named with its input
shapes, the line that called it and the module path that ran it; off, a whole
training step records nothing."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import walk
import minigrad.nn.functional as F
from minigrad import nn


def _model():
    mg.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8, 2)).double()


X = mg.Tensor(np.ones((2, 1, 4, 4)))


def test_forward_overflow_in_a_layer_names_the_op_shapes_line_and_module():
    model = _model()
    model[0].weight.numpy()[0, 0, 0, :2] = 1e308     # 1e308 + 1e308: the conv sum overflows
    with mg.detect_anomaly(), np.errstate(over="ignore"):
        with pytest.raises(FloatingPointError) as info:
            model(X)
    message = str(info.value)
    assert message.startswith("anomaly: Conv2d forward produced 0 NaN and ")
    assert "(inputs ((2, 1, 4, 4), (2, 1, 3, 3), (2,)))" in message
    assert "test_anomaly_modules.py" in message and "model(X)" in message
    assert message.endswith("(in module Sequential > Conv2d)")


def test_backward_inf_is_caught_at_the_op_that_made_it():
    model = _model()
    model[3].weight.numpy()[:] = 0                    # outputs exactly 0: d|y|^0.5/dy is inf
    model[3].bias.numpy()[:] = 0
    with mg.detect_anomaly(), np.errstate(divide="ignore"):
        loss = (model(X).abs() ** 0.5).sum()
        with pytest.raises(FloatingPointError, match=r"anomaly: Pow backward produced 0 NaN and 4 inf values "
                                                     r"in the gradient of input 0 \(inputs \(\(2, 2\), \(\)\)\)"):
            loss.backward()
    assert model[0].weight.grad is None            # stopped before reaching the conv


def test_off_by_default_a_training_step_records_no_creation_sites():
    model = _model()
    assert not mg.is_anomaly_enabled()
    loss = F.cross_entropy(model(X), np.array([0, 1]))
    nodes = walk([loss])
    assert len(nodes) >= 6 and all(node.creation is None for node in nodes)
