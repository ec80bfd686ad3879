"""The committed pictures and tables of docs/ are what examples/regenerate_docs.py makes
today: each test fails when one is stale (run the script to fix it)."""
import json
import pathlib
import shutil

import pytest

from tests.examples.scripts import load_example

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FIX = "stale: run python examples/regenerate_docs.py --only "


@pytest.fixture(scope="module")
def regen():
    return load_example("regenerate_docs")


def test_png_text_chunks_round_trip(regen, tmp_path):
    png = tmp_path / "p.png"
    shutil.copy(DOCS / "dying_relu.png", png)
    regen.set_png_text(png, "first")
    regen.set_png_text(png, "second")                    # replaces, never duplicates
    assert regen.png_text(png) == "second"
    assert sum(k == b"tEXt" for k, _ in regen.png_chunks(png.read_bytes())) >= 1
    assert regen.png_chunks(png.read_bytes())[-1][0] == b"IEND"


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
@pytest.mark.parametrize("name", ["mnist_graph.svg", "mnist_graph_collapsed.svg"])
def test_graph_drawings_show_what_the_code_draws(regen, tmp_path, name):
    fresh = regen.svg_labels(regen.draw_graph_svg(name, tmp_path).read_text())
    committed = regen.svg_labels((DOCS / name).read_text())
    assert committed == fresh, FIX + "graphs"


def test_dead_relu_table_and_plots_are_the_scripts_numbers(regen):
    """The primer's table and both PNGs were made from one run, and that run is what
    examples/pathologies.py gives today (default settings, seed 0)."""
    stamps = [regen.png_text(DOCS / n) for n in ("dying_relu.png", "sigmoid_saturation.png")]
    assert stamps[0] is not None and stamps[0] == stamps[1], FIX + "pathologies"
    stamped = json.loads(stamps[0])
    text = (DOCS / "primer.md").read_text(encoding="utf-8")
    assert regen.doc_table(text) == regen.dead_relu_table(stamped), FIX + "pathologies"
    fresh = regen.pathology_numbers(load_example("pathologies").run(log=lambda *a: None))
    # The runs train a net: another BLAS kernel or numpy rounds differently and moves a
    # share of dead units by a few units in the last shown digits, never by a percent.
    assert fresh.keys() == stamped.keys(), FIX + "pathologies"
    for key, value in stamped.items():
        if isinstance(value, dict):
            assert fresh[key].keys() == value.keys(), FIX + "pathologies"
            for k, v in value.items():
                assert fresh[key][k] == pytest.approx(v, rel=0.01, abs=0.005), \
                    f"{key}[{k}]: {fresh[key][k]} today, {v} in docs; " + FIX + "pathologies"
        else:
            assert fresh[key] == value, FIX + "pathologies"


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_explorer_screenshot_shows_todays_page(regen, tmp_path):
    page = regen.explorer_page(tmp_path).read_text(encoding="utf-8")
    assert regen.png_text(DOCS / "backprop_explorer.png") == regen.explorer_digest(page), \
        FIX + "explorer"
