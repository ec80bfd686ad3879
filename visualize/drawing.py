"""What a drawing is made of: the display nodes (ops, tensors, folded modules), the
no-grad inputs they show, and the :class:`Drawing` that :func:`visualize.graph.build`
returns and the DOT writer (:mod:`visualize.dot`) formats."""
from __future__ import annotations

from dataclasses import dataclass, field


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
