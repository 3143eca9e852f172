"""Speed target: `dcpower estimate --gpus 100000`, end to end, must not be slower
than Python merely constructing pint's default registry on the same machine.

Runs both as fresh processes, alternating, and prints the best (minimum) and median wall
times and their ratios. The minimum is the headline figure, as timeit recommends: on a shared
2-core machine other work only ever adds time, so the fastest run is the least disturbed one.
Usage: python benchmarks/estimate_speed.py [--runs 15]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import time


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds user + system) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    from pathlib import Path

    beside = Path(sys.executable).with_name("dcpower")
    exe = str(beside) if beside.exists() else shutil.which("dcpower")
    estimate = [exe] if exe else [sys.executable, "-m", "dcpower"]
    estimate += ["estimate", "--gpus", "100000"]
    baseline = [sys.executable, "-c", "import pint; pint.UnitRegistry()"]
    timed(estimate), timed(baseline)  # warm the OS file cache
    est, base = [], []
    for _ in range(args.runs):
        est.append(timed(estimate))
        base.append(timed(baseline))
    rows = []
    for name, runs in (("pint.UnitRegistry() baseline", base), ("dcpower estimate --gpus 100000", est)):
        wall = [w for w, _ in runs]
        cpu = [c for _, c in runs]
        rows.append((name, min(wall), statistics.median(wall), min(cpu), statistics.median(cpu)))
    print(f"runs: {args.runs} of each, alternating, fresh processes")
    print(f"{'':32s} {'wall best':>10s} {'wall median':>12s} {'CPU best':>10s} {'CPU median':>11s}")
    for name, *vals in rows:
        print(f"{name:32s} " + " ".join(f"{v * 1000:8.0f} ms" for v in vals))
    ratios = [e / b for e, b in zip(rows[1][1:], rows[0][1:])]
    print(f"{'ratio estimate / baseline':32s} " + " ".join(f"{r:11.2f}" for r in ratios)
          + "   (target <= 1.00)")


if __name__ == "__main__":
    main()
