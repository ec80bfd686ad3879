"""Image transforms with torchvision's names and semantics, PIL-free: images are
numpy arrays (H x W or H x W x C) before ``ToTensor`` and C x H x W tensors (or
arrays; any leading dims are allowed) after it.

- ``Compose(transforms)``: apply in order.
- ``ToTensor()``: uint8 H x W (x C) array -> float32 C x H x W Tensor in [0, 1];
  other dtypes are only moved to C x H x W (torchvision does the same for ndarrays).
- ``Normalize(mean, std, inplace=False)``: (x - mean[c]) / std[c] per channel.
- ``RandomCrop(size, padding=None, pad_if_needed=False, fill=0, padding_mode='constant')``:
  pad first (``padding``: one int for all sides, (left/right, top/bottom) or
  (left, top, right, bottom); modes 'constant', 'edge', 'reflect', 'symmetric'),
  then crop a random ``size`` window.
- ``RandomHorizontalFlip(p=0.5)``: reverse the last (width) axis with probability p.

The random ones draw from minigrad's generator, so ``minigrad.manual_seed(n)``
makes a pipeline reproducible.
"""
from __future__ import annotations

import numbers

import numpy as np

from . import random as _random
from .autograd import no_grad
from ._tensor import Tensor

__all__ = ["Compose", "ToTensor", "Normalize", "RandomCrop", "RandomHorizontalFlip", "Lambda",
           "CenterCrop", "Pad"]


def _array_of(img, op):
    """(the image's array, whether it came as a Tensor)."""
    if isinstance(img, Tensor):
        return img.array, True
    if isinstance(img, np.ndarray):
        return img, False
    raise TypeError(f"{op}: expected a Tensor or a numpy array (C, H, W), got {type(img).__name__}")


def _like(array, was_tensor):
    return Tensor(array) if was_tensor else array


class Compose:
    """Apply ``transforms`` one after the other."""

    def __init__(self, transforms):
        self.transforms = list(transforms)
        for i, t in enumerate(self.transforms):
            if not callable(t):
                raise TypeError(f"Compose: transform {i} is a {type(t).__name__}, not callable")

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        inner = "".join(f"\n    {t!r}" for t in self.transforms)
        return f"Compose({inner}\n)"


class ToTensor:
    """H x W or H x W x C array -> C x H x W float Tensor; uint8 is scaled to [0, 1]."""

    def __call__(self, pic):
        if not isinstance(pic, np.ndarray):
            raise TypeError(f"ToTensor: expected a numpy array (H, W) or (H, W, C), got "
                            f"{type(pic).__name__} (minigrad has no PIL support)")
        if pic.ndim not in (2, 3):
            raise ValueError(f"ToTensor: expected an image of shape (H, W) or (H, W, C), got "
                             f"shape {pic.shape}")
        chw = (pic[None] if pic.ndim == 2 else np.moveaxis(pic, -1, 0))
        if pic.dtype == np.uint8:
            # divide (not multiply by 1/255) so the values equal torchvision's .div(255)
            return Tensor(chw.astype(np.float32) / np.float32(255))
        return Tensor(np.ascontiguousarray(chw))

    def __repr__(self):
        return "ToTensor()"


def _per_channel(values, name, channels, dtype, op):
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    if arr.size not in (1, channels):
        raise ValueError(f"{op}: {name} has {arr.size} values but the image has {channels} "
                         "channel(s) (expected 1 or one per channel)")
    return arr.astype(dtype).reshape(-1, 1, 1)


class Normalize:
    """(x - mean[c]) / std[c] for each channel c of a (..., C, H, W) float image."""

    def __init__(self, mean, std, inplace=False):
        for name, v in (("mean", mean), ("std", std)):
            try:
                values = np.asarray(v, dtype=np.float64).reshape(-1)
            except (TypeError, ValueError):
                values = np.empty(0)
            if values.size == 0 or isinstance(v, bool):
                raise TypeError(f"Normalize: {name} must be a number or a sequence of numbers, "
                                f"got {v!r}")
        if np.any(np.asarray(std, dtype=np.float64) == 0):
            raise ValueError(f"Normalize: std {std!r} has a zero, which would divide by zero")
        self.mean, self.std, self.inplace = mean, std, bool(inplace)

    def __call__(self, img):
        array, was_tensor = _array_of(img, "Normalize")
        if array.dtype.kind != "f":
            raise TypeError(f"Normalize: expected a floating-point image, got dtype {array.dtype} "
                            "(apply ToTensor first)")
        if array.ndim < 3:
            raise ValueError(f"Normalize: expected an image of shape (..., C, H, W), got shape "
                             f"{array.shape}")
        mean = _per_channel(self.mean, "mean", array.shape[-3], array.dtype, "Normalize")
        std = _per_channel(self.std, "std", array.shape[-3], array.dtype, "Normalize")
        out = (array - mean) / std
        if not self.inplace:
            return _like(out, was_tensor)
        if was_tensor:
            with no_grad():
                img.copy_(out)
        else:
            img[...] = out
        return img

    def __repr__(self):
        return f"Normalize(mean={self.mean}, std={self.std})"


_PAD_MODES = {"constant": "constant", "edge": "edge", "reflect": "reflect",
              "symmetric": "symmetric"}


def _crop_size(size, op):
    pair = (size, size) if isinstance(size, numbers.Integral) else tuple(size)
    if len(pair) == 1:
        pair = (pair[0], pair[0])
    if len(pair) != 2 or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool)
                                 and v > 0 for v in pair):
        raise ValueError(f"{op}: size must be a positive int or a pair (height, width) of "
                         f"them, got {size!r}")
    return tuple(int(v) for v in pair)


def _padding(padding, op):
    """torchvision's forms as (left, top, right, bottom)."""
    if isinstance(padding, numbers.Integral) and not isinstance(padding, bool):
        pads = (padding,) * 4
    elif isinstance(padding, (list, tuple)) and len(padding) in (1, 2, 4):
        pads = {1: lambda p: p * 4, 2: lambda p: (p[0], p[1], p[0], p[1]),
                4: tuple}[len(padding)](tuple(padding))
    else:
        raise ValueError(f"{op}: padding must be an int or a sequence of 1, 2 or 4 ints, "
                         f"got {padding!r}")
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 0
               for v in pads):
        raise ValueError(f"{op}: padding must be non-negative ints, got {padding!r}")
    return tuple(int(v) for v in pads)


def _pad(array, left, top, right, bottom, fill, mode):
    widths = [(0, 0)] * (array.ndim - 2) + [(top, bottom), (left, right)]
    if mode == "constant":
        return np.pad(array, widths, mode="constant", constant_values=fill)
    return np.pad(array, widths, mode=_PAD_MODES[mode])


class RandomCrop:
    """Pad (optionally), then cut a random ``size`` (height, width) window from the
    last two axes. ``pad_if_needed`` pads an image smaller than ``size``, by the
    shortfall on *both* sides, as torchvision does."""

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        self.size = _crop_size(size, "RandomCrop")
        self.padding = None if padding is None else _padding(padding, "RandomCrop")
        if padding_mode not in _PAD_MODES:
            raise ValueError(f"RandomCrop: padding_mode must be one of {sorted(_PAD_MODES)}, "
                             f"got {padding_mode!r}")
        if isinstance(fill, bool) or not isinstance(fill, numbers.Real):
            raise TypeError(f"RandomCrop: fill must be a number, got {fill!r}")
        self.pad_if_needed, self.fill, self.padding_mode = bool(pad_if_needed), fill, padding_mode

    def __call__(self, img):
        array, was_tensor = _array_of(img, "RandomCrop")
        if array.ndim < 2:
            raise ValueError(f"RandomCrop: expected an image of shape (..., H, W), got shape "
                             f"{array.shape}")
        if self.padding is not None:
            array = _pad(array, *self.padding, self.fill, self.padding_mode)
        th, tw = self.size
        h, w = array.shape[-2:]
        if self.pad_if_needed and (h < th or w < tw):
            dh, dw = max(th - h, 0), max(tw - w, 0)
            array = _pad(array, dw, dh, dw, dh, self.fill, self.padding_mode)
            h, w = array.shape[-2:]
        if h < th or w < tw:
            raise ValueError(f"RandomCrop: crop size {self.size} is larger than the (padded) "
                             f"image ({h}, {w}); use a smaller size, more padding or "
                             "pad_if_needed=True")
        rng = _random.generator()
        top = int(rng.integers(0, h - th + 1))
        left = int(rng.integers(0, w - tw + 1))
        return _like(np.array(array[..., top:top + th, left:left + tw]), was_tensor)

    def __repr__(self):
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Reverse the width (last) axis with probability ``p``."""

    def __init__(self, p=0.5):
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
            raise ValueError(f"RandomHorizontalFlip: p must be a probability in [0, 1], got {p!r}")
        self.p = float(p)

    def __call__(self, img):
        array, was_tensor = _array_of(img, "RandomHorizontalFlip")
        if _random.generator().random() < self.p:
            return _like(np.array(array[..., ::-1]), was_tensor)
        return img

    def __repr__(self):
        return f"RandomHorizontalFlip(p={self.p})"


class Lambda:
    """Apply a user function (``Lambda(lambda x: x.view(-1))``), as torchvision's."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Lambda: expected a callable, got {type(lambd).__name__}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return "Lambda()"


class CenterCrop:
    """Cut the central ``size`` (height, width) window of the last two axes; an image
    smaller than ``size`` is first padded with zeros on both sides, as torchvision's
    (the top/left offset rounds the same way: ``round((h - th) / 2)``)."""

    def __init__(self, size):
        self.size = _crop_size(size, "CenterCrop")

    def __call__(self, img):
        array, was_tensor = _array_of(img, "CenterCrop")
        if array.ndim < 2:
            raise ValueError(f"CenterCrop: expected an image of shape (..., H, W), got shape "
                             f"{array.shape}")
        th, tw = self.size
        h, w = array.shape[-2:]
        if h < th or w < tw:   # pad the shortfall, the larger half after
            dh, dw = max(th - h, 0), max(tw - w, 0)
            array = _pad(array, dw // 2, dh // 2, (dw + 1) // 2, (dh + 1) // 2, 0, "constant")
            h, w = array.shape[-2:]
        top, left = int(round((h - th) / 2.0)), int(round((w - tw) / 2.0))
        return _like(np.array(array[..., top:top + th, left:left + tw]), was_tensor)

    def __repr__(self):
        return f"CenterCrop(size={self.size})"


class Pad:
    """Pad the last two axes: ``padding`` an int (all sides), a pair (left/right,
    top/bottom) or four ints (left, top, right, bottom), as torchvision's."""

    def __init__(self, padding, fill=0, padding_mode="constant"):
        self.padding = _padding(padding, "Pad")
        if padding_mode not in _PAD_MODES:
            raise ValueError(f"Pad: padding_mode must be one of {sorted(_PAD_MODES)}, got "
                             f"{padding_mode!r}")
        if isinstance(fill, bool) or not isinstance(fill, numbers.Real):
            raise TypeError(f"Pad: fill must be a number, got {fill!r}")
        self.fill, self.padding_mode = fill, padding_mode

    def __call__(self, img):
        array, was_tensor = _array_of(img, "Pad")
        return _like(_pad(array, *self.padding, self.fill, self.padding_mode), was_tensor)

    def __repr__(self):
        return f"Pad(padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode!r})"
