"""benchmarks/models.py runs: every row's work (benchmarks/model_rows.py) at a tiny
size, untimed, and the two frameworks agree on its loss (so the benchmark compares
like with like)."""
import math

import pytest

from tests.benchmarks import load_script

torch = pytest.importorskip("torch")

models = load_script("models")
rows = load_script("model_rows")


@pytest.mark.parametrize("key", [k for k, size in rows.TINY.items() if size is not None])
def test_row_runs_and_losses_agree(key):
    row = rows.ROW_BY_KEY[key]
    pairs, rel = rows.check_row(torch, row, size=rows.TINY[key])
    assert rel <= 1e-4, pairs
    # The timed configuration too (dropout on in the MNIST Net), once each.
    ours, theirs = row.make(torch, size=rows.TINY[key])
    assert math.isfinite(ours()) and math.isfinite(theirs())


def test_memory_child_reports_json(capsys):
    models.memory_child("minigrad", steps=1)
    out = capsys.readouterr().out
    assert '"growth_mb"' in out and '"peak_mb"' in out


def test_unknown_row_is_an_error():
    with pytest.raises(SystemExit):
        models.main(["--rows", "no-such-row"])


def test_breakdown_prints_ops_and_blas_and_restores_what_it_timed(capsys):
    import numpy as np
    from minigrad.ops.conv import Conv2d
    matmul, conv_forward = np.matmul, Conv2d.forward
    models.breakdown(torch, "lenet", samples=2)
    out = capsys.readouterr().out
    assert "Conv2d.forward" in out and "inside np.matmul (BLAS)" in out and "aten::" in out
    assert np.matmul is matmul and Conv2d.forward is conv_forward


@pytest.mark.parametrize("option", ["--breakdown", "--profile"])
def test_breakdown_and_profile_take_only_rows_with_work(option):
    for key in ("memory", "no-such-row"):
        with pytest.raises(SystemExit):
            models.main([option, key])
