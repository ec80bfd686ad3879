"""benchmarks/kernels.py runs, and each kernel computes the same numbers in both
frameworks (so its timings compare like with like)."""

import pytest

from tests.benchmarks import load_script

torch = pytest.importorskip("torch")

kernels = load_script("kernels")


@pytest.mark.parametrize("key", list(kernels.KERNELS))
def test_kernel_agrees_with_torch(key):
    assert kernels.check(torch, key) < 1e-5


def test_table_prints_a_row_per_kernel(capsys):
    kernels.main(["--samples", "1"])
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + len(kernels.KERNELS)   # the header and one row each
