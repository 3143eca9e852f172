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
(the minimum-variance unbiased estimators of a uniform's ends). A high end above 1.0 is the
part of the spread that asks for more than the accelerators' limit; the limit holds it at 1.0,
so the spread is censored there: ``at_high`` = (high - 1)/(high - low) of it sits at 1.0.
How the Monte Carlo draws follows the same shares: the script compares them (capped at 1)
with the triangular distribution (mode at the fitted share), the uniform one cut off at 1.0,
and the uniform one censored at 1.0, by the Kolmogorov-Smirnov distance (the largest gap
between the shares' empirical distribution and the candidate's, from either side of each
step, so that a candidate's mass at 1.0 meets the shares that sit there), and the catalog
names the closest as the value's ``distribution`` (with ``at_high`` for the censored one).

Method: every other input stays as the catalog gives it (servers, hosts, fabrics, idle
floors). A system's IT power is linear in both parameters (busy power = share x maximum,
above the idle floor; host = idle + load x (full - idle)), so three runs of the model give
every system's estimate on a fine grid (shares 0.30 to 1.00 by 0.01, host loads 0 to 1 by
0.05), and the pair with the smallest mean absolute error is kept (ties: the smaller median). The mean keeps the fit balanced: a
median alone is met by fitting half the systems and leaving the rest far off. The two
parameters trade off against each other (a higher share with idler hosts fits nearly as
well), which the share's range says.

The residuals at the fitted pair are in-sample: every system helped choose the pair. The script
also prints the leave-one-out errors, each system estimated with the pair fitted to the others,
which is how the fit does on a system it has not seen.

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


def best_on_grid(abs_err: np.ndarray) -> tuple[int, int]:
    """Grid indices (share, host) of the smallest mean absolute error over the cases (axis 0);
    ties broken by the smaller median."""
    mean, median = np.mean(abs_err, axis=0), np.median(abs_err, axis=0)
    order = np.lexsort((median.ravel(), np.round(mean.ravel(), 6)))
    return np.unravel_index(order[0], mean.shape)


def fit() -> tuple[float, float, dict[str, float]]:
    ids, measured, grid = estimates_on_grid()
    i, j = best_on_grid(np.abs(grid / measured[:, None, None] - 1))
    share, host = float(SHARES[i]), float(HOSTS[j])
    return share, host, errors_at(share, host)


def leave_one_out() -> dict[str, float]:
    """Each system's error when the pair is fitted to the other systems only (on the same grid):
    how the fit does on a system it has not seen, the test the in-sample residuals cannot give."""
    ids, measured, grid = estimates_on_grid()
    err = grid / measured[:, None, None] - 1
    out = {}
    for k, case in enumerate(ids):
        i, j = best_on_grid(np.abs(np.delete(err, k, axis=0)))
        out[case] = float(err[k, i, j])
    return out


def implied_shares(host: float) -> dict[str, float]:
    """Per system, the share at which its estimate equals its measurement (hosts at ``host``)."""
    lo, hi = errors_at(0.5, host), errors_at(1.0, host)
    return {k: 0.5 - lo[k] * 0.5 / (hi[k] - lo[k]) for k in lo}


def spread_ends(shares) -> tuple[float, float, float]:
    """Ends of the distribution the systems' shares (capped at 1) are a sample of: the sample's
    extremes widened by (max - min)/(n - 1) each, the unbiased estimators of a uniform's ends,
    rounded to 0.01; and the share of that spread above 1.0, which the accelerators' limit holds
    at 1.0 (so the high end returned is at most 1)."""
    x = np.minimum(np.asarray(shares, dtype=float), 1.0)
    lo, hi = float(x.min()), float(x.max())
    pad = (hi - lo) / (len(x) - 1) if len(x) > 1 else 0.0
    low, high = lo - pad, hi + pad
    at_high = (high - 1.0) / (high - low) if high > 1.0 else 0.0
    return round(low, 2), min(1.0, round(high, 2)), round(at_high, 2)


def ks_distance(shares, cdf, left=None) -> float:
    """Kolmogorov-Smirnov distance between the shares' empirical distribution and ``cdf``, from
    both sides of each step (``left`` is the cdf's left limit, where it has an atom)."""
    x = np.sort(np.asarray(shares, dtype=float))
    f, fl, n = cdf(x), (left or cdf)(x), len(x)
    return float(max(np.max(np.arange(1, n + 1) / n - f), np.max(fl - np.arange(n) / n)))


def candidates(low: float, mode: float, high: float, at_high: float) -> dict:
    """The candidate distributions on [low, high] as (cdf, left limit)."""
    def uniform(v):
        return np.clip((v - low) / (high - low), 0.0, 1.0)

    def censored_left(v):
        return (1 - at_high) * np.clip((v - low) / (high - low), 0.0, 1.0) * (v < high) + (1 - at_high) * (v >= high)

    tri = (lambda v: np.clip(np.where(v <= mode, (v - low) ** 2 / ((high - low) * (mode - low)),
                                      1 - (high - v) ** 2 / ((high - low) * (high - mode))), 0.0, 1.0))
    out = {"triangular": (tri, None), "uniform": (uniform, None)}
    if at_high > 0:
        out["uniform, censored at 1.0"] = (lambda v: np.where(v >= high, 1.0, censored_left(v)), censored_left)
    return out


def closer_distribution(shares, low: float, mode: float, high: float, at_high: float = 0.0):
    """The candidate closest to the capped shares: (name, {name: Kolmogorov-Smirnov distance})."""
    x = np.minimum(np.asarray(shares, dtype=float), high)
    d = {k: ks_distance(x, f, left) for k, (f, left) in candidates(low, mode, high, at_high).items()}
    return min(d, key=d.get), d


def catalog_value() -> tuple[float, float, float, float]:
    w = load_catalog().get("workload", "hpl")
    sv = w.accelerator_busy_power
    return (float(sv.quantity.magnitude), float(sv.low_quantity.magnitude), float(sv.high_quantity.magnitude),
            float(w.host_busy_load.quantity.magnitude))


def catalog_distribution() -> tuple[str, float]:
    """The catalog's distribution, named as :func:`candidates` names it, and its ``at_high``."""
    sv = load_catalog().get("workload", "hpl").accelerator_busy_power
    name = sv.distribution or "triangular"
    return ("uniform, censored at 1.0" if sv.at_high else name), float(sv.at_high or 0.0)


def main(argv: list[str]) -> int:
    read_toml(builtin_dir() / "validation" / "hpl.toml")  # fail early on a broken data set
    share, host, errs = fit()
    abs_errs = [abs(e) for e in errs.values()]
    print(f"fitted hpl accelerator_busy_power = {share:.2f}, host_busy_load = {host:.2f} "
          f"(mean absolute error {statistics.mean(abs_errs):.1%}, median {statistics.median(abs_errs):.1%}, "
          f"over {len(errs)} systems)")
    for case, e in sorted(errs.items(), key=lambda kv: kv[1]):
        print(f"  {case:24s} residual {e:+.1%}")
    loo = leave_one_out()
    loo_abs = [abs(e) for e in loo.values()]
    print(f"leave-one-out (each system against the pair fitted to the other {len(loo) - 1}): mean absolute error "
          f"{statistics.mean(loo_abs):.1%}, median {statistics.median(loo_abs):.1%}; largest: " +
          ", ".join(f"{k} {v:+.1%}" for k, v in sorted(loo.items(), key=lambda kv: -abs(kv[1]))[:3]))
    implied = implied_shares(host)
    low, high, at_high = spread_ends(list(implied.values()))
    print(f"range across systems: low {low:.2f}, high {high:.2f}, {at_high:.0%} of the spread beyond 1.0 (" +
          ", ".join(f"{k} {v:.2f}" for k, v in sorted(implied.items(), key=lambda kv: kv[1])) + ")")
    best, dist = closer_distribution(list(implied.values()), low, share, high, at_high)
    print("distribution across systems: Kolmogorov-Smirnov distance " +
          ", ".join(f"{k} {v:.3f}" for k, v in dist.items()) + f"; closer: {best}")
    if "--check" in argv:
        have = catalog_value()
        want = (share, low, high, host)
        if any(abs(a - b) > 0.005 for a, b in zip(have, want)):
            print(f"specs/workloads.toml holds (share, low, high, host) = {have}; the data set gives {want}: "
                  "update it", file=sys.stderr)
            return 1
        name, held = catalog_distribution()
        want_held = at_high if best.startswith("uniform, censored") else 0.0
        if name != best or abs(held - want_held) > 0.005:
            setting = ("distribution = \"uniform\", at_high = " + f"{at_high:.2f}") if want_held else \
                f"distribution = \"{best}\" and no at_high"
            print(f"specs/workloads.toml draws the share as {name} (at_high {held:.2f}); the systems' shares are "
                  f"closest to {best}: set {setting}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
