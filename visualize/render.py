"""From DOT text to a picture: ``draw_graph`` (a graphviz.Digraph) and ``render``
(a file, via the ``dot`` binary). ``to_dot`` itself needs neither."""
from __future__ import annotations

import os
import shutil
import subprocess

FORMATS = ("svg", "png", "pdf", "dot")

INSTALL_DOT = ("install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), "
               "`brew install graphviz` (macOS), or see https://graphviz.org/download/")


class GraphvizMissingError(RuntimeError):
    """Graphviz (the ``dot`` program or the ``graphviz`` Python package) is not
    installed. ``visualize.to_dot`` still works without either."""


def dot_binary() -> str:
    path = shutil.which("dot")
    if path is None:
        raise GraphvizMissingError(
            "visualize: the Graphviz `dot` program was not found on PATH, so the graph "
            f"cannot be rendered to an image; {INSTALL_DOT}. visualize.to_dot(...) works "
            "without it and returns the DOT text (paste it into any Graphviz viewer), and "
            "render(..., format='dot') writes that text to a file.")
    return path


def graphviz_package():
    try:
        import graphviz
    except ImportError:
        raise GraphvizMissingError(
            "visualize.draw_graph: the `graphviz` Python package is not installed; "
            "`pip install graphviz` (or `pip install minigrad[viz]`). visualize.render(...) "
            "and visualize.to_dot(...) work without it.") from None
    return graphviz


def render_source(source: str, path, format=None) -> str:
    """Write ``source`` rendered as ``format`` (default: from the file suffix, else
    svg) to ``path``; return the path written."""
    path = os.fspath(path)
    suffix = os.path.splitext(path)[1].lower().lstrip(".")
    if format is None:
        format = suffix if suffix in FORMATS else "svg"
    if format not in FORMATS:
        raise ValueError(f"visualize.render: format must be one of {FORMATS}, got {format!r}")
    if suffix != format:
        path = f"{path}.{format}"
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    if format == "dot":
        with open(path, "w", encoding="utf-8") as f:
            f.write(source)
        return path
    dot = dot_binary()
    result = subprocess.run([dot, f"-T{format}", "-o", path], input=source.encode("utf-8"),
                            capture_output=True)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"visualize.render: `dot -T{format}` failed (exit code "
                           f"{result.returncode}): {message}")
    return path


def svg_of(source: str) -> str:
    """``source`` rendered by ``dot -Tsvg``, as text (for pages that inline it)."""
    dot = dot_binary()
    result = subprocess.run([dot, "-Tsvg"], input=source.encode("utf-8"), capture_output=True)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"visualize: `dot -Tsvg` failed (exit code {result.returncode}): "
                           f"{message}")
    return result.stdout.decode("utf-8")
