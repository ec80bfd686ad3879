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
    assert size < 2_000_000                           # issue 24: under 2 MB
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


# -- issue 24: the defects, each in a real browser ----------------------------------------

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


def canvas_pixels(driver, tensor):
    """The RGBA pixels of the panel's canvas ``tensor``, as an (H, W, 4) array, and its
    cell size in pixels."""
    width, height, flat = driver.execute_script(
        "const c = document.querySelector('#panel canvas[data-tensor=\"' + arguments[0] + '\"]');"
        "return [c.width, c.height, Array.from(c.getContext('2d')"
        ".getImageData(0, 0, c.width, c.height).data)];", tensor)
    return np.array(flat, dtype=np.uint8).reshape(height, width, 4)


def test_pool_window_grid_is_drawn_on_the_input_side_only(browser, tmp_path):
    """dy holds one value per window: no grid on it; the spread and dx show the windows."""
    x = mg.Tensor(np.random.default_rng(2).standard_normal((1, 2, 12, 12)), requires_grad=True)
    loss = (F.avg_pool2d(x, 2) ** 2).sum()                  # dy (1, 2, 6, 6): a heatmap
    open_page(browser, visualize.explore(loss, path=tmp_path / "avg.html"))
    step_to(browser, "AvgPool2d")
    dy = canvas_pixels(browser, "teach-dy")
    cell = dy.shape[0] // 6
    for i in range(6):                                      # every dy cell is one flat colour
        for j in range(6):
            block = dy[i * cell:(i + 1) * cell, j * cell:(j + 1) * cell].reshape(-1, 4)
            assert (block == block[0]).all(), (i, j)
    spread = canvas_pixels(browser, "teach-spread")
    cell = spread.shape[0] // 12
    middle = cell // 2
    # A window boundary every 2 cells: the line's pixels differ from the cell's middle.
    for j in (2, 4, 6):
        assert (spread[middle, j * cell] != spread[middle, j * cell + middle]).any(), j
    assert (spread[middle, cell] == spread[middle, cell + middle]).all()   # inside a window
    assert console_errors(browser) == []


def maxpool_page(tmp_path, kernel, stride, padding, size=6):
    x_values = np.random.default_rng(3).permutation(size * size).reshape(1, 1, size, size) / 10.0
    x = mg.Tensor(x_values, requires_grad=True)
    y = F.max_pool2d(x, kernel, stride=stride, padding=padding)
    weights = np.arange(1.0, 1.0 + np.prod(y.shape)).reshape(y.shape)
    loss = (y * mg.Tensor(weights)).sum()
    return x_values, y.shape, visualize.explore(loss, path=tmp_path / f"max{kernel}{stride}.html")


def test_small_maxpool_tables_show_the_argmax_cells_and_the_windows(browser, tmp_path):
    x, _, path = maxpool_page(tmp_path, 2, 2, 0)
    open_page(browser, path)
    step_to(browser, "MaxPool2d")
    # The argmax of each 2x2 window, computed here from x.
    windows = x[0, 0].reshape(3, 2, 3, 2).transpose(0, 2, 1, 3).reshape(3, 3, 4)
    best = windows.argmax(-1)
    expected = sorted(int((2 * i + best[i, j] // 2) * 6 + 2 * j + best[i, j] % 2)
                      for i in range(3) for j in range(3))
    assert table_cells(browser, "teach-dx", "argmax") == expected
    # Window borders on dx every 2 rows / columns, none on dy.
    assert table_cells(browser, "teach-dx", "window-left") == sorted(
        r * 6 + c for r in range(6) for c in (0, 2, 4))
    assert table_cells(browser, "teach-dx", "window-top") == sorted(
        r * 6 + c for r in (0, 2, 4) for c in range(6))
    assert table_cells(browser, "teach-dy", "window-left") == []
    assert "Outlined: the 9 recorded argmax cells; grid on dx: the windows" in \
        browser.find_element("id", "panel").text


@pytest.mark.parametrize("kernel, stride, padding, hovered", [(2, 2, 0, (1, 2)),
                                                             (3, 2, 1, (0, 0)),
                                                             (3, 2, 1, (1, 2))])
def test_hovering_a_dy_cell_lights_up_exactly_its_window_in_dx(browser, tmp_path, kernel,
                                                               stride, padding, hovered):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    _, out_shape, path = maxpool_page(tmp_path, kernel, stride, padding)
    open_page(browser, path)
    step_to(browser, "MaxPool2d")
    i, j = hovered
    td = browser.find_element(By.CSS_SELECTOR, '#panel table.numbers[data-tensor="teach-dy"] '
                                               f'td[data-index="{i * out_shape[-1] + j}"]')
    ActionChains(browser).move_to_element(td).perform()
    rows = [u for u in range(i * stride - padding, i * stride - padding + kernel) if 0 <= u < 6]
    cols = [v for v in range(j * stride - padding, j * stride - padding + kernel) if 0 <= v < 6]
    assert table_cells(browser, "teach-dx", "linked") == sorted(u * 6 + v for u in rows
                                                                for v in cols)
    assert table_cells(browser, "teach-dy", "source") == [i * out_shape[-1] + j]


def test_hovering_a_dy_heatmap_cell_outlines_its_window_on_dx(browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    x = mg.Tensor(np.random.default_rng(4).standard_normal((1, 2, 12, 12)), requires_grad=True)
    loss = (F.max_pool2d(x, 3, stride=2, padding=1) ** 2).sum()    # dy (1, 2, 6, 6)
    open_page(browser, visualize.explore(loss, path=tmp_path / "heat.html"))
    step_to(browser, "MaxPool2d")
    canvas = browser.find_element(By.CSS_SELECTOR, '#panel canvas[data-tensor="teach-dy"]')
    cell = canvas.size["width"] // 6
    left, top = -canvas.size["width"] / 2, -canvas.size["height"] / 2
    ActionChains(browser).move_to_element_with_offset(
        canvas, int(left + 4 * cell + cell // 2), int(top + 2 * cell + cell // 2)).perform()
    linked = browser.find_element(By.CSS_SELECTOR, '#panel canvas[data-tensor="teach-dx"]')
    cells = json.loads(linked.get_attribute("data-linked"))      # dy (2, 4): rows 3-5, cols 7-9
    assert sorted(map(tuple, cells)) == [(u, v) for u in (3, 4, 5) for v in (7, 8, 9)]


def test_two_small_tables_side_by_side_do_not_overlap(browser, tmp_path):
    rng = np.random.default_rng(5)
    x = mg.Tensor(rng.standard_normal((1, 1, 6, 6)), requires_grad=True)
    w = mg.Tensor(rng.standard_normal((1, 1, 3, 3)) * 100)       # wide numbers
    loss = (F.conv2d(x, w, padding=1) ** 2).sum()
    open_page(browser, visualize.explore(loss, path=tmp_path / "conv.html"))
    step_to(browser, "Conv2d")
    boxes = browser.execute_script(
        "return Array.from(document.querySelectorAll('#panel .figure.fit')).map(f => {"
        "const t = f.querySelector('table').getBoundingClientRect(), r = f.getBoundingClientRect();"
        "return [r.left, r.right, t.left, t.right, t.top];});")
    assert len(boxes) == 4          # dy and the padded dy; the rule's dx and the engine's
    for left, right, table_left, table_right, _ in boxes:
        assert left - 0.5 <= table_left and table_right <= right + 0.5
    for first, second in zip(boxes[::2], boxes[1::2]):
        (_, first_right, _, first_table_right, top1), (second_left, *_, top2) = first, second
        assert first_table_right <= second_left or top1 != top2


def css_rgb(text):
    return tuple(int(v) for v in re.findall(r"\d+", text)[:3])


def hex_rgb(text):
    return tuple(int(text[i:i + 2], 16) for i in (1, 3, 5))


def contrast(a, b):
    def lum(rgb):
        lin = [(v / 255) / 12.92 if v / 255 <= 0.04045 else ((v / 255 + 0.055) / 1.055) ** 2.4
               for v in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_step_colours_are_distinct_and_the_numbers_readable(browser, tmp_path):
    from visualize.dot import KIND_FILL
    loss, params = small_graph()
    open_page(browser, visualize.explore(loss, params=params, path=tmp_path / "c.html"))
    browser.find_element("id", "next").click()
    browser.find_element("id", "next").click()
    fills = browser.execute_script(
        "return Array.from(document.querySelectorAll('#graph g.node')).map(g => {"
        "const s = g.querySelector('polygon, path');"
        "return [g.classList.contains('current'), g.classList.contains('done'),"
        " getComputedStyle(s).fill];});")
    current = {css_rgb(f) for is_current, _, f in fills if is_current}
    done = {css_rgb(f) for _, is_done, f in fills if is_done}
    assert len(current) == 1 and len(done) == 1
    # Only the current node wears the current colour (the output node is not mistaken for it),
    # and neither step colour is near a colour the drawing gives a kind of node.
    assert sum(css_rgb(f) in current for _, _, f in fills) == 1
    for colour in current | done:
        for kind, fill in KIND_FILL.items():
            assert np.linalg.norm(np.subtract(colour, hex_rgb(fill))) > 60, (colour, kind)
    # Every number in a table contrasts at least 4.5:1 with its cell (WCAG AA).
    rng = np.random.default_rng(6)
    w = mg.Tensor(np.ones((4, 4)), requires_grad=True)
    scale = mg.Tensor(rng.standard_normal((4, 4)) * np.array([1, -1, 10, -10]))
    open_page(browser, visualize.explore((w * scale).sum(), path=tmp_path / "k.html"))
    step_to(browser, "Mul")                     # sends the scale: both signs, 4 magnitudes
    pairs = browser.execute_script(
        "return Array.from(document.querySelectorAll('#panel table.numbers td')).map(td => "
        "[getComputedStyle(td).color, getComputedStyle(td).backgroundColor]);")
    assert len(pairs) >= 32
    worst = min(contrast(css_rgb(fg), css_rgb(bg)) for fg, bg in pairs)
    assert worst >= 4.5, worst


def test_screenshot_script_help_prints_usage_and_writes_nothing(tmp_path):
    import subprocess
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "explorer_screenshot.py"),
                          "--help"], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0 and "usage:" in out.stdout
    assert list(tmp_path.iterdir()) == []


def test_home_and_end_keys_go_to_the_first_and_last_step(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    loss, params = small_graph()
    path = visualize.explore(loss, params=params, path=tmp_path / "keys.html")
    n = len(page_data(path)["steps"])
    open_page(browser, path)
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.END)
    assert browser.find_element(By.ID, "panel").get_attribute("data-step") == str(n - 1)
    body.send_keys(Keys.HOME)
    assert browser.find_element(By.ID, "panel").get_attribute("data-step") == "0"


def test_in_a_notebook_the_page_displays_inline_as_the_same_offline_page(browser, tmp_path):
    """Jupyter calls _repr_html_: an iframe whose srcdoc is the page itself."""
    from selenium.webdriver.common.by import By
    loss, params = small_graph()
    page_path = visualize.explore(loss, params=params, path=tmp_path / "nb.html")
    assert isinstance(page_path, str) and page_path == str(tmp_path / "nb.html")
    cell = page_path._repr_html_()
    assert cell.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in cell
    notebook = tmp_path / "notebook.html"
    notebook.write_text("<!DOCTYPE html><html><body>" + cell + "</body></html>")
    browser.get_log("performance")
    open_page(browser, notebook)
    browser.switch_to.frame(browser.find_element(By.TAG_NAME, "iframe"))
    try:
        assert browser.find_element(By.ID, "panel").get_attribute("data-step") == "0"
        browser.find_element(By.ID, "next").click()
        assert browser.find_element(By.ID, "panel").get_attribute("data-step") == "1"
    finally:
        browser.switch_to.default_content()
    assert network_requests(browser) == []


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


def test_the_graph_pane_zooms_pans_and_fits(browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    loss, model = lenet_loss(batch=2)                     # a graph taller than the pane
    open_page(browser, visualize.explore(loss, params=model, path=tmp_path / "zoom.html"))

    def svg_box():
        return browser.execute_script(
            "const r = document.querySelector('#graph svg').getBoundingClientRect(),"
            " g = document.getElementById('graph');"
            "return [r.width, r.height, g.clientWidth, g.clientHeight, g.scrollLeft, g.scrollTop];")

    width, height, pane_w, pane_h, *_ = svg_box()
    assert height > pane_h                                 # at 1:1 it does not fit
    browser.find_element(By.ID, "zoom-fit").click()
    fit_w, fit_h, *_ = svg_box()
    assert fit_w <= pane_w and fit_h <= pane_h and fit_h > 0.5 * pane_h
    assert np.isclose(fit_w / fit_h, width / height, rtol=0.02)     # the aspect is kept
    browser.find_element(By.ID, "zoom-in").click()
    zoomed_w, *_ = svg_box()
    assert np.isclose(zoomed_w / fit_w, 1.25, rtol=0.02)
    browser.find_element(By.ID, "zoom-one").click()
    assert np.isclose(svg_box()[0], width, rtol=0.01)
    browser.find_element(By.ID, "zoom-out").click()
    assert np.isclose(svg_box()[0], width / 1.25, rtol=0.02)
    # Dragging the pane pans it, and the drag is not taken for a click on a node.
    browser.find_element(By.ID, "zoom-one").click()
    step = browser.find_element(By.ID, "panel").get_attribute("data-step")
    nodes = browser.find_elements(By.CSS_SELECTOR, "#graph g.node")
    node = nodes[len(nodes) // 2]
    ActionChains(browser).click_and_hold(node).perform()
    before = svg_box()[5]
    ActionChains(browser).move_by_offset(0, -60).move_by_offset(0, -60).release().perform()
    assert svg_box()[5] == pytest.approx(before + 120, abs=2)
    assert browser.find_element(By.ID, "panel").get_attribute("data-step") == step
    third = page_data(tmp_path / "zoom.html")["steps"][3]["svg"]
    browser.find_element(By.ID, third).click()                # a plain click still selects
    assert browser.find_element(By.ID, "panel").get_attribute("data-step") == "3"
    assert console_errors(browser) == []


# -- issue 24, hover linking on a convolution --------------------------------------------

def conv_page(tmp_path, seed=8):
    """x (1, 2, 5, 5) and w (2, 2, 3, 3) at stride 2, padding 1: dy (1, 2, 3, 3), dx and
    x are tables, the padded dy (1, 2, 7, 7) a heatmap. Returns torch's x, w and dy."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    x_values, w_values = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((2, 2, 3, 3))
    x, w = mg.Tensor(x_values, requires_grad=True), mg.Tensor(w_values, requires_grad=True)
    loss = (F.conv2d(x, w, stride=2, padding=1) ** 2).sum() / 2     # dy = the conv output
    path = visualize.explore(loss, params={"x": x, "w": w}, path=tmp_path / "conv.html")
    xt = torch.tensor(x_values, requires_grad=True)
    wt = torch.tensor(w_values, requires_grad=True)
    dy = torch.nn.functional.conv2d(xt, wt, stride=2, padding=1).detach().requires_grad_()
    return path, xt, wt, dy, torch


def hover_cell(driver, tensor, index):
    from selenium.webdriver.common.action_chains import ActionChains
    td = driver.find_element("css selector",
                             f'#panel table.numbers[data-tensor="{tensor}"] td[data-index="{index}"]')
    ActionChains(driver).move_to_element(td).perform()


def flat(shape, *index):
    return int(np.ravel_multi_index(index, shape))


def test_hovering_a_conv_dy_cell_lights_the_dx_cells_it_reaches(browser, tmp_path):
    """Stride 2 and padding 1: the lit dx cells are exactly where d dx / d dy[cell] is
    non-zero (torch's dx for a one-hot dy), and the dy cell sits in the padded, dilated dy
    at offset d(k-1) - p + s*(i, j)."""
    from selenium.webdriver.support.ui import Select
    path, xt, wt, dy, torch = conv_page(tmp_path)
    open_page(browser, path)
    step_to(browser, "Conv2d")
    # The padded, stride-dilated dy the page draws is dy with zeros between and around.
    data = next(s for s in page_data(path)["steps"] if s["op"] == "Conv2d")["teach"]
    padded = np.zeros((1, 2, 7, 7))
    padded[:, :, 1:6:2, 1:6:2] = dy.detach().numpy()
    assert data["offset"] == [1, 1] and close(data["padded"]["data"], padded)
    Select(browser.find_element("css selector", '#panel select[aria-label="channel"]')) \
        .select_by_value("1")                             # the padded heatmap: channel 1
    xg = torch.zeros_like(xt, requires_grad=True)
    out = torch.nn.functional.conv2d(xt + xg, wt, stride=2, padding=1)
    for cell in [(0, 1, 1, 2), (0, 1, 0, 0), (0, 1, 2, 2)]:
        one_hot = torch.zeros_like(dy)
        one_hot[cell] = 1.0                    # dx is linear in dy: d dx / d dy[cell]
        reach, = torch.autograd.grad(out, xg, one_hot, retain_graph=True)
        expected = sorted(np.flatnonzero(reach.numpy()).tolist())
        hover_cell(browser, "conv-dy", flat((1, 2, 3, 3), *cell))
        for name in ("conv-full", "conv-dx"):
            assert table_cells(browser, name, "linked") == expected, (cell, name)
        assert table_cells(browser, "conv-dy", "source") == [flat((1, 2, 3, 3), *cell)]
        canvas = browser.find_element("css selector", '#panel canvas[data-tensor="conv-padded"]')
        lit = json.loads(canvas.get_attribute("data-linked"))
        assert lit == [[1 + 2 * cell[2], 1 + 2 * cell[3]]], cell
        assert padded[0, 1, lit[0][0], lit[0][1]] == dy[cell].item()
    assert len(expected) == 2 * 4            # a corner dy reaches 2x2 pixels of both channels
    # Hovering a dx cell lights the placement of rot180(w) over the padded dy that sums to it.
    dx_engine = np.asarray(page_data(path)["steps"][[s["op"] for s in page_data(path)["steps"]]
                                                    .index("Conv2d")]["inputs"][0]["grad"]["values"])
    rotated = wt.detach().numpy()[:, :, ::-1, ::-1]
    for c, u, v in [(0, 2, 3), (1, 4, 0)]:
        hover_cell(browser, "conv-dx", flat((1, 2, 5, 5), 0, c, u, v))
        canvas = browser.find_element("css selector", '#panel canvas[data-tensor="conv-padded"]')
        lit = sorted(map(tuple, json.loads(canvas.get_attribute("data-linked"))))
        assert lit == [(u + a, v + b) for a in range(3) for b in range(3)]
        window = padded[0, :, u:u + 3, v:v + 3]           # both output channels
        assert np.isclose(np.sum(window * rotated[:, c]), dx_engine[flat((1, 2, 5, 5), 0, c, u, v)],
                          rtol=1e-3)
    assert console_errors(browser) == []


def test_hovering_a_dw_entry_lights_its_x_patch_and_dy_values(browser, tmp_path):
    """dW[o, c, a, b] = sum x * dy: the lit x and dy cells are exactly where the entry's
    derivative with respect to x and to dy is non-zero (torch's double backward)."""
    path, xt, wt, dy, torch = conv_page(tmp_path)
    open_page(browser, path)
    step_to(browser, "Conv2d")
    xg = torch.zeros_like(xt, requires_grad=True)
    wg = torch.zeros_like(wt, requires_grad=True)
    out = torch.nn.functional.conv2d(xt + xg, wt + wg, stride=2, padding=1)
    dw, = torch.autograd.grad(out, wg, dy, create_graph=True)
    assert close(panel_numbers(browser, "conv-dW"), dw.detach().numpy())
    for cell in [(1, 0, 2, 1), (0, 1, 0, 0), (1, 1, 1, 1)]:
        gx, gdy = torch.autograd.grad(dw[cell], (xg, dy), retain_graph=True)
        hover_cell(browser, "conv-dW", flat((2, 2, 3, 3), *cell))
        assert table_cells(browser, "conv-x", "linked") == \
            sorted(np.flatnonzero(gx.numpy()).tolist()), cell
        assert table_cells(browser, "conv-dy", "linked") == \
            sorted(np.flatnonzero(gdy.numpy()).tolist()), cell
        assert table_cells(browser, "conv-dW", "source") == [flat((2, 2, 3, 3), *cell)]
    # A corner tap at padding 1 and stride 2 reads x rows/cols 1 and 3 only: 4 cells.
    gx, _ = torch.autograd.grad(dw[0, 1, 0, 0], (xg, dy), retain_graph=True)
    assert np.count_nonzero(gx.numpy()) == 4
    assert console_errors(browser) == []


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
