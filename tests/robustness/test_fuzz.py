"""Property tests (hypothesis) over random shapes, geometry and awkward values:
huge magnitudes, +-0, subnormals. Each op either raises its documented error or
matches a slow loop reference written here (and PyTorch, when installed).

Values go up to 1e150 so products stay finite in float64; comparisons allow
the rounding that a different summation order makes, measured on the same sum
taken over absolute values (|error| <= 1e-12 * sum |terms|).

Deterministic: ``derandomize=True`` makes every run try the same examples.
"""
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st
from hypothesis.extra.numpy import arrays, mutually_broadcastable_shapes

import minigrad as mg
import minigrad.nn.functional as F

FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None)

#: floats including +-0, subnormals and huge magnitudes (no inf/NaN: those have their own tests)
AWKWARD = st.one_of(
    st.floats(-1e150, 1e150, allow_nan=False, allow_infinity=False, allow_subnormal=True),
    st.sampled_from([0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e150, -1e150, 1.0]),
)


def awkward_array(shape):
    return arrays(np.float64, shape, elements=AWKWARD)


# -- slow references -------------------------------------------------------------------

def conv2d_loops(x, w, stride, padding, dilation):
    """y[n,o,i,j] = sum_{c,a,b} w[o,c,a,b] x_p[n,c,s*i+d*a,s*j+d*b], one number at a time."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    xp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw))
    xp[:, :, ph:ph + h, pw:pw + wd] = x
    ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((n, o, ho, wo))
    for b_ in range(n):
        for oc in range(o):
            for i in range(ho):
                for j in range(wo):
                    total = 0.0
                    for ch in range(c):
                        for a in range(kh):
                            for b in range(kw):
                                total += w[oc, ch, a, b] * xp[b_, ch, sh * i + dh * a, sw * j + dw * b]
                    y[b_, oc, i, j] = total
    return y


def pool_loops(x, kernel, stride, padding, kind):
    """Max (first maximum in row-major order) or mean (padding zeros counted) of
    each window, and d(sum of outputs * g)/dx for a given g."""
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    fill = -math.inf if kind == "max" else 0.0
    xp = np.full((n, c, h + 2 * ph, w + 2 * pw), fill)
    xp[:, :, ph:ph + h, pw:pw + w] = x
    ho, wo = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    y = np.zeros((n, c, ho, wo))
    winners = {}
    for idx in np.ndindex(n, c, ho, wo):
        b_, ch, i, j = idx
        taps = [(sh * i + a, sw * j + b) for a in range(kh) for b in range(kw)]
        values = [xp[b_, ch, r, s] for r, s in taps]
        if kind == "max":
            best = max(values)
            y[idx] = best
            winners[idx] = [taps[values.index(best)]]      # the first maximum
        else:
            y[idx] = sum(values) / len(values)
            winners[idx] = taps

    def grad(g):
        gp = np.zeros(xp.shape)
        for idx, taps in winners.items():
            for r, s in taps:
                gp[idx[0], idx[1], r, s] += g[idx] / (1 if kind == "max" else len(taps))
        return gp[:, :, ph:ph + h, pw:pw + w]
    return y, grad


def cross_entropy_loops(logits, target):
    """Mean over rows of -log softmax(row)[target], and its gradient, in float64
    with the max subtracted (math.fsum for the normaliser)."""
    n, c = logits.shape
    losses, grad = [], np.zeros((n, c))
    for i in range(n):
        row = [float(v) for v in logits[i]]
        top = max(row)
        norm = math.fsum(math.exp(v - top) for v in row)
        losses.append(-(row[target[i]] - top - math.log(norm)))
        for k in range(c):
            grad[i, k] = (math.exp(row[k] - top) / norm - (k == target[i])) / n
    return math.fsum(losses) / n, grad


# -- conv2d ------------------------------------------------------------------------------

@st.composite
def conv_problem(draw):
    n, c, o = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    x = draw(awkward_array((n, c, h, w)))
    weight = draw(awkward_array((o, c, kh, kw)))
    return x, weight, stride, padding, dilation


@FUZZ
@given(conv_problem())
def test_conv2d_matches_loops_or_reports_the_kernel_does_not_fit(problem):
    x, w, stride, padding, dilation = problem
    fits = all(dilation[i] * (w.shape[2 + i] - 1) + 1 <= x.shape[2 + i] + 2 * padding[i] for i in (0, 1))
    if not fits:
        with pytest.raises(ValueError, match="conv2d: the kernel .* is larger than the padded input"):
            F.conv2d(mg.Tensor(x), mg.Tensor(w), stride=stride, padding=padding, dilation=dilation)
        return
    y = F.conv2d(mg.Tensor(x), mg.Tensor(w), stride=stride, padding=padding, dilation=dilation).numpy()
    expected = conv2d_loops(x, w, stride, padding, dilation)
    scale = conv2d_loops(np.abs(x), np.abs(w), stride, padding, dilation)
    assert y.shape == expected.shape
    assert np.all(np.abs(y - expected) <= 1e-12 * scale)


@settings(max_examples=20, deadline=None, derandomize=True, database=None)
@given(conv_problem(), st.integers(1, 3))
def test_conv2d_and_its_gradients_match_torch(problem, groups):
    torch = pytest.importorskip("torch")
    x, w, stride, padding, dilation = problem
    assume(all(dilation[i] * (w.shape[2 + i] - 1) + 1 <= x.shape[2 + i] + 2 * padding[i] for i in (0, 1)))
    # grouped: replicate channels so that groups divides both C_in and C_out
    x, w = np.tile(x, (1, groups, 1, 1)), np.tile(w, (groups, 1, 1, 1))
    x, w = np.clip(x, -1e3, 1e3), np.clip(w, -1e3, 1e3)    # keep the float64 sums comparable
    X, Wt = mg.Tensor(x, requires_grad=True), mg.Tensor(w, requires_grad=True)
    y = F.conv2d(X, Wt, stride=stride, padding=padding, dilation=dilation, groups=groups)
    g = np.cos(np.arange(y.numel())).reshape(y.shape)
    y.backward(mg.Tensor(g))
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    ty = torch.nn.functional.conv2d(tx, tw, stride=stride, padding=padding, dilation=dilation, groups=groups)
    ty.backward(torch.tensor(g))
    for mine, theirs in ((y.numpy(), ty), (X.grad.numpy(), tx.grad), (Wt.grad.numpy(), tw.grad)):
        theirs = theirs.detach().numpy()
        assert mine.shape == theirs.shape
        np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-9 * max(1.0, np.abs(theirs).max()))


# -- pooling ----------------------------------------------------------------------------

@st.composite
def pool_problem(draw):
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    x = draw(awkward_array((n, c, h, w)))
    return x, kernel, stride, padding


@FUZZ
@given(pool_problem(), st.sampled_from(["max", "avg"]))
def test_pooling_matches_loops_or_raises_the_documented_error(problem, kind):
    x, kernel, stride, padding = problem
    pool = F.max_pool2d if kind == "max" else F.avg_pool2d
    X = mg.Tensor(x, requires_grad=True)
    if any(2 * padding[i] > kernel[i] for i in (0, 1)):
        with pytest.raises(ValueError, match=f"{pool.__name__}: padding .* must be at most half the kernel_size"):
            pool(X, kernel, stride, padding)
        return
    if any(kernel[i] > x.shape[2 + i] + 2 * padding[i] for i in (0, 1)):
        with pytest.raises(ValueError, match=f"{pool.__name__}: kernel_size .* is larger than the padded input"):
            pool(X, kernel, stride, padding)
        return
    y = pool(X, kernel, stride, padding)
    expected, grad_of = pool_loops(x, kernel, stride, padding, kind)
    g = np.sin(np.arange(y.numel()) + 1.0).reshape(y.shape)
    y.backward(mg.Tensor(g))
    if kind == "max":      # selection and routing are exact
        np.testing.assert_array_equal(y.numpy(), expected)
        # overlapping windows add their routed gradients, in another order than the loops
        np.testing.assert_allclose(X.grad.numpy(), grad_of(g), rtol=1e-12, atol=1e-300)
    else:
        scale, _ = pool_loops(np.abs(x), kernel, stride, padding, kind)
        assert np.all(np.abs(y.numpy() - expected) <= 1e-12 * scale)
        np.testing.assert_allclose(X.grad.numpy(), grad_of(g), rtol=1e-12, atol=1e-300)


# -- softmax and cross-entropy --------------------------------------------------------

@st.composite
def logits_problem(draw):
    n, c = draw(st.integers(1, 6)), draw(st.integers(1, 8))
    logits = draw(arrays(np.float32, (n, c), elements=st.one_of(
        st.floats(-1e4, 1e4, width=32, allow_subnormal=True),
        st.sampled_from([1e4, -1e4, 0.0, -0.0, 1e-45]))))
    target = draw(arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    return logits, target


@FUZZ
@given(logits_problem())
def test_cross_entropy_float32_is_finite_and_matches_the_reference(problem):
    logits, target = problem
    x = mg.Tensor(logits, requires_grad=True)
    loss = F.cross_entropy(x, target)
    loss.backward()
    assert loss.dtype == np.float32 and x.grad.dtype == np.float32
    assert np.isfinite(loss.item()) and np.all(np.isfinite(x.grad.numpy()))
    expected, grad = cross_entropy_loops(logits.astype(np.float64), target)
    # float32 rounds x - max to ~6e-8 relative: allow that on logits of this size
    tolerance = 2e-7 * float(np.abs(logits).max()) + 1e-5
    assert abs(loss.item() - expected) <= tolerance
    np.testing.assert_allclose(x.grad.numpy(), grad, atol=tolerance)


@FUZZ
@given(logits_problem(), st.integers(0, 1))
def test_softmax_and_log_softmax_float32_are_finite_and_normalised(problem, axis):
    logits, _ = problem
    x = mg.Tensor(logits, requires_grad=True)
    p, logp = x.softmax(axis=axis), x.log_softmax(axis=axis)
    assert np.all(np.isfinite(p.numpy())) and np.all(np.isfinite(logp.numpy()))
    assert np.all(p.numpy() >= 0) and np.all(logp.numpy() <= 1e-6)
    np.testing.assert_allclose(p.numpy().sum(axis=axis), 1, rtol=1e-5)
    (logp * mg.Tensor(np.ones_like(logits))).sum().backward()
    assert np.all(np.isfinite(x.grad.numpy()))
    # reference in float64: exp(x - max) / sum
    ref = logits.astype(np.float64)
    ref = np.exp(ref - ref.max(axis=axis, keepdims=True))
    ref /= ref.sum(axis=axis, keepdims=True)
    np.testing.assert_allclose(p.numpy(), ref, atol=1e-5 + 2e-7 * float(np.abs(logits).max()))


# -- broadcasting arithmetic ------------------------------------------------------------

OPS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide}
BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b,
          "mul": lambda a, b: a * b, "div": lambda a, b: a / b}


def broadcast_grads_loops(a, b, op):
    """d(sum z)/da and d(sum z)/db for z = op(a, b), by walking every output
    element and adding its partial derivatives to the input elements it read."""
    out_shape = np.broadcast_shapes(a.shape, b.shape)
    ga, gb = np.zeros(a.shape), np.zeros(b.shape)

    def source(shape, idx):
        idx = idx[len(idx) - len(shape):]
        return tuple(0 if n == 1 else i for n, i in zip(shape, idx))

    for idx in np.ndindex(*out_shape):
        ia, ib = source(a.shape, idx), source(b.shape, idx)
        x, y = a[ia], b[ib]
        if op == "add":
            da, db = 1.0, 1.0
        elif op == "sub":
            da, db = 1.0, -1.0
        elif op == "mul":
            da, db = y, x
        else:
            da, db = 1 / y, -x / (y * y)
        ga[ia] += da
        gb[ib] += db
    return ga, gb


@FUZZ
@given(mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       st.sampled_from(sorted(OPS)), st.data())
def test_broadcast_arithmetic_on_awkward_values_matches_numpy_and_loops(shapes, op, data):
    a_shape, b_shape = shapes.input_shapes
    a = data.draw(arrays(np.float64, a_shape, elements=st.floats(-1e100, 1e100, allow_subnormal=True)))
    b_values = st.floats(-1e100, 1e100, allow_subnormal=True)
    if op == "div":        # 1/b and x/b^2 must stay finite
        b_values = b_values.filter(lambda v: 1e-50 <= abs(v))
    b = data.draw(arrays(np.float64, b_shape, elements=b_values))
    A, B = mg.Tensor(a, requires_grad=True), mg.Tensor(b, requires_grad=True)
    z = BINARY[op](A, B)
    np.testing.assert_array_equal(z.numpy(), OPS[op](a, b))   # the same ufunc: bit-exact
    assume(np.all(np.isfinite(z.numpy())))
    z.sum().backward()
    ga, gb = broadcast_grads_loops(a, b, op)
    assert A.grad.shape == a.shape and B.grad.shape == b.shape
    np.testing.assert_allclose(A.grad.numpy(), ga, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(B.grad.numpy(), gb, rtol=1e-12, atol=1e-300)


@FUZZ
@given(st.lists(st.integers(1, 4), min_size=0, max_size=3), st.lists(st.integers(1, 4), min_size=0, max_size=3),
       st.sampled_from(sorted(OPS)))
def test_any_pair_of_shapes_broadcasts_or_raises_the_documented_error(a_shape, b_shape, op):
    a, b = mg.Tensor(np.ones(a_shape)), mg.Tensor(np.ones(b_shape))
    try:
        expected = np.broadcast_shapes(tuple(a_shape), tuple(b_shape))
    except ValueError:
        with pytest.raises(ValueError, match=rf"{op}: shapes \(.*\) and \(.*\) cannot be broadcast together"):
            BINARY[op](a, b)
    else:
        assert BINARY[op](a, b).shape == expected
