"""The same module as ``minigrad.data``, under PyTorch's ``torch.utils.data`` name."""
import sys

from .. import data as _data

# Make ``minigrad.utils.data`` *be* ``minigrad.data`` (one set of classes, so
# isinstance checks and monkeypatches agree), not a copy of its names.
sys.modules[__name__] = _data
