"""The bad-input table: every public op and module, given a wrong rank, wrong
channels, impossible geometry, wrong dtype, wrong type or an out-of-range value,
raises ValueError/TypeError (RuntimeError for misuse of gradients, as API.md
says) whose message names the op, the argument, what it saw and what it
expected (never a numpy traceback, never a silent answer). The rows are kept by
op family in tests/robustness/bad_inputs_*.py; this module gathers them.

Bad inputs already tabled next to their op are not repeated here:
tests/ops/test_conv_torch.py::test_bad_arguments_fail_clearly (conv2d rank, channel,
kernel-size, stride/padding/dilation/groups, bias and dtype errors),
tests/ops/test_pool_options.py::test_bad_arguments_fail_clearly (pooling window,
stride, padding), tests/ops/test_loss.py::test_loss_errors (cross_entropy batch
mismatch, index out of range, float target), tests/nn/test_module.py
(load_state_dict missing/unexpected/size-mismatch keys).
``test_every_bad_input_is_tabled`` counts all of them together.

Odd but *valid* inputs (read-only, non-contiguous, empty batch, unsigned class
indices) are in tests/robustness/test_odd_valid_input.py.
"""
import numpy as np
import pytest

from minigrad import nn
from tests.robustness import (bad_inputs_conv_pool, bad_inputs_losses_layers,
                              bad_inputs_tensor_ops, bad_inputs_training)
from tests.robustness.bad_inputs_losses_layers import bn_state

BAD_INPUTS = (bad_inputs_conv_pool.ROWS + bad_inputs_losses_layers.ROWS
              + bad_inputs_tensor_ops.ROWS + bad_inputs_training.ROWS)


@pytest.mark.parametrize("call, error, pattern", [case[1:] for case in BAD_INPUTS],
                         ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_raises_a_named_error(call, error, pattern):
    with pytest.raises(error, match=pattern) as info:
        call()
    # A numpy-internal exception class (UFuncTypeError, AxisError, ...) means the
    # input reached numpy unchecked, even when it happens to subclass the right type.
    assert type(info.value).__module__.split(".")[0] != "numpy", type(info.value)


def test_a_rejected_state_dict_changes_nothing():
    bn = nn.BatchNorm2d(2)
    before = {k: v.numpy().copy() for k, v in bn.state_dict().items()}
    with pytest.raises(ValueError):
        bn.load_state_dict(bn_state(num_batches_tracked=np.array(2.7), running_mean=np.full(2, 5.0)))
    for k, v in bn.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])


def _table_size(test_function):
    """Number of parametrised cases of a test (the product over its parametrize marks)."""
    size = 1
    for mark in test_function.pytestmark:
        if mark.name == "parametrize":
            size *= len(mark.args[1])
    return size


def test_every_bad_input_is_tabled():
    """The per-op tables named in the module docstring still exist (so together
    with this one they list every bad input), and no case is listed twice."""
    from tests.ops import test_conv_torch, test_loss, test_pool_options
    elsewhere = (_table_size(test_conv_torch.test_bad_arguments_fail_clearly)
                 + _table_size(test_pool_options.test_bad_arguments_fail_clearly)
                 + _table_size(test_loss.test_loss_errors))
    ids = [case[0] for case in BAD_INPUTS]
    assert len(ids) == len(set(ids))
    assert len(BAD_INPUTS) + elsewhere >= 160, (len(BAD_INPUTS), elsewhere)

