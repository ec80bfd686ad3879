"""The differential table: every row, gathered from the table modules of each op
family (tests/differential/rows_*.py; a row's format is in tests/differential/row.py)."""
from tests.differential import (rows_elementwise, rows_nn, rows_recurrent_custom,
                                rows_reduce_linalg, rows_shape)

ROWS = (rows_shape.ROWS + rows_elementwise.ROWS + rows_reduce_linalg.ROWS + rows_nn.ROWS
        + rows_recurrent_custom.ROWS)
