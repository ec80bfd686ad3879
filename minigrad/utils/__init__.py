"""``minigrad.utils.data`` is ``minigrad.data`` (PyTorch's ``torch.utils.data`` path)."""
from . import data  # noqa: F401

__all__ = ["data"]
