"""The model chain on a batch: every step in order, then the annual results, per sample.

:func:`run_chain` evaluates a :class:`~dcpower.chain.resolve.Resolved` scenario on a set of
outdoor-air states (the 8,760 hours of the typical year, or weather bins for a Monte Carlo)
and returns a :class:`Chain`: the typed output of every step. :func:`chain_results` turns it
into named results, each a Quantity with one value per sample. The estimate, the Monte Carlo,
sweeps, fits and phases all call these two functions; there is no second copy of the chain.

Annual totals are weighted sums over the states: ``E = sum_h P_h w_h x 1 h`` where ``w_h`` is
the hours a state stands for (one for each hour of the year).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dcpower.chain import steps
from dcpower.chain.resolve import Resolved
from dcpower.chain.steps import GridSupply, ITLoad, ITPower, FabricLoad, Plant, StorageLoad, TowerWater
from dcpower.physics import cooling as cool
from dcpower.physics import electrical as elec
from dcpower.physics import grid as gridmod
from dcpower.physics import water
from dcpower.units import Q_
from dcpower.weather.model import AirStates

__all__ = ["Chain", "run_chain", "chain_results", "CHAIN_RESULTS", "UNMET_HOURS_SHARE", "shown_results"]

# A plant missing its supply temperature in more than this share of the hours is flagged
# (``supply_temperature_unmet``): ASHRAE's 0.4 % annual design conditions (Handbook -
# Fundamentals, ch. 14), which cooling plants are sized for, are exceeded 0.4 % of the year
# (35 h), so a plant designed to them misses its supply at most that often.
UNMET_HOURS_SHARE = 0.004

# Every result chain_results() can give (the last two only where the grid has a water intensity).
CHAIN_RESULTS = (
    "gpus", "servers", "racks", "gpu_power", "gpu_power_average", "host_power", "network_power", "storage_power",
    "network_switches", "network_transceivers", "storage_systems", "it_power_nameplate", "it_power", "it_power_average", "cooling_power_average",
    "electrical_losses_average", "support_power_average", "site_services_power_average",
    "facility_power", "facility_power_average",
    "annual_it_energy", "annual_energy", "pue", "pue_design", "heat_rejected", "free_cooling_hours",
    "supply_temperature_exceeded_hours", "supply_temperature_excess_max", "supply_temperature_unmet",
    "water_evaporated", "water_blowdown", "water_drift", "annual_water",
    "water_per_day", "wue", "grid_power_peak", "grid_apparent_power", "grid_energy", "load_factor", "turbine_energy",
    "battery_energy", "battery_losses", "unserved_energy", "grid_cost", "fuel_cost", "turbine_om_cost", "annual_cost",
    "annual_co2", "annual_water_offsite", "wue_source")


def shown_results(results: dict) -> tuple:
    """The results an estimate's table and CSV show: the chain's, the supply-temperature excess and flag
    only where the plant misses its supply in some hour (JSON always has every result)."""
    exceeded = results.get("supply_temperature_exceeded_hours")
    if exceeded is not None and np.any(np.asarray(exceeded.magnitude) > 0):
        return CHAIN_RESULTS
    return tuple(n for n in CHAIN_RESULTS if n not in ("supply_temperature_excess_max", "supply_temperature_unmet"))


@dataclass(frozen=True)
class Chain:
    """What every step of the chain gave, for S samples at H outdoor-air states."""

    resolved: Resolved
    it: ITLoad
    fabrics: list[FabricLoad]
    storage: StorageLoad
    it_power: ITPower
    design_air: AirStates
    design: Plant           # (S, K): at each design point, IT at its expected peak
    design_index: np.ndarray  # (S,): which design point is worse
    nameplate: Plant        # (S, K): at each design point, IT at nameplate (what the electrical plant carries)
    air: AirStates
    hourly: Plant           # (S, H)
    water: TowerWater       # (S, H)
    grid: GridSupply

    @property
    def weights(self) -> np.ndarray:
        return self.air.weights

    @property
    def hours(self) -> float:
        return self.air.hours

    @property
    def design_condition(self) -> str:
        """The design point that set the peak (first sample), e.g. ``"extreme wet-bulb 32.8 degC dry-bulb /
        29.4 degC wet-bulb"``."""
        return self.design_air.labels[int(self.design_index[0])]

    def peak(self, q):
        """A design-evaluation quantity at the worse design point, per sample ``(S,)``."""
        v = steps.pick(q, self.design_index)
        return Q_(v.magnitude[:, 0], v.units)

    def total(self, q, unit: str):
        """Weighted sum over the states of an hourly rate, x 1 h, per sample ``(S,)``."""
        m = np.broadcast_to(q.magnitude, (self.resolved.samples, self.weights.size)) @ self.weights
        return (Q_(m, q.units) * Q_(1, "h")).to(unit)

    def mean(self, q, unit: str):
        """Hour-weighted mean of an hourly quantity, per sample ``(S,)``."""
        m = np.broadcast_to(q.to(unit).magnitude, (self.resolved.samples, self.weights.size)) @ self.weights
        return Q_(m / self.hours, unit)

    def hours_where(self, mask) -> np.ndarray:
        """Hours in which ``mask`` holds, per sample ``(S,)``."""
        m = np.broadcast_to(np.asarray(mask, dtype=float), (self.resolved.samples, self.weights.size))
        return m @ self.weights


def run_chain(r: Resolved, air: AirStates) -> Chain:
    """Every step of the chain for the scenario ``r`` at the outdoor-air states ``air``."""
    it = steps.it_load_step(r)
    fabrics = [steps.fabric_step(parts, it) for parts in r.fabrics]
    storage = steps.storage_step(r, it)
    it_power = steps.it_power_step(it, fabrics, storage)
    d_air = steps.design_air(r)
    design = steps.plant_step(r, it_power.design, it.racks, d_air)
    d_index = np.argmax(np.broadcast_to(design.facility.magnitude, (r.samples, d_air.dry_bulb.size)), axis=1)
    nameplate = steps.plant_step(r, it_power.nameplate, it.racks, d_air)
    hourly = steps.plant_step(r, it_power.average, it.racks, air, steps.design_ratings(design, d_index))
    tower = steps.tower_water_step(r, hourly, air)
    grid = steps.grid_step(r, hourly.facility, steps.pick(design.facility, d_index), air.weights)
    return Chain(r, it, fabrics, storage, it_power, d_air, design, d_index, nameplate, air, hourly, tower, grid)


def _per_sample(q, samples: int, unit: str | None = None):
    """Any per-sample value (scalar or ``(S, 1)``) as shape ``(S,)``."""
    if not hasattr(q, "units"):
        q = Q_(np.asarray(q, dtype=float), "dimensionless")
    q = q.to(unit) if unit else q
    return Q_(np.broadcast_to(np.reshape(np.asarray(q.magnitude, dtype=float), -1), (samples,)).copy(), q.units)


def chain_results(c: Chain) -> dict:
    """The named results of a chain, each a Quantity of shape ``(S,)``, in display order."""
    S = c.resolved.samples
    out = {}
    out.update(_it_results(c, S))
    out.update(_plant_results(c, S))
    out.update(_water_results(c, out["annual_it_energy"]))
    out.update(_grid_results(c, out))
    return out


def _it_results(c: Chain, S: int) -> dict:
    ps = _per_sample
    it, ip = c.it, c.it_power
    return {
        "gpus": ps(it.gpus, S), "servers": ps(it.servers, S), "racks": ps(it.racks, S),
        "gpu_power": ps(it.gpu_power, S, "MW"), "gpu_power_average": ps(it.gpu_power_average, S, "MW"),
        "host_power": ps(it.host_power, S, "MW"),
        "network_power": ps(ip.network, S, "MW"), "storage_power": ps(c.storage.power, S, "MW"),
        "network_switches": ps(ip.switches, S), "network_transceivers": ps(ip.transceivers, S),
        "storage_systems": ps(c.storage.systems, S),
        "it_power_nameplate": ps(ip.nameplate, S, "MW"), "it_power": ps(ip.design, S, "MW"),
        "it_power_average": ps(ip.average, S, "MW"),
    }


def _plant_results(c: Chain, S: int) -> dict:
    h, d = c.hourly, c.design
    it_energy = c.total(h.it, "GWh")
    energy = c.total(h.facility, "GWh")
    exceeded = Q_(c.hours_where(h.rejection.exceeded), "h")
    return {
        "cooling_power_average": c.mean(h.cooling_power, "MW"),
        "electrical_losses_average": c.mean(h.electrical_losses, "MW"),
        "support_power_average": c.mean(h.side.lighting, "MW"),
        "site_services_power_average": c.mean(h.site_services.total, "MW"),
        "facility_power": c.peak(d.facility).to("MW"),
        "facility_power_average": c.mean(h.facility, "MW"),
        "annual_it_energy": it_energy,
        "annual_energy": energy,
        "pue": (energy / it_energy).to("dimensionless"),
        "pue_design": (c.peak(d.facility) / c.peak(d.it)).to("dimensionless"),
        "heat_rejected": c.peak(d.heat_out).to("MW"),
        "free_cooling_hours": Q_(c.hours_where(h.rejection.economizer_fraction >= 1.0), "h"),
        "supply_temperature_exceeded_hours": exceeded,
        "supply_temperature_excess_max": _excess_max(c, S),
        "supply_temperature_unmet": Q_((exceeded.magnitude > UNMET_HOURS_SHARE * c.hours).astype(float),
                                       "dimensionless"),
    }


def _excess_max(c: Chain, S: int):
    """Largest excess of the reachable supply over the setpoint in any hour, per sample. [K]"""
    x = c.hourly.rejection.excess
    if x is None:
        return Q_(np.zeros(S), "K")
    m = np.broadcast_to(np.asarray(x.to("K").magnitude, dtype=float), (S, c.weights.size))
    return Q_(np.max(np.where(c.weights > 0, m, 0.0), axis=1), "K")


def _water_results(c: Chain, it_energy) -> dict:
    w = c.water
    evaporated = (c.total(w.evaporation, "kg") / cool.WATER_DENSITY).to("m^3")
    blowdown = (c.total(w.blowdown, "kg") / cool.WATER_DENSITY).to("m^3")
    drift = (c.total(w.drift, "kg") / cool.WATER_DENSITY).to("m^3")
    site = (evaporated + blowdown + drift).to("m^3")
    return {
        "water_evaporated": evaporated, "water_blowdown": blowdown, "water_drift": drift,
        "annual_water": site, "water_per_day": (site / Q_(c.hours / 24, "d")).to("m^3/d"),
        "wue": water.water_use_effectiveness(site, it_energy),
    }


def _supply_energy(c: Chain) -> dict:
    """Energy from grid, turbines and battery over the year, the battery's recharge included.

    The battery puts back ``E_out / eta`` (its round-trip efficiency) in hours below the
    allocation: from the grid, or from the turbines where the allocation is zero.
    """
    r, g = c.resolved, c.grid
    grid_energy = c.total(g.hourly_grid, "GWh")
    turbine_energy = c.total(g.hourly_turbine, "GWh")
    battery_energy = c.total(g.hourly_battery, "MWh")
    recharge = Q_(np.zeros_like(battery_energy.magnitude), "MWh")
    if r.battery is not None:
        recharge = gridmod.recharge_energy(battery_energy, _flat(r.battery.round_trip_efficiency.quantity))
    limit = r.scenario.onsite.grid_limit
    islanded = limit is not None and limit.quantity.to("W").magnitude <= 0
    if islanded:
        turbine_energy = turbine_energy + recharge.to("GWh")
    else:
        grid_energy = grid_energy + recharge.to("GWh")
    return {"grid_energy": grid_energy, "turbine_energy": turbine_energy, "battery_energy": battery_energy,
            "battery_losses": (recharge - battery_energy).to("MWh")}


def _costs_and_co2(c: Chain, energy: dict, peak) -> dict:
    """Grid bill, turbine fuel and O&M, their sum; CO2 of grid and turbine energy."""
    r, gd, S = c.resolved, c.resolved.grid, c.resolved.samples
    grid_energy, turbine_energy = energy["grid_energy"], energy["turbine_energy"]
    grid_cost = gridmod.energy_cost(grid_energy, _flat(gd.energy_price.quantity), peak,
                                    _flat(gd.demand_charge.quantity) if gd.demand_charge else None)
    co2 = (grid_energy * _flat(gd.carbon_intensity.quantity)).to("tCO2")
    fuel = om = Q_(0.0, "USD")
    if r.turbine is not None:
        heat_rate = _flat(r.turbine.heat_rate.quantity)
        co2 = co2 + gridmod.fuel_co2(turbine_energy, heat_rate, _flat(r.turbine.fuel_co2.quantity))
        if gd.gas_price is not None:
            fuel = gridmod.fuel_cost(turbine_energy, heat_rate, _flat(gd.gas_price.quantity))
        if r.turbine.variable_om is not None:
            om = gridmod.variable_om_cost(turbine_energy, _flat(r.turbine.variable_om.quantity))
    return {"grid_cost": _per_sample(grid_cost, S, "USD"), "fuel_cost": _per_sample(fuel, S, "USD"),
            "turbine_om_cost": _per_sample(om, S, "USD"), "annual_cost": _per_sample(grid_cost + fuel + om, S, "USD"),
            "annual_co2": _per_sample(co2, S, "tCO2")}


def _grid_results(c: Chain, so_far: dict) -> dict:
    r, g, S = c.resolved, c.grid, c.resolved.samples
    peak = _per_sample(g.peak, S, "MW")
    energy = _supply_energy(c)
    grid_energy = energy["grid_energy"]
    pf = _per_sample(r.scenario.electrical.power_factor.quantity, S).magnitude
    safe_peak = Q_(np.where(peak.magnitude > 0, peak.magnitude, 1.0), "MW")
    gd = r.grid
    out = {
        "grid_power_peak": peak,
        "grid_apparent_power": elec.apparent_power(peak, pf).to("MVA"),
        "grid_energy": _per_sample(grid_energy, S, "GWh"),
        "load_factor": Q_(np.where(peak.magnitude > 0, gridmod.load_factor(grid_energy, safe_peak, c.hours)
                                   .to("dimensionless").magnitude, 0.0), "dimensionless"),
        "turbine_energy": _per_sample(energy["turbine_energy"], S, "GWh"),
        "battery_energy": _per_sample(energy["battery_energy"], S, "MWh"),
        "battery_losses": _per_sample(energy["battery_losses"], S, "MWh"),
        "unserved_energy": c.total(g.hourly_unserved, "MWh"),
    }
    out.update(_costs_and_co2(c, energy, peak))
    if gd.water_intensity is not None:
        offsite = _per_sample(grid_energy * _flat(gd.water_intensity.quantity), S, "m^3")
        out["annual_water_offsite"] = offsite
        out["wue_source"] = ((so_far["annual_water"] + offsite) / so_far["annual_it_energy"]).to("L/kWh")
    return out


def _flat(q):
    """A sampled ``(S, 1)`` value as ``(S,)``, to meet per-sample results."""
    return Q_(np.reshape(q.magnitude, -1), q.units) if np.ndim(q.magnitude) else q
