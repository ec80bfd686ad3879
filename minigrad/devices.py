"""``minigrad.device``: minigrad runs on the CPU only; naming another device is an
error that says so."""
from __future__ import annotations


class device:
    """``minigrad.device("cpu")``: where a tensor lives. minigrad runs on the CPU
    only; naming any other device is an error that says so."""

    def __init__(self, type="cpu"):   # noqa: A002  (PyTorch's argument name)
        name = type.type if isinstance(type, device) else type
        if not isinstance(name, str) or name.split(":")[0] != "cpu":
            raise RuntimeError(f"device: minigrad runs on the CPU only, got {name!r} "
                               "(use 'cpu', or leave the device out)")
        self.type = "cpu"

    def __eq__(self, other):
        return isinstance(other, (device, str)) and str(other).split(":")[0] == "cpu"

    __hash__ = object.__hash__

    def __str__(self):
        return self.type

    def __repr__(self):
        return f"device(type='{self.type}')"


CPU = device("cpu")
#: device names a PyTorch script may pass to .to(); any but "cpu" is refused
DEVICE_TYPES = ("cpu", "cuda", "mps", "xpu", "hip", "meta")
