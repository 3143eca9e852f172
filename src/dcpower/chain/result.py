"""The typed result of an estimate: named quantities with unit, description and provenance.

:data:`RESULTS` is the one table of every result's display units (SI and US) and
description; the renderers, studies and JSON read it from here. An :class:`Estimate` holds
the resolved scenario, the named results (pint Quantities), where each came from, the
steps for ``--explain``, the hourly series with timestamps, and warnings as data.
"""

from __future__ import annotations

import warnings as _warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np

from dcpower.catalog.loader import suggest
from dcpower.errors import DcpowerError, DcpowerWarning, InputError
from dcpower.report import Report, Table
from dcpower.units import format_unit

__all__ = ["Input", "Step", "Estimate", "Hourly", "RESULT_UNITS", "HOURLY_UNITS", "DESCRIPTIONS", "result_key",
           "describe", "display_unit", "display_pairs", "frame", "pandas", "hour_ending", "TYPICAL_YEAR"]


@dataclass(frozen=True)
class Input:
    """One input of a step: its value and where it came from."""

    name: str
    value: Any
    source: str


@dataclass
class Step:
    """One step of the model chain, as ``--explain`` shows it."""

    title: str
    formula: str
    inputs: list[Input] = field(default_factory=list)
    results: list[tuple[str, Any]] = field(default_factory=list)
    note: str | None = None

    def to_dict(self) -> dict:
        from dcpower.report import fmt_value

        return {"title": self.title, "formula": self.formula,
                "inputs": [{"name": i.name, "value": fmt_value(i.value), "source": i.source} for i in self.inputs],
                "results": [{"name": n, "value": fmt_value(v)} for n, v in self.results],
                "note": self.note}


# Display units of each result: (SI, US). Dimensionless results have "".
RESULT_UNITS: dict[str, tuple[str, str]] = {
    "gpu_power": ("MW", "MW"),
    "gpu_power_average": ("MW", "MW"),
    "host_power": ("MW", "MW"),
    "network_power": ("MW", "MW"),
    "storage_power": ("MW", "MW"),
    "it_power_nameplate": ("MW", "MW"),
    "it_power": ("MW", "MW"),
    "it_power_average": ("MW", "MW"),
    "cooling_power_average": ("MW", "MW"),
    "electrical_losses_average": ("MW", "MW"),
    "support_power_average": ("MW", "MW"),
    "site_services_power_average": ("MW", "MW"),
    "facility_power": ("MW", "MW"),
    "facility_power_average": ("MW", "MW"),
    "pue": ("", ""),
    "pue_design": ("", ""),
    "annual_it_energy": ("GWh", "GWh"),
    "annual_energy": ("GWh", "GWh"),
    "heat_rejected": ("MW", "TR"),
    "free_cooling_hours": ("h", "h"),
    "supply_temperature_exceeded_hours": ("h", "h"),
    "supply_temperature_excess_max": ("K", "delta_degF"),
    "supply_temperature_unmet": ("", ""),
    "water_per_day": ("m^3/d", "Mgal/d"),
    "annual_water": ("m^3", "Mgal"),
    "water_evaporated": ("m^3", "Mgal"),
    "water_blowdown": ("m^3", "Mgal"),
    "water_drift": ("m^3", "Mgal"),
    "wue": ("L/kWh", "L/kWh"),
    "annual_water_offsite": ("m^3", "Mgal"),
    "wue_source": ("L/kWh", "L/kWh"),
    "grid_power_peak": ("MW", "MW"),
    "grid_apparent_power": ("MVA", "MVA"),
    "grid_energy": ("GWh", "GWh"),
    "load_factor": ("", ""),
    "turbine_energy": ("GWh", "GWh"),
    "battery_energy": ("MWh", "MWh"),
    "battery_losses": ("MWh", "MWh"),
    "unserved_energy": ("MWh", "MWh"),
    "grid_cost": ("USD", "USD"),
    "fuel_cost": ("USD", "USD"),
    "turbine_om_cost": ("USD", "USD"),
    "annual_cost": ("USD", "USD"),
    "annual_co2": ("tCO2", "tCO2"),
    "servers": ("", ""),
    "racks": ("", ""),
    "gpus": ("", ""),
    "network_switches": ("", ""),
    "network_transceivers": ("", ""),
    "storage_systems": ("", ""),
    # Capacity sizing and grid dynamics (docs/sizing.md)
    "redundancy": ("", ""),
    "ups_modules": ("", ""),
    "ups_capacity": ("MW", "MW"),
    "transformers": ("", ""),
    "substation_transformers": ("", ""),
    "substation_capacity": ("MVA", "MVA"),
    "generators": ("", ""),
    "generator_capacity": ("MW", "MW"),
    "heat_rejection_capacity": ("MW", "TR"),
    "heat_rejection_installed": ("MW", "TR"),
    "cooling_towers": ("", ""),
    "dry_coolers": ("", ""),
    "cdus": ("", ""),
    "chillers": ("", ""),
    "chiller_capacity_required": ("MW", "TR"),
    "facility_water_flow": ("L/s", "gpm"),
    "supply_temperature_available": ("degC", "degF"),
    "supply_temperature_margin": ("K", "delta_degF"),
    "rows": ("", ""),
    "halls": ("", ""),
    "white_space_area": ("m^2", "ft^2"),
    "power_swing": ("MW", "MW"),
    # MW/min, the unit grid ramp limits are set in, so the swing's rate reads against ramp_limit
    "grid_ramp_rate": ("MW/min", "MW/min"),
    "ramp_limit": ("MW/min", "MW/min"),
    "battery_power_required": ("MW", "MW"),
    "battery_energy_required": ("MWh", "MWh"),
    "battery_power_installed": ("MW", "MW"),
    "battery_energy_installed": ("MWh", "MWh"),
    "grid_swing_with_battery": ("MW", "MW"),
    "grid_ramp_rate_with_battery": ("MW/min", "MW/min"),
    # per phase, named phase_<year>_<what> (or phase_<name>_<what>); looked up as phase_<what>
    "phase_gpus": ("", ""),
    "phase_it_power": ("MW", "MW"),
    "phase_facility_power": ("MW", "MW"),
    "phase_supply": ("MW", "MW"),
    "phase_battery_power": ("MW", "MW"),
    "phase_shortfall": ("MW", "MW"),
    "phases_facility_power": ("MW", "MW"),
    "phases_supply": ("MW", "MW"),
    "phases_shortfall": ("MW", "MW"),
}

DESCRIPTIONS = {
    "gpu_power": "accelerators at maximum power",
    "gpu_power_average": "accelerators at the scenario's utilization",
    "host_power": "rest of the servers at full load, PSU losses included",
    "network_power": "switches and optics of all fabrics",
    "storage_power": "shared storage systems",
    "it_power_nameplate": "IT provisioned: server nameplates + network + storage",
    "it_power": "IT expected peak: servers busy with the workload",
    "it_power_average": "IT load at the scenario's utilization",
    "cooling_power_average": "fans, pumps, chillers, heat rejection (annual mean)",
    "electrical_losses_average": "transformer, UPS and distribution losses (annual mean)",
    "support_power_average": "lighting of the white space (annual mean)",
    "site_services_power_average": "offices, block heaters, controls (annual mean)",
    "facility_power": "facility at design IT and design weather",
    "facility_power_average": "facility, annual mean",
    "pue": "annual, energy-weighted",
    "pue_design": "at design IT and design weather",
    "annual_it_energy": "IT energy over the typical year",
    "annual_energy": "facility energy over the typical year",
    "heat_rejected": "heat leaving the site at design",
    "free_cooling_hours": "hours with full economizer (no compressor)",
    "supply_temperature_exceeded_hours": "hours the plant cannot reach the supply temperature",
    "supply_temperature_excess_max": "largest hourly excess over the supply setpoint",
    "supply_temperature_unmet": "1 if supply missed in > 0.4 % of hours (35 h/yr)",
    "water_per_day": "site water (makeup), annual mean",
    "annual_water": "site water (makeup) over the year",
    "water_evaporated": "evaporation",
    "water_blowdown": "blowdown",
    "water_drift": "drift",
    "wue": "site WUE (The Green Grid)",
    "annual_water_offsite": "water used to generate the grid energy",
    "wue_source": "site plus off-site water per IT kWh",
    "grid_power_peak": "peak draw at the meter",
    "grid_apparent_power": "peak apparent power at the meter",
    "grid_energy": "energy from the grid",
    "load_factor": "grid energy over peak x 8760 h",
    "turbine_energy": "energy from on-site turbines",
    "battery_energy": "battery discharge",
    "battery_losses": "battery round-trip losses",
    "unserved_energy": "load above grid + turbines + battery",
    "grid_cost": "grid energy (and demand) charges",
    "fuel_cost": "turbine fuel",
    "turbine_om_cost": "turbine variable O&M",
    "annual_cost": "grid + fuel + O&M",
    "annual_co2": "grid plus on-site gas",
    "servers": "servers",
    "racks": "racks",
    "gpus": "accelerators",
    "network_switches": "switches, all fabrics",
    "network_transceivers": "optical modules, all fabrics",
    "storage_systems": "storage systems",
    "redundancy": "installed UPS capacity over UPS design load",
    "ups_modules": "UPS modules, with redundancy",
    "ups_capacity": "installed UPS capacity",
    "transformers": "MV/LV unit-substation transformers, with redundancy",
    "substation_transformers": "HV/MV substation transformers, with redundancy",
    "substation_capacity": "installed substation (utility interconnect) capacity",
    "generators": "standby generator sets, site-derated, with redundancy",
    "generator_capacity": "installed generator capacity at site conditions",
    "heat_rejection_capacity": "heat to reject at the site's design conditions",
    "heat_rejection_installed": "installed tower / dry-cooler capacity at rating",
    "cooling_towers": "cooling-tower cells, with redundancy",
    "dry_coolers": "dry coolers, with redundancy",
    "cdus": "coolant distribution units, with redundancy",
    "chillers": "chillers, with redundancy",
    "chiller_capacity_required": "chiller load at the design point",
    "facility_water_flow": "facility water flow at design",
    "supply_temperature_available": "coldest supply the plant makes without chillers at design",
    "supply_temperature_margin": "liquid-class supply limit minus the available supply",
    "rows": "rows of racks",
    "halls": "data halls",
    "white_space_area": "white space (racks x rack footprint)",
    "power_swing": "training swing at the meter, all GPUs in phase",
    "grid_ramp_rate": "rate of rise of the swing at the meter (lower bound)",
    "ramp_limit": "grid ramp limit the battery is sized for",
    "battery_power_required": "battery power to hold the ramp limit",
    "battery_energy_required": "battery energy to hold the ramp limit",
    "battery_power_installed": "the scenario's batteries, power",
    "battery_energy_installed": "the scenario's batteries, energy",
    "grid_swing_with_battery": "swing left at the grid with the scenario's batteries",
    "grid_ramp_rate_with_battery": "slowest job-start ramp the scenario's batteries allow",
    "phase_gpus": "GPUs this phase adds",
    "phase_it_power": "IT design power this phase adds",
    "phase_facility_power": "facility design power, all phases so far",
    "phase_supply": "grid allocation plus turbines, all phases so far",
    "phase_battery_power": "battery power, all phases so far",
    "phase_shortfall": "design load above grid plus turbines",
    "phases_facility_power": "facility design power, all phases",
    "phases_supply": "grid allocation plus turbines, all phases",
    "phases_shortfall": "design load above grid plus turbines, all phases",
}


def result_key(name: str) -> str:
    """Per-phase results ``phase_<id>_<what>`` share the unit and description of ``phase_<what>``."""
    if name.startswith("phase_") and name not in RESULT_UNITS:
        for suffix in ("gpus", "it_power", "facility_power", "supply", "battery_power", "shortfall"):
            if name.endswith("_" + suffix):
                return "phase_" + suffix
    return name




def display_unit(name: str, units: str = "si") -> str:
    """Display unit of result ``name`` for ``units`` ("si" or "us"); "" when dimensionless."""
    if units not in ("si", "us"):  # anything else used to read as "us"
        raise InputError(f"units {units!r}: use 'si' or 'us'")
    return RESULT_UNITS.get(result_key(name), ("", ""))[0 if units == "si" else 1]


def describe(name: str) -> str:
    return DESCRIPTIONS.get(result_key(name), "")


# Display units of each hourly series: (SI, US), as RESULT_UNITS for the results.
HOURLY_UNITS: dict[str, tuple[str, str]] = {
    "dry_bulb": ("degC", "degF"),
    "wet_bulb": ("degC", "degF"),
    "it_power": ("MW", "MW"),
    "cooling_power": ("MW", "MW"),
    "electrical_losses": ("MW", "MW"),
    "facility_power": ("MW", "MW"),
    "grid_power": ("MW", "MW"),
    "economizer_fraction": ("", ""),
    "water": ("m^3/h", "gpm"),
    "heat_out": ("MW", "TR"),
}


def display_pairs() -> list[tuple[str, str]]:
    """Every distinct (SI, US) display-unit pair of the results and hourly series, dimensionless left out."""
    pairs = {p: None for p in list(RESULT_UNITS.values()) + list(HOURLY_UNITS.values()) if p[0]}
    return list(pairs)


# A typical year has 8,760 hours and no 29 February; its rows are labelled in this non-leap year.
TYPICAL_YEAR = 2001
# Hour 1 of a typical-year file is the hour ending 01:00 on 1 January, local standard time
# (EnergyPlus Weather File Data Dictionary, field "Hour": 1 to 24, the hour ending then).
TYPICAL_YEAR_START = np.datetime64(f"{TYPICAL_YEAR}-01-01T00:00")


def hour_ending(hours: int, time_zone: float | None) -> list[datetime]:
    """The end of each hour of the typical year, as EPW numbers them, in local standard time.

    Hour 1 ends at 01:00 on 1 January of :data:`TYPICAL_YEAR`, hour 8,760 at 00:00 on 1 January
    of the next year (EPW hour 24 of 31 December). ``time_zone`` is the weather's standard time
    in hours from UTC, made a fixed-offset time zone (no daylight saving, as in the file);
    ``None`` gives naive times.
    """
    tz = None if time_zone is None else timezone(timedelta(hours=float(time_zone)))
    start = datetime(TYPICAL_YEAR, 1, 1, tzinfo=tz)
    return [start + timedelta(hours=i + 1) for i in range(hours)]


@dataclass(frozen=True)
class Hourly:
    """The typical year hour by hour: weather, IT, cooling, losses, facility, grid, water, heat.

    Every series is a pint Quantity (``economizer_fraction`` a dimensionless one); their display
    units are in :data:`HOURLY_UNITS`.
    """

    dry_bulb: Any
    wet_bulb: Any
    it_power: Any
    cooling_power: Any
    electrical_losses: Any
    facility_power: Any
    grid_power: Any
    economizer_fraction: Any
    water: Any
    heat_out: Any

    @property
    def time(self) -> np.ndarray:
        """Start of each hour, local standard time, in a non-leap typical year (datetime64)."""
        n = np.size(self.facility_power.magnitude)
        return TYPICAL_YEAR_START + np.arange(n).astype("timedelta64[h]")

    def keys(self) -> list[str]:
        return list(self.__dataclass_fields__)

    def __getitem__(self, name: str):
        return getattr(self, name)

    def __iter__(self):
        return iter(self.keys())  # the series' names, as a mapping iterates

    def __len__(self) -> int:
        return len(self.keys())

    def items(self):
        return [(k, getattr(self, k)) for k in self.keys()]

    def columns(self, units: str = "si") -> dict[str, tuple[np.ndarray, str]]:
        """``{name: (values, unit)}``: every series as floats in its display unit for ``units``
        ("si" or "us"), one value per hour (a constant series repeated); unit "" when dimensionless."""
        n = np.size(self.facility_power.magnitude)
        out = {}
        for name, q in self.items():
            unit = HOURLY_UNITS[name][0 if units == "si" else 1]
            values = np.asarray(q.to(unit or "dimensionless").magnitude, dtype=float).reshape(-1)
            out[name] = (np.broadcast_to(values, (n,)) if values.size == 1 else values, unit)
        return out


@dataclass
class Estimate:
    """What :func:`dcpower.estimate` returns.

    Attributes named as in :data:`RESULT_UNITS` give pint Quantities
    (``r.facility_power.to("MW")``). ``hourly`` holds the 8,760-hour series with their
    timestamps, ``steps`` the model chain for ``--explain``, ``provenance`` the step that
    produced each result, ``resolved`` the scenario with every spec it named, ``chain`` the
    typed output of every step.
    """

    resolved: Any
    results: dict[str, Any]
    provenance: dict[str, str]
    hourly: Hourly
    steps: list[Step]
    warnings: list[str]
    chain: Any = field(default=None, repr=False)

    @property
    def scenario(self):
        """The scenario as run, overrides applied."""
        return self.resolved.scenario

    @property
    def title(self) -> str:
        return self.resolved.title

    def __getattr__(self, name: str):
        results = self.__dict__.get("results", {})
        if name in results:
            return results[name]
        raise AttributeError(f"Estimate has no result '{name}'; results: {', '.join(results)}")

    def __dir__(self):
        return list(super().__dir__()) + list(self.results)

    def value(self, name: str, units: str = "si"):
        """Result ``name`` converted to its display unit for ``units`` ("si" or "us")."""
        if name not in self.results:
            raise InputError(f"unknown result '{name}'; {suggest(name, list(self.results))}")
        q = self.results[name]
        target = display_unit(name, units)
        if not target:
            return q.to("dimensionless") if hasattr(q, "to") else q
        return q.to(target)

    def to_dict(self, units: str = "si") -> dict:
        """``{"scenario": {...}, "results": {name: {"value", "unit", "description", "step"}}, "warnings"}``."""
        out = {}
        for name in self.results:
            q = self.value(name, units)
            out[name] = {"value": float(q.magnitude),
                         "unit": format_unit(q.units) if str(q.units) != "dimensionless" else "",
                         "description": describe(name), "step": self.provenance.get(name, "")}
        return {"scenario": self.resolved.to_dict(), "results": out, "warnings": list(self.warnings)}

    def rows(self, units: str = "si") -> list[tuple[str, float, str, str]]:
        """``(name, value, unit, description)`` for each result."""
        d = self.to_dict(units)["results"]
        return [(k, v["value"], v["unit"], v["description"]) for k, v in d.items()]

    def report(self, units: str = "si", explain: bool = False, shown=None) -> Report:
        """The estimate as a :class:`~dcpower.report.Report`: the results named in ``shown`` (all
        when None) in the tables, every result in the JSON; the steps when ``explain``."""
        data = self.to_dict(units)
        if explain:
            data["steps"] = [s.to_dict() for s in self.steps]
        rows = [list(r) for r in self.rows(units) if shown is None or r[0] in shown]
        return Report(f"dcpower estimate: {self.title}", [Table(["result", "value", "unit", "what"], rows)], data,
                      list(self.warnings), csv=Table(["name", "value", "unit", "description"], rows),
                      steps=self.steps if explain else None)

    def issue_warnings(self, stacklevel: int = 3) -> None:
        """Issue each warning through :mod:`warnings` as a :class:`~dcpower.errors.DcpowerWarning`."""
        for w in self.warnings:
            _warnings.warn(w, DcpowerWarning, stacklevel=stacklevel)

    def summary(self, units: str = "si") -> str:
        from dcpower.report import render

        return render(self, "table", units)

    def __repr__(self) -> str:
        f = self.results.get("facility_power")
        return f"<Estimate {self.title}: facility_power={f.to('MW'):.1f~}>" if f is not None else "<Estimate>"

    def _repr_markdown_(self) -> str:
        from dcpower.report import render

        return render(self, "markdown", "si")

    def _repr_html_(self) -> str:
        from dcpower.report import render

        return render(self, "html", "si")

    def to_frame(self, units: str = "si"):
        """The hourly series of the typical year as a pandas DataFrame (needs pandas:
        ``pip install "dcpower[frame]"``).

        One row per hour, 8,760 in all. The index, named ``hour_ending``, holds the end of each
        hour as EnergyPlus weather files number them, in the site's local standard time: a
        fixed-offset time zone from the weather file (``resolved.weather.time_zone``; no daylight
        saving, as in the file), naive when the file gives none. The typical year is labelled
        2001 (non-leap): the first row ends at 2001-01-01 01:00, the last at 2002-01-01 00:00
        (hour 24 of 31 December), see :func:`hour_ending`.

        Columns are the :attr:`hourly` series (``dry_bulb``, ``it_power``, ``facility_power``,
        ``water``, ...) as floats in the display units of ``units`` ("si" or "us");
        ``df.attrs["units"]`` maps each column to its unit (``"MW"``, ``"m^3/h"``; ``""`` for
        the dimensionless ``economizer_fraction``). :meth:`results_frame` gives the results table.
        """
        pd = pandas("to_frame()")
        columns = self.hourly.columns(units)
        n = len(next(iter(columns.values()))[0])
        index = pd.DatetimeIndex(hour_ending(n, self.resolved.weather.time_zone), name="hour_ending")
        df = pd.DataFrame({name: values for name, (values, _) in columns.items()}, index=index)
        df.attrs["units"] = {name: unit for name, (_, unit) in columns.items()}
        return df

    def results_frame(self, units: str = "si"):
        """The results as a pandas DataFrame indexed by result name (needs pandas)."""
        return frame(["result", "value", "unit", "description"], self.rows(units), "result")


def pandas(what: str = "to_frame()"):
    """The pandas module; a one-line error naming the extra to install when it is missing."""
    try:
        import pandas as pd
    except ImportError:
        raise DcpowerError(f'{what} needs pandas: pip install "dcpower[frame]" (in a checkout of dcpower: '
                           'pip install ".[frame]"), or use to_dict()') from None
    return pd


def frame(columns, rows, index):
    """A pandas DataFrame of ``rows``; a one-line error when pandas is missing."""
    pd = pandas("to_frame()")
    return pd.DataFrame([list(r) for r in rows], columns=list(columns)).set_index(index)
