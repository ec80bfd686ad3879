"""to_dot: golden output, labels for every op, clusters, collapse, max_nodes,
gradient colouring, saved values. None of these needs Graphviz."""
import re
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
import visualize
from minigrad import nn
from minigrad.autograd import Function, walk
from minigrad.ops.elementwise import Add
from visualize.dot import BAD_FILL, GRAD_BINS, ZERO_FILL
from visualize.dot import backward_rules, wrap
from tests.registry import all_cases, ops_in_graph
from tests.visualize.helpers import Affine, small_graph

GOLDEN = Path(__file__).with_name("golden_small.dot")


def node_lines(dot):
    """node id -> its whole statement line."""
    return {m.group(1): line for line in dot.splitlines()
            for m in [re.match(r"\s*(n\d+|more) \[", line)] if m}


def line_with(dot, text):
    found = [line for line in node_lines(dot).values() if text in line]
    assert found, f"no node line contains {text!r}"
    return found[0]


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


# -- modules: clusters and collapse -------------------------------------------------------

def mlp():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Sequential(nn.Linear(3, 4), nn.ReLU()), nn.Linear(4, 2))
    x = mg.Tensor(np.ones((5, 3), dtype=np.float32))
    return model, model(x).sum()


def clusters(dot):
    return re.findall(r"subgraph (cluster_\d+) \{\n\s*graph \[label=<(.*?)> ", dot)


def test_one_cluster_per_module_nested_with_parameters_inside():
    model, out = mlp()
    dot = visualize.to_dot(out, params=model)
    labels = [label for _, label in clusters(dot)]
    assert labels == ["<B>0</B>: Sequential", "<B>0.0</B>: Linear(in_features=3, "
                      "out_features=4, bias=True)", "<B>0.1</B>: ReLU()",
                      "<B>1</B>: Linear(in_features=4, out_features=2, bias=True)"]
    # 0.0 is nested inside 0; the parameter 0.0.weight is drawn inside 0.0's box.
    body = dot[dot.index("<B>0.0</B>"):]
    body = body[:body.index("}")]
    assert "<B>0.0.weight</B>" in body and "<B>MatMul</B>" in body
    assert "<B>1.weight</B>" not in body
    # Without params the names come from the model that recorded the graph.
    assert visualize.to_dot(out) == dot


def test_plain_objects_under_module_scope_are_clusters_too():
    w = mg.Tensor(np.ones((2, 2)), requires_grad=True)
    a, b = Affine(w, w), Affine(w, w)
    dot = visualize.to_dot(b(a(mg.Tensor(np.ones((1, 2))))))
    assert [label for _, label in clusters(dot)] == ["<B>Affine#1</B>: Affine",
                                                      "<B>Affine#2</B>: Affine"]


def test_collapse_folds_every_layer_into_one_node():
    model, out = mlp()
    dot = visualize.to_dot(out, collapse=True)
    assert "MatMul" not in dot and "Transpose" not in dot
    group = line_with(dot, "<B>0.0</B>: Linear")
    assert "weight (4, 3)" in group and "bias (4,)" in group and "(5, 4) float32 · 3 ops" in group
    assert "<B>0.1</B>: ReLU()" in dot
    assert [label for _, label in clusters(dot)] == ["<B>0</B>: Sequential"]
    edges = re.findall(r"(n\d+) -> (n\d+)", dot)
    assert all(a != b for a, b in edges) and len(edges) == len(set(edges))
    ids = {i: line for i, line in node_lines(dot).items()}
    by_name = {name: next(i for i, line in ids.items() if f"<B>{name}</B>:" in line)
               for name in ("0.0", "0.1", "1")}
    assert (by_name["0.0"], by_name["0.1"]) in edges and (by_name["0.1"], by_name["1"]) in edges


@pytest.mark.parametrize("spec, folded", [
    (1, ["0", "1"]), ("0", ["0"]), ("Linear", ["0.0", "1"]), (nn.Linear, ["0.0", "1"]),
    ("0.*", ["0.0", "0.1"]), (["1", "0.1"], ["0.1", "1"]),
])
def test_collapse_specs(spec, folded):
    model, out = mlp()
    dot = visualize.to_dot(out, params=model, collapse=spec)
    groups = sorted(re.findall(r'<B>([\d.]+)</B>: [^<]*<BR/>', dot))
    assert groups == folded, dot


def test_collapse_a_module_object():
    model, out = mlp()
    dot = visualize.to_dot(out, collapse=model[1])
    assert "<B>1</B>: Linear" in line_with(dot, "3 ops")
    assert dot.count("<B>MatMul</B>") == 1


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


# -- gradients --------------------------------------------------------------------------

def fill_of(line):
    return re.search(r'fillcolor="([^"]+)"', line).group(1)


def test_show_grad_flags_a_dead_relu_and_a_nan():
    w = mg.Tensor(np.ones((3, 2)), requires_grad=True)
    dead_bias = mg.Tensor(np.full(2, -100.0), requires_grad=True)   # relu input < 0 everywhere
    v = mg.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    x = mg.Tensor(np.ones((4, 3)))
    dead = (x @ w + dead_bias).relu().sum()
    poisoned = (v.exp() * mg.Tensor(np.array([1.0, np.nan]))).sum()
    loss = dead + poisoned
    params = {"w": w, "dead_bias": dead_bias, "v": v}
    recorder = visualize.record_grads(loss)
    loss.backward()
    dot = visualize.to_dot(loss, params=params, show_grad=True)

    for name in ("<B>w</B>", "<B>dead_bias</B>", "<B>Add</B>", "<B>MatMul</B>"):
        line = line_with(dot, name)
        assert "ALL ZERO" in line and fill_of(line) == ZERO_FILL and "dashed" in line, line
    relu = line_with(dot, "<B>ReLU</B>")                 # its own output gradient is fine
    assert "ALL ZERO" not in relu and "|grad| 2.83e+00" in relu
    for name in ("<B>v</B>", "<B>Exp</B>"):
        line = line_with(dot, name)
        assert "NaN x1" in line and fill_of(line) == BAD_FILL, line
    output = line_with(dot, "<B>output</B>")
    assert "|grad| 1.00e+00" in output and fill_of(output) == GRAD_BINS[1][1]
    assert "all zero (dead)" in dot and "NaN / inf" in dot          # the legend explains
    nodes = recorder.nodes
    assert len(nodes) == 8 and all(len(node.hooks) == 1 for node in nodes)
    recorder.remove()
    assert all(not node.hooks for node in nodes)


def test_show_grad_colours_by_magnitude():
    from visualize.dot import grad_colours
    from visualize.grads import GradStats
    fills = [grad_colours(GradStats.of(np.array([v])))[0]
             for v in (50, 5, 0.5, 0.05, 5e-3, 5e-4, 5e-5, 5e-7)]
    assert fills == [fill for _, fill, _ in GRAD_BINS]
    assert grad_colours(GradStats.of(np.array([0.0, 0.0])))[0] == ZERO_FILL
    assert grad_colours(GradStats.of(np.array([1.0, np.inf])))[0] == BAD_FILL
    assert grad_colours(None)[0] == "#ffffff"


def test_show_grad_without_recording_shows_leaf_gradients_only():
    loss, params = small_graph()
    loss.backward()
    dot = visualize.to_dot(loss, params=params, show_grad=True)
    assert "|grad|" in line_with(dot, "<B>layer.w</B>")
    assert "|grad|" not in line_with(dot, "<B>MatMul</B>")
    assert fill_of(line_with(dot, "<B>MatMul</B>")) == "#ffffff"
    assert "record_grads before backward" in dot
    # Backward freed the saved values; the input's shape is on the node regardless.
    assert "(2, 3) float64" in line_with(dot, "<B>input</B>")
    loss, params = small_graph()
    visualize.record_grads(loss)
    loss.backward()
    dot = visualize.to_dot(loss, params=params, show_grad=True)
    assert "(2, 3) float64" in line_with(dot, "<B>input</B>")
    assert "|grad|" in line_with(dot, "<B>MatMul</B>")


def test_collapsed_group_reports_a_dead_layer_inside():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    with mg.no_grad():
        model[0].bias.fill_(-100.0)                 # every ReLU input negative: dead
    out = model(mg.Tensor(np.ones((2, 3), dtype=np.float32))).sum()
    visualize.record_grads(out)
    out.backward()
    dot = visualize.to_dot(out, collapse=True, show_grad=True)
    group = line_with(dot, "<B>0</B>: Linear")
    assert "ALL ZERO" in group and fill_of(group) == ZERO_FILL
    table = visualize.grad_table(out)
    row = next(line for line in table.splitlines() if line.startswith("0 "))
    assert "all-zero" in row and "weight 0" in row


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
