"""Speed target: 10,000 Monte Carlo samples of the full annual model within 2 s
on a 2-core machine.

Times ``dcpower.uncertainty(samples=N)`` on the Memphis default (the deterministic estimate run
once beforehand and passed in, so the figure is the sampling itself: weather binning, N
triangular draws of every ranged assumption, the vectorized facility model on N x ~150 bins,
percentiles, and the one-at-a-time tornado), and the same call end to end including the
deterministic estimate. Prints the medians of --runs repetitions.

Usage: PYTHONPATH=src python benchmarks/uncertainty_speed.py [--samples 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scenario", default="memphis")
    args = ap.parse_args()

    import dcpower

    est = dcpower.estimate(args.scenario)
    dcpower.uncertainty(samples=10, estimate=est)  # warm caches (psychrometric table, catalog)
    sampling, end_to_end = [], []
    for _ in range(args.runs):
        t = time.perf_counter()
        u = dcpower.uncertainty(samples=args.samples, estimate=est)
        sampling.append(time.perf_counter() - t)
        t = time.perf_counter()
        dcpower.uncertainty(args.scenario, samples=args.samples)
        end_to_end.append(time.perf_counter() - t)
    ms, me = statistics.median(sampling), statistics.median(end_to_end)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"machine: {cpus} CPU cores available; {len(u.parameters)} varying assumptions")
    print(f"{args.samples:,} samples, sampling only : {ms:6.2f} s (median of {args.runs})")
    print(f"{args.samples:,} samples, with estimate : {me:6.2f} s (median of {args.runs})  (target <= 2 s)")
    p5, p50, p95 = u.percentiles["facility_power"]
    print(f"facility_power P5/P50/P95: {p5:.1f} / {p50:.1f} / {p95:.1f} MW")


if __name__ == "__main__":
    main()
