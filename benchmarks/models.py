"""Speed on real CNNs (issue 12): whole models and training steps, minigrad vs
PyTorch CPU in one process.

    python benchmarks/models.py [--quick] [--rows mnist,cifar,...] [--repeat N]
    python benchmarks/models.py --profile cifar     # cProfile of minigrad's side of a row
    python benchmarks/models.py --breakdown cifar   # where one step's time goes, both sides

Every row builds the same model in both frameworks with the same float32 weights
(minigrad's initial parameters copied into torch) and the same data, checks once
that the two compute the same loss, then times samples in alternation (minigrad,
torch, minigrad, ...) with a short pause before each, and reports medians and
ratio = minigrad / torch. Rows (``--rows`` takes these names):

  mnist      PyTorch's MNIST example ``Net``, one SGD-momentum step, batch 64
  cifar      4 x (conv3x3 no bias, BatchNorm2d, ReLU), 2 max-pools, global average
             pool, Linear 64->10; one SGD-momentum step with cross_entropy, batch 32
  infer      the MNIST ``Net`` in eval mode under no_grad, 2 batches of 1,000
  lenet      examples/train_mnist.py's ``build_model()``, one Adam step (its optimizer)
  affine     1,000 x ``y = y * 1.0001 + 0.0001`` on a 1-element tensor, fwd + bwd
  tanh       1,000 x ``y = tanh(y)``, fwd + bwd
  chain100k  100,000 x ``y * 1.0000001``, fwd + bwd (the forward-only ratio is printed too)
  lstm       MNIST rows as sequences: LSTM(28, 64) over 28 steps, Linear 64->10 on the last
             output, cross_entropy, one SGD-momentum step, batch 64
  memory     peak-RSS growth of 50 cifar steps, each framework in a fresh process

The models (minigrad's and their PyTorch twins) are in benchmarks/model_twins.py, each
row's work and the loss check in benchmarks/model_rows.py; this script times and prints.
torch is imported lazily so that the memory row's minigrad child never loads it.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

# _common also puts this tree's root on sys.path, so it comes before minigrad.
from _common import alternate, load_average, machine_info, peak_rss_mb, timed
from model_rows import LR, MOMENTUM, ROW_BY_KEY, ROWS, check_row, run_chain, scale_step
from model_twins import CifarNet, copy_weights, random_batch, torch_models

import minigrad as mg  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402
from minigrad import optim  # noqa: E402


def _torch():
    import torch
    return torch


# -- peak memory ----------------------------------------------------------------------

def memory_child(framework, steps=50):
    """Run ``steps`` CIFAR-style steps of one framework; print JSON with the peak RSS
    and how much it grew during the steps (imports, model and data excluded)."""
    mg.manual_seed(0)
    if framework == "torch":
        torch = _torch()
        model = copy_weights(torch, CifarNet(), torch_models(torch)["cifar"]())
        x, y = (torch.from_numpy(a) for a in random_batch(2, 32, (3, 32, 32)))
        opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
        loss_fn = torch.nn.functional.cross_entropy
    else:
        model = CifarNet()
        x, y = (mg.Tensor(a) for a in random_batch(2, 32, (3, 32, 32)))
        opt = optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
        loss_fn = F.cross_entropy
    base = peak_rss_mb()
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    print(json.dumps({"peak_mb": peak_rss_mb(), "growth_mb": peak_rss_mb() - base}))


def peak_memory(framework):
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--memory-child", framework],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- running --------------------------------------------------------------------------

def measure(torch, row, samples):
    """(minigrad, torch) medians in ms (MB for the memory row), and notes to print."""
    if row.key == "memory":
        # Fresh processes, alternating, so neither sees the other's heap.
        runs = alternate([lambda: peak_memory("minigrad"), lambda: peak_memory("torch")],
                         max(1, samples), pause=0, warmup=0)
        growth = [statistics.median(r["growth_mb"] for r in rs) for rs in runs]
        peaks = [statistics.median(r["peak_mb"] for r in rs) for rs in runs]
        return growth, [f"memory: peak RSS minigrad {peaks[0]:.0f} MB, torch {peaks[1]:.0f} MB "
                        f"(imports included); the row compares the growth during the 50 steps"]
    ours, theirs = row.make(torch)
    if row.key == "chain100k":
        runs = alternate([lambda: run_chain(mg, scale_step, 100_000, phases=True),
                          lambda: run_chain(torch, scale_step, 100_000, phases=True)],
                         samples, warmup=1)
        fwd = [statistics.median(r[0] for r in rs) * 1e3 for rs in runs]
        both = [statistics.median(r[0] + r[1] for r in rs) * 1e3 for rs in runs]
        return both, [f"chain100k forward only: minigrad {fwd[0]:.0f} ms, torch {fwd[1]:.0f} ms, "
                      f"ratio {fwd[0] / fwd[1]:.2f}x"]
    a, b = alternate([timed(ours, row.burst), timed(theirs, row.burst)], samples)
    return [statistics.median(a) * 1e3, statistics.median(b) * 1e3], []


#: minigrad's convolution ops: forward, input gradient, weight gradient
CONV_OPS = ("Conv2d", "ConvTranspose2d", "Conv2dWeightGrad")
PAUSE_BEFORE_PROFILED_STEP = 0.2


def profile(torch, key, runs=10, top=10):
    """cProfile of minigrad's side of one row (after a warm-up run)."""
    import cProfile
    import pstats
    ours, _ = ROW_BY_KEY[key].make(torch)
    ours()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        ours()
    profiler.disable()
    # Cumulative time shows which layer costs most; own time, which function to fix.
    for order in ("cumulative", "tottime"):
        print(f"cProfile of minigrad's '{key}' row, {runs} runs, top {top} by {order}:")
        pstats.Stats(profiler).sort_stats(order).print_stats(top)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def breakdown(torch, key, samples=10, top=8):
    """Where one step of ROW goes. minigrad: each op's own wall time (forward and
    backward, nested ops subtracted) and the time inside np.matmul (BLAS) with its
    GFLOP/s; torch: its step and its profiler's self CPU time of the top ops. Steps
    alternate with pauses, as in the table; the timers add a few us per op."""
    from torch.profiler import profile as torch_profile
    from minigrad.autograd import Function
    ours, theirs = ROW_BY_KEY[key].make(torch)
    own = collections.defaultdict(float)
    nested = [0.0]
    blas = [0.0, 0.0]   # seconds, flops

    def timed_method(label, method):
        def run(self, *args, **kwargs):
            nested.append(0.0)
            start = time.perf_counter()
            try:
                return method(self, *args, **kwargs)
            finally:
                spent = time.perf_counter() - start
                own[label] += spent - nested.pop()
                nested[-1] += spent
        return run

    plain_matmul = np.matmul

    def counted_matmul(a, b, *args, **kwargs):
        start = time.perf_counter()
        out = plain_matmul(a, b, *args, **kwargs)
        blas[0] += time.perf_counter() - start
        blas[1] += 2 * out.size * (a.shape[-1] if np.ndim(a) else 1)
        return out

    for _ in range(2):   # warm-up (first steps fill the buffer pool), not counted
        ours()
        theirs()
    patched = [(cls, name, cls.__dict__[name]) for cls in set(_subclasses(Function))
               for name in ("forward", "backward") if name in cls.__dict__]
    for cls, name, method in patched:
        setattr(cls, name, timed_method(f"{cls.__name__}.{name}", method))
    np.matmul = counted_matmul
    try:
        steps = alternate([timed(ours), timed(theirs)], samples, warmup=0)
    finally:
        np.matmul = plain_matmul
        for cls, name, method in patched:
            setattr(cls, name, method)
    taken = samples
    ours_ms, theirs_ms = (statistics.median(s) * 1e3 for s in steps)
    print(f"{key}: one step, median of {samples}: minigrad {ours_ms:.1f} ms, torch "
          f"{theirs_ms:.1f} ms ({ours_ms / theirs_ms:.2f}x); load average {load_average()}")
    print(f"\nminigrad, own time per step by op (ms), top {top}:")
    ranked = sorted(own.items(), key=lambda kv: -kv[1])
    for label, seconds in ranked[:top]:
        print(f"  {label:32s} {seconds / taken * 1e3:7.2f}")
    conv = sum(v for k, v in own.items() if k.split(".")[0] in CONV_OPS) / taken * 1e3
    print(f"  conv ops together ({', '.join(CONV_OPS)}): {conv:.1f} ms "
          f"= {conv / theirs_ms:.2f}x torch's whole step")
    print(f"  inside np.matmul (BLAS): {blas[0] / taken * 1e3:.1f} ms, "
          f"{blas[1] / taken / 1e9:.2f} GFLOP at {blas[1] / max(blas[0], 1e-9) / 1e9:.0f} GFLOP/s")
    with torch_profile() as prof:
        for _ in range(samples):
            time.sleep(PAUSE_BEFORE_PROFILED_STEP)
            theirs()
    events = sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)
    print(f"\ntorch, profiler self CPU per step by op (ms), top {top}:")
    for event in events[:top]:
        print(f"  {event.key:32s} {event.self_cpu_time_total / samples / 1e3:7.2f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default=",".join(r.key for r in ROWS),
                        help="comma-separated: " + ", ".join(r.key for r in ROWS))
    parser.add_argument("--repeat", type=int, help="samples per row (default: per row)")
    parser.add_argument("--quick", action="store_true", help="3 samples per row: a smoke test")
    parser.add_argument("--profile", metavar="ROW", help="cProfile minigrad's side of ROW instead")
    parser.add_argument("--breakdown", metavar="ROW",
                        help="where one step of ROW goes, per op, in both frameworks, instead")
    parser.add_argument("--memory-child", choices=["minigrad", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(args.memory_child)
        return
    for option, key in (("--profile", args.profile), ("--breakdown", args.breakdown)):
        runnable = [r.key for r in ROWS if r.make is not None]
        if key is not None and key not in runnable:
            parser.error(f"{option} takes one of {runnable}, got {key!r}")
    torch = _torch()
    if args.profile:
        profile(torch, args.profile)
        return
    if args.breakdown:
        breakdown(torch, args.breakdown)
        return
    keys = [k.strip() for k in args.rows.split(",") if k.strip()]
    unknown = [k for k in keys if k not in ROW_BY_KEY]
    if unknown:
        parser.error(f"unknown row(s) {unknown}; choose from {list(ROW_BY_KEY)}")

    print("\n".join(machine_info(torch)))
    print("\nSame weights and data in both; first losses (training rows: two steps, dropout "
          "off) minigrad vs torch:")
    for key in keys:
        if key != "memory":
            pairs, rel = check_row(torch, ROW_BY_KEY[key])
            shown = ", ".join(f"{a:.6g} vs {b:.6g}" for a, b in pairs)
            print(f"  {key:9s} {shown}  rel diff {rel:.1e} {'ok' if rel <= 1e-4 else 'MISMATCH'}")

    results, notes = [], []
    started = time.perf_counter()
    for key in keys:
        row = ROW_BY_KEY[key]
        samples = args.repeat or (3 if args.quick else row.samples)
        if row.key == "chain100k" and args.quick:
            samples = 1
        values, row_notes = measure(torch, row, samples)
        results.append((row, samples, values))
        notes += row_notes
        print(f"  measured {key} ({samples} samples) at {time.perf_counter() - started:.0f} s, "
              f"load average {load_average()}", file=sys.stderr)

    print(f"\nfloat32, medians of interleaved samples (minigrad, torch, ...), each after a "
          f"pause; ratio = minigrad / torch; load average now {load_average()}\n")
    print("| work | minigrad ms | torch ms | ratio | target |")
    print("|---|---|---|---|---|")
    for row, samples, (ours, theirs) in results:
        ratio = ours / theirs
        mark = "ok" if ratio <= row.target else "MISS"
        unit = " MB" if row.unit == "MB" else ""
        print(f"| {row.work} [{samples} samples] | {ours:.1f}{unit} | {theirs:.1f}{unit} | "
              f"{ratio:.2f}x | <= {row.target:g}x {mark} |")
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
