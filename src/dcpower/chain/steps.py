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
from dcpower.physics import airside_economizer as econ_air
from dcpower.physics import cooling as cool
from dcpower.physics import electrical as elec
from dcpower.physics import grid as gridmod
from dcpower.physics import it_load, network, psychrometrics as psy, water
from dcpower.units import Q_
from dcpower.weather.model import AirStates

__all__ = ["ITLoad", "FabricLoad", "StorageLoad", "ITPower", "ItSide", "Loops", "Rejection", "Plant",
           "GridSide", "grid_side_step", "psu_efficiency", "TowerWater", "GridSupply", "SiteServices", "it_load_step",
           "fabric_step", "storage_step", "it_power_step", "design_air", "site_services_step", "generator_unit",
           "plant_step", "tower_water_step", "grid_step", "whole", "HOST_COMPONENTS"]

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
    gpu_idle, host_share = idle_floors(r)
    gpu_busy = it_load.busy_power(gpu_max, gpu_idle, _magnitude(w.accelerator_busy_power.quantity))
    gpu_avg = it_load.average_power(gpu_idle, gpu_busy, u)
    host_idle = host_share * host_dc
    host_busy = it_load.load_between(host_idle, host_dc, _magnitude(w.host_busy_load.quantity))
    host_avg = it_load.average_power(host_idle, host_busy, u)
    psu_full, psu_busy, psu_avg = _psu_efficiencies(r, gps * gpu_max + host_dc, gps * gpu_idle + host_idle,
                                                    gps * gpu_busy + host_busy, u)
    server_full = it_load.server_power(gps * gpu_max, host_dc, psu_full)
    # The last server may be partly filled: GPUs counted exactly, hosts per server.
    servers_full = (gpus * gpu_max + servers * host_dc) / psu_full
    nameplate = servers * srv.nameplate_power.quantity.to("W") \
        if srv.nameplate_power is not None and s.gpus_per_server is None and s.host_power is None else servers_full
    spr, rack_source = _servers_per_rack(r, gps, server_full)
    return ITLoad(gpus=gpus, gpus_per_server=gps, servers=servers, servers_per_rack=spr, rack_source=rack_source,
                  racks=whole(np.asarray(servers) / spr), utilization=u, host_power_per_server=host_dc,
                  gpu_idle=gpu_idle, gpu_busy=gpu_busy, host_idle=host_idle, host_busy=host_busy,
                  server_power_full=server_full,
                  server_power_average=it_load.server_power(gps * gpu_avg, host_avg, psu_avg),
                  servers_full=servers_full, servers_peak=(gpus * gpu_busy + servers * host_busy) / psu_busy,
                  servers_average=(gpus * gpu_avg + servers * host_avg) / psu_avg, servers_nameplate=nameplate,
                  gpu_power=gpus * gpu_max, gpu_power_average=gpus * gpu_avg,
                  host_power=servers_full - gpus * gpu_max)


def psu_efficiency(r: Resolved, dc_power):
    """Efficiency of a server's PSUs delivering ``dc_power`` per server. [-]

    Where the server publishes its PSU count, rating and efficiency curve, all PSUs share the
    load and each runs at ``x = P_dc / (n P_rated)`` on the curve's fitted loss
    ``a + b x + c x^2`` (so efficiency falls at light load); otherwise the fixed
    ``psu_efficiency``.
    """
    srv = r.server
    curve = srv.psu_efficiency_curve
    if curve is None or srv.psus is None or srv.psu_rating is None:
        return _magnitude(srv.psu_efficiency.quantity)
    installed = srv.psus.quantity.magnitude * srv.psu_rating.quantity.to("W")
    _check_psu_capacity(srv, dc_power, installed)
    return elec.component_efficiency(dc_power.to("W"), installed, elec.loss_coefficients(curve.load, curve.efficiency))


def _check_psu_capacity(srv, dc_power, installed) -> None:
    """The PSUs must carry the server's DC power within their published curve: beyond its last
    load point the fitted loss is an extrapolation that grows without bound."""
    top = max(srv.psu_efficiency_curve.load)
    need = float(np.max(dc_power.to("W").magnitude))
    have = np.asarray(installed.to("W").magnitude, dtype=float)
    if np.any(need > top * have):
        least = need / top / float(np.max(srv.psus.quantity.magnitude))
        raise InputError(f"server '{srv.id}' draws {need / 1e3:.3g} kW DC, more than its "
                         f"{float(np.min(srv.psus.quantity.magnitude)):g} PSUs x "
                         f"{srv.psu_rating.quantity:~} deliver ({float(np.min(have)) / 1e3:.3g} kW at "
                         f"{top:g} x rating, the end of its PSU curve); give psus or psu_rating so that "
                         f"each PSU is at least {least / 1e3:.3g} kW")


def _psu_efficiencies(r: Resolved, dc_full, dc_idle, dc_busy, u):
    """PSU efficiency at full load, busy, and over the utilization (busy ``u`` of the time, idle
    otherwise): ``eta_avg = P_dc,avg / (u P_busy/eta_busy + (1 - u) P_idle/eta_idle)``."""
    eta_full = psu_efficiency(r, dc_full)  # first: the largest load, named if the PSUs cannot carry it
    eta_busy, eta_idle = psu_efficiency(r, dc_busy), psu_efficiency(r, dc_idle)
    wall_avg = u * dc_busy / eta_busy + (1 - u) * dc_idle / eta_idle
    return eta_full, eta_busy, _magnitude(it_load.average_power(dc_idle, dc_busy, u) / wall_avg)


def _servers_per_rack(r: Resolved, gps: int, server_full) -> tuple[int, str]:
    s, srv = r.scenario, r.server
    if s.gpus_per_rack:
        if np.any(np.asarray(s.gpus_per_rack) < gps):  # a rack that cannot hold one server
            raise InputError(f"gpus_per_rack {np.min(s.gpus_per_rack)} is fewer than the {gps} GPUs of one "
                             f"server ({srv.id}); give at least {gps}, a multiple of {gps}")
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
    design conditions); then the hottest and the most humid hours of the typical year and every
    hour between them that no other hour beats in both dry-bulb and wet-bulb, or in both
    dry-bulb and humidity ratio (a hot hour that is also humid can ask more of a plant than
    either: an airside economizer's evaporative assist fails there, or its moisture limit shuts
    the outdoor air out), so the design never falls below an hour the year evaluates, the
    plant's power rising with each. Where the data has no extreme, the 0.4 % point stands in,
    and says so.
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
    # an airside economizer shuts outdoor air out above a moisture limit: it reads humidity ratio
    fronts = _hot_and_humid_hours(w.dry_bulb.magnitude, w.wet_bulb.magnitude) \
        + _hot_and_humid_hours(w.dry_bulb.magnitude, np.asarray(w.humidity_ratio.magnitude))
    states += [(w.dry_bulb[i], w.wet_bulb[i], f"hot and humid typical-year hour (#{i + 1})")
               for i in sorted(set(fronts) - {hot, humid})]
    return design_states(r, states)


def _hot_and_humid_hours(dry_bulb, humidity) -> list[int]:
    """The hours no other hour beats in both dry-bulb and ``humidity`` (wet-bulb or humidity ratio):
    the Pareto front, hottest first."""
    order = np.lexsort((-np.asarray(humidity), -np.asarray(dry_bulb)))
    moist = np.asarray(humidity)[order]
    front = np.r_[True, moist[1:] > np.maximum.accumulate(moist)[:-1]]
    return [int(i) for i in order[front]]


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
        coefficients = elec.loss_coefficients(c.load, c.efficiency)
        if component.efficiency is None:
            return elec.component_loss(load, rating, coefficients), c.citation()
        # the curve gives the shape, the efficiency (with its range) the level at half load
        coefficients = elec.scaled_to_efficiency(coefficients, component.efficiency.quantity.magnitude, 0.5)
        return elec.component_loss(load, rating, coefficients), \
            f"{c.citation()}; scaled to {component.efficiency.citation()}"
    if component.load_loss is not None:
        p0 = component.no_load_loss.quantity.magnitude if component.no_load_loss is not None else 0.0
        coefficients = elec.transformer_coefficients(p0, component.load_loss.quantity.magnitude)
        cited = component.no_load_loss if component.no_load_loss is not None else component.load_loss
        return elec.component_loss(load, rating, coefficients), cited.citation()
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
    """Air movers and pumps: the hall's air path, the electrical rooms' air path, the facility
    water loop, the CDU secondary loops and the condenser water to the towers."""

    air_heat: Quantity     # heat the hall's air movers carry [W]
    air_flow: Quantity     # hall air [m^3/s]
    fans: Quantity         # all air movers: hall and electrical rooms [W]
    water_flow: Quantity   # facility water [m^3/s]
    pumps: Quantity        # all pumps: facility, CDU secondary and condenser water [W]
    plant_heat: Quantity   # heat into the facility water, its pumps' and CDU pumps' work included [W]
    hall_fans: Quantity            # [W]
    electrical_room_heat: Quantity  # UPS and distribution losses [W]
    electrical_room_fans: Quantity  # [W]
    facility_pumps: Quantity       # facility (chilled or tempered) water pumps [W]
    cdu_flow: Quantity             # CDU secondary liquid [m^3/s]
    cdu_pumps: Quantity            # [W]
    condenser_flow: Quantity       # tower circulation [m^3/s]
    condenser_pumps: Quantity      # their work warms the tower water: the towers reject it [W]
    water_flow_design: Quantity = None  # facility water the pumps are sized for [m^3/s]


def liquid_fraction(r: Resolved):
    """Share of the IT heat captured by liquid at the server (cold plates, immersion): the server's own. [-]"""
    f = r.server.liquid_fraction
    return 0.0 if f is None else f.quantity.magnitude


def hall_air_density(r: Resolved):
    """Density of the air the hall's (and electrical rooms') air movers move, at the site's
    pressure and the cooling's hall air temperature; standard air where none is given. [kg/m^3]"""
    t = r.cooling.q("hall_air_temperature")
    if t is None:
        return cool.STANDARD_AIR_DENSITY
    # Dry air: moisture at the recommended dew-point ceiling (15 degC) lowers it by under 1 %.
    return psy.moist_air_density(t, 0.0, psy.pressure_from_elevation(r.elevation))


def _air_movers(r: Resolved, heat, delta_t, pressure, rho):
    """Volume flow and fan power to carry ``heat`` with an air rise ``delta_t``."""
    mass = (heat / (cool.AIR_SPECIFIC_HEAT * delta_t)).to("kg/s")
    fans = cool.fan_power_at_density(mass, pressure, r.cooling.fan_efficiency.quantity.magnitude, rho)
    return (mass / rho).to("m^3/s"), fans


def loops_step(r: Resolved, it, side: ItSide, air: AirStates | None = None, ratings: dict | None = None) -> Loops:
    """Air share and lighting through the hall's air movers; UPS and distribution losses through the
    electrical rooms' air movers; liquid share through CDU secondary pumps; all of it into facility
    water; the towers' circulation through condenser-water pumps.

    ``m = Q / (cp dT)``, ``V = m / rho``, ``P_fan = V dp / eta``; ``P_pump = V dp / eta`` or
    ``V x`` (power per flow, as ASHRAE 90.1 states it). An airside economizer's chilled water
    flows only to the trim coils (:func:`_trim_pumps`), given the outdoor air ``air`` and the
    installed flow in ``ratings`` (``None``: the design evaluation, which sets it)."""
    c = r.cooling
    f = liquid_fraction(r)
    rho = hall_air_density(r)
    q_air = (1 - f) * it + side.lighting
    air_flow, hall_fans = _air_movers(r, q_air, _delta(c.air_delta_t), c.air_pressure.quantity, rho)
    q_room = side.distribution_loss + side.ups_loss
    room_dt = c.electrical_room_air_delta_t if c.electrical_room_air_delta_t is not None else c.air_delta_t
    room_dp = c.electrical_room_air_pressure if c.electrical_room_air_pressure is not None else c.air_pressure
    _, room_fans = _air_movers(r, q_room, _delta(room_dt), room_dp.quantity, rho)
    fans = hall_fans + room_fans
    q_loop = it + q_room + side.lighting + fans
    water_flow = cool.volume_flow_for_heat(q_loop, _delta(c.loop_delta_t), cool.WATER_DENSITY,
                                           cool.WATER_SPECIFIC_HEAT)
    eta = c.pump_efficiency.quantity.magnitude
    facility_pumps = cool.fluid_power(water_flow, c.pump_pressure.quantity, eta)
    design_flow = water_flow
    if c.heat_rejection == "outdoor-air" and air is not None:
        water_flow, facility_pumps, design_flow = _trim_pumps(r, water_flow, air, ratings)
    cdu_flow = cool.volume_flow_for_heat(f * it, _delta(c.loop_delta_t), cool.WATER_DENSITY, cool.WATER_SPECIFIC_HEAT)
    cdu_pumps = cool.fluid_power(cdu_flow, c.cdu_pump_pressure.quantity, eta) if c.cdu_pump_pressure is not None \
        else 0 * facility_pumps
    plant_heat = q_loop + facility_pumps + cdu_pumps
    condenser_flow, condenser_pumps = _condenser_pumps(r, plant_heat)
    return Loops(q_air, air_flow, fans, water_flow, facility_pumps + cdu_pumps + condenser_pumps, plant_heat,
                 hall_fans, q_room, room_fans, facility_pumps, cdu_flow, cdu_pumps, condenser_flow, condenser_pumps,
                 design_flow)


def _trim_pumps(r: Resolved, full_flow, air: AirStates, ratings: dict | None):
    """Chilled water of an airside economizer's trim coils: flow, pump power and the installed flow.

    Variable primary flow: the coils take ``V = (1 - share) V_full``, the share of the air stream's
    heat outdoor air does not carry, with ``V_full = Q / (rho cp dT)`` the flow that carries it
    all. The pumps are sized for ``V_full`` at the design states (humid hours shut outdoor air
    out and the coils carry everything) and follow :func:`cool.variable_flow_pump_power`: the
    ASHRAE 90.1 variable-speed curve down to its minimum flow, stopped when the coils carry nothing.
    """
    c = r.cooling
    share, _, _ = _outdoor_air_share(r, air)
    flow = full_flow * (1 - share)
    if ratings is not None and "facility_water_flow" in ratings:
        design = ratings["facility_water_flow"].to("m^3/s")
    else:
        design = Q_(np.max(full_flow.to("m^3/s").magnitude, axis=-1, keepdims=True), "m^3/s")
    design_power = cool.fluid_power(design, c.pump_pressure.quantity, c.pump_efficiency.quantity.magnitude)
    ratio = np.divide(flow.to("m^3/s").magnitude, design.magnitude,
                      out=np.zeros(np.broadcast_shapes(np.shape(flow.magnitude), np.shape(design.magnitude))),
                      where=design.magnitude > 0)
    return flow, cool.variable_flow_pump_power(design_power, ratio).to("W"), design * np.ones(np.shape(ratio))


def _condenser_pumps(r: Resolved, plant_heat):
    """Tower circulation ``V = Q / (rho cp range)`` and its pumps at the cooling's power per flow.

    The towers circulate in economizer hours too. The flow is taken at the plant heat: in hours
    the chillers run, their work (1/COP of the chilled share) adds to the real circulation."""
    c = r.cooling
    if c.heat_rejection != "cooling-tower" or c.condenser_pump_specific_power is None:
        zero = 0 * plant_heat
        return Q_(zero.magnitude, "m^3/s"), zero
    flow = cool.volume_flow_for_heat(plant_heat, _delta(c.tower_range), cool.WATER_DENSITY, cool.WATER_SPECIFIC_HEAT)
    return flow, cool.fluid_power(flow, c.condenser_pump_specific_power.quantity, 1.0)


@dataclass(frozen=True)
class Rejection:
    """How the plant heat leaves: economizer share, chillers, heat-rejection fans, auxiliaries."""

    sink_temperature: Quantity      # wet-bulb (towers) or dry-bulb (dry coolers, air) + approach [degC]
    coldest_supply: Quantity        # supply of the coldest loop [degC]
    economizer_fraction: np.ndarray  # share of plant heat rejected without compressors [-]
    chiller: Quantity               # [W]
    exceeded: np.ndarray            # supply temperature not reachable (no chiller) [bool]
    heat_rejected: Quantity         # plant heat plus compressor work, to towers, dry coolers or outdoor air [W]
    device_fans: Quantity           # tower or dry-cooler fans [W]
    support: Quantity               # plant auxiliaries [W]
    excess: Quantity = None         # how far the reachable supply lies above the setpoint (0 where held) [K]
    water_evaporated: Quantity = None  # evaporated into outdoor air by an economizer's media [kg/s]
    duty: Quantity = None           # heat the towers or dry coolers are sized for at this state [W]


def _sink(r: Resolved, air: AirStates):
    """Sink temperature, the heat-rejection device's rise, and the coldest supply it can make."""
    c = r.cooling
    tower = c.heat_rejection == "cooling-tower"
    t_sink = (air.wet_bulb if tower else air.dry_bulb) + _delta(c.approach)
    if tower:
        rise = _delta(c.tower_range)
    elif c.heat_rejection == "dry-cooler":
        rise = _delta(c.drycooler_air_delta_t)
    else:  # the chillers' own air-cooled condensers, or outdoor air
        rise = Q_(0.0, "delta_degC")
    hx = _delta(c.hx_approach) if c.hx_approach is not None else Q_(0.0, "delta_degC")
    return t_sink, rise, t_sink + hx


def _air_cooled_chiller(r: Resolved) -> bool:
    """The chillers reject through their own air-cooled condensers (not through the plant's water)."""
    return r.cooling.chiller_condenser_approach is not None


def _second_law_efficiency(r: Resolved, rise):
    """The chiller's share of the Carnot COP at its AHRI rating point. [-]"""
    c = r.cooling
    if _air_cooled_chiller(r):
        return cool.air_cooled_second_law_efficiency(
            c.chiller_cop_rated.quantity.magnitude, c.chiller_rating_chilled_water.quantity,
            c.chiller_rating_condenser_water.quantity, _delta(c.chiller_condenser_approach),
            _delta(c.chiller_approach)).magnitude
    return cool.second_law_efficiency(
        c.chiller_cop_rated.quantity.magnitude, c.chiller_rating_chilled_water.quantity,
        c.chiller_rating_condenser_water.quantity, rise, _delta(c.chiller_approach)).magnitude


def _chiller_cop(r: Resolved, t_supply, t_sink, rise, air: AirStates, eta_ii):
    """COP making ``t_supply``: an air-cooled chiller sees the outdoor dry-bulb, a water-cooled one the
    water of the towers or dry coolers."""
    c = r.cooling
    floor = (c.q("chiller_min_condenser_temperature"), c.q("chiller_rating_chilled_water"))
    if _air_cooled_chiller(r):
        return cool.air_cooled_chiller_cop(t_supply, air.dry_bulb, _delta(c.chiller_condenser_approach),
                                           _delta(c.chiller_approach), eta_ii, *floor)
    return cool.chiller_cop(t_supply, t_sink, rise, _delta(c.chiller_approach), eta_ii, *floor)


def _loop_cooling(r: Resolved, q, t_supply, t_sink, rise, t_available, eta_ii, air: AirStates):
    """Economizer share, chiller power, unmet states and the supply excess of one water loop at ``t_supply``.

    share = clip((T_r - T_avail)/(T_r - T_s), 0, 1); P_chiller = (1 - share) Q / COP."""
    c = r.cooling
    t_return = t_supply + _delta(c.loop_delta_t)
    share = cool.economizer_fraction(t_available, t_supply, t_return)
    shape = np.shape(q.magnitude)
    if c.chiller:
        share = share if c.economizer else np.zeros_like(share)
        cop = _chiller_cop(r, t_supply, t_sink, rise, air, eta_ii)
        return (share, (q * (1 - share) / cop).to("W"), np.zeros(np.shape(share), dtype=bool),
                Q_(np.zeros(shape), "K"))
    excess = cool.supply_temperature_excess(t_available, t_supply).magnitude
    return (share, Q_(np.zeros(shape), "W"), np.broadcast_to(excess > 0, shape),
            Q_(np.broadcast_to(excess, shape), "K"))


def rejection_step(r: Resolved, it, loops: Loops, air: AirStates, capacity=None) -> Rejection:
    """Economize where the weather allows, chill the rest, reject to towers, dry coolers or outdoor air.

    Direct-to-chip liquid tolerates warm water; the air share (and electrical-room heat,
    lighting, fans) needs coil water cold enough for ASHRAE server inlet air. Where the
    cooling names an air-loop supply temperature, the two loops are economized and trimmed
    separately; both reject to the same towers or dry coolers. An airside economizer
    (``outdoor-air``) cools the air stream itself: :func:`_outdoor_air_rejection`. ``capacity``
    is the installed heat rejection (``None``: the design evaluation, which sets it).
    """
    c = r.cooling
    t_sink, rise, t_available = _sink(r, air)
    eta_ii = _second_law_efficiency(r, rise) if c.chiller else None
    if c.heat_rejection == "outdoor-air":
        return _outdoor_air_rejection(r, loops, air, t_sink, eta_ii)
    q_plant = loops.plant_heat
    f = liquid_fraction(r)
    t_air_supply = c.q("air_loop_supply_temperature")
    if t_air_supply is not None and np.all(np.asarray(f) < 1):
        pumped = loops.facility_pumps + loops.cdu_pumps
        q_liquid = f * it * (q_plant / (q_plant - pumped)).to("dimensionless")  # pump heat pro rata
        share_l, chiller_l, exceeded_l, excess_l = _loop_cooling(r, q_liquid, c.supply_temperature.quantity,
                                                                 t_sink, rise, t_available, eta_ii, air)
        share_a, chiller_a, exceeded_a, excess_a = _loop_cooling(r, q_plant - q_liquid, t_air_supply, t_sink,
                                                                 rise, t_available, eta_ii, air)
        chiller = chiller_l + chiller_a
        econ = ((q_liquid * share_l + (q_plant - q_liquid) * share_a) / q_plant).to("dimensionless").magnitude
        exceeded, coldest = np.asarray(exceeded_l) | np.asarray(exceeded_a), t_air_supply
        excess = Q_(np.maximum(excess_l.magnitude, excess_a.magnitude), "K")
    else:
        econ, chiller, exceeded, excess = _loop_cooling(r, q_plant, c.supply_temperature.quantity, t_sink, rise,
                                                        t_available, eta_ii, air)
        coldest = c.supply_temperature.quantity
    econ = np.broadcast_to(econ, np.shape(q_plant.magnitude))
    q_reject = q_plant + chiller + loops.condenser_pumps
    duty = q_reject
    if c.heat_rejection == "air-cooled-condenser":
        device_fans = 0 * q_plant  # condenser fans are in the air-cooled chiller's rated COP
    else:  # air-cooled trim chillers reject their own heat: the towers or dry coolers carry the economized share
        if _air_cooled_chiller(r):
            duty = q_plant + loops.condenser_pumps
        carried = q_plant * econ + loops.condenser_pumps if _air_cooled_chiller(r) else q_reject
        if capacity is None:  # the design evaluation: installed for the largest duty of the states
            capacity = Q_(np.max(duty.to("W").magnitude, axis=-1, keepdims=True), "W")
        device_fans = heat_rejection_fans(r, carried, rise, air, capacity)
    support = c.support_power_fraction.quantity.magnitude * q_plant if c.support_power_fraction else 0 * q_plant
    return Rejection(t_sink, coldest, econ, chiller, np.asarray(exceeded), q_reject, device_fans, support, excess,
                     duty=duty)


def _outdoor_air_share(r: Resolved, air: AirStates):
    """Share of the air stream's heat outdoor air carries, the supply humidity ratio and the return air.

    ``share = clip((T_r - T_avail)/(T_r - T_s), 0, 1)`` with ``T_avail`` the air leaving the
    mixing box or media plus the fan's rise, zero when outdoor air is too humid to let in
    (:func:`econ_air.outdoor_air_supply`)."""
    c = r.cooling
    t_supply = c.supply_temperature.quantity
    fan_rise = _delta(c.approach)
    t_return = t_supply + _delta(c.air_delta_t)
    w_max = econ_air.supply_humidity_ratio_limit(t_supply, c.supply_dew_point_max.quantity,
                                                 c.supply_relative_humidity_max.quantity.magnitude, air.pressure)
    rh_min = c.supply_relative_humidity_min
    w_min = econ_air.supply_humidity_ratio_floor(t_supply, c.supply_dew_point_min.quantity,
                                                 None if rh_min is None else rh_min.quantity.magnitude, air.pressure)
    t_out, w_supply, usable = econ_air.outdoor_air_supply(
        air.dry_bulb, air.wet_bulb, air.humidity_ratio, t_supply - fan_rise,
        c.evaporative_effectiveness.quantity.magnitude, w_max, w_min)
    share = np.where(usable, cool.economizer_fraction(t_out + fan_rise, t_supply, t_return), 0.0)
    return share, w_supply, t_return


def _outdoor_air_rejection(r: Resolved, loops: Loops, air: AirStates, t_sink, eta_ii) -> Rejection:
    """Airside economizer with evaporative assist and air-cooled chilled-water trim coils.

    Outdoor air takes ``share`` of the heat the air stream carries, ``Q_air = Q - P_pumps``
    (:func:`_outdoor_air_share`; zero when it is too humid to let in: dampers closed, the hall's
    air recirculates through the trim coils); the trim coils the rest and the chilled-water pumps'
    work, ``P = ((1 - share) Q_air + P_pumps) / COP``. The exhaust carries ``share Q_air`` out:
    ``m_a = share Q_air / (h_r - h_o)``; the media evaporate ``m_a (W_s - W_o)``. All heat leaves
    with the exhaust or the chillers' condensers.
    """
    c = r.cooling
    share, w_supply, t_return = _outdoor_air_share(r, air)
    q_plant = loops.plant_heat
    shape = np.shape(q_plant.magnitude)
    economized = (q_plant - loops.facility_pumps) * share
    cop = _chiller_cop(r, c.air_loop_supply_temperature.quantity, t_sink, Q_(0.0, "delta_degC"), air, eta_ii)
    chiller = ((q_plant - economized) / cop).to("W")
    t_exhaust = Q_(np.broadcast_to(t_return.to("degC").magnitude, np.shape(w_supply.magnitude)), "degC")
    h_exhaust = psy.moist_air_enthalpy(t_exhaust, w_supply)
    flow = econ_air.outdoor_air_mass_flow(economized, h_exhaust, psy.moist_air_enthalpy(air.dry_bulb, air.humidity_ratio))
    evaporated = econ_air.evaporated_water(flow, w_supply, air.humidity_ratio)
    support = c.support_power_fraction.quantity.magnitude * q_plant if c.support_power_fraction else 0 * q_plant
    econ = np.broadcast_to((economized / q_plant).to("dimensionless").magnitude, shape)
    return Rejection(t_sink, c.supply_temperature.quantity, econ, chiller, np.zeros(shape, dtype=bool),
                     q_plant + chiller, 0 * q_plant, support, Q_(np.zeros(shape), "K"), evaporated)


def heat_rejection_fans(r: Resolved, q_reject, rise, air: AirStates, capacity=None):
    """Fans of the cooling towers or dry coolers rejecting ``q_reject`` at outdoor air ``air``. [W]

    The fans run as fast as the heat and the weather need to make the water each loop wants
    (its supply less the heat-exchanger approach), down to a minimum speed; power follows the
    cube of speed. Where that water cannot be made (chillers run, or no economizer) they hold the
    design approach to the wet-bulb or dry-bulb, the sink the chillers are rated against: full
    speed at design load. ``capacity`` is the installed heat rejection (``None``: the largest
    ``q_reject`` of the states given, as in the design evaluation)."""
    c = r.cooling
    if capacity is None:
        capacity = Q_(np.max(q_reject.to("W").magnitude, axis=-1, keepdims=True), "W")
    load = (q_reject / capacity).to("dimensionless").magnitude
    x_min = _magnitude(c.fan_minimum_speed.quantity) if c.fan_minimum_speed is not None else cool.FAN_MINIMUM_SPEED
    tower = c.heat_rejection == "cooling-tower"
    speed = np.zeros(np.broadcast(load, air.dry_bulb.magnitude).shape)
    sink = (air.wet_bulb if tower else air.dry_bulb).to("degC").magnitude + _delta(c.approach).to("K").magnitude
    for share, wanted in _rejection_targets(r):
        target = Q_(np.maximum(wanted.to("degC").magnitude, sink), "degC")
        if tower:
            x = _tower_speed(r, load, target, air, x_min)
        else:
            n = _magnitude(c.drycooler_ua_exponent.quantity) if c.drycooler_ua_exponent is not None \
                else cool.DRYCOOLER_UA_EXPONENT
            x = cool.drycooler_air_flow_ratio(load, target + _delta(c.loop_delta_t) - air.dry_bulb,
                                              _delta(c.loop_delta_t), rise, _delta(c.approach), n, x_min)
        speed = speed + share * cool.affinity_fan_power(1.0, x)  # share-weighted x^3
    if tower:
        design = cool.tower_fan_power(capacity, rise, c.tower_fan_efficacy.quantity)
    else:
        rho = psy.moist_air_density(air.dry_bulb, air.humidity_ratio, air.pressure)
        mass = (capacity / (cool.AIR_SPECIFIC_HEAT * rise)).to("kg/s")
        design = cool.fan_power_at_density(mass, c.drycooler_air_pressure.quantity, c.fan_efficiency.quantity.magnitude,
                                           rho)
    return (design * speed).to("W")


def _rejection_targets(r: Resolved):
    """(share of the heat, leaving water wanted) for each loop the heat-rejection plant serves.

    Where the cooling names an air-loop supply, the liquid share of the heat wants the liquid
    supply and the rest the air-loop supply; without an economizer the plant wants the coldest
    water it can make, which :func:`heat_rejection_fans` bounds by the design approach."""
    c = r.cooling
    hx = _delta(c.hx_approach) if c.hx_approach is not None else Q_(0.0, "delta_degC")
    if not c.economizer:
        return [(1.0, Q_(-100.0, "degC"))]
    f = liquid_fraction(r)
    t_air = c.q("air_loop_supply_temperature")
    if t_air is not None and np.all(np.asarray(f) < 1):
        return [(f, c.supply_temperature.quantity - hx), (1 - f, t_air - hx)]
    return [(1.0, c.supply_temperature.quantity - hx)]


def _tower_speed(r: Resolved, load, target, air: AirStates, x_min):
    """Tower fan speed: the enthalpy potential of the mean water the loop wants against the air's,
    relative to the design potential at the 0.4 % evaporation wet-bulb."""
    c = r.cooling
    half_range = _delta(c.tower_range) / 2

    def potential(t_water, wet_bulb, p):
        h_w = psy.moist_air_enthalpy(t_water, psy.saturation_humidity_ratio(t_water, p))
        return h_w - psy.moist_air_enthalpy(wet_bulb, psy.saturation_humidity_ratio(wet_bulb, p))

    wb_d = r.design.evaporation_wet_bulb.to("degC")
    p_d = psy.pressure_from_elevation(r.elevation)
    design = potential(wb_d + _delta(c.approach) + half_range, wb_d, p_d)
    return cool.tower_air_flow_ratio(load, potential(target + half_range, air.wet_bulb, air.pressure), design, x_min)


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
    transformer_loss: Quantity     # MV/LV transformers, MV switchgear and cabling, HV/MV substation [W]
    transformer_source: str
    facility: Quantity
    transformer_rating: Quantity
    site_services: Any = None      # SiteServices: offices, block heaters, controls, water treatment
    upstream: Any = None           # GridSide: the stages upstream of the IT-side chain, one by one

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
        """Installed rating of each electrical component (distribution, UPS, transformers, MV), the
        installed heat rejection (the most the states ask of the towers or dry coolers) and the site
        services sized at design [W]; the facility water the pumps are sized for [m^3/s]."""
        up = self.upstream.ratings if self.upstream is not None else {}
        q = (self.rejection.duty if self.rejection.duty is not None else self.rejection.heat_rejected).to("W")
        services = self.site_services.sized if self.site_services is not None else {}
        out = {**self.side.ratings, **up, "transformer": self.transformer_rating, **services,
               "heat_rejection": Q_(np.broadcast_to(np.max(q.magnitude, axis=-1, keepdims=True), q.shape), "W")}
        if self.loops.water_flow_design is not None:
            v = self.loops.water_flow_design.to("m^3/s")
            out["facility_water_flow"] = Q_(np.broadcast_to(np.max(v.magnitude, axis=-1, keepdims=True), q.shape),
                                            "m^3/s")
        return out


def plant_step(r: Resolved, it_power, racks, air: AirStates, ratings: dict | None = None) -> Plant:
    """Facility power and heat flows for IT power ``it_power`` ``(S, 1)`` under outdoor air ``air``.

    ``ratings`` holds the installed component ratings; ``None`` means this is the design
    evaluation, which sets them from ``design_loading``.
    """
    n = np.size(air.dry_bulb.magnitude)
    it_w = it_power.to("W").magnitude
    it = Q_(np.broadcast_to(np.reshape(it_w, (-1, 1)), (r.samples, n)).astype(float), "W")
    side = it_side_step(r, it, racks_column(racks), ratings)
    loops = loops_step(r, it, side, air, ratings)
    installed = ratings.get("heat_rejection") if ratings is not None else None
    rejection = rejection_step(r, it, loops, air, installed)
    load = side.ups_loss + it + side.distribution_loss + side.lighting + loops.fans + loops.pumps + \
        rejection.chiller + rejection.device_fans + rejection.support
    services = site_services_step(r, it, load, rejection.heat_rejected, ratings)
    load = load + services.total
    up = grid_side_step(r, load, ratings)
    facility = load + up.loss
    if r.scenario.pue is not None:
        facility = it * np.reshape(r.scenario.pue, (-1, 1))
    return Plant(it, side, loops, rejection, up.loss, up.sources["transformer"], facility,
                 up.ratings["transformer"], site_services=services, upstream=up)


@dataclass(frozen=True)
class GridSide:
    """Losses between the utility and the LV switchboards, each stage carrying what the stage below
    it draws: MV/LV transformers, then MV switchgear and cabling, then the HV/MV substation."""

    losses: dict   # stage -> loss [W]
    ratings: dict  # stage -> installed rating [W]
    sources: dict  # stage -> where its losses came from

    @property
    def loss(self) -> Quantity:
        """All of them; the heat leaves outdoors (transformer yards, substation, buried cable). [W]"""
        return sum(self.losses.values(), Q_(0.0, "W"))


def grid_side_step(r: Resolved, load, ratings: dict | None) -> GridSide:
    """Losses of the stages upstream of the LV load ``load``; ``ratings=None`` sizes each stage
    from ``design_loading`` (the design evaluation), else the installed ``ratings`` are used.

    Each stage loses ``S (a + b x + c x^2)`` at ``x = P/S`` (Rasmussen, Schneider Electric White
    Paper 113): a transformer its no-load loss at every load and its winding loss with x^2."""
    e = r.scenario.electrical
    loading = _magnitude(e.design_loading.quantity)
    stages = [("transformer", r.transformer, e.transformer_efficiency),
              ("mv_distribution", r.mv_distribution, None), ("hv_transformer", r.hv_transformer, None)]
    losses, rated, sources = {}, {}, {}
    for name, component, override in stages:
        if component is None:
            continue
        rated[name] = ratings[name] if ratings is not None else load / loading
        losses[name], sources[name] = _component_loss(component, override, load, rated[name])
        load = load + losses[name]
    return GridSide(losses, rated, sources)


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
        """Site water drawn: ``E + B + D``. [kg/s]"""
        return water.makeup(self.evaporation, self.blowdown, self.drift)


def tower_water_step(r: Resolved, plant: Plant, air: AirStates) -> TowerWater:
    """Evaporation from the tower's energy balance; drift; blowdown from the solids balance.

    ``E = Q dW / (dh - h_f dW)`` with ``dW = W_sat(T_exit) - W_in``, ``dh = h_sat(T_exit) - h_in``
    and ``h_f`` the liquid make-up at the basin temperature; ``D = drift rate x circulation``;
    ``B = max(E / (COC - 1) - D, 0)``; make-up ``E + B + D``. In full free cooling the tower
    only makes water as cold as the coldest loop needs.
    """
    c = r.cooling
    shape = np.shape(plant.facility.magnitude)
    j = plant.rejection
    if c.heat_rejection != "cooling-tower":
        zero = Q_(np.zeros(shape), "kg/s")
        if j.water_evaporated is None:
            return TowerWater(zero, zero, zero, np.zeros(shape))
        # An economizer's media: evaporation into the supply air, bleed-off to hold the cycles.
        evap = np.broadcast_to(j.water_evaporated.to("kg/s").magnitude, shape) * Q_(1.0, "kg/s")
        return TowerWater(evap, water.blowdown(evap, c.cycles_of_concentration.quantity.magnitude, zero), zero,
                          water.latent_fraction(evap, j.heat_rejected, c.supply_temperature.quantity))
    hx = _delta(c.hx_approach) if c.hx_approach is not None else Q_(0.0, "delta_degC")
    sink = j.sink_temperature.to("degC").magnitude
    t_cold = np.where(j.economizer_fraction >= 1.0, np.maximum(sink, (j.coldest_supply - hx).to("degC").magnitude),
                      sink)
    t_exit = Q_(t_cold, "degC") + _delta(c.tower_range) / 2
    h_in = psy.moist_air_enthalpy(air.dry_bulb, air.humidity_ratio)
    evap = water.tower_evaporation(j.heat_rejected, h_in, air.humidity_ratio, t_exit, air.pressure,
                                   Q_(t_cold, "degC"))
    circulation = water.circulation(j.heat_rejected, _delta(c.tower_range))
    drift = water.drift(circulation, c.drift_rate.quantity.magnitude)
    blow = water.blowdown(evap, c.cycles_of_concentration.quantity.magnitude, drift)
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
    peak_unserved: Quantity     # design peak above allocation plus turbines (S, 1) [W]
    turbine_capacity: Quantity
    battery_power: Quantity


def grid_step(r: Resolved, facility_hourly, facility_peak, weights=None) -> GridSupply:
    """Turbines and battery cover load above the grid allocation, hour by hour and at the design peak.

    Over the states (each standing for ``weights`` hours) the battery gives no more than the
    spare grid (or, islanded, turbine) supply can put back at its round-trip efficiency; the
    rest of the load above the allocation and the turbines is unserved.
    """
    on = r.scenario.onsite
    turbine_cap = on.turbines * r.turbine.rated_power.quantity.to("W") if r.turbine else Q_(0.0, "W")
    battery_power = on.batteries * r.battery.power.quantity.to("W") if r.battery else Q_(0.0, "W")
    limit = on.grid_limit.quantity if on.grid_limit is not None else None
    g, t, b, un = gridmod.dispatch(facility_hourly, limit, turbine_cap, battery_power)
    if r.battery is not None and limit is not None and weights is not None:
        islanded = limit.to("W").magnitude <= 0
        headroom = turbine_cap - t if islanded else limit - g
        eta = _magnitude(r.battery.round_trip_efficiency.quantity)
        kept = gridmod.rechargeable_discharge(b, headroom, weights, eta)
        b, un = kept, un + (b - kept)
    # at the design peak, as for phased build-outs, batteries are not firm supply: a design day
    # stays hot for longer than their rated hours
    dg, _, _, dun = gridmod.dispatch(facility_peak, limit, turbine_cap, Q_(0.0, "W"))
    return GridSupply(g, t, b, un, dg, dun, turbine_cap, battery_power)
