"""Pictures of an estimate (optional extra: matplotlib; ``pip install ".[plot]"`` from a checkout).

- :func:`sankey`: annual-mean power from the grid through the transformers, the UPS and
  distribution to IT, the cooling plant split into its parts, and the cooling-tower water
  as a flow of its own where the site uses water;
- :func:`monthly`: monthly PUE, WUE and site water over the typical year;
- :func:`sweep_curves`: results of a :class:`~dcpower.studies.sweep.Sweep` against the swept field;
- :func:`tornado`: the one-at-a-time swings of an
  :class:`~dcpower.studies.uncertainty.UncertainEstimate`.

Each picture is drawn in two steps: ``*_data`` gathers the numbers it shows as plain JSON-ready
data, ``draw_*`` draws a matplotlib figure from that data and nothing else. :func:`recording`
collects the data of every picture written, so a document can check that an image shows
today's numbers without comparing pixels.

Figures use matplotlib's Agg backend (no display needed), axis labels in words with units in
pint's pretty form (``m³/d``), text kept as text in SVG, and no date or version in the file,
so the same data gives the same bytes. A file is written through a temporary file renamed into
place: whole or not at all.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from dcpower.errors import DcpowerError, InputError

__all__ = ["sankey", "monthly", "sweep_curves", "tornado", "check_output", "pyplot", "FORMATS",
           "sankey_data", "monthly_data", "monthly_table", "sweep_data", "tornado_data",
           "draw_sankey", "draw_monthly", "draw_sweep", "draw_tornado", "recording", "label", "pretty_unit"]

FORMATS = {".png": "png", ".svg": "svg"}
DPI = 120
# No date and no library version in the file: the same picture gives the same bytes.
METADATA = {"png": {"Software": "dcpower"}, "svg": {"Date": None, "Creator": "dcpower"}}
RC = {"svg.fonttype": "none", "svg.hashsalt": "dcpower", "font.size": 9}
# Hours before the first hour of each month in a 365-day typical year.
_MONTH_START = np.cumsum([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]) * 24
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_RECORDERS: list[list] = []
# Words that are not written in lower case in a label.
_WORDS = {"it": "IT", "pue": "PUE", "wue": "WUE", "co2": "CO₂", "gpus": "GPUs", "gpu": "GPU", "ups": "UPS",
          "cdus": "CDUs", "nic": "NIC", "hx": "HX", "psu": "PSU", "dlc": "DLC"}


def pyplot():
    """matplotlib's pyplot on the Agg backend; a one-line error when matplotlib is missing."""
    try:
        import matplotlib
    except ImportError:
        raise DcpowerError("plots need matplotlib: pip install matplotlib "
                           "(from a dcpower checkout: pip install '.[plot]')") from None
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


@contextmanager
def recording():
    """Collect ``(path, data)`` for every picture written inside the ``with`` block.

    ``data`` is what the picture was drawn from (the ``*_data`` functions' result): a test or
    a document build compares it with today's numbers instead of comparing pixels.
    """
    got: list = []
    _RECORDERS.append(got)
    try:
        yield got
    finally:
        _RECORDERS.remove(got)


def figure_bytes(fig, fmt: str) -> bytes:
    """The figure as PNG or SVG bytes (text as text in SVG, no date or version), then closed."""
    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buf, format=fmt, dpi=DPI, metadata=METADATA[fmt])
    pyplot().close(fig)
    return buf.getvalue()


def _save(fig, path, data) -> Path:
    from dcpower.output.files import write_atomic

    p = check_output(path)
    write_atomic(p, figure_bytes(fig, FORMATS[p.suffix.lower()]))
    for got in _RECORDERS:
        got.append((p, data))
    return p


def _figure(width: float, height: float):
    import matplotlib

    with matplotlib.rc_context(RC):
        return pyplot().figure(figsize=(width, height), dpi=DPI)


# ---------------------------------------------------------------- words and units

def label(name: str) -> str:
    """A result or field name in words: ``water_per_day`` -> "Water per day",
    ``cooling.cycles_of_concentration`` -> "Cooling: cycles of concentration"."""
    parts = [p for p in name.replace("-", "_").split(".") if p]

    def words(text: str) -> str:
        return " ".join(_WORDS.get(w, w) for w in text.split("_") if w)

    text = ": ".join(words(p) for p in parts) or name
    return text[0].upper() + text[1:]


def pretty_unit(unit: str) -> str:
    """A unit as pint's pretty form (``m^3/d`` -> ``m³/d``, ``degC`` -> ``°C``); "" stays ""."""
    if not unit:
        return ""
    from dcpower.units import ureg

    try:
        text = format(ureg.Unit(unit), "~P")
    except Exception:  # noqa: BLE001 - a unit pint cannot parse is shown as written
        text = unit
    return text.replace("CO2", "CO₂")


def axis_label(name: str, unit: str) -> str:
    """``Facility power [MW]``: the name in words and the unit in pint's pretty form."""
    u = pretty_unit(unit)
    return f"{label(name)} [{u}]" if u else label(name)


def _round(x: float, digits: int = 6) -> float:
    """``x`` to ``digits`` significant digits: the data a picture shows, free of float noise."""
    x = float(x)
    return 0.0 if x == 0 or not np.isfinite(x) else float(f"{x:.{digits}g}")


def _rounded(values) -> list[float]:
    return [_round(v) for v in np.asarray(values, dtype=float).ravel()]


# ---------------------------------------------------------------- sankey

def sankey_data(est) -> dict:
    """The flows the Sankey diagram shows: annual-mean power [MW] from the sources through the
    electrical chain to IT and the cooling plant's parts, and cooling-tower water [m³/d].

    Nodes are ``[id, label, column, kind]``; links ``[source id, target id, value]``. Only
    flows that exist (non-zero) are drawn.
    """
    c = est.chain

    def mean(q) -> float:
        return float(c.mean(q, "MW").magnitude[0])

    facility = _mw(est, "facility_power_average")
    it = _mw(est, "it_power_average")
    nodes, links = _sources(est, facility)
    if est.resolved.scenario.pue is not None:  # a fixed PUE replaces the electrical and cooling model
        nodes += [["it", "IT load", 2, "it"], ["overhead", "Overhead (fixed PUE)", 2, "loss"]]
        links += [["supply", "it", it], ["supply", "overhead", facility - it]]
    else:
        _chain_flows(est, mean, nodes, links)
    links = [[a, b, _round(v)] for a, b, v in links if v > 0]
    used = {a for a, _, _ in links} | {b for _, b, _ in links}
    sink = {"cooling-tower": "cooling towers", "dry-cooler": "dry coolers",
            "air-cooled-condenser": "chillers' air-cooled condensers",
            "outdoor-air": "exhaust air and the trim chillers' condensers"}[est.resolved.cooling.heat_rejection]
    return {"title": f"{est.title}: annual-mean power flow, PUE {float(est.pue.magnitude):.2f}",
            "unit": "MW", "nodes": [n for n in nodes if n[0] in used], "links": links,
            "water": _water_flows(est),
            "note": f"All {facility:.1f} MW drawn leave the site as heat: IT, pumps and fans through the "
                    f"{sink}, electrical losses to room and outdoor air."}


def _mw(est, name) -> float:
    return float(est.results[name].to("MW").magnitude)


def _sources(est, facility: float) -> tuple[list, list]:
    """Grid, on-site turbines and what the battery or nobody covers, into one supply node."""
    hours = float(est.chain.hours)
    grid = float(est.results["grid_energy"].to("MWh").magnitude) / hours
    turbines = float(est.results["turbine_energy"].to("MWh").magnitude) / hours
    rest = facility - grid - turbines
    nodes = [["grid", "Grid", 0, "source"], ["turbines", "On-site turbines", 0, "source"],
             ["rest", "Battery and unserved", 0, "source"], ["supply", "Transformers", 1, "stage"]]
    links = [["grid", "supply", grid], ["turbines", "supply", turbines]]
    if rest > 1e-3 * facility:
        links.append(["rest", "supply", rest])
    return nodes, links


def _chain_flows(est, mean, nodes: list, links: list) -> None:
    """Transformers -> UPS and distribution -> IT; transformers -> cooling plant -> its parts."""
    h = est.chain.hourly
    tower = est.resolved.cooling.heat_rejection == "cooling-tower"
    nodes += [["ups", "UPS and distribution", 2, "stage"], ["plant", "Cooling plant", 2, "stage"],
              ["light-pass", "", 2, "pass"], ["xfmr-pass", "", 2, "pass"],
              ["it", "IT load", 3, "it"], ["dist", "Distribution losses", 3, "loss"],
              ["ups-loss", "UPS losses", 3, "loss"], ["fans", "Air movers (fans)", 3, "cooling"],
              ["pumps", "Pumps", 3, "cooling"], ["chillers", "Chillers", 3, "cooling"],
              ["rejection", "Cooling-tower fans" if tower else "Dry-cooler fans", 3, "cooling"],
              ["aux", "Plant auxiliaries", 3, "cooling"], ["light", "Lighting", 3, "other"],
              ["services-pass", "", 2, "pass"], ["services", "Site services", 3, "other"],
              ["xfmr", "Transformer and MV losses", 3, "loss"]]
    parts = {"xfmr": mean(h.transformer_loss), "it": _mw(est, "it_power_average"),
             "dist": mean(h.side.distribution_loss), "ups-loss": mean(h.side.ups_loss),
             "fans": mean(h.loops.fans), "pumps": mean(h.loops.pumps), "chillers": mean(h.rejection.chiller),
             "rejection": mean(h.rejection.device_fans), "aux": mean(h.rejection.support),
             "light": mean(h.side.lighting), "services": mean(h.site_services.total)}
    electrical = parts["it"] + parts["dist"] + parts["ups-loss"]
    plant = sum(parts[k] for k in ("fans", "pumps", "chillers", "rejection", "aux"))
    links += [["supply", "xfmr-pass", parts["xfmr"]], ["xfmr-pass", "xfmr", parts["xfmr"]],
              ["supply", "ups", electrical], ["supply", "plant", plant],
              ["supply", "light-pass", parts["light"]], ["light-pass", "light", parts["light"]],
              ["supply", "services-pass", parts["services"]], ["services-pass", "services", parts["services"]]]
    links += [["ups", k, parts[k]] for k in ("it", "dist", "ups-loss")]
    links += [["plant", k, parts[k]] for k in ("fans", "pumps", "chillers", "rejection", "aux")]


def _water_flows(est) -> dict | None:
    """Cooling-tower makeup split into evaporation, blowdown and drift [m³/d]; None without water."""
    annual = float(est.results["annual_water"].to("m^3").magnitude)
    if annual <= 0:
        return None
    per_day = float(est.results["water_per_day"].to("m^3/d").magnitude) / annual
    parts = [("evaporated", "Evaporation"), ("blowdown", "Blowdown"), ("drift", "Drift")]
    nodes = [["makeup", "Makeup water", 0, "water"]] + [[k, t, 1, "water"] for k, t in parts]
    links = [["makeup", k, _round(float(est.results[f"water_{k}"].to("m^3").magnitude) * per_day)]
             for k, _ in parts]
    return {"unit": pretty_unit("m^3/d"), "nodes": nodes, "links": [x for x in links if x[2] > 0]}


def sankey(est, path):
    """Annual-mean power flow, and cooling-tower water where the site uses water.

    Parameters
    ----------
    est : Estimate
    path : str or Path
        Output file, ``.png`` or ``.svg``.
    """
    pyplot()
    data = sankey_data(est)
    return _save(draw_sankey(data), path, data)


def draw_sankey(data: dict):
    """The Sankey figure of :func:`sankey_data`'s data: power on top, water below when there is any."""
    water = data["water"]
    fig = _figure(10, 7.4 if water else 6.0)
    top = 0.90
    power_ax = fig.add_axes((0.0, 0.30 if water else 0.06, 1.0, top - (0.30 if water else 0.06)))
    _draw_flows(power_ax, data["nodes"], data["links"], data["unit"], columns=(0.13, 0.36, 0.58, 0.70))
    if water:
        water_ax = fig.add_axes((0.0, 0.06, 1.0, 0.17))
        _draw_flows(water_ax, water["nodes"], water["links"], water["unit"], columns=(0.13, 0.36))
        total = sum(v for _, _, v in water["links"])
        fig.text(0.02, 0.255, f"Cooling-tower water, annual mean: {_fmt(total)} {water['unit']}",
                 fontsize=10, fontweight="bold")
    fig.text(0.5, 0.965, data["title"], ha="center", va="center", fontsize=11)
    fig.text(0.5, 0.02, data["note"], ha="center", va="center", fontsize=9, color="#444444")
    return fig


def _fmt(v: float) -> str:
    from dcpower.report import fmt_number

    return fmt_number(float(v))


# ---------------------------------------------------------------- a layered flow diagram

_KIND_COLORS = {"source": "#9AA5B1", "stage": "#9AA5B1", "it": "#4C72B0", "loss": "#DD8452",
                "cooling": "#55A868", "other": "#8C8C8C", "water": "#64B5CD"}
_BAR = 0.012  # width of a node's bar [axes fraction]


def _layout(nodes: list, links: list) -> dict:
    """Each node's column and top/bottom [axes fraction, 0 at the top], heights to scale."""
    value = {n[0]: 0.0 for n in nodes}
    inflow, outflow = dict(value), dict(value)
    for a, b, v in links:
        outflow[a] += v
        inflow[b] += v
    value = {k: max(inflow[k], outflow[k]) for k in value}
    columns: dict[int, list] = {}
    for n in nodes:
        columns.setdefault(n[2], []).append(n[0])
    gap = {c: 0.10 if any(n[3] in ("stage", "pass") for n in nodes if n[2] == c) else 0.02 for c in columns}
    margin = 0.02 + (0.05 if any(n[3] == "stage" for n in nodes) else 0)  # room for the stages' labels
    avail = 1 - 0.02 - margin
    scale = min((avail - gap[c] * (len(ids) - 1)) / max(sum(value[i] for i in ids), 1e-12)
                for c, ids in columns.items())
    pos = {}
    for c, ids in columns.items():
        block = sum(value[i] for i in ids) * scale + gap[c] * (len(ids) - 1)
        y = margin + (avail - block) / 2
        for i in ids:
            pos[i] = [c, y, y + value[i] * scale]
            y += value[i] * scale + gap[c]
    return {"pos": pos, "scale": scale, "value": value}


def _band(ax, x0, top0, bot0, x1, top1, bot1, color):
    """A band from one node's port to another's, with smooth (cubic) edges; y is 0 at the top."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath

    xm = (x0 + x1) / 2
    verts = [(x0, 1 - top0), (xm, 1 - top0), (xm, 1 - top1), (x1, 1 - top1), (x1, 1 - bot1),
             (xm, 1 - bot1), (xm, 1 - bot0), (x0, 1 - bot0), (x0, 1 - top0)]
    codes = [MPath.MOVETO] + [MPath.CURVE4] * 3 + [MPath.LINETO] + [MPath.CURVE4] * 3 + [MPath.CLOSEPOLY]
    ax.add_patch(PathPatch(MPath(verts, codes), facecolor=color, edgecolor="none", alpha=0.55))


def _draw_flows(ax, nodes: list, links: list, unit: str, columns) -> None:
    """Nodes as bars in their columns (x positions ``columns``), links as bands, labels beside."""
    from matplotlib.patches import Rectangle

    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    lay = _layout(nodes, links)
    pos, scale = lay["pos"], lay["scale"]
    kind = {n[0]: n[3] for n in nodes}
    out_at = {k: p[1] for k, p in pos.items()}
    in_at = dict(out_at)
    for a, b, v in sorted(links, key=lambda link: (pos[link[0]][1], pos[link[1]][1])):
        h = v * scale
        color = _KIND_COLORS.get(_band_kind(b, kind, links), "#9AA5B1")
        _band(ax, columns[pos[a][0]] + _BAR, out_at[a], out_at[a] + h, columns[pos[b][0]], in_at[b], in_at[b] + h,
              color)
        out_at[a] += h
        in_at[b] += h
    for n in nodes:
        c, top, bot = pos[n[0]]
        color = _KIND_COLORS.get(_band_kind(n[0], kind, links), "#9AA5B1") if n[3] == "pass" else \
            ("#444444" if n[3] in ("source", "stage") else _KIND_COLORS.get(n[3], "#444444"))
        ax.add_patch(Rectangle((columns[c], 1 - bot), _BAR, max(bot - top, 0.0015), facecolor=color,
                               edgecolor="none", alpha=0.55 if n[3] == "pass" else 1.0))
    _flow_labels(ax, nodes, lay, unit, columns)


def _band_kind(node: str, kind: dict, links: list) -> str:
    """A band takes the kind of where it goes; a pass-through node the kind of where it leads."""
    if kind[node] == "pass":
        return next(kind[b] for a, b, _ in links if a == node)
    return kind[node]


def _flow_labels(ax, nodes: list, lay: dict, unit: str, columns) -> None:
    """Sources left of their bars, stages above theirs, sinks right of theirs, spread apart so
    no two overlap, with a leader line where a label had to move."""
    pos, value = lay["pos"], lay["value"]
    last = max(p[0] for p in pos.values())
    fig_h = ax.figure.get_size_inches()[1] * ax.get_position().height
    line = 12.5 / 72 / fig_h  # one line of 9 pt text [axes fraction]
    sinks = [n for n in nodes if pos[n[0]][0] == last and last > 0]
    wanted = [(pos[n[0]][1] + pos[n[0]][2]) / 2 for n in sinks]
    for n, y in zip(sinks, _spread(wanted, line)):
        c, top, bot = pos[n[0]]
        x = columns[c] + _BAR
        mid = (top + bot) / 2
        if abs(y - mid) > 0.2 * line:
            ax.plot([x + 0.003, x + 0.012, x + 0.02], [1 - mid, 1 - y, 1 - y], color="#777777", lw=0.6)
        ax.text(x + 0.024, 1 - y, f"{n[1]}  {_fmt(value[n[0]])} {unit}", va="center", ha="left", fontsize=9)
    for n in nodes:
        c, top, bot = pos[n[0]]
        if c == 0:
            ax.text(columns[c] - 0.008, 1 - (top + bot) / 2, f"{n[1]}\n{_fmt(value[n[0]])} {unit}",
                    va="center", ha="right", fontsize=9)
        elif n[3] == "stage" and c != last:
            ax.text(columns[c] + _BAR, 1 - top + 1.1 * line, f"{n[1]}  {_fmt(value[n[0]])} {unit}",
                    va="center", ha="right", fontsize=9, fontweight="bold")


def _spread(wanted: list[float], step: float) -> list[float]:
    """Positions as close to ``wanted`` (in order, top first) as they can be, ``step`` apart,
    inside 0..1."""
    y = list(wanted)
    for i in range(1, len(y)):
        y[i] = max(y[i], y[i - 1] + step)
    if y and y[-1] > 1 - step / 2:  # ran off the bottom: push the tail back up
        y[-1] = 1 - step / 2
        for i in range(len(y) - 2, -1, -1):
            y[i] = min(y[i], y[i + 1] - step)
    return y


# ---------------------------------------------------------------- monthly

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


def monthly_data(est, units: str = "si") -> dict:
    """What :func:`monthly` draws: PUE, and WUE and site water only where the site uses water."""
    m = monthly_table(est)
    wet = bool(np.any(m["water"] > 0))
    water, unit = m["water"], "m^3"
    if units == "us":
        from dcpower.units import Q_

        water, unit = Q_(m["water"], "m^3").to("Mgal").magnitude, "Mgal"
    note = None if wet else (f"No site water: {est.resolved.cooling.id} rejects heat without evaporation, "
                             "so WUE and water are zero every month and not drawn.")
    return {"title": f"{est.title}: by month of the typical year", "months": list(m["months"]),
            "pue": _rounded(m["pue"]), "wue": _rounded(m["wue"]) if wet else None,
            "water": _rounded(water) if wet else None, "water_unit": pretty_unit(unit), "note": note}


def monthly(est, path, units: str = "si"):
    """Monthly PUE, WUE and site water of the typical year (one panel when there is no water)."""
    pyplot()
    data = monthly_data(est, units)
    return _save(draw_monthly(data), path, data)


def draw_monthly(data: dict):
    panels = [("PUE", data["pue"], "line", "#4C72B0")]
    if data["water"] is not None:
        panels += [(f"WUE [{pretty_unit('L/kWh')}]", data["wue"], "line", "#55A868"),
                   (f"Site water [{data['water_unit']}]", data["water"], "bar", "#64B5CD")]
    fig = _figure(8, 2.3 * len(panels) + 1.0)
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    x = np.arange(len(data["months"]))
    for ax, (ylabel, y, kind, color) in zip(axes, panels):
        if kind == "bar":
            ax.bar(x, y, color=color)
        else:
            ax.plot(x, y, marker="o", color=color)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.ticklabel_format(axis="y", useOffset=False, style="plain")
        if max(y) >= 10_000:  # thousands separators, as the tables print them
            ax.yaxis.set_major_formatter("{x:,.0f}")
    # at least 0.05 of PUE on the axis, so a flat year looks flat
    lo, hi = min(data["pue"]), max(data["pue"])
    if hi - lo < 0.05:
        axes[0].set_ylim((hi + lo) / 2 - 0.025, (hi + lo) / 2 + 0.025)
    axes[-1].set_xticks(x, data["months"])
    axes[-1].set_xlabel("Month of the typical year")
    axes[0].set_title(data["title"], fontsize=11)
    if data["note"]:
        fig.text(0.5, 0.01, data["note"], ha="center", va="bottom", fontsize=8, color="#444444", wrap=True)
    fig.tight_layout(rect=(0, 0.04 if data["note"] else 0, 1, 1))
    return fig


# ---------------------------------------------------------------- sweep

def _log_spaced(x) -> bool:
    """True when the steps grow by a constant factor (``--log``) rather than a constant step."""
    x = np.asarray(x, dtype=float)
    if x.size < 3 or np.any(x <= 0):
        return False
    lin, geo = np.diff(x), np.diff(np.log(x))
    return bool(np.ptp(geo) < 0.05 * abs(np.mean(geo)) < np.inf and np.ptp(lin) > 0.05 * abs(np.mean(lin)))


def sweep_data(sw, results=("facility_power", "pue", "water_per_day"), log: bool | None = None) -> dict:
    """What :func:`sweep_curves` draws. ``log=None`` takes log axes from the steps: a sweep
    whose steps grow by a constant factor gets a log x-axis, and a result spanning more than
    a decade on it a log y-axis (power and water grow with the GPU count; PUE stays linear).
    Results that are zero at every step (water with dry coolers) are listed, not drawn."""
    from dcpower.chain.result import describe

    names = [r for r in results if r in sw.columns]
    if not names:
        raise InputError("nothing to plot: none of the requested results exists")
    d = sw.to_dict(names=names)["results"]
    x = np.asarray(sw.steps, dtype=float)
    log_x = _log_spaced(x) if log is None else bool(log)
    panels, zero = [], []
    for name in names:
        y = np.array([np.nan if e["value"] is None else e["value"] for e in d[name]], dtype=float)
        if np.all(np.nan_to_num(y) == 0):
            zero.append(name)
            continue
        unit = d[name][0]["unit"]
        spans = bool(np.all(y > 0) and np.nanmax(y) > 10 * np.nanmin(y))
        panels.append({"name": name, "label": axis_label(name, unit), "description": describe(name),
                       "y": _rounded(y), "log_y": bool(log_x and spans)})
    if not panels:
        raise InputError(f"nothing to plot: {', '.join(zero)} is zero at every step")
    note = (f"Zero at every step, not drawn: {', '.join(label(z) for z in zero)}." if zero else None)
    return {"title": f"dcpower sweep: {label(sw.field)} ({sw.title})", "x": _rounded(x),
            "x_label": axis_label(sw.field, sw.unit), "log_x": log_x, "panels": panels, "note": note}


def sweep_curves(sw, path, results=("facility_power", "pue", "water_per_day"), log: bool | None = None):
    """Each of ``results`` against the swept field, one panel each."""
    pyplot()
    data = sweep_data(sw, results, log)
    return _save(draw_sweep(data), path, data)


def draw_sweep(data: dict):
    panels = data["panels"]
    fig = _figure(8, 2.4 * len(panels) + 1.1)
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    x = data["x"]
    for ax, p in zip(axes, panels):
        y = p["y"]
        ax.plot(x, y, marker="o", color="#4C72B0")
        if p["log_y"]:
            ax.set_yscale("log")
        else:
            ax.ticklabel_format(axis="y", useOffset=False, style="plain")
            lo, hi, mid = min(y), max(y), float(np.mean(y))
            if mid and hi - lo < 0.02 * abs(mid):  # a flat result: show it flat, not as noise
                ax.set_ylim(mid - 0.05 * abs(mid), mid + 0.05 * abs(mid))
        ax.set_ylabel(p["label"])
        ax.set_title(p["description"], fontsize=8, loc="left", color="#444444")
        ax.grid(alpha=0.3, which="both" if p["log_y"] else "major")
    if data["log_x"]:
        axes[-1].set_xscale("log")
    axes[-1].set_xlabel(data["x_label"])
    fig.suptitle(data["title"], fontsize=11)
    if data["note"]:
        fig.text(0.5, 0.01, data["note"], ha="center", va="bottom", fontsize=8, color="#444444")
    fig.tight_layout(rect=(0, 0.03 if data["note"] else 0, 1, 1))
    return fig


# ---------------------------------------------------------------- tornado

def tornado_data(unc, top: int = 12) -> dict:
    """Swing of facility power, annual energy and annual water [% of nominal] at each
    assumption's low and high end (others nominal), largest first."""
    from dcpower.studies.uncertainty import SENSITIVITY_RESULTS

    rows = unc.sensitivity[:top]
    if not rows:
        raise InputError("no assumption with a low/high range reaches this estimate; nothing to plot")
    out = []
    for s in rows:
        p = s.parameter
        row = {"label": f"{label(p.name)}, {p.low:g} to {p.high:g} {pretty_unit(p.unit)}".rstrip(),
               "low": {}, "high": {}}
        for res in SENSITIVITY_RESULTS:
            ref = unc.nominal.get(res) or 0.0
            row["low"][res] = _round(100 * (s.at_low[res] / ref - 1)) if ref else 0.0
            row["high"][res] = _round(100 * (s.at_high[res] / ref - 1)) if ref else 0.0
        out.append(row)
    return {"title": f"{unc.estimate.title}: which assumptions matter (one at a time)",
            "results": [[res, label(res)] for res in SENSITIVITY_RESULTS], "rows": out}


def tornado(unc, path, top: int = 12):
    """Swing of facility power, annual energy and annual water between each assumption's
    low and high end (others nominal), as a share of the nominal result."""
    pyplot()
    data = tornado_data(unc, top)
    return _save(draw_tornado(data), path, data)


def draw_tornado(data: dict):
    rows = data["rows"]
    fig = _figure(13, 0.42 * len(rows) + 1.8)
    axes = fig.subplots(1, len(data["results"]), sharey=True, squeeze=False)[0]
    y = np.arange(len(rows))[::-1]
    for ax, (res, title) in zip(axes, data["results"]):
        ax.barh(y, [r["low"][res] for r in rows], color="#4C72B0", label="at the low end")
        ax.barh(y, [r["high"][res] for r in rows], color="#DD8452", label="at the high end")
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("Change against nominal [%]")
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, [r["label"] for r in rows], fontsize=8)
    axes[0].legend(fontsize=8, loc="lower right")
    fig.suptitle(data["title"], fontsize=11)
    fig.tight_layout()
    return fig
