"""Gradient norms over training steps (visualize/history.py): explore_training's strip
against the engine's norms of the same loop, and GradientHistory in the caller's loop."""
import re

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
import visualize
from tests.visualize.helpers import close, console_errors, open_page, page_data


# -- issue 24, over time: gradient norms over training steps ----------------------------------

def deep_mlp(activation, seed=0):
    """Six Linear layers, ``activation`` after each but the last."""
    mg.manual_seed(seed)
    layers = [mg.nn.Linear(6, 8), activation()]
    for _ in range(4):
        layers += [mg.nn.Linear(8, 8), activation()]
    return mg.nn.Sequential(*layers, mg.nn.Linear(8, 3))


def engine_norms(model, x, y, steps, lr):
    """The loop explore_training runs, written out: each parameter's gradient norm and
    the loss after every backward."""
    optimizer = mg.optim.SGD(model.parameters(), lr=lr)
    norms, losses = {name: [] for name, _ in model.named_parameters()}, []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        losses.append(loss.item())
        for name, p in model.named_parameters():
            norms[name].append(np.linalg.norm(p.grad.numpy().astype(np.float64)))
        optimizer.step()
    return norms, losses


def strip_rows(driver):
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#panel table.strip tr[data-name]')).map(tr =>"
        " [tr.dataset.name, Array.from(tr.querySelectorAll('td')).map(td => Number(td.textContent))]);")


def test_over_time_strip_shows_the_engines_gradient_norms(browser, tmp_path):
    """explore_training's strip against the norms of the same SGD loop run here, for a
    sigmoid and a ReLU net of the same weights; the sigmoid's first layer falls behind."""
    rng = np.random.default_rng(9)
    x = mg.Tensor(rng.standard_normal((5, 6)).astype(np.float32))
    y = np.array([0, 1, 2, 1, 0])
    ratio = {}
    for activation in (mg.nn.Sigmoid, mg.nn.ReLU):
        norms, losses = engine_norms(deep_mlp(activation), x, y, steps=6, lr=0.5)
        path = visualize.explore_training(deep_mlp(activation), x, y, steps=6, lr=0.5,
                                          path=tmp_path / f"{activation.__name__}.html")
        open_page(browser, path)
        browser.find_element("id", "history").click()
        rows = strip_rows(browser)
        assert [name for name, _ in rows] == ["loss"] + list(norms)     # inputs side first
        assert close(rows[0][1], losses)
        for name, shown in rows[1:]:
            assert close(shown, norms[name]), (activation.__name__, name)
        ratio[activation.__name__] = norms["0.weight"][-1] / norms["10.weight"][-1]
        shown = re.search(r"\|∂C/∂0\.weight\| / \|∂C/∂10\.weight\| = (\S+)",
                          browser.find_element("id", "panel").text).group(1)
        assert np.isclose(float(shown), ratio[activation.__name__], rtol=1e-3)   # of rounded norms
        # The explored backward is the step after the strip's last.
        assert browser.find_element("id", "counter").text.startswith("step 1 /")
        assert console_errors(browser) == []
    assert ratio["Sigmoid"] < ratio["ReLU"] / 10                      # vanishing gradients


def test_gradient_history_in_the_callers_loop(tmp_path):
    """A parameter that got no gradient is noted as none (null), not as 0."""
    model = deep_mlp(mg.nn.ReLU)
    unused = mg.Tensor(np.ones(2), requires_grad=True)
    history = visualize.GradientHistory(dict(model.named_parameters(), unused=unused))
    x = mg.Tensor(np.ones((2, 6), dtype=np.float32))
    for _ in range(3):
        model.zero_grad()
        loss = F.cross_entropy(model(x), np.array([0, 1]))
        loss.backward()
        history.record(loss)
    assert len(history) == 3
    first = np.linalg.norm(model[0].weight.grad.numpy())        # the same input every step
    data = page_data(visualize.explore(F.cross_entropy(model(x), np.array([0, 1])), params=model,
                                       path=tmp_path / "h.html", history=history))
    rows = {r["name"]: r["norms"] for r in data["history"]["rows"]}
    assert rows["unused"] == [None] * 3
    assert close(rows["0.weight"], [first] * 3)
    with pytest.raises(ValueError, match="steps must be a positive int"):
        visualize.explore_training(model, x, np.array([0, 1]), steps=0, path=tmp_path / "z.html")
    with pytest.raises(ValueError, match="no parameters"):
        visualize.GradientHistory({})
