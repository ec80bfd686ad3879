"""``minigrad.backends``: the switches PyTorch scripts set or ask about for GPU backends.
None exists here: ``mps.is_available()`` is False, and the cuDNN flags can be set (a
script that sets ``cudnn.benchmark = True`` runs) but change nothing."""
from types import SimpleNamespace


def _false(*args, **kwargs):
    return False


mps = SimpleNamespace(is_available=_false, is_built=_false)
cudnn = SimpleNamespace(benchmark=False, deterministic=False, enabled=True,
                        is_available=_false, allow_tf32=True)
cuda = SimpleNamespace(is_built=_false,
                       matmul=SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True))
