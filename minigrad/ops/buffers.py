"""Large op outputs in memory that has been written before.

The first write to freshly allocated memory costs a page fault per page, and the
kernel must zero each page first. malloc hands large arrays straight from the kernel
(glibc: above its mmap threshold) and gives them back when they die, so each new
conv or ReLU output faults its pages in again (with transparent huge pages in
``madvise`` mode, which numpy asks for, a fault can also wait on memory compaction).

So an op that makes a large output asks :func:`empty` instead of ``np.empty``. It
keeps the blocks it has handed out and gives one again once no array refers to it
(its reference count is back to the pool's own; a view of an array refers to the
block too). A training step asks for the same sizes every time, so it finds them.
When no idle block fits, the idle ones are released before a new one is taken, so
the pool holds at most what was in use at once, and nothing once :func:`release` is
called. Arrays under ``LARGE`` go to ``np.empty``: malloc recycles those itself.

Each thread has its own pool (as ``minigrad.kernels.fast.conv.scratch``), so no lock is needed.
"""
from __future__ import annotations

import math
import sys
import threading

import numpy as np

#: arrays at least this large come from the pool
LARGE = 1 << 20

_local = threading.local()


def _blocks():
    blocks = getattr(_local, "blocks", None)
    if blocks is None:
        blocks = _local.blocks = []
    return blocks


def _idle(blocks, i):
    """No array refers to ``blocks[i]``: only the list and this call's argument do."""
    return sys.getrefcount(blocks[i]) <= 2


def empty(shape, dtype):
    """``np.empty(shape, dtype)`` (C order); a large one reuses an idle block."""
    dtype = np.dtype(dtype)
    shape = tuple(shape)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes < LARGE:
        return np.empty(shape, dtype)
    blocks = _blocks()
    best = None   # the smallest idle block that fits
    for i in range(len(blocks)):
        if blocks[i].nbytes >= nbytes and _idle(blocks, i) and \
                (best is None or blocks[i].nbytes < blocks[best].nbytes):
            best = i
    if best is None:   # release what is idle, then take a new block
        release()
        blocks.append(np.empty(nbytes, np.uint8))
        best = len(blocks) - 1
    return blocks[best][:nbytes].view(dtype).reshape(shape)


def empty_if_large(shape, dtype):
    """:func:`empty` for a large array, else None: for a numpy ``out=`` argument, so
    that numpy allocates a small result itself."""
    dtype = np.dtype(dtype)
    if math.prod(shape) * dtype.itemsize < LARGE:
        return None
    return empty(shape, dtype)


def release():
    """Let go of the idle blocks (memory in use stays where it is)."""
    blocks = _blocks()
    blocks[:] = [blocks[i] for i in range(len(blocks)) if not _idle(blocks, i)]


def pooled_bytes():
    """Bytes the pool holds, in use or idle (for tests and benchmarks)."""
    return sum(b.nbytes for b in _blocks())
