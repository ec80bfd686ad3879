"""to_dot: golden output, labels for every op, max_nodes, saved values. None of these
needs Graphviz. Clusters and collapse are in tests/visualize/test_dot_clusters.py,
gradient colouring in tests/visualize/test_dot_gradients.py."""
import re
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
import visualize
from minigrad import nn
from minigrad.autograd import Function, walk
from minigrad.ops.elementwise import Add
from visualize.dot import backward_rules, wrap
from tests.registry import all_cases, ops_in_graph
from tests.visualize.helpers import line_with, node_lines, small_graph

GOLDEN = Path(__file__).with_name("golden_small.dot")


# -- golden and determinism ------------------------------------------------------------

def test_golden_dot_of_a_small_fixed_graph():
    loss, params = small_graph()
    assert visualize.to_dot(loss, params=params) == GOLDEN.read_text()


def test_same_graph_gives_the_same_dot_and_ids_are_a_counter():
    a, b = (visualize.to_dot(small_graph()[0]) for _ in range(2))
    assert a == b
    ids = sorted(int(i[1:]) for i in node_lines(a))
    assert ids == list(range(len(ids)))
    assert "0x" not in a                   # no memory addresses anywhere


def test_draw_graph_source_is_to_dot():
    loss, params = small_graph()
    graph = visualize.draw_graph(loss, params=params, show_backward=True)
    import graphviz
    assert isinstance(graph, graphviz.Digraph)
    assert graph.source == visualize.to_dot(loss, params=params, show_backward=True)


# -- what nodes say ----------------------------------------------------------------------

def test_small_graph_labels():
    loss, params = small_graph()
    dot = visualize.to_dot(loss, params=params)
    assert "(3, 4) float64" in line_with(dot, "<B>layer.w</B>")        # parameter: name, shape
    assert "#cfe2ff" in line_with(dot, "<B>layer.w</B>")               # parameter colour
    assert "(2, 3) float64" in line_with(dot, "<B>input</B>")         # no-grad input's shape
    assert "#e9ecef" in line_with(dot, "<B>input</B>")
    assert "() float64 = 0.31591" in line_with(dot, "<B>output</B>")   # scalar output value
    assert "peripheries" in line_with(dot, "<B>output</B>")
    assert "<B>MulScalar</B> (* 2)<BR/>" in dot                        # the number on its op
    assert "(2, 4) float64" in line_with(dot, "<B>ReLU</B>")
    assert "dx = dy where x &gt; 0" not in dot
    assert "dx = dy where x &gt; 0" in visualize.to_dot(loss, show_backward=True)


def _own_tiny_graphs():
    """Graphs for the conv and pooling family (whichever cases tests/ops has)."""
    import minigrad.nn.functional as F
    rng = np.random.default_rng(0)
    x = mg.Tensor(rng.standard_normal((1, 2, 5, 5)), requires_grad=True)
    w = mg.Tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
    wt = mg.Tensor(rng.standard_normal((2, 3, 3, 3)), requires_grad=True)
    b = mg.Tensor(rng.standard_normal(3), requires_grad=True)
    return [(F.conv2d(x, w, b, stride=2, padding=1),),
            (F.conv_transpose2d(x, wt, stride=2),),
            (F.max_pool2d(x, 2),), (F.avg_pool2d(x, 2, stride=1),)]


def _with_backward_graphs(outs):
    """``outs`` plus the graphs of their gradients and second gradients (with
    create_graph), where the backward-only ops (MaxUnpool2d, ...) live."""
    graphs = [outs]
    leaves = []
    for node in walk(outs):
        for p in node.parents:
            if isinstance(p, mg.Tensor) and all(p is not q for q in leaves):
                leaves.append(p)
    if not leaves:
        return graphs
    total = sum(((o * o).sum() for o in outs if o.requires_grad), mg.Tensor(0.0))
    grads = mg.grad(total, leaves, create_graph=True, allow_unused=True)
    grads = tuple(g for g in grads if g is not None and g.requires_grad)
    if grads:
        graphs.append(grads)
        second = sum(((g * g).sum() for g in grads), mg.Tensor(0.0))
        seconds = mg.grad(second, leaves, create_graph=True, allow_unused=True)
        graphs.append(tuple(g for g in seconds if g is not None and g.requires_grad))
    return graphs


def drawn_text(line):
    """A DOT node line's label as plain text: tags dropped, entities decoded."""
    import html
    return html.unescape(re.sub(r"<[^>]*>", " ", line))


def test_every_registered_op_shows_the_rules_of_its_own_docstring():
    sources = [case.fn(*case.inputs()) for case in all_cases()] + _own_tiny_graphs()
    covered = {}
    for out in sources:
        out = out if isinstance(out, tuple) else (out,)
        for graph in _with_backward_graphs(out):
            if graph:
                for op in ops_in_graph(*graph):
                    covered.setdefault(op, graph)
    library = {op for op in Function.registry if op.__module__.startswith("minigrad.")}
    missing = sorted(op.__name__ for op in library - set(covered))
    assert not missing, f"no tiny graph for {missing}"
    for op, outs in covered.items():
        dot = visualize.to_dot(*outs, show_backward=True)
        node = next(n for n in walk(outs) if type(n) is op)   # drawn by its name (a ctx
        line = line_with(dot, f"<B>{node.name}</B>")           # Function's: its class + Backward)
        assert re.search(r"\(\d*(, \d+)*,?\) float", line), line      # output shape, dtype
        forward, rules = op.formula()
        assert rules, f"{op.__name__}'s docstring states no gradient rule"
        shown = " ".join(drawn_text(line).split())
        for rule in rules:                 # each rule, as the docstring words it
            assert " ".join(rule.replace("``", "").split()) in shown, (op.__name__, rule)


def test_rules_are_read_from_the_docstring_of_any_op():
    class Cube(Function, register=False):
        """y = x^3.
        dx = 3 x^2 dy  (the power rule,
            continued on a second line)
        """

        def forward(self, a):
            return a ** 3

        def backward(self, g):
            return g * 3 * self.saved_tensors[0] ** 2

    class Mystery(Function, register=False):
        def forward(self, a):
            return a

        def backward(self, g):
            return g

    x = mg.Tensor(np.ones(3), requires_grad=True)
    assert backward_rules(Cube) == ["dx = 3 x^2 dy  (the power rule, continued on a second line)"]
    assert "dx = 3 x^2 dy  (the power rule, continued" in visualize.to_dot(Cube()(x), show_backward=True)
    assert backward_rules(Mystery())[0].startswith("backward: see the op's code")
    assert "see the op&#x27;s code" in visualize.to_dot(Mystery()(x), show_backward=True) or \
        "see the op's code" in visualize.to_dot(Mystery()(x), show_backward=True)
    # A long rule is cut into lines at spaces, never inside a word.
    long = "dx = " + " ".join(["word"] * 40)
    assert all(len(part) <= 60 for part in wrap(long)) and " ".join(wrap(long)) == long


def test_settings_are_shown_without_defaults():
    class Conv2dLike(Function, register=False):
        """y = fake conv.   dx = dy"""

        def __init__(self, stride=1, padding=0, dilation=1):
            self.stride, self.padding, self.dilation = stride, padding, dilation

        def forward(self, x):
            return x * 1.0

        def backward(self, g):
            return g

    x = mg.Tensor(np.ones((2, 2)), requires_grad=True)
    dot = visualize.to_dot(Conv2dLike(stride=(2, 2), padding=(1, 1), dilation=(1, 1))(x))
    assert "<B>Conv2dLike</B> stride=2 pad=1<BR/>" in dot
    dot = visualize.to_dot(x.sum(axis=1, keepdims=True), show_backward=True)
    assert "<B>Sum</B> axis=1 keepdims=True" in dot


def test_a_leaf_output_and_several_named_outputs():
    w = mg.Tensor(np.ones(3), requires_grad=True)
    dot = visualize.to_dot({"w": w, "double": w * 2})
    assert "<B>w</B>" in dot and "<B>double</B>" in dot
    assert "leaf (requires grad)" in dot


def test_bad_arguments_say_what_is_wrong():
    loss, _ = small_graph()
    with pytest.raises(TypeError, match="Tensor"):
        visualize.to_dot(np.ones(3))
    with pytest.raises(ValueError, match="max_nodes"):
        visualize.to_dot(loss, max_nodes=0)
    with pytest.raises(TypeError, match="params"):
        visualize.to_dot(loss, params=42)
    with pytest.raises(ValueError, match="at least one"):
        visualize.to_dot()


# -- size: max_nodes and a 100,000-node chain -------------------------------------------------

def test_max_nodes_truncates_with_a_visible_more_node():
    loss, params = small_graph()
    dot = visualize.to_dot(loss, params=params, max_nodes=3)
    more = node_lines(dot)["more"]
    assert "... 4 more nodes" in more            # 5 ops + 2 leaves, 3 drawn
    assert set(node_lines(dot)) == {"n0", "n1", "n2", "n3", "more"}   # output + 3
    assert "more -> " in dot
    assert "no more" not in visualize.to_dot(loss, max_nodes=7) and \
        "more [" not in visualize.to_dot(loss, max_nodes=7)


def test_a_100000_node_chain_does_not_hit_the_recursion_limit():
    x = mg.Tensor(np.ones(2), requires_grad=True)
    y = x
    for _ in range(100_000):
        y = -y
    dot = visualize.to_dot(y, max_nodes=50)
    assert "... 99951 more nodes" in dot          # 100,000 ops + the leaf - 50 drawn
    full = visualize.to_dot(y, legend=False)
    assert full.count("<B>Neg</B>") == 100_000 and "more [" not in full


def saved_note(dot, op_name):
    op = next(i for i, line in node_lines(dot).items() if f"<B>{op_name}</B>" in line)
    found = re.search(rf"{op}_saved \[(.*)\]", dot)
    return found.group(1) if found else None


def test_show_saved_lists_exactly_what_backward_keeps():
    loss, params = small_graph()
    dot = visualize.to_dot(loss, params=params, show_saved=True)
    # MulScalar (relu * 2) keeps nothing: its number is a setting. MatMul keeps only
    # x (for db); ReLU its output; Add and Mean nothing.
    assert saved_note(dot, "MulScalar") is None
    matmul = saved_note(dot, "MatMul")
    assert "<B>saved</B> 48 B" in matmul and "input 0 (2, 3) float64 48 B" in matmul
    assert "input 1" not in matmul
    assert "output (2, 4) float64 64 B" in saved_note(dot, "ReLU")
    assert saved_note(dot, "Add") is None and saved_note(dot, "Mean") is None
    relu = next(i for i, line in node_lines(dot).items() if "<B>ReLU</B>" in line)
    assert f"{relu}_saved -> {relu}" in dot
    # A product of two tensors keeps each for the other's gradient.
    w = mg.Tensor(np.array([3.0, 4.0]), requires_grad=True)
    both = saved_note(visualize.to_dot((w * w.exp()).sum(), show_saved=True), "Mul")
    assert "input 0 (2,) float64 16 B" in both and "input 1 (2,) float64 16 B" in both
    # An op whose forward kept an intermediate array lists it as "array".
    x = mg.Tensor(np.array([-1.0, 2.0]), requires_grad=True)
    assert "array (2,) float64 16 B" in saved_note(visualize.to_dot(x.abs(), show_saved=True),
                                                   "Abs")
    loss.backward()
    dot = visualize.to_dot(loss, params=params, show_saved=True)
    assert "_saved [" not in dot
    for name in ("MatMul", "ReLU"):
        assert "saved values freed by backward" in line_with(dot, f"<B>{name}</B>")
    for name in ("Add", "MulScalar"):   # they saved nothing to free
        assert "freed" not in line_with(dot, f"<B>{name}</B>")


def test_one_number_constants_are_written_on_their_op():
    x = mg.Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    dot = visualize.to_dot(((x + 1.0) * 3.0 / 4.0 - 2.0).sum(), (1.0 - x).sum(), legend=False)
    # A Python number added or multiplied is a setting of a one-input op: shown.
    assert "<B>AddScalar</B> (+ 1)<BR/>" in dot and "<B>MulScalar</B> (* 3)<BR/>" in dot
    # Sub saves nothing, so the number itself is not known: its shape is.
    assert "<B>Sub</B> (- const ())<BR/>" in dot and "<B>Sub</B> (const () - x)<BR/>" in dot
    # Div keeps the constant for backward: its value is shown.
    assert "<B>Div</B> (/ 4)<BR/>" in dot
    assert "<B>input</B>" not in dot                       # no box far from its op
    # A constant of another dtype says so (an op called directly: `+` would promote it first).
    y = mg.Tensor(np.ones(2), requires_grad=True)
    dot = visualize.to_dot(Add()(y, mg.Tensor(np.array(1.0, dtype=np.float32))), legend=False)
    assert "<B>Add</B> (+ const () float32)" in dot


def test_batchnorm_is_one_node():
    mg.manual_seed(0)
    bn = nn.BatchNorm2d(3)
    x = mg.Tensor(np.random.default_rng(0).standard_normal((2, 3, 4, 4)).astype(np.float32),
                  requires_grad=True)
    dot = visualize.to_dot(bn(x).sum(), legend=False)
    assert "<B>BatchNorm</B>" in dot and "<B>Sqrt</B>" not in dot   # one fused op
    assert "<B>input</B>" not in dot and "shape not saved" not in dot


def test_a_tensor_used_twice_by_one_op_draws_two_arrows():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    dot = visualize.to_dot((x * x).sum(), legend=False)
    arrows = [line.strip() for line in dot.splitlines() if "->" in line]
    leaf_to_mul = [a for a in arrows if a.startswith("n3 -> n2")]
    assert len(leaf_to_mul) == 2, arrows
