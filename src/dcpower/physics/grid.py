"""Grid: on-site generation dispatch, energy, cost and emissions.

On-site turbines run only for the part of the load above the grid allocation (peak
shaving), the way Colossus used its turbines before the second substation; batteries
cover what remains above allocation plus turbines, limited by their power. Everything
works on hourly arrays.
"""

from __future__ import annotations

import numpy as np

from dcpower.units import Q_

__all__ = ["dispatch", "rechargeable_discharge", "energy", "energy_cost", "fuel_co2", "fuel_cost", "variable_om_cost",
           "recharge_energy", "load_factor"]


def dispatch(facility_power, grid_limit, turbine_capacity, battery_power):
    """Split each hour's load between grid, turbines and battery.

    Parameters
    ----------
    facility_power : Quantity
        Hourly facility load. [W]
    grid_limit : Quantity or None
        Grid allocation; ``None`` means unlimited (no on-site dispatch). [W]
    turbine_capacity : Quantity
        Total rated power of on-site turbines. [W]
    battery_power : Quantity
        Total discharge power of on-site batteries. [W]

    Returns
    -------
    tuple of Quantity
        ``(grid, turbine, battery, unserved)`` hourly power. [W]

    Notes
    -----
    ``excess = max(P - limit, 0)``; turbines take ``min(excess, capacity)``; the battery
    takes what remains up to its power; anything beyond is unserved. The battery's energy
    is not limited here: :func:`rechargeable_discharge` keeps only what spare supply can put
    back over the year, and the sizing view checks its energy against the training swing.
    """
    p = facility_power.to("W").magnitude
    if grid_limit is None:
        zero = np.zeros_like(p)
        return Q_(p, "W"), Q_(zero, "W"), Q_(zero, "W"), Q_(zero.copy(), "W")
    limit = grid_limit.to("W").magnitude
    excess = np.maximum(p - limit, 0.0)
    turb = np.minimum(excess, turbine_capacity.to("W").magnitude)
    batt = np.minimum(excess - turb, battery_power.to("W").magnitude)
    unserved = excess - turb - batt
    grid = p - excess
    return Q_(grid, "W"), Q_(turb, "W"), Q_(batt, "W"), Q_(unserved, "W")


def rechargeable_discharge(discharge, headroom, weights, round_trip_efficiency):
    """The part of a battery's discharge that spare supply in other hours can put back.

    Parameters
    ----------
    discharge : Quantity
        Battery discharge in each state, as :func:`dispatch` gives it, shape ``(..., H)``. [W]
    headroom : Quantity
        Supply the recharging source has left over in each state (the grid allocation less the
        grid's draw; the turbines' rating less their output on an islanded site). [W]
    weights : array
        Hours each state stands for, shape ``(H,)``. [h]
    round_trip_efficiency : float or array
        AC round-trip efficiency; per sample ``(S, 1)`` in a Monte Carlo. [-]

    Returns
    -------
    Quantity
        Discharge scaled by ``k = min(1, eta sum_h w_h headroom_h / sum_h w_h discharge_h)``. [W]

    Notes
    -----
    A battery stores energy, it does not make it: over the year it must take back
    ``E_out / eta`` (:func:`recharge_energy`), and only a source with power to spare can give
    it. Where the load stays above the allocation and the turbines all year (no headroom), the
    battery can give nothing for long and the load above them is unserved. The bound holds
    whatever order the states come in (hours or weather bins); it does not follow the state of
    charge hour by hour, so a plateau longer than the battery's rated hours is still carried
    when the year as a whole has the headroom to recharge it.
    """
    d = discharge.to("W").magnitude
    given = np.sum(d * weights, axis=-1, keepdims=True)
    spare = np.sum(np.maximum(headroom.to("W").magnitude, 0.0) * weights, axis=-1, keepdims=True)
    back = spare * np.asarray(round_trip_efficiency, dtype=float)
    shape = np.broadcast_shapes(np.shape(back), np.shape(given))
    k = np.minimum(1.0, np.divide(back, given, out=np.ones(shape), where=np.broadcast_to(given > 0, shape)))
    return Q_(d * k, "W")


def energy(hourly_power):
    """Energy over the hours of a typical year: ``sum(P_h) x 1 h``. [MWh]"""
    return (Q_(float(np.sum(hourly_power.to("W").magnitude)), "W") * Q_(1, "h")).to("MWh")


def load_factor(energy_total, peak, hours):
    """Average over peak demand: ``E / (P_peak T)``. [-]"""
    return (energy_total / (peak * Q_(hours, "h"))).to("dimensionless")


def energy_cost(grid_energy, price, peak_demand=None, demand_charge=None, months: int = 12):
    """Annual electricity bill: energy charge plus an optional monthly demand charge. [USD]

    Notes
    -----
    ``C = E p + 12 P_peak d`` where ``d`` is the charge per kW of monthly peak; the
    typical-year peak is used for every month, which errs high.
    """
    cost = (grid_energy * price).to("USD")
    if demand_charge is not None and peak_demand is not None:
        cost = cost + (peak_demand * demand_charge * Q_(months, "month")).to("USD")
    return cost


def fuel_co2(electric_energy, heat_rate, co2_per_fuel_energy):
    """CO2 of on-site generation: ``E x heat rate x fuel CO2 factor``. [tCO2]

    References
    ----------
    .. [1] US EPA, "GHG Emission Factors Hub" (2024): natural gas 53.06 kg CO2/MMBtu.
    """
    return (electric_energy * heat_rate * co2_per_fuel_energy).to("tCO2")


def fuel_cost(electric_energy, heat_rate, fuel_price):
    """Fuel bill of on-site generation: ``C = E x heat rate x fuel price``. [USD]

    Notes
    -----
    The heat rate and the fuel price must be on the same heating-value basis (HHV for US
    gas prices and the EPA fuel factor), as for :func:`fuel_co2`.
    """
    return (electric_energy * heat_rate * fuel_price).to("USD")


def variable_om_cost(electric_energy, variable_om):
    """Non-fuel operating cost of generation per MWh: ``C = E x VOM``. [USD]"""
    return (electric_energy * variable_om).to("USD")


def recharge_energy(discharged, round_trip_efficiency):
    """Energy to put back what a battery gave: ``E_in = E_out / eta``. [same unit as ``discharged``]

    Notes
    -----
    ``eta`` is the AC round-trip efficiency; the loss ``E_out (1/eta - 1)`` leaves the site
    as heat in the battery enclosure, outside the facility's heat balance.
    """
    return discharged / round_trip_efficiency
