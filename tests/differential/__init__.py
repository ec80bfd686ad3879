"""Differential tests: minigrad against PyTorch on the same inputs (issue 20).

``table.py`` lists one row per public entry point that reaches a registered op;
``test_ops.py`` runs every row over its shapes, five memory layouts and two
dtypes; the other modules compare in-place semantics, the autograd API, the
default collate and the schedulers with PyTorch's.
"""
