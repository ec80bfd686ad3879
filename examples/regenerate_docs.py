"""Regenerate the committed pictures and tables of docs/ from the code that makes them.

    python examples/regenerate_docs.py            # everything (needs dot, matplotlib, chromium)
    python examples/regenerate_docs.py --only graphs pathologies

* ``graphs``: docs/mnist_graph.svg and docs/mnist_graph_collapsed.svg (``python -m
  visualize examples/train_mnist.py``, plain and ``--collapse all``);
* ``pathologies``: docs/dying_relu.png, docs/sigmoid_saturation.png and the dead-ReLU
  table of docs/primer.md section 7 (``examples/pathologies.py``, default settings);
* ``explorer``: docs/backprop_explorer.png (``examples/explorer_screenshot.py``).

Each PNG carries a ``minigrad-source`` text chunk saying what it was made from (the
numbers it plots, or a digest of the page it shows), so ``tests/docs/test_pictures.py``
can tell a stale picture without comparing pixels.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PNG_KEY = "minigrad-source"
TABLE_MARK = "<!-- regenerate_docs: dead-relu -->"
GRAPHS = {"mnist_graph.svg": [], "mnist_graph_collapsed.svg": ["--collapse", "all"]}


def load_example(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- PNG text chunks ----------------------------------------------------------------------

def png_chunks(data: bytes):
    """(type, body) of every chunk of a PNG file."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    at, chunks = 8, []
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        chunks.append((data[at + 4:at + 8], data[at + 8:at + 8 + length]))
        at += 12 + length
    return chunks


def png_text(path, key=PNG_KEY):
    """The text stored under ``key`` in a PNG's tEXt chunks, or None."""
    for kind, body in png_chunks(Path(path).read_bytes()):
        if kind == b"tEXt" and body.startswith(key.encode("latin-1") + b"\0"):
            return body[len(key) + 1:].decode("latin-1")
    return None


def set_png_text(path, text, key=PNG_KEY):
    """Rewrite a PNG with ``text`` under ``key`` (replacing an older one), before IEND."""
    chunks = [(k, b) for k, b in png_chunks(Path(path).read_bytes())
              if not (k == b"tEXt" and b.startswith(key.encode("latin-1") + b"\0"))]
    chunks.insert(len(chunks) - 1, (b"tEXt", key.encode("latin-1") + b"\0" + text.encode("latin-1")))
    out = [b"\x89PNG\r\n\x1a\n"]
    for kind, body in chunks:
        out.append(struct.pack(">I", len(body)) + kind + body
                   + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    Path(path).write_bytes(b"".join(out))


# -- what each picture is made from --------------------------------------------------------

def svg_labels(svg_text: str):
    """The text of an SVG drawing, in order: what a reader sees, without coordinates
    (which move with the Graphviz version)."""
    return [re.sub(r"\s+", " ", t).strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg_text)]


def draw_graph_svg(name, out_dir):
    path = Path(out_dir) / name
    subprocess.run([sys.executable, "-m", "visualize", str(ROOT / "examples" / "train_mnist.py"),
                    "--out", str(path)] + GRAPHS[name], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    return path


def pathology_numbers(result):
    """The numbers the two pathology plots and the primer's table show, rounded as shown."""
    def shares(d):
        return {str(k): round(float(v), 6) for k, v in d.items()}
    return {"small_lr": result["small_lr"], "big_lr": result["big_lr"]} | {
        key: shares(result[key]) for key in
            ("relu_init_dead", "relu_small_dead", "relu_big_dead",
             "sigmoid_init_saturated", "sigmoid_big_saturated")} | {
        key: {str(k): float(f"{v:.3g}") for k, v in result[key].items()}
        for key in ("sigmoid_grad_norms", "relu_grad_norms")}


def dead_relu_table(result):
    """docs/primer.md section 7's table: % dead per ReLU layer."""
    rows = [("at initialisation", result["relu_init_dead"]),
            (f"after `lr = {result['small_lr']:g}`", result["relu_small_dead"]),
            (f"after `lr = {result['big_lr']:.1f}`", result["relu_big_dead"])]
    n = len(result["relu_big_dead"])
    head = "| | " + " | ".join(f"ReLU {i + 1}" + (" (FC)" if i == n - 1 else "")
                               for i in range(n)) + " |"
    lines = [head, "|---|" + "---:|" * n]
    lines += ["| " + label + " | " + " | ".join(f"{v:.0%}" for v in shares.values()) + " |"
              for label, shares in rows]
    return "\n".join(lines)


def doc_table(text):
    """The table that follows TABLE_MARK in primer.md."""
    after = text.split(TABLE_MARK, 1)[1].lstrip("\n")
    return "\n".join(line for line in after.split("\n\n", 1)[0].split("\n"))


def explorer_digest(page_text: str):
    """What the explorer screenshot shows: the page's inline script and styles and the
    graph's labels (not its numbers, which are LeNet's at one seed)."""
    script = re.search(r"<script>\n(.*?)</script>", page_text, re.S).group(1)
    styles = re.search(r"<style>\n(.*?)</style>", page_text, re.S).group(1)
    parts = [script, styles, "\n".join(svg_labels(page_text))]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def explorer_page(out_dir):
    path = Path(out_dir) / "backprop.html"
    subprocess.run([sys.executable, "-m", "visualize", str(ROOT / "examples" / "train_mnist.py"),
                    "--html", str(path)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return path


# -- regenerate -------------------------------------------------------------------------

def regenerate_graphs(log=print):
    for name in GRAPHS:
        draw_graph_svg(name, DOCS)
        log(f"wrote docs/{name}")


def regenerate_pathologies(log=print):
    result = load_example("pathologies").run(log=lambda *a: None)
    paths = load_example("pathologies").plot(result, str(DOCS), log=log)
    stamp = json.dumps(pathology_numbers(result))          # layers in network order
    for path in paths or ():
        set_png_text(path, stamp)
    primer = DOCS / "primer.md"
    text = primer.read_text(encoding="utf-8")
    old = doc_table(text)
    primer.write_text(text.replace(TABLE_MARK + "\n" + old, TABLE_MARK + "\n" + dead_relu_table(result), 1),
                      encoding="utf-8")
    log("wrote docs/primer.md's dead-ReLU table")


def regenerate_explorer(log=print):
    out = DOCS / "backprop_explorer.png"
    subprocess.run([sys.executable, str(ROOT / "examples" / "explorer_screenshot.py"), str(out)],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory() as work:
        digest = explorer_digest(explorer_page(work).read_text(encoding="utf-8"))
    set_png_text(out, digest)
    log(f"wrote {out.relative_to(ROOT)}")


PARTS = {"graphs": regenerate_graphs, "pathologies": regenerate_pathologies,
         "explorer": regenerate_explorer}


def main(argv=None, log=print):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=sorted(PARTS), default=sorted(PARTS),
                        help="which pictures to redraw (default: all)")
    args = parser.parse_args(argv)
    for name in args.only:
        PARTS[name](log)


if __name__ == "__main__":
    sys.path.insert(0, os.fspath(ROOT))
    main()
