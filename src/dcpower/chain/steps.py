"""The steps of the model chain, each a small function with typed inputs and a typed output.

IT load -> fabric and storage -> electrical chain (IT side) -> air and water loops -> heat
rejection -> electrical chain (facility side) -> water -> grid dispatch -> cost and CO2.
Every step calls the pure functions of :mod:`dcpower.physics`; none reads a file or a dict.

Shapes: a value that differs between samples of a batch has shape ``(S, 1)`` (``S = 1`` for
one estimate); a value per outdoor-air state has shape ``(S, H)`` where the ``H`` states are
the 8,760 hours of a typical year, weather bins, or design points. Counts are whole numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from dcpower.chain.resolve import Resolved
from dcpower.errors import InputError
from dcpower.physics import cooling as cool
from dcpower.physics import electrical as elec
from dcpower.physics import grid as gridmod
from dcpower.physics import it_load, network, psychrometrics as psy, water
from dcpower.units import Q_
from dcpower.weather.model import AirStates

__all__ = ["ITLoad", "FabricLoad", "StorageLoad", "ITPower", "ItSide", "Loops", "Rejection", "Plant",
           "TowerWater", "GridSupply", "SiteServices", "it_load_step", "fabric_step", "storage_step",
           "it_power_step", "design_air", "site_services_step", "generator_unit", "plant_step", "tower_water_step", "grid_step", "whole", "HOST_COMPONENTS"]

Quantity = Any  # a pint Quantity, scalar or array

HOST_COMPONENTS = ("cpu_power", "memory_power", "nic_power", "baseboard_power", "drive_power", "fan_power",
                   "other_power")


def whole(x):
    """Round up to whole units: an int for one value, an int array for a batch."""
    a = np.ceil(np.asarray(x, dtype=float))
    return int(a) if a.ndim == 0 else a.astype(int)


def _magnitude(q, unit: str = "dimensionless"):
    m = q.to(unit).magnitude
    return float(m) if np.ndim(m) == 0 else m


def _delta(sv) -> Quantity:
    """A temperature difference from a spec value, as delta_degC (pint refuses degC + K)."""
    return sv.quantity.to("delta_degC")


# ---------------------------------------------------------------- IT load

@dataclass(frozen=True)
class ITLoad:
    """Accelerators, servers and racks. Powers are totals over the cluster unless named per server."""

    gpus: Any                      # [-]
    gpus_per_server: int           # [-]
    servers: Any                   # [-]
    servers_per_rack: int          # [-]
    rack_source: str
    racks: Any                     # [-]
    utilization: Any               # share of time busy [-]
    host_power_per_server: Quantity  # DC, full load [W]
    gpu_idle: Quantity             # one accelerator idle [W]
    gpu_busy: Quantity             # one accelerator busy with the workload [W]
    host_idle: Quantity            # one server's host, idle, DC [W]
    host_busy: Quantity            # one server's host, busy, DC [W]
    server_power_full: Quantity    # one server, everything at full load, wall [W]
    server_power_average: Quantity  # one server at the utilization, wall [W]
    servers_full: Quantity         # all servers at full load (accelerators at maximum) [W]
    servers_peak: Quantity         # all servers busy with the workload [W]
    servers_average: Quantity      # all servers at the utilization [W]
    servers_nameplate: Quantity    # all servers at their nameplate (full load where none) [W]
    gpu_power: Quantity            # accelerators at maximum [W]
    gpu_power_average: Quantity    # accelerators at the utilization [W]
    host_power: Quantity           # the rest of the servers at full load, PSU losses included [W]


def host_power_per_server(r: Resolved) -> Quantity:
    """DC power of everything in a server but the accelerators: the custom value, or the sum of components."""
    if r.scenario.host_power is not None:
        return r.scenario.host_power.quantity.to("W")
    srv = r.server
    return sum((srv.q(f).to("W") for f in HOST_COMPONENTS if getattr(srv, f) is not None), Q_(0.0, "W"))


def accelerator_max(r: Resolved) -> Quantity:
    """One accelerator's maximum power in this server: its rating, or the platform's lower limit."""
    rated = r.accelerator.max_power.quantity.to("W")
    limit = r.server.accelerator_power_limit
    return rated if limit is None else np.minimum(rated, limit.quantity.to("W"))


def idle_floors(r: Resolved) -> tuple[Quantity, Any]:
    """One accelerator's idle power, and the host's idle share: the specs' own, else the idle workload's."""
    acc, srv = r.accelerator, r.server
    if acc.idle_power is not None:
        gpu_idle = acc.idle_power.quantity.to("W")
    else:
        gpu_idle = _magnitude(r.idle.accelerator_idle_fraction.quantity) * acc.max_power.quantity.to("W")
    share = srv.host_idle_fraction if srv.host_idle_fraction is not None else r.idle.host_idle_fraction
    return gpu_idle, _magnitude(share.quantity)


def it_load_step(r: Resolved) -> ITLoad:
    """Servers and racks for the GPU count; their power at full load, busy with the workload,
    and averaged over the utilization (the share of time busy)."""
    s, srv, w = r.scenario, r.server, r.workload
    gpus = s.gpus
    gpu_max = accelerator_max(r)
    u = _magnitude(s.utilization.quantity)
    gps = s.gpus_per_server or int(srv.gpus.quantity.magnitude)
    servers = whole(np.asarray(gpus) / gps)
    host_dc = host_power_per_server(r)
    psu = _magnitude(srv.psu_efficiency.quantity)
    gpu_idle, host_share = idle_floors(r)
    gpu_busy = it_load.busy_power(gpu_max, gpu_idle, _magnitude(w.accelerator_busy_power.quantity))
    gpu_avg = it_load.average_power(gpu_idle, gpu_busy, u)
    host_idle = host_share * host_dc
    host_busy = it_load.load_between(host_idle, host_dc, _magnitude(w.host_busy_load.quantity))
    host_avg = it_load.average_power(host_idle, host_busy, u)
    server_full = it_load.server_power(gps * gpu_max, host_dc, psu)
    # The last server may be partly filled: GPUs counted exactly, hosts per server.
    servers_full = (gpus * gpu_max + servers * host_dc) / psu
    nameplate = servers * srv.nameplate_power.quantity.to("W") \
        if srv.nameplate_power is not None and s.gpus_per_server is None and s.host_power is None else servers_full
    spr, rack_source = _servers_per_rack(r, gps, server_full)
    return ITLoad(gpus=gpus, gpus_per_server=gps, servers=servers, servers_per_rack=spr, rack_source=rack_source,
                  racks=whole(np.asarray(servers) / spr), utilization=u, host_power_per_server=host_dc,
                  gpu_idle=gpu_idle, gpu_busy=gpu_busy, host_idle=host_idle, host_busy=host_busy,
                  server_power_full=server_full,
                  server_power_average=it_load.server_power(gps * gpu_avg, host_avg, psu),
                  servers_full=servers_full, servers_peak=(gpus * gpu_busy + servers * host_busy) / psu,
                  servers_average=(gpus * gpu_avg + servers * host_avg) / psu, servers_nameplate=nameplate,
                  gpu_power=gpus * gpu_max, gpu_power_average=gpus * gpu_avg,
                  host_power=servers_full - gpus * gpu_max)


def _servers_per_rack(r: Resolved, gps: int, server_full) -> tuple[int, str]:
    s, srv = r.scenario, r.server
    if s.gpus_per_rack:
        return max(s.gpus_per_rack // gps, 1), "scenario gpus_per_rack"
    if s.rack_power_limit is not None:
        spr = it_load.servers_per_rack_from_power(np.max(server_full), s.rack_power_limit.quantity)
        return spr, f"rack power limit {s.rack_power_limit.quantity:~}"
    if srv.gpus_per_rack is not None:
        return max(int(srv.gpus_per_rack.quantity.magnitude) // gps, 1), srv.gpus_per_rack.citation()
    raise InputError(f"server '{srv.id}' does not say how many GPUs a rack holds; "
                     "add --set gpus_per_rack=N or --set rack_power_limit='40 kW'")


# ---------------------------------------------------------------- network and storage

@dataclass(frozen=True)
class FabricLoad:
    """Counts and power of one fabric."""

    name: str
    endpoints: Any
    tiers: Any
    radix: int
    switches: Any
    transceivers: Any
    power: Quantity  # switches at typical power plus optics [W]
    groups: Any = None  # dragonfly groups (None for other topologies)


def fabric_step(parts, it: ITLoad) -> FabricLoad:
    """Size one fabric: a non-blocking fat tree or a dragonfly of its switch model, or switches per rack."""
    fab, sw = parts.fabric, parts.switch
    per = fab.endpoints_per_unit.quantity.magnitude
    units = {"gpu": it.gpus, "server": it.servers, "rack": it.racks}[fab.endpoints]
    endpoints = whole(np.asarray(units) * per)
    switch_power = sw.typical_power.quantity.to("W")
    ports = int(sw.ports.quantity.magnitude)
    if fab.topology == "per-rack":
        return FabricLoad(fab.id, endpoints, 1, ports, endpoints, 0, endpoints * switch_power)
    if fab.topology == "dragonfly":
        return _dragonfly_load(parts, endpoints, switch_power)
    radix = network.switch_radix(ports, sw.port_speed.quantity, fab.endpoint_speed.quantity)
    tiers = network.fat_tree_tiers(endpoints, radix)
    switches = network.fat_tree_switch_count(endpoints, radix, tiers)
    nic_t, sw_t = parts.nic_transceiver, parts.switch_transceiver
    ports_per_module = int(sw_t.ports.quantity.magnitude) if sw_t else 1
    nic_m, sw_m = network.fat_tree_transceivers(endpoints, tiers, nic_t is not None, ports_per_module)
    sw_m = sw_m if sw_t is not None else 0 * sw_m
    optics = Q_(0.0, "W")
    if nic_t is not None:
        optics = optics + nic_m * nic_t.power.quantity.to("W")
    if sw_t is not None:
        optics = optics + sw_m * sw_t.power.quantity.to("W")
    return FabricLoad(fab.id, endpoints, tiers, radix, switches, nic_m + sw_m, switches * switch_power + optics)


def _dragonfly_load(parts, endpoints, switch_power) -> FabricLoad:
    """A dragonfly: copper to the endpoints and inside groups, one optical end per global-link end."""
    fab, sw, end = parts.fabric, parts.switch, parts.switch_transceiver
    p, a, h = (int(getattr(fab, f).quantity.magnitude)
               for f in ("endpoints_per_switch", "switches_per_group", "global_links_per_switch"))
    ports = int(sw.ports.quantity.magnitude)
    if p + (a - 1) + h > ports:
        raise InputError(f"fabric '{fab.id}': {p} endpoint + {a - 1} group + {h} global ports exceed the "
                         f"{ports} ports of switch '{sw.id}'; lower endpoints_per_switch, switches_per_group "
                         "or global_links_per_switch")
    most = network.dragonfly_capacity(p, a, h)
    if np.any(np.asarray(endpoints) > most):
        raise InputError(f"fabric '{fab.id}' connects at most {most:,} endpoints ({a * h + 1} groups); "
                         f"{int(np.max(endpoints)):,} asked; choose a larger fabric or fewer GPUs")
    switches = network.dragonfly_switches(endpoints, p)
    global_links = network.dragonfly_global_links(switches, a, h)
    end_power = end.power.quantity.to("W") if end is not None else Q_(0.0, "W")
    power = network.dragonfly_power(switches, global_links, switch_power, end_power)
    modules = 2 * global_links if end is not None else 0 * global_links
    return FabricLoad(fab.id, endpoints, 2, p, switches, modules, power,
                      groups=network.dragonfly_groups(switches, a))


@dataclass(frozen=True)
class StorageLoad:
    """Shared storage sized from the read bandwidth the GPUs need."""

    systems: Any
    power: Quantity  # [W]


def storage_step(r: Resolved, it: ITLoad) -> StorageLoad:
    s = r.scenario
    if r.storage is None or s.storage.read_bandwidth_per_gpu is None:
        return StorageLoad(0, Q_(0.0, "W"))
    need = it.gpus * s.storage.read_bandwidth_per_gpu.quantity
    systems = whole((need / r.storage.read_bandwidth.quantity).to("dimensionless").magnitude)
    return StorageLoad(systems, systems * r.storage.power.quantity.to("W"))


@dataclass(frozen=True)
class ITPower:
    """The critical IT load: servers, network and storage."""

    network: Quantity       # [W]
    switches: Any
    transceivers: Any
    design: Quantity        # expected peak: servers busy with the workload + network + storage [W]
    average: Quantity       # servers at the utilization + network + storage [W]
    nameplate: Quantity     # servers at nameplate + network + storage: what is provisioned [W]


def it_power_step(it: ITLoad, fabrics: list[FabricLoad], storage: StorageLoad) -> ITPower:
    """Network and storage run at typical power whatever the utilization."""
    net = sum((f.power for f in fabrics), Q_(0.0, "W"))
    rest = net + storage.power
    return ITPower(network=net, switches=sum(f.switches for f in fabrics),
                   transceivers=sum(f.transceivers for f in fabrics),
                   design=it.servers_peak + rest, average=it.servers_average + rest,
                   nameplate=it.servers_nameplate + rest)


# ---------------------------------------------------------------- outdoor air at design

def design_air(r: Resolved) -> AirStates:
    """The outdoor-air states the design peak is taken at; the worst one sets it.

    The n-year return-period extreme dry-bulb (``scenario.design_return_period``) with the wet-bulb
    coincident with the 0.4 % dry-bulb, and the extreme maximum wet-bulb with the dry-bulb
    coincident with the 0.4 % wet-bulb (ASHRAE Handbook - Fundamentals, ch. 14, extreme annual
    design conditions); then the hottest and the most humid hours of the typical year, so the
    design never falls below an hour the year evaluates. Where the data has no extreme, the
    0.4 % point stands in, and says so.
    """
    d, w, n = r.design, r.weather, r.scenario.design_return_period
    db_x, wb_x = d.extreme_dry_bulb_for(n), d.extreme_wet_bulb
    states = [
        (db_x, d.cooling_coincident_wet_bulb, f"{n}-year extreme dry-bulb" if db_x is not None
         else f"0.4 % dry-bulb (no {n}-year extreme in the data)"),
        (d.evaporation_coincident_dry_bulb, wb_x, "extreme wet-bulb" if wb_x is not None
         else "0.4 % wet-bulb (no extreme wet-bulb in the data)"),
    ]
    states[0] = (db_x if db_x is not None else d.cooling_dry_bulb,) + states[0][1:]
    states[1] = (states[1][0], wb_x if wb_x is not None else d.evaporation_wet_bulb, states[1][2])
    hot, humid = int(np.argmax(w.dry_bulb.magnitude)), int(np.argmax(w.wet_bulb.magnitude))
    states += [(w.dry_bulb[hot], w.wet_bulb[hot], f"hottest typical-year hour (#{hot + 1})"),
               (w.dry_bulb[humid], w.wet_bulb[humid], f"most humid typical-year hour (#{humid + 1})")]
    return design_states(r, states)


def design_states(r: Resolved, states) -> AirStates:
    """Air states from ``(dry-bulb, wet-bulb, label)``; a wet-bulb never above its dry-bulb."""
    p = psy.pressure_from_elevation(r.elevation)
    wbq = Q_(np.array([x.to("degC").magnitude for _, x, _ in states]), "degC")
    dbq = Q_(np.maximum([x.to("degC").magnitude for x, _, _ in states], wbq.magnitude), "degC")
    labels = tuple(f"{label} {db:.1f} degC dry-bulb / {wb:.1f} degC wet-bulb"
                   for (_, _, label), db, wb in zip(states, dbq.magnitude, wbq.magnitude))
    k = len(states)
    return AirStates(dbq, wbq, psy.humidity_ratio_from_wet_bulb(dbq, wbq, p), p * np.ones(k), np.zeros(k), labels)


def percent_design_air(r: Resolved) -> AirStates:
    """The ASHRAE 0.4 % cooling and evaporation design points, for comparison with the extremes."""
    d = r.design
    return design_states(r, [(d.cooling_dry_bulb, d.cooling_coincident_wet_bulb, "0.4 % dry-bulb"),
                             (d.evaporation_coincident_dry_bulb, d.evaporation_wet_bulb, "0.4 % wet-bulb")])


# ---------------------------------------------------------------- the plant at given outdoor air

@dataclass(frozen=True)
class ItSide:
    """Losses of the electrical chain that carries the IT load, and the white-space lighting."""

    distribution_loss: Quantity
    ups_loss: Quantity
    lighting: Quantity
    ratings: dict  # installed rating of each component: "distribution", "ups", "transformer" [W]
    sources: dict  # where each component's efficiency came from


def _component_loss(component, override, load, rating) -> tuple[Quantity, str]:
    if override is not None:
        return elec.fixed_efficiency_loss(load, override.quantity.magnitude), f"override {override.citation()}"
    if component.efficiency_curve is not None:
        c = component.efficiency_curve
        return elec.component_loss(load, rating, elec.loss_coefficients(c.load, c.efficiency)), c.citation()
    return elec.fixed_efficiency_loss(load, component.efficiency.quantity.magnitude), component.efficiency.citation()


def it_side_step(r: Resolved, it, racks, ratings: dict | None) -> ItSide:
    """Distribution, then UPS; ``ratings=None`` sizes them from ``design_loading`` (the design evaluation)."""
    e = r.scenario.electrical
    loading = _magnitude(e.design_loading.quantity)
    ratings = dict(ratings) if ratings is not None else {"distribution": it / loading}
    dist_loss, dist_src = _component_loss(r.distribution, e.distribution_efficiency, it, ratings["distribution"])
    ups_load = it + dist_loss
    ratings.setdefault("ups", ups_load / loading)
    ups_loss, ups_src = _component_loss(r.ups, e.ups_efficiency, ups_load, ratings["ups"])
    lighting = (racks * e.rack_footprint.quantity * e.lighting_power_density.quantity).to("W") * np.ones(it.shape)
    return ItSide(dist_loss, ups_loss, lighting, ratings, {"distribution": dist_src, "ups": ups_src})


@dataclass(frozen=True)
class Loops:
    """Air movers and the facility water loop."""

    air_heat: Quantity     # heat the air loop carries [W]
    air_flow: Quantity     # [m^3/s]
    fans: Quantity         # [W]
    water_flow: Quantity   # [m^3/s]
    pumps: Quantity        # [W]
    plant_heat: Quantity   # heat into the facility water, pump work included [W]


def liquid_fraction(r: Resolved):
    """Share of the IT heat captured by liquid at the server (cold plates, immersion): the server's own. [-]"""
    f = r.server.liquid_fraction
    return 0.0 if f is None else f.quantity.magnitude


def loops_step(r: Resolved, it, side: ItSide) -> Loops:
    """Air share through air movers; liquid share and all heat into facility water.

    ``V = Q / (rho cp dT)``, ``P = V dp / eta`` (fans and pumps)."""
    c = r.cooling
    f = liquid_fraction(r)
    q_air = (1 - f) * it + side.distribution_loss + side.ups_loss + side.lighting
    air_flow = cool.volume_flow_for_heat(q_air, _delta(c.air_delta_t), cool.STANDARD_AIR_DENSITY,
                                         cool.AIR_SPECIFIC_HEAT)
    fans = cool.fluid_power(air_flow, c.air_pressure.quantity, c.fan_efficiency.quantity.magnitude)
    q_loop = it + side.distribution_loss + side.ups_loss + side.lighting + fans
    water_flow = cool.volume_flow_for_heat(q_loop, _delta(c.loop_delta_t), cool.WATER_DENSITY,
                                           cool.WATER_SPECIFIC_HEAT)
    pumps = cool.fluid_power(water_flow, c.pump_pressure.quantity, c.pump_efficiency.quantity.magnitude)
    return Loops(q_air, air_flow, fans, water_flow, pumps, q_loop + pumps)


@dataclass(frozen=True)
class Rejection:
    """How the plant heat leaves: economizer share, chillers, heat-rejection fans, auxiliaries."""

    sink_temperature: Quantity      # wet-bulb (towers) or dry-bulb (dry coolers) + approach [degC]
    coldest_supply: Quantity        # supply of the coldest loop [degC]
    economizer_fraction: np.ndarray  # share of plant heat rejected without compressors [-]
    chiller: Quantity               # [W]
    exceeded: np.ndarray            # supply temperature not reachable (no chiller) [bool]
    heat_rejected: Quantity         # plant heat plus compressor work, to towers or dry coolers [W]
    device_fans: Quantity           # tower or dry-cooler fans [W]
    support: Quantity               # plant auxiliaries [W]


def _sink(r: Resolved, air: AirStates):
    c = r.cooling
    tower = c.heat_rejection == "cooling-tower"
    t_sink = (air.wet_bulb if tower else air.dry_bulb) + _delta(c.approach)
    rise = _delta(c.tower_range) if tower else _delta(c.drycooler_air_delta_t)
    hx = _delta(c.hx_approach) if c.hx_approach is not None else Q_(0.0, "delta_degC")
    return t_sink, rise, t_sink + hx


def _loop_cooling(r: Resolved, q, t_supply, t_sink, rise, t_available, eta_ii):
    """Economizer share, chiller power and unmet states of one water loop at supply ``t_supply``.

    share = clip((T_r - T_avail)/(T_r - T_s), 0, 1); P_chiller = (1 - share) Q / COP."""
    c = r.cooling
    t_return = t_supply + _delta(c.loop_delta_t)
    share = cool.economizer_fraction(t_available, t_supply, t_return)
    if c.chiller:
        share = share if c.economizer else np.zeros_like(share)
        cop = cool.chiller_cop(t_supply, t_sink, rise, _delta(c.chiller_approach), eta_ii,
                               c.q("chiller_min_condenser_temperature"), c.q("chiller_rating_chilled_water"))
        return share, (q * (1 - share) / cop).to("W"), np.zeros(np.shape(share), dtype=bool)
    unmet = np.asarray(t_available.to("degC").magnitude > t_supply.to("degC").magnitude)
    return share, Q_(np.zeros(np.shape(q.magnitude)), "W"), np.broadcast_to(unmet, np.shape(q.magnitude))


def rejection_step(r: Resolved, it, loops: Loops, air: AirStates) -> Rejection:
    """Economize where the weather allows, chill the rest, reject to towers or dry coolers.

    Direct-to-chip liquid tolerates warm water; the air share (and electrical-room heat,
    lighting, fans) needs coil water cold enough for ASHRAE server inlet air. Where the
    cooling names an air-loop supply temperature, the two loops are economized and trimmed
    separately; both reject to the same towers or dry coolers.
    """
    c = r.cooling
    t_sink, rise, t_available = _sink(r, air)
    eta_ii = None
    if c.chiller:
        eta_ii = cool.second_law_efficiency(
            c.chiller_cop_rated.quantity.magnitude, c.chiller_rating_chilled_water.quantity,
            c.chiller_rating_condenser_water.quantity, rise, _delta(c.chiller_approach)).magnitude
    q_plant = loops.plant_heat
    f = liquid_fraction(r)
    t_air_supply = c.q("air_loop_supply_temperature")
    if t_air_supply is not None and np.all(np.asarray(f) < 1):
        q_liquid = f * it * (q_plant / (q_plant - loops.pumps)).to("dimensionless")  # pump heat pro rata
        share_l, chiller_l, exceeded_l = _loop_cooling(r, q_liquid, c.supply_temperature.quantity, t_sink, rise,
                                                       t_available, eta_ii)
        share_a, chiller_a, exceeded_a = _loop_cooling(r, q_plant - q_liquid, t_air_supply, t_sink, rise,
                                                       t_available, eta_ii)
        chiller = chiller_l + chiller_a
        econ = ((q_liquid * share_l + (q_plant - q_liquid) * share_a) / q_plant).to("dimensionless").magnitude
        exceeded, coldest = np.asarray(exceeded_l) | np.asarray(exceeded_a), t_air_supply
    else:
        econ, chiller, exceeded = _loop_cooling(r, q_plant, c.supply_temperature.quantity, t_sink, rise,
                                                t_available, eta_ii)
        coldest = c.supply_temperature.quantity
    q_reject = q_plant + chiller
    device_fans = heat_rejection_fans(r, q_reject, rise, air)
    support = c.support_power_fraction.quantity.magnitude * q_plant if c.support_power_fraction else 0 * q_plant
    return Rejection(t_sink, coldest, np.broadcast_to(econ, np.shape(q_plant.magnitude)), chiller,
                     np.asarray(exceeded), q_reject, device_fans, support)


def heat_rejection_fans(r: Resolved, q_reject, rise, air: AirStates):
    """Fans of the cooling towers or dry coolers rejecting ``q_reject`` at outdoor air ``air``. [W]"""
    c = r.cooling
    if c.heat_rejection == "cooling-tower":
        return cool.tower_fan_power(q_reject, rise, c.tower_fan_efficacy.quantity)
    flow = cool.volume_flow_for_heat(q_reject, rise, cool.STANDARD_AIR_DENSITY, cool.AIR_SPECIFIC_HEAT)
    return cool.fluid_power(flow, c.drycooler_air_pressure.quantity, c.fan_efficiency.quantity.magnitude)


@dataclass(frozen=True)
class SiteServices:
    """Site services outside the white space and the plant, shape ``(S, H)`` or scalars [W]."""

    office: Quantity
    block_heaters: Quantity
    controls: Quantity
    water_treatment: Quantity
    generators: Any  # standby generator sets whose block heaters are counted

    @property
    def sized(self) -> dict:
        """What is sized once at design and kept every hour: offices, block heaters, controls. [W]"""
        return {"site_office": self.office, "site_block_heaters": self.block_heaters, "site_controls": self.controls}

    @property
    def total(self) -> Quantity:
        return self.office + self.block_heaters + self.controls + self.water_treatment


def generator_unit(r: Resolved):
    """The scenario's generator set, its rating class, the site temperature and its site-derated real power [kW]."""
    from dcpower.physics import sizing as sz

    z = r.scenario.sizing
    gen = r.catalog.get("generator", z.generator)
    rating_sv = {"standby": gen.standby_rating, "prime": gen.prime_rating,
                 "continuous": gen.continuous_rating}[z.generator_rating] or gen.standby_rating
    extreme = r.design.extreme_dry_bulb_for(r.scenario.design_return_period)
    site_t = extreme if extreme is not None else r.design.cooling_dry_bulb
    kva = sz.generator_site_rating(rating_sv.quantity, site_t, gen.derate_temperature.quantity,
                                   gen.temperature_derate.quantity, r.elevation,
                                   gen.derate_altitude.quantity, gen.altitude_derate.quantity)
    return gen, rating_sv, site_t, Q_(kva.to("kVA").magnitude * gen.power_factor.quantity.magnitude, "kW")


def site_services_step(r: Resolved, it, load, heat_rejected, sized: dict | None = None) -> SiteServices:
    """Offices, generator block heaters, controls and security, tower water treatment.

    ``P_office = A_office/MW x P_IT x p_office``; ``P_heaters = n_gen x p_heater`` with n_gen the
    standby sets for ``load`` at the generator redundancy; ``P_controls = f x P_IT``;
    ``P_water = f x Q_rejected`` (cooling towers only). ``sized`` is the design evaluation's
    offices, heaters and controls (:attr:`SiteServices.sized`), which the hours keep.
    """
    from dcpower.physics import sizing as sz

    sp = r.support
    zero = Q_(np.zeros(np.shape(load.magnitude)), "W")
    if sp is None:
        return SiteServices(zero, zero, zero, zero, 0)
    water = heat_rejected * _magnitude(sp.water_treatment_fraction.quantity) \
        if r.cooling.heat_rejection == "cooling-tower" else zero
    if sized is not None and "site_office" in sized:
        return SiteServices(*(sized[k] + zero for k in ("site_office", "site_block_heaters", "site_controls")),
                            water.to("W"), None)
    office = (it * sp.office_area.quantity * sp.office_power_density.quantity).to("W")
    unit = generator_unit(r)[3].to("W").magnitude
    # sz.redundant_units on every state at once: x (ceil(P / (y U)) + k) + extra
    red = sz.parse_redundancy(r.scenario.sizing.generator_redundancy)
    per_system = np.ceil(load.to("W").magnitude / red.share / unit - 1e-9)
    n_gen = np.where(per_system > 0, red.systems * (per_system + red.spares) + red.extra, 0)
    heaters = (n_gen * sp.block_heater_power.quantity).to("W")
    controls = (it * _magnitude(sp.controls_fraction.quantity)).to("W")
    return SiteServices(office, heaters, controls, water.to("W"), n_gen)


@dataclass(frozen=True)
class Plant:
    """The facility at one set of outdoor-air states: every flow of power and heat, shape ``(S, H)``."""

    it: Quantity
    side: ItSide
    loops: Loops
    rejection: Rejection
    transformer_loss: Quantity
    transformer_source: str
    facility: Quantity
    transformer_rating: Quantity
    site_services: SiteServices

    @property
    def cooling_power(self) -> Quantity:
        """Fans, pumps, chillers, heat-rejection fans and auxiliaries. [W]"""
        j = self.rejection
        return self.loops.fans + self.loops.pumps + j.chiller + j.device_fans + j.support

    @property
    def electrical_losses(self) -> Quantity:
        return self.side.distribution_loss + self.side.ups_loss + self.transformer_loss

    @property
    def heat_out(self) -> Quantity:
        """Heat leaving the site: via the towers or dry coolers, plus heat-rejection fans, auxiliaries
        and transformer losses straight to outdoor air. Equals facility power. [W]"""
        j = self.rejection
        return j.heat_rejected + j.device_fans + j.support + self.transformer_loss + self.site_services.total

    @property
    def ratings(self) -> dict:
        """Installed rating of each electrical component (distribution, UPS, transformer), and the
        site services sized at design. [W]"""
        return {**self.side.ratings, "transformer": self.transformer_rating, **self.site_services.sized}


def plant_step(r: Resolved, it_power, racks, air: AirStates, ratings: dict | None = None) -> Plant:
    """Facility power and heat flows for IT power ``it_power`` ``(S, 1)`` under outdoor air ``air``.

    ``ratings`` holds the installed component ratings; ``None`` means this is the design
    evaluation, which sets them from ``design_loading``.
    """
    n = np.size(air.dry_bulb.magnitude)
    it_w = it_power.to("W").magnitude
    it = Q_(np.broadcast_to(np.reshape(it_w, (-1, 1)), (r.samples, n)).astype(float), "W")
    side = it_side_step(r, it, racks_column(racks), ratings)
    loops = loops_step(r, it, side)
    rejection = rejection_step(r, it, loops, air)
    e = r.scenario.electrical
    load = side.ups_loss + it + side.distribution_loss + side.lighting + loops.fans + loops.pumps + \
        rejection.chiller + rejection.device_fans + rejection.support
    services = site_services_step(r, it, load, rejection.heat_rejected, ratings)
    load = load + services.total
    rating = ratings["transformer"] if ratings is not None else load / _magnitude(e.design_loading.quantity)
    loss, source = _component_loss(r.transformer, e.transformer_efficiency, load, rating)
    facility = load + loss
    if r.scenario.pue is not None:
        facility = it * np.reshape(r.scenario.pue, (-1, 1))
    return Plant(it, side, loops, rejection, loss, source, facility, rating, services)


def racks_column(racks):
    """Racks as a per-sample column ``(S, 1)``, or a scalar."""
    return np.reshape(racks, (-1, 1)) if np.ndim(racks) else racks


def pick(q, index):
    """Per sample, the column ``index[s]`` of an ``(S, H)`` quantity, as ``(S, 1)``."""
    m = np.asarray(q.magnitude if hasattr(q, "magnitude") else q)
    col = np.take_along_axis(np.broadcast_to(m, (len(index), m.shape[-1])), np.reshape(index, (-1, 1)), axis=1)
    return Q_(col, q.units) if hasattr(q, "units") else col


def design_ratings(design: Plant, index) -> dict:
    """Installed ratings from the design evaluation, per sample ``(S, 1)``."""
    return {k: pick(v, index) for k, v in design.ratings.items()}


# ---------------------------------------------------------------- water

@dataclass(frozen=True)
class TowerWater:
    """Cooling-tower water per outdoor-air state, ``(S, H)`` [kg/s]; zero for dry coolers."""

    evaporation: Quantity
    blowdown: Quantity
    drift: Quantity
    latent_fraction: np.ndarray  # share of rejected heat carried by evaporation [-]

    @property
    def makeup(self) -> Quantity:
        return self.evaporation + self.blowdown + self.drift


def tower_water_step(r: Resolved, plant: Plant, air: AirStates) -> TowerWater:
    """Evaporation from the tower's air-side energy balance; blowdown from cycles of concentration; drift.

    ``E = Q (W_sat(T_exit) - W_in) / (h_sat(T_exit) - h_in)``;  ``B = E / (COC - 1)``;
    ``D = drift rate x circulation``. In full free cooling the tower only makes water as cold
    as the coldest loop needs.
    """
    c = r.cooling
    shape = np.shape(plant.facility.magnitude)
    if c.heat_rejection != "cooling-tower":
        zero = Q_(np.zeros(shape), "kg/s")
        return TowerWater(zero, zero, zero, np.zeros(shape))
    j = plant.rejection
    hx = _delta(c.hx_approach) if c.hx_approach is not None else Q_(0.0, "delta_degC")
    sink = j.sink_temperature.to("degC").magnitude
    t_cold = np.where(j.economizer_fraction >= 1.0, np.maximum(sink, (j.coldest_supply - hx).to("degC").magnitude),
                      sink)
    t_exit = Q_(t_cold, "degC") + _delta(c.tower_range) / 2
    h_in = psy.moist_air_enthalpy(air.dry_bulb, air.humidity_ratio)
    evap = water.tower_evaporation(j.heat_rejected, h_in, air.humidity_ratio, t_exit, air.pressure)
    circulation = water.circulation(j.heat_rejected, _delta(c.tower_range))
    blow = water.blowdown(evap, c.cycles_of_concentration.quantity.magnitude)
    drift = water.drift(circulation, c.drift_rate.quantity.magnitude)
    return TowerWater(evap, blow, drift, water.latent_fraction(evap, j.heat_rejected, t_exit))


# ---------------------------------------------------------------- grid

@dataclass(frozen=True)
class GridSupply:
    """Who supplies the load: grid, turbines, battery, and what is left unserved."""

    hourly_grid: Quantity       # (S, H) [W]
    hourly_turbine: Quantity
    hourly_battery: Quantity
    hourly_unserved: Quantity
    peak: Quantity              # grid draw at the design peak (S, 1) [W]
    peak_unserved: Quantity     # (S, 1) [W]
    turbine_capacity: Quantity
    battery_power: Quantity


def grid_step(r: Resolved, facility_hourly, facility_peak) -> GridSupply:
    """Turbines and battery cover load above the grid allocation, hour by hour and at the design peak."""
    on = r.scenario.onsite
    turbine_cap = on.turbines * r.turbine.rated_power.quantity.to("W") if r.turbine else Q_(0.0, "W")
    battery_power = on.batteries * r.battery.power.quantity.to("W") if r.battery else Q_(0.0, "W")
    limit = on.grid_limit.quantity if on.grid_limit is not None else None
    g, t, b, un = gridmod.dispatch(facility_hourly, limit, turbine_cap, battery_power)
    dg, _, _, dun = gridmod.dispatch(facility_peak, limit, turbine_cap, battery_power)
    return GridSupply(g, t, b, un, dg, dun, turbine_cap, battery_power)
