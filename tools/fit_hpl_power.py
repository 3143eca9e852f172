"""Fit how much power accelerators and hosts draw running Linpack (HPL).

The ``hpl`` workload's ``accelerator_busy_power`` (share of an accelerator's maximum) and
``host_busy_load`` (how far the host runs from idle toward full load) in
``specs/workloads.toml`` are the two fitted parameters of dcpower's IT model; no measurement
of either during HPL was found. This script fits both to the documented public data set
dcpower ships, the TOP500/Green500 HPL power measurements of ``specs/validation/hpl.toml``
(system cases only), and prints the residual of every case at the fitted values.

The range given with it (``low``/``high``) is the spread across the systems: for each system,
the share that would make its estimate exact (the estimate is linear in the share), capped at
1.0 (a share above 1 means the system ran its accelerators above their catalog rating). The
systems are a sample of that spread, and the lowest and highest of n samples fall inside the
ends of the distribution they come from, so the ends are estimated without that bias, as for
the uniform distribution: low = min - (max - min)/(n - 1), high = max + (max - min)/(n - 1)
(the minimum-variance unbiased estimators of a uniform's ends), high again capped at 1.0. How the Monte Carlo draws between them follows the
same shares: the script compares them (capped at 1) with the triangular distribution (mode at
the fitted share) and the uniform one over the range by the Kolmogorov-Smirnov distance, the
largest gap between the shares' empirical distribution and the candidate's, and the catalog
names the closer one as the value's ``distribution``.

Method: every other input stays as the catalog gives it (servers, hosts, fabrics, idle
floors). A system's IT power is linear in both parameters (busy power = share x maximum,
above the idle floor; host = idle + load x (full - idle)), so three runs of the model give
every system's estimate on a fine grid (shares 0.30 to 1.00 by 0.01, host loads 0 to 1 by
0.05), and the pair with the smallest mean absolute error is kept (ties: the smaller median). The mean keeps the fit balanced: a
median alone is met by fitting half the systems and leaving the rest far off. The two
parameters trade off against each other (a higher share with idler hosts fits nearly as
well), which the share's range says.

Usage: python tools/fit_hpl_power.py [--check]
    --check   exit 1 unless specs/workloads.toml holds the fitted value (a test runs this)
"""

from __future__ import annotations

import statistics
import sys

import numpy as np

from dcpower.catalog.loader import builtin_dir, load_catalog, read_toml
from dcpower.studies.validate import validate

STEP = 0.01


def errors_at(share: float, host: float) -> dict[str, float]:
    v = validate(samples=0, settings={"workload.accelerator_busy_power": share, "workload.host_busy_load": host})
    return {c.id: c.error(c.estimate) for c in v.compared if c.level == "system" and c.workload == "hpl"}


SHARES = np.round(np.arange(0.30, 1.0 + 1e-9, STEP), 3)
HOSTS = np.round(np.arange(0.0, 1.0 + 1e-9, 0.05), 3)


def estimates_on_grid() -> tuple[list[str], np.ndarray, np.ndarray]:
    """Case ids, measured powers, and estimates of shape (cases, shares, hosts) [W]."""
    def run(share, host):
        v = validate(samples=0, settings={"workload.accelerator_busy_power": share, "workload.host_busy_load": host})
        return {c.id: (c.measured, c.estimate) for c in v.compared if c.level == "system" and c.workload == "hpl"}

    base, d_share, d_host = run(0.5, 0.5), run(1.0, 0.5), run(0.5, 1.0)
    ids = list(base)
    measured = np.array([base[k][0] for k in ids])
    e0 = np.array([base[k][1] for k in ids])[:, None, None]
    ds = (np.array([d_share[k][1] for k in ids])[:, None, None] - e0) / 0.5
    dh = (np.array([d_host[k][1] for k in ids])[:, None, None] - e0) / 0.5
    grid = e0 + (SHARES[None, :, None] - 0.5) * ds + (HOSTS[None, None, :] - 0.5) * dh
    return ids, measured, grid


def fit() -> tuple[float, float, dict[str, float]]:
    ids, measured, grid = estimates_on_grid()
    err = grid / measured[:, None, None] - 1
    mean, median = np.mean(np.abs(err), axis=0), np.median(np.abs(err), axis=0)
    order = np.lexsort((median.ravel(), np.round(mean.ravel(), 6)))
    i, j = np.unravel_index(order[0], mean.shape)
    share, host = float(SHARES[i]), float(HOSTS[j])
    return share, host, errors_at(share, host)


def implied_shares(host: float) -> dict[str, float]:
    """Per system, the share at which its estimate equals its measurement (hosts at ``host``)."""
    lo, hi = errors_at(0.5, host), errors_at(1.0, host)
    return {k: 0.5 - lo[k] * 0.5 / (hi[k] - lo[k]) for k in lo}


def spread_ends(shares) -> tuple[float, float]:
    """Ends of the distribution the systems' shares (capped at 1) are a sample of: the sample's
    extremes widened by (max - min)/(n - 1) each, the unbiased estimators of a uniform's ends;
    the high end capped at 1, rounded to 0.01."""
    x = np.minimum(np.asarray(shares, dtype=float), 1.0)
    lo, hi = float(x.min()), float(x.max())
    pad = (hi - lo) / (len(x) - 1) if len(x) > 1 else 0.0
    return round(lo - pad, 2), min(1.0, round(hi + pad, 2))


def ks_distance(shares, cdf) -> float:
    """Kolmogorov-Smirnov distance between the shares' empirical distribution and ``cdf``."""
    x = np.sort(np.asarray(shares, dtype=float))
    f, n = cdf(x), len(x)
    return float(max(np.max(np.arange(1, n + 1) / n - f), np.max(f - np.arange(n) / n)))


def closer_distribution(shares, low: float, mode: float, high: float) -> tuple[str, dict[str, float]]:
    """The distribution (triangular with ``mode``, or uniform) closer to the capped shares."""
    x = np.minimum(np.asarray(shares, dtype=float), high)
    tri = (lambda v: np.where(v <= mode, (v - low) ** 2 / ((high - low) * (mode - low)),
                              1 - (high - v) ** 2 / ((high - low) * (high - mode))))
    d = {"triangular": ks_distance(x, tri), "uniform": ks_distance(x, lambda v: (v - low) / (high - low))}
    return min(d, key=d.get), d


def catalog_value() -> tuple[float, float, float, float]:
    w = load_catalog().get("workload", "hpl")
    sv = w.accelerator_busy_power
    return (float(sv.quantity.magnitude), float(sv.low_quantity.magnitude), float(sv.high_quantity.magnitude),
            float(w.host_busy_load.quantity.magnitude))


def catalog_distribution() -> str:
    return load_catalog().get("workload", "hpl").accelerator_busy_power.distribution or "triangular"


def main(argv: list[str]) -> int:
    read_toml(builtin_dir() / "validation" / "hpl.toml")  # fail early on a broken data set
    share, host, errs = fit()
    abs_errs = [abs(e) for e in errs.values()]
    print(f"fitted hpl accelerator_busy_power = {share:.2f}, host_busy_load = {host:.2f} "
          f"(mean absolute error {statistics.mean(abs_errs):.1%}, median {statistics.median(abs_errs):.1%}, "
          f"over {len(errs)} systems)")
    for case, e in sorted(errs.items(), key=lambda kv: kv[1]):
        print(f"  {case:24s} residual {e:+.1%}")
    implied = implied_shares(host)
    low, high = spread_ends(list(implied.values()))
    print(f"range across systems: low {low:.2f}, high {high:.2f} (" +
          ", ".join(f"{k} {v:.2f}" for k, v in sorted(implied.items(), key=lambda kv: kv[1])) + ")")
    best, dist = closer_distribution(list(implied.values()), low, share, high)
    print("distribution across systems: Kolmogorov-Smirnov distance " +
          ", ".join(f"{k} {v:.3f}" for k, v in dist.items()) + f"; closer: {best}")
    if "--check" in argv:
        have = catalog_value()
        want = (share, low, high, host)
        if any(abs(a - b) > 0.005 for a, b in zip(have, want)):
            print(f"specs/workloads.toml holds (share, low, high, host) = {have}; the data set gives {want}: "
                  "update it", file=sys.stderr)
            return 1
        if catalog_distribution() != best:
            print(f"specs/workloads.toml draws the share as {catalog_distribution()}; the systems' shares are closer "
                  f"to {best}: set distribution = \"{best}\"", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
