"""Helpers shared by the benchmark scripts: interleaved timing, peak memory, and
the machine facts that a speed number means nothing without.

Two pitfalls these helpers exist for: OpenBLAS threads keep spinning ~0.1 s after
a numpy matmul and slow PyTorch down if it runs right after, so samples of the
two frameworks alternate with a pause in between; and a forced
OPENBLAS_CORETYPE (or a machine that other jobs are loading) can change numpy's
matmul speed several times over, so the BLAS kernel, thread counts and the load
average are printed with every result.
"""
from __future__ import annotations

import os
import platform
import statistics
import sys
import time

import numpy as np

# The repository root, so that `python benchmarks/x.py` imports this tree's minigrad.
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

PAUSE = 0.2


def alternate(jobs, samples, pause=PAUSE, warmup=2):
    """Call each job in turn (a, b, a, b, ...), ``samples`` rounds, sleeping
    ``pause`` seconds before every call; return each job's list of return values.
    The jobs time themselves, so a job can report several phases at once."""
    for job in jobs:
        for _ in range(warmup):
            job()
    results = [[] for _ in jobs]
    for _ in range(samples):
        for job, out in zip(jobs, results):
            if pause:
                time.sleep(pause)
            out.append(job())
    return results


def timed(fn, burst=1):
    """A job for ``alternate``: seconds of one run of ``fn`` (burst=1, a cold start
    after the pause), or the median of runs 2..burst of ``burst`` runs in a row
    (the steady state of a training loop)."""
    def job():
        times = []
        for _ in range(burst):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return times[0] if burst == 1 else statistics.median(times[1:])
    return job


def interleaved(ours, theirs, samples, burst=1, pause=PAUSE):
    """Median seconds of ``ours()`` and ``theirs()``, timed in alternation."""
    a, b = alternate([timed(ours, burst), timed(theirs, burst)], samples, pause)
    return statistics.median(a), statistics.median(b)


def peak_rss_mb():
    """VmHWM, this process's peak resident memory in MB (unlike ru_maxrss, it is
    not inherited from the parent that forked this process)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_model():
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average():
    return "%.2f %.2f %.2f" % os.getloadavg()


def machine_info(torch=None):
    """Lines describing the machine, the libraries and their thread pools."""
    lines = [f"CPU: {cpu_model()}, {os.cpu_count()} logical cpus; Python {platform.python_version()}",
             f"numpy {np.__version__}" + (f", torch {torch.__version__} (threads "
                                          f"{torch.get_num_threads()}, interop "
                                          f"{torch.get_num_interop_threads()})"
                                          if torch is not None else ", torch not installed")]
    lines.append("env: " + " ".join(f"{name}={os.environ.get(name, '(unset)')}" for name in
                                    ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                     "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")))
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        lines.append("threadpoolctl not installed: BLAS kernel unknown (pip install threadpoolctl)")
    else:
        for lib in threadpool_info():
            lines.append(f"  {lib.get('internal_api')}: {os.path.basename(lib.get('filepath', ''))}"
                         f" {lib.get('version')}, threads {lib.get('num_threads')}, kernel "
                         f"{lib.get('architecture', '-')}")
    lines.append(f"load average: {load_average()} (other jobs on these cores skew both columns)")
    return lines
