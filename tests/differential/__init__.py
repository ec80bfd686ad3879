"""Differential tests: minigrad against PyTorch on the same inputs (issue 20).

``table.py`` lists one row per public entry point that reaches a registered op,
gathered from ``rows_*.py`` (one module per op family; ``row.py`` says what a row
is); ``test_ops.py`` runs every row over its shapes, five memory layouts and two
dtypes; the other modules compare in-place semantics, the autograd API, the
default collate and the schedulers with PyTorch's.
"""
