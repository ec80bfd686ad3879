"""The explorer's textbook views of pooling and convolution (visualize/teaching_views.py):
the rules computed from a step's own numbers equal the engine's, options the views do
not draw get none; in a browser, window grids, argmax cells and hover linking of dy,
dx, the padded dy and dW (against torch's derivatives)."""
import json

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
import visualize
from tests.visualize.helpers import (close, console_errors, open_page, page_data, panel_numbers,
                                     step_to, table_cells)


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
