"""Turn a minigrad graph into a plain list of things to draw.

:func:`build` lists the nodes with the engine's own traversal
(:func:`minigrad.autograd.walk`, no recursion: a 100,000-op chain is fine) and
orders them by distance from the outputs (so ids and ``max_nodes`` keep what is
nearest the loss). It returns a :class:`~visualize.drawing.Drawing`: display nodes
with ids ``n0, n1, ...``, the edges between them (in the forward direction: input ->
op -> output), the module each node belongs to, and with ``collapse`` whole modules
folded into single nodes. This module holds the traversal and build's steps;
naming is in :mod:`visualize.naming`, folding in :mod:`visualize.folding`. The DOT
writer (:mod:`visualize.dot`) only formats the drawing.
"""
from __future__ import annotations

from minigrad.autograd import Function, walk
from minigrad._tensor import Tensor

from .drawing import DisplayNode, Drawing, InputInfo
from .folding import collapse_rule, fold_modules
from .naming import cluster_of, module_and_parameter_names


# -- traversal -----------------------------------------------------------------------

def output_list(outputs):
    """``to_dot``'s positional arguments as (name, tensor) pairs: tensors, lists or
    tuples of tensors, or a dict name -> tensor."""
    pairs = []
    for item in outputs:
        if isinstance(item, Tensor):
            pairs.append((None, item))
        elif isinstance(item, dict):
            pairs.extend((str(k), v) for k, v in item.items())
        elif isinstance(item, (list, tuple)):
            pairs.extend((None, v) for v in item)
        else:
            raise TypeError(f"visualize: outputs must be Tensors (or a list or dict of "
                            f"Tensors), got {type(item).__name__}")
    for name, t in pairs:
        if not isinstance(t, Tensor):
            raise TypeError(f"visualize: output {name or ''!s} is a {type(t).__name__}, "
                            "expected a minigrad Tensor")
    if not pairs:
        raise ValueError("visualize: give at least one output tensor to draw")
    if len(pairs) == 1 and pairs[0][0] is None:
        return [("output", pairs[0][1])]
    return [(name if name is not None else f"output {i}", t) for i, (name, t) in enumerate(pairs)]


def output_tensors(outputs):
    return [t for _, t in output_list(outputs)]


def no_grad_inputs(node) -> dict:
    """index -> :class:`InputInfo` for each input of ``node`` that needs no grad,
    from the shapes and dtypes the node recorded for every input. A one-element
    input's value comes from ``node.saved`` when the op kept it (before backward
    frees it)."""
    saved = {s.what: s for s in (node.saved or ()) if s is not None}
    found = {}
    for i, p in enumerate(node.parents):
        if p is not None:
            continue
        info = InputInfo(i, tuple(node.input_shapes[i]), node.input_dtypes[i], None)
        kept = saved.get(f"input {i}")
        if info.is_scalar and kept is not None and kept.array.dtype.kind in "biuf":
            info.value = float(kept.array.reshape(-1)[0])
        found[i] = info
    return found


def _nearest_first(outputs, order):
    """The nodes of ``order`` (:func:`walk`'s, parents first) sorted by their
    distance from the outputs, ties in reversed walk order: the breadth-first
    order a reader scans from the loss, and what ``max_nodes`` keeps."""
    far = len(order) + 1
    depth = {}
    for t in outputs:
        if t.grad_fn is not None:
            depth[t.grad_fn] = 0
    reverse = order[::-1]           # every consumer of a node comes before it
    for node in reverse:
        d = depth.get(node, far) + 1
        for p in node.parents:
            if isinstance(p, Function) and d < depth.get(p, far):
                depth[p] = d
    position = {node: i for i, node in enumerate(reverse)}
    return sorted(reverse, key=lambda node: (depth.get(node, far), position[node]))


# -- building the drawing ------------------------------------------------------------

def build(outputs, params=None, collapse=None, max_nodes=None) -> Drawing:
    """The drawing of the graph behind ``outputs``, in five steps: visit the graph,
    name modules and parameters, place each item in its module's box, fold modules
    (``collapse``), and number what is left."""
    if max_nodes is not None and (not isinstance(max_nodes, int) or isinstance(max_nodes, bool)
                                  or max_nodes < 1):
        raise ValueError(f"visualize: max_nodes must be a positive int or None, got {max_nodes!r}")
    items, edges, consumers, hidden = _visit(output_list(outputs), max_nodes)
    roots, modules, module_names, param_names = module_and_parameter_names(items, params)
    _place(items, module_names, param_names)
    mapping = fold_modules(items, edges, consumers, collapse_rule(collapse), module_names)
    nodes, drawn_edges = _number(items, edges, mapping)
    op_count = sum(1 for item in items.values() if item.kind == "op")
    return Drawing(nodes, drawn_edges, module_names, modules, roots, op_count, hidden)


def _visit(pairs, max_nodes):
    """Step 1: the raw items keyed by what they are (ids are assigned last), the edges
    between keys, which ops use each leaf, and how many graph nodes ``max_nodes``
    left out (drawn as one "more" item)."""
    items = {}                # key -> DisplayNode
    edges = []
    consumers = {}            # leaf key -> set of op keys using it
    budget = [max_nodes if max_nodes is not None else -1]

    def room():
        if budget[0] == 0:
            return False
        budget[0] -= 1
        return True

    more_key = ("more",)
    tensors = [t for _, t in pairs]
    order = walk(tensors)
    for i, (name, t) in enumerate(pairs):
        out_key = ("out", i)
        items[out_key] = DisplayNode("", "output", t, name)
        node = t.grad_fn
        if node is None:
            continue
        key = ("op", id(node))
        if key not in items:
            if room():
                items[key] = DisplayNode("", "op", node)
            else:
                key = more_key
        edges.append((key, out_key))

    for node in _nearest_first(tensors, order):
        node_key = ("op", id(node))
        if node_key not in items:          # left out by max_nodes
            continue
        inputs = no_grad_inputs(node)
        for i, p in enumerate(node.parents):
            if p is None:
                info = inputs[i]
                if info.is_scalar:          # one number: written on the op itself
                    items[node_key].consts.append(info)
                    continue
                key = ("in", id(node), i)
                items[key] = DisplayNode("", "input", info)
                edges.append((key, node_key))
                continue
            is_leaf = isinstance(p, Tensor)
            key = ("leaf", id(p)) if is_leaf else ("op", id(p))
            if key not in items:
                if not room():
                    edges.append((more_key, node_key))
                    continue
                items[key] = DisplayNode("", "leaf" if is_leaf else "op", p)
            if is_leaf:
                consumers.setdefault(key, set()).add(node_key)
            edges.append((key, node_key))

    # What max_nodes left out: every op and leaf tensor of the graph not drawn.
    all_leaves = set()
    for node in order:
        all_leaves.update(id(p) for p in node.parents if isinstance(p, Tensor))
    drawn = sum(1 for item in items.values() if item.kind in ("op", "leaf"))
    hidden = len(order) + len(all_leaves) - drawn
    if hidden > 0:
        items[more_key] = DisplayNode("", "more", None, count=hidden)
    return items, edges, consumers, hidden



def _place(items, module_names, param_names):
    """Step 3: each op in the box of its module; a named leaf becomes a parameter,
    drawn in the box of the module that owns it."""
    owner_scope = {}          # module path -> scope prefix ending at that module
    for item in items.values():
        if item.kind == "op" and item.obj.scope:
            scope = item.obj.scope
            for j, m in enumerate(scope):
                owner_scope.setdefault(module_names.get(id(m)), scope[:j + 1])
    for item in items.values():
        if item.kind == "op":
            item.cluster = cluster_of(item.obj.scope, module_names)
        elif item.kind == "leaf":
            name = param_names.get(id(item.obj))
            if name is not None:
                item.kind, item.name = "param", name
                owner = name.rpartition(".")[0]
                if owner in owner_scope:
                    item.cluster = cluster_of(owner_scope[owner], module_names)


def _number(items, edges, mapping):
    """Step 5: ids in order of first appearance (the traversal order), and the edges
    between drawn items, deduplicated."""
    order, ids = [], {}
    for key in items:
        target = mapping.get(key, key)
        if target not in ids:
            ids[target] = f"n{len(ids)}"
            order.append(target)
    nodes = []
    for target in order:
        item = items[target]
        item.id = "more" if item.kind == "more" else ids[target]
        nodes.append(item)
    # A tensor used twice by one op (x * x) keeps both arrows; only the copies that
    # folding modules into one node creates are merged.
    seen, drawn_edges = set(), []
    for src, dst in edges:
        a, b = items[mapping.get(src, src)].id, items[mapping.get(dst, dst)].id
        folded = mapping.get(src, src) != src or mapping.get(dst, dst) != dst
        if a != b and not (folded and (a, b) in seen):
            seen.add((a, b))
            drawn_edges.append((a, b))
    return nodes, drawn_edges
