"""``minigrad.save`` / ``minigrad.load``: state dicts to ``.npz`` without pickle.

A checkpoint is an ordinary ``.npz`` (a zip of ``.npy`` files). Every array
(or tensor) in the object is stored as its own entry ``a0``, ``a1``, ...; the
nesting around them (dicts with string or int keys, lists, tuples, numbers,
strings, booleans, None) is written as JSON in the entry ``__minigrad__``.
Loading uses ``numpy.load(allow_pickle=False)`` and ``json``, so a file can hold
data but never code.

Writes are atomic: the file is written to a temporary name in the same folder
and renamed over the target only when complete, so a crash or an error while
saving leaves any previous checkpoint intact. Saving through a symlink writes
the file it points to, and an existing file keeps its permission bits.

Nesting deeper than ``MAX_DEPTH`` levels (or an object that contains itself) is
a ValueError on save, so neither save nor load ever recurses without bound.
"""
from __future__ import annotations

import json
import numbers
import os
import secrets
import stat
import zipfile
import zlib

import numpy as np

from ._tensor import Tensor, make_tensor

__all__ = ["save", "load"]

HEADER = "__minigrad__"
FORMAT = "minigrad.save"
VERSION = 1
#: Deepest nesting of dicts/lists/tuples ``save`` accepts (state dicts are a few levels deep).
MAX_DEPTH = 100


def _encode(obj, arrays, where, depth=0):
    """The JSON form of ``obj``; arrays are appended to ``arrays`` and referenced
    by name. ``where`` is the path inside the object, for error messages."""
    if depth > MAX_DEPTH:
        raise ValueError(f"save: the object is nested more than {MAX_DEPTH} levels deep (at "
                         f"{where[:200]}...), or contains itself; a checkpoint holds a state "
                         "dict, a few levels deep")
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, Tensor):
        kind, array = "tensor", obj.array
    elif isinstance(obj, np.ndarray):
        kind, array = "ndarray", obj
    elif isinstance(obj, np.generic):
        kind, array = "scalar", np.asarray(obj)
    elif isinstance(obj, numbers.Integral):
        return int(obj)
    elif isinstance(obj, numbers.Real):
        return float(obj)
    elif isinstance(obj, dict):
        items = []
        for key, value in obj.items():
            if isinstance(key, bool) or not isinstance(key, (str, int, np.integer)):
                raise TypeError(f"save: dict key {key!r} at {where} is a {type(key).__name__}; "
                                "only str and int keys can be saved")
            key = key if isinstance(key, str) else int(key)
            items.append([key, _encode(value, arrays, f"{where}[{key!r}]", depth + 1)])
        return {"dict": items}
    elif isinstance(obj, (list, tuple)):
        kind = "list" if isinstance(obj, list) else "tuple"
        return {kind: [_encode(v, arrays, f"{where}[{i}]", depth + 1)
                       for i, v in enumerate(obj)]}
    elif callable(getattr(obj, "state_dict", None)):
        raise TypeError(f"save: cannot save a whole {type(obj).__name__} (at {where}); save its "
                        f"state_dict() instead: minigrad.save(model.state_dict(), path), then "
                        "model.load_state_dict(minigrad.load(path))")
    else:
        raise TypeError(f"save: cannot save a {type(obj).__name__} (at {where}); expected "
                        "arrays, tensors, numbers, strings, None, and dicts/lists/tuples of them")
    if array.dtype.hasobject:
        raise TypeError(f"save: the array at {where} has dtype object, which cannot be saved "
                        "without pickle")
    name = f"a{len(arrays)}"
    arrays[name] = array
    return {kind: name}


def _decode(node, arrays, where):
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if not isinstance(node, dict) or len(node) != 1:
        raise ValueError(f"unexpected entry {node!r} at {where}")
    (kind, body), = node.items()
    if kind == "dict":
        out = {}
        for pair in body:
            if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], (str, int)):
                raise ValueError(f"malformed dict item {pair!r} at {where}")
            out[pair[0]] = _decode(pair[1], arrays, f"{where}[{pair[0]!r}]")
        return out
    if kind in ("list", "tuple"):
        if not isinstance(body, list):
            raise ValueError(f"malformed {kind} at {where}")
        items = [_decode(v, arrays, f"{where}[{i}]") for i, v in enumerate(body)]
        return items if kind == "list" else tuple(items)
    if kind in ("tensor", "ndarray", "scalar"):
        if body not in arrays:
            raise ValueError(f"array entry {body!r} (at {where}) is missing from the file")
        array = arrays[body]
        if kind == "tensor":
            return make_tensor(array, False, None)
        return array if kind == "ndarray" else array[()]
    raise ValueError(f"unknown entry type {kind!r} at {where}")


def save(obj, path):
    """Save ``obj`` (a state dict, or any nesting of dicts, lists and tuples around
    arrays, tensors and numbers) to ``path`` as a ``.npz`` file, atomically.
    ``path`` is used as given (no suffix is added); a writable binary file object
    is written directly."""
    arrays = {}
    tree = _encode(obj, arrays, "the top level")
    header = json.dumps({"format": FORMAT, "version": VERSION, "tree": tree})
    entries = {HEADER: np.array(header)}
    entries.update(arrays)
    if hasattr(path, "write"):
        np.savez(path, **entries)
        return
    given = _fspath(path, "save")
    target = os.path.realpath(given)   # through symlinks: the link stays, its target is written
    folder = os.path.dirname(target)
    # checked here, else the errors would name the hidden temporary file
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save: cannot write {given}: the folder {folder} does not exist")
    if os.path.isdir(target):
        raise IsADirectoryError(f"save: cannot write {given}: it is a directory; give a file "
                                "path such as checkpoint.npz inside it")
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None   # a new file: the usual mode (0o666 less the umask)
    fd, tmp = _create_beside(target, folder)
    try:
        with os.fdopen(fd, "wb") as f:
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), mode)
            _write_npz(f, entries)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise type(exc)(exc.errno, f"save: cannot write {given}: {exc.strerror}") from None
    except BaseException:
        os.unlink(tmp)
        raise


def _fspath(path, op):
    try:
        return os.fspath(path)
    except TypeError:
        raise TypeError(f"{op}: path must be a str, a pathlib.Path or a binary file object, "
                        f"got {type(path).__name__}") from None


def _create_beside(path, folder):
    """A new hidden temporary file next to ``path``, opened for writing with the
    usual mode (0o666 less the umask, applied by the system as for any new file;
    reading or changing the process umask would race with other threads)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:   # a name another save is using: draw another
            continue


def _write_npz(f, entries):
    np.savez(f, **entries)


PICKLE_HINT = ("; it looks like a pickle (such as an old torch.save file), which minigrad "
               "never loads since unpickling can run code; minigrad reads the .npz checkpoints "
               "minigrad.save writes")


def _check_npz_members(names):
    """A .npz holds only .npy entries; a PyTorch checkpoint (torch.save's zip) holds a
    pickle (``<name>/data.pkl``) and raw storages, which would load as bytes."""
    if any(name.endswith("data.pkl") for name in names):
        raise ValueError("it is a PyTorch checkpoint (torch.save's zip format), not a minigrad "
                         "one; minigrad reads only the .npz checkpoints minigrad.save writes: in "
                         "PyTorch, save the state dict's tensors as numpy arrays with "
                         "numpy.savez (or load it there and re-save with minigrad.save)")
    others = [name for name in names if not name.endswith(".npy")]
    if others:
        raise ValueError(f"it is a zip archive but not a .npz: entries {others[:3]} are not "
                         ".npy arrays")


def load(path):
    """Load what :func:`save` wrote (tensors come back as tensors, arrays as
    arrays, tuples as tuples, int keys as ints). A plain ``.npz`` without
    minigrad's header loads as a dict of arrays. Raises ``ValueError`` naming the
    file when it is not a readable checkpoint."""
    name = getattr(path, "name", "<file>") if hasattr(path, "read") else _fspath(path, "load")
    try:
        if not hasattr(path, "read"):
            with open(path, "rb") as f:
                start = f.read(4)
            if start[:2] != b"PK":   # every zip (and so every .npz) starts so
                pickled = len(start) > 1 and start[0] == 0x80 and 2 <= start[1] <= 5
                raise ValueError(f"it is not a zip archive (starts with {start!r})"
                                 + (PICKLE_HINT if pickled else ""))
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single array (.npy), not a zip of named arrays")
        with loaded as npz:
            _check_npz_members(npz.zip.namelist())
            arrays = {key: npz[key] for key in npz.files}
    except FileNotFoundError:
        raise FileNotFoundError(f"load: no such file: {name}") from None
    except (ValueError, OSError, zipfile.BadZipFile, EOFError, zlib.error,
            NotImplementedError, RuntimeError) as exc:
        # (zipfile raises NotImplementedError for an unknown version or compression
        # and RuntimeError for an "encrypted" entry: what a damaged header looks like)
        raise ValueError(f"load: {name} is not a readable .npz checkpoint ({exc})") from None
    if HEADER not in arrays:
        return arrays
    try:
        header = json.loads(str(arrays.pop(HEADER)))
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ValueError("the header is not minigrad's")
        if header.get("version") != VERSION:
            raise ValueError(f"format version {header.get('version')!r}, this minigrad reads "
                             f"version {VERSION}")
        return _decode(header["tree"], arrays, "the top level")
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise ValueError(f"load: {name} is a malformed minigrad checkpoint: {exc}") from None
