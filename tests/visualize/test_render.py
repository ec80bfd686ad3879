"""Rendering with the real Graphviz `dot`, the missing-binary and missing-package
errors, and the command line."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import visualize
from tests.visualize.helpers import small_graph

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = '''
import numpy as np
from minigrad import nn

def build_model():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))

def example_batch():
    rng = np.random.default_rng(0)
    return rng.standard_normal((5, 4)).astype(np.float32), rng.integers(0, 3, 5)

def graph_of_a_sum():
    import minigrad as mg
    w = mg.Tensor(np.ones(3), requires_grad=True)
    return {"total": (w * 3.0).sum()}

if __name__ == "__main__":
    raise SystemExit("importing the script must not train")
'''


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "tiny_model.py"
    path.write_text(SCRIPT)
    return path


def test_render_svg_and_png_with_the_real_dot(tmp_path):
    loss, params = small_graph()
    svg = visualize.render(loss, params=params, path=tmp_path / "g.svg")
    text = Path(svg).read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "layer.w" in text and "MatMul" in text and "(2, 3) float64" in text
    png = visualize.render(loss, params=params, path=tmp_path / "g", format="png",
                           show_grad=True)
    assert png.endswith("g.png")
    data = Path(png).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000
    pdf = visualize.render(loss, path=tmp_path / "g.pdf")
    assert Path(pdf).read_bytes()[:5] == b"%PDF-"
    with pytest.raises(ValueError, match="format"):
        visualize.render(loss, path=tmp_path / "g.jpg", format="jpg")


def test_missing_dot_binary_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))          # a PATH without `dot`
    loss, _ = small_graph()
    with pytest.raises(visualize.GraphvizMissingError) as err:
        visualize.render(loss, path=tmp_path / "g.svg")
    message = str(err.value)
    assert isinstance(err.value, RuntimeError)
    for needed in ("`dot`", "apt-get install graphviz", "brew install graphviz", "to_dot"):
        assert needed in message
    assert not (tmp_path / "g.svg").exists()
    # The DOT text needs no binary.
    written = visualize.render(loss, path=tmp_path / "g.dot")
    assert Path(written).read_text() == visualize.to_dot(loss)


def test_missing_graphviz_package_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)   # import graphviz -> ImportError
    loss, _ = small_graph()
    with pytest.raises(visualize.GraphvizMissingError, match="pip install graphviz"):
        visualize.draw_graph(loss)
    assert visualize.to_dot(loss).startswith("digraph")


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "visualize", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=120)


def test_cli_help_documents_every_flag_and_the_convention():
    result = run_cli("--help")
    assert result.returncode == 0
    for flag in ("--out", "--format", "--show-grad", "--grad-table", "--show-saved",
                 "--show-backward", "--collapse", "--max-nodes", "--no-loss", "--eval",
                 "--rankdir", "--title", "--no-legend", "--print-dot", "build_model()",
                 "example_batch()", '__name__ == "__main__"', "apt-get install graphviz"):
        assert flag in result.stdout, flag


def test_cli_renders_a_script_without_training_it(script, tmp_path, capsys):
    from visualize.cli import main
    out = tmp_path / "graph.svg"
    assert main([str(script), "--out", str(out)]) == 0
    svg = out.read_text()
    assert "<svg" in svg and "0.weight" in svg and "CrossEntropy" in svg and "loss" in svg
    assert "Sequential" in svg                                  # the title names the model

    assert main([str(script), "--print-dot", "--collapse", "all", "--no-loss"]) == 0
    dot = capsys.readouterr().out
    assert "<B>0</B>: Linear(in_features=4" in dot and "MatMul" not in dot
    assert "CrossEntropy" not in dot and "<B>output</B>" in dot

    assert main([str(script), "--show-grad", "--grad-table", "--format", "dot",
                 "--out", str(tmp_path / "grads")]) == 0
    printed = capsys.readouterr().out
    assert "|grad| at output" in printed and "weight" in printed
    assert "|grad|" in (tmp_path / "grads.dot").read_text()

    assert main([f"{script}:graph_of_a_sum", "--print-dot"]) == 0
    assert "<B>total</B>" in capsys.readouterr().out


def test_cli_without_dot_says_how_to_install_it(script, tmp_path):
    env = dict(os.environ, PATH=str(tmp_path))            # no `dot` on PATH
    result = run_cli(script, "--out", tmp_path / "g.svg", env=env)
    assert result.returncode == 1
    assert "apt-get install graphviz" in result.stderr and "to_dot" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_explains_a_script_without_the_convention(tmp_path):
    bad = tmp_path / "nothing.py"
    bad.write_text("x = 1\n")
    result = run_cli(bad)
    assert result.returncode != 0 and "build_model()" in result.stderr
