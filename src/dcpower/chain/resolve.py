"""Resolve a scenario: every spec, the weather, design conditions and title, checked before anything runs.

:func:`resolve` turns a scenario (a built-in id, a TOML file or a
:class:`~dcpower.catalog.scenario.Scenario`) plus the user's overrides into one
:class:`Resolved`: the single source of truth the model chain reads. It holds the specs by
role (accelerator, server, cooling, site, grid, the fabrics' switches and optics, storage,
the electrical chain, turbines and batteries), the hourly weather, the design conditions
*and where they came from*, the elevation, and a display title derived from the actual
inputs. Unknown ids, missing servers and servers that do not fit the hall fail here, with
one line, before any physics runs.

Studies evaluate the chain on a batch: :meth:`Resolved.with_values` returns a copy whose
named values (``"cooling.approach"``, ``"utilization"``, ``"gpus"``) are arrays with a
leading sample axis of shape ``(S, 1)``.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np
from pydantic import BaseModel, ValidationError

from dcpower.catalog.bounds import check_magnitudes
from dcpower.catalog.loader import Catalog, builtin_dir, data_path, format_validation_error, load_catalog, suggest
from dcpower.catalog.models import (Accelerator, Battery, Cooling, Electrical, Fabric, Grid, Server, Site, Spec,
                                    SpecValue, Storage, Support, Switch, Transceiver, Turbine, Workload, field_dim)
from dcpower.catalog.scenario import Scenario, apply_settings, load_scenario
from dcpower.errors import InputError
from dcpower.units import Q_
from dcpower.weather.model import DesignConditions, Weather

__all__ = ["Resolved", "FabricParts", "SampledValue", "resolve", "title_for", "override_spec", "load_weather",
           "site_design_conditions", "immersed", "OVERRIDABLE", "STRUCTURAL"]

# Specs held by role in a Resolved (values named "server.fan_power"), not by id.
ROLES = ("accelerator", "server", "cooling", "grid", "workload", "idle", "support")
# Keyword shortcuts of estimate() for scenario fields.
OVERRIDABLE = ("gpus", "accelerator", "server", "gpus_per_server", "host_power", "utilization", "workload",
               "site", "weather", "cooling", "pue", "grid")
# Values that fix counts or topology (integers, switch radix) or the site: never sampled.
STRUCTURAL = {"gpus", "ports", "port_speed", "endpoint_speed", "endpoints_per_unit", "gpus_per_rack",
              "rack_units", "nameplate_power", "memory", "idle_power", "energy", "round_trip_efficiency",
              "ramp_rate", "elevation", "weather_source"}
# A user's weather station farther than this from the scenario's site gets a warning that
# the grid (prices, carbon) is still the site's.
GRID_DISTANCE_WARNING_KM = 100.0
# The id of a scenario once options or settings changed it: the file's id, name and
# description would name a cluster that is not the one estimated (the title says what is).
CHANGED_ID = "custom"


class SampledValue:
    """A spec value whose quantity is an array of samples, shape ``(S, 1)``.

    Stands in for a :class:`~dcpower.catalog.models.SpecValue` (``.quantity``,
    ``.citation()``); reading it calls ``on_read(name)`` when given, which is how a study
    learns which ranged values the chain actually uses.
    """

    def __init__(self, name: str, original: SpecValue, magnitudes, on_read=None):
        self.name, self.original, self._on_read = name, original, on_read
        self._quantity = Q_(np.asarray(magnitudes, dtype=float), original.quantity.units)

    @property
    def quantity(self):
        if self._on_read is not None:
            self._on_read(self.name)
        return self._quantity

    def citation(self) -> str:
        return f"sampled: {self.original.citation()}"

    def __getattr__(self, name):
        return getattr(self.original, name)


@dataclass(frozen=True)
class FabricParts:
    """One network fabric with the switch and optical modules it is built of."""

    fabric: Fabric
    switch: Switch
    nic_transceiver: Transceiver | None
    switch_transceiver: Transceiver | None

    def specs(self) -> tuple[Spec, ...]:
        return tuple(s for s in (self.fabric, self.switch, self.nic_transceiver, self.switch_transceiver) if s)


@dataclass(frozen=True)
class Resolved:
    """A scenario with every spec it names, its weather and design conditions: what the chain reads.

    Attributes
    ----------
    scenario : Scenario
        The scenario with the user's overrides applied.
    catalog : Catalog
        The catalog the specs came from (sizing equipment is looked up in it).
    accelerator, server, cooling, site, grid : Spec
        The specs by role.
    workload, idle : Workload
        What the accelerators run, and the idle state (its floors stand in where an
        accelerator or server publishes none).
    fabrics : tuple of FabricParts
        Compute, front-end and management fabrics that the scenario names.
    storage : Storage or None
    transformer, ups, distribution : Electrical
        The power chain.
    mv_distribution, hv_transformer : Electrical or None
        MV switchgear and cabling, and the HV/MV substation transformer, upstream of the
        MV/LV transformers (None where the scenario leaves the stage out).
    turbine, battery : Spec or None
        On-site generation and storage, when the scenario has them.
    weather : Weather
        Hourly typical-year weather (the site's, or the user's EPW file).
    design : DesignConditions
        ASHRAE design conditions; ``design.source`` says where they came from.
    elevation : Quantity
        Elevation used for air pressure and generator derates. [m]
    elevation_source : str
    title : str
        Display title derived from the inputs: count, accelerator, cooling, place.
    warnings : tuple of str
        What resolving found worth saying (a server swapped, a far-away weather station).
    """

    scenario: Scenario
    catalog: Catalog
    accelerator: Accelerator
    server: Server
    workload: Workload
    idle: Workload
    cooling: Cooling
    site: Site
    grid: Grid
    fabrics: tuple[FabricParts, ...]
    storage: Storage | None
    transformer: Electrical
    ups: Electrical
    distribution: Electrical
    turbine: Turbine | None
    battery: Battery | None
    weather: Weather
    design: DesignConditions
    elevation: Any
    elevation_source: str
    title: str
    warnings: tuple[str, ...] = ()
    samples: int = 1  # length S of the leading sample axis (1 unless with_values made a batch)
    mv_distribution: Electrical | None = None
    hv_transformer: Electrical | None = None
    support: Support | None = None  # site services (offices, block heaters, controls, water treatment)

    # ------------------------------------------------------------ batches

    def ranged_values(self) -> dict[str, SpecValue]:
        """Every value with a low or high end that could vary, by name (``cooling.approach``)."""
        out: dict[str, SpecValue] = {}
        for name, owner in self.owners().items():
            for field_name in type(owner).model_fields:
                v = getattr(owner, field_name)
                if isinstance(v, SpecValue) and (v.low is not None or v.high is not None) \
                        and field_name not in STRUCTURAL:
                    out.setdefault(f"{name}.{field_name}" if name else field_name, v)
        return out

    def bounds_of(self, name: str):
        """The declared :class:`~dcpower.catalog.bounds.Dim` of a value named as in :meth:`ranged_values`."""
        owner_name, _, field_name = name.rpartition(".")
        owner = self.owners().get(owner_name)
        if owner is not None and hasattr(owner, "bounds_of"):
            return owner.bounds_of(field_name)
        return None if owner is None else field_dim(type(owner), field_name)

    def with_values(self, values: Mapping[str, Any], on_read=None) -> "Resolved":
        """A copy with named values replaced by sample arrays of shape ``(S, 1)``.

        Names are as in :meth:`ranged_values`, plus plain scenario fields (``gpus``, ``pue``,
        ``onsite.turbines``). A sourced value becomes a :class:`SampledValue`.
        """
        owners = self.owners()
        replaced: dict[str, BaseModel] = {}
        samples = max((np.size(m) for m in values.values()), default=1)
        for name, magnitudes in values.items():
            owner_name, _, field_name = name.rpartition(".")
            if owner_name not in owners:
                raise InputError(f"cannot vary '{name}': no such value in this scenario")
            owner = replaced.get(owner_name, owners[owner_name])
            current = getattr(owner, field_name)
            _check_tried(owner, field_name, current, magnitudes, name)
            array = np.broadcast_to(np.reshape(np.asarray(magnitudes), (-1, 1)), (samples, 1))
            new = SampledValue(name, current, array, on_read) if isinstance(current, (SpecValue, SampledValue)) \
                else array
            replaced[owner_name] = owner.model_copy(update={field_name: new})
        _check_order(owners, values)
        return dataclasses.replace(self._rebuilt(replaced), samples=samples)

    def owners(self) -> dict[str, BaseModel]:
        """Models holding values, by the prefix their values are named with."""
        s = self.scenario
        owners: dict[str, BaseModel] = {"": s, "storage": s.storage, "electrical": s.electrical, "onsite": s.onsite}
        for role in ROLES:
            if getattr(self, role) is not None:
                owners[role] = getattr(self, role)
        equipment = [p for f in self.fabrics for p in f.specs()]
        equipment += [x for x in (self.storage, self.transformer, self.ups, self.distribution, self.mv_distribution,
                                  self.hv_transformer, self.turbine, self.battery) if x is not None]
        for spec in equipment:
            owners.setdefault(spec.id, spec)
        return owners

    def _rebuilt(self, replaced: dict[str, BaseModel]) -> "Resolved":
        s = self.scenario
        parts = {k: replaced[k] for k in ("storage", "electrical", "onsite") if k in replaced}
        scenario = replaced.get("", s)
        if parts:
            scenario = scenario.model_copy(update=parts)
        by_id = {k: v for k, v in replaced.items() if isinstance(v, Spec) and k not in ROLES}

        def swap(spec):
            return by_id.get(spec.id, spec) if spec is not None else None

        fabrics = tuple(FabricParts(*(swap(x) for x in (f.fabric, f.switch, f.nic_transceiver, f.switch_transceiver)))
                        for f in self.fabrics)
        roles = {k: replaced[k] for k in ROLES if k in replaced}
        return dataclasses.replace(self, scenario=scenario, fabrics=fabrics, storage=swap(self.storage),
                                   transformer=swap(self.transformer), ups=swap(self.ups),
                                   distribution=swap(self.distribution), turbine=swap(self.turbine),
                                   mv_distribution=swap(self.mv_distribution), hv_transformer=swap(self.hv_transformer),
                                   battery=swap(self.battery), **roles)

    # ------------------------------------------------------------ JSON "scenario" block

    def to_dict(self) -> dict:
        """The resolved scenario as ``--format json`` prints it under ``"scenario"``."""
        def plain(v):
            if isinstance(v, dict) and "value" in v and "source" in v:
                return {"value": v["value"], "source": v["source"] + (f" ({v['year']})" if v.get("year") else "")}
            if isinstance(v, dict):
                return {k: plain(x) for k, x in v.items() if x is not None}
            return v

        d = plain(self.scenario.model_dump())
        d["server"] = self.server.id
        d["grid"] = self.grid.id
        d["weather"] = self.weather.source
        d["title"] = self.title
        d["design_conditions"] = self.design.source
        d["elevation"] = {"value": f"{self.elevation.to('m').magnitude:g} m", "source": self.elevation_source}
        return d


def _check_tried(owner: BaseModel, field_name: str, current, magnitudes, name: str) -> None:
    """Values a study tries obey the field's declared range, as typed values do."""
    if isinstance(current, (SpecValue, SampledValue)):
        dim = field_dim(type(owner), field_name)
        if dim is not None:
            units = current.original.quantity.units if isinstance(current, SampledValue) else current.quantity.units
            check_magnitudes(dim, magnitudes, units, name)
        return
    arr = np.ravel(np.asarray(magnitudes, dtype=float))
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name}: every value tried must be a finite number")
    data = owner.model_dump()
    for v in {float(arr.min()), float(arr.max())}:
        data[field_name] = int(v) if v.is_integer() else v
        try:
            type(owner).model_validate(data)
        except ValidationError as exc:
            raise InputError(format_validation_error(exc, f"{name} = {v:g}")) from None


def _check_order(owners: Mapping[str, BaseModel], values: Mapping[str, Any]) -> None:
    """Values tried together keep the order their spec declares (a supply envelope's floor at or
    below its limit), as a spec file's values must."""
    tried: dict[str, dict] = {}
    for name, magnitudes in values.items():
        owner_name, _, field_name = name.rpartition(".")
        current = getattr(owners[owner_name], field_name)
        if isinstance(current, SpecValue) and hasattr(owners[owner_name], "order_problem"):
            arr = np.reshape(np.asarray(magnitudes, dtype=float), (-1, 1))
            tried.setdefault(owner_name, {})[field_name] = Q_(arr, current.quantity.units)
    for owner_name, fields in tried.items():
        problem = owners[owner_name].order_problem(fields)
        if problem:
            raise InputError(f"{', '.join(f'{owner_name}.{f}' for f in fields)}: {problem}")


# ---------------------------------------------------------------- resolving

def resolve(scenario: Scenario | str | Path | None = None, *, specs_dirs=(), settings: Mapping | None = None,
            catalog: Catalog | None = None, **overrides) -> Resolved:
    """Resolve a scenario and the user's overrides into a :class:`Resolved`.

    Parameters
    ----------
    scenario : Scenario, str or Path, optional
        A built-in scenario id, a TOML file, or a Scenario; the Memphis default when omitted.
    specs_dirs : path or sequence of paths
        User spec directories laid over the built-in catalog.
    settings : mapping, optional
        ``--set`` style overrides, ``{"electrical.ups_efficiency": "0.97"}``.
    catalog : Catalog, optional
        An already loaded catalog (studies pass theirs to save the load).
    **overrides
        Shortcuts for scenario fields: see :data:`OVERRIDABLE`.
    """
    specs_dirs = _as_dirs(specs_dirs)
    if settings is not None and not isinstance(settings, Mapping):
        raise InputError(f"settings must be a mapping such as {{'electrical.ups_efficiency': 0.97}}, "
                         f"got {type(settings).__name__}")
    if settings and not all(isinstance(k, str) for k in settings):
        bad = next(k for k in settings if not isinstance(k, str))
        raise InputError(f"settings key {bad!r} is not a --set key; keys are text such as 'electrical.ups_efficiency'")
    scen, spec_overrides, changed, own_site = _scenario_with_overrides(scenario, specs_dirs, settings or {}, overrides)
    # A cooling chosen here, with no server named with it, lets the server follow the hall.
    named = {k for k, v in {**overrides, **(settings or {})}.items() if v is not None}
    follows = "cooling" in named and "server" not in named
    catalog = catalog or load_catalog(specs_dirs)

    def get(category: str, ident: str):
        spec = catalog.get(category, ident)
        if category in spec_overrides:
            spec = override_spec(spec, spec_overrides[category])
        return spec

    warnings: list[str] = _phase_warning(scen, named) + _site_warning(scen, named, own_site)
    acc = get("accelerator", scen.accelerator)
    cooling = get("cooling", scen.cooling)
    if "accelerator" in named and not named & {"cooling", "server", "gpus_per_server"}:
        cooling = _hall_for(acc, cooling, get, catalog, warnings)
        scen = scen.model_copy(update={"cooling": cooling.id})
    server = _server(scen, acc, cooling, get, warnings, catalog, follows)
    if cooling.kind == "immersion":
        server = immersed(server)
    site = get("site", scen.site)
    grid = get("grid", scen.grid or site.grid)
    weather = load_weather(scen, site, catalog.folder_of("site", site.id))
    design, elevation, elevation_source = _climate(scen, site, weather, warnings)
    e = scen.electrical
    on = scen.onsite
    storage = catalog.get("storage", scen.storage.system) if scen.storage.system else None
    resolved = Resolved(
        scenario=scen, catalog=catalog, accelerator=acc, server=server, workload=get("workload", scen.workload),
        idle=catalog.get("workload", "idle"), cooling=cooling, site=site, grid=grid,
        fabrics=_fabrics(scen, catalog, server), storage=storage,
        transformer=_electrical(get, e.transformer, "transformer"), ups=_electrical(get, e.ups, "ups"),
        distribution=_electrical(get, e.distribution, "distribution"),
        mv_distribution=_electrical(get, e.mv_distribution, "distribution", "mv_distribution")
        if e.mv_distribution else None,
        hv_transformer=_electrical(get, e.hv_transformer, "transformer", "hv_transformer") if e.hv_transformer else None,
        turbine=catalog.get("turbine", on.turbine) if on.turbine and on.turbines else None,
        battery=catalog.get("battery", on.battery) if on.battery and on.batteries else None,
        weather=weather, design=design, elevation=elevation, elevation_source=elevation_source,
        title="", warnings=tuple(warnings), support=get("support", scen.support) if scen.support else None)
    title = title_for(resolved)
    if changed:  # the file's id, name and description no longer describe what is estimated
        resolved = dataclasses.replace(resolved, scenario=scen.model_copy(
            update={"id": CHANGED_ID, "name": title, "description": None}))
    return dataclasses.replace(resolved, title=title)


def _phase_warning(scen: Scenario, named: set) -> list[str]:
    """A phased scenario's phases keep their own GPUs: say so when the headline's are changed."""
    changed = sorted(named & {"gpus", "accelerator"})
    if not scen.phases or not changed:
        return []
    return [f"{', '.join(changed)} changed the headline estimate only; the {len(scen.phases)} phases keep their "
            "own GPU counts and accelerators (edit [[phases]] in the scenario file to change them)"]


def _site_warning(scen: Scenario, named: set, own_site: str) -> list[str]:
    """A site changed here (from ``own_site``, the file's) keeps the scenario's utility allocation
    and on-site fleet: say so."""
    on = scen.onsite
    kept = [f"onsite.{k}" for k, v in (("grid_limit", on.grid_limit), ("turbines", on.turbines),
                                        ("batteries", on.batteries)) if v and f"onsite.{k}" not in named]
    if scen.site == own_site or not kept:
        return []
    return [f"site '{scen.site}' keeps the scenario's {', '.join(kept)}, which were chosen for the scenario's own "
            f"site; set {', '.join(kept)} with --set for this one"]


def _electrical(get, ident: str, kind: str, field: str | None = None) -> Spec:
    """The electrical spec ``ident``, which must be of ``kind`` (a transformer is not a UPS)."""
    try:
        spec = get("electrical", ident)
    except InputError:
        # name the field and its kind: a did-you-mean across all electrical ids may offer a busway for a UPS
        raise InputError(f"unknown electrical.{field or kind} '{ident}'; name a {kind} from 'dcpower specs list "
                         "electrical'" + (' or "none" to leave the stage out' if field else "")) from None
    if spec.kind != kind:
        raise InputError(f"electrical.{field or kind} = '{ident}' is a {spec.kind}, not a {kind}; name a {kind} "
                         f"from 'dcpower specs list electrical'")
    return spec


def _as_dirs(specs_dirs) -> tuple:
    """A path or a sequence of paths, as a tuple (a bare string is one path, not letters)."""
    if specs_dirs is None:
        return ()
    if isinstance(specs_dirs, (str, Path)):
        return (specs_dirs,)
    try:
        return tuple(specs_dirs)
    except TypeError:
        raise InputError(f"specs_dirs must be a path or a list of paths, got {specs_dirs!r}") from None


def _scenario_with_overrides(scenario, specs_dirs, settings: Mapping, overrides: dict):
    """The scenario with shortcuts and ``--set`` settings applied; spec overrides; whether any applied;
    the site the scenario itself names."""
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
    if "host_power" in merged and hasattr(merged["host_power"], "units"):
        q = merged["host_power"]
        merged["host_power"] = f"{q.magnitude} {q.units}"
    merged.update(settings)
    if not merged:
        return scen, {}, False, scen.site
    own = scen
    scen, spec_overrides = apply_settings(scen, merged)
    return scen, spec_overrides, bool(spec_overrides) or scen != own, own.site


def override_spec(spec: Spec, fields: Mapping[str, Any]) -> Spec:
    """``spec`` with ``--set CATEGORY.FIELD=VALUE`` overrides applied and validated."""
    data = spec.model_dump()
    model_fields = type(spec).model_fields
    for key, value in fields.items():
        if key not in model_fields or key in ("id", "category"):
            valid = [k for k in model_fields if k != "id"]
            raise InputError(f"unknown --set key '{spec.category}.{key}'; {suggest(key, valid)}")
        if "SpecCurve" in str(model_fields[key].annotation) and not isinstance(value, Mapping):
            raise InputError(f"{spec.category}.{key} is a curve (load = [...], efficiency = [...]), not one value; "
                             f"give it in a {spec.category} entry of your own spec file (--specs DIR)")
        if isinstance(getattr(spec, key), SpecValue) or "SpecValue" in str(model_fields[key].annotation):
            data[key] = {"value": value, "source": "user input (--set)"}
        else:
            data[key] = value
    try:
        return type(spec).model_validate(data)
    except ValidationError as exc:
        raise InputError(format_validation_error(exc, f"--set {spec.category}")) from None


# Server cooling each hall takes: air-cooled servers in an air hall, cold-plate servers in a
# liquid hall, immersion servers in an immersion hall.
SERVER_COOLING = {"air": "air", "liquid": "liquid", "immersion": "immersion"}


def _server(scen: Scenario, acc: Accelerator, cooling: Cooling, get, warnings: list[str],
            catalog: Catalog | None = None, follows: bool = False) -> Server:
    """The scenario's server, or the one for the accelerator and the hall; a named server must fit the hall.

    ``follows`` says the server was not named for this cooling (the user changed the cooling
    or the accelerator but not the server): then a server that does not fit is replaced.
    """
    if scen.server is None and scen.gpus_per_server:
        server = generic_node(acc, scen.gpus_per_server, cooling, get)
        warnings.append(f"node built from the generic host '{GENERIC_HOST}': {scen.gpus_per_server} x {acc.id} "
                        "per server (see --explain for its parts and sources)")
        return server
    if scen.server is not None:
        server = get("server", scen.server)
        if follows and (server.accelerator != acc.id or not _fits(server, cooling)):
            return _server_for(acc, cooling, get, catalog)
        if server.accelerator != acc.id:
            if acc.default_server:
                warnings.append(f"server '{server.id}' holds {server.accelerator}, not {acc.id}; "
                                f"using {acc.id}'s usual server for the hall")
                server = _server_for(acc, cooling, get, catalog)
            elif scen.gpus_per_server and scen.host_power:
                warnings.append(f"custom {acc.id} node built on the chassis data of '{server.id}'")
            else:
                raise InputError(f"accelerator '{acc.id}' has no usual server in the catalog; give "
                                 "--server ID, or --gpus-per-server N and --host-power QTY")
        _check_fit(server, cooling, get, catalog)
        return server
    return _server_for(acc, cooling, get, catalog)


# Heat rejections that draw site water (evaporation in towers or in an economizer's media).
_WET = {"cooling-tower", "outdoor-air"}


def _hall_for(acc: Accelerator, cooling: Cooling, get, catalog: Catalog, warnings: list[str]) -> Cooling:
    """The scenario's cooling when one of the accelerator's servers fits its hall; else a cooling
    for the hall of the accelerator's usual server, rejecting heat the same way where the catalog
    has one, else using site water or not as the scenario's does. Says so in a warning."""
    servers = _servers_of(acc, get, catalog)
    if not servers or any(_fits(s, cooling) for s in servers):
        return cooling
    usual = servers[0]
    options = [get("cooling", i) for i, c in catalog.category("cooling").items()
               if SERVER_COOLING[c.hall] == usual.cooling]
    if not options:
        return cooling  # _server_for says which coolings would fit
    ranked = sorted(options, key=lambda c: (c.heat_rejection != cooling.heat_rejection,
                                            (c.heat_rejection in _WET) != (cooling.heat_rejection in _WET)))
    chosen = ranked[0]
    warnings.append(f"cooling '{chosen.id}' instead of the scenario's '{cooling.id}': {acc.id}'s servers are "
                    f"{usual.cooling}-cooled and '{cooling.id}' is a {cooling.hall}-cooled hall (name --cooling "
                    "to choose another)")
    return chosen


def _fits(server: Server, cooling: Cooling) -> bool:
    return server.cooling == SERVER_COOLING[cooling.hall]


def _servers_of(acc: Accelerator, get, catalog: Catalog | None) -> list[Server]:
    """The accelerator's servers: its usual one first, then the catalog's in file order."""
    ids = [acc.default_server] if acc.default_server else []
    if catalog is not None:
        ids += [i for i, s in catalog.category("server").items() if s.accelerator == acc.id and i not in ids]
    return [get("server", i) for i in ids]


def _server_for(acc: Accelerator, cooling: Cooling, get, catalog: Catalog | None) -> Server:
    """The accelerator's usual server if it fits the hall, else the first of its servers that does."""
    servers = _servers_of(acc, get, catalog)
    if not servers:
        raise InputError(f"accelerator '{acc.id}' has no usual server in the catalog; give --server ID")
    for server in servers:
        if _fits(server, cooling):
            return server
    kinds = sorted({s.cooling for s in servers})
    halls = [h for h, k in SERVER_COOLING.items() if k in kinds]
    fitting = _coolings_for(halls, catalog)
    raise InputError(f"no {SERVER_COOLING[cooling.hall]}-cooled server for {acc.id} in the catalog, which "
                     f"'{cooling.id}' needs; choose a cooling that fits its servers ({fitting}) or name one "
                     "with --server ID")


def _coolings_for(halls, catalog: Catalog | None) -> str:
    if catalog is None:
        return f"a hall for {' or '.join(halls)}-cooled servers"
    ids = [i for i, c in catalog.category("cooling").items() if c.hall in halls]
    return ", ".join(ids) or "none in the catalog"


def _check_fit(server: Server, cooling: Cooling, get, catalog: Catalog | None) -> None:
    """A named server must be built for the hall: one line naming the servers or coolings that fit."""
    if _fits(server, cooling):
        return
    want = SERVER_COOLING[cooling.hall]
    acc_servers = [s.id for s in _servers_of(get("accelerator", server.accelerator), get, catalog)
                   if s.cooling == want]
    fix = f"--server {' or '.join(acc_servers)} for this hall, or " if acc_servers else ""
    article = "an" if cooling.hall[0] in "aeiou" else "a"
    raise InputError(f"server '{server.id}' is {server.cooling}-cooled but cooling '{cooling.id}' is {article} "
                     f"{cooling.hall}-cooled hall; choose {fix}a cooling for {server.cooling}-cooled servers "
                     f"({_coolings_for([server.cooling], catalog)})")


GENERIC_HOST = "generic-2s-x86"


def immersed(server: Server) -> Server:
    """``server`` as it runs submerged in a single-phase immersion tank: without fan power."""
    note = (f"'{server.id}' lists {server.fan_power.value} of fans (source: {server.fan_power.source}); "
            "submerged in a single-phase immersion tank the dielectric fluid, pumped by the tank, carries "
            "all the heat (liquid_fraction 1), so the server fans are removed or stopped and draw nothing")
    return server.model_copy(update={"fan_power": SpecValue(value="0 W", source="assumption", note=note)})


def generic_node(acc: Accelerator, gpus: int, cooling: Cooling, get) -> Server:
    """A server of ``gpus`` accelerators on the generic host: its fixed parts, plus one NIC and
    the fans for each accelerator; rack density from the accelerator's usual server."""
    host = get("host", GENERIC_HOST)

    def times(sv, what):
        q = gpus * sv.quantity.to("W")
        return {"value": f"{q.magnitude:g} W", "source": sv.source, "url": sv.url, "year": sv.year,
                "note": f"{gpus} x {sv.value} per accelerator ({what}, host '{host.id}')"}

    usual = get("server", acc.default_server) if acc.default_server else None
    data = {"id": "generic-node", "name": f"generic node: {gpus} x {acc.name} on {host.name}",
            "vendor": "generic", "accelerator": acc.id,
            "cooling": SERVER_COOLING[cooling.hall],
            "gpus": {"value": gpus, "source": "user input (--gpus-per-server)"},
            "baseboard_power": {"value": "0 W", "source": "user input (generic node: board logic is in other_power)"},
            "nic_power": times(host.nic_power_per_gpu, "NIC"), "fan_power": times(host.fan_power_per_gpu, "fans")}
    for f in ("cpu_power", "memory_power", "drive_power", "other_power", "psu_efficiency", "host_idle_fraction"):
        if getattr(host, f) is not None:
            data[f] = getattr(host, f).model_dump(exclude_none=True)
    data.update(_generic_liquid(cooling, host))
    if usual is not None and usual.gpus_per_rack is not None:
        data["gpus_per_rack"] = usual.gpus_per_rack.model_dump(exclude_none=True)
    return Server.model_validate(data)


def _generic_liquid(cooling: Cooling, host) -> dict:
    """The generic node's liquid share: none in an air hall, the host's cold-plate share in a liquid one."""
    if cooling.hall == "air":
        return {}
    if cooling.hall == "immersion":
        return {"liquid_fraction": {"value": 1.0, "source": "assumption",
                                    "note": "an immersed node gives all its heat to the dielectric fluid"}}
    if host.liquid_fraction is None:
        raise InputError(f"host '{host.id}' gives no liquid_fraction, so a generic node cannot be built for the "
                         f"liquid hall '{cooling.id}'; name a server with --server ID")
    return {"liquid_fraction": host.liquid_fraction.model_dump(exclude_none=True)}


def _fabrics(scen: Scenario, catalog: Catalog, server: Server) -> tuple[FabricParts, ...]:
    """The scenario's fabrics; its compute fabric, when it names none, is the server's."""
    n = scen.network
    compute = n.compute_fabric or server.compute_fabric
    if not compute:
        raise InputError(f"no compute fabric: server '{server.id}' names none; set network.compute_fabric "
                         "in the scenario (e.g. compute_fabric = \"quantum-2-ndr\"; `dcpower specs list fabric` lists them)")
    out = []
    for fid in (compute, n.frontend_fabric, n.management_fabric):
        if not fid:
            continue
        fab = catalog.get("fabric", fid)
        out.append(FabricParts(
            fab, catalog.get("switch", fab.switch),
            catalog.get("transceiver", fab.nic_transceiver) if fab.nic_transceiver else None,
            catalog.get("transceiver", fab.switch_transceiver) if fab.switch_transceiver else None))
    return tuple(out)


# ---------------------------------------------------------------- climate and weather

_WEATHER_CACHE: dict[str, Weather] = {}


def _file_key(path: Path) -> str:
    """Where ``path`` leads and when it changed; a missing file or a symbolic-link loop keys as
    changed never (Path.resolve raised RuntimeError on a loop), and the read names the problem."""
    try:
        return f"{os.path.realpath(path)}:{path.stat().st_mtime_ns}"
    except OSError:
        return f"{os.path.realpath(path)}:0"


def load_weather(scen: Scenario, site: Site, site_folder: Path | None = None) -> Weather:
    """The scenario's weather file (EPW, or dcpower's compact ``.csv.gz``) if it names one, else the
    site's shipped typical year (cached per process).

    A site's weather path is read relative to ``site_folder``, the specs folder that defines
    the site (the built-in one by default), and may not lead out of it. The scenario's path
    is used as given: :func:`~dcpower.catalog.scenario.load_scenario` has already made a
    relative one relative to the scenario file.
    """
    from dcpower.inputs import remember_input
    from dcpower.weather import compact, epw

    if scen.weather:
        path = Path(scen.weather)
        # dcpower's own compact form (specs/.../*.csv.gz) is read as such, anything else as an EPW file
        read = compact.read_compact if path.name.endswith(".csv.gz") else epw.read_epw
        key = f"epw:{_file_key(path)}"
        if key not in _WEATHER_CACHE:
            _WEATHER_CACHE[key] = read(path)
        remember_input(path)
        return _WEATHER_CACHE[key]
    path = data_path(site_folder or builtin_dir(), site.weather, f"site '{site.id}': weather")
    key = f"compact:{_file_key(path)}"
    if key not in _WEATHER_CACHE:
        _WEATHER_CACHE[key] = compact.read_compact(path)
    remember_input(path)
    return _WEATHER_CACHE[key]


def site_design_conditions(site: Site) -> DesignConditions:
    """The catalog site's design conditions as the chain reads them, with their source."""
    d = site.design
    by_years = {5: d.extreme_dry_bulb_5yr, 10: d.extreme_dry_bulb_10yr, 20: d.extreme_dry_bulb,
                50: d.extreme_dry_bulb_50yr}
    extreme = tuple((n, sv.quantity) for n, sv in by_years.items() if sv is not None)
    return DesignConditions(
        source=f"site '{site.id}': {d.cooling_dry_bulb.citation()}",
        cooling_dry_bulb=d.cooling_dry_bulb.quantity, cooling_coincident_wet_bulb=d.cooling_coincident_wet_bulb.quantity,
        evaporation_wet_bulb=d.evaporation_wet_bulb.quantity,
        evaporation_coincident_dry_bulb=d.evaporation_coincident_dry_bulb.quantity,
        extreme_wet_bulb=d.extreme_wet_bulb.quantity if d.extreme_wet_bulb is not None else None,
        extreme_dry_bulb_return=extreme)


def _climate(scen: Scenario, site: Site, weather: Weather, warnings: list[str]):
    """Design conditions, elevation and their sources: one place, so one estimate uses one of each.

    With a user's EPW file, its station's design conditions and elevation are used (when it
    has them); otherwise the catalog site's.
    """
    if not scen.weather:
        return site_design_conditions(site), site.elevation.quantity, site.elevation.citation()
    wd = weather.design
    needed = ("cooling_dry_bulb", "cooling_coincident_wet_bulb", "evaporation_wet_bulb",
              "evaporation_coincident_dry_bulb")
    if wd is not None and all(getattr(wd, k) is not None for k in needed):
        design = dataclasses.replace(wd, source=f"{weather.source}: {wd.source or 'design conditions'}")
    else:
        design = site_design_conditions(site)
        warnings.append(f"{weather.source} has no ASHRAE design conditions; the design point uses "
                        f"site '{site.id}''s")
    distance = _distance_km(weather.latitude, weather.longitude, site.latitude, site.longitude)
    if distance > GRID_DISTANCE_WARNING_KM:
        warnings.append(f"the weather station ({weather.name}) is {distance:,.0f} km from site '{site.id}'; "
                        f"grid prices and carbon are still grid '{scen.grid or site.grid}': give --site or "
                        "--set grid=ID for the weather's region")
    return design, weather.elevation, f"station elevation in {weather.source}"


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on a 6,371 km sphere (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _place(r: Resolved) -> str:
    if r.scenario.weather:
        return r.weather.name
    return r.site.name.split(" (")[0]


def title_for(r: Resolved) -> str:
    """``100,000 NVIDIA H100 SXM5 80GB, dlc-tower, Memphis, TN``: what is built, how cooled, where."""
    s = r.scenario
    title = f"{int(s.gpus):,} {r.accelerator.name}, {r.cooling.id}, {_place(r)}"
    if s.pue is not None:
        title += f", PUE {s.pue:g}"
    return title
