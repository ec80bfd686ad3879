"""Elementwise ops: registry cases, broadcasting (hypothesis), dtype rules, errors."""
import operator

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import minigrad as mg
from tests.registry import Case

pos = lambda rng, *s: rng.uniform(0.5, 2.0, s)  # noqa: E731  away from log/sqrt/pow trouble

CASES = [
    Case("add_same", lambda a, b: a + b, lambda r: (r.normal(size=(3, 4)), r.normal(size=(3, 4)))),
    Case("add_broadcast", lambda a, b: a + b, lambda r: (r.normal(size=(2, 1, 4)), r.normal(size=(3, 1)))),
    Case("add_scalar_reflected", lambda a: 2.5 + a, lambda r: r.normal(size=(5,))),
    Case("add_scalar_right", lambda a: a + 0.75, lambda r: r.normal(size=(2, 3))),
    Case("add_int_scalar_0d", lambda a: a + 3, lambda r: r.normal(size=())),
    Case("mul_scalar_right", lambda a: a * -1.5, lambda r: r.normal(size=(3, 1, 2))),
    Case("mul_int_scalar_left", lambda a: 3 * a, lambda r: r.normal(size=(4,))),
    Case("mul_scalar_0d", lambda a: a * 0.5, lambda r: r.normal(size=())),
    Case("mul_scalar_zero", lambda a: (a * 0.0) + a, lambda r: r.normal(size=(2, 2))),
    Case("sub_broadcast", lambda a, b: a - b, lambda r: (r.normal(size=(4,)), r.normal(size=(3, 4)))),
    Case("rsub_scalar", lambda a: 1 - a, lambda r: r.normal(size=(2, 3))),
    Case("mul_broadcast", lambda a, b: a * b, lambda r: (r.normal(size=(3, 1, 5)), r.normal(size=(4, 1)))),
    Case("mul_self", lambda a: a * a, lambda r: r.normal(size=(3, 3))),
    Case("div_broadcast", lambda a, b: a / b, lambda r: (r.normal(size=(2, 3)), pos(r, 3))),
    Case("rdiv_scalar", lambda a: 1.0 / a, lambda r: pos(r, 4)),
    Case("pow_tensor_tensor", lambda a, b: a ** b, lambda r: (pos(r, 2, 3), r.normal(size=(3,)))),
    Case("pow_scalar_exp", lambda a: a ** 3, lambda r: r.normal(size=(4,))),
    Case("rpow", lambda a: 2.0 ** a, lambda r: r.normal(size=(3,))),
    Case("neg", lambda a: -a, lambda r: r.normal(size=(2, 3))),
    Case("exp", lambda a: a.exp(), lambda r: r.normal(size=(3, 2))),
    Case("log", lambda a: a.log(), lambda r: pos(r, 3, 2)),
    Case("sqrt", lambda a: a.sqrt(), lambda r: pos(r, 5)),
    Case("abs", lambda a: a.abs(), lambda r: r.normal(size=(2, 5))),
    Case("clip_both", lambda a: a.clip(-0.5, 0.5), lambda r: r.uniform(-1, 1, (4, 4))),
    Case("clip_lo_only", lambda a: a.clip(0.1), lambda r: r.uniform(-1, 1, (7,))),
    Case("erf", lambda a: a.erf(), lambda r: r.normal(size=(6,))),
    Case("where_broadcast", lambda a, b: mg.where(a.numpy() > 0, a, b),
         lambda r: (r.normal(size=(3, 4)), r.normal(size=(4,)))),
    Case("where_scalar_branch", lambda a: mg.where(a.numpy() > 0, a * 2, 0.0), lambda r: r.normal(size=(5,))),
    Case("cast_roundtrip", lambda a: (a.astype(np.float32) * 1).astype(np.float64) * a,
         lambda r: r.normal(size=(3,)), atol=1e-3, rtol=1e-2),
    Case("clone", lambda a: a.clone() * a, lambda r: r.normal(size=(2, 2))),
]


@settings(max_examples=15, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       op=st.sampled_from(["add", "sub", "mul", "div"]))
def test_broadcasting_gradients_hypothesis(shapes, op):
    rng = np.random.default_rng(0)
    a_shape, b_shape = shapes.input_shapes
    a = mg.Tensor(rng.normal(size=a_shape), requires_grad=True)
    b = mg.Tensor(rng.uniform(0.5, 2, size=b_shape), requires_grad=True)
    fn = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y,
          "mul": lambda x, y: x * y, "div": lambda x, y: x / y}[op]
    out = fn(a, b)
    assert out.shape == shapes.result_shape
    assert mg.gradcheck(fn, (a, b))
    out.sum().backward()
    assert a.grad.shape == a_shape and b.grad.shape == b_shape


def test_forward_values_match_numpy():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(3, 4)), rng.uniform(0.5, 2, (4,))
    ta, tb = mg.Tensor(a), mg.Tensor(b)
    np.testing.assert_allclose((ta * tb - ta / tb + tb ** 2).data, a * b - a / b + b ** 2)
    np.testing.assert_allclose(mg.Tensor(b).log().exp().data, b)
    np.testing.assert_allclose(ta.erf().numpy(), np.vectorize(__import__("math").erf)(a))


def test_python_scalar_keeps_float32_and_float64_stays_float64():
    t = mg.tensor([1.0, 2.0])
    assert t.dtype == np.float32
    for out in (t * 2.0, 2.0 * t, t + 1, t / 3, t ** 2, 1 - t, t.exp(), -t):
        assert out.dtype == np.float32
    d = mg.Tensor(np.array([1.0, 2.0]))
    assert (d * 2.0 + 1).exp().dtype == np.float64


def test_a_python_number_makes_a_one_input_op_with_torchs_values_and_dtypes():
    """``t + c`` and ``t * c`` (either side) for a float tensor are AddScalar/MulScalar
    with c as a setting; anything else (an int tensor, a bool, a numpy scalar) keeps
    the two-input op and its promotion rules. Values and dtypes match PyTorch's."""
    torch = pytest.importorskip("torch")
    data = np.array([[-1.5, 0.25, 3.0]], dtype=np.float32)
    # float16: the number is rounded to float16 first (torch computes in float32), so
    # the values differ in the last bit, as they did with a constant tensor
    for dtype, rtol in ((np.float16, 1e-3), (np.float32, 0), (np.float64, 0), (np.int64, 0)):
        a = data.astype(dtype)
        t, tt = mg.Tensor(a), torch.tensor(a)
        for f in (lambda x: x + 2, lambda x: 2.5 + x, lambda x: x * -3, lambda x: 0.1 * x,
                  lambda x: x * 1e30, lambda x: x + True):
            with np.errstate(over="ignore"):   # 1e30 is inf in float16
                ours, theirs = f(t), f(tt)
            assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=rtol)
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    assert [type(f(x).grad_fn).__name__ for f in (lambda v: v + 1, lambda v: 1.5 * v,
                                                  lambda v: v * True, lambda v: v * np.float32(2))] \
        == ["AddScalar", "MulScalar", "Mul", "Mul"]
    ((x * 3 + 1) * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.array([7.0, 13.0], dtype=np.float32))


def test_integer_true_division_is_float32_as_in_pytorch():
    torch = pytest.importorskip("torch")
    a = np.array([7, -3, 0, 2**40 + 1])
    b = np.array([2, 4, 5, 3])
    for f in (lambda x, y: x / y, lambda x, y: x / 3, lambda x, y: 7 / y,
              lambda x, y: x.bool() / y):
        ours, theirs = f(mg.tensor(a), mg.tensor(b)), f(torch.tensor(a), torch.tensor(b))
        assert ours.dtype == np.float32 and theirs.dtype == torch.float32
        # (torch computes 7 / y as 7 * (1 / y): one rounding more)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=2e-7)


def test_gradients_keep_the_inputs_dtype():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x * np.array([3.0, 3.0])      # a float64 array promotes the result (numpy's rule)
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_numpy_scalars_do_not_upcast_like_python_scalars():
    x = mg.tensor([1.0, 4.0])
    for y in (x / np.sqrt(4.0), x * np.int64(2), np.float64(2.0) * x, x + np.float32(1)):
        assert y.dtype == np.float32


def test_broadcast_mismatch_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"mul: shapes \(2, 3\) and \(4,\) cannot be broadcast"):
        mg.ones(2, 3) * mg.ones(4)
    with pytest.raises(ValueError, match=r"add: shapes"):
        mg.ones(2, 3) + np.ones((3, 2))


def test_comparisons_have_no_gradient():
    x = mg.tensor([1.0, -1.0], requires_grad=True)
    m = x > 0
    assert m.dtype == np.bool_ and not m.requires_grad
    assert (x == mg.tensor([1.0, 0.0])).tolist() == [True, False]


def test_clip_gradient_is_one_inside_including_bounds():
    x = mg.Tensor(np.array([-2.0, -1.0, 0.0, 1.0, 2.0]), requires_grad=True)
    x.clip(-1, 1).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]


def test_clip_rejects_bad_bounds():
    with pytest.raises(ValueError, match="clip"):
        mg.ones(2).clip()
    with pytest.raises(ValueError, match="clip: lo"):
        mg.ones(2).clip(1, 0)


def test_ndarray_on_the_left_defers_to_tensor():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0], dtype=np.float32) * x
    assert isinstance(y, mg.Tensor)
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 4.0]


def test_zero_d_erf_and_pow_exponent_gradient_at_zero_base():
    assert abs(mg.tensor(0.5).erf().item() - 0.5204998778) < 1e-6
    x = mg.Tensor(np.array([0.0, 1.0, 2.0]), requires_grad=True)
    e = mg.Tensor(np.array(2.0), requires_grad=True)
    (x ** e).sum().backward()
    np.testing.assert_allclose(e.grad.item(), 0 + 0 + 4 * np.log(2.0))


# -- sin, cos, log1p, expm1, masked_fill (issue 11) -----------------------------------------

MASK = np.array([[True, False, False, True]])   # broadcast over the rows

CASES += [
    Case("sin", lambda a: a.sin(), lambda r: r.normal(size=(3, 4)) * 3),
    Case("cos", lambda a: mg.cos(a) * a, lambda r: r.normal(size=(5,)) * 3),
    Case("log1p", lambda a: a.log1p(), lambda r: r.uniform(-0.5, 2.0, (2, 3))),
    Case("expm1", lambda a: mg.expm1(a), lambda r: r.normal(size=(4, 2))),
    Case("masked_fill_broadcast_mask", lambda a: a.masked_fill(MASK, 2.5) * a,
         lambda r: r.normal(size=(3, 4))),
    Case("masked_fill_tensor_mask", lambda a: mg.masked_fill(a, a.numpy() > 0, -1.0) ** 2,
         lambda r: r.normal(size=(2, 5))),
]


def test_new_math_against_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(3).uniform(-0.9, 3.0, (4, 5))
    weights = np.random.default_rng(4).normal(size=(4, 5))
    for name in ("sin", "cos", "log1p", "expm1"):
        x = mg.Tensor(a, requires_grad=True)
        y = getattr(x, name)()
        (y * mg.Tensor(weights)).sum().backward()
        tx = torch.tensor(a, requires_grad=True)
        ty = getattr(torch, name)(tx)
        (ty * torch.tensor(weights)).sum().backward()
        np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-14, err_msg=name)
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-14, err_msg=name)
        np.testing.assert_allclose(getattr(mg, name)(mg.Tensor(a)).data, y.numpy(), err_msg=name)


def test_log1p_and_expm1_are_exact_for_tiny_values():
    tiny = mg.Tensor(np.array([1e-12, -1e-15]))
    np.testing.assert_allclose(tiny.log1p().numpy(), [1e-12 - 5e-25, -1e-15], rtol=1e-14)
    np.testing.assert_allclose(tiny.expm1().numpy(), [1e-12 + 5e-25, -1e-15], rtol=1e-14)


def test_masked_fill_against_torch_and_gradient_zero_where_masked():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(5).normal(size=(3, 4))
    x = mg.Tensor(a, requires_grad=True)
    y = x.masked_fill(mg.tensor(MASK), float("-inf")).softmax(dim=1)
    (y * mg.Tensor(a)).sum().backward()
    tx = torch.tensor(a, requires_grad=True)
    ty = tx.masked_fill(torch.tensor(MASK), float("-inf")).softmax(dim=1)
    (ty * torch.tensor(a)).sum().backward()
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-15)
    assert np.all(x.grad.numpy()[:, MASK[0]] == 0)
    z = mg.Tensor(a, requires_grad=True)
    z.masked_fill(mg.Tensor(a) > 0, mg.tensor(7.0)).sum().backward()
    np.testing.assert_array_equal(z.grad.numpy(), (a <= 0).astype(float))
    assert mg.tensor([1, 2, 3]).masked_fill(np.array([False, True, False]), 9).tolist() == [1, 9, 3]


def test_masked_fill_under_no_grad_records_nothing():
    x = mg.Tensor(np.ones(3), requires_grad=True)
    with mg.no_grad():
        y = x.masked_fill(np.array([True, False, True]), 0.0).sin()
    assert y.grad_fn is None and y.tolist() == [0.0, np.sin(1.0), 0.0]


# -- the operators & | ^ ~ // % and their in-place forms, against PyTorch ----------------
def away_from_steps(rng, *shape):
    """Values whose quotient by the divisors below stays away from an integer (where
    remainder jumps), so central differences see a smooth function."""
    return rng.integers(-4, 5, shape) * 1.5 + rng.uniform(0.2, 0.8, shape)


CASES += [
    Case("remainder_scalar", lambda a: a % 1.5, lambda r: away_from_steps(r, 3, 4)),
    Case("remainder_negative_divisor", lambda a: (a % -1.5) * a, lambda r: away_from_steps(r, 5)),
    Case("remainder_tensors_broadcast", lambda a, b: a % b,
         lambda r: (away_from_steps(r, 2, 3), np.full((3,), 1.5) + r.uniform(-0.01, 0.01, 3))),
]


def test_remainder_gradients_match_torch():
    """da = dy and db = -dy floor(a / b), as torch's remainder (floor_divide has none)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    a, b = away_from_steps(rng, 3, 4), rng.uniform(0.7, 2.0, (4,)) * rng.choice([-1, 1], 4)
    x, y = mg.Tensor(a, requires_grad=True), mg.Tensor(b, requires_grad=True)
    tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    out, tout = x % y, tx % ty
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-12)
    weights = rng.normal(size=(3, 4))
    (out * mg.Tensor(weights)).sum().backward()
    (tout * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(y.grad.numpy(), ty.grad.numpy(), rtol=1e-12)


def test_floor_divide_is_a_constant():
    x = mg.tensor([-3.5, 3.5], requires_grad=True)
    quotient = x // 2
    assert not quotient.requires_grad and quotient.tolist() == [-2.0, 1.0]


OPERATOR_CASES = [   # (left, right) for each binary operator, PyTorch's semantics
    ([-3.5, 3.5, 0.25], 2), ([-3.5, 3.5, 0.25], -2), ([-3, 3, 7], 2), ([-3, 3, 7], -2),
    (7, [-3, 3, 2]), ([-3, 3, 7], 2.5), ([-3.0, 3.0, 1.0], [0.0, 0.0, -0.0]),
    ([True, False, True], [True, True, False]), ([5, 6, 7], True), ([True, False, True], 1),
]
OPERATORS = ["floordiv", "mod", "and", "or", "xor"]


def as_both(torch, value):
    if isinstance(value, list):
        return mg.tensor(value), torch.tensor(value)
    return value, value


@pytest.mark.parametrize("left, right", OPERATOR_CASES)
@pytest.mark.parametrize("name", OPERATORS)
def test_operators_match_torch(left, right, name):
    torch = pytest.importorskip("torch")
    fn = getattr(operator, name + "_" if name in ("and", "or") else name)
    a, ta = as_both(torch, left)
    b, tb = as_both(torch, right)
    try:
        expected = fn(ta, tb)
    except (RuntimeError, TypeError) as error:   # float & float, bool // bool, int // 0
        kind = RuntimeError if "ZeroDivision" in str(error) else TypeError
        with pytest.raises(kind):
            fn(a, b)
        return
    result = fn(a, b)
    assert str(result.dtype) == str(expected.dtype).replace("torch.", "")
    np.testing.assert_array_equal(result.numpy(), expected.numpy())


def test_invert_and_a_mask_of_two_comparisons():
    torch = pytest.importorskip("torch")
    x, tx = mg.tensor([-0.5, 0.5, 1.5]), torch.tensor([-0.5, 0.5, 1.5])
    assert ((x > 0) & (x < 1)).tolist() == ((tx > 0) & (tx < 1)).tolist() == [False, True, False]
    assert (~(x > 0)).tolist() == (~(tx > 0)).tolist()
    assert (~mg.tensor([0, 5])).tolist() == (~torch.tensor([0, 5])).tolist()
    with pytest.raises(TypeError, match="bitwise_not"):
        ~x


def test_augmented_assignment_of_the_new_operators_is_in_place():
    torch = pytest.importorskip("torch")
    t, tt = mg.tensor([5.0, -7.0]), torch.tensor([5.0, -7.0])
    alias, talias = t, tt
    t //= 2
    t %= 1.5
    tt //= 2
    tt %= 1.5
    assert alias.tolist() == talias.tolist() and t is alias
    n, tn = mg.tensor([5, 7]), torch.tensor([5, 7])
    alias = n
    for op in ("__iand__", "__ior__", "__ixor__"):
        n = getattr(n, op)(3)
        tn = getattr(tn, op)(3)
    assert n is alias and n.tolist() == tn.tolist()


@pytest.mark.parametrize("op", ["__iadd__", "__ifloordiv__", "__imul__"])
def test_float_result_into_an_int_tensor_in_place_is_a_runtime_error(op):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        getattr(torch.tensor([1, 2]), op)(2.5)
    with pytest.raises(RuntimeError, match="cannot be cast"):
        getattr(mg.tensor([1, 2]), op)(2.5)
    with pytest.raises(RuntimeError, match="cannot be cast"):
        mg.tensor([True, False]).__iand__(mg.tensor([1, 1]))


def test_floor_divide_in_place_refuses_a_tensor_that_requires_grad():
    with pytest.raises(RuntimeError, match="floor_divide_"):
        x = mg.ones(2, requires_grad=True)
        x //= 2
