"""Batch, layer and group norm as single ops (minigrad/ops/norm.py) and their
modules: gradient cases, values and gradients against PyTorch in float64, running
statistics, the batch-last layout, errors."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.ops.norm import BatchNorm, GroupNorm, InstanceNorm, LayerNorm
from tests.registry import Case, ops_in_graph

RM, RV = mg.Tensor(np.array([0.3, -0.2])), mg.Tensor(np.array([1.5, 0.7]))


def _bn_updating(x, w, b):
    # running statistics given: the op updates copies of them (not the shared constants)
    return F.batch_norm(x, mg.Tensor(RM.numpy().copy()), mg.Tensor(RV.numpy().copy()), w, b, True, 0.3)


CASES = [
    Case("batch_norm2d_affine", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
         lambda r: (r.normal(size=(3, 2, 2, 3)) * 2 + 1, r.normal(size=2), r.normal(size=2))),
    Case("batch_norm2d_running_stats", _bn_updating,
         lambda r: (r.normal(size=(2, 2, 3, 2)), r.normal(size=2), r.normal(size=2))),
    Case("batch_norm1d_no_affine", lambda x: F.batch_norm(x, None, None, training=True, eps=1e-3),
         lambda r: r.normal(size=(5, 3))),
    Case("batch_norm1d_ncl_bias_only", lambda x, b: F.batch_norm(x, None, None, None, b, True),
         lambda r: (r.normal(size=(3, 2, 4)), r.normal(size=2))),
    Case("batch_norm_eval", lambda x, w, b: F.batch_norm(x, RM, RV, w, b, training=False),
         lambda r: (r.normal(size=(3, 2, 2, 2)), r.normal(size=2), r.normal(size=2))),
    Case("layer_norm_last_dim", lambda x, w, b: F.layer_norm(x, 4, w, b),
         lambda r: (r.normal(size=(3, 4)) * 3, r.normal(size=4), r.normal(size=4))),
    Case("layer_norm_two_dims_no_affine", lambda x: F.layer_norm(x, (3, 2), eps=1e-2),
         lambda r: r.normal(size=(2, 2, 3, 2))),
    Case("group_norm_affine", lambda x, w, b: F.group_norm(x, 2, w, b),
         lambda r: (r.normal(size=(2, 4, 2, 3)), r.normal(size=4), r.normal(size=4))),
    Case("group_norm_one_group_ncl", lambda x: F.group_norm(x, 1),
         lambda r: r.normal(size=(3, 2, 3))),
    Case("group_norm_instance_like", lambda x, w: F.group_norm(x, 3, w),
         lambda r: (r.normal(size=(2, 3, 5)), r.normal(size=3))),
]



def _in_updating(x, w, b):
    return F.instance_norm(x, mg.Tensor(RM.numpy().copy()), mg.Tensor(RV.numpy().copy()), w, b,
                           True, 0.3)


CASES += [
    Case("instance_norm2d_affine", lambda x, w, b: F.instance_norm(x, weight=w, bias=b),
         lambda r: (r.normal(size=(3, 2, 2, 3)) * 2 + 1, r.normal(size=2), r.normal(size=2))),
    Case("instance_norm1d_no_affine", lambda x: F.instance_norm(x, eps=1e-3),
         lambda r: r.normal(size=(2, 3, 4))),
    Case("instance_norm_running_stats", _in_updating,
         lambda r: (r.normal(size=(2, 2, 3, 2)), r.normal(size=2), r.normal(size=2))),
    Case("instance_norm2d_module_unbatched",
         lambda x: nn.InstanceNorm2d(3, dtype=np.float64)(x), lambda r: r.normal(size=(3, 2, 4))),
]

def _torch_compare(ours, theirs, arrays, rtol=1e-9):
    torch = pytest.importorskip("torch")
    ms = [mg.Tensor(a.copy(), requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = ours(*ms), theirs(*ts)
    cotangent = np.random.default_rng(1).normal(size=out.shape)
    (out * mg.Tensor(cotangent)).sum().backward()
    (expected * torch.tensor(cotangent)).sum().backward()
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=rtol, atol=1e-10)
    for m, t in zip(ms, ts):
        np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=1e-10)
    return out


RNG = np.random.default_rng(3)


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5), (4, 3, 5, 6)])
def test_functional_norms_match_torch(shape):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    x = RNG.normal(size=shape) * 3 + 2
    c = shape[1]
    w, b = RNG.normal(size=c), RNG.normal(size=c)
    _torch_compare(lambda x, w, b: F.batch_norm(x, None, None, w, b, True),
                   lambda x, w, b: tf.batch_norm(x, None, None, w, b, True), [x, w, b])
    rm, rv = RNG.normal(size=c), RNG.uniform(0.5, 2, c)
    _torch_compare(lambda x, w, b: F.batch_norm(x, mg.Tensor(rm), mg.Tensor(rv), w, b, False, eps=1e-3),
                   lambda x, w, b: tf.batch_norm(x, torch.tensor(rm), torch.tensor(rv), w, b, False,
                                                 eps=1e-3), [x, w, b])
    normalized = shape[1:]
    lw, lb = RNG.normal(size=normalized), RNG.normal(size=normalized)
    _torch_compare(lambda x, w, b: F.layer_norm(x, normalized, w, b),
                   lambda x, w, b: tf.layer_norm(x, normalized, w, b), [x, lw, lb])
    _torch_compare(lambda x: F.layer_norm(x, shape[-1]), lambda x: tf.layer_norm(x, shape[-1:]), [x])
    gx = RNG.normal(size=(shape[0], 6) + shape[2:])
    gw, gb = RNG.normal(size=6), RNG.normal(size=6)
    for groups in (1, 2, 3, 6):
        _torch_compare(lambda x, w, b: F.group_norm(x, groups, w, b, eps=1e-4),
                       lambda x, w, b: tf.group_norm(x, groups, w, b, eps=1e-4), [gx, gw, gb])


@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
@pytest.mark.parametrize("affine", [True, False])
def test_batchnorm_modules_match_torch_over_steps_and_in_eval(momentum, affine):
    torch = pytest.importorskip("torch")
    for ours_cls, theirs_cls, shape in ((nn.BatchNorm2d, torch.nn.BatchNorm2d, (4, 3, 5, 5)),
                                        (nn.BatchNorm1d, torch.nn.BatchNorm1d, (6, 3)),
                                        (nn.BatchNorm1d, torch.nn.BatchNorm1d, (4, 3, 7))):
        ours = ours_cls(3, momentum=momentum, affine=affine, dtype=np.float64)
        theirs = theirs_cls(3, momentum=momentum, affine=affine, dtype=torch.float64)
        for step in range(3):
            x = RNG.normal(size=shape) * (step + 1) + step
            out = _torch_compare(ours, theirs, [x])
            assert out.grad_fn.name == "BatchNorm"   # one op, not a chain of primitives
        for name, buffer in theirs.state_dict().items():
            np.testing.assert_allclose(ours.state_dict()[name].data, buffer.numpy(), rtol=1e-12)
        ours.eval(), theirs.eval()
        _torch_compare(ours, theirs, [RNG.normal(size=shape)])


def test_batchnorm_without_running_stats_uses_the_batch_in_eval_too():
    torch = pytest.importorskip("torch")
    ours = nn.BatchNorm2d(2, track_running_stats=False, dtype=np.float64).eval()
    theirs = torch.nn.BatchNorm2d(2, track_running_stats=False, dtype=torch.float64).eval()
    assert ours.running_mean is None and list(ours.state_dict()) == list(theirs.state_dict())
    _torch_compare(ours, theirs, [RNG.normal(size=(3, 2, 4, 4))])


def test_batchnorm_keeps_a_conv_outputs_batch_last_layout():
    x = RNG.normal(size=(4, 3, 5, 6)).astype(np.float32)
    batch_last = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
    bn = nn.BatchNorm2d(3)
    plain = bn(mg.Tensor(x)).data
    xt = mg.Tensor(batch_last, requires_grad=True)
    out = bn(xt)
    np.testing.assert_allclose(out.numpy(), plain, rtol=1e-5, atol=1e-6)
    assert np.argsort(out.numpy().strides).tolist() == np.argsort(batch_last.strides).tolist()
    out.backward(mg.Tensor(np.ones_like(batch_last)))   # a batch-last dy too
    assert np.argsort(xt.grad.numpy().strides).tolist() == np.argsort(batch_last.strides).tolist()


@pytest.mark.parametrize("shape, affine, needs", [
    ((4, 3, 5, 6), "wb", "xwb"), ((6, 2), "wb", "xwb"), ((3, 2, 4), "", "x"),
    ((4, 3, 2, 2), "b", "xb"), ((4, 3, 5, 6), "wb", "wb"), ((5, 3, 2), "wb", "x")])
def test_batchnorm_first_order_numpy_path_equals_the_op_path(shape, affine, needs):
    """A plain backward takes the fused numpy path; under create_graph the same formula
    runs as minigrad ops (the path gradgradcheck proves). Both give the same gradients,
    for any subset of inputs that need one, on a batch-last input as well."""
    x = RNG.normal(size=shape) * 3 + 1
    if len(shape) == 4:
        x = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
    w = mg.Tensor(RNG.normal(size=shape[1]), requires_grad="w" in needs) if "w" in affine else None
    b = mg.Tensor(RNG.normal(size=shape[1]), requires_grad="b" in needs) if "b" in affine else None
    xt = mg.Tensor(x, requires_grad="x" in needs)
    dy = mg.Tensor(RNG.normal(size=shape))
    out = F.batch_norm(xt, None, None, w, b, training=True)
    wanted = [t for t in (xt, w, b) if t is not None and t.requires_grad]
    plain = mg.autograd.grad([out], wanted, [dy], retain_graph=True)
    graphed = mg.autograd.grad([out], wanted, [dy], create_graph=True)
    assert all(g.grad_fn is None for g in plain)
    if "x" in needs:   # dx depends on x through sigma: recorded
        assert graphed[0].grad_fn is not None
    for p, q in zip(plain, graphed):
        np.testing.assert_allclose(p.numpy(), q.numpy(), rtol=1e-10, atol=1e-12)


def test_inference_keeps_nothing_for_backward():
    bn = nn.BatchNorm2d(3, dtype=np.float64)
    x = mg.Tensor(RNG.normal(size=(2, 3, 4, 4)))
    with mg.no_grad():
        y = bn(x)
    assert y.grad_fn is None and bn.num_batches_tracked.item() == 1
    xr = mg.Tensor(x.numpy(), requires_grad=True)
    node = bn(xr).grad_fn
    assert isinstance(node, BatchNorm) and node.saved is not None
    assert not node.settings().get("running_mean")   # the buffers are not kept on the node


def test_layer_and_group_norm_modules_match_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.LayerNorm((4, 5), dtype=np.float64), torch.nn.LayerNorm((4, 5), dtype=torch.float64)
    ours.weight.numpy()[...] = theirs.weight.data.numpy()[...] = RNG.normal(size=(4, 5))
    out = _torch_compare(ours, theirs, [RNG.normal(size=(3, 4, 5))])
    assert isinstance(out.grad_fn.parents[0], LayerNorm) or any(
        op is LayerNorm for op in ops_in_graph(out))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours, theirs = nn.GroupNorm(2, 4, dtype=np.float64), torch.nn.GroupNorm(2, 4, dtype=torch.float64)
    out = _torch_compare(ours, theirs, [RNG.normal(size=(3, 4, 3, 3))])
    assert GroupNorm in ops_in_graph(out)
    no_affine = nn.LayerNorm(6, elementwise_affine=False)
    assert no_affine.weight is None and list(no_affine.parameters()) == []
    assert "LayerNorm((4, 5), eps=1e-05, elementwise_affine=True, bias=True)" == repr(nn.LayerNorm((4, 5)))


def test_second_derivative_of_batchnorm_matches_torch():
    torch = pytest.importorskip("torch")
    x, w = RNG.normal(size=(4, 2, 3)), RNG.normal(size=2)
    xm, wm = mg.Tensor(x, requires_grad=True), mg.Tensor(w, requires_grad=True)
    gx, = mg.grad((F.batch_norm(xm, None, None, wm, None, True) ** 3).sum(), xm, create_graph=True)
    (gx * gx).sum().backward()
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    gxt, = torch.autograd.grad((torch.nn.functional.batch_norm(xt, None, None, wt, None, True) ** 3).sum(),
                               xt, create_graph=True)
    (gxt * gxt).sum().backward()
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-8)
    np.testing.assert_allclose(wm.grad.numpy(), wt.grad.numpy(), rtol=1e-8)


@pytest.mark.parametrize("call, exc, pattern", [
    (lambda: F.layer_norm(mg.ones(2, 3), (4,)), ValueError,
     r"layer_norm: input of shape \(2, 3\) must end in normalized_shape \(4,\)"),
    (lambda: F.layer_norm(mg.ones(2, 3), 3, mg.ones(4)), ValueError,
     r"layer_norm: weight must have shape \(3,\) \(normalized_shape of input \(2, 3\)\), got \(4,\)"),
    (lambda: F.group_norm(mg.ones(2, 6, 3), 4), ValueError,
     r"group_norm: input must be \(N, C, ...\) with C divisible by num_groups \(4\), got shape \(2, 6, 3\)"),
    (lambda: F.batch_norm(mg.ones(2, 3), None, None), ValueError,
     r"batch_norm: training=False needs running_mean and running_var"),
    (lambda: F.batch_norm(mg.ones(2, 3), mg.zeros(2), mg.ones(3)), ValueError,
     r"batch_norm: running_mean must be a tensor of shape \(3,\), got \(2,\)"),
    (lambda: nn.GroupNorm(4, 6), ValueError, r"GroupNorm: num_channels \(6\) must be divisible by num_groups \(4\)"),
    (lambda: nn.LayerNorm(4, eps=-1.0), ValueError, r"LayerNorm: eps must be >= 0, got -1.0"),
])
def test_norm_errors(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


@pytest.mark.parametrize("shape", [(4, 3, 5, 6), (2, 3, 7), (1, 3, 2, 2)])
def test_functional_instance_norm_matches_torch(shape):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    x = RNG.normal(size=shape) * 3 + 2
    w, b = RNG.normal(size=3), RNG.normal(size=3)
    out = _torch_compare(lambda x, w, b: F.instance_norm(x, weight=w, bias=b, eps=1e-4),
                         lambda x, w, b: tf.instance_norm(x, weight=w, bias=b, eps=1e-4), [x, w, b])
    assert out.grad_fn.name == "InstanceNorm"   # batch norm's closed form, one op
    _torch_compare(lambda x: F.instance_norm(x), lambda x: tf.instance_norm(x), [x])
    # running statistics updated in place, and used with use_input_stats=False
    rm, rv = RNG.normal(size=3), RNG.uniform(0.5, 2, 3)
    ours = [mg.Tensor(rm.copy()), mg.Tensor(rv.copy())]
    theirs = [torch.tensor(rm), torch.tensor(rv)]
    _torch_compare(lambda x: F.instance_norm(x, *ours, momentum=0.3),
                   lambda x: tf.instance_norm(x, *theirs, momentum=0.3), [x])
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-12)
    _torch_compare(lambda x, w: F.instance_norm(x, *ours, w, use_input_stats=False),
                   lambda x, w: tf.instance_norm(x, *theirs, w, use_input_stats=False), [x, w])


@pytest.mark.parametrize("affine, track", [(False, False), (True, False), (True, True),
                                           (False, True)])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_instance_norm2d_module_matches_torch_over_steps_and_in_eval(affine, track, momentum):
    torch = pytest.importorskip("torch")
    ours = nn.InstanceNorm2d(3, affine=affine, track_running_stats=track, momentum=momentum,
                             dtype=np.float64)
    theirs = torch.nn.InstanceNorm2d(3, affine=affine, track_running_stats=track,
                                     momentum=momentum, dtype=torch.float64)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    if affine:
        ours.weight.numpy()[...] = theirs.weight.data.numpy()[...] = RNG.normal(size=3)
        ours.bias.numpy()[...] = theirs.bias.data.numpy()[...] = RNG.normal(size=3)
    for step, shape in enumerate([(4, 3, 5, 5), (3, 4, 6), (2, 3, 3, 4)]):
        _torch_compare(ours, theirs, [RNG.normal(size=shape) * (step + 1) + step])
    for name, buffer in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name].numpy(), buffer.numpy(), rtol=1e-12)
    ours.eval(), theirs.eval()
    _torch_compare(ours, theirs, [RNG.normal(size=(2, 3, 4, 4))])
    _torch_compare(ours, theirs, [RNG.normal(size=(3, 4, 4))])


def test_instance_norm_checks_and_the_num_features_warning():
    torch = pytest.importorskip("torch")
    plain = nn.InstanceNorm2d(3)
    with pytest.warns(UserWarning, match=r"InstanceNorm2d: input of shape \(2, 4, 3, 3\) has 4 "
                                         r"channels but num_features is 3"):
        out = plain(mg.Tensor(RNG.normal(size=(2, 4, 3, 3)).astype(np.float32)))
    assert out.shape == (2, 4, 3, 3)   # computed anyway, as PyTorch's
    with pytest.warns(UserWarning):
        torch.nn.InstanceNorm2d(3)(torch.ones(2, 4, 3, 3))
    with pytest.raises(ValueError, match=r"InstanceNorm2d: expected 3 channels \(num_features\) "
                                         r"on axis 1, got shape \(2, 4, 3, 3\)"):
        nn.InstanceNorm2d(3, affine=True)(mg.ones(2, 4, 3, 3))
    with pytest.raises(ValueError, match=r"InstanceNorm2d: expected 3-D \(C, H, W\) or 4-D"):
        plain(mg.ones(3, 4))
    with pytest.raises(ValueError, match=r"instance_norm: expected more than 1 spatial element"):
        plain(mg.ones(2, 3, 1, 1))
    with pytest.raises(ValueError, match="instance_norm: use_input_stats=False needs running_mean"):
        F.instance_norm(mg.ones(2, 3, 4), use_input_stats=False)
    assert repr(nn.InstanceNorm2d(3)) == repr(torch.nn.InstanceNorm2d(3))
    assert repr(nn.BatchNorm2d(3, bias=False)) == repr(torch.nn.BatchNorm2d(3, bias=False))
    assert nn.GroupNorm(1, 3, bias=False).bias is None
    assert list(nn.InstanceNorm2d(3, affine=True, bias=False).state_dict()) == ["weight"]
