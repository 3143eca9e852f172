"""Fit how hard the hosts of 8-GPU servers work while the accelerators train.

The ``training`` workload's ``host_busy_load`` in ``specs/workloads.toml`` (how far a busy host
runs from its idle toward its full-load power) is a fitted parameter of dcpower's IT model: no
publication gives the host's own power during GPU training. This script fits it to the
documented public data set dcpower ships, the MLPerf Training node power measurements of
``specs/validation/mlperf-training-power.toml``, and prints the residual of every case at the
fitted value.

Method: every other input stays as the catalog gives it (the named server's components, idle
floors and PSU, the training workload's accelerator share, measured at the power cap). Each
case's node power is computed at host loads 0.0 to 1.0 by 0.1 and interpolated linearly between
them (the model is linear in the load but for the PSU efficiency curve, which bends little over
a tenth); the load with the smallest mean absolute error of the cases' node power, on a grid by
0.01, is kept (ties: the smaller median). The mean, as in tools/fit_hpl_power.py, keeps the fit
balanced: a median alone is met by fitting half the cases and leaving the rest far off.

The range given with it (``low``/``high``) is the spread across the cases: for each, the load at
which its estimate equals its measurement, held between 0 and 1 (a node that drew less than the
model gives it even with idle hosts implies 0; its GPUs ran below the cap the workload assumes),
and the lowest and highest of those.

Usage: python tools/fit_host_load.py [--check]
    --check   exit 1 unless specs/workloads.toml holds the fitted value and range (a test runs this)
"""

from __future__ import annotations

import statistics
import sys

import numpy as np

from dcpower.catalog.loader import builtin_dir, load_catalog, read_toml
from dcpower.studies.validate import validate

DATA = builtin_dir() / "validation" / "mlperf-training-power.toml"
WORKLOAD = "training"
KNOTS = np.round(np.linspace(0.0, 1.0, 11), 2)
LOADS = np.round(np.arange(0.0, 1.0 + 1e-9, 0.01), 2)


def node_power(load: float) -> dict[str, tuple[float, float]]:
    """Per case, (measured, estimated) node power [W] with hosts at ``load``."""
    v = validate(DATA, samples=0, settings={"workload.host_busy_load": load})
    bad = [c for c in v.compared if c.failure]
    if bad:
        raise SystemExit(f"{bad[0].id}: {bad[0].failure}")
    return {c.id: (c.measured, c.estimate) for c in v.compared if c.level == "node" and c.workload == WORKLOAD}


def estimates_on_grid() -> tuple[list[str], np.ndarray, np.ndarray]:
    """Case ids, measured powers [W], and estimates of shape (cases, LOADS) [W]."""
    runs = [node_power(float(k)) for k in KNOTS]
    ids = list(runs[0])
    measured = np.array([runs[0][i][0] for i in ids])
    at_knots = np.array([[run[i][1] for run in runs] for i in ids])
    return ids, measured, np.array([np.interp(LOADS, KNOTS, row) for row in at_knots])


def fit() -> tuple[float, dict[str, float], dict[str, float]]:
    """The fitted load, each case's residual there, and each case's implied load."""
    ids, measured, grid = estimates_on_grid()
    err = grid / measured[:, None] - 1
    mean, median = np.mean(np.abs(err), axis=0), np.median(np.abs(err), axis=0)
    best = int(np.lexsort((median, np.round(mean, 6)))[0])
    load = float(LOADS[best])
    at_fit = node_power(load)
    residuals = {i: at_fit[i][1] / at_fit[i][0] - 1 for i in ids}
    implied = {i: float(np.clip(np.interp(m, row, LOADS), 0.0, 1.0)) for i, m, row in zip(ids, measured, grid)}
    return load, residuals, implied


def catalog_value() -> tuple[float, float, float]:
    sv = load_catalog().get("workload", WORKLOAD).host_busy_load
    return (float(sv.quantity.magnitude), float(sv.low_quantity.magnitude), float(sv.high_quantity.magnitude))


def main(argv: list[str]) -> int:
    read_toml(DATA)  # fail early on a broken data set
    load, residuals, implied = fit()
    errs = [abs(e) for e in residuals.values()]
    print(f"fitted {WORKLOAD} host_busy_load = {load:.2f} (mean absolute error {statistics.mean(errs):.1%}, "
          f"median {statistics.median(errs):.1%}, over {len(errs)} MLPerf Training node power results)")
    for case, e in sorted(residuals.items(), key=lambda kv: kv[1]):
        print(f"  {case:32s} residual {e:+.1%}   implied load {implied[case]:.2f}")
    low, high = round(min(implied.values()), 2), round(max(implied.values()), 2)
    print(f"range across cases: low {low:.2f}, high {high:.2f}")
    if "--check" in argv:
        have, want = catalog_value(), (load, low, high)
        if any(abs(a - b) > 0.005 for a, b in zip(have, want)):
            print(f"specs/workloads.toml holds {WORKLOAD} host_busy_load (value, low, high) = {have}; "
                  f"the data set gives {want}: update it", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
