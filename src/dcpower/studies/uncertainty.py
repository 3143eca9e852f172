"""Uncertainty of an estimate: seeded Monte Carlo over the spec ranges, and a tornado of swings.

Which values vary
-----------------
Every :class:`~dcpower.catalog.models.SpecValue` that the model chain reads and that carries a
``low`` or ``high`` (a missing side is the value itself): utilization, accelerator and host
powers, PSU, UPS and transformer efficiencies, design loading, the cooling plant's
temperatures, pressures, efficiencies and approaches, cycles of concentration, drift, switch,
optics and storage power, grid price and carbon intensity, turbine ratings... The chain
itself finds them: the specs are wrapped in proxies that record each ranged value read while
the model runs (so an unused value never shows up). Values that fix the *structure* of the
facility (GPU, port and rack counts, link speeds) and the weather stay at their nominal values.

Distribution
------------
Triangular between ``low``, ``value`` (the mode) and ``high``, on the magnitude in the value's
own unit. The triangle keeps the catalog value the most likely one and puts no mass outside
the published range, which is what a "typical, with a plausible range" spec entry says;
a uniform draw would treat the extremes as as likely as the datasheet value.

Speed: the weather is binned
----------------------------
The hourly model depends on the hour only through its weather (the IT load is constant over
the typical year), so an annual sum over 8,760 hours equals a weighted sum over weather
states. The hours are grouped in a 2-D grid of (dry-bulb, wet-bulb) bins, each evaluated at
its hours' mean dry-bulb, wet-bulb and humidity ratio and weighted by its hour count
(:func:`weather_bins`; about 150 occupied bins). For the deterministic model the binned annual
energy and water agree with the 8,760-hour sums within 0.2 % (``tests/test_uncertainty.py``).
The N sampled parameter sets are arrays of shape (N, 1) and broadcast against the bins
(1, B), so the whole Monte Carlo is one vectorized evaluation of the same chain
(:func:`dcpower.chain.estimate._facility`), processed in chunks of samples to bound memory.

Sensitivity
-----------
One at a time: each varying value is set to its low and then its high end with every other
value nominal (one vectorized batch of 2 K evaluations). The swing of ``facility_power``,
``annual_energy`` and ``annual_water`` between the two ends, as a share of the nominal
result, ranks the assumptions (largest relative swing of the three first): a tornado table.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel

from dcpower.physics import cooling as cool
from dcpower.physics import electrical as elec
from dcpower.physics import grid as gridmod
from dcpower.chain import estimate as pipeline
from dcpower.errors import InputError
from dcpower.chain.result import RESULT_UNITS, Estimate
from dcpower.catalog.models import SpecValue
from dcpower.units import Q_, format_unit

__all__ = ["uncertainty", "UncertainEstimate", "Parameter", "Swing", "weather_bins", "DEFAULT_SEED",
           "SENSITIVITY_RESULTS"]

DEFAULT_SEED = 20250601
PERCENTILES = (5, 50, 95)
SENSITIVITY_RESULTS = ("facility_power", "annual_energy", "annual_water")
# Fields that fix counts or topology (integers, switch radix): held at their nominal values.
STRUCTURAL = {"gpus", "ports", "port_speed", "endpoint_speed", "endpoints_per_unit", "gpus_per_rack",
              "rack_units", "nameplate_power", "memory", "idle_power", "energy", "round_trip_efficiency",
              "ramp_rate", "elevation"}
# Results that are counts of equipment: identical in every sample.
CONSTANT = ("gpus", "servers", "racks", "network_switches", "network_transceivers")
CHUNK = 2_000  # samples per vectorized block: ~150 bins x 2,000 = 0.3 M values per array


# ------------------------------------------------------------------ weather bins

@dataclass
class _Bins:
    dry_bulb: Any
    wet_bulb: Any
    humidity_ratio: Any
    pressure: Any
    weights: np.ndarray  # hours in each bin

    @property
    def hours(self) -> float:
        return float(self.weights.sum())


def weather_bins(weather, target: int = 150) -> _Bins:
    """Group the hours of ``weather`` into about ``target`` (dry-bulb, wet-bulb) bins.

    Parameters
    ----------
    weather : Weather
        Hourly ``dry_bulb``, ``wet_bulb`` [degC], ``humidity_ratio`` [kg/kg], ``pressure`` [Pa].
    target : int
        Upper bound on the number of occupied bins.

    Returns
    -------
    _Bins
        Per occupied bin: the hour-weighted means of dry-bulb, wet-bulb, humidity ratio and
        pressure, and ``weights``, the number of hours in it.

    Notes
    -----
    The grid is square in (dry-bulb, wet-bulb), equal-width; the finest grid whose occupied
    cells stay within ``target`` is used. Evaluating a bin at its mean state is exact for the
    parts of the model that are linear in the weather and second-order accurate elsewhere.
    """
    db = np.asarray(weather.dry_bulb.to("degC").magnitude, dtype=float)
    wb = np.asarray(weather.wet_bulb.to("degC").magnitude, dtype=float)
    w = np.asarray(weather.humidity_ratio.to("dimensionless").magnitude, dtype=float)
    p = np.broadcast_to(np.asarray(weather.pressure.to("Pa").magnitude, dtype=float), db.shape)
    best = None
    for k in range(4, 200):
        i = np.minimum(((db - db.min()) / max(np.ptp(db), 1e-9) * k).astype(int), k - 1)
        j = np.minimum(((wb - wb.min()) / max(np.ptp(wb), 1e-9) * k).astype(int), k - 1)
        cell = i * k + j
        uniq, inv = np.unique(cell, return_inverse=True)
        if len(uniq) > target and best is not None:
            break
        best = (uniq, inv)
    uniq, inv = best
    counts = np.bincount(inv).astype(float)

    def mean(x):
        return np.bincount(inv, weights=x) / counts

    return _Bins(Q_(mean(db), "degC"), Q_(mean(wb), "degC"), Q_(mean(w), "dimensionless"),
                 Q_(mean(p), "Pa"), counts)


# ------------------------------------------------------------------ sampled specs

@dataclass(frozen=True)
class Parameter:
    """One varying assumption: its name (``cooling.approach``), range and source."""

    name: str
    value: float
    low: float
    high: float
    unit: str
    source: str


class _Sampled:
    """Stands in for a SpecValue whose value is an (N, 1) array of samples."""

    def __init__(self, spec_value: SpecValue, magnitudes: np.ndarray, unit):
        self._sv = spec_value
        self._q = Q_(magnitudes, unit)

    @property
    def quantity(self):
        return self._q

    def citation(self) -> str:
        return f"sampled: {self._sv.citation()}"

    def __getattr__(self, name):
        return getattr(self._sv, name)


class _Proxy:
    """A spec or scenario part whose ranged values can be replaced by samples.

    Reading a ranged SpecValue records it in ``found`` (name -> SpecValue), so one run of
    the chain lists exactly the assumptions it uses.
    """

    def __init__(self, obj, path: str, values: dict, found: dict):
        self._obj, self._path, self._values, self._found = obj, path, values, found

    def __getattr__(self, name):
        v = getattr(self._obj, name)
        key = f"{self._path}.{name}" if self._path else name
        if isinstance(v, SpecValue):
            if (v.low is not None or v.high is not None) and name not in STRUCTURAL:
                self._found.setdefault(key, v)
            return self._values.get(key, v)
        if isinstance(v, BaseModel) and not isinstance(v, SpecValue):
            return _Proxy(v, key, self._values, self._found)
        return v

    def q(self, field_name: str):
        v = getattr(self, field_name)
        return None if v is None else v.quantity


class _CatalogProxy:
    def __init__(self, catalog, values: dict, found: dict):
        self._cat, self._values, self._found = catalog, values, found

    def get(self, category: str, ident: str):
        return _Proxy(self._cat.get(category, ident), ident, self._values, self._found)

    def __getattr__(self, name):
        return getattr(self._cat, name)


def _proxied(r, values: dict, found: dict):
    return pipeline._Resolved(
        _CatalogProxy(r.catalog, values, found), _Proxy(r.scenario, "", values, found),
        _Proxy(r.accelerator, "accelerator", values, found), _Proxy(r.server, "server", values, found),
        _Proxy(r.cooling, "cooling", values, found), r.site, _Proxy(r.grid, "grid", values, found),
        r.weather)


# ------------------------------------------------------------------ the chain on samples x bins

def _chain(r, bins: _Bins, values: dict, found: dict, rows: int) -> dict[str, np.ndarray]:
    """Every varying result for ``rows`` parameter sets, as float arrays of shape (rows,),
    in the display units of :data:`~dcpower.chain.result.RESULT_UNITS` (SI)."""
    rp = _proxied(r, values, found)
    rec = pipeline._Recorder()
    it = pipeline._it_load(rp, rec)
    ns = pipeline._network_and_storage(rp, it, rec)
    design_air = pipeline._design_air(rp)
    design = pipeline._facility(rp, ns["it_design"], design_air, None, it["racks"])
    ratings = {k: v[..., :1] for k, v in design["ratings"].items()}
    air = pipeline._Air(bins.dry_bulb, bins.wet_bulb, bins.humidity_ratio, bins.pressure)
    hourly = pipeline._facility(rp, ns["it_avg"], air, ratings, it["racks"])
    w, hours = bins.weights, bins.hours
    nb = w.size

    def mb(q, unit):  # (rows, bins) magnitudes
        m = q.to(unit).magnitude if hasattr(q, "to") else q
        return np.broadcast_to(np.asarray(m, dtype=float), (rows, nb))

    def md(q, unit):  # (rows, 2) design-point magnitudes
        return np.broadcast_to(np.asarray(q.to(unit).magnitude, dtype=float), (rows, 2))

    def vec(q, unit):  # (rows,)
        m = q.to(unit).magnitude if hasattr(q, "to") else q
        return np.broadcast_to(np.asarray(m, dtype=float).reshape(-1), (rows,)).copy() \
            if np.size(m) in (1, rows) else np.asarray(m, dtype=float).reshape(rows)

    def flat(q):  # a sampled (rows, 1) value as (rows,), to meet per-row results
        return Q_(np.reshape(q.magnitude, -1), q.units) if np.ndim(q.magnitude) else q

    def annual(q, unit):  # sum over hours of a rate x 1 h, in W h
        return mb(q, unit) @ w

    out: dict[str, np.ndarray] = {}
    out["gpu_power"] = vec(it["gpu_power"], "MW")
    out["host_power"] = vec(it["host_power"], "MW")
    out["network_power"] = vec(ns["network_power"], "MW")
    out["storage_power"] = vec(ns["storage_power"], "MW")
    out["storage_systems"] = vec(Q_(np.asarray(ns["storage_systems"], dtype=float), ""), "")
    out["it_power"] = vec(ns["it_design"], "MW")
    out["it_power_average"] = vec(ns["it_avg"], "MW")
    out["cooling_power_average"] = annual(hourly["cooling_power"], "MW") / hours
    out["electrical_losses_average"] = (annual(hourly["dist_loss"], "MW") + annual(hourly["ups_loss"], "MW")
                                        + annual(hourly["xfmr_loss"], "MW")) / hours
    out["support_power_average"] = annual(hourly["lighting"], "MW") / hours
    fac_d = md(design["facility"], "MW")
    d_idx = np.argmax(fac_d, axis=1)[:, None]
    pick = lambda a: np.take_along_axis(a, d_idx, axis=1)[:, 0]  # noqa: E731
    out["facility_power"] = pick(fac_d)
    fac_e = annual(hourly["facility"], "MW") / 1000  # GWh
    it_e = annual(hourly["it"], "MW") / 1000
    out["facility_power_average"] = fac_e * 1000 / hours
    out["annual_it_energy"] = it_e
    out["annual_energy"] = fac_e
    out["pue"] = fac_e / it_e
    out["pue_design"] = pick(fac_d) / pick(md(design["it"], "MW"))
    out["heat_rejected"] = pick(md(design["heat_out"], "MW"))
    out["free_cooling_hours"] = (mb(Q_(np.asarray(hourly["econ"], dtype=float), ""), "") >= 1.0) @ w
    out["supply_temperature_exceeded_hours"] = mb(Q_(np.asarray(hourly["exceeded"], dtype=float), ""), "") @ w
    rho = cool.WATER_DENSITY.to("kg/m^3").magnitude
    evap = annual(hourly["evaporation"], "kg/h") / rho
    blow = annual(hourly["blowdown"], "kg/h") / rho
    drift = annual(hourly["drift"], "kg/h") / rho
    site_water = evap + blow + drift
    out["water_evaporated"], out["water_blowdown"], out["water_drift"] = evap, blow, drift
    out["annual_water"] = site_water
    out["water_per_day"] = site_water / (hours / 24)
    out["wue"] = site_water * 1000 / (it_e * 1e6)  # L per kWh

    # Grid: the hourly dispatch is pointwise in the load, so it bins like the rest.
    s, on = rp.scenario, rp.scenario.onsite
    turbine_cap, battery_power = Q_(0.0, "W"), Q_(0.0, "W")
    turbine = None
    if on.turbine and on.turbines:
        turbine = rp.catalog.get("turbine", on.turbine)
        turbine_cap = on.turbines * turbine.rated_power.quantity.to("W")
    if on.battery and on.batteries:
        battery_power = on.batteries * rp.catalog.get("battery", on.battery).power.quantity.to("W")
    limit = on.grid_limit.quantity if on.grid_limit is not None else None
    fac_h = Q_(mb(hourly["facility"], "W"), "W")
    g, t, _, un = gridmod.dispatch(fac_h, limit, turbine_cap, battery_power)
    dg, *_ = gridmod.dispatch(Q_(out["facility_power"], "MW"), flat(limit) if limit is not None else None,
                              flat(turbine_cap), flat(battery_power))
    grid_e = annual(g, "MW") / 1000
    turb_e = annual(t, "MW") / 1000
    peak = vec(dg, "MW")
    pf = vec(flat(s.electrical.power_factor.quantity), "")
    out["grid_power_peak"] = peak
    out["grid_apparent_power"] = peak / pf
    out["grid_energy"] = grid_e
    out["load_factor"] = np.where(peak > 0, grid_e * 1000 / np.where(peak > 0, peak, 1) / hours, 0.0)
    out["turbine_energy"] = turb_e
    out["unserved_energy"] = annual(un, "MW")
    gd = rp.grid
    cost = gridmod.energy_cost(Q_(grid_e, "GWh"), flat(gd.energy_price.quantity), Q_(peak, "MW"),
                               flat(gd.demand_charge.quantity) if gd.demand_charge else None)
    out["annual_cost"] = vec(cost, "USD")
    co2 = (Q_(grid_e, "GWh") * flat(gd.carbon_intensity.quantity)).to("tCO2")
    if turbine is not None:
        co2 = co2 + gridmod.fuel_co2(Q_(turb_e, "GWh"), flat(turbine.heat_rate.quantity),
                                     flat(turbine.fuel_co2.quantity))
    out["annual_co2"] = vec(co2, "tCO2")
    if gd.water_intensity is not None:
        offsite = vec(Q_(grid_e, "GWh") * flat(gd.water_intensity.quantity), "m^3")
        out["annual_water_offsite"] = offsite
        out["wue_source"] = (site_water + offsite) * 1000 / (it_e * 1e6)
    return out


def _units_of(sv: SpecValue):
    q = sv.quantity
    lo = sv.low_quantity.to(q.units).magnitude if sv.low is not None else q.magnitude
    hi = sv.high_quantity.to(q.units).magnitude if sv.high is not None else q.magnitude
    return float(q.magnitude), float(lo), float(hi), q.units


def _values(found: dict, columns: dict[str, np.ndarray]) -> dict:
    """SpecValue stand-ins: ``columns`` maps a name to its (rows,) magnitudes."""
    out = {}
    for name, sv in found.items():
        if name in columns:
            out[name] = _Sampled(sv, columns[name][:, None], sv.quantity.units)
    return out


# ------------------------------------------------------------------ result

@dataclass
class Swing:
    """One row of the tornado: a result at the low and the high end of one assumption."""

    parameter: Parameter
    at_low: dict[str, float]
    at_high: dict[str, float]
    relative: dict[str, float]  # (at_high - at_low) / nominal

    @property
    def rank_key(self) -> float:
        return max(abs(v) for v in self.relative.values()) if self.relative else 0.0


@dataclass
class UncertainEstimate:
    """An estimate with P5/P50/P95 of every result and a sensitivity ranking.

    ``estimate`` is the deterministic :class:`~dcpower.chain.result.Estimate` (its values are
    exactly those of ``dcpower.estimate`` with the same inputs); ``percentiles`` maps a
    result to ``(p5, p50, p95)`` in its SI display unit; ``draws`` holds the N sampled
    values of each result; ``sensitivity`` the tornado rows, largest swing first.
    """

    estimate: Estimate
    samples: int
    seed: int
    parameters: list[Parameter]
    percentiles: dict[str, tuple[float, float, float]]
    draws: dict[str, np.ndarray] = field(repr=False)
    sensitivity: list[Swing]
    # Nominal values of SENSITIVITY_RESULTS on the binned weather, the base of the swings.
    nominal: dict[str, float] = field(default_factory=dict)

    def __getattr__(self, name):
        est = self.__dict__.get("estimate")
        if est is not None and name in est.results:
            return est.results[name]
        raise AttributeError(name)

    def _quantiles(self, name: str, units: str):
        """(p5, p50, p95) in the display unit for ``units`` ("si" or "us")."""
        if name not in self.percentiles:
            return None
        si, target = RESULT_UNITS.get(name, ("", ""))[0], RESULT_UNITS.get(name, ("", ""))[0 if units == "si" else 1]
        vals = self.percentiles[name]
        if si == target or not si:
            return tuple(float(v) for v in vals)
        return tuple(float(Q_(v, si).to(target).magnitude) for v in vals)

    def to_dict(self, units: str = "si") -> dict:
        """The estimate's JSON with ``p5``, ``p50``, ``p95`` on every result, plus
        ``uncertainty`` (samples, seed, distribution, parameters) and ``sensitivity``."""
        d = self.estimate.to_dict(units)
        for name, entry in d["results"].items():
            q = self._quantiles(name, units)
            entry["p5"], entry["p50"], entry["p95"] = q if q is not None else (None, None, None)
        d["uncertainty"] = {
            "samples": self.samples, "seed": self.seed,
            "distribution": "triangular(low, value, high) per assumption, independent",
            "weather": "binned typical year (dry-bulb x wet-bulb), see dcpower.studies.uncertainty",
            "parameters": [{"name": p.name, "value": p.value, "low": p.low, "high": p.high, "unit": p.unit,
                            "source": p.source} for p in self.parameters],
        }
        d["sensitivity"] = [self._swing_dict(s, units) for s in self.sensitivity]
        return d

    def _swing_dict(self, s: Swing, units: str) -> dict:
        out = {"parameter": s.parameter.name, "low": s.parameter.low, "high": s.parameter.high,
               "unit": s.parameter.unit}
        for name in SENSITIVITY_RESULTS:
            unit = RESULT_UNITS[name][0 if units == "si" else 1]
            si = RESULT_UNITS[name][0]
            conv = (lambda v: float(Q_(v, si).to(unit).magnitude)) if unit != si else float  # noqa: E731
            out[name] = {"at_low": conv(s.at_low[name]), "at_high": conv(s.at_high[name]), "unit": unit,
                         "swing_percent": 100 * s.relative[name]}
        return out

    def rows(self, units: str = "si") -> list[tuple]:
        """``(name, value, p5, p50, p95, unit)`` for each result."""
        d = self.to_dict(units)["results"]
        return [(k, v["value"], v["p5"], v["p50"], v["p95"], v["unit"]) for k, v in d.items()]

    def sensitivity_rows(self, top: int | None = None) -> list[tuple]:
        rows = []
        for s in self.sensitivity[:top]:
            p = s.parameter
            rows.append((p.name, f"{p.low:g} .. {p.high:g} {p.unit}".rstrip(),
                         *(f"{100 * s.relative[n]:+.2f} %" for n in SENSITIVITY_RESULTS)))
        return rows

    def render(self, fmt: str = "table", units: str = "si", top: int | None = 15) -> str:
        """The results with P5/P50/P95, then the tornado table; ``fmt`` as for estimate."""
        import json

        from dcpower.output.render import table

        if fmt == "json":
            return json.dumps(self.to_dict(units), indent=2)
        heads = ["result", "value", "p5", "p50", "p95", "unit"]
        if fmt == "csv":
            return table(heads, self.rows(units), "csv")
        sens_heads = ["assumption", "range", *(f"{n} swing" for n in SENSITIVITY_RESULTS)]
        title = (f"dcpower estimate: {self.estimate.scenario.name}, {self.samples:,} samples "
                 f"(seed {self.seed}), triangular(low, value, high)")
        parts = [table(heads, self.rows(units), fmt),
                 "Sensitivity, one at a time (low -> high end, change against nominal):",
                 table(sens_heads, self.sensitivity_rows(top), fmt)]
        if fmt == "html":
            return f"<p><b>{html.escape(title)}</b></p>" + "".join(parts[:1]) + \
                f"<p>{html.escape(parts[1])}</p>" + parts[2]
        head = f"**{title}**" if fmt == "markdown" else title
        notes = "\n".join(f"warning: {w}" for w in self.estimate.warnings)
        return "\n\n".join([head, *parts] + ([notes] if notes else []))

    def summary(self, units: str = "si") -> str:
        return self.render("table", units)

    def _repr_markdown_(self) -> str:
        return self.render("markdown")

    def _repr_html_(self) -> str:
        return self.render("html")

    def to_frame(self, units: str = "si"):
        """Results with P5/P50/P95 as a pandas DataFrame (needs pandas)."""
        from dcpower.chain.result import _frame

        return _frame(["result", "value", "p5", "p50", "p95", "unit"], self.rows(units), "result")

    def __repr__(self) -> str:
        p = self.percentiles.get("facility_power")
        fp = f" facility_power P5/P50/P95 = {p[0]:.1f}/{p[1]:.1f}/{p[2]:.1f} MW" if p else ""
        return f"<UncertainEstimate {self.estimate.scenario.id}: {self.samples} samples{fp}>"


# ------------------------------------------------------------------ entry point

def uncertainty(scenario=None, *, samples: int = 1000, seed: int | None = None, specs_dirs=(),
                settings: dict | None = None, estimate: Estimate | None = None, bins: int = 150,
                **overrides) -> UncertainEstimate:
    """Monte Carlo percentiles and one-at-a-time sensitivity of an estimate.

    Parameters
    ----------
    scenario, specs_dirs, settings, **overrides
        As for :func:`dcpower.estimate`.
    samples : int
        Number of Monte Carlo samples N (>= 1).
    seed : int, optional
        Seed of the random generator; the same seed gives the same percentiles.
        Default :data:`DEFAULT_SEED`.
    estimate : Estimate, optional
        An estimate already run with the same inputs (saves one run).
    bins : int
        Upper bound on the number of weather bins.

    Returns
    -------
    UncertainEstimate

    Examples
    --------
    >>> import dcpower
    >>> u = dcpower.uncertainty(samples=500)
    >>> p5, p50, p95 = u.percentiles["facility_power"]
    >>> p5 < p50 < p95
    True
    """
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 1:
        raise InputError(f"uncertainty needs at least 1 sample, got {samples!r}; e.g. 1000")
    seed = DEFAULT_SEED if seed is None else int(seed)
    if estimate is None:
        estimate = pipeline.estimate(scenario, specs_dirs=specs_dirs, settings=settings, **overrides)
    r = estimate.internals["specs"]
    b = weather_bins(r.weather, bins)

    found: dict[str, SpecValue] = {}
    nominal = _chain(r, b, {}, found, 1)  # also lists the ranged values the chain reads
    params = []
    for name, sv in found.items():
        v, lo, hi, unit = _units_of(sv)
        if hi > lo:
            params.append(Parameter(name, v, lo, hi, format_unit(unit) if str(unit) != "dimensionless" else "",
                                    sv.citation()))

    # Monte Carlo, triangular(low, value, high), in chunks of samples.
    rng = np.random.default_rng(seed)
    draws_in = {p.name: rng.triangular(p.low, p.value, p.high, size=samples) for p in params}
    chunks = []
    for start in range(0, samples, CHUNK):
        cols = {k: v[start:start + CHUNK] for k, v in draws_in.items()}
        rows = min(CHUNK, samples - start)
        chunks.append(_chain(r, b, _values(found, cols), {}, rows))
    draws = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
    percentiles = {k: tuple(float(x) for x in np.percentile(v, PERCENTILES)) for k, v in draws.items()}
    for name in CONSTANT:
        if name in estimate.results:
            val = float(estimate.results[name].magnitude)
            percentiles[name] = (val, val, val)

    # One at a time: rows 2k and 2k+1 hold parameter k at its low and high end.
    k = len(params)
    swings: list[Swing] = []
    if k:
        cols = {}
        for i, p in enumerate(params):
            col = np.full(2 * k, p.value)
            col[2 * i], col[2 * i + 1] = p.low, p.high
            cols[p.name] = col
        oat = _chain(r, b, _values(found, cols), {}, 2 * k)
        for i, p in enumerate(params):
            lo = {n: float(oat[n][2 * i]) for n in SENSITIVITY_RESULTS}
            hi = {n: float(oat[n][2 * i + 1]) for n in SENSITIVITY_RESULTS}
            rel = {n: (hi[n] - lo[n]) / nominal[n][0] if nominal[n][0] else 0.0 for n in SENSITIVITY_RESULTS}
            swings.append(Swing(p, lo, hi, rel))
        swings.sort(key=lambda s: -s.rank_key)
    return UncertainEstimate(estimate, samples, seed, params, percentiles, draws, swings,
                             {n: float(nominal[n][0]) for n in SENSITIVITY_RESULTS})


