"""The sizing and grid-dynamics steps of the model chain (``dcpower size``, ``dcpower grid``).

:func:`run` is called once near the end of :func:`dcpower.pipeline.estimate` with the
resolved specs and the design-point flows. It counts the plant to build (:mod:`dcpower.physics.sizing`),
models the training swing the grid sees and the battery that hides it (:mod:`dcpower.physics.dynamics`),
evaluates the phases of a build-out, records each step for ``--explain`` and returns flat results
``{name: Quantity}``.

Phases: each ``[[phases]]`` table of a scenario lists what that phase ADDS (GPUs of one
accelerator, grid allocation, turbines, batteries). Each phase's cluster increment is estimated
with the same site, cooling and electrical chain, and loads and supplies are summed in phase
order: phase k reports the facility design power of all phases up to k against the grid
allocation plus turbines of all phases up to k. Results are named ``phase_<year>_<what>``
(``phase_<name>_<what>`` when years are missing or repeat).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dcpower.physics import dynamics as dyn
from dcpower.physics import sizing as sz
from dcpower.chain.explain import Recorder, first
from dcpower.chain.explain import spec_input as _inp
from dcpower.chain.result import Input
from dcpower.chain import steps
from dcpower.chain.run import Chain
from dcpower.units import Q_

__all__ = ["size_plant", "grid_dynamics", "DEFAULT_RAMP_LIMIT"]

# No utility ramp requirement was retrieved: a 10 MW/min limit is an assumption, said so in --explain.
DEFAULT_RAMP_LIMIT = Q_(10.0, "MW/min")


def size_plant(c: Chain, rec: Recorder) -> dict:
    """Electrical plant, cooling plant and space for the first sample of ``c``."""
    out: dict[str, Any] = {}
    out.update(_electrical(c, rec))
    out.update(_cooling(c, rec))
    out.update(_space(c, rec))
    return out


def grid_dynamics(c: Chain, rec: Recorder) -> dict:
    """Training swing, ramp rate and the battery that holds the grid to its ramp limit."""
    return _dynamics(c, rec)


def _count(n):
    return Q_(int(n), "dimensionless")


# ---------------------------------------------------------------- electrical

def _generator_unit(r):
    """The generator set, its rating class, the site temperature and its site-derated real power."""
    return steps.generator_unit(r)


def _electrical(c: Chain, rec) -> dict:
    r = c.resolved
    cat, s = r.catalog, r.scenario
    z = s.sizing
    pf = float(s.electrical.power_factor.quantity.magnitude)
    ups = cat.get("ups_module", z.ups_module)
    ups_unit = Q_(ups.rating.quantity.to("kVA").magnitude * ups.power_factor.quantity.magnitude, "kW")
    # The electrical plant carries what is provisioned: IT at nameplate, at the worse design point.
    ups_load = first(c.peak(c.nameplate.it) + c.peak(c.nameplate.side.distribution_loss)).to("kW")
    n_ups = sz.redundant_units(ups_load, ups_unit, z.electrical_redundancy)
    ups_installed = sz.installed_capacity(n_ups, ups_unit)

    facility = first(c.peak(c.nameplate.facility)).to("kW")
    facility_kva = Q_(facility.magnitude / pf, "kVA")
    xf = cat.get("power_transformer", z.transformer)
    n_xf = sz.redundant_units(facility_kva, xf.rating.quantity, z.electrical_redundancy)
    sub = cat.get("power_transformer", z.substation_transformer)
    n_sub = sz.redundant_units(facility_kva, sub.rating.quantity, z.substation_redundancy)
    sub_cap = sz.installed_capacity(n_sub, sub.rating.quantity).to("MVA")

    gen, rating_sv, site_t, gen_unit = _generator_unit(r)
    n_gen = sz.redundant_units(facility, gen_unit, z.generator_redundancy)
    gen_installed = sz.installed_capacity(n_gen, gen_unit)

    rec.step("Sizing: electrical (UPS, transformers, substation, generators)",
             "n = ceil(P / U); N+k: n + k; 2N: 2n; 2(N+k): 2(n + k); xN/y: x ceil(P / (y U));  "
             "S = P / PF;  generator U_site = U_class x PF_gen x (1 - a_T max(T - T0, 0)) (1 - a_z max(z - z0, 0))",
             [Input("electrical redundancy (UPS, MV/LV transformers)", z.electrical_redundancy, "scenario sizing"),
              Input("generator redundancy", z.generator_redundancy, "scenario sizing"),
              Input("substation redundancy", z.substation_redundancy, "scenario sizing"),
              _inp(f"{ups.id}.rating", ups.rating), _inp(f"{ups.id}.power_factor", ups.power_factor),
              _inp(f"{xf.id}.rating", xf.rating), _inp(f"{sub.id}.rating", sub.rating),
              _inp(f"{gen.id}.{z.generator_rating}_rating", rating_sv),
              _inp(f"{gen.id}.power_factor", gen.power_factor),
              _inp(f"{gen.id}.temperature_derate", gen.temperature_derate),
              Input("site temperature for generator derate", site_t, r.design.source),
              Input("site elevation", r.elevation, r.elevation_source),
              _inp("power factor", s.electrical.power_factor)],
             [("UPS load, nameplate", ups_load.to("MW")), ("ups_modules", n_ups),
              ("UPS installed", ups_installed.to("MW")), ("facility apparent power, nameplate", facility_kva.to("MVA")),
              ("transformers", n_xf), ("substation_transformers", n_sub), ("substation_capacity", sub_cap),
              ("generator site rating", gen_unit.to("kW")), ("generators", n_gen),
              ("generator_capacity", gen_installed.to("MW"))],
             note="UPS modules carry the provisioned IT load (server nameplates, network, storage) plus "
                  "distribution losses; transformers, the substation and generators carry the whole facility "
                  "at that load and the design point (cooling included). "
                  "Generator class per ISO 8528-1: standby (ESP) <= 200 h/yr, prime (PRP) unlimited "
                  "hours at <= 70 % average load, continuous (COP) unlimited at constant load.")
    return {
        "redundancy": (ups_installed / ups_load).to("dimensionless"),
        "ups_modules": _count(n_ups),
        "ups_capacity": ups_installed.to("MW"),
        "transformers": _count(n_xf),
        "substation_transformers": _count(n_sub),
        "substation_capacity": sub_cap,
        "generators": _count(n_gen),
        "generator_capacity": gen_installed.to("MW"),
    }


# ---------------------------------------------------------------- cooling

def _class_margin(r, cls_id, sink, t_avail, tower, out, inputs, step_results, rec) -> None:
    """Can the heat-rejection plant alone make the supply temperature the liquid class asks?

    ASHRAE's W classes are for the facility water of liquid-cooled IT: only a hall whose servers
    put heat into liquid is checked; an air hall's chilled water is not a W class."""
    cat, c = r.catalog, r.cooling
    if not np.any(np.asarray(steps.liquid_fraction(r)) > 0):
        step_results.append(("liquid class", "none: air-cooled servers (chilled water is not a W class)"))
        return
    if cls_id is not None:
        lc = cat.get("liquid_class", cls_id)
        limit = lc.facility_supply_max.quantity.to("degC")
        margin = Q_(limit.magnitude - t_avail.to("degC").magnitude, "K")
        out["supply_temperature_margin"] = margin
        inputs.append(_inp(f"{lc.id}.facility_supply_max", lc.facility_supply_max))
        step_results.append(("liquid class", lc.id.upper()))
        step_results.append(("supply_temperature_margin", margin))
        if margin.magnitude < 0:
            said = (f"at the design {'wet' if tower else 'dry'}-bulb {sink.magnitude:.1f} degC the "
                    f"{'cooling towers' if tower else 'dry coolers'} deliver {t_avail.to('degC').magnitude:.1f} "
                    f"degC facility water, {-margin.magnitude:.1f} K above the {lc.id.upper()} limit "
                    f"({limit.magnitude:g} degC)")
            if c.chiller:  # the plant is built for it: its trim chillers carry the difference
                step_results.append(("at design", f"{said}: trim chillers carry the difference"))
            else:
                rec.warn(f"{said}: add chillers, choose a warmer liquid class or a plant with a smaller approach")
    else:
        rec.warn(f"supply temperature {c.supply_temperature.quantity:~} is above every ASHRAE liquid "
                            "class in the catalog (W+); no class check made")


def _chillers(ch: Chain, air_cooled: bool):
    """The chiller model (None without chillers), how many, and the design load they carry."""
    r = ch.resolved
    z, design = r.scenario.sizing, ch.design
    if not r.cooling.chiller:
        return None, 0, Q_(0.0, "W")
    q_chiller = Q_(float(np.max((design.loops.plant_heat[0] * (1 - design.rejection.economizer_fraction[0]))
                                .to("W").magnitude)), "W")
    chiller = r.catalog.get("chiller_unit", z.air_cooled_chiller if air_cooled else z.chiller)
    return chiller, sz.redundant_units(q_chiller, chiller.capacity.quantity, z.cooling_redundancy), q_chiller


def _cooling(ch: Chain, rec) -> dict:
    r = ch.resolved
    cat, s, c = r.catalog, r.scenario, r.cooling
    z = s.sizing
    design, design_air = ch.design, ch.design_air
    tower = c.heat_rejection == "cooling-tower"
    air_cooled = c.chiller_condenser_approach is not None  # chillers with their own air-cooled condensers
    q_reject = Q_(float(np.max(design.rejection.heat_rejected[0].to("W").magnitude)), "W")
    # Towers or dry coolers carry the plant heat; air-cooled chillers reject their own share and work.
    q_device = Q_(float(np.max(design.loops.plant_heat[0].to("W").magnitude)), "W") if air_cooled else q_reject
    unit = cat.get("heat_rejection_unit", z.tower_cell if tower else z.dry_cooler)
    has_devices = c.heat_rejection in ("cooling-tower", "dry-cooler")
    n_hr = sz.redundant_units(q_device, unit.capacity.quantity, z.cooling_redundancy) if has_devices else 0
    f = float(np.max(steps.liquid_fraction(r)))
    q_liquid = (f * first(ch.peak(design.it))).to("W")
    cdu = cat.get("cdu", z.cdu)
    n_cdu = sz.redundant_units(q_liquid, cdu.capacity.quantity, z.cooling_redundancy) if f > 0 else 0
    chiller, n_ch, q_chiller = _chillers(ch, air_cooled)
    installed = design.loops.water_flow_design
    flow = first(ch.peak(installed if installed is not None else design.loops.water_flow)).to("L/s")

    limits = {lc.id: lc.facility_supply_max.quantity for lc in cat.category("liquid_class").values()}
    cls_id = z.liquid_class or sz.liquid_class_for(c.supply_temperature.quantity, limits)
    sink = Q_(float(np.max((design_air.wet_bulb if tower else design_air.dry_bulb).to("degC").magnitude)), "degC")
    t_avail = sz.supply_temperature_available(sink, c.approach.quantity,
                                              c.hx_approach.quantity if c.hx_approach is not None else None)
    out = {
        "heat_rejection_capacity": q_reject.to("MW"),
        ("cooling_towers" if tower else "dry_coolers"): _count(n_hr),
        "heat_rejection_installed": (n_hr * unit.capacity.quantity).to("MW") if has_devices else Q_(0.0, "MW"),
        "cdus": _count(n_cdu),
        "chillers": _count(n_ch),
        "chiller_capacity_required": q_chiller.to("MW"),
        "facility_water_flow": flow,
        "supply_temperature_available": t_avail.to("degC"),
    }
    inputs = [Input("cooling redundancy", z.cooling_redundancy, "scenario sizing"),
              _inp(f"{unit.id}.capacity", unit.capacity), _inp(f"{cdu.id}.capacity", cdu.capacity),
              _inp(f"{r.server.id}.liquid_fraction", r.server.liquid_fraction), _inp(f"{c.id}.approach", c.approach),
              _inp(f"{c.id}.hx_approach", c.hx_approach), _inp(f"{c.id}.supply_temperature", c.supply_temperature),
              Input(f"design {'wet' if tower else 'dry'}-bulb", sink, r.design.source)]
    if chiller is not None:
        inputs.append(_inp(f"{chiller.id}.capacity", chiller.capacity))
    step_results = [("heat_rejection_capacity", q_reject.to("MW")), ("heat rejection, tons", q_reject.to("TR")),
                    ("cooling_towers" if tower else "dry_coolers", n_hr), ("cdus", n_cdu),
                    ("chiller load, design", q_chiller.to("MW")), ("chillers", n_ch),
                    ("facility_water_flow", flow), ("facility water flow, gpm", flow.to("gpm")),
                    ("supply_temperature_available", t_avail.to("degC"))]
    if has_devices:
        _class_margin(r, cls_id, sink, t_avail, tower, out, inputs, step_results, rec)
    rec.step(f"Sizing: cooling plant ({c.heat_rejection})",
             "Q_reject at the worse design point;  units = redundancy(Q / unit capacity);  "
             "Q_CDU = liquid fraction x P_IT;  Q_chiller = Q_plant (1 - economizer share);  V = Q / (rho cp dT);  "
             "T_supply,min = T_sink + approach + HX approach vs class limit",
             inputs, step_results,
             note="Unit capacities are at their rating conditions and are not corrected to the site's design "
                  "conditions.")
    return out


# ---------------------------------------------------------------- space

def _space(c: Chain, rec) -> dict:
    r = c.resolved
    cat, s = r.catalog, r.scenario
    racks = first(c.it.racks)
    lay = cat.get("layout", s.sizing.layout)
    rpr = int(lay.racks_per_row.quantity.magnitude)
    rph = int(lay.rows_per_hall.quantity.magnitude)
    rows, halls = sz.rows_and_halls(racks, rpr, rph)
    area = (racks * s.electrical.rack_footprint.quantity).to("m^2")
    rec.step("Sizing: space", "rows = ceil(racks / racks per row);  halls = ceil(rows / rows per hall);  "
             "white space = racks x rack footprint",
             [Input("racks", racks, "IT load step"), _inp(f"{lay.id}.racks_per_row", lay.racks_per_row),
              _inp(f"{lay.id}.rows_per_hall", lay.rows_per_hall),
              _inp("rack footprint", s.electrical.rack_footprint)],
             [("rows", rows), ("halls", halls), ("white_space_area", area)])
    return {"rows": _count(rows), "halls": _count(halls), "white_space_area": area}


# ---------------------------------------------------------------- dynamics

def _swing_spec(r, rec):
    cat, s = r.catalog, r.scenario
    if s.sizing.swing:
        return cat.get("swing", s.sizing.swing), 1.0
    for sw in cat.category("swing").values():
        if sw.accelerator == r.accelerator.id:
            return sw, 1.0
    base = cat.get("swing", "h100-sxm-training")
    h100 = cat.get("accelerator", base.accelerator)
    scale = float((r.accelerator.max_power.quantity / h100.max_power.quantity).to("dimensionless").magnitude)
    rec.warn(f"no measured training swing for {r.accelerator.id}; the grid dynamics of a training job "
             f"(power_swing, ramp rates, batteries) use {base.id} scaled by the ratio of maximum powers "
             f"({scale:.2f}), an assumption")
    return base, scale


def _battery_for_job(n, eta, idle, trough, peak, mean, period, duty, supply_ramp):
    """Battery power and energy for a simulated job: idle, ramp the supply up at the limit,
    train, stop, ramp down; the battery carries load minus grid."""
    step = (n * (mean - idle) / eta).to("W")
    ramp_time = (abs(step) / supply_ramp).to("s") if supply_ramp.magnitude > 0 else Q_(0.0, "s")
    t_on = Q_(2.0, "s")
    t_off = t_on + ramp_time + 20 * period
    t_end = t_off + ramp_time + Q_(2.0, "s")
    dt = max(period.to("s").magnitude / 40, t_end.to("s").magnitude / 2e6)
    t = Q_(np.arange(0.0, t_end.to("s").magnitude, dt), "s")
    load = n * dyn.training_load(t, idle, trough, peak, period, duty, t_on, t_off, Q_(dt, "s")) / eta
    grid = dyn.ramp_limited_grid(t, n * idle / eta, n * mean / eta, supply_ramp, t_on, t_off)
    return dyn.battery_requirement(t, load, grid)


def _supply_ramps(s, cat):
    """The utility's ramp limit, the on-site turbine (or None) and the ramp its fleet can follow."""
    limit = s.ramp_limit.quantity.to("MW/min") if s.ramp_limit is not None else DEFAULT_RAMP_LIMIT
    on = s.onsite
    turbine = cat.get("turbine", on.turbine) if on.turbine and on.turbines else None
    turbine_ramp = Q_(0.0, "MW/min")
    if turbine is not None and turbine.ramp_rate is not None:
        turbine_ramp = (on.turbines * turbine.ramp_rate.quantity).to("MW/min")
    return limit, turbine, turbine_ramp


def _dynamics(c: Chain, rec) -> dict:
    r = c.resolved
    s, cat = r.scenario, r.catalog
    sw, k = _swing_spec(r, rec)
    n = first(s.gpus)
    peak, trough = sw.peak_power.quantity * k, sw.trough_power.quantity * k
    mean, idle = sw.mean_power.quantity * k, sw.idle_power.quantity * k
    period = sw.period.quantity
    duty = dyn.energy_equivalent_duty(mean, trough, peak)
    psu = float(r.server.psu_efficiency.quantity.magnitude)
    it_d = first(c.peak(c.design.it)).to("W").magnitude
    losses = first(c.peak(c.design.electrical_losses)).to("W").magnitude
    eta = psu * it_d / (it_d + losses)
    swing = dyn.cluster_swing(n, trough, peak, eta).to("MW")
    ramp = dyn.cluster_ramp_rate(n, sw.ramp_rate.quantity * k, eta).to("MW/s")

    limit_sv, on = s.ramp_limit, s.onsite
    limit, turbine, turbine_ramp = _supply_ramps(s, cat)
    supply_ramp = limit + turbine_ramp

    step = (n * (mean - idle) / eta).to("W")
    b_power, b_energy = _battery_for_job(n, eta, idle, trough, peak, mean, period, duty, supply_ramp)

    bat = cat.get("battery", on.battery) if on.battery and on.batteries else None
    b_inst_p = on.batteries * bat.power.quantity.to("MW") if bat else Q_(0.0, "MW")
    b_inst_e = on.batteries * bat.energy.quantity.to("MWh") if bat else Q_(0.0, "MWh")
    residual = dyn.residual_swing(n * (peak - mean) / eta, n * (mean - trough) / eta, b_inst_p).to("MW")
    if b_inst_p >= b_power and b_inst_e.magnitude > 0:
        ramp_with = dyn.slowest_ramp_for_energy(step, b_inst_e).to("MW/min")
    else:
        ramp_with = ramp.to("MW/min")
    out = {
        "power_swing": swing, "grid_ramp_rate": ramp, "ramp_limit": limit.to("MW/min"),
        "battery_power_required": b_power.to("MW"), "battery_energy_required": b_energy.to("MWh"),
        "battery_power_installed": b_inst_p, "battery_energy_installed": b_inst_e,
        "grid_swing_with_battery": residual, "grid_ramp_rate_with_battery": ramp_with,
    }
    if bat is not None and (b_inst_p < b_power or b_inst_e < b_energy):
        rec.warn(f"the installed batteries ({b_inst_p:.1f~}, {b_inst_e:.1f~}) cannot hold the grid to "
                            f"{limit:.3g~}: they need {b_power.to('MW'):.1f~} and {b_energy.to('MWh'):.2f~}")
    rec.step(f"Grid dynamics: training swing and battery ({sw.id})",
             "square wave P_low..P_high, duty d = (P_mean - P_low)/(P_high - P_low);  dP = N (P_high - P_low) / eta;  "
             "dP/dt = N r / eta;  grid = idle + clip(min(R (t - t_on), R (t_off - t) + dP_mean), 0, dP_mean);  "
             "battery = load - grid: power = max|b|, energy = range of cumulative b dt",
             [_inp(f"{sw.id}.peak_power", sw.peak_power), _inp(f"{sw.id}.trough_power", sw.trough_power),
              _inp(f"{sw.id}.mean_power", sw.mean_power), _inp(f"{sw.id}.period", sw.period),
              _inp(f"{sw.id}.ramp_rate", sw.ramp_rate), _inp(f"{sw.id}.idle_power", sw.idle_power),
              Input("energy-equivalent duty", round(duty, 3), "computed from mean, peak and trough"),
              Input("chain efficiency grid -> GPU (PSU x electrical chain)", round(eta, 4), "design point"),
              Input("ramp limit", limit, limit_sv.citation() if limit_sv is not None else
                    "assumption: 10 MW/min; no utility ramp requirement retrieved"),
              Input("turbine ramp", turbine_ramp, turbine.ramp_rate.citation() if turbine is not None and
                    turbine.ramp_rate is not None else "not given: turbines are not counted on to follow the load"),
              Input("batteries", f"{on.batteries} x {on.battery}", bat.power.citation() if bat else "none")],
             [("power_swing", swing), ("grid_ramp_rate", ramp), ("job start step (mean - idle)", step.to("MW")),
              ("battery_power_required", b_power.to("MW")), ("battery_energy_required", b_energy.to("MWh")),
              ("grid_swing_with_battery", residual), ("grid_ramp_rate_with_battery", ramp_with)],
             note="All GPUs swing in phase (the worst case; Meta, Llama 3 paper 2024). Smoothing by PSU/UPS "
                  "capacitance or GPU power-smoothing firmware is not modelled (not sourced). The measured ramp is "
                  "sampling-limited (~0.1 s), so grid_ramp_rate is a lower bound. Battery losses not included.")
    return out
