"""Hostile and damaged files (what tests/test_serialization.py and
tests/test_datasets.py do not already cover): a checkpoint carrying a pickle
payload never runs it; a checkpoint cut or corrupted at any byte gives a
ValueError or the exact original, never other data; a save interrupted at any
stage keeps the old file; a download never writes outside its cache folder."""
import http.server
import os
import pathlib
import threading
from functools import partial

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, serialization
from minigrad.datasets import MNIST, mnist
from minigrad.datasets.mnist import PACKAGE_DATA, read_idx


class _Touch:
    """Unpickling this object creates ``path`` (a stand-in for arbitrary code)."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.path),))


def _malicious_npz(path, marker, with_header):
    """An .npz whose array entries are pickled object arrays that would create ``marker``."""
    payload = np.array([_Touch(marker)], dtype=object)
    entries = {"weight": payload}
    if with_header:   # looks like a minigrad checkpoint whose tensor entry is the payload
        entries = {"__minigrad__": np.array('{"format": "minigrad.save", "version": 1, '
                                            '"tree": {"dict": [["weight", {"tensor": "a0"}]]}}'),
                   "a0": payload}
    np.savez(path, **entries)          # numpy pickles object arrays when saving


@pytest.mark.parametrize("with_header", [False, True])
def test_a_pickle_payload_is_refused_and_never_runs(tmp_path, with_header):
    # First prove the file is really armed: numpy with pickling allowed runs the payload.
    armed, armed_marker = tmp_path / "armed.npz", tmp_path / "armed-ran"
    _malicious_npz(armed, armed_marker, with_header)
    with np.load(armed, allow_pickle=True) as npz:
        [npz[key] for key in npz.files]
    assert armed_marker.exists()

    path, marker = tmp_path / "evil.npz", tmp_path / "evil-ran"
    _malicious_npz(path, marker, with_header)
    model = nn.Linear(1, 1)
    before = model.weight.numpy().copy()
    with pytest.raises(ValueError, match=r"load: .*evil.npz is not a readable .npz checkpoint "
                                         r"\(Object arrays cannot be loaded when allow_pickle=False\)"):
        model.load_state_dict(mg.load(path))
    assert not marker.exists()
    np.testing.assert_array_equal(model.weight.numpy(), before)


def test_a_pickle_inside_an_idx_name_is_just_bad_bytes(tmp_path):
    """read_idx parses bytes; a pickle stream is rejected as a bad magic number."""
    import pickle
    path = tmp_path / "t10k-labels-idx1-ubyte"
    path.write_bytes(pickle.dumps(_Touch(tmp_path / "ran")))
    with pytest.raises(ValueError, match="bad IDX magic number"):
        read_idx(path)
    assert not (tmp_path / "ran").exists()


@pytest.fixture(scope="module")
def checkpoint_bytes(tmp_path_factory):
    path = tmp_path_factory.mktemp("ckpt") / "good.npz"
    mg.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 3))
    mg.save({"model": model.state_dict(), "step": 7}, path)
    return path.read_bytes(), {k: v.numpy().copy() for k, v in model.state_dict().items()}


def _same(loaded, state):
    return (loaded["step"] == 7 and list(loaded["model"]) == list(state)
            and all(np.array_equal(loaded["model"][k].data, v) for k, v in state.items()))


def test_a_checkpoint_cut_at_any_byte_is_a_value_error(tmp_path, checkpoint_bytes):
    good, _ = checkpoint_bytes
    path = tmp_path / "cut.npz"
    for cut in list(range(0, len(good), max(1, len(good) // 150))) + [len(good) - 1]:
        path.write_bytes(good[:cut])
        with pytest.raises(ValueError, match="cut.npz is not a readable .npz checkpoint"):
            mg.load(path)


def test_a_corrupted_byte_gives_an_error_or_the_exact_original(tmp_path, checkpoint_bytes):
    """Zip CRCs guard the data: flipping any byte may be harmless (a timestamp) or
    an error, but must never load different numbers."""
    good, state = checkpoint_bytes
    path = tmp_path / "flipped.npz"
    outcomes = {"error": 0, "same": 0}
    for position in range(len(good)):                     # every byte, three kinds of flip
        damaged = bytearray(good)
        damaged[position] ^= (0x01, 0x5A, 0xFF)[position % 3]
        path.write_bytes(bytes(damaged))
        try:
            loaded = mg.load(path)
        except ValueError as exc:
            assert "flipped.npz" in str(exc)
            outcomes["error"] += 1
        else:
            assert _same(loaded, state), f"byte {position} changed the loaded values silently"
            outcomes["same"] += 1
    assert outcomes["error"] > 0 and outcomes["same"] > 0


def test_a_truncated_gzip_idx_at_any_byte_is_a_value_error(tmp_path):
    good = (PACKAGE_DATA / "t10k-labels-idx1-ubyte.gz").read_bytes()
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    for cut in list(range(0, len(good), max(1, len(good) // 60))) + [len(good) - 1]:
        path.write_bytes(good[:cut])
        with pytest.raises(ValueError) as info:
            read_idx(path, 0x801)
        assert str(path) in str(info.value)


@pytest.mark.parametrize("stage, error", [
    ("_write_npz", KeyboardInterrupt),     # Ctrl-C half-way through the bytes
    ("fsync", OSError),                    # all bytes written, flushing to disk fails
    ("replace", OSError),                  # the final rename fails
])
def test_an_interrupted_save_keeps_the_old_checkpoint(tmp_path, monkeypatch, stage, error):
    path = tmp_path / "ckpt.npz"
    mg.save({"epoch": 1, "w": np.ones(500)}, path)
    good = path.read_bytes()

    def fail(*args, **kwargs):
        if stage == "_write_npz":
            args[0].write(good[:100])
        raise error("injected")

    target = serialization if stage == "_write_npz" else serialization.os
    monkeypatch.setattr(target, stage, fail)
    with pytest.raises(error):
        mg.save({"epoch": 2, "w": np.zeros(500)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == good
    assert os.listdir(tmp_path) == ["ckpt.npz"]        # no temporary file left
    assert mg.load(path)["epoch"] == 1


# -- downloads stay inside the cache folder --------------------------------------------

LABELS = "t10k-labels-idx1-ubyte.gz"


@pytest.fixture
def hostile_server(tmp_path):
    """Serves the real MNIST test files under /good/, and under /redirect/ answers
    every request with a redirect to a path full of '..'."""
    www = tmp_path / "www"
    (www / "good").mkdir(parents=True)
    for name in ("t10k-images-idx3-ubyte.gz", LABELS):
        (www / "good" / name).write_bytes((PACKAGE_DATA / name).read_bytes())

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):
            if self.path.startswith("/redirect/"):
                name = self.path.rsplit("/", 1)[1]
                self.send_response(302)
                self.send_header("Location", f"/good/../good/./{name}")
                self.send_header("Content-Disposition", 'attachment; filename="../../escaped.gz"')
                self.end_headers()
                return
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(www)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_download_through_redirects_and_dotdot_urls_writes_only_the_cache(hostile_server, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    cache = outside / "deep" / "cache"
    before = _files(tmp_path)
    data = MNIST(root=cache, train=False, download=True, timeout=5,
                 mirrors=[f"{hostile_server}/redirect/", f"{hostile_server}/good/../good/"])
    assert len(data) == 10000
    new = sorted(set(_files(tmp_path)) - set(before))
    assert new == ["outside/deep", "outside/deep/cache", "outside/deep/cache/t10k-images-idx3-ubyte.gz",
                   f"outside/deep/cache/{LABELS}"]


def test_download_replaces_a_symlink_in_the_cache_not_its_target(hostile_server, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    (cache / LABELS).symlink_to(victim)        # a wrong SHA-256, so it gets downloaded
    MNIST(root=cache, train=False, download=True, mirrors=[f"{hostile_server}/good/"], timeout=5)
    assert victim.read_bytes() == b"precious"
    assert not (cache / LABELS).is_symlink()
    assert (cache / LABELS).read_bytes() == (PACKAGE_DATA / LABELS).read_bytes()


def test_a_file_name_that_climbs_out_is_refused(tmp_path, monkeypatch):
    """A dataset table naming '../x' (e.g. a subclass's manifest) fails before any request."""
    evil = "../escaped-labels-idx1-ubyte.gz"
    monkeypatch.setitem(mnist.MNIST_FILES, evil, mnist.MNIST_FILES[LABELS])
    cache = tmp_path / "cache"
    cache.mkdir()
    with pytest.raises(ValueError, match=r"MNIST download: refusing file name '\.\./escaped-labels"):
        mnist._fetch(evil, cache, ["http://127.0.0.1:9/"], timeout=1)
    assert _files(tmp_path) == ["cache"]
