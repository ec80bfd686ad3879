"""Embedding (minigrad/ops/embedding.py, nn.Embedding): gradient cases, the
scatter-add gradient with repeated indices and padding_idx, PyTorch's numbers."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from tests.registry import Case

INDICES = np.array([[0, 2, 2], [3, 0, 1]])   # repeats: their gradients add up

CASES = [
    Case("embedding_repeated_indices", lambda w: F.embedding(INDICES, w) ** 2,
         lambda r: r.normal(size=(4, 3))),
    # The padding row is read but gets no gradient (PyTorch's rule, not a derivative),
    # so the positions that read it are masked out for the finite differences.
    Case("embedding_padding_idx",
         lambda w: F.embedding(INDICES, w, padding_idx=2) * (INDICES != 2)[..., None],
         lambda r: r.normal(size=(4, 2))),
    Case("embedding_scalar_index", lambda w: F.embedding(np.array(1), w).exp(),
         lambda r: r.normal(size=(3, 2))),
]


def test_gradient_is_a_scatter_add_and_skips_the_padding_row():
    w = mg.Tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
    out = F.embedding(mg.tensor(INDICES), w, padding_idx=0)
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out.numpy()[1, 0], w.numpy()[3])
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy()[:, 0], [0, 1, 2, 1])   # row 0 is padding


def test_module_matches_torch_and_initialises_as_torch():
    torch = pytest.importorskip("torch")
    mg.manual_seed(0)
    ours = nn.Embedding(10, 4, padding_idx=3, dtype=np.float64)
    np.testing.assert_array_equal(ours.weight.numpy()[3], 0)
    values = ours.weight.numpy()[np.arange(10) != 3]
    assert abs(values.mean()) < 0.6 and 0.5 < values.std() < 1.5   # N(0, 1)
    theirs = torch.nn.Embedding(10, 4, padding_idx=3, dtype=torch.float64)
    theirs.weight.data[...] = torch.tensor(ours.weight.numpy())
    idx = np.array([[1, 3, 3, 9], [0, 1, 2, 3]])
    out, expected = ours(mg.tensor(idx)), theirs(torch.tensor(idx))
    cotangent = np.random.default_rng(0).normal(size=out.shape)
    (out * mg.Tensor(cotangent)).sum().backward()
    (expected * torch.tensor(cotangent)).sum().backward()
    np.testing.assert_array_equal(out.numpy(), expected.detach().numpy())
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-12)
    assert repr(ours) == "Embedding(10, 4, padding_idx=3)"
    assert nn.Embedding(5, 2, padding_idx=-1).padding_idx == 4   # negative counts from the end


@pytest.mark.parametrize("call, exc, pattern", [
    (lambda: F.embedding(np.array([0, 4]), mg.ones(4, 2)), IndexError,
     r"embedding: index 4 is out of range for a weight of 4 rows \(expected 0 <= index < 4\)"),
    (lambda: F.embedding(np.array([0.0]), mg.ones(4, 2)), TypeError,
     r"embedding: input must hold integer indices, got dtype float64"),
    (lambda: nn.Embedding(4, 2, padding_idx=4), ValueError,
     r"Embedding: padding_idx must be an int in \[-4, 4\), got 4"),
    (lambda: F.embedding(np.array([0]), mg.ones(4)), ValueError,
     r"embedding: weight must be 2-D \(num_embeddings, embedding_dim\), got shape \(4,\)"),
])
def test_embedding_errors(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()
