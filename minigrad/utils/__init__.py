"""``minigrad.utils.data`` is ``minigrad.data`` (PyTorch's ``torch.utils.data`` path)."""
from . import data  # noqa: F401
from . import hooks  # noqa: F401  (RemovableHandle, as torch.utils.hooks)

__all__ = ["data", "hooks"]
