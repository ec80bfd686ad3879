"""``nn.parallel``: ``DataParallel`` and ``data_parallel`` for scripts written for
several GPUs (DCGAN's ``ngpu``). minigrad has one device, the CPU, so both run the
module as it is there, as PyTorch's DataParallel does on a machine without GPUs:
no scatter, no replicas, no gather."""
from __future__ import annotations

from .module import Module

__all__ = ["DataParallel", "data_parallel"]


def _check_module(module, op):
    if not isinstance(module, Module):
        raise TypeError(f"{op}: module must be an nn.Module, got {type(module).__name__}")
    return module


class DataParallel(Module):
    """Wraps ``module`` (kept as ``.module``, so state dict keys gain the prefix
    ``module.`` as PyTorch's); forward calls it unchanged. ``device_ids``,
    ``output_device`` and ``dim`` are accepted; as PyTorch without a GPU,
    ``device_ids`` is then the empty list."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = _check_module(module, "DataParallel")
        self.device_ids = []
        self.output_device, self.dim = output_device, dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0,
                  module_kwargs=None):
    """``module(*inputs, **module_kwargs)`` on the CPU (``inputs``: a tensor or a
    tuple of them); the device arguments are accepted and unused."""
    _check_module(module, "data_parallel")
    if not isinstance(inputs, tuple):
        inputs = (inputs,)
    return module(*inputs, **(module_kwargs or {}))
