"""``--explain``: each step of the chain as its formula, its inputs with their sources, its results.

:class:`Recorder` collects the steps while an estimate is assembled; :func:`record_chain`
writes the steps of :func:`~dcpower.chain.run.run_chain` from its typed output (the first
sample). Provenance of each named result is the title of the step that produced it.
"""

from __future__ import annotations

import numpy as np

from dcpower.chain.result import Input, Step
from dcpower.chain import steps
from dcpower.chain.run import UNMET_HOURS_SHARE, Chain
from dcpower.physics import cooling as cool
from dcpower.units import Q_

__all__ = ["Recorder", "record_chain", "spec_input", "first"]


class Recorder:
    """Collects steps, the provenance of each named result, and warnings."""

    def __init__(self, warnings=()):
        self.steps: list[Step] = []
        self.provenance: dict[str, str] = {}
        self.warnings: list[str] = list(warnings)

    def step(self, title: str, formula: str, inputs, results, note=None) -> None:
        self.steps.append(Step(title, formula, list(inputs), list(results), note))
        for name, _ in results:
            self.provenance.setdefault(name, title)

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)


def spec_input(name: str, sv, default_source: str = "user input") -> Input:
    """An :class:`Input` from a spec value: its quantity and citation."""
    if sv is None:
        return Input(name, None, "not given")
    return Input(name, sv.quantity, sv.citation() if hasattr(sv, "citation") else default_source)


def first(q):
    """The first sample of a per-sample value: a scalar Quantity (or number)."""
    if hasattr(q, "magnitude"):
        m = np.asarray(q.magnitude)
        return Q_(float(m.flat[0]), q.units) if m.ndim else q
    m = np.asarray(q)
    return m.flat[0].item() if m.ndim else q


def record_chain(c: Chain, results: dict, rec: Recorder) -> None:
    """The steps of one estimate (sample 0), in chain order; ``results`` are its named results."""
    _it_load(c, rec)
    for f in c.fabrics:
        _fabric(c, f, rec)
    _storage(c, rec)
    rec.step("IT load: total", "P_IT = servers + network + storage (network and storage at typical power); "
             "nameplate uses each server's nameplate power",
             [], [("network_power", first(c.it_power.network).to("MW")),
                  ("it_power_nameplate", first(c.it_power.nameplate).to("MW")),
                  ("it_power", first(c.it_power.design).to("MW")),
                  ("it_power_average", first(c.it_power.average).to("MW"))])
    _electrical(c, rec)
    _loops(c, rec)
    _rejection(c, results, rec)
    _rejection_fans(c, rec)
    _site_services(c, rec)
    _facility(c, rec)
    _design_point(c, rec)
    _water(c, results, rec)
    _grid(c, results, rec)


def _it_load(c: Chain, rec: Recorder) -> None:
    from dcpower.chain.steps import HOST_COMPONENTS

    r, it = c.resolved, c.it
    s, acc, srv = r.scenario, r.accelerator, r.server
    if s.host_power is not None:
        host_inputs = [spec_input("host power per server (custom)", s.host_power)]
    else:
        host_inputs = [spec_input(f"{srv.id}.{f}", getattr(srv, f)) for f in HOST_COMPONENTS
                       if getattr(srv, f) is not None]
    w = r.workload
    gpu_idle_in = spec_input(f"{acc.id}.idle_power", acc.idle_power) if acc.idle_power is not None else \
        spec_input("idle.accelerator_idle_fraction (no idle power published)", r.idle.accelerator_idle_fraction)
    host_idle_in = spec_input(f"{srv.id}.host_idle_fraction", srv.host_idle_fraction) \
        if srv.host_idle_fraction is not None else \
        spec_input("idle.host_idle_fraction (server gives none)", r.idle.host_idle_fraction)
    rec.step(f"IT load: accelerators and servers ({w.id} workload)",
             "P_gpu,busy = max(P_idle, f_busy P_gpu,max);  P_host,busy = P_host,idle + l (P_host - P_host,idle);  "
             "P_avg = P_idle + u (P_busy - P_idle);  P_server = (n_gpu P_gpu + P_host) / eta_psu",
             [Input("gpus", first(s.gpus), "user input" if s.id == "custom" else f"scenario {s.id}"),
              spec_input(f"{acc.id}.max_power", acc.max_power),
              *([spec_input(f"{srv.id}.accelerator_power_limit", srv.accelerator_power_limit)]
                if srv.accelerator_power_limit is not None else []), gpu_idle_in,
              spec_input(f"{w.id}.accelerator_busy_power", w.accelerator_busy_power),
              spec_input(f"{w.id}.host_busy_load", w.host_busy_load),
              spec_input("utilization (share of time busy)", s.utilization),
              Input("gpus per server", it.gpus_per_server,
                    "user input" if s.gpus_per_server else srv.gpus.citation()),
              *host_inputs, host_idle_in, *_psu_inputs(srv)],
             [("servers", first(it.servers)), ("host power per server (DC)", first(it.host_power_per_server).to("kW")),
              ("accelerator power, idle", first(it.gpu_idle).to("W")),
              ("accelerator power, busy", first(it.gpu_busy).to("W")),
              ("server power, full load", first(it.server_power_full).to("kW")),
              ("server power, average", first(it.server_power_average).to("kW")),
              ("gpu_power", first(it.gpu_power).to("MW")), ("gpu_power_average", first(it.gpu_power_average).to("MW")),
              ("host_power", first(it.host_power).to("MW"))])
    rec.step("IT load: racks", "racks = ceil(servers / servers_per_rack)",
             [Input("servers per rack", it.servers_per_rack, it.rack_source)],
             [("racks", first(it.racks)),
              ("rack power, full load", (first(it.server_power_full) * it.servers_per_rack).to("kW"))])


def _psu_inputs(srv) -> list:
    """The PSU count, rating and curve where the server publishes them, else its fixed efficiency."""
    if srv.psu_efficiency_curve is None or srv.psus is None or srv.psu_rating is None:
        return [spec_input(f"{srv.id}.psu_efficiency", srv.psu_efficiency)]
    c = srv.psu_efficiency_curve
    points = ", ".join(f"{e:g} at {x:g}" for x, e in zip(c.load, c.efficiency))
    return [spec_input(f"{srv.id}.psus (sharing the load)", srv.psus), spec_input(f"{srv.id}.psu_rating", srv.psu_rating),
            Input(f"{srv.id}.psu_efficiency_curve (eta at load x = P_dc / (n P_psu))", points, c.citation())]


def _fabric(c: Chain, f, rec: Recorder) -> None:
    parts = next(p for p in c.resolved.fabrics if p.fabric.id == f.name)
    fab, sw = parts.fabric, parts.switch
    if fab.topology == "dragonfly":
        _dragonfly(fab, sw, f, rec)
        return
    if fab.topology == "per-rack":
        formula = "switches = racks x switches per rack"
    else:
        formula = ("tiers: fewest L with 2 (k/2)^L >= N;  switches = (L-1) ceil(N/(k/2)) + ceil(N/k);  "
                   "modules: N at NICs + ceil(N (2L-1) / ports per module) at switches")
    per = fab.endpoints_per_unit.quantity.magnitude
    rec.step(f"Network: {fab.id}", formula,
             [Input("endpoints N", first(f.endpoints), f"{fab.endpoints}s x {per:g}"),
              spec_input(f"{sw.id}.typical_power", sw.typical_power), spec_input(f"{sw.id}.ports", sw.ports),
              spec_input(f"{fab.id}.endpoint_speed", fab.endpoint_speed)],
             [("tiers", first(f.tiers)), ("radix k", f.radix), ("switches", first(f.switches)),
              ("optical modules", first(f.transceivers)), ("power", first(f.power).to("kW"))])


def _dragonfly(fab, sw, f, rec: Recorder) -> None:
    per = fab.endpoints_per_unit.quantity.magnitude
    rec.step(f"Network: {fab.id}",
             "switches S = ceil(N/p); groups = ceil(S/a); global links = S h / 2 (two groups or more), "
             "two optical ends each; endpoint and in-group links copper",
             [Input("endpoints N", first(f.endpoints), f"{fab.endpoints}s x {per:g}"),
              spec_input(f"{fab.id}.endpoints_per_switch", fab.endpoints_per_switch),
              spec_input(f"{fab.id}.switches_per_group", fab.switches_per_group),
              spec_input(f"{fab.id}.global_links_per_switch", fab.global_links_per_switch),
              spec_input(f"{sw.id}.typical_power", sw.typical_power)],
             [("groups", first(f.groups)), ("switches", first(f.switches)),
              ("optical ends", first(f.transceivers)), ("power", first(f.power).to("kW"))])


def _storage(c: Chain, rec: Recorder) -> None:
    r = c.resolved
    st = r.storage
    if st is None or r.scenario.storage.read_bandwidth_per_gpu is None:
        return
    rec.step("Storage", "systems = ceil(N_gpu x bandwidth per GPU / bandwidth per system)",
             [spec_input("read bandwidth per GPU", r.scenario.storage.read_bandwidth_per_gpu),
              spec_input(f"{st.id}.read_bandwidth", st.read_bandwidth), spec_input(f"{st.id}.power", st.power)],
             [("storage_systems", first(c.storage.systems)), ("storage_power", first(c.storage.power).to("MW"))])


def _electrical(c: Chain, rec: Recorder) -> None:
    e, side = c.resolved.scenario.electrical, c.design.side
    rec.step("Electrical chain (IT side)",
             "loss = S (a + b x + c x^2), x = P/S; S = design load / design loading; or P (1/eta - 1)",
             [spec_input("design loading", e.design_loading),
              Input("distribution", e.distribution, side.sources["distribution"]),
              Input("UPS", e.ups, side.sources["ups"]),
              spec_input("lighting power density", e.lighting_power_density),
              spec_input("rack footprint", e.rack_footprint)],
             [("distribution loss, design", first(c.peak(side.distribution_loss)).to("MW")),
              ("UPS loss, design", first(c.peak(side.ups_loss)).to("MW")),
              ("lighting", first(c.peak(side.lighting)).to("kW"))])


def _loops(c: Chain, rec: Recorder) -> None:
    k = c.resolved.cooling
    names = ("air_delta_t", "air_pressure", "fan_efficiency", "hall_air_temperature",
             "electrical_room_air_delta_t", "electrical_room_air_pressure", "loop_delta_t", "pump_pressure",
             "pump_efficiency", "cdu_pump_pressure", "condenser_pump_specific_power", "tower_range")
    lp = c.design.loops

    def peak(q, unit):
        return first(c.peak(q)).to(unit)

    rec.step(f"Cooling: air movers and pumps ({k.id})",
             "m = Q / (cp dT); V = m / rho; P_fan = V dp_std (rho_std / rho) / eta;  hall: air share + lighting; "
             "electrical rooms: UPS + distribution losses;  V_w = Q / (rho cp dT_loop); P_pump = V dp / eta;  "
             "CDU: V = Q_liquid / (rho cp dT_loop);  condenser: V = Q_plant / (rho cp range), P = V x W/gpm",
             [spec_input(f"{c.resolved.server.id}.liquid_fraction", c.resolved.server.liquid_fraction)
              if c.resolved.server.liquid_fraction is not None else
              Input(f"{c.resolved.server.id}.liquid_fraction", 0.0, "air-cooled server"),
              Input("hall", k.hall, f"cooling '{k.id}'"),
              *(spec_input(f"{k.id}.{n}", getattr(k, n)) for n in names if getattr(k, n) is not None),
              Input("hall air density", steps.hall_air_density(c.resolved).to("kg/m^3"),
                    "moist-air density at the site pressure and hall air temperature (ASHRAE Fundamentals 2017 "
                    "ch. 1); standard air where the cooling gives no temperature"),
              Input("water density, cp", f"{cool.WATER_DENSITY:~}, {cool.WATER_SPECIFIC_HEAT:~}",
                    "IAPWS-95 at 25 degC (NIST WebBook)")],
             [("air flow, design", peak(lp.air_flow, "m^3/s")),
              ("hall air movers, design", peak(lp.hall_fans, "MW")),
              ("electrical-room air movers, design", peak(lp.electrical_room_fans, "MW")),
              ("facility water flow, design", peak(lp.water_flow, "L/s")),
              ("facility pumps, design", peak(lp.facility_pumps, "MW")),
              ("CDU secondary flow, design", peak(lp.cdu_flow, "L/s")),
              ("CDU pumps, design", peak(lp.cdu_pumps, "MW")),
              ("condenser water flow, design", peak(lp.condenser_flow, "L/s")),
              ("condenser pumps, design", peak(lp.condenser_pumps, "MW")),
              ("pumps, design", peak(lp.pumps, "MW")),
              ("facility pumps, hourly mean", first(c.mean(c.hourly.loops.facility_pumps, "MW")))],
             note=None if k.heat_rejection != "outdoor-air" else
             "Trim coils only: V = (1 - share) V_full (variable primary flow); the pumps, sized for V_full at "
             "design, draw P_d (0.5726 x - 0.301 x^2 + 0.7347 x^3) at x = max(V / V_d, "
             f"{cool.PUMP_MINIMUM_FLOW}) and stop when outdoor air carries all (ASHRAE 90.1-2019 G3.1.3.10; "
             "curve from NREL openstudio-standards).")


def _rejection(c: Chain, results: dict, rec: Recorder) -> None:
    r, k = c.resolved, c.resolved.cooling
    d = int(c.design_index[0])
    sink = "wet-bulb" if k.heat_rejection == "cooling-tower" else "dry-bulb"
    names = ("supply_temperature", "approach", "hx_approach", "chiller_cop_rated", "chiller_condenser_approach",
             "air_loop_supply_temperature", "evaporative_effectiveness", "supply_dew_point_max",
             "supply_dew_point_min", "supply_relative_humidity_max", "supply_relative_humidity_min")
    names = [n for n in names if n in ("supply_temperature", "approach") or getattr(k, n) is not None]
    avail = (f"T_avail = T_{sink} + approach (+ HX approach)" if k.heat_rejection != "outdoor-air" else
             "T_avail = max(T_db - eps (T_db - T_wb), T(h_o, W_max), T_s - fan rise) when warm, T_db when cold, "
             "outdoor air shut out when W_o > W_max")
    rec.step(f"Cooling: heat rejection ({k.heat_rejection}{', chiller' if k.chiller else ''})",
             f"{avail}; economizer share = clip((T_r - T_avail)/(T_r - T_s), "
             "0, 1); COP = eta_II T_evap / (T_cond - T_evap); "
             + ("P_chiller = (1 - share) Q / COP" if k.heat_rejection != "outdoor-air" else
                "P_chiller = ((1 - share) (Q - P_pumps) + P_pumps) / COP (the trim pumps' work stays in the "
                "chilled water)"),
             [*(spec_input(f"{k.id}.{n}", getattr(k, n)) for n in names),
              Input("design weather", f"{c.design_air.dry_bulb.magnitude[d]:.1f} degC dry-bulb, "
                    f"{c.design_air.wet_bulb.magnitude[d]:.1f} degC wet-bulb", r.design.source),
              Input("hourly weather", f"{int(c.hours)} h", r.weather.source)],
             [("chillers, design", first(c.peak(c.design.rejection.chiller)).to("MW")),
              ("heat-rejection fans, design", first(c.peak(c.design.rejection.device_fans)).to("MW")),
              ("free_cooling_hours", int(first(c.hours_where(c.hourly.rejection.economizer_fraction >= 1.0)))),
              ("supply_temperature_exceeded_hours", int(first(c.hours_where(c.hourly.rejection.exceeded)))),
              *((n, results[n]) for n in ("supply_temperature_excess_max", "supply_temperature_unmet")
                if n in results)],
             note=f"supply_temperature_unmet = 1 when the supply is missed in more than {UNMET_HOURS_SHARE:.1%} of "
                  "the hours: the share of the year ASHRAE's 0.4 % design conditions are exceeded, so a plant "
                  "designed to them misses its supply no more often."
                  + (" Air-cooled chillers: T_cond = T_dry-bulb + condenser approach, rated at the AHRI entering-air "
                     "dry-bulb." if k.chiller_condenser_approach is not None else ""))


def _rejection_fans(c: Chain, rec: Recorder) -> None:
    k = c.resolved.cooling
    if k.heat_rejection not in ("cooling-tower", "dry-cooler"):
        return  # outdoor air and air-cooled condensers: their fans are in the air movers or the chiller's COP
    tower = k.heat_rejection == "cooling-tower"
    names = ("tower_fan_efficacy", "tower_range") if tower else \
        ("drycooler_air_delta_t", "drycooler_air_pressure", "fan_efficiency", "drycooler_ua_exponent")
    speed = k.fan_minimum_speed
    fans = c.hourly.rejection.device_fans
    rec.step(f"Cooling: {'tower' if tower else 'dry-cooler'} fans at variable speed",
             ("P_d = V_water / efficacy;  speed x = clip(L dh_d / dh, x_min, 1), dh = h_sat(T_water) - h_sat(T_wb)"
              if tower else "P_d = m dp_std rho_std / (eta rho^2), rho of the hour's air;  speed x: the slowest "
              "with eps(UA_d x^n / C_min, C_min / C_max) C_min (T_w,in - T_db) >= Q, counterflow eps-NTU")
             + ";  P = P_d x^3 (affinity law);  water wanted: each loop's supply less the HX approach, "
               "no colder than the design approach",
             [*(spec_input(f"{k.id}.{n}", getattr(k, n)) for n in names if getattr(k, n) is not None),
              spec_input(f"{k.id}.fan_minimum_speed", speed) if speed is not None else
              Input("minimum fan speed", cool.FAN_MINIMUM_SPEED, "EVAPCO FAQ: minimum fan speed of open cooling "
                    "towers and closed-circuit coolers, 25 %"),
              *([] if tower or k.drycooler_ua_exponent is not None else
                [Input("UA exponent", cool.DRYCOOLER_UA_EXPONENT, "Ganguli, Tung and Taborek (1985), VDI Heat Atlas: "
                       "finned-tube bundles Nu = 0.38 Re^0.6")])],
             [("heat-rejection fans, design", first(c.peak(c.design.rejection.device_fans)).to("MW")),
              ("heat-rejection fans, annual mean", first(c.mean(fans, "MW"))),
              ("annual mean over design", round(float(first(c.mean(fans, "MW")).magnitude
                                                      / first(c.peak(c.design.rejection.device_fans)).to("MW")
                                                      .magnitude), 3))])


def _facility(c: Chain, rec: Recorder) -> None:
    s = c.resolved.scenario
    up = c.design.upstream
    names = {"transformer": s.electrical.transformer, "mv_distribution": s.electrical.mv_distribution,
             "hv_transformer": s.electrical.hv_transformer}
    rec.step("Electrical chain (transformers, MV network, substation) and facility",
             "P_facility = P_IT + distribution + UPS + lighting + cooling + MV/LV transformer + MV switchgear "
             "and cabling + HV/MV substation losses;  each stage loses S (a + b x + c x^2) at x = P/S",
             [Input(k.replace("_", " "), names[k], up.sources[k]) for k in up.sources]
             + ([Input("fixed PUE", first(s.pue), "user input")] if s.pue is not None else []),
             [*((f"{k.replace('_', ' ')} loss, design", first(c.peak(v)).to("MW")) for k, v in up.losses.items()),
              ("facility_power", first(c.peak(c.design.facility)).to("MW")),
              ("facility_power_average", first(c.mean(c.hourly.facility, "MW")))])


def _site_services(c: Chain, rec: Recorder) -> None:
    r = c.resolved
    sp, ss = r.support, c.design.site_services
    if sp is None:
        return
    from dcpower.chain import steps

    gen, _, _, unit = steps.generator_unit(r)
    rec.step(f"Site services ({sp.id}): offices, generator block heaters, controls, water treatment",
             "P_office = A/MW x P_IT x p;  P_heaters = n_gen x p_heater (n_gen standby sets for the facility at "
             "the generator redundancy);  P_controls = f x P_IT;  P_water = f x Q_rejected (towers);  "
             "all of it leaves the site as heat",
             [spec_input(f"{sp.id}.office_area", sp.office_area),
              spec_input(f"{sp.id}.office_power_density", sp.office_power_density),
              spec_input(f"{sp.id}.block_heater_power", sp.block_heater_power),
              Input("generator site rating", unit, f"generator '{gen.id}' (sizing)"),
              spec_input(f"{sp.id}.controls_fraction", sp.controls_fraction),
              spec_input(f"{sp.id}.water_treatment_fraction", sp.water_treatment_fraction)],
             [("offices, design", first(c.peak(ss.office)).to("kW")),
              ("generator sets with block heaters",
               int(first(c.peak(Q_(np.asarray(ss.generators, dtype=float), "dimensionless")).magnitude))),
              ("block heaters, design", first(c.peak(ss.block_heaters)).to("kW")),
              ("controls and security, design", first(c.peak(ss.controls)).to("kW")),
              ("water treatment, design", first(c.peak(ss.water_treatment)).to("kW")),
              ("site services, design", first(c.peak(ss.total)).to("MW")),
              ("site_services_power_average", first(c.mean(c.hourly.site_services.total, "MW")))],
             note="Electrical-room (gray-space) cooling is in the plant already: distribution and UPS losses go "
                  "through the air loop.")


def _design_point(c: Chain, rec: Recorder) -> None:
    """Facility power at each design point, which one set the peak, and the old 0.4 % points for comparison."""
    from dcpower.catalog.scenario import RETURN_PERIOD_SOURCE
    from dcpower.chain import steps

    r = c.resolved
    mw = np.reshape(c.design.facility.to("MW").magnitude, (r.samples, -1))[0]
    old = steps.plant_step(r, c.it_power.design, c.it.racks, steps.percent_design_air(r))
    old_mw = np.reshape(old.facility.to("MW").magnitude, (r.samples, -1))[0]
    labels = c.design_air.labels + steps.percent_design_air(r).labels
    rec.step("Design point: the outdoor air the peak is taken at",
             "P_design = max over design points of P_facility(IT at its expected peak, outdoor air)",
             [Input("return period of the extreme dry-bulb", f"{r.scenario.design_return_period} years",
                    RETURN_PERIOD_SOURCE),
              Input("design conditions", "n-year extreme dry-bulb, extreme maximum wet-bulb", r.design.source),
              Input("typical-year hours", f"{int(c.hours)} h", r.weather.source)],
             [("design condition", f"{c.design_condition} set the peak"),
              *((f"facility power at {label}", Q_(v, "MW")) for label, v in zip(labels[:len(mw)], mw)),
              *((f"for comparison, at the {label}", Q_(v, "MW")) for label, v in zip(labels[len(mw):], old_mw))])


def _water(c: Chain, results: dict, rec: Recorder) -> None:
    k = c.resolved.cooling
    if k.heat_rejection == "outdoor-air":
        rec.step("Water: airside economizer media",
                 "m_a = share Q / (h_exhaust - h_outdoor);  E = m_a (W_supply - W_outdoor);  B = E / (COC - 1);  "
                 "WUE = site water / IT energy",
                 [spec_input(f"{k.id}.evaporative_effectiveness", k.evaporative_effectiveness),
                  spec_input(f"{k.id}.cycles_of_concentration", k.cycles_of_concentration),
                  Input("moist-air properties", "ASHRAE eq. 30", "ASHRAE Handbook - Fundamentals 2017 ch. 1")],
                 [*((n, results[n]) for n in ("water_evaporated", "water_blowdown", "annual_water", "water_per_day",
                                               "wue"))])
        return
    if k.heat_rejection != "cooling-tower":
        return
    q = c.hourly.rejection.heat_rejected
    latent = float(first(c.total(q * c.water.latent_fraction, "MWh")) / first(c.total(q, "MWh")))
    rec.step("Water: cooling tower",
             "E = Q dW / (dh - h_f dW), dW = W_sat(T_exit) - W_in, dh = h_sat(T_exit) - h_in, h_f = c_w T_basin;  "
             "D = drift x circulation;  B = E / (COC - 1) - D (>= 0);  make-up = E + B + D;"
             "  WUE = site water / IT energy",
             [spec_input(f"{k.id}.cycles_of_concentration", k.cycles_of_concentration),
              spec_input(f"{k.id}.drift_rate", k.drift_rate), spec_input(f"{k.id}.tower_range", k.tower_range),
              Input("T_exit", "cold water + range/2, saturated",
                    "assumption: leaving air saturated at the mean water temperature"),
              Input("T_basin", "cold water", "make-up enters the basin (Merkel tower balance, ASHRAE HVAC Systems "
                    "and Equipment 2020 ch. 40)"),
              Input("moist-air properties", "psychrolib", "ASHRAE Handbook - Fundamentals 2017 ch. 1")],
             [("water_evaporated", results["water_evaporated"]), ("latent share of heat, annual", latent),
              *((n, results[n]) for n in ("annual_water", "water_per_day", "wue"))])


def _grid(c: Chain, results: dict, rec: Recorder) -> None:
    r = c.resolved
    on, gd = r.scenario.onsite, r.grid
    rec.step("Grid: dispatch, energy, cost and CO2",
             "turbines and battery cover load above the grid allocation; the battery is recharged with "
             "E_out / round-trip efficiency from spare supply, and gives no more over the year than that spare "
             "supply can put back;  cost = E_grid x price (+ demand) + E_turbine x heat rate x gas price "
             "+ E_turbine x VOM;  CO2 = E_grid x intensity + E_turbine x heat rate x fuel factor;  S = P / PF",
             [spec_input("grid allocation", on.grid_limit),
              Input("turbines", f"{on.turbines} x {on.turbine}",
                    r.turbine.rated_power.citation() if r.turbine else "none"),
              Input("batteries", f"{on.batteries} x {on.battery}",
                    r.battery.power.citation() if r.battery else "none"),
              spec_input(f"{gd.id}.energy_price", gd.energy_price),
              spec_input(f"{gd.id}.carbon_intensity", gd.carbon_intensity),
              spec_input(f"{gd.id}.demand_charge", gd.demand_charge),
              spec_input(f"{gd.id}.gas_price", gd.gas_price),
              *_onsite_inputs(r),
              spec_input(f"{gd.id}.water_intensity", gd.water_intensity),
              spec_input("power factor", r.scenario.electrical.power_factor)],
             [(n, results[n]) for n in ("grid_power_peak", "grid_apparent_power", "grid_energy", "turbine_energy",
                                         "battery_losses", "grid_cost", "fuel_cost", "turbine_om_cost",
                                         "annual_cost", "annual_co2")])


def _onsite_inputs(r) -> list:
    """Heat rate, O&M and round-trip efficiency of the scenario's turbine and battery, where it has them."""
    out = []
    if r.turbine is not None:
        out += [spec_input(f"{r.turbine.id}.heat_rate", r.turbine.heat_rate),
                spec_input(f"{r.turbine.id}.variable_om", r.turbine.variable_om)]
    if r.battery is not None:
        out.append(spec_input(f"{r.battery.id}.round_trip_efficiency", r.battery.round_trip_efficiency))
    return out
