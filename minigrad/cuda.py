"""No GPU backend: ``minigrad.cuda.is_available()`` is False, so a PyTorch script
that picks its device with it runs on the CPU unchanged."""


def is_available():
    return False


def device_count():
    return 0
