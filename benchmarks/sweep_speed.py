"""Speed and memory of a sweep: `dcpower sweep --gpus 1000..200000 --steps 200` on the Memphis
default, end to end, must take at most 3 times as long as one `dcpower estimate --gpus 100000`
of the same scenario, and peak below 600 MB of memory.

Runs both as fresh processes, alternating, and prints the best (minimum) and median wall times,
the peak memory of each child (its own maximum resident set size, read with os.wait4), and the
ratio sweep / estimate. The minimum is the headline figure, as timeit recommends: on a shared
2-core machine other work only ever adds time, so the fastest run is the least disturbed one.
Secondary figures: the library time of one `dcpower.estimate()` against one
`dcpower.sweep("gpus", 1000, 200000, steps=200)` in one process, after a warm-up, which leaves
out the interpreter start and the imports that both commands pay alike.
Usage: python benchmarks/sweep_speed.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

RATIO_TARGET = 3.0
MEMORY_TARGET_MB = 600.0

# Runs in a fresh interpreter so that nothing this script imported is shared with it.
IN_PROCESS = """
import json, statistics, sys, time
import dcpower
runs = int(sys.argv[1])
dcpower.estimate(), dcpower.sweep("gpus", 1000, 200000, steps=200)  # warm-up
est, swp = [], []
for _ in range(runs):
    t = time.perf_counter(); dcpower.estimate(); est.append(time.perf_counter() - t)
    t = time.perf_counter(); dcpower.sweep("gpus", 1000, 200000, steps=200); swp.append(time.perf_counter() - t)
print(json.dumps({"estimate": est, "sweep": swp}))
"""


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak resident memory in MB) of one fresh process.

    os.wait4 returns the rusage of that child alone (RUSAGE_CHILDREN would keep the maximum over
    every child so far); ru_maxrss is in KiB on Linux.
    """
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return wall, usage.ru_maxrss * 1024 / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()

    beside = Path(sys.executable).with_name("dcpower")
    exe = str(beside) if beside.exists() else shutil.which("dcpower")
    base = [exe] if exe else [sys.executable, "-m", "dcpower"]
    estimate = base + ["estimate", "--gpus", "100000"]
    sweep = base + ["sweep", "--gpus", "1000..200000", "--steps", "200"]
    timed(estimate), timed(sweep)  # warm the OS file cache and dcpower's user cache
    est, swp = [], []
    for _ in range(args.runs):
        est.append(timed(estimate))
        swp.append(timed(sweep))

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"machine: {cpus} CPU cores available, Python {sys.version.split()[0]}")
    print(f"runs: {args.runs} of each, alternating, fresh processes")
    print(f"{'':46s} {'wall best':>10s} {'wall median':>12s} {'peak memory':>12s}")
    rows = {}
    for name, runs in (("dcpower estimate --gpus 100000", est),
                       ("dcpower sweep --gpus 1000..200000 --steps 200", swp)):
        wall = [w for w, _ in runs]
        peak = max(m for _, m in runs)
        rows[name] = (min(wall), statistics.median(wall), peak)
        print(f"{name:46s} {min(wall) * 1000:7.0f} ms {statistics.median(wall) * 1000:9.0f} ms"
              f" {peak:9.0f} MB")
    (e_best, e_med, _), (s_best, s_med, s_peak) = rows.values()
    ratio_best, ratio_med = s_best / e_best, s_med / e_med
    print(f"{'ratio sweep / estimate':46s} {ratio_best:10.2f} {ratio_med:12.2f}")
    print()
    verdict = "PASS" if ratio_best <= RATIO_TARGET else "FAIL"
    print(f"target: ratio sweep / estimate <= {RATIO_TARGET:.0f} (best run): {ratio_best:.2f}"
          f" (median {ratio_med:.2f})  {verdict}")
    verdict = "PASS" if s_peak < MEMORY_TARGET_MB else "FAIL"
    print(f"target: sweep peak memory < {MEMORY_TARGET_MB:.0f} MB (largest run): {s_peak:.0f} MB  {verdict}")

    out = subprocess.run([sys.executable, "-c", IN_PROCESS, str(args.runs)],
                         check=True, capture_output=True, text=True).stdout
    lib = json.loads(out.strip().splitlines()[-1])
    print()
    print(f"in-process library time, after a warm-up, {args.runs} runs of each:")
    print(f"{'':46s} {'best':>10s} {'median':>12s}")
    for name, key in (("dcpower.estimate()", "estimate"),
                      ('dcpower.sweep("gpus", 1000, 200000, steps=200)', "sweep")):
        print(f"{name:46s} {min(lib[key]) * 1000:7.0f} ms {statistics.median(lib[key]) * 1000:9.0f} ms")
    r_best = min(lib["sweep"]) / min(lib["estimate"])
    r_med = statistics.median(lib["sweep"]) / statistics.median(lib["estimate"])
    print(f"{'ratio sweep / estimate':46s} {r_best:10.2f} {r_med:12.2f}")


if __name__ == "__main__":
    main()
