"""Speed target of issue 3: `dcpower estimate --gpus 100000`, end to end, must not be slower
than Python merely constructing pint's default registry on the same machine.

Runs both as fresh processes, alternating, and prints the medians and their ratio.
Usage: python benchmarks/estimate_speed.py [--runs 7]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def timed(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=7)
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
    me, mb = statistics.median(est), statistics.median(base)
    print(f"pint.UnitRegistry() baseline : {mb * 1000:7.0f} ms (median of {args.runs})")
    print(f"dcpower estimate --gpus 100000: {me * 1000:7.0f} ms (median of {args.runs})")
    print(f"ratio estimate / baseline     : {me / mb:7.2f}  (target <= 1.00)")


if __name__ == "__main__":
    main()
