"""The backprop explorer in a real headless Chromium: stepping follows the engine,
the LeNet page, keys, colours and contrast, a notebook's inline page, zoom and pan."""
import re

import numpy as np
import pytest

import visualize
import minigrad as mg
from tests.visualize.helpers import (close, console_errors, engine_steps, lenet_loss,
                                     network_requests, open_page, page_data, panel_numbers,
                                     small_graph, step_to)


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
