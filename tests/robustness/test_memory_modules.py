"""A real training loop (conv net built from nn modules, Adam, DataLoader) runs
1,000 steps without growing in memory: every step's graph, saved arrays,
padded im2col copies and argmax masks are released, and the optimizer state
stays the same size. (tests/test_memory.py does the same for a raw-tensor loop.)"""
import gc
import tracemalloc

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn, optim
from minigrad.data import DataLoader, TensorDataset

STEPS = 1000
#: allowance for allocator noise (free lists, the data loader's current batch, ...)
LIMIT = 32 * 1024

#: numpy's as_strided (conv's window views) keeps some memory of its own, whoever
#: calls it: a ~0.9 MB block allocated once after a few thousand calls and a
#: bounded set of 57-byte strings (numpy 2.4; reproduced with numpy alone, so not
#: minigrad's). Allocations made *inside* that file are left out of the count;
#: the arrays minigrad allocates around it are still counted.
NOT_OURS = [tracemalloc.Filter(False, np.lib.stride_tricks.as_strided.__code__.co_filename),
            tracemalloc.Filter(False, tracemalloc.__file__)]


def _traced_bytes():
    snapshot = tracemalloc.take_snapshot().filter_traces(NOT_OURS)
    return sum(stat.size for stat in snapshot.statistics("filename"))


def _small_conv_net():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 4, 3, stride=2, padding=1, bias=False), nn.Tanh(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(4, 3))


def test_module_and_optimizer_training_loop_does_not_grow_in_memory():
    mg.manual_seed(0)
    rng = np.random.default_rng(0)
    images = rng.normal(size=(64, 1, 8, 8)).astype(np.float32)
    labels = (images[:, 0, :4].mean(axis=(1, 2)) > 0).astype(np.int64) + (images[:, 0, 4:].mean(axis=(1, 2)) > 0)
    loader = DataLoader(TensorDataset(images, labels), batch_size=16, shuffle=True, seed=0)
    model = _small_conv_net()
    opt = optim.Adam(model.parameters(), lr=1e-2)

    def batches():
        while True:
            yield from loader

    stream = batches()

    def step():
        x, y = next(stream)
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    first = [step() for _ in range(20)]        # warm up: optimizer state, caches
    gc.collect()
    losses = np.empty(STEPS)       # allocated before counting: a list of floats would grow
    tracemalloc.start()
    try:
        before = _traced_bytes()
        for i in range(STEPS):
            losses[i] = step()
        gc.collect()
        retained = _traced_bytes() - before
    finally:
        tracemalloc.stop()
    print(f"\n{STEPS} nn+optim training steps retained {retained} bytes")
    assert np.mean(losses[-50:]) < np.mean(first), "the loop must really train"
    assert retained < LIMIT, f"{retained} bytes retained after {STEPS} steps"
    # and nothing of the last step's graph is left behind
    assert all(p.grad is None or p.grad.grad_fn is None for p in model.parameters())
