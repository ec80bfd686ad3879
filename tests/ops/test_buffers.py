"""The pool of large op outputs: a block is handed out again only when no array
refers to it, and never while any view of it is alive."""
import threading

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.ops import buffers

BIG = buffers.LARGE // 4 + 1   # float32 numbers in an array just over the threshold


@pytest.fixture(autouse=True)
def empty_pool():
    buffers.release()
    yield
    buffers.release()


def address(a):
    return a.__array_interface__["data"][0]


def test_small_arrays_are_plain_numpy():
    a = buffers.empty((3, 4), np.float64)
    assert a.shape == (3, 4) and a.dtype == np.float64 and a.base is None
    assert buffers.pooled_bytes() == 0


def test_an_idle_block_is_reused():
    a = buffers.empty((BIG,), np.float32)
    first = address(a)
    del a
    b = buffers.empty((BIG,), np.float32)
    assert address(b) == first
    assert buffers.pooled_bytes() == BIG * 4


def test_a_block_in_use_is_never_handed_out():
    a = buffers.empty((BIG,), np.float32)
    a[:] = 1.0
    b = buffers.empty((BIG,), np.float32)
    assert not np.shares_memory(a, b)
    b[:] = 2.0
    assert (a == 1.0).all()


def test_a_live_view_keeps_its_block_in_use():
    a = buffers.empty((2, BIG // 2), np.float32)
    view = a[1].reshape(-1)[::3]
    view[:] = 7.0
    del a
    b = buffers.empty((BIG,), np.float32)
    assert not np.shares_memory(view, b)
    b[:] = 0.0
    assert (view == 7.0).all()
    del view
    c = buffers.empty((BIG,), np.float32)   # now the first block is idle again
    assert buffers.pooled_bytes() == 2 * BIG * 4
    assert not np.shares_memory(b, c)


def test_the_smallest_idle_block_that_fits_is_chosen_and_dtypes_mix():
    large = buffers.empty((2 * BIG,), np.float32)
    small = buffers.empty((BIG,), np.float32)
    large_at, small_at = address(large), address(small)
    del large, small
    a = buffers.empty((BIG // 2,), np.float64)   # same bytes as `small`
    assert address(a) == small_at and a.dtype == np.float64 and a.shape == (BIG // 2,)
    b = buffers.empty((BIG + 5,), np.float32)
    assert address(b) == large_at


def test_a_miss_releases_idle_blocks_first():
    a = buffers.empty((BIG,), np.float32)
    del a
    b = buffers.empty((3 * BIG,), np.float32)   # the idle block is too small
    assert buffers.pooled_bytes() == 3 * BIG * 4
    del b
    buffers.release()
    assert buffers.pooled_bytes() == 0


def test_each_thread_has_its_own_pool():
    a = buffers.empty((BIG,), np.float32)
    del a
    seen = []
    thread = threading.Thread(target=lambda: seen.append(buffers.pooled_bytes()))
    thread.start()
    thread.join()
    assert seen == [0] and buffers.pooled_bytes() == BIG * 4


def test_inference_outputs_stay_correct_while_memory_is_reused():
    """A conv -> ReLU -> pool chain under no_grad over batches large enough for the
    pool gives the same numbers as the same chain on small batches, and the outputs
    of an earlier batch, still held, are not overwritten by a later one."""
    rng = np.random.default_rng(0)
    conv = mg.nn.Conv2d(1, 8, 3)
    n = 300   # conv output 300 x 8 x 26 x 26 float32: 6.5 MB
    xs = [mg.tensor(rng.standard_normal((n, 1, 28, 28)).astype(np.float32)) for _ in range(2)]
    with mg.no_grad():
        outs = [F.max_pool2d(F.relu(conv(x)), 2) for x in xs]
        assert buffers.pooled_bytes() > 0
        for x, out in zip(xs, outs):
            for part in range(0, n, 20):   # 20 images: arrays under the pool's threshold
                small = F.max_pool2d(F.relu(conv(x[part:part + 20])), 2)
                np.testing.assert_allclose(out.numpy()[part:part + 20], small.numpy(), rtol=1e-6,
                                           atol=1e-6)


def test_relu_of_a_large_input_keeps_its_layout():
    x = np.random.default_rng(1).standard_normal((BIG // 64, 4, 4, 4)).astype(np.float32)
    batch_last = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
    y = F.relu(mg.tensor(batch_last)).numpy()
    np.testing.assert_array_equal(y, np.maximum(x, 0))
    assert y.strides == batch_last.strides


def test_training_steps_through_pooled_outputs_match_torch():
    """Three SGD steps of conv -> ReLU -> max pool -> linear with activations over the
    pool's threshold (so saved outputs, gradients and idle blocks mix across steps)
    give PyTorch's losses and parameters."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    xs = rng.standard_normal((3, 64, 1, 28, 28))
    ys = rng.integers(0, 10, (3, 64))
    w, b = rng.standard_normal((8, 1, 3, 3)) * 0.3, rng.standard_normal(8) * 0.1
    fw, fb = rng.standard_normal((10, 8 * 13 * 13)) * 0.02, np.zeros(10)
    ours = [mg.Tensor(a.copy(), requires_grad=True) for a in (w, b, fw, fb)]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in (w, b, fw, fb)]

    def losses(lib, fn, params):
        opt = (mg.optim.SGD if lib is mg else torch.optim.SGD)(params, lr=0.1, momentum=0.9)
        out = []
        for x, y in zip(xs, ys):
            h = fn.max_pool2d(fn.relu(fn.conv2d(lib.tensor(x), params[0], params[1])), 2)
            loss = fn.cross_entropy(fn.linear(h.flatten(1), params[2], params[3]), lib.tensor(y))
            opt.zero_grad()
            loss.backward()
            opt.step()
            out.append(loss.item())
        return out

    buffers.release()
    ours_losses = losses(mg, F, ours)
    assert buffers.pooled_bytes() >= 64 * 8 * 26 * 26 * 8   # float64 conv outputs pooled
    np.testing.assert_allclose(ours_losses, losses(torch, torch.nn.functional, theirs), rtol=1e-10)
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.numpy(), t.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_the_pool_changes_no_number(monkeypatch):
    """Training steps of a net with every pooled path (conv, BatchNorm, ReLU, max pool,
    dropout, a large matmul, elementwise products in backward) give bitwise the same
    losses and parameters with the pool as with plain numpy allocation."""
    def run():
        mg.manual_seed(0)
        net = mg.nn.Sequential(mg.nn.Conv2d(1, 8, 3), mg.nn.BatchNorm2d(8), mg.nn.ReLU(),
                               mg.nn.MaxPool2d(2), mg.nn.Dropout(0.3), mg.nn.Flatten(),
                               mg.nn.Linear(8 * 13 * 13, 1024), mg.nn.ReLU(),
                               mg.nn.Dropout(0.5), mg.nn.Linear(1024, 10))
        opt = mg.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
        rng = np.random.default_rng(5)
        out = []
        for _ in range(3):
            x = mg.tensor(rng.standard_normal((300, 1, 28, 28)).astype(np.float32))
            loss = F.cross_entropy(net(x), mg.tensor(rng.integers(0, 10, 300)))
            opt.zero_grad()
            loss.backward()
            opt.step()
            out.append(loss.item())
        return out, [p.numpy().copy() for p in net.parameters()]

    buffers.release()
    pooled_losses, pooled_params = run()
    assert buffers.pooled_bytes() > 0
    monkeypatch.setattr(buffers, "LARGE", 1 << 62)   # nothing is large: plain numpy
    buffers.release()
    plain_losses, plain_params = run()
    assert buffers.pooled_bytes() == 0
    assert pooled_losses == plain_losses
    for p, q in zip(pooled_params, plain_params):
        np.testing.assert_array_equal(p, q)
