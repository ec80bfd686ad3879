"""minigrad.transforms against plain numpy expectations and torchvision's rules
(pad, then crop; flip the last axis; uint8 / 255), and seeded reproducibility."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import transforms as T

IMG = np.arange(2 * 5 * 6, dtype=np.float64).reshape(2, 5, 6)   # C, H, W with distinct values


def test_to_tensor_uint8_and_float():
    hwc = np.arange(24, dtype=np.uint8).reshape(2, 4, 3) * 10
    t = T.ToTensor()(hwc)
    assert isinstance(t, mg.Tensor) and t.shape == (3, 2, 4) and t.dtype == np.float32
    np.testing.assert_array_equal(t.numpy(), np.transpose(hwc, (2, 0, 1)).astype(np.float32) / 255)
    gray = T.ToTensor()(np.full((28, 28), 255, np.uint8))
    assert gray.shape == (1, 28, 28) and gray.numpy().max() == 1.0
    # float arrays are only moved to C, H, W (torchvision's ndarray rule), not scaled
    f = T.ToTensor()(np.full((2, 2, 1), 7.0))
    assert f.shape == (1, 2, 2) and f.dtype == np.float64 and (f.numpy() == 7).all()


def test_to_tensor_matches_torchvision_rule_with_torch():
    torch = pytest.importorskip("torch")
    hwc = np.random.default_rng(0).integers(0, 256, (5, 4, 3), dtype=np.uint8)
    ref = torch.from_numpy(hwc.transpose(2, 0, 1).copy()).to(torch.float32).div(255)
    np.testing.assert_array_equal(T.ToTensor()(hwc).data, ref.numpy())


def test_normalize():
    mean, std = [1.0, 2.0], [0.5, 4.0]
    out = T.Normalize(mean, std)(mg.Tensor(IMG))
    expected = (IMG - np.array(mean)[:, None, None]) / np.array(std)[:, None, None]
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-15)
    assert out.dtype == np.float64
    x32 = mg.Tensor(IMG.astype(np.float32))
    assert T.Normalize(0.5, 0.25)(x32).dtype == np.float32   # one value for every channel
    # inplace changes (and returns) the same tensor
    x = mg.Tensor(IMG.copy())
    assert T.Normalize(mean, std, inplace=True)(x) is x
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-15)
    with pytest.raises(ValueError, match=r"Normalize: mean has 3 values but the image has 2"):
        T.Normalize([0, 0, 0], [1, 1, 1])(mg.Tensor(IMG))


def test_random_crop_is_a_window_of_the_padded_image():
    padded = np.pad(IMG, [(0, 0), (2, 2), (1, 1)], constant_values=9.0)   # (left/right 1, top/bottom 2)
    windows = {padded[:, i:i + 4, j:j + 5].tobytes() for i in range(padded.shape[1] - 3)
               for j in range(padded.shape[2] - 4)}
    crop = T.RandomCrop((4, 5), padding=(1, 2), fill=9.0)
    seen = set()
    for _ in range(200):
        out = crop(IMG)
        assert isinstance(out, np.ndarray) and out.shape == (2, 4, 5)
        assert out.tobytes() in windows
        seen.add(out.tobytes())
    assert len(seen) > len(windows) // 2           # the offsets really vary
    # the full size crop of an unpadded image is the image
    np.testing.assert_array_equal(T.RandomCrop((5, 6))(IMG), IMG)


@pytest.mark.parametrize("mode, numpy_mode", [("edge", "edge"), ("reflect", "reflect"),
                                              ("symmetric", "symmetric")])
def test_random_crop_padding_modes(mode, numpy_mode):
    # crop the padded size: the result must be the whole padded image
    out = T.RandomCrop((5 + 2, 6 + 4), padding=(2, 1, 2, 1), padding_mode=mode)(mg.Tensor(IMG))
    assert isinstance(out, mg.Tensor)
    np.testing.assert_array_equal(out.numpy(), np.pad(IMG, [(0, 0), (1, 1), (2, 2)], mode=numpy_mode))


def test_random_crop_pad_if_needed_pads_both_sides_by_the_shortfall():
    # torchvision pads an image smaller than the crop by the shortfall on each side
    out = T.RandomCrop((7, 6), pad_if_needed=True)(IMG)   # H 5 -> 5 + 2 * 2 = 9, then crop 7
    assert out.shape == (2, 7, 6)
    with pytest.raises(ValueError, match=r"RandomCrop: crop size \(7, 6\) is larger than the "
                                         r"\(padded\) image \(5, 6\)"):
        T.RandomCrop((7, 6))(IMG)


def test_random_horizontal_flip():
    flip = T.RandomHorizontalFlip(p=1.0)
    np.testing.assert_array_equal(flip(IMG), IMG[..., ::-1])
    assert T.RandomHorizontalFlip(p=0.0)(IMG) is IMG
    mg.manual_seed(0)
    flips = [T.RandomHorizontalFlip()(IMG)[0, 0, 0] != IMG[0, 0, 0] for _ in range(400)]
    assert 150 < sum(flips) < 250                   # about half


def test_seeded_pipelines_are_reproducible():
    pipeline = T.Compose([T.ToTensor(), T.RandomCrop(24, padding=4), T.RandomHorizontalFlip(),
                          T.Normalize((0.1307,), (0.3081,))])
    img = np.random.default_rng(1).integers(0, 256, (28, 28), dtype=np.uint8)
    runs = []
    for _ in range(2):
        mg.manual_seed(42)
        runs.append(np.stack([pipeline(img).numpy() for _ in range(10)]))
    np.testing.assert_array_equal(runs[0], runs[1])
    assert runs[0].shape == (10, 1, 24, 24)
    assert not all(np.array_equal(runs[0][0], r) for r in runs[0][1:])   # the crops differ
    mg.manual_seed(43)
    assert not np.array_equal(np.stack([pipeline(img).numpy() for _ in range(10)]), runs[0])
    assert "RandomCrop" in repr(pipeline)
