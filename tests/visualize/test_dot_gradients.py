"""to_dot's gradient colouring (show_grad, visualize/grads.py): a dead ReLU and a NaN
flagged, colours by magnitude, leaf gradients without recording, a dead layer inside a
collapsed group."""
import re

import numpy as np

import minigrad as mg
import visualize
from minigrad import nn
from visualize.dot import BAD_FILL, GRAD_BINS, ZERO_FILL
from tests.visualize.helpers import line_with, small_graph


# -- gradients --------------------------------------------------------------------------

def fill_of(line):
    return re.search(r'fillcolor="([^"]+)"', line).group(1)


def test_show_grad_flags_a_dead_relu_and_a_nan():
    w = mg.Tensor(np.ones((3, 2)), requires_grad=True)
    dead_bias = mg.Tensor(np.full(2, -100.0), requires_grad=True)   # relu input < 0 everywhere
    v = mg.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    x = mg.Tensor(np.ones((4, 3)))
    dead = (x @ w + dead_bias).relu().sum()
    poisoned = (v.exp() * mg.Tensor(np.array([1.0, np.nan]))).sum()
    loss = dead + poisoned
    params = {"w": w, "dead_bias": dead_bias, "v": v}
    recorder = visualize.record_grads(loss)
    loss.backward()
    dot = visualize.to_dot(loss, params=params, show_grad=True)

    for name in ("<B>w</B>", "<B>dead_bias</B>", "<B>Add</B>", "<B>MatMul</B>"):
        line = line_with(dot, name)
        assert "ALL ZERO" in line and fill_of(line) == ZERO_FILL and "dashed" in line, line
    relu = line_with(dot, "<B>ReLU</B>")                 # its own output gradient is fine
    assert "ALL ZERO" not in relu and "|grad| 2.83e+00" in relu
    for name in ("<B>v</B>", "<B>Exp</B>"):
        line = line_with(dot, name)
        assert "NaN x1" in line and fill_of(line) == BAD_FILL, line
    output = line_with(dot, "<B>output</B>")
    assert "|grad| 1.00e+00" in output and fill_of(output) == GRAD_BINS[1][1]
    assert "all zero (dead)" in dot and "NaN / inf" in dot          # the legend explains
    nodes = recorder.nodes
    assert len(nodes) == 8 and all(len(node.hooks) == 1 for node in nodes)
    recorder.remove()
    assert all(not node.hooks for node in nodes)


def test_show_grad_colours_by_magnitude():
    from visualize.dot import grad_colours
    from visualize.grads import GradStats
    fills = [grad_colours(GradStats.of(np.array([v])))[0]
             for v in (50, 5, 0.5, 0.05, 5e-3, 5e-4, 5e-5, 5e-7)]
    assert fills == [fill for _, fill, _ in GRAD_BINS]
    assert grad_colours(GradStats.of(np.array([0.0, 0.0])))[0] == ZERO_FILL
    assert grad_colours(GradStats.of(np.array([1.0, np.inf])))[0] == BAD_FILL
    assert grad_colours(None)[0] == "#ffffff"


def test_show_grad_without_recording_shows_leaf_gradients_only():
    loss, params = small_graph()
    loss.backward()
    dot = visualize.to_dot(loss, params=params, show_grad=True)
    assert "|grad|" in line_with(dot, "<B>layer.w</B>")
    assert "|grad|" not in line_with(dot, "<B>MatMul</B>")
    assert fill_of(line_with(dot, "<B>MatMul</B>")) == "#ffffff"
    assert "record_grads before backward" in dot
    # Backward freed the saved values; the input's shape is on the node regardless.
    assert "(2, 3) float64" in line_with(dot, "<B>input</B>")
    loss, params = small_graph()
    visualize.record_grads(loss)
    loss.backward()
    dot = visualize.to_dot(loss, params=params, show_grad=True)
    assert "(2, 3) float64" in line_with(dot, "<B>input</B>")
    assert "|grad|" in line_with(dot, "<B>MatMul</B>")


def test_collapsed_group_reports_a_dead_layer_inside():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    with mg.no_grad():
        model[0].bias.fill_(-100.0)                 # every ReLU input negative: dead
    out = model(mg.Tensor(np.ones((2, 3), dtype=np.float32))).sum()
    visualize.record_grads(out)
    out.backward()
    dot = visualize.to_dot(out, collapse=True, show_grad=True)
    group = line_with(dot, "<B>0</B>: Linear")
    assert "ALL ZERO" in group and fill_of(group) == ZERO_FILL
    table = visualize.grad_table(out)
    row = next(line for line in table.splitlines() if line.startswith("0 "))
    assert "all-zero" in row and "weight 0" in row
