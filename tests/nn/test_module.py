"""Module bookkeeping: registration, traversal, modes, state dicts, repr."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.bn = nn.BatchNorm1d(3)
        self.act = nn.ReLU()
        self.head = nn.Sequential(nn.Linear(3, 2), nn.Tanh())
        self.scale = nn.Parameter(np.ones(1, np.float32))
        self.not_a_param = mg.ones(2)   # a plain tensor attribute is not registered
        self.note = "text"

    def forward(self, x):
        return self.head(self.act(self.bn(self.fc1(x)))) * self.scale


def test_assignment_registers_parameters_modules_and_buffers():
    m = Block()
    assert [n for n, _ in m.named_parameters()] == [
        "scale", "fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "head.0.weight", "head.0.bias"]
    assert [n for n, _ in m.named_buffers()] == [
        "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]
    assert [n for n, _ in m.named_children()] == ["fc1", "bn", "act", "head"]
    assert [n for n, _ in m.named_modules()] == ["", "fc1", "bn", "act", "head", "head.0", "head.1"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in m.parameters())
    assert not any(p is m.not_a_param for p in m.parameters())
    assert m.fc1.weight is m._modules["fc1"]._parameters["weight"]


def test_state_dict_keys_follow_pytorch_order():
    m = Block()
    assert list(m.state_dict()) == [
        "scale", "fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "bn.running_mean",
        "bn.running_var", "bn.num_batches_tracked", "head.0.weight", "head.0.bias"]


def test_reassignment_and_deletion_update_the_registry():
    m = nn.Linear(2, 2)
    new = nn.Parameter(np.zeros((2, 2), np.float32))
    m.weight = new
    assert m.weight is new and list(m.parameters())[0] is new
    m.bias = None
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    assert "bias" not in m.state_dict()
    with pytest.raises(TypeError, match="bias"):
        m.bias = mg.zeros(2)   # a plain tensor in a parameter slot: refuse, do not drop silently
    del m.weight
    assert list(m.parameters()) == []


def test_missing_super_init_is_a_clear_error():
    class Bad(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(RuntimeError, match="super\\(\\).__init__"):
        Bad()


def test_shared_parameter_is_listed_once_but_keyed_twice():
    a = nn.Linear(2, 2)
    m = nn.Sequential(a, nn.ReLU(), a)
    assert len(list(m.parameters())) == 2
    assert list(m.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_parameter_shares_a_tensor_array_and_copies_lists():
    t = mg.ones(3)
    p = nn.Parameter(t)
    assert p.numpy() is t.numpy() and p.requires_grad and p.is_leaf
    q = nn.Parameter([1.0, 2.0])
    assert q.dtype == np.float32 and q.shape == (2,)
    assert not hasattr(p, "__dict__")     # __slots__ = (): no per-instance dict
    assert repr(p).startswith("Parameter containing:")


def test_train_eval_and_zero_grad():
    m = Block()
    assert all(mod.training for mod in m.modules())
    assert m.eval() is m
    assert not any(mod.training for mod in m.modules())
    m.train()
    m(mg.randn(5, 4)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_call_runs_forward_inside_the_module_scope():
    m = Block()
    out = m(mg.randn(5, 4))
    assert out.grad_fn.scope == (m,)                      # the final multiply: in Block
    tanh_node = out.grad_fn.parents[0]
    assert tanh_node.scope == (m, m.head, m.head[1])


def test_state_dict_round_trip_gives_identical_outputs(tmp_path):
    mg.manual_seed(0)
    a, b = Block(), Block()
    a(mg.randn(8, 4))                                      # move a's running statistics
    x = mg.randn(6, 4)
    a.eval(), b.eval()
    assert not np.allclose(a(x).numpy(), b(x).numpy())
    mg.save(a.state_dict(), tmp_path / "m.npz")
    result = b.load_state_dict(mg.load(tmp_path / "m.npz"))
    assert result.missing_keys == [] and result.unexpected_keys == []
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())
    assert int(b.bn.num_batches_tracked.item()) == 1


def test_state_dict_shares_arrays_and_load_copies():
    m = nn.Linear(2, 2)
    sd = m.state_dict()
    assert np.shares_memory(sd["weight"].numpy(), m.weight.numpy()) and not sd["weight"].requires_grad
    values = {k: np.full(v.shape, 7.0) for k, v in sd.items()}   # float64 source
    version = m.weight.version_cell()[0]
    m.load_state_dict(values)
    assert m.weight.dtype == np.float32 and np.all(m.weight.numpy() == 7)
    assert m.weight.version_cell()[0] == version + 1
    values["weight"][...] = 0
    assert np.all(m.weight.numpy() == 7)


def test_load_state_dict_names_every_problem_and_applies_nothing():
    m = Block()
    before = {k: v.numpy().copy() for k, v in m.state_dict().items()}
    bad = {k: np.zeros(v.shape) for k, v in m.state_dict().items()}
    del bad["fc1.bias"]
    bad["extra.weight"] = np.zeros(3)
    bad["head.0.weight"] = np.zeros((5, 5))
    with pytest.raises(nn.StateDictError) as info:
        m.load_state_dict(bad)
    message = str(info.value)
    assert "missing key(s): fc1.bias" in message
    assert "unexpected key(s): extra.weight" in message
    assert "size mismatch for head.0.weight" in message and "(5, 5)" in message
    assert isinstance(info.value, ValueError) and isinstance(info.value, RuntimeError)
    for k, v in m.state_dict().items():                   # nothing was written
        np.testing.assert_array_equal(v.numpy(), before[k])


def test_load_state_dict_non_strict_reports_but_still_checks_shapes():
    m = nn.Linear(3, 2)
    result = m.load_state_dict({"weight": np.ones((2, 3)), "other": np.ones(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["other"]
    assert np.all(m.weight.numpy() == 1)
    with pytest.raises(nn.StateDictError, match="size mismatch for weight"):
        m.load_state_dict({"weight": np.ones((3, 2))}, strict=False)
    with pytest.raises(TypeError, match="dict"):
        m.load_state_dict([1, 2])


def test_repr_reads_like_pytorch():
    text = repr(Block())
    assert text.startswith("Block(\n  (fc1): Linear(in_features=4, out_features=3, bias=True)")
    assert "  (head): Sequential(\n    (0): Linear(in_features=3, out_features=2, bias=True)" in text
    assert repr(nn.Conv2d(1, 6, 5, padding=2)) == \
        "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))"
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0)"


def test_sequential_and_module_list_indexing():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    head = seq[1:]
    assert list(head._modules) == ["1", "2"] and head[0] is seq[1]
    with pytest.raises(IndexError):
        seq[3]
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    holder = nn.Module()
    holder.layers = layers
    assert len(list(holder.parameters())) == 6
    assert [n for n, _ in holder.named_parameters()][:2] == ["layers.0.weight", "layers.0.bias"]


def test_double_converts_parameters_and_buffers():
    m = Block().double()
    assert all(t.dtype == np.float64 for t in m.parameters())
    assert m.bn.running_mean.dtype == np.float64
    assert m.bn.num_batches_tracked.dtype == np.int64
    assert m(mg.randn(3, 4, dtype=np.float64)).dtype == np.float64


def test_module_list_slice_renumbers_so_append_cannot_overwrite():
    layers = nn.ModuleList([nn.Linear(1, 1), nn.Linear(1, 2), nn.Linear(1, 3)])
    tail = layers[1:]
    assert list(tail._modules) == ["0", "1"] and tail[0] is layers[1]
    tail.append(nn.Linear(1, 4))
    assert [m.out_features for m in tail] == [2, 3, 4]
    assert list(tail._modules) == ["0", "1", "2"]
    assert [m.out_features for m in layers[::2]] == [1, 3]


def test_module_list_refuses_to_replace_a_module_by_name():
    layers = nn.ModuleList([nn.Linear(1, 1), nn.Linear(1, 2)])
    first = layers[0]
    with pytest.raises(KeyError, match="'0' already"):
        layers.add_module("0", nn.Linear(1, 5))
    assert layers[0] is first
    layers.add_module("0", first)            # the same module again: nothing changes
    layers[0] = nn.Linear(1, 6)              # replacing by index is explicit, so allowed
    assert layers[0].out_features == 6
    # a Sequential slice keeps its names (as PyTorch); append must not overwrite then either
    tail = nn.Sequential(nn.Linear(1, 1), nn.Linear(1, 2), nn.Linear(1, 3))[1:]
    with pytest.raises(KeyError, match="'2' already"):
        tail.append(nn.Linear(1, 4))
    assert [m.out_features for m in tail] == [2, 3]


def test_module_list_slice_and_append_match_torch():
    torch = pytest.importorskip("torch")
    ours = nn.ModuleList([nn.Linear(1, 1), nn.Linear(1, 2), nn.Linear(1, 3)])[1:]
    theirs = torch.nn.ModuleList([torch.nn.Linear(1, n) for n in (1, 2, 3)])[1:]
    ours.append(nn.Linear(1, 4))
    theirs.append(torch.nn.Linear(1, 4))
    assert list(ours._modules) == list(theirs._modules)
    assert [m.out_features for m in ours] == [m.out_features for m in theirs]


class _FrozenNorm(nn.Module):
    """Keeps its batch norm in eval mode whatever train() is asked (a common
    fine-tuning override)."""

    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(2)

    def train(self, mode=True):
        super().train(mode)
        self.bn.train(False)
        return self


def test_train_calls_each_childs_own_train():
    model = nn.Sequential(_FrozenNorm(), nn.Dropout(0.5))
    assert model.train() is model
    assert model.training and model[1].training and model[0].training
    assert not model[0].bn.training                 # the override was honoured
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train(True)
    assert not model[0].bn.training and model[1].training


def test_train_override_matches_torch():
    torch = pytest.importorskip("torch")

    class TorchFrozenNorm(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bn = torch.nn.BatchNorm1d(2)

        def train(self, mode=True):
            super().train(mode)
            self.bn.train(False)
            return self

    ours = nn.Sequential(_FrozenNorm(), nn.Dropout(0.5)).train()
    theirs = torch.nn.Sequential(TorchFrozenNorm(), torch.nn.Dropout(0.5)).train()
    assert [m.training for m in ours.modules()] == [m.training for m in theirs.modules()]


def test_registering_over_an_existing_attribute_is_a_key_error():
    layer = nn.Linear(2, 2)
    weight = layer.weight
    with pytest.raises(KeyError, match="attribute 'weight' already exists"):
        layer.register_buffer("weight", mg.zeros(3))
    with pytest.raises(KeyError, match="attribute 'bias' already exists"):
        layer.add_module("bias", nn.ReLU())
    with pytest.raises(KeyError, match="attribute 'forward' already exists"):
        layer.register_parameter("forward", nn.Parameter([1.0]))
    layer.note = "plain attribute"
    with pytest.raises(KeyError, match="attribute 'note' already exists"):
        layer.register_buffer("note", mg.zeros(1))
    assert layer.weight is weight and layer.state_dict()["weight"].shape == (2, 2)
    assert list(layer.state_dict()) == ["weight", "bias"]
    bn = nn.BatchNorm1d(3)
    with pytest.raises(KeyError, match="attribute 'running_mean' already exists"):
        bn.register_parameter("running_mean", nn.Parameter(np.zeros(3)))
    # as torch: the same kind re-registered under its own name replaces it
    bn.register_buffer("running_mean", mg.ones(3))
    np.testing.assert_array_equal(bn.state_dict()["running_mean"].data, [1.0, 1.0, 1.0])
    new_weight = nn.Parameter(np.zeros((2, 2), dtype=np.float32))
    layer.register_parameter("weight", new_weight)
    assert layer.weight is new_weight


def test_registration_collisions_match_torch():
    torch = pytest.importorskip("torch")
    for make, name in ((lambda m: m.register_buffer("weight", torch.zeros(3)), "weight"),
                       (lambda m: m.register_parameter("forward", None), "forward"),
                       (lambda m: m.add_module("bias", torch.nn.ReLU()), "bias")):
        with pytest.raises(KeyError, match=f"attribute '{name}' already exists"):
            make(torch.nn.Linear(2, 2))
    ours = {"weight": lambda m: m.register_buffer("weight", mg.zeros(3)),
            "forward": lambda m: m.register_parameter("forward", None),
            "bias": lambda m: m.add_module("bias", nn.ReLU())}
    for name, make in ours.items():
        with pytest.raises(KeyError, match=f"attribute '{name}' already exists"):
            make(nn.Linear(2, 2))


@pytest.mark.parametrize("strict", [True, False])
def test_batchnorm_loads_an_older_state_dict_without_num_batches_tracked(strict):
    torch = pytest.importorskip("torch")
    ours = mg.nn.Sequential(mg.nn.Conv2d(1, 3, 1), mg.nn.BatchNorm2d(3), mg.nn.BatchNorm1d(2))
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 3, 1), torch.nn.BatchNorm2d(3),
                                 torch.nn.BatchNorm1d(2))
    ours[1].num_batches_tracked.fill_(7)
    theirs[1].num_batches_tracked.fill_(7)
    old = {k: v.numpy() + 0.5 for k, v in theirs.state_dict().items()
           if not k.endswith("num_batches_tracked")}         # a plain dict: no version metadata
    result = theirs.load_state_dict({k: torch.tensor(v) for k, v in old.items()}, strict=strict)
    missing, unexpected = ours.load_state_dict(old, strict=strict)
    assert list(missing) == list(result.missing_keys) == [] and list(unexpected) == []
    for key, value in theirs.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[key].numpy(), value.numpy(), err_msg=key)
    assert int(ours[1].num_batches_tracked.item()) == 7   # kept, as PyTorch keeps it
    with pytest.raises(nn.StateDictError, match="missing key.*running_var"):
        ours.load_state_dict({k: v for k, v in old.items() if not k.endswith("running_var")})
