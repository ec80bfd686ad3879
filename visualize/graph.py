"""Turn a minigrad graph into a plain list of things to draw.

:func:`build` lists the nodes with the engine's own traversal
(:func:`minigrad.autograd.walk`, no recursion: a 100,000-op chain is fine) and
orders them by distance from the outputs (so ids and ``max_nodes`` keep what is
nearest the loss). It returns a :class:`Drawing`: display nodes with ids ``n0,
n1, ...``, the edges between them (in the forward direction: input -> op ->
output), the module each node belongs to, and with ``collapse`` whole modules
folded into single nodes. The DOT writer (:mod:`visualize.dot`) only formats it.

(Over 400 lines: the five steps of building the drawing, nodes, clusters and folds.)
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from minigrad.autograd import Function, walk
from minigrad._tensor import Tensor


# -- what is drawn -------------------------------------------------------------------

@dataclass
class InputInfo:
    """An input of an op that does not require grad (its parent slot is None):
    its shape and dtype as the node recorded them, and its value when it has one
    element and the op saved it for backward (``Add`` saves nothing, ``Mul`` does)."""
    index: int
    shape: tuple
    dtype: object
    value: float | None

    @property
    def is_scalar(self) -> bool:
        """One number: drawn inside its op's label rather than as a box of its own."""
        size = 1
        for n in self.shape:
            size *= n
        return size == 1


@dataclass
class DisplayNode:
    id: str
    kind: str                 # op | param | leaf | input | output | group | more
    obj: object = None        # Function, Tensor, module (group), InputInfo, or None
    name: str | None = None   # parameter path, output name, module path
    cluster: tuple = ()       # the modules (outermost first) whose box holds it
    members: list = field(default_factory=list)   # group: the ops folded in
    absorbed: list = field(default_factory=list)  # group: (name, tensor) leaves folded in
    consts: list = field(default_factory=list)    # op: InputInfo of its one-number constants
    exit: object = None       # group: the op whose output leaves the group
    count: int = 0            # more: how many graph nodes were left out


@dataclass
class Drawing:
    nodes: list
    edges: list               # (source id, target id), forward direction, no duplicates
    module_names: dict        # id(module) -> dotted path ("" for a root module)
    modules: dict             # id(module) -> module
    roots: list               # the outermost modules seen
    op_count: int
    hidden: int               # graph nodes left out by max_nodes


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


# -- names ---------------------------------------------------------------------------

def _named(obj, method):
    fn = getattr(obj, method, None)
    return list(fn()) if callable(fn) else None


def parameter_names(params) -> dict:
    """id(tensor) -> name from a dict, an nn.Module or (name, tensor) pairs."""
    if params is None:
        return {}
    if isinstance(params, dict):
        pairs = params.items()
    elif callable(getattr(params, "named_parameters", None)):
        pairs = params.named_parameters()
    else:
        try:
            pairs = list(params)
        except TypeError:
            raise TypeError("visualize: params must be a dict name -> Tensor, an "
                            f"nn.Module or (name, Tensor) pairs, got {type(params).__name__}") \
                from None
    names = {}
    for pair in pairs:
        try:
            name, t = pair
        except (TypeError, ValueError):
            raise TypeError("visualize: params must be a dict name -> Tensor, an nn.Module "
                            f"or (name, Tensor) pairs; got an item {pair!r}") from None
        if not isinstance(t, Tensor):
            raise TypeError(f"visualize: params[{name!r}] is a {type(t).__name__}, expected "
                            "a Tensor")
        names.setdefault(id(t), str(name))
    return names


def _module_paths(roots):
    """id(module) -> dotted path, from each root's named_modules() (a root is "");
    plain objects used with module_scope get their class name (numbered when a
    class occurs more than once)."""
    names = {}
    for root in roots:
        named = _named(root, "named_modules")
        if named is None:
            continue
        names.setdefault(id(root), "")
        for path, m in named:
            names.setdefault(id(m), path)
    return names


# -- collapse ------------------------------------------------------------------------

def has_children(module):
    children = getattr(module, "children", None)
    if not callable(children):
        return False
    return next(iter(children()), None) is not None


def _collapse_rule(collapse):
    """``collapse`` as a predicate (module, path, depth) -> bool."""
    if collapse is None or collapse is False:
        return None
    if collapse is True:
        return lambda m, path, depth: not has_children(m)
    if isinstance(collapse, int):
        return lambda m, path, depth: depth == collapse
    if isinstance(collapse, str):
        return lambda m, path, depth: (fnmatch.fnmatchcase(path, collapse)
                                       or type(m).__name__ == collapse)
    if isinstance(collapse, type):
        return lambda m, path, depth: isinstance(m, collapse)
    if isinstance(collapse, (list, tuple, set, frozenset)):
        rules = [_collapse_rule(c) for c in collapse]
        rules = [r for r in rules if r is not None]
        return lambda m, path, depth: any(r(m, path, depth) for r in rules)
    target = collapse
    return lambda m, path, depth: m is target


# -- building the drawing ------------------------------------------------------------

def build(outputs, params=None, collapse=None, max_nodes=None) -> Drawing:
    """The drawing of the graph behind ``outputs``, in five steps: visit the graph,
    name modules and parameters, place each item in its module's box, fold modules
    (``collapse``), and number what is left."""
    if max_nodes is not None and (not isinstance(max_nodes, int) or isinstance(max_nodes, bool)
                                  or max_nodes < 1):
        raise ValueError(f"visualize: max_nodes must be a positive int or None, got {max_nodes!r}")
    items, edges, consumers, hidden = _visit(output_list(outputs), max_nodes)
    roots, modules, module_names, param_names = _names(items, params)
    _place(items, module_names, param_names)
    mapping = _collapse(items, edges, consumers, _collapse_rule(collapse), module_names)
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


def _names(items, params):
    """Step 2: the outermost modules seen (roots), every module by id, their dotted
    paths, and the parameters' names (from ``params``, else from the roots)."""
    roots, modules = [], {}
    for item in items.values():
        if item.kind == "op" and item.obj.scope:
            for m in item.obj.scope:
                modules.setdefault(id(m), m)
            if id(item.obj.scope[0]) not in {id(r) for r in roots}:
                roots.append(item.obj.scope[0])
    if params is not None and callable(getattr(params, "named_modules", None)) \
            and all(r is not params for r in roots):
        roots.insert(0, params)
    module_names = _module_paths(roots)
    _name_plain_modules(modules, module_names)
    param_names = parameter_names(params)
    if params is None:        # name parameters through the model that made the graph
        for root in roots:
            for name, t in _named(root, "named_parameters") or ():
                param_names.setdefault(id(t), name)
    return roots, modules, module_names, param_names


def _cluster_of(scope, module_names):
    """The boxes an item with this module scope is drawn in (roots get no box)."""
    return tuple(m for m in scope if module_names.get(id(m)) != "") if scope else ()


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
            item.cluster = _cluster_of(item.obj.scope, module_names)
        elif item.kind == "leaf":
            name = param_names.get(id(item.obj))
            if name is not None:
                item.kind, item.name = "param", name
                owner = name.rpartition(".")[0]
                if owner in owner_scope:
                    item.cluster = _cluster_of(owner_scope[owner], module_names)


def _collapse(items, edges, consumers, rule, module_names):
    """Step 4: fold the ops of each module ``rule`` picks (and the leaves only it
    uses) into one group item, added to ``items``; returns key -> the key it is
    drawn as."""
    mapping = {key: key for key in items}
    if rule is None:
        return mapping
    groups = {}
    for key, item in items.items():
        if item.kind != "op" or not item.obj.scope:
            continue
        scope = item.obj.scope
        for depth, m in enumerate(scope):
            if rule(m, module_names.get(id(m), ""), depth):
                gkey = ("group", id(m))
                if gkey not in groups:
                    groups[gkey] = DisplayNode("", "group", m, module_names.get(id(m)),
                                               cluster=_cluster_of(scope[:depth], module_names))
                groups[gkey].members.append(item.obj)
                mapping[key] = gkey
                break
    for key, item in items.items():     # leaves used only inside one group
        if item.kind in ("param", "leaf") and key in consumers:
            targets = {mapping[c] for c in consumers[key]}
            if len(targets) == 1:
                (target,) = targets
                if target in groups:
                    groups[target].absorbed.append((item.name, item.obj))
                    mapping[key] = target
    for gkey, group in groups.items():  # the op whose output leaves the group
        for src, dst in edges:
            if mapping.get(src) == gkey and mapping.get(dst) != gkey:
                group.exit = items[src].obj
                break
        if group.exit is None:
            group.exit = group.members[0]
        _parameter_order(group)
    items.update(groups)
    return mapping


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


def _parameter_order(group):
    """The folded leaves in the module's own parameter order (weight, then bias)."""
    named = _named(group.obj, "named_parameters")
    if named is None:
        group.absorbed.reverse()            # traversal meets the last-used leaf first
        return
    order = {id(t): i for i, (_, t) in enumerate(named)}
    group.absorbed.sort(key=lambda pair: order.get(id(pair[1]), len(order)))


def _name_plain_modules(modules, names):
    """Modules outside any named root (plain objects given to module_scope) get
    their class name, numbered in forward order when a class occurs twice (the
    traversal meets them output first, hence the reversal)."""
    plain = [m for m in reversed(list(modules.values())) if id(m) not in names]
    counts = {}
    for m in plain:
        counts[type(m).__name__] = counts.get(type(m).__name__, 0) + 1
    seen = {}
    for m in plain:
        cls = type(m).__name__
        seen[cls] = seen.get(cls, 0) + 1
        names[id(m)] = cls if counts[cls] == 1 else f"{cls}#{seen[cls]}"
