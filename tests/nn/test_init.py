"""nn.init beyond the fan-based initialisers (tests/nn/test_layers.py has those):
calculate_gain against torch's for every nonlinearity it lists, eye_, dirac_,
orthogonal_ (orthogonality, gain, distribution), trunc_normal_ (bounds, moments),
reproducibility under manual_seed."""
import math

import numpy as np
import pytest

import minigrad as mg
from minigrad.nn import init

NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
@pytest.mark.parametrize("param", [None, 0.2, 1, 3.5])
def test_calculate_gain_equals_torchs(nonlinearity, param):
    torch = pytest.importorskip("torch")
    assert init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(nonlinearity, param)


def test_eye_and_dirac_match_torch():
    torch = pytest.importorskip("torch")
    for shape in ((3, 5), (4, 2), (3, 3)):
        t, tt = mg.zeros(*shape) + 7, torch.full(shape, 7.0)
        assert init.eye_(t) is t
        np.testing.assert_array_equal(t.numpy(), torch.nn.init.eye_(tt).numpy())
    for shape, groups in (((6, 2, 3), 2), ((4, 4, 3, 3), 1), ((6, 3, 2, 3), 3), ((2, 3, 3, 3, 3), 1),
                          ((8, 2, 5, 5), 2)):
        t, tt = mg.ones(*shape), torch.ones(shape)
        np.testing.assert_array_equal(init.dirac_(t, groups).numpy(),
                                      torch.nn.init.dirac_(tt, groups).numpy())
    with pytest.raises(ValueError, match=r"eye_: only 2-D tensors are supported, got shape \(2, 2, 2\)"):
        init.eye_(mg.zeros(2, 2, 2))
    with pytest.raises(ValueError, match=r"dirac_: dim 0 of shape \(6, 4, 3, 3\) must be divisible "
                                         r"by groups \(4\)"):
        init.dirac_(mg.zeros(6, 4, 3, 3), 4)


def test_dirac_conv_passes_the_input_through():
    import minigrad.nn.functional as F
    w = init.dirac_(mg.zeros(3, 3, 3, 3, dtype=mg.float64))
    x = mg.Tensor(np.random.default_rng(0).normal(size=(2, 3, 5, 5)))
    np.testing.assert_allclose(F.conv2d(x, w, padding=1).numpy(), x.numpy(), atol=1e-12)


@pytest.mark.parametrize("shape", [(5, 5), (3, 8), (8, 3), (4, 2, 3, 3), (6, 1)])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal_gives_orthonormal_rows_or_columns_times_gain(shape, gain):
    mg.manual_seed(0)
    t = mg.zeros(*shape, dtype=mg.float64)
    version = t.version_cell()[0]
    assert init.orthogonal_(t, gain) is t and t.version_cell()[0] == version + 1
    m = t.numpy().reshape(shape[0], -1) / gain
    small = min(m.shape)
    gram = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)


def test_orthogonal_is_haar_distributed_and_reproducible():
    """With R's diagonal made positive, Q is uniform over the orthogonal group: its
    entries have mean 0 and variance 1/n (a plain QR's Q is biased in sign)."""
    mg.manual_seed(1)
    samples = np.stack([init.orthogonal_(mg.zeros(4, 4, dtype=mg.float64)).numpy()
                        for _ in range(2000)])
    np.testing.assert_allclose(samples.mean(axis=0), 0, atol=0.06)
    np.testing.assert_allclose(samples.var(axis=0), 1 / 4, atol=0.03)
    mg.manual_seed(5)
    a = init.orthogonal_(mg.zeros(3, 6)).numpy().copy()
    mg.manual_seed(5)
    np.testing.assert_array_equal(init.orthogonal_(mg.zeros(3, 6)).numpy(), a)
    with pytest.raises(ValueError, match="orthogonal_: only tensors with 2 or more dimensions"):
        init.orthogonal_(mg.zeros(3))


@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (0.0, 0.02, -2.0, 2.0),
                                             (1.0, 2.0, 0.5, 4.0), (0.0, 1.0, 1.0, 3.0)])
def test_trunc_normal_stays_in_bounds_with_the_truncated_moments(mean, std, a, b):
    torch = pytest.importorskip("torch")
    mg.manual_seed(2)
    t = init.trunc_normal_(mg.zeros(300, 400, dtype=mg.float64), mean, std, a, b)
    values = t.numpy()
    assert values.min() >= a and values.max() <= b
    # the truncated normal's mean and std, checked against torch's own sampler's
    reference = torch.nn.init.trunc_normal_(torch.empty(300, 400, dtype=torch.float64), mean, std,
                                            a, b).numpy()
    assert abs(values.mean() - reference.mean()) < 0.02 * std + 1e-4
    assert abs(values.std() / reference.std() - 1) < 0.02
    # and against the formula: alpha, beta in std units, Z the mass inside
    alpha, beta = (a - mean) / std, (b - mean) / std
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)   # noqa: E731
    mass = 0.5 * (math.erf(beta / math.sqrt(2)) - math.erf(alpha / math.sqrt(2)))
    expected_mean = mean + std * (pdf(alpha) - pdf(beta)) / mass
    assert abs(values.mean() - expected_mean) < 0.01 * std


def test_trunc_normal_bad_arguments_and_seed():
    with pytest.raises(ValueError, match="trunc_normal_: needs std > 0 and a < b"):
        init.trunc_normal_(mg.zeros(3), a=2.0, b=1.0)
    with pytest.raises(ValueError, match="lies too far in the tail"):
        init.trunc_normal_(mg.zeros(3), a=10.0, b=11.0)
    mg.manual_seed(4)
    a = init.trunc_normal_(mg.zeros(50)).numpy().copy()
    mg.manual_seed(4)
    np.testing.assert_array_equal(init.trunc_normal_(mg.zeros(50)).numpy(), a)
