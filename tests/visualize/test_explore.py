"""The backprop explorer (visualize.explore): the page's data against what the
engine computed, its size, that it needs no network, its errors; then a real
headless Chromium stepping through it."""
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
import visualize
from minigrad.tracing import record_backward
from visualize.dot import svg_id
from visualize.graph import build
from tests.visualize.helpers import small_graph

ROOT = Path(__file__).resolve().parents[2]
# The only URLs a page may contain: the SVG and XLink namespace names (identifiers
# that no browser fetches).
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


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


# -- the data: engine order, engine numbers ------------------------------------------

def test_steps_are_the_engine_order_with_its_numbers(tmp_path):
    steps, ids, params = engine_steps(small_graph)
    loss, params = small_graph()
    path = visualize.explore(loss, params=params, path=tmp_path / "page.html")
    data = page_data(path)
    assert [s["op"] for s in data["steps"]] == [s.node.name for s in steps]
    assert [s["svg"] for s in data["steps"]] == ids
    svg = Path(path).read_text()
    assert all(f'id="{i}"' in svg for i in ids)              # findable in the inline SVG
    for shown, step in zip(data["steps"], steps):
        assert close(shown["dy"]["values"], step.grad_output.numpy()), shown["op"]
        assert shown["dy"]["shape"] == list(step.grad_output.shape)
        for sent, grad in zip(shown["inputs"], step.input_grads):
            if grad is None:
                assert sent["grad"] is None
            else:
                assert close(sent["grad"]["values"], grad.numpy()), shown["op"]
    mean = data["steps"][0]
    assert mean["op"] == "Mean" and mean["rules"] == ["dx = dy broadcast back over axis, "
                                                      "divided by the count"]
    assert mean["forward"].startswith("y = x.mean(axis)")
    # explore ran the one backward: the leaves hold the gradients loss.backward() gives.
    expected = _leaf_grads(small_graph)
    for name, t in params.items():
        assert np.array_equal(t.grad.numpy(), expected[name])


def _leaf_grads(make_graph):
    loss, params = make_graph()
    loss.backward()
    return {name: t.grad.numpy() for name, t in params.items()}


def test_large_tensors_are_summaries_and_capped_slices(tmp_path):
    loss, model = lenet_loss(batch=8)
    path = visualize.explore(loss, params=model, path=tmp_path / "lenet.html")
    size = os.path.getsize(path)
    print(f"LeNet batch 8 explorer page: {size / 1e6:.2f} MB")
    assert size < 5_000_000
    data = page_data(path)
    relu1 = [s for s in data["steps"] if s["op"] == "ReLU"][-1]      # the first layer's relu
    dy = relu1["dy"]
    assert dy["shape"] == [8, 6, 28, 28] and "values" not in dy
    assert dy["slice"] == [2, 4, 28, 28] and len(dy["data"]) == 2 * 4 * 28 * 28
    assert set(dy["stats"]) >= {"min", "max", "mean", "l2"}
    # The textbook rules, computed from the step's own numbers, agree with the engine.
    conv2 = next(s for s in data["steps"] if s["op"] == "Conv2d" and s["module"] == "conv2")
    assert conv2["teach"]["kind"] == "conv" and conv2["teach"]["max_diff"] < 1e-6
    assert conv2["teach"]["kernel_shape"] == [4, 4, 5, 5]
    pools = [s for s in data["steps"] if s["op"] == "MaxPool2d"]
    assert len(pools) == 2 and all(p["teach"]["nonzero_outside_argmax"] == 0 for p in pools)


def test_textbook_views_match_the_engine_exactly_in_float64(tmp_path):
    rng = np.random.default_rng(0)
    x = mg.Tensor(rng.standard_normal((2, 3, 9, 9)), requires_grad=True)
    w = mg.Tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
    y = F.conv2d(x, w, stride=2, padding=1)                  # dy dilated by the stride
    loss = (F.avg_pool2d(y, 2, stride=1) ** 2).sum() + (F.max_pool2d(x, 3) ** 2).sum()
    data = page_data(visualize.explore(loss, path=tmp_path / "p.html"))
    teach = {s["op"]: s["teach"] for s in data["steps"] if s["teach"]}
    assert teach["Conv2d"]["max_diff"] < 1e-12
    assert teach["AvgPool2d"]["max_diff"] < 1e-12 and teach["AvgPool2d"]["size"] == 4
    pool = teach["MaxPool2d"]
    assert pool["argmax_cells"] == 2 * 3 * 3 * 3 and pool["nonzero_outside_argmax"] == 0
    # The routed gradient is non-zero exactly where the mask marks an argmax.
    mask, routed = np.array(pool["dx"]["mask"]), np.array(pool["dx"]["data"])
    assert np.array_equal(mask != 0, routed != 0)


def test_pooling_options_the_views_do_not_draw_get_no_view_rather_than_a_wrong_one(tmp_path):
    """ceil_mode, dilation and count_include_pad=False change the windows: the page
    still steps through them, with no textbook view (never a mis-drawn one)."""
    rng = np.random.default_rng(1)
    x = mg.Tensor(rng.standard_normal((1, 2, 7, 7)), requires_grad=True)
    loss = (F.max_pool2d(x, 3, stride=2, ceil_mode=True).sum()
            + F.max_pool2d(x, 2, dilation=2).sum()
            + F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False).sum()
            + F.avg_pool2d(x, 2).sum())
    data = page_data(visualize.explore(loss, path=tmp_path / "p.html"))
    views = [(s["op"], s["teach"]) for s in data["steps"] if s["op"] in ("MaxPool2d", "AvgPool2d")]
    assert sorted(op for op, _ in views) == ["AvgPool2d", "AvgPool2d", "MaxPool2d", "MaxPool2d"]
    assert [op for op, teach in views if teach] == ["AvgPool2d"]      # only the plain one
    assert next(t for op, t in views if t)["max_diff"] < 1e-12


# -- self-contained --------------------------------------------------------------------

def test_the_page_needs_no_network(tmp_path):
    loss, model = lenet_loss(batch=2)
    text = Path(visualize.explore(loss, params=model, path=tmp_path / "p.html")).read_text()
    urls = set(re.findall(r"https?://[^\s\"'<>)]*", text))
    assert urls <= NAMESPACES, urls - NAMESPACES
    assert not re.search(r"""\b(src|href)\s*=\s*["']?\s*(https?:)?//""", text)
    for fetcher in ("<link", "@import", "fetch(", "XMLHttpRequest", "<img", "<iframe", "url("):
        assert fetcher not in text, fetcher
    assert text.count("<script") == 2 and "</script>" in text      # data + code, both inline


# -- errors ----------------------------------------------------------------------------

def test_missing_dot_is_the_install_hint(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))               # a PATH without `dot`
    loss, _ = small_graph()
    with pytest.raises(visualize.GraphvizMissingError, match="apt-get install graphviz"):
        visualize.explore(loss, path=tmp_path / "p.html")
    assert not (tmp_path / "p.html").exists()
    assert loss.grad_fn.saved is not None                    # no backward was run


def test_bad_outputs_say_what_is_wrong(tmp_path):
    with pytest.raises(ValueError, match="does not require grad"):
        visualize.explore(mg.Tensor(np.ones(3)), path=tmp_path / "p.html")
    w = mg.Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match="non-scalar output needs gradient="):
        visualize.explore(w * 2.0, path=tmp_path / "p.html")
    data = page_data(visualize.explore(w * 2.0, gradient=np.array([1.0, 2.0, 3.0]),
                                       path=tmp_path / "p.html"))
    assert data["steps"][0]["inputs"][0]["grad"]["values"] == [2.0, 4.0, 6.0]
    loss, _ = small_graph()
    loss.backward()
    with pytest.raises(RuntimeError, match="already been backpropagated"):
        visualize.explore(loss, path=tmp_path / "q.html")


def test_cli_writes_the_page(tmp_path):
    from visualize.cli import main
    script = tmp_path / "tiny.py"
    script.write_text("import numpy as np\nfrom minigrad import nn\n"
                      "def build_model():\n    return nn.Sequential(nn.Linear(4, 3), nn.ReLU())\n"
                      "def example_batch():\n    return np.ones((2, 4), dtype=np.float32), "
                      "np.array([0, 2])\n")
    assert main([str(script), "--html", str(tmp_path / "tiny.html")]) == 0
    ops = [s["op"] for s in page_data(tmp_path / "tiny.html")["steps"]]
    assert ops[0] == "CrossEntropy" and "MatMul" in ops
    # A non-scalar output is explored as the gradient of its sum.
    assert main([str(script), "--no-loss", "--html", str(tmp_path / "out.html")]) == 0
    relu = page_data(tmp_path / "out.html")["steps"][0]
    assert relu["op"] == "ReLU" and relu["dy"]["values"] == [1.0] * 6


# -- a real browser ----------------------------------------------------------------------

BROWSER_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1400,900"]


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver",
                                    reason="selenium is not installed (pip install selenium)")
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        pytest.skip("Debian's chromium and chromium-driver are not installed "
                    "(apt-get install chromium chromium-driver)")
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="explorer-profile-")
    for flag in BROWSER_FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


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


def test_stepping_in_the_browser_follows_the_engine(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    steps, ids, _ = engine_steps(small_graph)
    loss, params = small_graph()
    path = visualize.explore(loss, params=params, path=tmp_path / "tiny.html")
    browser.get_log("performance")                          # start from a clean log
    open_page(browser, path)
    highlighted = []
    for k, step in enumerate(steps):
        if k:
            browser.find_element(By.ID, "next").click()
        current = browser.find_elements(By.CSS_SELECTOR, "#graph g.node.current")
        assert len(current) == 1
        highlighted.append(current[0].get_attribute("id"))
        assert browser.find_element(By.ID, "panel").get_attribute("data-step") == str(k)
        assert close(panel_numbers(browser, "dy"), step.grad_output.numpy()), step.node.name
        for i, grad in enumerate(step.input_grads):
            if grad is not None:
                assert close(panel_numbers(browser, f"grad-{i}"), grad.numpy()), step.node.name
    assert highlighted == ids
    assert browser.find_element(By.ID, "counter").text == f"step {len(steps)} / {len(steps)}"
    # Arrow keys step too; clicking a node shows its step.
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_LEFT)
    assert browser.find_element(By.ID, "panel").get_attribute("data-step") == str(len(steps) - 2)
    body.send_keys(Keys.ARROW_RIGHT)
    assert browser.find_element(By.ID, "panel").get_attribute("data-step") == str(len(steps) - 1)
    browser.find_element(By.ID, ids[0]).click()
    assert browser.find_element(By.ID, "panel").get_attribute("data-step") == "0"
    done = browser.find_elements(By.CSS_SELECTOR, "#graph g.node.done")
    assert not done                                          # back at the first step
    assert console_errors(browser) == []
    assert network_requests(browser) == []


def test_lenet_page_opens_and_shows_the_conv_rule(browser, tmp_path):
    from selenium.webdriver.common.by import By
    loss, model = lenet_loss(batch=8)
    path = visualize.explore(loss, params=model, path=tmp_path / "lenet.html")
    browser.get_log("performance")
    open_page(browser, path)
    conv2 = next(s["index"] for s in page_data(path)["steps"] if s["module"] == "conv2")
    for _ in range(conv2):
        browser.find_element(By.ID, "next").click()
    panel = browser.find_element(By.ID, "panel").text
    assert "rot180(w)[0, 0]" in panel and "max |difference| =" in panel
    assert browser.find_elements(By.CSS_SELECTOR, "#panel canvas")
    assert console_errors(browser) == []
    assert network_requests(browser) == []


def test_the_core_package_imports_nothing_of_visualize_graphviz_or_selenium():
    """minigrad stands alone; importing visualize loads neither graphviz nor selenium
    (they are imported where a drawing or a browser test needs them)."""
    import subprocess
    import sys

    def loaded_after(imports):
        code = (f"import sys; {imports}; print(sorted({{m.split('.')[0] for m in sys.modules}}"
                " & {'visualize', 'graphviz', 'selenium', 'torch'}))")
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              cwd=str(ROOT), check=True).stdout.strip()

    assert loaded_after("import minigrad, minigrad.nn, minigrad.optim, minigrad.data") == "[]"
    assert loaded_after("import visualize") == "['visualize']"
