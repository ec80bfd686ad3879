"""Tensor construction, dtype rules, conversions and in-place methods."""
import numpy as np
import pytest

import minigrad as mg


def test_python_data_takes_pytorchs_dtypes():
    """Floats float32, ints int64 (labels from a list work with cross_entropy), bools bool."""
    assert mg.tensor([1, 2, 3]).dtype == np.int64 == mg.int64
    assert mg.tensor([1, 2.5]).dtype == np.float32
    assert mg.tensor(2.5).dtype == np.float32 == mg.float32
    assert mg.tensor(7).dtype == np.int64
    with pytest.raises(TypeError, match="only floating-point tensors can require grad"):
        mg.tensor([1, 2], requires_grad=True)
    assert mg.tensor([[1.0, 2.0]]).shape == (1, 2)
    assert mg.tensor([True, False]).dtype == np.bool_
    for make in (mg.randn, mg.rand, mg.zeros, mg.ones):
        assert make(2, 3).dtype == np.float32 and make((2, 3)).shape == (2, 3)


def test_numpy_arrays_keep_their_dtype_and_are_copied():
    a = np.arange(3, dtype=np.float64)
    t = mg.tensor(a)
    assert t.dtype == np.float64
    a[0] = 99
    assert t.numpy()[0] == 0
    assert mg.tensor(np.arange(3)).dtype == np.int64
    assert mg.tensor([1, 2], dtype="float64").dtype == np.float64
    shared = mg.from_numpy(a)
    assert shared.numpy() is a


def test_float64_stays_float64_end_to_end():
    x = mg.Tensor(np.ones((2, 3)), requires_grad=True)
    y = ((x * 2 + 1).exp().sum(axis=1) / 3).mean()
    assert y.dtype == np.float64
    y.backward()
    assert x.grad.dtype == np.float64


def test_conversions():
    t = mg.tensor([[1.0, 2.0]])
    assert t.tolist() == [[1.0, 2.0]]
    assert isinstance(t.numpy(), np.ndarray)
    assert mg.tensor([3.0]).item() == 3.0
    assert float(mg.tensor(2.0)) == 2.0
    with pytest.raises(ValueError, match=r"item: only a one-element tensor.*\(1, 2\)"):
        t.item()
    assert t.astype("float64").dtype == np.float64
    assert t.ndim == 2 and t.numel() == 2 and t.shape == (1, 2) and t.is_leaf
    assert t.size() == (1, 2) and t.size(1) == 2 and t.dim() == 2


def test_pytorch_dtype_and_device_conversions():
    t = mg.tensor([[1.5, -2.0]])
    assert t.long().dtype == np.int64 and t.long().tolist() == [[1, -2]]
    assert t.int().dtype == np.int32 and t.bool().dtype == np.bool_
    assert t.double().dtype == np.float64 and t.double().float().dtype == np.float32
    assert t.to(mg.float64).dtype == np.float64 and t.to("float64").dtype == np.float64
    assert t.to("cpu") is t and t.to(mg.device("cpu")) is t and t.cpu() is t
    assert t.to("cpu", mg.float64).dtype == np.float64
    assert t.to(mg.zeros(1, dtype=mg.float64)).dtype == np.float64
    assert t.device == mg.device("cpu") == "cpu" and str(t.device) == "cpu"
    with pytest.raises(RuntimeError, match="minigrad runs on the CPU only, got 'cuda'"):
        t.to("cuda")
    with pytest.raises(RuntimeError, match="CPU only"):
        mg.device("cuda:0")
    assert not mg.cuda.is_available()


def test_named_comparisons():
    a, b = mg.tensor([1.0, 2.0, 3.0]), mg.tensor([2.0, 2.0, 2.0])
    assert a.eq(b).tolist() == [False, True, False] and a.ne(b).tolist() == [True, False, True]
    assert a.lt(b).tolist() == [True, False, False] and a.ge(b).tolist() == [False, True, True]
    assert a.gt(2).tolist() == [False, False, True] and a.le(2.0).tolist() == [True, True, False]


def test_rng_state_round_trip():
    state = mg.get_rng_state()
    first = mg.randn(3).tolist()
    mg.set_rng_state(state)
    assert mg.randn(3).tolist() == first
    with pytest.raises(TypeError, match="set_rng_state: expected a state"):
        mg.set_rng_state(123)


def test_astype_is_differentiable():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    x.astype(np.float64).sum().backward()
    assert x.grad.dtype == np.float32


def test_repr_shows_data_and_graph():
    x = mg.tensor([1.0], requires_grad=True)
    assert "requires_grad=True" in repr(x)
    assert "grad_fn=<MulScalar>" in repr(x * 2)
    assert "dtype=float64" in repr(mg.Tensor(np.ones(1)))


def test_creation_functions():
    mg.manual_seed(0)
    a = mg.randn(3, 3)
    mg.manual_seed(0)
    np.testing.assert_array_equal(a.numpy(), mg.randn(3, 3).data)
    np.testing.assert_array_equal(mg.eye(2).data, np.eye(2))
    assert mg.arange(5).dtype == np.int64 and mg.arange(0.0, 1.0, 0.25).dtype == np.float32
    assert mg.zeros_like(a).shape == (3, 3) and mg.ones_like(a).data.sum() == 9
    assert mg.full((2,), 7.0).tolist() == [7.0, 7.0]
    assert mg.zeros(2, requires_grad=True).requires_grad


def test_in_place_methods_bump_the_version():
    t = mg.zeros(3)
    v = t.version_cell()[0]
    t.fill_(2.0).add_(1.0).mul_(2.0)
    t[0] = 0.0
    assert t.tolist() == [0.0, 6.0, 6.0]
    assert t.version_cell()[0] == v + 4
    t.zero_()
    assert t.tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match=r"copy_: cannot copy a source of shape \(2,\)"):
        t.copy_(np.ones(2))


def test_read_only_numpy_input_is_usable():
    a = np.ones(3)
    a.flags.writeable = False
    t = mg.from_numpy(a)
    with mg.no_grad():
        t.add_(1.0)       # takes its own copy instead of failing in numpy
    assert t.tolist() == [2.0, 2.0, 2.0] and a[0] == 1.0


def test_bad_data_is_a_type_error():
    with pytest.raises(TypeError, match="tensor: cannot make a tensor from"):
        mg.tensor("abc")
    with pytest.raises(TypeError, match="cannot combine a tensor with"):
        mg.ones(2) * {"a": 1}


def test_bool_of_tensor():
    assert bool(mg.tensor([1.0]))
    with pytest.raises(ValueError, match="ambiguous"):
        bool(mg.ones(2))


def test_tensors_are_hashable_by_identity():
    a, b = mg.ones(1), mg.ones(1)
    assert len({a, b}) == 2


def test_format_of_a_0d_tensor_is_its_number_as_torch():
    torch = pytest.importorskip("torch")
    for value, spec in ((1.2345, ".2f"), (3, "5d"), (0.1, ""), (2.5, ">8.3e")):
        assert format(mg.tensor(value), spec) == format(torch.tensor(value), spec)
    assert f"{mg.tensor([1.5])}" == str(mg.tensor([1.5]))
    with pytest.raises(TypeError):
        format(torch.tensor([1.5]), ".2f")
    with pytest.raises(TypeError, match="only a 0-d tensor"):
        format(mg.tensor([1.5]), ".2f")


@pytest.mark.parametrize("make", [
    lambda lib: [lib.tensor(1), lib.tensor(2)],
    lambda lib: [lib.tensor(1.5, dtype=lib.float64), lib.tensor(2.0)],
    lambda lib: [lib.tensor(1), 2.5],
    lambda lib: [2, lib.tensor(True)],
    lambda lib: [[lib.tensor([1.0])], [lib.tensor(2.0)]],
    lambda lib: [lib.tensor([1.0]), lib.tensor([2.0])],
])
def test_tensor_of_a_list_of_one_element_tensors_as_torch(make):
    torch = pytest.importorskip("torch")
    ours, theirs = mg.tensor(make(mg)), torch.tensor(make(torch))
    assert ours.shape == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    assert ours.tolist() == theirs.tolist()


def test_tensor_of_a_list_of_longer_tensors_is_a_value_error_as_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError):
        torch.tensor([torch.ones(2), torch.ones(2)])
    with pytest.raises(ValueError, match="one-element tensors"):
        mg.tensor([mg.ones(2), mg.ones(2)])
