"""MNIST, read from the original IDX files (gzip-compressed or plain).

With no ``root`` the copy shipped inside this package is used (no network).
``root`` names a folder holding the four files under their original names.
``download=True`` fetches missing files into ``root`` (by default
``~/.cache/minigrad/mnist``, or ``$MINIGRAD_CACHE/mnist``) from a list of
mirrors, checking each file's SHA-256 before it is put in place.

IDX layout (big-endian): a 4-byte magic ``0x00 0x00 <dtype> <ndim>``, then one
4-byte size per dimension, then the data (here unsigned bytes, dtype 0x08).
"""
from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import tempfile
import urllib.request
import zlib
from pathlib import Path

import numpy as np

from ..checks import as_index_array
from ..data import Dataset
from .._tensor import Tensor, make_tensor

__all__ = ["MNIST", "read_idx", "MNIST_FILES", "DEFAULT_MIRRORS"]

#: name -> (SHA-256 of the .gz file, IDX magic number, shape after the count)
MNIST_FILES = {
    "train-images-idx3-ubyte.gz": ("440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                                   0x803, (28, 28)),
    "train-labels-idx1-ubyte.gz": ("3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                                   0x801, ()),
    "t10k-images-idx3-ubyte.gz": ("8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                                  0x803, (28, 28)),
    "t10k-labels-idx1-ubyte.gz": ("f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                                  0x801, ()),
}

#: Base URLs tried in order by ``download=True`` (each serves the four .gz files).
DEFAULT_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

PACKAGE_DATA = Path(__file__).resolve().parent / "data"

#: The usual normalisation constants: mean and standard deviation of the training pixels.
MEAN, STD = 0.1307, 0.3081


def _default_cache():
    base = os.environ.get("MINIGRAD_CACHE") or os.path.join(Path.home(), ".cache", "minigrad")
    return Path(base) / "mnist"


def read_idx(path, expected_magic=None):
    """Read an IDX file (gzip or plain) into a uint8 array, checking that the magic
    number, the dimensions and the data length agree. Errors name the file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"IDX file not found: {path}") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise ValueError(f"{path}: corrupt or truncated gzip data ({exc})") from None
    if len(raw) < 4:
        raise ValueError(f"{path}: only {len(raw)} bytes, too short for an IDX header")
    zero, dtype_code, ndim = int.from_bytes(raw[:2], "big"), raw[2], raw[3]
    magic = int.from_bytes(raw[:4], "big")
    if zero != 0 or dtype_code != 0x08 or ndim == 0:
        raise ValueError(f"{path}: bad IDX magic number 0x{magic:08x} (expected 0x0000080N: "
                         "unsigned-byte data with N dimensions); not an MNIST IDX file")
    if expected_magic is not None and magic != expected_magic:
        raise ValueError(f"{path}: IDX magic number 0x{magic:08x} says {ndim} dimension(s), "
                         f"expected 0x{expected_magic:08x} ({expected_magic & 0xff} "
                         "dimension(s)); is it the images file swapped with the labels file?")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated header ({len(raw)} bytes, the {ndim} dimension "
                         f"sizes need {header})")
    dims = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(dims, dtype=np.int64))
    actual = len(raw) - header
    if actual != expected:
        what = "truncated" if actual < expected else "has trailing bytes"
        raise ValueError(f"{path}: {what}: the header gives dimensions {dims} "
                         f"({expected} bytes of data) but the file holds {actual}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fetch(name, folder, mirrors, timeout):
    """Download ``name`` into ``folder`` from the first mirror that serves a file
    with the right SHA-256. The bytes go to a temporary file in ``folder`` and
    are renamed into place only once verified; nothing is written elsewhere."""
    expected = MNIST_FILES[name][0]
    target = folder / name
    # The file lands directly in ``folder``: a name with a separator or "..", or a
    # symlink already in its place, must not send the bytes anywhere else.
    if Path(name).name != name or name in ("", ".", ".."):
        raise ValueError(f"MNIST download: refusing file name {name!r}: it must be a plain "
                         f"file name inside {folder}")
    failures = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + name
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
                digest = hashlib.sha256()
                for block in iter(lambda: resp.read(1 << 16), b""):
                    digest.update(block)
                    out.write(block)
            got = digest.hexdigest()
            if got != expected:
                failures.append(f"{url}: SHA-256 mismatch (got {got}, expected {expected})")
                continue
            os.replace(tmp, target)   # replaces a symlink itself, never the file it points to
            return target
        except (OSError, ValueError, http.client.HTTPException) as exc:   # URLError is an OSError
            failures.append(f"{url}: {exc}")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    tried = "\n".join(f"  - {f}" for f in failures) or "  (no mirrors given)"
    raise RuntimeError(f"MNIST download: could not get {name}; tried:\n{tried}")


class MNIST(Dataset):
    """The MNIST digits. A sample is ``(image, label)``: the image a float32 array
    of shape (1, 28, 28) with values in [0, 1] (or standardised with the training
    mean and std when ``normalize=True``), the label an int in 0..9.

    With ``transform`` (torchvision's interface) the sample is
    ``(transform(raw), label)``, where ``raw`` is the image's uint8 (28, 28) array:
    torchvision hands a PIL image to the transform, minigrad (which has no PIL)
    the array, so ``transforms.ToTensor()`` turns it into the usual (1, 28, 28)
    float32 tensor in [0, 1] and a torchvision-style pipeline works unchanged.
    ``target_transform`` is applied to the int label. ``normalize`` is ignored
    for images when a ``transform`` is given (use ``transforms.Normalize``).
    Batches (``get_batch``) then go sample by sample through the transforms.

    ``.data`` holds the raw uint8 images (N, 28, 28) and ``.targets`` the int64
    labels (N,), tensors as torchvision's; samples and batches are read from them,
    so assigning a slice of both (``ds.data = ds.data[:1000]``) shrinks the dataset.
    """

    def __init__(self, root=None, train=True, transform=None, target_transform=None,
                 download=False, normalize=False, mirrors=None, timeout=30):
        for name, fn in (("transform", transform), ("target_transform", target_transform)):
            if fn is not None and not callable(fn):
                raise TypeError(f"MNIST: {name} must be callable (e.g. transforms.ToTensor()), "
                                f"got {type(fn).__name__}")
        self.transform, self.target_transform = transform, target_transform
        self.train = bool(train)
        self.normalize = bool(normalize)
        prefix = "train" if self.train else "t10k"
        names = (f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz")
        if root is None and not download:
            folder = PACKAGE_DATA
        else:
            folder = Path(root).expanduser() if root is not None else _default_cache()
        self.root = folder
        paths = []
        for name in names:
            path = self._locate(folder, name)
            if path is None or (download and path.suffix == ".gz" and _sha256(path) != MNIST_FILES[name][0]):
                if not download:
                    raise FileNotFoundError(
                        f"MNIST: {name} (or its uncompressed form {name[:-3]}) not found in "
                        f"{folder}; pass download=True to fetch it, or root=None for the copy "
                        "shipped with minigrad")
                folder.mkdir(parents=True, exist_ok=True)
                path = _fetch(name, folder, DEFAULT_MIRRORS if mirrors is None else mirrors,
                              timeout)
            paths.append(path)
        images = read_idx(paths[0], MNIST_FILES[names[0]][1])
        labels = read_idx(paths[1], MNIST_FILES[names[1]][1])
        if images.shape[1:] != (28, 28):
            raise ValueError(f"{paths[0]}: images are {images.shape[1:]}, expected 28x28")
        if len(images) != len(labels):
            raise ValueError(f"MNIST: {paths[0]} holds {len(images)} images but {paths[1]} "
                             f"holds {len(labels)} labels")
        if labels.size and labels.max() > 9:
            raise ValueError(f"{paths[1]}: label {labels.max()} is not a digit 0..9")
        self.data = make_tensor(images)
        self.targets = make_tensor(labels.astype(np.int64))

    @staticmethod
    def _locate(folder, name):
        for candidate in (folder / name, folder / name[:-3]):
            if candidate.is_file():
                return candidate
        return None

    def __len__(self):
        return len(self.data)

    # ``.data``/``.targets`` may have been replaced by a user with a tensor or an array
    def _raw_images(self):
        return self.data.array if isinstance(self.data, Tensor) else np.asarray(self.data)

    def _labels(self):
        return self.targets.array if isinstance(self.targets, Tensor) else np.asarray(self.targets)

    def _images(self, index):
        images = self._raw_images()[index].astype(np.float32)[..., None, :, :]
        images *= 1.0 / 255.0
        if self.normalize:
            images -= MEAN
            images *= 1.0 / STD
        return images

    def __getitem__(self, index):
        label = int(self._labels()[index])
        if self.target_transform is not None:
            label = self.target_transform(label)
        if self.transform is not None:
            return self.transform(self._raw_images()[index]), label
        return make_tensor(self._images(index)), label

    def get_batch(self, indices):
        if self.transform is not None or self.target_transform is not None:
            return super().get_batch(indices)   # per sample, through the transforms
        indices = as_index_array(indices, len(self), "MNIST")
        return self._images(indices), self._labels()[indices]

    def __repr__(self):
        split = "train" if self.train else "test"
        return f"MNIST({split}, {len(self)} images, root={str(self.root)!r})"
