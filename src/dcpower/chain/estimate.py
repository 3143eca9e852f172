"""The model chain: from a scenario to facility power, water and grid draw, hour by hour.

:func:`estimate` resolves the scenario against the catalog, then runs the steps in order:
IT load -> electrical chain (IT side) -> cooling plant -> electrical chain (transformer) ->
facility -> water -> grid. Each step calls the pure physics functions of
:mod:`dcpower.physics.it_load`, :mod:`dcpower.physics.network`, :mod:`dcpower.physics.cooling`,
:mod:`dcpower.physics.water`, :mod:`dcpower.physics.electrical` and :mod:`dcpower.physics.grid`, once on the
8,760 hours of the site's typical year and once at the site's design conditions, and
records what it used (with sources) for ``--explain``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dcpower.physics import cooling as cool
from dcpower.physics import electrical as elec
from dcpower.physics import grid as gridmod
from dcpower.physics import it_load
from dcpower.physics import network
from dcpower.physics import water
from dcpower.physics import psychrometrics as psy
from dcpower.catalog.loader import Catalog, builtin_dir, load_catalog
from dcpower.errors import InputError
from dcpower.chain.result import Estimate, Input, Step
from dcpower.catalog.scenario import Scenario, apply_settings, load_scenario
from dcpower.catalog.models import SpecValue, Spec
from dcpower.units import Q_, format_unit, parse_quantity

__all__ = ["estimate"]

OVERRIDABLE = ("gpus", "accelerator", "server", "gpus_per_server", "host_power", "utilization",
               "site", "weather", "cooling", "pue", "grid")


class _Recorder:
    """Collects steps, provenance and warnings while the chain runs."""

    def __init__(self):
        self.steps: list[Step] = []
        self.provenance: dict[str, str] = {}
        self.warnings: list[str] = []

    def step(self, title: str, formula: str, inputs, results, note=None):
        self.steps.append(Step(title, formula, list(inputs), list(results), note))
        for name, _ in results:
            self.provenance.setdefault(name, f"computed: {title}")


def _inp(name: str, sv: SpecValue | None, default_source: str = "user input") -> Input:
    if sv is None:
        return Input(name, None, "not given")
    return Input(name, sv.quantity, sv.citation() if isinstance(sv, SpecValue) else default_source)


def _override_spec(spec: Spec, fields: dict[str, Any]) -> Spec:
    from pydantic import ValidationError

    from dcpower.catalog.loader import format_validation_error

    data = spec.model_dump()
    for key, value in fields.items():
        if key not in type(spec).model_fields or key in ("id", "category"):
            from dcpower.catalog.loader import suggest

            valid = [k for k in type(spec).model_fields if k != "id"]
            raise InputError(f"unknown --set key '{spec.category}.{key}'; {suggest(key, valid)}")
        current = data.get(key)
        if isinstance(current, dict) or current is None and key in spec.values() or \
                isinstance(getattr(spec, key), SpecValue) or _is_specvalue_field(spec, key):
            data[key] = {"value": value, "source": "user input (--set)"}
        else:
            data[key] = value
    try:
        return type(spec).model_validate(data)
    except ValidationError as exc:
        raise InputError(format_validation_error(exc, f"--set {spec.category}")) from None


def _is_specvalue_field(spec: Spec, key: str) -> bool:
    ann = str(type(spec).model_fields[key].annotation)
    return "SpecValue" in ann


@dataclass
class _Resolved:
    catalog: Catalog
    scenario: Scenario
    accelerator: Any
    server: Any
    cooling: Any
    site: Any
    grid: Any
    weather: Any


def _resolve(scenario: Scenario, catalog: Catalog, spec_overrides: dict, rec: _Recorder) -> _Resolved:
    def get(category, ident):
        spec = catalog.get(category, ident)
        if category in spec_overrides:
            spec = _override_spec(spec, spec_overrides[category])
        return spec

    acc = get("accelerator", scenario.accelerator)
    server_id = scenario.server
    if server_id is not None:
        server = get("server", server_id)
        if server.accelerator != acc.id:
            if acc.default_server:
                rec.warnings.append(f"server '{server.id}' holds {server.accelerator}, not {acc.id}; "
                                    f"using {acc.id}'s usual server '{acc.default_server}'")
                server = get("server", acc.default_server)
            elif scenario.gpus_per_server and scenario.host_power:
                rec.warnings.append(f"custom {acc.id} node built on the chassis data of '{server.id}'")
            else:
                raise InputError(f"accelerator '{acc.id}' has no usual server in the catalog; give "
                                 "--server ID, or --gpus-per-server N and --host-power QTY")
    elif acc.default_server:
        server = get("server", acc.default_server)
    else:
        raise InputError(f"accelerator '{acc.id}' has no usual server in the catalog; give --server ID")
    site = get("site", scenario.site)
    grid = get("grid", scenario.grid or site.grid)
    cooling_spec = get("cooling", scenario.cooling)
    liquid = cooling_spec.liquid_fraction.quantity.magnitude
    if server.cooling == "liquid" and np.all(np.asarray(liquid) == 0):
        rec.warnings.append(f"server '{server.id}' is built for liquid cooling but '{cooling_spec.id}' cools by air "
                            "only; for an air-cooled hall choose an air-cooled server (e.g. --server dgx-h100), "
                            "whose fans draw more")
    elif server.cooling == "air" and np.all(np.asarray(liquid) > 0):
        rec.warnings.append(f"server '{server.id}' is air-cooled but '{cooling_spec.id}' assumes cold plates or "
                            "immersion; choose a liquid-cooled server (e.g. --server hgx-h100-8gpu-liquid)")
    weather = _load_weather(scenario, site)
    return _Resolved(catalog, scenario, acc, server, cooling_spec, site, grid, weather)


_WEATHER_CACHE: dict[str, Any] = {}


def _load_weather(scenario: Scenario, site):
    from dcpower.weather import compact, epw

    if scenario.weather:
        path = Path(scenario.weather)
        key = f"epw:{path.resolve()}:{path.stat().st_mtime_ns if path.exists() else 0}"
        if key not in _WEATHER_CACHE:
            _WEATHER_CACHE[key] = epw.read_epw(path)
        return _WEATHER_CACHE[key]
    path = builtin_dir() / site.weather
    key = f"compact:{path}"
    if key not in _WEATHER_CACHE:
        _WEATHER_CACHE[key] = compact.read_compact(path)
    return _WEATHER_CACHE[key]


# ---------------------------------------------------------------- IT load

def _it_load(r: _Resolved, rec: _Recorder) -> dict:
    s, acc, srv = r.scenario, r.accelerator, r.server
    gpu_max = acc.max_power.quantity.to("W")
    u = s.utilization.quantity.to("dimensionless").magnitude
    u = float(u) if np.ndim(u) == 0 else u  # an (N, 1) array when sampled for uncertainty
    gps = s.gpus_per_server or int(srv.gpus.quantity.magnitude)
    servers = it_load.server_count(s.gpus, gps)
    component_fields = ["cpu_power", "memory_power", "nic_power", "baseboard_power",
                        "drive_power", "fan_power", "other_power"]
    if s.host_power is not None:
        host_dc = s.host_power.quantity.to("W")
        host_inputs = [_inp("host power per server (custom)", s.host_power)]
    else:
        host_dc = sum((srv.q(f).to("W") for f in component_fields if getattr(srv, f) is not None), Q_(0.0, "W"))
        host_inputs = [_inp(f"{srv.id}.{f}", getattr(srv, f)) for f in component_fields
                       if getattr(srv, f) is not None]
    psu = srv.psu_efficiency.quantity.magnitude
    psu = float(psu) if np.ndim(psu) == 0 else psu
    server_design = it_load.server_power(gps * gpu_max, host_dc, psu)
    gpu_avg = it_load.accelerator_power(gpu_max, u)
    server_avg = it_load.server_power(gps * gpu_avg, host_dc, psu)
    # The last server may be partly filled: GPUs counted exactly, hosts per server.
    servers_design = (s.gpus * gpu_max + servers * host_dc) / psu
    servers_avg = (s.gpus * gpu_avg + servers * host_dc) / psu
    gpu_power = s.gpus * gpu_max
    host_power = servers_design - gpu_power
    if srv.nameplate_power is not None and s.host_power is None and s.gpus_per_server is None \
            and np.ndim(server_design.magnitude) == 0:
        nameplate = srv.nameplate_power.quantity
        if server_design > nameplate * 1.0001:
            rec.warnings.append(f"server '{srv.id}' computes to {server_design.to('kW'):.2f~} at full load, "
                                f"above its {nameplate.to('kW'):.2f~} nameplate; check its component specs")
    rec.step("IT load: accelerators and servers",
             "P_server = (n_gpu P_gpu + P_host) / eta_psu;  P_gpu,avg = u P_gpu,max",
             [Input("gpus", s.gpus, "user input" if s.id == "custom" else f"scenario {s.id}"),
              _inp(f"{acc.id}.max_power", acc.max_power),
              _inp("utilization", s.utilization),
              Input("gpus per server", gps, "user input" if s.gpus_per_server else srv.gpus.citation()),
              *host_inputs,
              _inp(f"{srv.id}.psu_efficiency", srv.psu_efficiency)],
             [("servers", servers), ("host power per server (DC)", host_dc.to("kW")),
              ("server power, full load", server_design.to("kW")),
              ("server power, average", server_avg.to("kW")),
              ("gpu_power", gpu_power.to("MW")), ("host_power", host_power.to("MW"))])
    # racks
    if s.gpus_per_rack:
        spr = max(s.gpus_per_rack // gps, 1)
        rack_src = "scenario gpus_per_rack"
    elif s.rack_power_limit is not None:
        spr = it_load.servers_per_rack_from_power(server_design, s.rack_power_limit.quantity)
        rack_src = f"rack power limit {s.rack_power_limit.quantity:~}"
    elif srv.gpus_per_rack is not None:
        spr = max(int(srv.gpus_per_rack.quantity.magnitude) // gps, 1)
        rack_src = srv.gpus_per_rack.citation()
    else:
        raise InputError(f"server '{srv.id}' does not say how many GPUs a rack holds; "
                         "add --set gpus_per_rack=N or --set rack_power_limit='40 kW'")
    racks = it_load.rack_count(servers, spr)
    rec.step("IT load: racks", "racks = ceil(servers / servers_per_rack)",
             [Input("servers per rack", spr, rack_src)],
             [("racks", racks), ("rack power, full load", (server_design * spr).to("kW"))])
    return dict(gpu_max=gpu_max, u=u, gps=gps, servers=servers, racks=racks,
                servers_design=servers_design, servers_avg=servers_avg,
                gpu_power=gpu_power, host_power=host_power)


def _fabric(r: _Resolved, fabric_id: str, gpus: int, servers: int, racks: int, rec: _Recorder):
    cat = r.catalog
    fab = cat.get("fabric", fabric_id)
    sw = cat.get("switch", fab.switch)
    per = fab.endpoints_per_unit.quantity.magnitude
    units = {"gpu": gpus, "server": servers, "rack": racks}[fab.endpoints]
    endpoints = int(math.ceil(units * per))
    switch_power = sw.typical_power.quantity.to("W")
    if fab.topology == "per-rack":
        n = endpoints
        size = network.FabricSize(fab.id, endpoints, 1, int(sw.ports.quantity.magnitude), n, 0, 0,
                                  n * switch_power, Q_(0.0, "W"))
        formula = "switches = racks x switches per rack"
    else:
        radix = network.switch_radix(int(sw.ports.quantity.magnitude), sw.port_speed.quantity,
                                     fab.endpoint_speed.quantity)
        tiers = network.fat_tree_tiers(endpoints, radix)
        per_tier = network.fat_tree_switches(endpoints, radix, tiers)
        n = sum(per_tier)
        nic_t = cat.get("transceiver", fab.nic_transceiver) if fab.nic_transceiver else None
        sw_t = cat.get("transceiver", fab.switch_transceiver) if fab.switch_transceiver else None
        ports_per_module = int(sw_t.ports.quantity.magnitude) if sw_t else 1
        nic_m, sw_m = network.fat_tree_transceivers(endpoints, tiers, nic_t is not None, ports_per_module)
        if sw_t is None:
            sw_m = 0
        optics = Q_(0.0, "W")
        if nic_t is not None:
            optics = optics + nic_m * nic_t.power.quantity.to("W")
        if sw_t is not None:
            optics = optics + sw_m * sw_t.power.quantity.to("W")
        size = network.FabricSize(fab.id, endpoints, tiers, radix, n, nic_m, sw_m, n * switch_power, optics)
        formula = ("tiers: fewest L with 2 (k/2)^L >= N;  switches = (L-1) ceil(N/(k/2)) + ceil(N/k);  "
                   "modules: N at NICs + ceil(N (2L-1) / ports per module) at switches")
    rec.step(f"Network: {fab.id}", formula,
             [Input("endpoints N", endpoints, f"{units} {fab.endpoints}s x {per:g}"),
              _inp(f"{sw.id}.typical_power", sw.typical_power),
              _inp(f"{sw.id}.ports", sw.ports), _inp(f"{fab.id}.endpoint_speed", fab.endpoint_speed)],
             [("tiers", size.tiers), ("radix k", size.radix), ("switches", size.switches),
              ("optical modules", size.nic_modules + size.switch_modules),
              ("power", size.power.to("kW"))])
    return size


def _network_and_storage(r: _Resolved, it: dict, rec: _Recorder) -> dict:
    s = r.scenario
    sizes = [_fabric(r, fid, s.gpus, it["servers"], it["racks"], rec)
             for fid in (s.network.compute_fabric, s.network.frontend_fabric, s.network.management_fabric)
             if fid]
    net_power = sum((z.power for z in sizes), Q_(0.0, "W"))
    switches = sum(z.switches for z in sizes)
    modules = sum(z.nic_modules + z.switch_modules for z in sizes)
    storage_power, systems = Q_(0.0, "W"), 0
    if s.storage.system and s.storage.read_bandwidth_per_gpu is not None:
        st = r.catalog.get("storage", s.storage.system)
        need = s.gpus * s.storage.read_bandwidth_per_gpu.quantity
        ratio = (need / st.read_bandwidth.quantity).to("dimensionless").magnitude
        systems = math.ceil(ratio) if np.ndim(ratio) == 0 else np.ceil(ratio)
        storage_power = systems * st.power.quantity.to("W")
        rec.step("Storage", "systems = ceil(N_gpu x bandwidth per GPU / bandwidth per system)",
                 [_inp("read bandwidth per GPU", s.storage.read_bandwidth_per_gpu),
                  _inp(f"{st.id}.read_bandwidth", st.read_bandwidth), _inp(f"{st.id}.power", st.power)],
                 [("storage_systems", systems), ("storage_power", storage_power.to("MW"))])
    it_design = it["servers_design"] + net_power + storage_power
    it_avg = it["servers_avg"] + net_power + storage_power
    rec.step("IT load: total", "P_IT = servers + network + storage (network and storage at typical power)",
             [], [("network_power", net_power.to("MW")), ("it_power", it_design.to("MW")),
                  ("it_power_average", it_avg.to("MW"))])
    return dict(network_power=net_power, storage_power=storage_power, switches=switches,
                modules=modules, storage_systems=systems, it_design=it_design, it_avg=it_avg)


# ---------------------------------------------------------------- facility model

@dataclass
class _Air:
    dry_bulb: Any
    wet_bulb: Any
    humidity_ratio: Any
    pressure: Any


def _d(sv):
    """A temperature difference from a spec, as delta_degC (pint refuses degC + K)."""
    return sv.quantity.to("delta_degC")


def _component_loss(r: _Resolved, component_id: str, override: SpecValue | None, load, rating):
    comp = r.catalog.get("electrical", component_id)
    if override is not None:
        return elec.fixed_efficiency_loss(load, override.quantity.magnitude), f"override {override.citation()}"
    if comp.efficiency_curve is not None:
        c = comp.efficiency_curve
        coeffs = elec.loss_coefficients(c.load, c.efficiency)
        return elec.component_loss(load, rating, coeffs), c.citation()
    return elec.fixed_efficiency_loss(load, comp.efficiency.quantity.magnitude), comp.efficiency.citation()


def _facility(r: _Resolved, it_power, air: _Air, ratings: dict | None, racks: int) -> dict:
    """Facility power and heat flows for IT power ``it_power`` under outdoor air ``air``.

    ``ratings`` holds the installed UPS/transformer ratings; ``None`` means this is the
    design evaluation, which sets them from ``design_loading``.
    """
    s, c, e = r.scenario, r.cooling, r.scenario.electrical
    loading = e.design_loading.quantity.magnitude
    design = ratings is None
    ratings = dict(ratings or {})
    n = np.size(air.dry_bulb.magnitude)
    # (n,) for one evaluation; (N, n) when parameters are sampled as (N, 1) arrays.
    it_w = it_power.to("W").magnitude
    it = Q_(np.broadcast_to(it_w, np.broadcast_shapes(np.shape(it_w), (n,))).astype(float), "W")

    # Electrical, IT side: distribution, then UPS (both carry the IT load only).
    if design:
        ratings["distribution"] = it / loading
    dist_loss, dist_src = _component_loss(r, e.distribution, e.distribution_efficiency, it, ratings["distribution"])
    ups_load = it + dist_loss
    if design:
        ratings["ups"] = ups_load / loading
    ups_loss, ups_src = _component_loss(r, e.ups, e.ups_efficiency, ups_load, ratings["ups"])
    lighting = (racks * e.rack_footprint.quantity * e.lighting_power_density.quantity).to("W") * np.ones(n)

    # Cooling: air share through air movers, liquid share and all heat into facility water.
    f = c.liquid_fraction.quantity.magnitude
    q_air = (1 - f) * it + dist_loss + ups_loss + lighting
    air_flow = cool.volume_flow_for_heat(q_air, _d(c.air_delta_t), cool.STANDARD_AIR_DENSITY,
                                         cool.AIR_SPECIFIC_HEAT)
    fans = cool.fluid_power(air_flow, c.air_pressure.quantity, c.fan_efficiency.quantity.magnitude)
    q_loop = it + dist_loss + ups_loss + lighting + fans
    water_flow = cool.volume_flow_for_heat(q_loop, _d(c.loop_delta_t), cool.WATER_DENSITY,
                                           cool.WATER_SPECIFIC_HEAT)
    pumps = cool.fluid_power(water_flow, c.pump_pressure.quantity, c.pump_efficiency.quantity.magnitude)
    q_plant = q_loop + pumps

    t_supply = c.supply_temperature.quantity
    hx = _d(c.hx_approach) if c.hx_approach is not None else Q_(0.0, "delta_degC")
    tower = c.heat_rejection == "cooling-tower"
    if tower:
        t_sink = air.wet_bulb + _d(c.approach)
        rise = _d(c.tower_range)
    else:
        t_sink = air.dry_bulb + _d(c.approach)
        rise = _d(c.drycooler_air_delta_t)
    t_available = t_sink + hx
    eta_ii = None
    if c.chiller:
        eta_ii = cool.second_law_efficiency(c.chiller_cop_rated.quantity.magnitude,
                                            c.chiller_rating_chilled_water.quantity,
                                            c.chiller_rating_condenser_water.quantity,
                                            _d(c.tower_range) if c.tower_range is not None else rise,
                                            _d(c.chiller_approach)).magnitude

    def loop(q, t_s):
        """Economizer share, chiller power, COP and unmet hours of one water loop at supply ``t_s``."""
        t_r = t_s + _d(c.loop_delta_t)
        share = cool.economizer_fraction(t_available, t_s, t_r)
        if c.chiller:
            share = share if c.economizer else np.zeros_like(share)
            cop_ = cool.chiller_cop(t_s, t_sink, rise, _d(c.chiller_approach), eta_ii,
                                    c.q("chiller_min_condenser_temperature"),
                                    c.q("chiller_rating_chilled_water"))
            return share, (q * (1 - share) / cop_).to("W"), cop_, np.zeros(n, dtype=bool)
        unmet = np.asarray(t_available.to("degC").magnitude > t_s.to("degC").magnitude)
        return share, q * 0.0, None, unmet

    # Direct-to-chip liquid tolerates warm water; the air share (and electrical-room heat,
    # lighting, fans) needs coil water cold enough for ASHRAE server inlet air. Where the
    # cooling names an air-loop supply temperature, the two loops are economized and trimmed
    # separately; both reject to the same towers or dry coolers.
    t_air_supply = c.q("air_loop_supply_temperature")
    if t_air_supply is not None and np.all(np.asarray(f) < 1):
        q_liq = f * it * (q_plant / q_loop).to("dimensionless")  # pump heat shared pro rata
        q_air_loop = q_plant - q_liq
        share_l, chiller_l, cop, exceeded = loop(q_liq, t_supply)
        share_a, chiller_a, cop_a, exceeded_a = loop(q_air_loop, t_air_supply)
        chiller = chiller_l + chiller_a
        econ = ((q_liq * share_l + q_air_loop * share_a) / q_plant).to("dimensionless").magnitude
        exceeded = np.asarray(exceeded) | np.asarray(exceeded_a)
        t_coldest = t_air_supply
    else:
        econ, chiller, cop, exceeded = loop(q_plant, t_supply)
        t_coldest = t_supply
    if not c.chiller:
        chiller = Q_(np.zeros(np.shape(q_plant.magnitude)), "W")
    q_reject = q_plant + chiller
    if tower:
        device_fans = cool.tower_fan_power(q_reject, _d(c.tower_range), c.tower_fan_efficacy.quantity)
    else:
        dc_flow = cool.volume_flow_for_heat(q_reject, _d(c.drycooler_air_delta_t),
                                            cool.STANDARD_AIR_DENSITY, cool.AIR_SPECIFIC_HEAT)
        device_fans = cool.fluid_power(dc_flow, c.drycooler_air_pressure.quantity,
                                       c.fan_efficiency.quantity.magnitude)
    support = (c.support_power_fraction.quantity.magnitude * q_plant) if c.support_power_fraction else it * 0.0
    cooling_power = fans + pumps + chiller + device_fans + support

    # Electrical, facility side: the transformer carries everything.
    xfmr_load = ups_load + ups_loss + lighting + cooling_power
    if design:
        ratings["transformer"] = xfmr_load / loading
    xfmr_loss, xfmr_src = _component_loss(r, e.transformer, e.transformer_efficiency, xfmr_load,
                                          ratings["transformer"])
    facility = xfmr_load + xfmr_loss
    if s.pue is not None:
        facility = it * s.pue

    out = dict(it=it, dist_loss=dist_loss, ups_loss=ups_loss, xfmr_loss=xfmr_loss, lighting=lighting,
               fans=fans, pumps=pumps, chiller=chiller, device_fans=device_fans, support=support,
               cooling_power=cooling_power, facility=facility, q_plant=q_plant, q_reject=q_reject,
               econ=econ, exceeded=exceeded, air_flow=air_flow, water_flow=water_flow, cop=cop,
               ratings=ratings, sources=dict(distribution=dist_src, ups=ups_src, transformer=xfmr_src))
    # Heat leaving the site: plant heat via the tower/dry cooler, plus heat-rejection fans,
    # auxiliaries and transformer losses straight to outdoor air. Equals facility power.
    out["heat_out"] = q_reject + device_fans + support + xfmr_loss

    if tower:
        # in full free cooling the tower only makes water as cold as the coldest loop needs
        t_cold = np.where(econ >= 1.0,
                          np.maximum(t_sink.to("degC").magnitude, (t_coldest - hx).to("degC").magnitude),
                          t_sink.to("degC").magnitude)
        t_exit = Q_(t_cold, "degC") + rise / 2
        h_in = psy.moist_air_enthalpy(air.dry_bulb, air.humidity_ratio)
        evap = water.tower_evaporation(q_reject, h_in, air.humidity_ratio, t_exit, air.pressure)
        circ = water.circulation(q_reject, _d(c.tower_range))
        blow = water.blowdown(evap, c.cycles_of_concentration.quantity.magnitude)
        drift = water.drift(circ, c.drift_rate.quantity.magnitude)
        out.update(evaporation=evap, blowdown=blow, drift=drift, t_exit=t_exit,
                   latent=water.latent_fraction(evap, q_reject, Q_(t_cold, "degC") + rise / 2))
    else:
        zero = Q_(np.zeros(n), "kg/s")
        out.update(evaporation=zero, blowdown=zero, drift=zero, latent=np.zeros(n))
    return out


def _design_air(r: _Resolved) -> _Air:
    """Two design points: ASHRAE 0.4 % cooling dry-bulb with its coincident wet-bulb, and
    0.4 % evaporation wet-bulb with its coincident dry-bulb. The worse one sets the peak."""
    d = r.site.design
    if r.scenario.weather and getattr(r.weather, "design", None) is not None and \
            r.weather.design.cooling_dry_bulb is not None:
        wd = r.weather.design
        db = [wd.cooling_dry_bulb, wd.evaporation_coincident_dry_bulb]
        wb = [wd.cooling_coincident_wet_bulb, wd.evaporation_wet_bulb]
    else:
        db = [d.cooling_dry_bulb.quantity, d.evaporation_coincident_dry_bulb.quantity]
        wb = [d.cooling_coincident_wet_bulb.quantity, d.evaporation_wet_bulb.quantity]
    p = psy.pressure_from_elevation(r.site.elevation.quantity if not r.scenario.weather else r.weather.elevation)
    dbq = Q_(np.array([x.to("degC").magnitude for x in db]), "degC")
    wbq = Q_(np.array([x.to("degC").magnitude for x in wb]), "degC")
    w = psy.humidity_ratio_from_wet_bulb(dbq, wbq, p)
    return _Air(dbq, wbq, w, p * np.ones(2))


def _hourly_air(r: _Resolved) -> _Air:
    w = r.weather
    return _Air(w.dry_bulb, w.wet_bulb, w.humidity_ratio, w.pressure)


# ---------------------------------------------------------------- entry point

def estimate(scenario: Scenario | str | Path | None = None, *, specs_dirs=(), settings: dict | None = None,
             sizing: bool = True, **overrides) -> Estimate:
    """Estimate a cluster's IT load, cooling, electrical losses, facility power, water and grid draw.

    Parameters
    ----------
    scenario : Scenario, str or Path, optional
        A :class:`~dcpower.catalog.scenario.Scenario`, a built-in scenario id or a TOML file;
        the Memphis default when omitted.
    specs_dirs : sequence of path
        User spec directories laid over the built-in catalog.
    settings : dict, optional
        ``--set`` style overrides, ``{"electrical.ups_efficiency": "0.97"}``.
    sizing : bool
        Also size the equipment and the grid dynamics (issue 5 results: ``ups_modules``,
        ``power_swing``, ...). Default True.
    **overrides
        Shortcuts for scenario fields: ``gpus``, ``accelerator``, ``server``,
        ``gpus_per_server``, ``host_power``, ``utilization``, ``site``, ``weather``
        (an EPW path), ``cooling``, ``pue``, ``grid``.

    Returns
    -------
    Estimate
        Results as pint Quantities (``r.facility_power.to("MW")``), hourly series,
        provenance and the steps for ``--explain``.

    Examples
    --------
    >>> import dcpower
    >>> r = dcpower.estimate(gpus=100_000)
    >>> round(r.facility_power.to("MW").magnitude) > 100
    True
    """
    unknown = set(overrides) - set(OVERRIDABLE)
    if unknown:
        raise InputError(f"unknown option(s) {', '.join(sorted(unknown))}; use {', '.join(OVERRIDABLE)}")
    if scenario is None:
        scen = load_scenario("memphis", specs_dirs)
    elif isinstance(scenario, Scenario):
        scen = scenario
    else:
        scen = load_scenario(scenario, specs_dirs)
    merged = {k: v for k, v in overrides.items() if v is not None}
    if "accelerator" in merged and "server" not in merged:
        merged["server"] = None  # let the accelerator's usual server follow
    if "site" in merged and "grid" not in merged:
        merged["grid"] = None
    if "weather" in merged:
        merged["weather"] = str(merged["weather"])
    merged.update(settings or {})
    spec_overrides: dict = {}
    if merged:
        scen, spec_overrides = apply_settings(scen, merged)

    catalog = load_catalog(specs_dirs)
    rec = _Recorder()
    r = _resolve(scen, catalog, spec_overrides, rec)

    it = _it_load(r, rec)
    ns = _network_and_storage(r, it, rec)

    design_air = _design_air(r)
    design = _facility(r, ns["it_design"], design_air, None, it["racks"])
    ratings = {k: v[0] for k, v in design["ratings"].items()}
    hourly_air = _hourly_air(r)
    hourly = _facility(r, ns["it_avg"], hourly_air, ratings, it["racks"])
    hours = hourly["facility"].magnitude.size
    d_idx = int(np.argmax(design["facility"].magnitude))

    def mean(q):
        return Q_(float(np.mean(q.magnitude)), q.units)

    def total(q_rate, unit):  # sum of hourly rates x 1 h
        return (Q_(float(np.sum(q_rate.magnitude)), q_rate.units) * Q_(1, "h")).to(unit)

    c = r.cooling
    rec.step("Electrical chain (IT side)",
             "loss = S (a + b x + c x^2), x = P/S; S = design load / design loading; or P (1/eta - 1)",
             [_inp("design loading", scen.electrical.design_loading),
              Input("distribution", scen.electrical.distribution, design["sources"]["distribution"]),
              Input("UPS", scen.electrical.ups, design["sources"]["ups"]),
              _inp("lighting power density", scen.electrical.lighting_power_density),
              _inp("rack footprint", scen.electrical.rack_footprint)],
             [("distribution loss, design", design["dist_loss"][d_idx].to("MW")),
              ("UPS loss, design", design["ups_loss"][d_idx].to("MW")),
              ("lighting", design["lighting"][d_idx].to("kW"))])
    rec.step(f"Cooling: air movers and pumps ({c.id})",
             "V_air = Q_air / (rho cp dT_air); P_fan = V dp / eta;  V_w = Q / (rho cp dT_loop); P_pump = V dp / eta",
             [_inp(f"{c.id}.liquid_fraction", c.liquid_fraction), _inp(f"{c.id}.air_delta_t", c.air_delta_t),
              _inp(f"{c.id}.air_pressure", c.air_pressure), _inp(f"{c.id}.fan_efficiency", c.fan_efficiency),
              _inp(f"{c.id}.loop_delta_t", c.loop_delta_t), _inp(f"{c.id}.pump_pressure", c.pump_pressure),
              _inp(f"{c.id}.pump_efficiency", c.pump_efficiency),
              Input("air density", cool.STANDARD_AIR_DENSITY, "ASHRAE standard air (Fundamentals 2017 ch. 1)"),
              Input("water density, cp", f"{cool.WATER_DENSITY:~}, {cool.WATER_SPECIFIC_HEAT:~}",
                    "IAPWS-95 at 25 degC (NIST WebBook)")],
             [("air flow, design", design["air_flow"][d_idx].to("m^3/s")),
              ("air movers, design", design["fans"][d_idx].to("MW")),
              ("facility water flow, design", design["water_flow"][d_idx].to("L/s")),
              ("pumps, design", design["pumps"][d_idx].to("MW"))])
    sink = "wet-bulb" if c.heat_rejection == "cooling-tower" else "dry-bulb"
    rec.step(f"Cooling: heat rejection ({c.heat_rejection}{', chiller' if c.chiller else ''})",
             f"T_avail = T_{sink} + approach (+ HX approach); economizer share = clip((T_r - T_avail)/(T_r - T_s), 0, 1); "
             "COP = eta_II T_evap / (T_cond - T_evap); P_chiller = (1 - share) Q / COP",
             [_inp(f"{c.id}.supply_temperature", c.supply_temperature), _inp(f"{c.id}.approach", c.approach),
              _inp(f"{c.id}.hx_approach", c.hx_approach),
              _inp(f"{c.id}.chiller_cop_rated", c.chiller_cop_rated),
              Input("design weather", f"{design_air.dry_bulb.magnitude[d_idx]:.1f} degC dry-bulb, "
                    f"{design_air.wet_bulb.magnitude[d_idx]:.1f} degC wet-bulb",
                    r.site.design.cooling_dry_bulb.citation()),
              Input("hourly weather", f"{hours} h", r.weather.source if hasattr(r.weather, "source") else "")],
             [("chillers, design", design["chiller"][d_idx].to("MW")),
              ("heat-rejection fans, design", design["device_fans"][d_idx].to("MW")),
              ("free_cooling_hours", int(np.sum(hourly["econ"] >= 1.0))),
              ("supply_temperature_exceeded_hours", int(np.sum(hourly["exceeded"])))])
    rec.step("Electrical chain (transformer) and facility",
             "P_facility = P_IT + distribution + UPS + lighting + cooling + transformer loss",
             [Input("transformer", scen.electrical.transformer, design["sources"]["transformer"])]
             + ([Input("fixed PUE", scen.pue, "user input")] if scen.pue else []),
             [("transformer loss, design", design["xfmr_loss"][d_idx].to("MW")),
              ("facility_power", design["facility"][d_idx].to("MW")),
              ("facility_power_average", mean(hourly["facility"]).to("MW"))])
    if scen.pue is not None:
        rec.warnings.append(f"--pue {scen.pue:g}: facility power is IT x PUE; the cooling and electrical "
                            "breakdown and water still come from the physical model")

    results: dict[str, Any] = {}
    results["gpus"] = Q_(scen.gpus, "dimensionless")
    results["servers"] = Q_(it["servers"], "dimensionless")
    results["racks"] = Q_(it["racks"], "dimensionless")
    results["gpu_power"] = it["gpu_power"].to("MW")
    results["host_power"] = it["host_power"].to("MW")
    results["network_power"] = ns["network_power"].to("MW")
    results["storage_power"] = ns["storage_power"].to("MW")
    results["network_switches"] = Q_(ns["switches"], "dimensionless")
    results["network_transceivers"] = Q_(ns["modules"], "dimensionless")
    results["storage_systems"] = Q_(ns["storage_systems"], "dimensionless")
    results["it_power"] = ns["it_design"].to("MW")
    results["it_power_average"] = ns["it_avg"].to("MW")
    results["cooling_power_average"] = mean(hourly["cooling_power"]).to("MW")
    results["electrical_losses_average"] = mean(hourly["dist_loss"] + hourly["ups_loss"] + hourly["xfmr_loss"]).to("MW")
    results["support_power_average"] = mean(hourly["lighting"]).to("MW")
    results["facility_power"] = design["facility"][d_idx].to("MW")
    results["facility_power_average"] = mean(hourly["facility"]).to("MW")
    it_energy = total(hourly["it"], "GWh")
    fac_energy = total(hourly["facility"], "GWh")
    results["annual_it_energy"] = it_energy
    results["annual_energy"] = fac_energy
    results["pue"] = (fac_energy / it_energy).to("dimensionless")
    results["pue_design"] = (design["facility"][d_idx] / design["it"][d_idx]).to("dimensionless")
    results["heat_rejected"] = design["heat_out"][d_idx].to("MW")
    results["free_cooling_hours"] = Q_(int(np.sum(hourly["econ"] >= 1.0)), "h")
    results["supply_temperature_exceeded_hours"] = Q_(int(np.sum(hourly["exceeded"])), "h")
    if int(np.sum(hourly["exceeded"])):
        rec.warnings.append(f"the {c.heat_rejection} cannot deliver {c.supply_temperature.quantity:~} supply water "
                            f"in {int(np.sum(hourly['exceeded']))} hours of the year at this site")

    # Water
    evap = total(hourly["evaporation"], "kg")
    blow = total(hourly["blowdown"], "kg")
    drift = total(hourly["drift"], "kg")
    site_water = ((evap + blow + drift) / cool.WATER_DENSITY).to("m^3")
    results["water_evaporated"] = (evap / cool.WATER_DENSITY).to("m^3")
    results["water_blowdown"] = (blow / cool.WATER_DENSITY).to("m^3")
    results["water_drift"] = (drift / cool.WATER_DENSITY).to("m^3")
    results["annual_water"] = site_water
    results["water_per_day"] = (site_water / Q_(hours / 24, "d")).to("m^3/d")
    results["wue"] = water.water_use_effectiveness(site_water, it_energy)
    if c.heat_rejection == "cooling-tower":
        rec.step("Water: cooling tower",
                 "E = Q (W_sat(T_exit) - W_in) / (h_sat(T_exit) - h_in);  B = E / (COC - 1);  D = drift x circulation;  "
                 "WUE = site water / IT energy",
                 [_inp(f"{c.id}.cycles_of_concentration", c.cycles_of_concentration),
                  _inp(f"{c.id}.drift_rate", c.drift_rate), _inp(f"{c.id}.tower_range", c.tower_range),
                  Input("T_exit", "cold water + range/2, saturated",
                        "assumption: leaving air saturated at the mean water temperature"),
                  Input("moist-air properties", "psychrolib", "ASHRAE Handbook - Fundamentals 2017 ch. 1")],
                 [("water_evaporated", results["water_evaporated"].to("m^3")),
                  ("latent share of heat, annual", float(np.sum(hourly["latent"] * hourly["q_reject"].magnitude)
                                                         / max(np.sum(hourly["q_reject"].magnitude), 1e-9))),
                  ("annual_water", site_water.to("m^3")), ("water_per_day", results["water_per_day"]),
                  ("wue", results["wue"])])

    # Grid
    on = scen.onsite
    turbine_cap = Q_(0.0, "W")
    turbine = battery = None
    if on.turbine and on.turbines:
        turbine = catalog.get("turbine", on.turbine)
        turbine_cap = on.turbines * turbine.rated_power.quantity.to("W")
    battery_power = Q_(0.0, "W")
    if on.battery and on.batteries:
        battery = catalog.get("battery", on.battery)
        battery_power = on.batteries * battery.power.quantity.to("W")
    limit = on.grid_limit.quantity if on.grid_limit is not None else None
    g, t, b, un = gridmod.dispatch(hourly["facility"], limit, turbine_cap, battery_power)
    dg, dt, db, dun = gridmod.dispatch(design["facility"][d_idx:d_idx + 1], limit, turbine_cap, battery_power)
    grid_energy = total(g, "GWh")
    turbine_energy = total(t, "GWh")
    grid_peak = dg[0].to("MW")
    pf = scen.electrical.power_factor.quantity.magnitude
    results["grid_power_peak"] = grid_peak
    results["grid_apparent_power"] = elec.apparent_power(grid_peak, pf).to("MVA")
    results["grid_energy"] = grid_energy
    results["load_factor"] = gridmod.load_factor(grid_energy, grid_peak, hours) if grid_peak.magnitude > 0 else Q_(0.0, "")
    results["turbine_energy"] = turbine_energy
    results["unserved_energy"] = total(un, "MWh")
    if dun[0].magnitude > 0:
        rec.warnings.append(f"design load exceeds grid allocation plus on-site supply by {dun[0].to('MW'):.1f~}")
    gd = r.grid
    results["annual_cost"] = gridmod.energy_cost(grid_energy, gd.energy_price.quantity, grid_peak,
                                                 gd.demand_charge.quantity if gd.demand_charge else None)
    co2 = (grid_energy * gd.carbon_intensity.quantity).to("tCO2")
    if turbine is not None:
        co2 = co2 + gridmod.fuel_co2(turbine_energy, turbine.heat_rate.quantity, turbine.fuel_co2.quantity)
    results["annual_co2"] = co2
    if gd.water_intensity is not None:
        offsite = (grid_energy * gd.water_intensity.quantity).to("m^3")
        results["annual_water_offsite"] = offsite
        results["wue_source"] = ((site_water + offsite) / it_energy).to("L/kWh")
    rec.step("Grid: dispatch, energy, cost and CO2",
             "turbines and battery cover load above the grid allocation;  cost = E_grid x price (+ demand);  "
             "CO2 = E_grid x intensity + E_turbine x heat rate x fuel factor;  S = P / PF",
             [_inp("grid allocation", on.grid_limit), Input("turbines", f"{on.turbines} x {on.turbine}",
                                                            turbine.rated_power.citation() if turbine else "none"),
              Input("batteries", f"{on.batteries} x {on.battery}", battery.power.citation() if battery else "none"),
              _inp(f"{gd.id}.energy_price", gd.energy_price), _inp(f"{gd.id}.carbon_intensity", gd.carbon_intensity),
              _inp(f"{gd.id}.demand_charge", gd.demand_charge), _inp(f"{gd.id}.water_intensity", gd.water_intensity),
              _inp("power factor", scen.electrical.power_factor)],
             [("grid_power_peak", grid_peak), ("grid_apparent_power", results["grid_apparent_power"]),
              ("turbine_energy", turbine_energy), ("annual_cost", results["annual_cost"]),
              ("annual_co2", co2.to("tCO2"))])

    # Capacity sizing, grid dynamics and phases (issue 5): see dcpower.chain.capacity. The CLI's
    # estimate table leaves them to `dcpower size` / `dcpower grid` (sizing=False).
    if sizing:
        from dcpower.chain import capacity
        results.update(capacity.run(r, design, d_idx, design_air, it, ns, results, rec))

    series = {
        "dry_bulb": hourly_air.dry_bulb, "wet_bulb": hourly_air.wet_bulb,
        "it_power": hourly["it"].to("MW"), "cooling_power": hourly["cooling_power"].to("MW"),
        "electrical_losses": (hourly["dist_loss"] + hourly["ups_loss"] + hourly["xfmr_loss"]).to("MW"),
        "facility_power": hourly["facility"].to("MW"), "grid_power": g.to("MW"),
        "economizer_fraction": hourly["econ"],
        "water": ((hourly["evaporation"] + hourly["blowdown"] + hourly["drift"]) / cool.WATER_DENSITY).to("m^3/h"),
        "heat_out": hourly["heat_out"].to("MW"),
    }
    for name in results:
        rec.provenance.setdefault(name, "computed")
    resolved = _resolved_dict(scen, r)
    internals = {"specs": r, "design": design, "design_index": d_idx, "design_air": design_air,
                 "hourly": hourly, "hourly_air": hourly_air, "it": it, "network_storage": ns,
                 "recorder": rec, "dispatch": {"grid": g, "turbine": t, "battery": b, "unserved": un},
                 "turbine": turbine, "battery": battery}
    return Estimate(scenario=scen, results=results, provenance=rec.provenance, hourly=series,
                    steps=rec.steps, warnings=rec.warnings, resolved=resolved, internals=internals)


def _resolved_dict(scen: Scenario, r: _Resolved) -> dict:
    def plain(v):
        if isinstance(v, dict) and "value" in v and "source" in v:
            return {"value": v["value"], "source": v["source"] + (f" ({v['year']})" if v.get("year") else "")}
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items() if x is not None}
        return v

    d = plain(scen.model_dump())
    d["server"] = r.server.id
    d["grid"] = r.grid.id
    d["weather"] = getattr(r.weather, "source", scen.weather)
    return d
