"""MNIST: the shipped files, IDX parsing of good and corrupt files, and
download=True against a local HTTP server (good file, corrupted file, dead mirror)."""
import gzip
import hashlib
import http.server
import shutil
import socket
import threading
from functools import partial

import numpy as np
import pytest

import minigrad as mg

from minigrad.data import DataLoader
from minigrad.datasets import MNIST, read_idx
from minigrad.datasets.mnist import MNIST_FILES, PACKAGE_DATA

TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


@pytest.fixture(scope="module")
def test_set():
    return MNIST(train=False)


def test_shipped_files_are_the_originals_byte_for_byte():
    for name, (sha, _, _) in MNIST_FILES.items():
        assert hashlib.sha256((PACKAGE_DATA / name).read_bytes()).hexdigest() == sha, name
    assert (PACKAGE_DATA / "README.md").is_file()


def test_shipped_test_set(test_set):
    assert len(test_set) == 10000 and test_set.data.shape == (10000, 28, 28)
    # label counts for digits 0..9, from the data README
    assert np.bincount(test_set.targets).tolist() == [980, 1135, 1032, 1010, 982, 892, 958,
                                                      1028, 974, 1009]
    image, label = test_set[0]
    assert image.shape == (1, 28, 28) and image.dtype == np.float32 and label == 7
    assert image.numpy().min() == 0.0 and image.numpy().max() == 1.0
    images, labels = next(iter(DataLoader(test_set, batch_size=32)))
    assert images.shape == (32, 1, 28, 28) and labels.dtype == np.int64
    np.testing.assert_array_equal(images.numpy()[0], image.numpy())


def test_shipped_train_set_counts():
    train = MNIST()
    assert len(train) == 60000
    assert np.bincount(train.targets).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918,
                                                   6265, 5851, 5949]


def test_normalize_standardises_with_the_training_statistics(test_set):
    normal = MNIST(train=False, normalize=True)
    x, _ = normal.get_batch(np.arange(2000))
    raw, _ = test_set.get_batch(np.arange(2000))
    np.testing.assert_allclose(x, (raw - 0.1307) / 0.3081, rtol=1e-5, atol=1e-6)
    assert abs(x.mean()) < 0.1 and abs(x.std() - 1) < 0.1


def _idx(magic, dims, data=None):
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims)
    body = bytes(data) if data is not None else bytes(int(np.prod(dims)))
    return header + body


def test_read_idx_plain_and_gzip(tmp_path):
    pixels = np.arange(2 * 3 * 4, dtype=np.uint8)
    raw = _idx(0x803, (2, 3, 4), pixels)
    (tmp_path / "a").write_bytes(raw)
    (tmp_path / "a.gz").write_bytes(gzip.compress(raw))
    for path in (tmp_path / "a", tmp_path / "a.gz"):
        array = read_idx(path, 0x803)
        assert array.shape == (2, 3, 4) and array.dtype == np.uint8
        np.testing.assert_array_equal(array.ravel(), pixels)


@pytest.mark.parametrize("content, message", [
    (_idx(0x803, (2, 2, 2))[:-1], "truncated: the header gives dimensions \\(2, 2, 2\\) "
                                  "\\(8 bytes of data\\) but the file holds 7"),
    (_idx(0x803, (2, 2, 2)) + b"\0", "trailing bytes"),
    (_idx(0x801, (5,)), "magic number 0x00000801 says 1 dimension"),
    (b"\x00\x00\x0d\x03" + bytes(12), "bad IDX magic number 0x00000d03"),
    (b"PK\x03\x04 not idx at all", "bad IDX magic"),
    (b"\x00\x00", "too short for an IDX header"),
    (_idx(0x803, (2, 2, 2))[:10], "truncated header"),
    (gzip.compress(_idx(0x803, (2, 2, 2)))[:-6], "corrupt or truncated gzip"),
])
def test_read_idx_rejects_corrupt_files_naming_them(tmp_path, content, message):
    path = tmp_path / "broken-images-idx3-ubyte"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as info:
        read_idx(path, 0x803)
    assert str(path) in str(info.value)


def test_root_with_plain_files_and_mismatched_counts(tmp_path):
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(_idx(0x803, (3, 28, 28)))
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(_idx(0x801, (3,), [1, 2, 3])))
    data = MNIST(root=tmp_path, train=False)
    assert len(data) == 3 and data.targets.tolist() == [1, 2, 3]
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(_idx(0x801, (4,))))
    with pytest.raises(ValueError, match="holds 3 images but .* holds 4 labels"):
        MNIST(root=tmp_path, train=False)
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(_idx(0x803, (4, 14, 14)))
    with pytest.raises(ValueError, match="images are \\(14, 14\\), expected 28x28"):
        MNIST(root=tmp_path, train=False)


def test_missing_files_name_the_file_and_the_way_out(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte.gz .*download=True"):
        MNIST(root=tmp_path)


# -- download=True against a local server ----------------------------------------------

@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 serving tmp_path/"www"; yields (base URL, folder)."""
    www = tmp_path / "www"
    (www / "good").mkdir(parents=True)
    (www / "bad").mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", www
    finally:
        httpd.shutdown()
        httpd.server_close()


def _dead_url():
    """A URL on a port that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def _snapshot(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_download_skips_dead_and_corrupt_mirrors(server, tmp_path):
    base, www = server
    for name in TEST_FILES:
        original = (PACKAGE_DATA / name).read_bytes()
        (www / "good" / name).write_bytes(original)
        (www / "bad" / name).write_bytes(original[:-100] + bytes(100))   # corrupted
    cache = tmp_path / "cache" / "mnist"
    before = _snapshot(tmp_path)
    mirrors = [_dead_url(), f"{base}/bad/", f"{base}/good/"]
    data = MNIST(root=cache, train=False, download=True, mirrors=mirrors, timeout=5)
    assert len(data) == 10000 and data.targets[0] == 7
    assert sorted(p.name for p in cache.iterdir()) == sorted(TEST_FILES)   # no leftovers
    for name in TEST_FILES:
        assert (cache / name).read_bytes() == (PACKAGE_DATA / name).read_bytes()
    # nothing was written anywhere but the cache folder
    assert sorted(set(_snapshot(tmp_path)) - set(before)) == [
        "cache", "cache/mnist"] + [f"cache/mnist/{n}" for n in sorted(TEST_FILES)]


def test_download_replaces_a_corrupted_cached_file(server, tmp_path):
    base, www = server
    for name in TEST_FILES:
        shutil.copy(PACKAGE_DATA / name, www / "good" / name)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / TEST_FILES[1]).write_bytes(b"not the labels")
    data = MNIST(root=cache, train=False, download=True, mirrors=[f"{base}/good/"])
    assert len(data.targets) == 10000


def test_download_failure_names_every_url_tried(server, tmp_path):
    base, www = server
    (www / "bad" / TEST_FILES[0]).write_bytes(b"corrupted")
    dead = _dead_url()
    mirrors = [dead, f"{base}/bad/", f"{base}/missing/"]
    cache = tmp_path / "cache"
    with pytest.raises(RuntimeError) as info:
        MNIST(root=cache, train=False, download=True, mirrors=mirrors, timeout=5)
    message = str(info.value)
    assert f"could not get {TEST_FILES[0]}" in message
    assert f"{dead}{TEST_FILES[0]}" in message
    assert f"{base}/bad/{TEST_FILES[0]}: SHA-256 mismatch" in message
    assert f"{base}/missing/{TEST_FILES[0]}: HTTP Error 404" in message
    assert list(cache.iterdir()) == []                  # no partial file left behind


def test_transform_gets_the_raw_uint8_image_and_items_are_torchvision_pairs(test_set):
    from minigrad import transforms as T
    seen = []

    def spy(img):
        seen.append(img)
        return T.ToTensor()(img)

    data = MNIST(train=False, transform=spy, target_transform=lambda y: y + 100)
    image, label = data[0]
    assert seen[0].dtype == np.uint8 and seen[0].shape == (28, 28)
    assert image.shape == (1, 28, 28) and image.dtype == np.float32
    assert label == 107 and type(label) is int
    # ToTensor divides by 255 (torchvision's rounding); the default path multiplies by 1/255
    np.testing.assert_allclose(image.numpy(), test_set[0][0].data, rtol=1e-6)
    images, labels = data.get_batch(np.array([0, 1, 2]))             # through the transforms
    assert images.shape == (3, 1, 28, 28) and labels.tolist() == [107, 102, 101]
    normalized = MNIST(train=False, transform=T.Compose([T.ToTensor(), T.Normalize(0.1307, 0.3081)]))
    np.testing.assert_allclose(normalized[0][0].data, MNIST(train=False, normalize=True)[0][0].data,
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(TypeError, match=r"MNIST: transform must be callable"):
        MNIST(train=False, transform="ToTensor")


def test_utils_data_is_data():
    import minigrad as mg
    import minigrad.utils.data as utils_data
    assert utils_data is mg.data and mg.utils.data.DataLoader is DataLoader


def test_data_and_targets_are_tensors_as_torchvision():
    data = MNIST(train=False)
    assert isinstance(data.data, mg.Tensor) and data.data.dtype == np.uint8
    assert data.data.shape == (10000, 28, 28)
    assert isinstance(data.targets, mg.Tensor) and data.targets.dtype == np.int64
    assert data.targets.shape == (10000,) and not data.targets.requires_grad
    # the torchvision idiom for a small subset: slice both attributes
    data.data, data.targets = data.data[:100], data.targets[:100]
    assert len(data) == 100
    batches = list(DataLoader(data, batch_size=64))
    assert [len(y) for _, y in batches] == [64, 36]
    np.testing.assert_array_equal(batches[1][1].numpy(), data.targets.numpy()[64:])
