"""Names in a drawing: parameters' names, modules' dotted paths (class names for plain
objects given to ``module_scope``), and the module boxes (clusters) an item is drawn in."""
from __future__ import annotations

from minigrad._tensor import Tensor


def named_members(obj, method):
    """``obj.method()`` as a list (``named_modules``, ``named_parameters``), or None
    when ``obj`` has no such method."""
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


def module_paths(roots):
    """id(module) -> dotted path, from each root's named_modules() (a root is "");
    plain objects used with module_scope get their class name (numbered when a
    class occurs more than once)."""
    names = {}
    for root in roots:
        named = named_members(root, "named_modules")
        if named is None:
            continue
        names.setdefault(id(root), "")
        for path, m in named:
            names.setdefault(id(m), path)
    return names


def name_plain_modules(modules, names):
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


def module_and_parameter_names(items, params):
    """Step 2 of :func:`~visualize.graph.build`: the outermost modules seen (roots),
    every module by id, their dotted paths, and the parameters' names (from
    ``params``, else from the roots)."""
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
    module_names = module_paths(roots)
    name_plain_modules(modules, module_names)
    param_names = parameter_names(params)
    if params is None:        # name parameters through the model that made the graph
        for root in roots:
            for name, t in named_members(root, "named_parameters") or ():
                param_names.setdefault(id(t), name)
    return roots, modules, module_names, param_names


def cluster_of(scope, module_names):
    """The boxes an item with this module scope is drawn in (roots get no box)."""
    return tuple(m for m in scope if module_names.get(id(m)) != "") if scope else ()
