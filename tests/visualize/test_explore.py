"""The backprop explorer (visualize.explore): the page's data against what the
engine computed, its size, that it needs no network, its errors and command line.
In a real headless Chromium: tests/visualize/test_explore_browser.py; the teaching
views: test_textbook_views.py and test_primer_views.py; the over-time strip:
test_gradient_history.py."""
import os
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
import visualize
from tests.visualize.helpers import ROOT, close, engine_steps, lenet_loss, page_data, small_graph

# The only URLs a page may contain: the SVG and XLink namespace names (identifiers
# that no browser fetches).
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


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


def test_screenshot_script_help_prints_usage_and_writes_nothing(tmp_path):
    import subprocess
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "explorer_screenshot.py"),
                          "--help"], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0 and "usage:" in out.stdout
    assert list(tmp_path.iterdir()) == []
