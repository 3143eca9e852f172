"""Pictures of an estimate (optional extra: ``pip install dcpower[plot]``, matplotlib).

- :func:`sankey`: power from the grid through electrical losses and cooling to IT, and out
  as heat (annual means);
- :func:`monthly`: monthly PUE, WUE and site water over the typical year;
- :func:`sweep_curves`: results of a :class:`~dcpower.studies.sweep.Sweep` against the swept field;
- :func:`tornado`: the one-at-a-time swings of an
  :class:`~dcpower.studies.uncertainty.UncertainEstimate`.

Each draws with matplotlib's Agg backend (no display needed) and writes PNG or SVG, chosen by
the file's extension, through a temporary file renamed into place: a file is written whole
or not at all.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dcpower.errors import DcpowerError, InputError

__all__ = ["sankey", "monthly", "sweep_curves", "tornado", "check_output", "pyplot", "FORMATS"]

FORMATS = {".png": "png", ".svg": "svg"}
# Hours before the first hour of each month in a 365-day typical year.
_MONTH_START = np.cumsum([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]) * 24
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def pyplot():
    """matplotlib's pyplot on the Agg backend; a one-line error when matplotlib is missing."""
    try:
        import matplotlib
    except ImportError:
        raise DcpowerError("plots need matplotlib; pip install 'dcpower[plot]'") from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def check_output(path) -> Path:
    """The output path, checked before any work: a .png or .svg in an existing, writable folder."""
    import os

    p = Path(path)
    if p.suffix.lower() not in FORMATS:
        raise InputError(f"-o {path}: give a file ending in .png or .svg")
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"-o {path}: folder '{folder}' does not exist")
    if not os.access(folder, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise InputError(f"-o {path}: cannot write there (permission denied)")
    if p.is_dir():
        raise InputError(f"-o {path}: is a folder; give a file name")
    return p


def _save(fig, path) -> Path:
    from dcpower.output.files import write_atomic

    p = check_output(path)
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format=FORMATS[p.suffix.lower()], dpi=120, bbox_inches="tight")
    pyplot().close(fig)
    write_atomic(p, buf.getvalue())
    return p


def _mw(est, name) -> float:
    return float(est.results[name].to("MW").magnitude)


def sankey(est, path):
    """Annual-mean power flow: grid (and turbines) -> losses, cooling, lighting, IT -> heat.

    Parameters
    ----------
    est : Estimate
    path : str or Path
        Output file, ``.png`` or ``.svg``.
    """
    plt = pyplot()
    from matplotlib.sankey import Sankey

    c = est.chain
    h = c.hourly

    def mean(q):
        return float(c.mean(q, "MW").magnitude[0])

    facility = _mw(est, "facility_power_average")
    parts = [("transformer loss", mean(h.transformer_loss)), ("UPS loss", mean(h.side.ups_loss)),
             ("distribution loss", mean(h.side.distribution_loss)), ("cooling", mean(h.cooling_power)),
             ("lighting", mean(h.side.lighting))]
    it = _mw(est, "it_power_average")
    small = sum(v for _, v in parts if v < 0.01 * facility)
    parts = [(n, v) for n, v in parts if v >= 0.01 * facility] + ([("other", small)] if small > 0 else [])
    fig, ax = plt.subplots(figsize=(9, 5.5))
    ax.axis("off")
    sk = Sankey(ax=ax, scale=1.0 / facility, unit=" MW", format="%.1f", gap=0.35, shoulder=0.05,
                margin=0.3, head_angle=110)
    flows = [facility] + [-v for _, v in parts] + [-it]
    labels = ["grid" + (" + on-site" if est.results["turbine_energy"].magnitude > 0 else "")] + [n for n, _ in parts] + ["IT"]
    orient = [0] + [1 if i % 2 == 0 else -1 for i in range(len(parts))] + [0]
    sk.add(flows=flows, labels=labels, orientations=orient, facecolor="#4C72B0", alpha=0.85,
           pathlengths=[0.3] + [0.45] * len(parts) + [0.6])
    diagrams = sk.finish()
    for d in diagrams:
        for t in d.texts:
            t.set_fontsize(9)
    sink = "cooling towers" if est.resolved.cooling.heat_rejection == "cooling-tower" else "dry coolers"
    ax.set_title(f"{est.title}: annual-mean power flow, PUE {float(est.pue.magnitude):.2f}",
                 fontsize=11, pad=28)
    fig.text(0.5, 0.02, f"All {facility:.1f} MW drawn leave the site as heat: IT, pumps and fans through the "
             f"{sink}, electrical losses to room and outdoor air.", ha="center", fontsize=9, color="#444444")
    return _save(fig, path)


def monthly_table(est) -> dict[str, np.ndarray]:
    """Monthly PUE, WUE [L/kWh] and site water [m^3] from the hourly series (hour 0 = 1 Jan 00:00)."""
    fac = est.hourly["facility_power"].to("MW").magnitude
    it = est.hourly["it_power"].to("MW").magnitude * np.ones_like(fac)
    water = est.hourly["water"].to("m^3/h").magnitude * np.ones_like(fac)
    n = fac.size
    edges = [int(x) for x in _MONTH_START if x <= n]
    if edges[-1] != n:
        edges.append(n)
    f = np.add.reduceat(fac, edges[:-1])
    i = np.add.reduceat(it, edges[:-1])
    w = np.add.reduceat(water, edges[:-1])
    return {"pue": f / i, "wue": w * 1000 / (i * 1000), "water": w, "months": _MONTHS[:len(f)]}


def monthly(est, path, units: str = "si"):
    """Monthly PUE, WUE and site water of the typical year, three stacked panels."""
    plt = pyplot()
    m = monthly_table(est)
    water, wunit = (m["water"], "m³")
    if units == "us":
        water, wunit = m["water"] * 264.172052 / 1e6, "Mgal"
    x = np.arange(len(m["months"]))
    fig, axes = plt.subplots(3, 1, figsize=(8, 7.5), sharex=True)
    axes[0].plot(x, m["pue"], marker="o", color="#4C72B0")
    axes[0].set_ylabel("PUE")
    # plain tick labels, and at least 0.05 of PUE on the axis so a flat year looks flat
    axes[0].ticklabel_format(axis="y", useOffset=False, style="plain")
    lo, hi = float(np.min(m["pue"])), float(np.max(m["pue"]))
    if hi - lo < 0.05:
        mid = (hi + lo) / 2
        axes[0].set_ylim(mid - 0.025, mid + 0.025)
    axes[1].plot(x, m["wue"], marker="o", color="#55A868")
    axes[1].set_ylabel("WUE [L/kWh]")
    axes[2].bar(x, water, color="#64B5CD")
    axes[2].set_ylabel(f"site water [{wunit}]")
    axes[2].set_xticks(x, m["months"])
    for ax in axes:
        ax.grid(alpha=0.3)
    axes[0].set_title(f"{est.title}: by month of the typical year", fontsize=11)
    fig.tight_layout()
    return _save(fig, path)


def sweep_curves(sw, path, results=("facility_power", "pue", "water_per_day")):
    """Each of ``results`` against the swept field, one panel each."""
    plt = pyplot()
    results = [r for r in results if r in sw.columns]
    if not results:
        raise InputError("nothing to plot: none of the requested results exists")
    d = sw.to_dict(names=results)["results"]
    x = np.asarray(sw.steps, dtype=float)
    fig, axes = plt.subplots(len(results), 1, figsize=(8, 2.6 * len(results) + 0.6), sharex=True, squeeze=False)
    for ax, name in zip(axes[:, 0], results):
        y = [e["value"] for e in d[name]]
        ax.plot(x, y, marker="o", color="#4C72B0")
        ax.ticklabel_format(axis="y", useOffset=False, style="plain")
        lo, hi, mid = min(y), max(y), float(np.mean(y))
        if mid and hi - lo < 0.02 * abs(mid):  # a flat result: show it flat, not as noise
            ax.set_ylim(mid - 0.05 * abs(mid), mid + 0.05 * abs(mid))
        unit = d[name][0]["unit"]
        ax.set_ylabel(f"{name}\n[{unit}]" if unit else name, fontsize=9)
        ax.grid(alpha=0.3)
        if len(x) > 2 and x[-1] / max(x[0], 1e-12) > 50 and x[0] > 0:
            ax.set_xscale("log")
    axes[-1, 0].set_xlabel(sw.field + (f" [{sw.unit}]" if sw.unit else ""))
    axes[0, 0].set_title(f"dcpower sweep: {sw.field} ({sw.title})", fontsize=11)
    fig.tight_layout()
    return _save(fig, path)


def tornado(unc, path, top: int = 12):
    """Swing of facility power, annual energy and annual water between each assumption's
    low and high end (others nominal), as a share of the nominal result."""
    from dcpower.studies.uncertainty import SENSITIVITY_RESULTS

    plt = pyplot()
    rows = unc.sensitivity[:top]
    if not rows:
        raise InputError("no assumption with a low/high range reaches this estimate; nothing to plot")
    fig, axes = plt.subplots(1, 3, figsize=(13, 0.42 * len(rows) + 1.6), sharey=True)
    y = np.arange(len(rows))[::-1]
    names = [s.parameter.name for s in rows]
    for ax, res in zip(axes, SENSITIVITY_RESULTS):
        lo = np.array([s.at_low[res] for s in rows])
        hi = np.array([s.at_high[res] for s in rows])
        ref = unc.nominal.get(res) or 0.0
        lo_pct = 100 * (lo / ref - 1) if ref else np.zeros_like(lo)
        hi_pct = 100 * (hi / ref - 1) if ref else np.zeros_like(hi)
        ax.barh(y, lo_pct, color="#4C72B0", label="at low end")
        ax.barh(y, hi_pct, color="#DD8452", label="at high end")
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(res.replace("_", " "), fontsize=10)
        ax.set_xlabel("change against nominal [%]")
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, names, fontsize=8)
    axes[0].legend(fontsize=8, loc="lower right")
    fig.suptitle(f"{unc.estimate.title}: which assumptions matter (one at a time)", fontsize=11)
    fig.tight_layout()
    return _save(fig, path)
