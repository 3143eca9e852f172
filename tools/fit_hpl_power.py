"""Fit the share of maximum power a busy accelerator draws running Linpack (HPL).

The ``hpl`` workload's ``accelerator_busy_power`` in ``specs/workloads.toml`` is the one
fitted parameter of dcpower's IT model. This script fits it to the documented public data
set dcpower ships, the TOP500/Green500 HPL power measurements of ``specs/validation/hpl.toml``
(system cases only), and prints the residual of every case at the fitted value.

The range given with it (``low``/``high``) is the spread across the systems: for each system,
the share that would make its estimate exact (the estimate is linear in the share), and the
lowest and highest of those, capped at 1.0 (a share above 1 means the system ran its
accelerators above their catalog rating).

Method: every other input stays as the catalog gives it (servers, hosts, fabrics, idle
floors); the share is scanned from 0.30 to 1.00 in steps of 0.05, then in steps of 0.005
around the best, and the value with the smallest median absolute error is kept (ties: the smaller root-mean-square error). The
median is used because a few systems run a power cap the catalog does not know.

Usage: python tools/fit_hpl_power.py [--check]
    --check   exit 1 unless specs/workloads.toml holds the fitted value (a test runs this)
"""

from __future__ import annotations

import statistics
import sys

import numpy as np

from dcpower.catalog.loader import builtin_dir, load_catalog, read_toml
from dcpower.studies.validate import validate

STEP = 0.005


def errors_at(share: float) -> dict[str, float]:
    v = validate(samples=0, settings={"workload.accelerator_busy_power": share})
    return {c.id: c.error(c.estimate) for c in v.compared if c.level == "system" and c.workload == "hpl"}


def fit() -> tuple[float, dict[str, float]]:
    """Coarse scan in steps of 0.05, then steps of 0.005 around the best coarse value."""
    best = _scan(np.arange(0.30, 1.0 + 1e-9, 0.05), None)
    fine = np.arange(max(0.30, best[1] - 0.05), min(1.0, best[1] + 0.05) + 1e-9, STEP)
    best = _scan(fine, best)
    return best[1], best[2]


def _scan(shares, best):
    for share in np.round(shares, 3):
        errs = errors_at(float(share))
        key = (round(statistics.median(abs(e) for e in errs.values()), 6),
               float(np.sqrt(np.mean(np.square(list(errs.values()))))))
        if best is None or key < best[0]:
            best = (key, float(share), errs)
    return best


def implied_shares() -> dict[str, float]:
    """Per system, the share at which its estimate equals its measurement."""
    lo, hi = errors_at(0.5), errors_at(1.0)
    return {k: 0.5 - lo[k] * 0.5 / (hi[k] - lo[k]) for k in lo}


def catalog_value() -> tuple[float, float, float]:
    sv = load_catalog().get("workload", "hpl").accelerator_busy_power
    return (float(sv.quantity.magnitude), float(sv.low_quantity.magnitude), float(sv.high_quantity.magnitude))


def main(argv: list[str]) -> int:
    read_toml(builtin_dir() / "validation" / "hpl.toml")  # fail early on a broken data set
    share, errs = fit()
    print(f"fitted hpl accelerator_busy_power = {share:.3f} "
          f"(median absolute error {statistics.median(abs(e) for e in errs.values()):.1%} over {len(errs)} systems)")
    for case, e in sorted(errs.items(), key=lambda kv: kv[1]):
        print(f"  {case:24s} residual {e:+.1%}")
    implied = implied_shares()
    low, high = round(min(implied.values()), 2), min(1.0, round(max(implied.values()), 2))
    print(f"range across systems: low {low:.2f}, high {high:.2f} (" +
          ", ".join(f"{k} {v:.2f}" for k, v in sorted(implied.items(), key=lambda kv: kv[1])) + ")")
    if "--check" in argv:
        have = catalog_value()
        if abs(have[0] - share) > STEP / 2 or abs(have[1] - low) > 0.005 or abs(have[2] - high) > 0.005:
            print(f"specs/workloads.toml holds {have}; the data set gives ({share:.3f}, {low:.2f}, {high:.2f}): "
                  "update it", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
