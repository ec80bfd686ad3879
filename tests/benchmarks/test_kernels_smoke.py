"""benchmarks/kernels.py runs, and each kernel computes the same numbers in both
frameworks (so its timings compare like with like)."""
import importlib.util
import pathlib
import sys

import pytest

torch = pytest.importorskip("torch")

BENCHMARKS = pathlib.Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))   # kernels.py imports its sibling _common
_spec = importlib.util.spec_from_file_location("benchmark_kernels", BENCHMARKS / "kernels.py")
kernels = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(kernels)


@pytest.mark.parametrize("key", list(kernels.KERNELS))
def test_kernel_agrees_with_torch(key):
    assert kernels.check(torch, key) < 1e-5


def test_table_prints_a_row_per_kernel(capsys):
    kernels.main(["--samples", "1"])
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + len(kernels.KERNELS)   # the header and one row each
