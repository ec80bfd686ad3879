"""The two kernel sets of ``minigrad.kernels`` compute the same numbers.

* every conv/pool registry case (tests/ops/test_conv.py and test_pool.py ``CASES``)
  gives the same forward, first and second derivatives under ``reference`` and
  ``fast`` in float64, to 1e-12;
* the same cases pass gradcheck and gradgradcheck under ``reference`` (the registry
  test runs them under the default, ``fast``);
* ``kernels.use`` selects a set for good or for a block, and refuses unknown names.
"""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import kernels
from minigrad.autograd import grad
from minigrad.kernels import reference
from tests.ops import test_conv, test_pool

CASES = test_conv.CASES + test_pool.CASES
IDS = [c.id for c in CASES]


def _outputs(case, inputs):
    out = case.fn(*inputs)
    return out if isinstance(out, tuple) else (out,)


def derivatives(case, kernel_set):
    """Forward, the gradient of <y, v> w.r.t. every input that requires grad, and
    the gradient of <that gradient, u> (second order) as arrays, under one set."""
    with kernels.use(kernel_set):
        inputs = case.inputs()
        outs = _outputs(case, inputs)
        rng = np.random.default_rng(1)
        live = [o for o in outs if o.requires_grad]
        diff = [t for t in inputs if t.requires_grad]
        vs = [mg.Tensor(rng.standard_normal(o.shape)) for o in live]
        firsts = grad(live, diff, vs, create_graph=True, allow_unused=True)
        results = [o.numpy() for o in outs] + [g.numpy() for g in firsts if g is not None]
        if case.gradgrad is True:
            used = [g for g in firsts if g is not None and g.requires_grad]
            us = [mg.Tensor(rng.standard_normal(g.shape)) for g in used]
            if used:
                seconds = grad(used, diff, us, allow_unused=True)
                results += [g.numpy() for g in seconds if g is not None]
    return results


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_reference_and_fast_kernels_agree_on_every_conv_and_pool_case(case):
    fast, ref = derivatives(case, "fast"), derivatives(case, "reference")
    assert len(fast) == len(ref) > 1
    for a, b in zip(fast, ref):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradcheck_under_the_reference_kernels(case):
    with kernels.use("reference"):
        assert mg.gradcheck(case.fn, case.inputs(), atol=case.atol, rtol=case.rtol)


@pytest.mark.parametrize("case", [c for c in CASES if c.gradgrad is True],
                         ids=[c.id for c in CASES if c.gradgrad is True])
def test_gradgradcheck_under_the_reference_kernels(case):
    with kernels.use("reference"):
        assert mg.gradgradcheck(case.fn, case.inputs(), atol=case.atol, rtol=case.rtol)


def test_fast_is_the_default_and_use_selects_for_good_or_for_a_block():
    assert kernels.selected() is kernels.fast
    with kernels.use("reference") as chosen:
        assert chosen is kernels.reference is kernels.selected()
        with kernels.use("fast"):
            assert kernels.selected() is kernels.fast
        assert kernels.selected() is kernels.reference
    assert kernels.selected() is kernels.fast
    try:
        kernels.use("reference")
        assert kernels.selected() is kernels.reference
    finally:
        kernels.use("fast")
    assert kernels.selected() is kernels.fast


def test_an_unknown_kernel_set_is_refused_by_name():
    with pytest.raises(ValueError, match=r"kernels\.use.*'fast', 'reference'.*'slow'"):
        kernels.use("slow")
    assert kernels.selected() is kernels.fast


def test_switching_sets_between_forward_and_backward_gives_the_same_gradients():
    """Conv2d hands its padded input to the weight gradient only within one set
    (each set pads in its own layout)."""
    rng = np.random.default_rng(2)
    x, w = rng.normal(size=(2, 3, 7, 6)), rng.normal(size=(4, 3, 3, 3))
    grads = []
    for forward_set, backward_set in (("fast", "fast"), ("fast", "reference"),
                                      ("reference", "fast")):
        X, W = mg.Tensor(x, requires_grad=True), mg.Tensor(w, requires_grad=True)
        with kernels.use(forward_set):
            y = F.max_pool2d(F.conv2d(X, W, stride=2, padding=1), 2, ceil_mode=True)
        with kernels.use(backward_set):
            y.sum().backward()
        grads.append((X.grad.numpy(), W.grad.numpy()))
    for gx, gw in grads[1:]:
        np.testing.assert_allclose(gx, grads[0][0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(gw, grads[0][1], rtol=1e-12, atol=1e-12)


def test_the_bias_gradient_is_the_sum_of_delta():
    rng = np.random.default_rng(3)
    x, w, b = (mg.Tensor(rng.normal(size=s), requires_grad=True)
               for s in ((2, 3, 5, 5), (4, 3, 3, 3), (4,)))
    y = F.conv2d(x, w, b, padding=1)
    delta = rng.normal(size=y.shape)
    y.backward(delta)
    np.testing.assert_allclose(b.grad.numpy(), reference.bias_grad(delta), rtol=1e-12)


def test_max_pool_ties_nan_and_all_minus_inf_windows_in_the_reference():
    """First maximum in row-major window order; NaN is the max; a window of -inf
    pixels picks its first real pixel, never the -inf padding."""
    from minigrad.kernels.windows import Window
    x = np.array([[[[1.0, 3.0, 3.0], [3.0, np.nan, 0.0], [-np.inf, -np.inf, 2.0]]]])
    window = Window((2, 2), (2, 2), (1, 1), (3, 3))
    out, argmax = reference.max_pool(x, window)
    # windows: (pad, pad, pad, 1) | (pad, pad, 3, 3) | (pad, 3, pad, -inf) | (nan, 0, -inf, 2)
    np.testing.assert_array_equal(argmax[0, 0], [[3, 2], [1, 0]])
    assert np.isnan(out[0, 0, 1, 1]) and out[0, 0, 0, 1] == 3.0
    only_minus_inf = np.full((1, 1, 3, 3), -np.inf)
    _, argmax = reference.max_pool(only_minus_inf, window)
    np.testing.assert_array_equal(argmax[0, 0], [[3, 2], [1, 0]])
