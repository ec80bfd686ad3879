"""The explorer's primer views (visualize/layers.py, visualize/teaching_views.py): the
primer's names and step numbers on each step, and the fully connected, loss and
activation views against the engine's numbers, in the page data and in a browser."""
import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
import visualize
from tests.visualize.helpers import (close, console_errors, lenet_loss, open_page, page_data,
                                     panel_numbers, step_to)


# -- issue 24, second half: the primer's vocabulary and views ---------------------------

def two_layer_net(seed=7):
    """A fully connected net small enough for tables: Linear(3, 4), ReLU, Linear(4, 2),
    batch 3, cross-entropy; returns the loss, the parameters and the forward values
    (the logits and the first layer's z kept with retain_grad)."""
    mg.manual_seed(seed)
    fc1, fc2 = mg.nn.Linear(3, 4), mg.nn.Linear(4, 2)
    x = mg.Tensor(np.random.default_rng(seed).standard_normal((3, 3)).astype(np.float32))
    z1 = fc1(x)
    a1 = F.relu(z1)
    z2 = fc2(a1)
    for t in (z1, a1, z2):
        t.retain_grad()
    loss = F.cross_entropy(z2, np.array([0, 1, 1]))
    params = {"fc1.weight": fc1.weight, "fc1.bias": fc1.bias,
              "fc2.weight": fc2.weight, "fc2.bias": fc2.bias}
    return loss, params, {"x": x, "z1": z1, "a1": a1, "z2": z2}


def test_steps_carry_the_primers_names_and_step_numbers(tmp_path):
    loss, params, _ = two_layer_net()
    data = page_data(visualize.explore(loss, params=params, path=tmp_path / "p.html"))
    primer = [(s["op"], s["primer"]["steps"], s["primer"]["dy"]) for s in data["steps"]]
    assert primer[0] == ("CrossEntropy", [6], "∂C/∂C = 1 (the loss)")
    assert data["steps"][0]["primer"]["sent"] == ["δ^L = ∂C/∂z^L"]
    assert primer[1] == ("Add", [7, 8], "δ^L = ∂C/∂z^L")
    relu = next(s for s in data["steps"] if s["op"] == "ReLU")
    assert relu["primer"]["dy"] == "∂C/∂a^1" and relu["primer"]["sent"] == ["δ^1 = ∂C/∂z^1"]
    transposes = [s["primer"] for s in data["steps"] if s["op"] == "Transpose"]
    assert sorted(t["sent"][0] for t in transposes) == ["∂C/∂W^1", "∂C/∂W^L"]
    assert all(t["steps"] == [8] for t in transposes)


def test_the_fc_and_loss_views_agree_with_the_engine(tmp_path):
    loss, model = lenet_loss(batch=8)
    data = page_data(visualize.explore(loss, params=model, path=tmp_path / "lenet.html"))
    fcs = [s["layer"] for s in data["steps"] if s["layer"] and s["layer"]["kind"] == "fc"]
    assert [v["layer"] for v in fcs] == ["L", "4", "3"]
    for view in fcs:            # the weight gradient arrives late, at the Transpose step
        assert view["steps"]["Transpose"] > view["steps"]["MatMul"] > view["steps"]["Add"]
        assert view["dW_diff"] < 1e-5 and view["db_diff"] < 1e-5 and view["dx_diff"] < 1e-5
    loss_view = data["steps"][0]["layer"]
    assert loss_view["kind"] == "loss" and loss_view["one_hot"] and loss_view["divisor"] == 8
    assert loss_view["max_diff"] < 1e-7
    acts = [s["layer"] for s in data["steps"] if s["layer"] and s["layer"]["kind"] == "activation"]
    assert [a["name"] for a in acts] == ["a^4", "a^3", "a^2", "a^1"]
    assert all(a["max_diff"] == 0 for a in acts)


def test_the_fc_step_in_the_browser_shows_delta_a_transpose(browser, tmp_path):
    """Every number on the FC step, against delta a^T and its neighbours computed
    here with numpy from the engine's own forward values and gradients."""
    loss, params, values = two_layer_net()
    path = visualize.explore(loss, params=params, path=tmp_path / "fc.html")
    x = values["x"].numpy()
    z1, a1 = values["z1"].numpy(), values["a1"].numpy()
    delta1, delta2 = values["z1"].grad.numpy(), values["z2"].grad.numpy()
    w1, w2 = params["fc1.weight"].numpy(), params["fc2.weight"].numpy()
    open_page(browser, path)
    # The last layer: its FC view is on its first step (the bias Add).
    step_to(browser, "Add")
    expected = {"fc-a": a1, "fc-z": values["z2"].numpy(), "fc-delta": delta2,
                "fc-db": delta2.sum(0), "fc-dW": delta2.T @ a1, "fc-dW-engine": delta2.T @ a1,
                "fc-dx": delta2 @ w2}
    for name, want in expected.items():
        assert close(panel_numbers(browser, name), want), name
    assert "Fully connected layer L: z^L = W^L a^(L−1) + b^L" in browser.find_element("id", "panel").text
    # The first layer, reached later: its input is x, its error delta1.
    browser.find_element("id", "next").click()
    step_to(browser, "Add")
    expected = {"fc-a": x, "fc-z": z1, "fc-delta": delta1, "fc-db": delta1.sum(0),
                "fc-dW": delta1.T @ x, "fc-dW-engine": delta1.T @ x, "fc-dx": delta1 @ w1}
    for name, want in expected.items():
        assert close(panel_numbers(browser, name), want), name
    # Every table of the FC view was checked, and each check line is green.
    shown = browser.execute_script(
        "return Array.from(document.querySelectorAll('#panel .primer-view table.numbers'))"
        ".map(t => t.dataset.tensor);")
    assert sorted(shown) == sorted(expected)
    assert browser.find_elements("css selector", "#panel .primer-view .check")
    assert not browser.find_elements("css selector", "#panel .primer-view .check.bad")
    assert console_errors(browser) == []


def test_the_loss_step_shows_p_y_and_the_output_error_as_numbers(browser, tmp_path):
    loss, params, values = two_layer_net()
    path = visualize.explore(loss, params=params, path=tmp_path / "loss.html")
    z = values["z2"].numpy()
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    open_page(browser, path)                                 # step 1 is the loss
    assert close(panel_numbers(browser, "loss-z"), z)
    assert close(panel_numbers(browser, "loss-p"), p)
    assert panel_numbers(browser, "loss-y") == [1, 0, 0, 1, 0, 1]
    assert close(panel_numbers(browser, "loss-delta"), values["z2"].grad.numpy())
    assert close(panel_numbers(browser, "loss-delta"), (p - np.eye(2)[[0, 1, 1]]) / 3)
    panel = browser.find_element("id", "panel").text
    assert "δ^L = ∂C/∂z^L = (p − y) / N" in panel and "N = 3" in panel
    # ReLU's own view: delta^1 = dy ⊙ relu'(z^1), against the engine's z1.grad.
    step_to(browser, "ReLU")
    assert close(panel_numbers(browser, "act-z"), values["z1"].numpy())
    assert close(panel_numbers(browser, "act-a"), values["a1"].numpy())
    assert panel_numbers(browser, "act-slope") == list((values["z1"].numpy() > 0).ravel() * 1.0)
    assert close(panel_numbers(browser, "act-delta"), values["z1"].grad.numpy())
    assert console_errors(browser) == []
