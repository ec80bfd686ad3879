"""examples/primer_steps.py (the primer's 11 steps, summed vs mean gradients) and
examples/pathologies.py (dying ReLUs, saturated sigmoids), on short settings."""
import numpy as np
import pytest
from tests.examples.scripts import load_example


def test_primer_steps_summed_gradient_is_n_times_the_mean_and_both_train():
    steps = load_example("primer_steps")
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
    assert "unchanged" not in text                  # the same-eta mean run does move
    assert f"(steps N = {n} times smaller): {r['after_same_eta']:.4f}" in text
    # Steps 6-8 from the primer's formulas, with a conv layer after a conv layer (the
    # recurrence delta1 = delta2 * rot180(W2) ⊙ relu'(z1)), equal backward()'s numbers.
    checks = r["steps_7_8"]
    assert any("delta1 = delta2 * rot180(W2)" in k for k in checks)
    assert sum(k.startswith("step 8") for k in checks) == 6
    assert max(checks.values()) < 1e-12, checks
    assert "step 8: dW2 = a1 (padded) correlated with delta2: max |difference|" in text


@pytest.fixture(scope="module")
def pathologies_result():
    patho = load_example("pathologies")
    return patho.main(["--steps", "60", "--held-out", "300", "--no-plot"], log=lambda *a: None)


def test_large_learning_rate_kills_more_relus_on_held_out_images(pathologies_result):
    r = pathologies_result
    big, small = r["relu_big_dead"], r["relu_small_dead"]
    assert list(big) == list(small) and len(big) == 4
    assert all(0.0 <= v <= 1.0 for v in list(big.values()) + list(small.values()))
    # the large rate kills more units, in total and in the deeper layers (seed 0:
    # 13/47/70/84% at lr 2 against 12/9/27/22% at lr 0.05 on these settings)
    assert np.mean(list(big.values())) > np.mean(list(small.values())) + 0.2
    assert max(big.values()) > 0.6
    assert sum(big[n] > small[n] + 0.1 for n in big) >= 2
    assert np.isfinite(r["relu_big_losses"]).all()


def test_sigmoid_saturation_and_gradient_decay_with_depth(pathologies_result):
    r = pathologies_result
    init, trained = r["sigmoid_init_saturated"], r["sigmoid_big_saturated"]
    assert len(init) == 4 and all(0.0 <= v <= 1.0 for v in list(init.values()) + list(trained.values()))
    # training at lr 2 drives at least one sigmoid layer into saturation
    assert max(trained.values()) > max(init.values()) + 0.3
    norms = list(r["sigmoid_grad_norms"].values())
    # the first conv's weight gradient is far smaller than the last layer's, and
    # the sigmoid net's decay is much steeper than the ReLU net's
    assert norms[0] * 100 < norms[-1]
    relu = list(r["relu_grad_norms"].values())
    assert norms[-1] / norms[0] > 10 * (relu[-1] / relu[0])


def test_pathology_plots_are_written(pathologies_result, tmp_path):
    pytest.importorskip("matplotlib")
    patho = load_example("pathologies")
    paths = patho.plot(pathologies_result, str(tmp_path), log=lambda *a: None)
    assert sorted(p.rsplit("/", 1)[-1] for p in paths) == ["dying_relu.png", "sigmoid_saturation.png"]
    for p in paths:
        assert open(p, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_pathologies_says_so_without_matplotlib(pathologies_result, tmp_path, monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    logs = []
    assert load_example("pathologies").plot(pathologies_result, str(tmp_path), log=logs.append) is None
    assert "matplotlib is not installed" in logs[0] and not list(tmp_path.iterdir())
