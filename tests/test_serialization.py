"""minigrad.save / minigrad.load: exact round trips without pickle, atomic
writes, and clear errors for files that are not checkpoints."""
import json
import os
import zipfile

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim, serialization


def test_nested_round_trip_keeps_types_and_values(tmp_path):
    obj = {
        "weights": {"0.weight": mg.Tensor(np.arange(6, dtype=np.float32).reshape(2, 3)),
                    "bn.num_batches_tracked": mg.Tensor(np.array(3, np.int64))},
        "state": {0: {"step": 4, "exp_avg": np.ones(3, np.float64)}, 7: {}},
        "betas": (0.9, 0.999),
        "history": [{"loss": 0.5, "ok": True}, None, "text", -3],
        "mask": np.array([True, False]),
        "pixels": np.zeros((2, 2), np.uint8),
        "scalar": np.float32(1.5),
        "inf": float("inf"),
        "empty": np.zeros((0, 4)),
    }
    path = tmp_path / "ckpt.npz"
    mg.save(obj, path)
    back = mg.load(path)
    assert set(back) == set(obj) and list(back["state"]) == [0, 7]
    assert isinstance(back["weights"]["0.weight"], mg.Tensor)
    np.testing.assert_array_equal(back["weights"]["0.weight"].data, obj["weights"]["0.weight"].data)
    assert back["weights"]["0.weight"].dtype == np.float32
    assert back["weights"]["bn.num_batches_tracked"].data.dtype == np.int64
    assert back["state"][0]["step"] == 4 and type(back["state"][0]["step"]) is int
    assert isinstance(back["state"][0]["exp_avg"], np.ndarray)
    assert back["betas"] == (0.9, 0.999) and isinstance(back["betas"], tuple)
    assert back["history"] == [{"loss": 0.5, "ok": True}, None, "text", -3]
    assert back["mask"].dtype == bool and back["pixels"].dtype == np.uint8
    assert back["scalar"] == np.float32(1.5) and type(back["scalar"]) is np.float32
    assert back["inf"] == float("inf") and back["empty"].shape == (0, 4)


def test_the_file_is_a_plain_npz_without_pickle(tmp_path):
    path = tmp_path / "m.npz"
    mg.save(nn.Linear(3, 2).state_dict(), path)
    with np.load(path, allow_pickle=False) as npz:   # would raise on any pickled entry
        header = json.loads(str(npz["__minigrad__"]))
        assert header["format"] == "minigrad.save"
        assert sorted(npz.files) == ["__minigrad__", "a0", "a1"]
    assert zipfile.is_zipfile(path)


def test_path_is_used_as_given_and_file_objects_work(tmp_path):
    mg.save({"a": 1}, tmp_path / "weights.ckpt")
    assert os.listdir(tmp_path) == ["weights.ckpt"]
    with open(tmp_path / "f.npz", "wb") as f:
        mg.save({"b": np.ones(2)}, f)
    with open(tmp_path / "f.npz", "rb") as f:
        assert mg.load(f)["b"].tolist() == [1.0, 1.0]


def test_a_failed_save_leaves_the_old_checkpoint_intact(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    mg.save({"epoch": 1, "w": np.ones(1000)}, path)
    good = path.read_bytes()

    def crash_half_way(f, entries):
        f.write(good[: len(good) // 2])              # some bytes reach the disk ...
        raise OSError("disk full")                   # ... then the write fails

    monkeypatch.setattr(serialization, "_write_npz", crash_half_way)
    with pytest.raises(OSError, match="disk full"):
        mg.save({"epoch": 2, "w": np.zeros(1000)}, path)
    assert path.read_bytes() == good
    assert os.listdir(tmp_path) == ["ckpt.npz"]      # the temporary file is gone
    assert mg.load(path)["epoch"] == 1


@pytest.mark.parametrize("obj, message", [
    ({"a": {1, 2}}, "cannot save a set \\(at the top level\\['a'\\]\\)"),
    ({"a": np.array([object()])}, "dtype object"),
    ({(1, 2): 3}, "only str and int keys"),
    ({"f": lambda: 0}, "cannot save a function"),
])
def test_unsupported_content_is_refused_before_writing(tmp_path, obj, message):
    with pytest.raises(TypeError, match=message):
        mg.save(obj, tmp_path / "x.npz")
    assert os.listdir(tmp_path) == []


def test_malformed_files_give_clear_errors(tmp_path):
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"\x80\x04 a pickle, perhaps")
    with pytest.raises(ValueError, match="garbage.npz is not a readable .npz checkpoint "
                                         "\\(it is not a zip archive"):
        mg.load(garbage)

    good = tmp_path / "good.npz"
    mg.save({"w": np.ones(5000)}, good)
    cut = tmp_path / "cut.npz"
    cut.write_bytes(good.read_bytes()[:3000])
    with pytest.raises(ValueError, match="cut.npz is not a readable"):
        mg.load(cut)

    np.save(tmp_path / "single.npy", np.ones(2))
    with pytest.raises(ValueError, match="single.npy is not a readable .npz checkpoint"):
        mg.load(tmp_path / "single.npy")

    bad_header = tmp_path / "header.npz"
    np.savez(bad_header, __minigrad__=np.array("{not json"))
    with pytest.raises(ValueError, match="header.npz is a malformed minigrad checkpoint"):
        mg.load(bad_header)

    dangling = tmp_path / "dangling.npz"
    tree = {"format": "minigrad.save", "version": 1, "tree": {"dict": [["w", {"tensor": "a9"}]]}}
    np.savez(dangling, __minigrad__=np.array(json.dumps(tree)))
    with pytest.raises(ValueError, match="array entry 'a9' .* is missing"):
        mg.load(dangling)

    with pytest.raises(FileNotFoundError, match="no such file"):
        mg.load(tmp_path / "nope.npz")


def test_a_plain_npz_loads_as_a_dict_of_arrays(tmp_path):
    np.savez(tmp_path / "plain.npz", weight=np.ones((2, 2)), bias=np.zeros(2))
    loaded = mg.load(tmp_path / "plain.npz")
    assert sorted(loaded) == ["bias", "weight"]
    m = nn.Linear(2, 2)
    m.load_state_dict(loaded)
    assert np.all(m.weight.numpy() == 1)


def test_model_and_optimizer_checkpoint(tmp_path):
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(mg.randn(8, 3)).sum().backward()
    opt.step()
    mg.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, tmp_path / "c.npz")
    back = mg.load(tmp_path / "c.npz")
    assert list(back["model"]) == list(model.state_dict())
    assert sorted(back["optimizer"]["state"]) == [0, 1, 2, 3, 4, 5]
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(back["model"][k].data, v.numpy())


def test_save_never_touches_the_process_umask(tmp_path, monkeypatch):
    """Setting the umask to 0 and back would leave a window in which a file another
    thread creates is world-writable; the file gets the usual mode without it."""
    import os
    mask = os.umask(0o022)
    os.umask(mask)

    def refuse(*args):
        raise AssertionError("save changed the process umask")

    monkeypatch.setattr(os, "umask", refuse)
    path = tmp_path / "model.npz"
    mg.save({"w": np.ones(3)}, path)
    assert (path.stat().st_mode & 0o777) == (0o666 & ~mask)
    assert not [p for p in tmp_path.iterdir() if p.name != "model.npz"]   # no temporary left


def test_a_pytorch_checkpoint_is_a_clear_error(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "model.pt"
    torch.save(torch.nn.Linear(2, 3).state_dict(), path)
    with pytest.raises(ValueError, match="model.pt is not a readable .npz checkpoint \\(it is a "
                                         "PyTorch checkpoint.*minigrad.save"):
        mg.load(path)
    legacy = tmp_path / "legacy.pt"
    torch.save({"w": torch.ones(2)}, legacy, _use_new_zipfile_serialization=False)
    with pytest.raises(ValueError, match="legacy.pt .*looks like a pickle"):
        mg.load(legacy)
    other = tmp_path / "other.npz"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("notes.txt", "hello")
    with pytest.raises(ValueError, match="zip archive but not a .npz.*notes.txt"):
        mg.load(other)


def test_saving_through_a_symlink_writes_its_target(tmp_path):
    target = tmp_path / "runs" / "ckpt-0042.npz"
    target.parent.mkdir()
    mg.save({"epoch": 1}, target)
    link = tmp_path / "latest.npz"
    link.symlink_to(target)
    mg.save({"epoch": 2}, link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert mg.load(target)["epoch"] == 2 and mg.load(link)["epoch"] == 2
    assert sorted(os.listdir(target.parent)) == ["ckpt-0042.npz"]


def test_resaving_keeps_the_files_permission_bits(tmp_path):
    path = tmp_path / "private.npz"
    mg.save({"w": np.ones(3)}, path)
    os.chmod(path, 0o600)
    mg.save({"w": np.zeros(3)}, path)
    assert (os.stat(path).st_mode & 0o777) == 0o600
    assert mg.load(path)["w"].tolist() == [0, 0, 0]


def test_saving_to_a_directory_names_the_given_path(tmp_path):
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    with pytest.raises(IsADirectoryError) as info:
        mg.save({"w": np.ones(2)}, folder)
    assert str(folder) in str(info.value) and ".tmp" not in str(info.value)
    assert os.listdir(folder) == [] and os.listdir(tmp_path) == ["checkpoints"]


def test_deep_or_cyclic_nesting_is_a_clear_error_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "ckpt.npz"
    mg.save({"epoch": 1}, path)
    good = path.read_bytes()
    deep = {}
    node = deep
    for _ in range(5000):
        node["child"] = {}
        node = node["child"]
    cyclic = {"a": 1}
    cyclic["self"] = cyclic
    for obj in (deep, cyclic):
        with pytest.raises(ValueError, match="nested more than 100 levels deep"):
            mg.save(obj, path)
        assert path.read_bytes() == good and os.listdir(tmp_path) == ["ckpt.npz"]
    shallow = {}
    node = shallow
    for _ in range(serialization.MAX_DEPTH - 1):
        node["child"] = {}
        node = node["child"]
    mg.save(shallow, path)
    assert mg.load(path) == shallow


def test_saving_a_whole_module_says_to_save_its_state_dict(tmp_path):
    model = nn.Linear(2, 3)
    for obj in (model, {"model": model}):
        with pytest.raises(TypeError, match="cannot save a whole Linear .*state_dict\\(\\)"):
            mg.save(obj, tmp_path / "m.npz")
    assert os.listdir(tmp_path) == []
    mg.save(model.state_dict(), tmp_path / "m.npz")
    loaded = mg.load(tmp_path / "m.npz")
    assert isinstance(loaded["weight"], mg.Tensor)
    np.testing.assert_array_equal(loaded["weight"].numpy(), model.weight.numpy())
