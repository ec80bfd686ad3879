"""What the visualize tests share: small fixed graphs, readers of the DOT text they
draw, and readers of the backprop explorer's page (its JSON, and in a browser its
panel's numbers and tables)."""
import json
import re
import sys
from pathlib import Path

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.tracing import module_scope, record_backward
from visualize.dot import svg_id
from visualize.graph import build

ROOT = Path(__file__).resolve().parents[2]


class Affine:
    """A plain object standing in for a module: x @ w + b under module_scope."""

    def __init__(self, w, b):
        self.w, self.b = w, b

    def __call__(self, x):
        with module_scope(self):
            return x @ self.w + self.b


def small_graph():
    """loss = mean(relu(Affine(x)) * 2): ops MatMul, Add, ReLU, Mul (with a
    constant), Mean; a no-grad input x; leaves w and b."""
    x = mg.Tensor(np.arange(6, dtype=np.float64).reshape(2, 3) / 10)
    w = mg.Tensor(np.linspace(-1, 1, 12).reshape(3, 4), requires_grad=True)
    b = mg.Tensor(np.array([0.1, -0.2, 0.3, -0.4]), requires_grad=True)
    layer = Affine(w, b)
    loss = (layer(x).relu() * 2.0).mean()
    return loss, {"layer.w": w, "layer.b": b}


def node_lines(dot):
    """node id -> its whole statement line."""
    return {m.group(1): line for line in dot.splitlines()
            for m in [re.match(r"\s*(n\d+|more) \[", line)] if m}


def line_with(dot, text):
    found = [line for line in node_lines(dot).values() if text in line]
    assert found, f"no node line contains {text!r}"
    return found[0]


def page_data(path):
    text = Path(path).read_text(encoding="utf-8")
    blob = re.search(r'<script type="application/json" id="backprop-data">(.*?)</script>',
                     text, re.S).group(1)
    return json.loads(blob.replace("<\\/", "</"))


def engine_steps(make_graph):
    """What the engine does on a fresh copy of the graph: the steps recorded by
    record_backward, and the drawn id of each step's node."""
    loss, params = make_graph()
    where = {id(item.obj): svg_id(item) for item in build([loss], params=params).nodes
             if item.kind == "op"}
    with record_backward() as steps:
        loss.backward()
    return steps, [where[id(s.node)] for s in steps], params


def close(shown, expected, digits=4):
    """Equal up to the 4 significant digits the page writes."""
    shown = np.array([np.nan if v is None else v for v in np.ravel(shown)], dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64).ravel()
    return shown.shape == expected.shape and np.allclose(shown, expected,
                                                         rtol=10.0 ** (1 - digits), atol=1e-12)


def lenet_loss(batch=8):
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import train_mnist
    finally:
        sys.path.remove(str(ROOT / "examples"))
    mg.manual_seed(0)
    model = train_mnist.build_model()
    images, labels = train_mnist.example_batch(batch)
    return F.cross_entropy(model(images), labels.numpy()), model


def open_page(driver, path):
    driver.get(Path(path).resolve().as_uri())
    assert driver.execute_script("return document.readyState") == "complete"


def console_errors(driver):
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def network_requests(driver):
    """http(s) URLs the page asked for (Chromium's performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if url.startswith(("http://", "https://")):
                urls.append(url)
    return urls


def panel_numbers(driver, tensor):
    """The numbers the panel's table for ``tensor`` shows, in index order."""
    cells = driver.execute_script(
        "return Array.from(document.querySelectorAll("
        "'#panel table.numbers[data-tensor=\"' + arguments[0] + '\"] td'))"
        ".map(td => [Number(td.dataset.index), td.textContent]);", tensor)
    return [float(text) for _, text in sorted(cells)]


def step_to(driver, op):
    """Click Next until the panel shows the first step of ``op``."""
    from selenium.webdriver.common.by import By
    for _ in range(200):
        if driver.find_element(By.CSS_SELECTOR, "#panel h2").text.split(". ", 1)[1].startswith(op):
            return
        driver.find_element(By.ID, "next").click()
    raise AssertionError(f"no step {op}")


def table_cells(driver, tensor, css_class):
    """data-index of the cells of the panel's table ``tensor`` that carry ``css_class``."""
    return sorted(driver.execute_script(
        "return Array.from(document.querySelectorAll('#panel table.numbers[data-tensor=\"'"
        " + arguments[0] + '\"] td.' + arguments[1])).map(td => Number(td.dataset.index));",
        tensor, css_class))
