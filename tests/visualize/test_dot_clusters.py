"""to_dot's modules: one cluster per module (nested, parameters inside), plain objects
under module_scope, and collapse (every layer, by spec, a module object) folding a
layer into one node."""
import re

import numpy as np
import pytest

import minigrad as mg
import visualize
from minigrad import nn
from tests.visualize.helpers import Affine, line_with, node_lines


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
