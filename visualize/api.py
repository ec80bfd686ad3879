"""The three entry points: ``to_dot`` (text), ``draw_graph`` (a graphviz.Digraph)
and ``render`` (a file). Re-exported by the package."""
from __future__ import annotations

from .dot import dot_lines, to_dot_source
from .graph import build
from .render import graphviz_package, render_source


def to_dot(*outputs, params=None, show_grad=False, show_saved=False, collapse=None,
           max_nodes=None, show_backward=False, legend=True, rankdir="TB", title=None) -> str:
    """DOT source of the graph that produced ``outputs`` (tensors, or a dict
    name -> tensor). Needs neither the ``dot`` binary nor the graphviz package.

    params: a dict name -> Tensor or an nn.Module (its named_parameters()) to name
        parameters (``features.0.weight``); by default the names come from the
        model whose forward recorded the graph.
    show_grad: colour tensors by gradient norm and flag NaN/inf/all-zero gradients
        (after backward; leaves use ``.grad``, ops need :func:`record_grads`).
    show_saved: draw exactly what each op saved for backward (what, shape, dtype,
        bytes; "freed by backward" once backward has released it).
    collapse: fold modules into one node each: True (every module without
        submodules), an int (modules at that depth, the model being 0), a module
        path or glob (``"features.*"``), a class name (``"Conv2d"``), a class, a
        module object, or a list of these.
    max_nodes: draw at most this many ops and leaves; the rest is one
        "... N more nodes" node.
    show_backward: write each op's gradient rules, read from its docstring
        (``Function.formula``).
    legend, rankdir ("TB" or "LR"), title: presentation.
    """
    drawing = build(outputs, params=params, collapse=collapse, max_nodes=max_nodes)
    return to_dot_source(drawing, show_grad=show_grad, show_saved=show_saved,
                         show_backward=show_backward, legend=legend, rankdir=rankdir,
                         title=title)


def draw_graph(*outputs, **options):
    """The graph as a ``graphviz.Digraph`` (same options as :func:`to_dot`); its
    ``.source`` is exactly ``to_dot(...)``. Needs the graphviz Python package."""
    graphviz = graphviz_package()
    drawing = build(outputs, params=options.pop("params", None),
                    collapse=options.pop("collapse", None),
                    max_nodes=options.pop("max_nodes", None))
    return graphviz.Digraph(name="minigrad", body=dot_lines(drawing, **options))


def render(*outputs, path, format=None, **options) -> str:
    """Render the graph to ``path`` as ``format`` ('svg', 'png', 'pdf', or 'dot' for
    the text; default: the path's suffix, else svg) and return the path written.
    Needs the Graphviz ``dot`` program (not the Python package) except for 'dot';
    without it raises :class:`GraphvizMissingError` saying how to install it."""
    return render_source(to_dot(*outputs, **options), path, format)
