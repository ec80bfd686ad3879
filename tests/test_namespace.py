"""The PyTorch names minigrad claims (API.md revision 3): each exists, and on a small
input gives PyTorch's value, dtype and shape. A name added to the claim without an
implementation, or an implementation that drifts from PyTorch, fails here."""
import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

A = np.array([[1.5, -2.0, 0.5], [3.0, 0.25, -1.0]], dtype=np.float32)
B = np.array([[0.5, 1.0, -0.5], [2.0, 0.25, 4.0]], dtype=np.float32)
SQUARE = np.array([[2.0, -1.0], [0.5, 3.0]], dtype=np.float32)
IDX = np.array([2, 0, 2])


def a(fw):
    return fw.tensor(A)


def b(fw):
    return fw.tensor(B)


# name -> how to call it with a framework ``fw`` (minigrad or torch): the same source for both
FUNCTIONS = {
    "abs": lambda fw: fw.abs(a(fw)), "exp": lambda fw: fw.exp(a(fw)),
    "log": lambda fw: fw.log(fw.abs(a(fw))), "sqrt": lambda fw: fw.sqrt(fw.abs(a(fw))),
    "sin": lambda fw: fw.sin(a(fw)), "cos": lambda fw: fw.cos(a(fw)),
    "tanh": lambda fw: fw.tanh(a(fw)), "sigmoid": lambda fw: fw.sigmoid(a(fw)),
    "relu": lambda fw: fw.relu(a(fw)), "erf": lambda fw: fw.erf(a(fw)),
    "log1p": lambda fw: fw.log1p(fw.abs(a(fw))), "expm1": lambda fw: fw.expm1(a(fw)),
    "sum": lambda fw: fw.sum(a(fw), dim=1), "mean": lambda fw: fw.mean(a(fw), 0, keepdim=True),
    "max": lambda fw: fw.max(a(fw), 1)[0], "max_indices": lambda fw: fw.max(a(fw), 1)[1],
    "max_all": lambda fw: fw.max(a(fw)), "max_pair": lambda fw: fw.max(a(fw), b(fw)),
    "min": lambda fw: fw.min(a(fw), 0).values, "amax": lambda fw: fw.amax(a(fw), 1),
    "var": lambda fw: fw.var(a(fw), 1), "std": lambda fw: fw.std(a(fw)),
    "prod": lambda fw: fw.prod(a(fw), 1), "norm": lambda fw: fw.norm(a(fw)),
    "logsumexp": lambda fw: fw.logsumexp(a(fw), 1), "cumsum": lambda fw: fw.cumsum(a(fw), 1),
    "argmax": lambda fw: fw.argmax(a(fw), 1), "argmin": lambda fw: fw.argmin(a(fw)),
    "median": lambda fw: fw.median(a(fw)), "median_dim": lambda fw: fw.median(a(fw), 1).values,
    "matmul": lambda fw: fw.matmul(a(fw), b(fw).T), "mm": lambda fw: fw.mm(a(fw), b(fw).t()),
    "bmm": lambda fw: fw.bmm(a(fw).unsqueeze(0), b(fw).T.unsqueeze(0)),
    "clamp": lambda fw: fw.clamp(a(fw), min=-1, max=1), "clip": lambda fw: fw.clip(a(fw), -0.5),
    "softmax": lambda fw: fw.softmax(a(fw), dim=1), "log_softmax": lambda fw: fw.log_softmax(a(fw), 0),
    "pow": lambda fw: fw.pow(a(fw), 2), "pow_tensor": lambda fw: fw.pow(fw.abs(a(fw)), b(fw)),
    "eq": lambda fw: fw.eq(a(fw), b(fw)), "ne": lambda fw: fw.ne(a(fw), 0.5),
    "lt": lambda fw: fw.lt(a(fw), b(fw)), "le": lambda fw: fw.le(a(fw), 0.5),
    "gt": lambda fw: fw.gt(a(fw), b(fw)), "ge": lambda fw: fw.ge(a(fw), b(fw)),
    "isnan": lambda fw: fw.isnan(fw.log(a(fw))), "isinf": lambda fw: fw.isinf(a(fw) / 0),
    "isfinite": lambda fw: fw.isfinite(fw.log(a(fw))),
    "allclose": lambda fw: fw.allclose(a(fw), a(fw) + 1e-9),
    "equal": lambda fw: fw.equal(a(fw), b(fw)), "isclose": lambda fw: fw.isclose(a(fw), b(fw)),
    "maximum": lambda fw: fw.maximum(a(fw), b(fw)), "minimum": lambda fw: fw.minimum(a(fw), b(fw)),
    "tril": lambda fw: fw.tril(a(fw)), "triu": lambda fw: fw.triu(a(fw), 1),
    "diag": lambda fw: fw.diag(a(fw)), "outer": lambda fw: fw.outer(a(fw)[0], b(fw)[1]),
    "einsum": lambda fw: fw.einsum("ij,kj->ik", a(fw), b(fw)),
    "unique": lambda fw: fw.unique(fw.tensor(IDX)),
    "unbind": lambda fw: fw.unbind(a(fw), 1)[2], "reshape": lambda fw: fw.reshape(a(fw), (3, 2)),
    "squeeze": lambda fw: fw.squeeze(a(fw).unsqueeze(0), 0),
    "unsqueeze": lambda fw: fw.unsqueeze(a(fw), 1), "transpose": lambda fw: fw.transpose(a(fw), 0, 1),
    "permute": lambda fw: fw.permute(a(fw), (1, 0)), "t": lambda fw: fw.t(a(fw)),
    "flatten": lambda fw: fw.flatten(a(fw)), "flip": lambda fw: fw.flip(a(fw), dims=(0,)),
    "tile": lambda fw: fw.tile(a(fw), (2, 1)),
    "repeat_interleave": lambda fw: fw.repeat_interleave(a(fw), 2, dim=0),
    "round": lambda fw: fw.round(a(fw)), "floor": lambda fw: fw.floor(a(fw)),
    "ceil": lambda fw: fw.ceil(a(fw)), "sign": lambda fw: fw.sign(a(fw)),
    "trunc": lambda fw: fw.trunc(a(fw)), "reciprocal": lambda fw: fw.reciprocal(a(fw)),
    "rsqrt": lambda fw: fw.rsqrt(fw.abs(a(fw))), "square": lambda fw: fw.square(a(fw)),
    "lerp": lambda fw: fw.lerp(a(fw), b(fw), 0.25),
    "nan_to_num": lambda fw: fw.nan_to_num(fw.log(a(fw))),
    "var_mean": lambda fw: fw.var_mean(a(fw), 1)[0], "std_mean": lambda fw: fw.std_mean(a(fw), 0)[1],
    "trace": lambda fw: fw.trace(fw.tensor(SQUARE)), "kron": lambda fw: fw.kron(fw.tensor(SQUARE), a(fw)),
    "logical_and": lambda fw: fw.logical_and(a(fw) > 0, b(fw) > 0),
    "logical_not": lambda fw: fw.logical_not(a(fw) > 0),
    "index_select": lambda fw: fw.index_select(a(fw), 1, fw.tensor(IDX)),
    "gather": lambda fw: fw.gather(a(fw), 1, fw.tensor([[0, 0], [2, 1]])),
    "scatter_add": lambda fw: fw.scatter_add(a(fw), 1, fw.tensor([[0, 0], [2, 1]]), b(fw)),
    "narrow": lambda fw: fw.narrow(a(fw), 1, 1, 2), "masked_fill": lambda fw: fw.masked_fill(a(fw), a(fw) > 0, 0.0),
    "where": lambda fw: fw.where(a(fw) > 0, a(fw), b(fw)), "cat": lambda fw: fw.cat([a(fw), b(fw)], dim=1),
    "stack": lambda fw: fw.stack([a(fw), b(fw)]), "numel": lambda fw: fw.numel(a(fw)),
    "linspace": lambda fw: fw.linspace(-1, 1, 7), "logspace": lambda fw: fw.logspace(0, 2, 3),
    "arange": lambda fw: fw.arange(5), "arange_float": lambda fw: fw.arange(0, 1, 0.25),
    "zeros": lambda fw: fw.zeros(2, 3, dtype=fw.float64), "ones": lambda fw: fw.ones((2,), device="cpu"),
    "empty": lambda fw: fw.empty(2, 3).shape, "eye": lambda fw: fw.eye(3),
    "full_like": lambda fw: fw.full_like(a(fw), 7), "zeros_like": lambda fw: fw.zeros_like(a(fw)),
    "ones_like": lambda fw: fw.ones_like(a(fw), dtype=fw.int64),
    "empty_like": lambda fw: fw.empty_like(a(fw)).shape,
    "rand_like": lambda fw: fw.rand_like(a(fw)).dtype, "randn_like": lambda fw: fw.randn_like(a(fw)).shape,
    "randint": lambda fw: fw.randint(0, 10, (4,)).dtype, "randperm": lambda fw: fw.sort(fw.randperm(6))[0],
    "normal": lambda fw: fw.normal(0.0, 1.0, (2, 3)).shape,
    "multinomial": lambda fw: fw.multinomial(fw.tensor([0.0, 1.0, 0.0]), 2, replacement=True),
    "as_tensor": lambda fw: fw.as_tensor([1, 2, 3]), "is_tensor": lambda fw: fw.is_tensor(a(fw)),
    "from_numpy": lambda fw: fw.from_numpy(A),
}

METHODS = {
    "pow": lambda t: t.pow(2), "mm": lambda t: t.mm(t.T), "contiguous": lambda t: t.T.contiguous(),
    "is_contiguous": lambda t: t.T.is_contiguous(), "add": lambda t: t.add(t, alpha=2),
    "sub": lambda t: t.sub(1.0, alpha=0.5), "mul": lambda t: t.mul(3), "div": lambda t: t.div(2),
    "div_floor": lambda t: t.div(0.3, rounding_mode="floor"), "neg": lambda t: t.neg(),
    "maximum": lambda t: t.maximum(t * 0), "minimum": lambda t: t.minimum(t * 0),
    "where": lambda t: t.where(t > 0, -t),
    "unbind": lambda t: t.unbind()[1], "narrow": lambda t: t.narrow(0, 0, 1), "type": lambda t: t.type(),
    "new_zeros": lambda t: t.new_zeros(2, 3), "new_ones": lambda t: t.new_ones((2,)),
    "new_full": lambda t: t.new_full((2, 2), 3.5), "new_tensor": lambda t: t.new_tensor([1, 2]),
    "isnan": lambda t: t.log().isnan(), "round": lambda t: t.round(), "floor": lambda t: t.floor(),
    "ceil": lambda t: t.ceil(), "sign": lambda t: t.sign(), "reciprocal": lambda t: t.reciprocal(),
    "rsqrt": lambda t: t.abs().rsqrt(), "square": lambda t: t.square(), "diag": lambda t: t.diag(),
    "tril": lambda t: t.tril(-1), "triu": lambda t: t.triu(), "half": lambda t: t.half(),
    "allclose": lambda t: t.allclose(t), "is_cuda": lambda t: t.is_cuda, "ravel": lambda t: t.ravel(),
    "long": lambda t: t.long(), "float": lambda t: t.int().float(), "double": lambda t: t.double(),
    "element_size": lambda t: t.element_size(), "size": lambda t: t.size(1), "dim": lambda t: t.dim(),
    "clamp_keywords": lambda t: t.clamp(min=0.0), "flip_keyword": lambda t: t.flip(dims=[1]),
    "t": lambda t: t.t(), "data_max": lambda t: t.data.max(1)[1],
}
# methods that take an index tensor: (tensor, the framework) -> value
INDEX_METHODS = {
    "index_select": lambda t, fw: t.index_select(0, fw.tensor([1, 0, 1])),
    "scatter_value": lambda t, fw: t.scatter(1, fw.tensor([[2], [0]]), 9.0),
    "scatter_src": lambda t, fw: t.scatter(1, fw.tensor([[2, 1], [0, 2]]), (t * 10)[:, :2]),
    "scatter_add": lambda t, fw: t.scatter_add(0, fw.tensor([[1, 1, 0]]), t[:1] + 1),
}


def same(ours, theirs, name):
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, mg.Tensor), name
        theirs = theirs.detach().numpy()
        assert ours.shape == theirs.shape, (name, ours.shape, theirs.shape)
        assert ours.dtype == theirs.dtype, (name, ours.dtype, theirs.dtype)
        np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-6, atol=1e-7, err_msg=name)
    elif isinstance(theirs, torch.dtype):
        assert ours == getattr(np, str(theirs).split(".")[1]), (name, ours, theirs)
    elif isinstance(theirs, torch.Size):
        assert tuple(ours) == tuple(theirs), name
    else:
        assert ours == theirs, (name, ours, theirs)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_function_exists_and_matches_torch(name):
    mg.manual_seed(0)
    torch.manual_seed(0)
    with np.errstate(all="ignore"):
        same(FUNCTIONS[name](mg), FUNCTIONS[name](torch), name)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_method_exists_and_matches_torch(name):
    with np.errstate(all="ignore"):
        same(METHODS[name](mg.tensor(A)), METHODS[name](torch.tensor(A)), name)


@pytest.mark.parametrize("name", sorted(INDEX_METHODS))
def test_index_method_matches_torch_values_and_gradients(name):
    x, tx = mg.tensor(A, requires_grad=True), torch.tensor(A, requires_grad=True)
    y, ty = INDEX_METHODS[name](x, mg), INDEX_METHODS[name](tx, torch)
    same(y, ty, name)
    g = np.arange(y.numel(), dtype=np.float32).reshape(y.shape)
    y.backward(mg.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6)


def test_every_table_function_is_the_method_of_its_name():
    from minigrad.namespace import FUNCTIONS as TABLE
    for name, function in TABLE.items():
        assert getattr(mg, name) is function or name in ("where",), name
        x = mg.tensor(A)
        if name in ("exp", "abs", "sum", "t", "flatten", "floor", "square"):
            np.testing.assert_array_equal(function(x).numpy(), getattr(x, name)().numpy())


def test_device_stubs_let_accelerator_scripts_run_on_the_cpu():
    assert mg.accelerator.is_available() is False
    device = mg.accelerator.current_accelerator() if mg.accelerator.is_available() else "cpu"
    assert mg.ones(2).to(device).device == mg.device("cpu")
    assert mg.accelerator.current_accelerator() == "cpu"
    assert mg.backends.mps.is_available() is False and mg.cuda.is_available() is False
    mg.backends.cudnn.benchmark = True
    mg.backends.cudnn.deterministic = True
    assert mg.zeros(2, device="cpu").is_cuda is False
    with pytest.raises(RuntimeError, match="CPU only"):
        mg.zeros(2).cuda()
    with pytest.raises(RuntimeError, match="CPU only"):
        mg.zeros(2, device="cuda")
    with pytest.raises(RuntimeError, match="CPU only"):
        mg.ones(2).to("cuda")


def test_generator_makes_draws_reproducible_and_independent_of_the_global_seed():
    g = mg.Generator().manual_seed(5)
    first = mg.randn(4, generator=g).numpy()
    state = g.get_state()
    second = mg.rand(3, generator=g).numpy()
    mg.manual_seed(123)
    mg.randn(10)   # the global generator moves; g does not
    g.set_state(state)
    np.testing.assert_array_equal(mg.rand(3, generator=g).numpy(), second)
    np.testing.assert_array_equal(mg.randn(4, generator=mg.Generator().manual_seed(5)).numpy(), first)
    assert g.initial_seed() == 5
    with pytest.raises(TypeError, match="randn: generator must be a minigrad.Generator"):
        mg.randn(2, generator=np.random.default_rng())


def test_creation_keywords_and_requires_grad():
    x = mg.linspace(0, 1, 5, dtype=mg.float64, requires_grad=True)
    assert x.requires_grad and x.dtype == np.float64 and x.is_leaf
    assert mg.randint(5, (3,)).dtype == np.int64 and mg.randint(5, (3,)).numpy().max() < 5
    counts = np.bincount(mg.multinomial(mg.tensor([1.0, 3.0]), 4000, True).numpy(), minlength=2)
    assert 0.7 < counts[1] / 4000 < 0.8
    picks = mg.multinomial(mg.tensor([[1.0, 1.0, 0.0, 1.0]]), 3).numpy()
    assert sorted(picks[0].tolist()) == [0, 1, 3]
    with pytest.raises(ValueError, match="multinomial: cannot draw 4 samples without replacement"):
        mg.multinomial(mg.tensor([1.0, 1.0, 0.0, 1.0]), 4)
    shared = np.arange(3.0)
    assert mg.as_tensor(shared).numpy() is shared


def test_inference_mode_and_identity_and_keyword_spellings():
    with mg.inference_mode():
        y = mg.ones(2, requires_grad=True) * 2
    assert not y.requires_grad
    assert isinstance(mg.nn.Identity(54, unused_argument_one=0.1)(mg.ones(2)), mg.Tensor)
    x = mg.tensor(A)
    np.testing.assert_array_equal(mg.concatenate([x, x], dim=1).numpy(), np.concatenate([A, A], 1))
    np.testing.assert_array_equal(mg.concatenate([x, x], axis=0).numpy(), np.concatenate([A, A], 0))
    with pytest.raises(TypeError, match="clamp: got the lower bound twice"):
        x.clamp(min=0, lo=1)


def test_transforms_lambda_center_crop_and_pad_match_torchvision_rules():
    img = np.arange(2 * 5 * 6, dtype=np.float32).reshape(2, 5, 6)
    crop = mg.transforms.CenterCrop(3)(img)
    np.testing.assert_array_equal(crop, img[:, 1:4, 2:4 + 1])   # round((5-3)/2)=1, round((6-3)/2)=2
    padded = mg.transforms.CenterCrop((7, 6))(img)
    assert padded.shape == (2, 7, 6) and padded[:, 0].sum() == 0 and padded[:, -1].sum() == 0
    pad = mg.transforms.Pad((1, 2))(img)
    assert pad.shape == (2, 9, 8) and pad[:, :2].sum() == 0
    reflect = mg.transforms.Pad(1, padding_mode="reflect")(img)
    np.testing.assert_array_equal(reflect[:, 0, 1:-1], img[:, 1])
    flat = mg.transforms.Compose([mg.transforms.ToTensor(), mg.transforms.Lambda(lambda t: t.view(-1))])
    assert flat(np.zeros((4, 4), np.uint8)).shape == (16,)


def test_in_place_forms_match_torch():
    x, tx = mg.tensor(A, requires_grad=True), torch.tensor(A, requires_grad=True)
    y, ty = x * 2, tx * 2
    y.clamp_(min=-1.0, max=2.0)
    ty.clamp_(min=-1.0, max=2.0)
    y.masked_fill_(y < 0, 0.5)
    ty.masked_fill_(ty < 0, 0.5)
    same(y, ty, "in place")
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        x.clamp_(0)


def test_random_fills_have_their_distributions_and_follow_the_seed():
    w = mg.nn.Linear(50, 40).weight
    w.data.normal_(0, 0.02)
    assert abs(float(w.numpy().std()) - 0.02) < 0.002
    w.data.uniform_(-0.1, 0.1)
    assert -0.1 <= w.numpy().min() and w.numpy().max() <= 0.1
    assert abs(mg.zeros(4000).exponential_(2.0).numpy().mean() - 0.5) < 0.05
    assert abs(mg.zeros(4000).bernoulli_(0.25).numpy().mean() - 0.25) < 0.03
    draws = [mg.empty(3).normal_(generator=mg.Generator().manual_seed(1)).numpy() for _ in range(2)]
    np.testing.assert_array_equal(*draws)
    with pytest.raises(RuntimeError, match="normal_"):
        mg.zeros(2, requires_grad=True).normal_()
