"""Folding modules into single nodes (``collapse=``): which modules a ``collapse``
value picks, and step 4 of :func:`~visualize.graph.build`, which folds their ops and
the leaves only they use into one group node each."""
from __future__ import annotations

import fnmatch

from .drawing import DisplayNode
from .naming import cluster_of, named_members


def has_children(module):
    """Whether ``module`` has submodules (``collapse=True`` folds those without)."""
    children = getattr(module, "children", None)
    if not callable(children):
        return False
    return next(iter(children()), None) is not None


def collapse_rule(collapse):
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
        rules = [collapse_rule(c) for c in collapse]
        rules = [r for r in rules if r is not None]
        return lambda m, path, depth: any(r(m, path, depth) for r in rules)
    target = collapse
    return lambda m, path, depth: m is target


def fold_modules(items, edges, consumers, rule, module_names):
    """Step 4 of :func:`~visualize.graph.build`: fold the ops of each module ``rule``
    picks (and the leaves only it uses) into one group item, added to ``items``;
    returns key -> the key it is drawn as."""
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
                                               cluster=cluster_of(scope[:depth], module_names))
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


def _parameter_order(group):
    """The folded leaves in the module's own parameter order (weight, then bias)."""
    named = named_members(group.obj, "named_parameters")
    if named is None:
        group.absorbed.reverse()            # traversal meets the last-used leaf first
        return
    order = {id(t): i for i, (_, t) in enumerate(named)}
    group.absorbed.sort(key=lambda pair: order.get(id(pair[1]), len(order)))
