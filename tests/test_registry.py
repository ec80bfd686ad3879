"""Every registered op is gradient-checked: gradcheck and gradgradcheck in float64."""
import pytest

import minigrad as mg
from tests.registry import all_cases, ops_in_graph

CASES = all_cases()


def _outputs(case):
    out = case.fn(*case.inputs())
    return out if isinstance(out, tuple) else (out,)


def test_every_registered_op_has_a_gradcheck_case():
    covered = set()
    second_order = set()
    for case in CASES:
        names = ops_in_graph(*_outputs(case))
        covered |= names
        if case.gradgrad is True:
            second_order |= names
    library = {op for op in mg.Function.registry if op.__module__.startswith("minigrad.")}
    missing = sorted(op.__name__ for op in library - covered)
    assert not missing, f"ops with no gradcheck case in tests/ops: {missing}"
    no_second = sorted(op.__name__ for op in library - second_order)
    assert not no_second, f"ops never gradgradchecked (add a case with gradgrad=True): {no_second}"


def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_gradcheck(case):
    assert mg.gradcheck(case.fn, case.inputs(), atol=case.atol, rtol=case.rtol)


@pytest.mark.parametrize("case", [c for c in CASES if c.gradgrad is True],
                         ids=[c.id for c in CASES if c.gradgrad is True])
def test_gradgradcheck(case):
    assert mg.gradgradcheck(case.fn, case.inputs(), atol=case.atol, rtol=case.rtol)


def test_every_op_states_its_forward_and_gradient_in_its_docstring():
    """The docstring's first paragraph is the one source of each formula (docs and
    visualize read it through Function.formula): y = ..., then dx = ... rules."""
    for op in mg.Function.registry:
        forward, rules = op.formula()
        assert forward.startswith("y"), (op.__name__, forward)
        assert rules and all(" = " in r and "dy" in r for r in rules), (op.__name__, rules)
