"""``minigrad.accelerator``: PyTorch's device-agnostic questions, answered for a
CPU-only framework, so a script that asks which accelerator to use runs on the CPU:
``device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else "cpu"``."""
from ._tensor import CPU


def is_available():
    return False


def device_count():
    return 0


def current_accelerator(check_available=False):
    """The CPU: minigrad has no other device to name."""
    return CPU
