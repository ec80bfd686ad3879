"""Differential rows of the elementwise ops (minigrad/ops/elementwise.py), remainder,
maximum / minimum and rounding included."""
import numpy as np

from tests.differential.row import (BINARY, UNARY, Row, above_minus_half, away_from_zero, normal,
                                   pattern_mask, positive)


def off_integers(rng, shape):
    """Values at least 0.1 from an integer and from a half (the steps of floor/round)."""
    return rng.integers(-3, 3, shape) + rng.choice([0.15, 0.35, 0.65, 0.85], size=shape)

ROWS = [
    Row("add", lambda L, a, b: a + b, BINARY, second_order=True),
    Row("sub", lambda L, a, b: a - b, BINARY),
    Row("mul", lambda L, a, b: a * b, BINARY, second_order=True),
    Row("div", lambda L, a, b: a / b, BINARY, values=(normal, away_from_zero), second_order=True),
    Row("pow_tensors", lambda L, a, b: a ** b, [((3, 4), (3, 4)), ((2, 1, 3), (3,)), ((), (2,))],
        values=(positive, normal), second_order=True),
    Row("pow_int", lambda L, x: x ** 3, UNARY, second_order=True),
    Row("pow_half", lambda L, x: x ** 2.5, UNARY, values=positive),
    Row("rpow", lambda L, x: 2.0 ** x, UNARY),
    Row("add_scalar", lambda L, x: x + 2.5, UNARY),
    Row("radd_int", lambda L, x: 3 + x, UNARY),
    Row("rsub_scalar", lambda L, x: 1 - x, UNARY),
    Row("mul_scalar", lambda L, x: x * -1.5, UNARY),
    Row("div_scalar", lambda L, x: x / 4.0, UNARY),
    Row("rdiv_scalar", lambda L, x: 1.0 / x, UNARY, values=away_from_zero, second_order=True),
    Row("neg", lambda L, x: -x, UNARY),
    Row("exp", lambda L, x: x.exp(), UNARY, second_order=True),
    Row("log", lambda L, x: x.log(), UNARY, values=positive, second_order=True),
    Row("sqrt", lambda L, x: x.sqrt(), UNARY, values=positive, second_order=True),
    Row("sin", lambda L, x: x.sin(), UNARY, second_order=True),
    Row("cos", lambda L, x: L.lib.cos(x), UNARY, second_order=True),
    Row("log1p", lambda L, x: x.log1p(), UNARY, values=above_minus_half, second_order=True),
    Row("expm1", lambda L, x: L.lib.expm1(x), UNARY, second_order=True),
    Row("abs", lambda L, x: x.abs(), UNARY, values=away_from_zero),
    Row("erf", lambda L, x: x.erf(), UNARY, second_order=True),
    Row("clip_both", lambda L, x: x.clip(-0.5, 0.5), UNARY),
    Row("clip_min", lambda L, x: x.clip(0.1), UNARY),
    Row("masked_fill", lambda L, x: x.masked_fill(L.const(pattern_mask(tuple(x.shape))), 2.5),
        UNARY),
    Row("masked_fill_function", lambda L, x: L.lib.masked_fill(x, L.const(np.array([True, False])),
                                                               -1.0), [((3, 2),), ((2,),)]),
    Row("where", lambda L, a, b: L.lib.where(
        L.const(pattern_mask(np.broadcast_shapes(tuple(a.shape), tuple(b.shape)))), a, b), BINARY),
    Row("cast_roundtrip", lambda L, x: x.float().double(), UNARY),
    Row("clone", lambda L, x: x.clone(), UNARY),
    # remainder, maximum / minimum, rounding (added with the torch namespace)
    Row("remainder", lambda L, a, b: a % b, [((3, 4), (3, 4)), ((2, 3), (3,))],
        values=(normal, positive), second_order=True),
    Row("remainder_scalar", lambda L, a: L.lib.remainder(a, 0.7), [((3, 4),), ((5,),)]),
    Row("maximum", lambda L, a, b: L.lib.maximum(a, b), [((3, 4), (3, 4)), ((2, 3), (3,))],
        second_order=True),
    Row("minimum", lambda L, a, b: L.lib.minimum(a, b), [((3, 4), (3, 4)), ((4, 1), (1, 5))]),
    Row("floor_times_x", lambda L, x: x.floor() * x, [((3, 4),), ((5,),)], values=off_integers),
    Row("round_sign_ceil_trunc", lambda L, x: x.round() + x.sign() * x + x.ceil() * x.trunc(),
        [((2, 3),)], values=off_integers),
]
