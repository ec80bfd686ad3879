"""nn.parallel (DataParallel, data_parallel run the module as it is on the CPU, state
dict keys prefixed ``module.`` as PyTorch's) and the ``device=None, dtype=None``
arguments of every layer with parameters or buffers."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

LAYERS = [
    ("Linear", (3, 2), {}),
    ("Conv2d", (2, 4, 3), {}),
    ("ConvTranspose2d", (2, 4, 3), {}),
    ("BatchNorm1d", (3,), {}),
    ("BatchNorm2d", (3,), {}),
    ("InstanceNorm2d", (3,), {"affine": True, "track_running_stats": True}),
    ("LayerNorm", ((3, 2),), {}),
    ("GroupNorm", (2, 4), {}),
    ("Embedding", (5, 3), {}),
]


@pytest.mark.parametrize("name, args, kwargs", LAYERS)
def test_every_layer_takes_device_and_dtype_as_torch(name, args, kwargs):
    torch = pytest.importorskip("torch")
    layer_cls = getattr(nn, name)
    for device in (None, "cpu", mg.device("cpu"), "cpu:0"):
        layer = layer_cls(*args, **kwargs, device=device, dtype=mg.float64)
        theirs = getattr(torch.nn, name)(*args, **kwargs, device="cpu", dtype=torch.float64)
        state, their_state = layer.state_dict(), theirs.state_dict()
        assert list(state) == list(their_state)
        for key, value in state.items():
            assert value.shape == tuple(their_state[key].shape)
            if value.dtype.kind == "f":
                assert value.dtype == np.float64
    assert all(p.dtype == np.float32 for p in layer_cls(*args, **kwargs).parameters())
    with pytest.raises(RuntimeError, match="device: minigrad runs on the CPU only, got 'cuda'"):
        layer_cls(*args, **kwargs, device="cuda")
    with pytest.raises(RuntimeError, match="minigrad runs on the CPU only"):
        layer_cls(*args, **kwargs, device=0)
    with pytest.raises(TypeError, match=f"{name}: dtype must be a floating-point dtype"):
        layer_cls(*args, **kwargs, dtype=np.int64)


def _pair(torch):
    ours = nn.Sequential(nn.Conv2d(3, 4, 3, dtype=mg.float64),
                         nn.InstanceNorm2d(4, affine=True, dtype=mg.float64),
                         nn.ReLU(), nn.Flatten(), nn.Linear(4 * 3 * 3, 2, dtype=mg.float64))
    theirs = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.InstanceNorm2d(4, affine=True),
                                 torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(36, 2)).double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    return ours, theirs


def test_data_parallel_runs_the_module_unchanged_with_torchs_state_dict_keys():
    torch = pytest.importorskip("torch")
    inner, their_inner = _pair(torch)
    ours, theirs = nn.DataParallel(inner), torch.nn.DataParallel(their_inner)
    assert ours.module is inner and ours.device_ids == theirs.device_ids == []
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert all(key.startswith("module.") for key in ours.state_dict())
    assert repr(ours).splitlines()[:2] == repr(theirs).splitlines()[:2]
    x = np.random.default_rng(0).normal(size=(2, 3, 5, 5))
    xm, xt = mg.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = ours(xm), theirs(xt)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    y.sum().backward(), ty.sum().backward()
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    for (key, p), (their_key, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert key == their_key
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-9, atol=1e-12)
    # a checkpoint of a DataParallel model loads into one (keys with "module.")
    fresh = nn.DataParallel(_pair(torch)[0])
    fresh.load_state_dict({k: mg.Tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    np.testing.assert_allclose(fresh(mg.Tensor(x)).numpy(), y.numpy(), rtol=1e-12)
    assert nn.DataParallel(inner, device_ids=[0, 1], output_device=0, dim=0)(mg.Tensor(x)).shape == (2, 2)


def test_data_parallel_function_and_module_checks():
    layer = nn.Linear(3, 2)
    x = mg.randn(4, 3)
    np.testing.assert_array_equal(nn.parallel.data_parallel(layer, x).numpy(), layer(x).numpy())
    np.testing.assert_array_equal(nn.parallel.data_parallel(layer, (x,), range(2)).numpy(),
                                  F.linear(x, layer.weight, layer.bias).numpy())
    assert nn.parallel.DataParallel is nn.DataParallel
    with pytest.raises(TypeError, match="DataParallel: module must be an nn.Module, got function"):
        nn.DataParallel(lambda x: x)
