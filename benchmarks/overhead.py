"""Per-op framework overhead: minigrad vs PyTorch in the same process.

A chain of N ops on a 1-element tensor is all overhead (the arithmetic is one
number), so the time per op is the cost of the framework itself: building the
node in forward, and walking it in backward.

    python benchmarks/overhead.py [--repeats 30]

Prints medians (microseconds per op, forward + backward) for a 1,000-op chain of
a few ops, and the forward and backward time of a 100,000-op chain. PyTorch
columns appear when torch is installed; its samples alternate with minigrad's.
Last, how much of the 100,000-op forward is Python's cyclic garbage collector
(the same chain with the collector paused, for this measurement only) and how
many GC-tracked objects a node of the chain keeps.
"""
from __future__ import annotations

import argparse
import gc
import statistics
import time

# _common also puts this tree's root on sys.path, so it comes before minigrad.
from _common import alternate, machine_info

import minigrad as mg  # noqa: E402

try:
    import torch
except ImportError:   # the comparison is optional
    torch = None

CHAINS = {
    "y * 1.0001": lambda y, w: y * 1.0001,
    "y + w": lambda y, w: y + w,
    "tanh(y)": lambda y, w: y.tanh(),
}


def run_chain(lib, step, n):
    """Forward and backward seconds of an n-op chain."""
    if lib == "minigrad":
        x = mg.tensor([0.5], requires_grad=True)
        w = mg.tensor([1e-4])
    else:
        x = torch.tensor([0.5], requires_grad=True)
        w = torch.tensor([1e-4])
    gc.collect()
    t0 = time.perf_counter()
    y = x
    for _ in range(n):
        y = step(y, w)
    loss = y.sum()
    t1 = time.perf_counter()
    loss.backward()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def tracked_objects_per_node(n=2000):
    """GC-tracked objects that each node of a ``y * 1.0001`` chain keeps alive."""
    x = mg.tensor([0.5], requires_grad=True)
    gc.collect()
    before = len(gc.get_objects())
    y = x
    for _ in range(n):
        y = y * 1.0001
    gc.collect()
    gc.collect()   # a tuple is untracked once the objects in it were
    return (len(gc.get_objects()) - before) / n


def forward_with_and_without_gc(n, samples=3):
    """Median forward seconds of an n-op minigrad chain, collector on and paused."""
    on, off = [], []
    for _ in range(samples):
        on.append(run_chain("minigrad", CHAINS["y * 1.0001"], n)[0])
        gc.disable()
        try:
            off.append(run_chain("minigrad", CHAINS["y * 1.0001"], n)[0])
        finally:
            gc.enable()
    return statistics.median(on), statistics.median(off)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--deep", type=int, default=100_000, help="length of the deep chain")
    args = parser.parse_args()
    libs = ["minigrad"] + (["torch"] if torch is not None else [])
    print("\n".join(machine_info(torch)))

    print(f"\n1,000-op chain on a 1-element tensor: median of {args.repeats} runs, "
          "microseconds per op (forward + backward)")
    header = f"{'op':<12}" + "".join(f"{lib:>12}" for lib in libs) + ("   ratio" if torch else "")
    print(header)
    for name, step in CHAINS.items():
        # A short pause is enough here: these chains do no BLAS work.
        runs = alternate([lambda lib=lib: sum(run_chain(lib, step, 1000)) for lib in libs],
                         args.repeats, pause=0.01)
        medians = {lib: statistics.median(r) / 1000 * 1e6 for lib, r in zip(libs, runs)}
        row = f"{name:<12}" + "".join(f"{medians[lib]:>12.2f}" for lib in libs)
        if torch:
            row += f"   {medians['minigrad'] / medians['torch']:.2f}x"
        print(row)

    print(f"\n{args.deep:,}-op chain (y * 1.0001): seconds, median of 3")
    print(f"{'':<12}" + "".join(f"{lib + ' fwd':>14}{lib + ' bwd':>14}" for lib in libs))
    runs = alternate([lambda lib=lib: run_chain(lib, CHAINS["y * 1.0001"], args.deep)
                      for lib in libs], 3, warmup=0)
    results = {lib: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs))
               for lib, rs in zip(libs, runs)}
    print(f"{'':<12}" + "".join(f"{results[lib][0]:>14.3f}{results[lib][1]:>14.3f}"
                                for lib in libs))
    if torch:
        print(f"backward ratio minigrad/torch: {results['minigrad'][1] / results['torch'][1]:.2f}x")
    on, off = forward_with_and_without_gc(args.deep)
    print(f"\nminigrad {args.deep:,}-op forward: {on:.3f} s, {off:.3f} s with the garbage "
          f"collector paused; {tracked_objects_per_node():.2f} GC-tracked objects per node")


if __name__ == "__main__":
    main()
