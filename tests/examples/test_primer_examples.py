"""examples/primer_steps.py (the primer's 11 steps, summed vs mean gradients) and
examples/pathologies.py (dying ReLUs, saturated sigmoids), on short settings."""
import importlib.util
import pathlib

import numpy as np
import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_primer_steps_summed_gradient_is_n_times_the_mean_and_both_train():
    steps = _load("primer_steps")
    logs = []
    r = steps.main(["--iterations", "12", "--batch-size", "8", "--lr", "0.02", "--eval", "200"],
                   log=logs.append)
    n = r["batch"]
    assert n == 8
    for k in steps.NAMES:
        np.testing.assert_allclose(r["first_sum"][k], n * r["first_mean"][k], rtol=1e-10,
                                   atol=1e-13, err_msg=k)
        assert np.linalg.norm(r["first_mean"][k]) > 0, k
    # the primer's sum with eta and minigrad's mean with N*eta take the same steps...
    assert r["moved"] > 1e-3 and r["param_drift"] < 1e-9
    # ...and both lower the held-out loss; the mean with the primer's eta moves less
    assert r["after_sum"] < r["before"] - 0.05
    assert r["after_mean"] < r["before"] - 0.05
    assert r["after_sum"] < r["after_same_eta"] < r["before"]
    text = "\n".join(logs)
    assert "output error delta3 = p - y" in text and "delta1 = route(delta)" in text
