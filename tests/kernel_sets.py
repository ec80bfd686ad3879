"""A fixture that runs a test once under each kernel set (``minigrad.kernels``):
``pytestmark = pytest.mark.usefixtures("kernel_set")`` in a module, after
``from tests.kernel_sets import kernel_set``. A test of one set's own machinery
pins it with ``@FAST_ONLY`` (``@pytest.mark.parametrize("kernel_set", ["fast"],
indirect=True)``)."""
import pytest

from minigrad import kernels

FAST_ONLY = pytest.mark.parametrize("kernel_set", ["fast"], indirect=True)


@pytest.fixture(params=["fast", "reference"])
def kernel_set(request):
    with kernels.use(request.param):
        yield request.param
