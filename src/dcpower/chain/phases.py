"""Phased build-outs: each phase's increment through the same chain, loads and supplies summed.

Each ``[[phases]]`` table of a scenario lists what that phase ADDS (GPUs of one accelerator,
grid allocation, turbines, batteries). Each phase's cluster increment is estimated with the
same site, weather, cooling and electrical chain (:func:`~dcpower.chain.run.run_chain`), and
loads and supplies are summed in phase order: phase k reports the facility design power of
all phases up to k against the grid allocation plus turbines of all phases up to k. Results
are named ``phase_<year>_<what>`` (``phase_<name>_<what>`` when years are missing or repeat).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from dcpower.chain.explain import Recorder
from dcpower.chain.resolve import Resolved, resolve
from dcpower.chain.result import Input
from dcpower.chain.run import chain_results, run_chain
from dcpower.errors import InputError
from dcpower.units import Q_
from dcpower.weather.model import AirStates

__all__ = ["build_out"]


def _increment(r: Resolved, p) -> tuple:
    """IT and facility design power [MW] that phase ``p`` adds, on the scenario's site and plant."""
    s = r.scenario
    data = s.model_dump()
    server = p.server
    followed = s.server is not None and r.server.id != s.server  # the user changed the hall, not the servers
    if followed and server is not None and r.catalog.get("server", server).cooling != r.server.cooling:
        server = None  # the phase's server follows the hall too: its accelerator's server for it
    data.update(gpus=p.gpus, accelerator=p.accelerator, server=server, phases=[],
                gpus_per_rack=None if p.accelerator != s.accelerator else s.gpus_per_rack)
    data["onsite"] = {"grid_limit": None, "turbines": 0, "batteries": 0}
    sub = resolve(type(s).model_validate(data), catalog=r.catalog)
    # the phase shares the scenario's site, weather and plant, with any --set applied to them
    sub = dataclasses.replace(sub, cooling=r.cooling, site=r.site, grid=r.grid, weather=r.weather, design=r.design,
                              elevation=r.elevation, transformer=r.transformer, ups=r.ups,
                              distribution=r.distribution, mv_distribution=r.mv_distribution,
                              hv_transformer=r.hv_transformer, storage=r.storage, fabrics=r.fabrics)
    results = chain_results(run_chain(sub, AirStates.hours_of(sub.weather)))
    return Q_(float(results["it_power"].to("MW").magnitude[0]), "MW"), \
        Q_(float(results["facility_power"].to("MW").magnitude[0]), "MW")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_") or "x"


def build_out(r: Resolved, rec: Recorder) -> dict:
    """Each phase's increment through the chain; loads and supplies summed in phase order."""
    s, cat = r.scenario, r.catalog
    phases = s.phases
    years = [p.year for p in phases]
    by_year = all(y is not None for y in years) and len(set(years)) == len(years)
    out: dict[str, Any] = {}
    load = Q_(0.0, "MW")
    grid = Q_(0.0, "MW")
    turbines = batteries = 0
    turbine = cat.get("turbine", s.onsite.turbine) if s.onsite.turbine else None
    battery = cat.get("battery", s.onsite.battery) if s.onsite.battery else None
    rows = []
    for p in phases:
        key = f"phase_{p.year}" if by_year else f"phase_{_slug(p.name)}"
        inc_it, inc_fac = _increment(r, p)
        load = load + inc_fac
        if p.grid_limit is not None:
            grid = grid + p.grid_limit.quantity.to("MW")
        turbines += p.turbines
        batteries += p.batteries
        if p.turbines and turbine is None:
            raise InputError(f"phase '{p.name}' adds turbines but the scenario names no [onsite] turbine")
        if p.batteries and battery is None:  # they counted for nothing
            raise InputError(f"phase '{p.name}' adds batteries but the scenario names no [onsite] battery")
        t_cap = turbines * turbine.rated_power.quantity.to("MW") if turbine is not None else Q_(0.0, "MW")
        b_cap = batteries * battery.power.quantity.to("MW") if battery is not None else Q_(0.0, "MW")
        firm = grid + t_cap
        short = load - firm if load > firm else Q_(0.0, "MW")
        out[f"{key}_gpus"] = Q_(p.gpus, "dimensionless")
        out[f"{key}_it_power"] = inc_it
        out[f"{key}_facility_power"] = load
        out[f"{key}_supply"] = firm
        out[f"{key}_battery_power"] = b_cap
        out[f"{key}_shortfall"] = short
        rows.append((f"{key}: {p.name}", f"+{p.gpus:,} {p.accelerator}, +{inc_fac:.1f~}; total {load:.1f~} "
                     f"vs grid {grid:.0f~} + turbines {t_cap:.0f~}"))
        if short.magnitude > 0:
            rec.warn(f"phase '{p.name}'{f' ({p.year})' if p.year else ''}: design load {load:.1f~} exceeds "
                     f"grid allocation plus turbines ({firm:.1f~}) by {short:.1f~}"
                     + (f"; batteries ({b_cap:.0f~}) can cover it only for hours" if b_cap.magnitude else ""))
    out["phases_facility_power"] = load
    out["phases_supply"] = firm
    out["phases_shortfall"] = load - firm if load > firm else Q_(0.0, "MW")
    rec.step("Phased build-out", "each phase's increment estimated with the scenario's site, cooling and "
             "electrical chain; load_k = sum of facility design power up to k; supply_k = sum of grid "
             "allocations + turbines up to k; shortfall = max(load - supply, 0)",
             [Input(p.name, f"{p.gpus:,} x {p.accelerator}", f"scenario phases ({p.year})") for p in phases],
             rows + [("phases_facility_power", load), ("phases_supply", firm),
                     ("phases_shortfall", out["phases_shortfall"])],
             note="Batteries are not counted as firm supply; turbines at ISO rating (no hot-day derate).")
    return out
