"""nn.RNN / LSTM / GRU and the cells against PyTorch: the same weights (torch's
state_dict copied into ours by key), the same inputs; outputs, final states and
every parameter and input gradient compared."""
import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn

torch = pytest.importorskip("torch")

KINDS = ["RNN", "LSTM", "GRU"]


def copy_from_torch(ours, theirs):
    state = {k: np.array(v.detach().numpy(), copy=True) for k, v in theirs.state_dict().items()}
    assert list(state) == list(ours.state_dict())
    ours.load_state_dict(state)


def make_pair(kind, dtype, **kwargs):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, kind)(**kwargs).to(getattr(torch, np.dtype(dtype).name))
    ours = getattr(nn, kind)(**kwargs, dtype=dtype)
    copy_from_torch(ours, theirs)
    return ours, theirs


def tolerance(dtype):
    return dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-11)


def run_both(ours, theirs, x, states, kind):
    """Forward both, backward a weighted sum of every output; returns (ours, theirs) as
    lists of arrays: outputs, then input and state gradients, then parameter gradients."""
    rng = np.random.default_rng(5)
    mx = mg.Tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    mstates = [mg.Tensor(s, requires_grad=True) for s in states]
    tstates = [torch.tensor(s, requires_grad=True) for s in states]

    def pack(st):
        if not st:
            return None
        return tuple(st) if kind == "LSTM" else st[0]
    mout, mh = ours(mx, pack(mstates))
    tout, th = theirs(tx, pack(tstates))
    mouts = [mout] + (list(mh) if kind == "LSTM" else [mh])
    touts = [tout] + (list(th) if kind == "LSTM" else [th])
    weights = [rng.normal(size=t.shape).astype(x.dtype) for t in touts]
    sum(((o * mg.Tensor(w)).sum() for o, w in zip(mouts, weights)), mg.tensor(0.0, dtype=x.dtype)).backward()
    sum((o * torch.tensor(w)).sum() for o, w in zip(touts, weights)).backward()
    got = [o.numpy() for o in mouts] + [mx.grad.numpy()] + [s.grad.numpy() for s in mstates]
    want = [o.detach().numpy() for o in touts] + [tx.grad.numpy()] + [s.grad.numpy() for s in tstates]
    for (name, p), (tname, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == tname
        got.append(p.grad.numpy())
        want.append(tp.grad.numpy())
    return got, want


CONFIGS = [
    dict(num_layers=1),
    dict(num_layers=2),
    dict(num_layers=1, batch_first=True),
    dict(num_layers=2, bidirectional=True),
    dict(num_layers=1, bias=False, bidirectional=True, batch_first=True),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("config", CONFIGS, ids=[str(c) for c in CONFIGS])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("initial", [False, True], ids=["zero_state", "given_state"])
def test_layer_matches_torch(kind, config, dtype, initial):
    ours, theirs = make_pair(kind, dtype, input_size=3, hidden_size=4, **config)
    steps, batch = 5, 2
    rng = np.random.default_rng(1)
    shape = (batch, steps, 3) if config.get("batch_first") else (steps, batch, 3)
    x = rng.normal(size=shape).astype(dtype)
    count = config["num_layers"] * (2 if config.get("bidirectional") else 1)
    states = []
    if initial:
        states = [rng.normal(size=(count, batch, 4)).astype(dtype)
                  for _ in range(2 if kind == "LSTM" else 1)]
    got, want = run_both(ours, theirs, x, states, kind)
    assert [g.shape for g in got] == [w.shape for w in want]
    assert all(g.dtype == dtype for g in got)
    for k, (g, w) in enumerate(zip(got, want)):
        np.testing.assert_allclose(g, w, err_msg=f"item {k}", **tolerance(dtype))


@pytest.mark.parametrize("kind", KINDS)
def test_relu_rnn_and_unbatched_input_match_torch(kind):
    extra = {"nonlinearity": "relu"} if kind == "RNN" else {}
    ours, theirs = make_pair(kind, np.float64, input_size=3, hidden_size=4, num_layers=2, **extra)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(6, 3))   # unbatched: (L, H_in)
    states = [rng.normal(size=(2, 4)) for _ in range(2 if kind == "LSTM" else 1)]
    got, want = run_both(ours, theirs, x, states, kind)
    assert got[0].shape == (6, 4) and got[1].shape == (2, 4)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("kind", KINDS)
def test_dropout_between_layers_is_off_in_eval_mode(kind):
    ours, theirs = make_pair(kind, np.float64, input_size=3, hidden_size=4, num_layers=3,
                             dropout=0.5)
    ours.eval(), theirs.eval()
    x = np.random.default_rng(3).normal(size=(4, 2, 3))
    got, want = run_both(ours, theirs, x, [], kind)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-11)
    # in training mode the mask changes the output (and only between layers)
    ours.train()
    mg.manual_seed(0)
    out_train = ours(mg.Tensor(x))[0].numpy()
    assert not np.allclose(out_train, got[0])


@pytest.mark.parametrize("kind", KINDS)
def test_state_dict_keys_shapes_and_init_match_torch(kind):
    for config in CONFIGS:
        theirs = getattr(torch.nn, kind)(input_size=3, hidden_size=5, **config)
        ours = getattr(nn, kind)(input_size=3, hidden_size=5, **config)
        ours_shapes = [(k, tuple(v.shape)) for k, v in ours.state_dict().items()]
        theirs_shapes = [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
        assert ours_shapes == theirs_shapes
    big = getattr(nn, kind)(input_size=20, hidden_size=400)
    bound = 1 / math.sqrt(400)
    values = np.concatenate([p.numpy().ravel() for p in big.parameters()])
    assert values.dtype == np.float32
    assert values.min() >= -bound and values.max() <= bound
    # uniform: a quarter of the values in each quarter of [-bound, bound]
    counts, _ = np.histogram(values, bins=4, range=(-bound, bound))
    np.testing.assert_allclose(counts / values.size, 0.25, atol=0.01)
    assert abs(values.mean()) < 0.02 * bound


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bias", [True, False])
def test_cells_match_torch_over_several_steps(kind, dtype, bias):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, kind + "Cell")(3, 4, bias=bias).to(getattr(torch, np.dtype(dtype).name))
    ours = getattr(nn, kind + "Cell")(3, 4, bias=bias, dtype=dtype)
    copy_from_torch(ours, theirs)
    rng = np.random.default_rng(4)
    xs = rng.normal(size=(5, 2, 3)).astype(dtype)
    mx, tx = mg.Tensor(xs, requires_grad=True), torch.tensor(xs, requires_grad=True)
    mstate = tstate = None
    mtotal, ttotal = mg.tensor(0.0, dtype=dtype), 0
    for t in range(5):
        mstate, tstate = ours(mx[t], mstate), theirs(tx[t], tstate)
        mh = mstate[0] if kind == "LSTM" else mstate
        th = tstate[0] if kind == "LSTM" else tstate
        mtotal = mtotal + (mh * float(t + 1)).sum()
        ttotal = ttotal + (th * float(t + 1)).sum()
        np.testing.assert_allclose(mh.numpy(), th.detach().numpy(), **tolerance(dtype))
    if kind == "LSTM":   # the cell state reaches the loss too
        mtotal, ttotal = mtotal + mstate[1].sum(), ttotal + tstate[1].sum()
    mtotal.backward()
    ttotal.backward()
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), **tolerance(dtype))
    for (name, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), err_msg=name, **tolerance(dtype))


@pytest.mark.parametrize("kind", KINDS)
def test_unbatched_cell_matches_torch(kind):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, kind + "Cell")(3, 4).double()
    ours = getattr(nn, kind + "Cell")(3, 4, dtype=np.float64)
    copy_from_torch(ours, theirs)
    x = np.random.default_rng(6).normal(size=3)
    mout, tout = ours(mg.Tensor(x)), theirs(torch.tensor(x))
    mh, th = (mout[1], tout[1]) if kind == "LSTM" else (mout, tout)
    assert mh.shape == (4,)
    np.testing.assert_allclose(mh.numpy(), th.detach().numpy(), rtol=1e-12)


def test_bad_inputs_are_clear_errors():
    lstm = nn.LSTM(3, 4)
    with pytest.raises(ValueError, match=r"LSTM: input has 5 features .*input_size=3"):
        lstm(mg.zeros(2, 1, 5))
    with pytest.raises(ValueError, match="LSTM: input must be 2 or 3-D"):
        lstm(mg.zeros(2, 1, 3, 1))
    with pytest.raises(TypeError, match=r"LSTM: hx must be a tuple \(h_0, c_0\)"):
        lstm(mg.zeros(2, 1, 3), mg.zeros(1, 1, 4))
    with pytest.raises(ValueError, match=r"LSTM: c_0 must have shape \(1, 2, 4\)"):
        lstm(mg.zeros(2, 2, 3), (mg.zeros(1, 2, 4), mg.zeros(1, 1, 4)))
    with pytest.raises(TypeError, match="GRU: input dtype float64 differs"):
        nn.GRU(3, 4)(mg.Tensor(np.zeros((2, 1, 3))))
    with pytest.raises(ValueError, match="nonlinearity must be 'tanh' or 'relu'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="proj_size"):
        nn.LSTM(3, 4, proj_size=2)
    with pytest.raises(ValueError, match=r"GRUCell: hx must have shape \(2, 4\)"):
        nn.GRUCell(3, 4)(mg.zeros(2, 3), mg.zeros(3, 4))


def test_repr_names_the_options():
    assert repr(nn.LSTM(3, 4, num_layers=2, batch_first=True)) == \
        "LSTM(3, 4, num_layers=2, batch_first=True)"
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == "RNNCell(3, 4, nonlinearity='relu')"
