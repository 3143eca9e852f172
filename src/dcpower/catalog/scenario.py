"""Scenarios: a whole facility, referring to catalog specs by id.

A scenario file is TOML with the fields of :class:`Scenario`; ``dcpower scenario show
memphis`` prints the built-in default to copy and edit. Numbers may be given bare
(``utilization = 0.8``: recorded as user input) or as sourced values
(``utilization = { value = 0.8, source = "...", year = 2025 }``).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from dcpower.catalog.loader import builtin_dir, data_path, format_validation_error, read_toml, suggest
from dcpower.errors import InputError, SpecError
from dcpower.catalog.bounds import Dim
from dcpower.units import parse_quantity
from dcpower.catalog.models import OptEfficiency, PowerFactor, SpecValue, check_field, field_dim

__all__ = ["Scenario", "load_scenario", "scenario_ids", "apply_settings", "SPEC_FIELDS"]


def _whole(v: Any) -> Any:
    """A count as typed (``8``, ``8.0``, ``"100_000"``), as an int; anything else is refused."""
    if v is None or (isinstance(v, int) and not isinstance(v, bool)):
        return v
    if isinstance(v, bool):
        raise ValueError(f"{v!r} is not a count; write a whole number such as 8")
    try:
        f = float(v.replace("_", "").replace(",", "")) if isinstance(v, str) else float(v)
    except (TypeError, ValueError):
        raise ValueError(f"{v!r} is not a whole number; write e.g. 100000") from None
    if not math.isfinite(f) or not f.is_integer():
        raise ValueError(f"{v!r} is not a whole number; write e.g. 100000")
    return int(f)


def _plain_number(v: Any) -> Any:
    """A plain number as typed; true/false and quantities with units are refused."""
    if isinstance(v, bool):
        raise ValueError(f"{v!r} is not a number; write e.g. 1.2")
    if hasattr(v, "units"):
        if not v.dimensionless:
            raise ValueError(f"'{v}' is not a plain number; write e.g. 1.2")
        return float(v.to("").magnitude)
    return v


# Sanity limits, not physics: ten times the largest cluster announced (xAI plans one
# million GPUs for Colossus 2), and a PUE well above the worst facilities surveyed (the
# Uptime Institute's 2024 global survey average is 1.56).
MAX_GPUS = 10_000_000
MAX_PUE = 4.0
# Return periods of the n-year extreme dry-bulb in the ASHRAE Handbook—Fundamentals climatic
# design tables (ch. 14) and in the EPW design-conditions header.
RETURN_PERIODS = (5, 10, 20, 50)
RETURN_PERIOD_SOURCE = (
    "Uptime Institute, Data Center Site Infrastructure Tier Standard: Topology (2018), ambient design "
    "temperatures: the ASHRAE n = 20-year extreme dry-bulb and the extreme maximum wet-bulb for the "
    "capacity of heat-rejection equipment (as the standard's commentary is widely applied; the text of the "
    "clause was not re-checked here)")
GpuCount = Annotated[int, Field(ge=1, le=MAX_GPUS), BeforeValidator(_whole)]
UnitCount = Annotated[int, Field(ge=0, le=10_000), BeforeValidator(_whole)]
GridLimit = Annotated[SpecValue | None, Dim("[power]", "0 W", "100 GW", what="a grid limit",
                                            why="a power the grid may supply, e.g. '150 MW'")]


def _as_spec_value(v: Any) -> Any:
    if v is None or isinstance(v, (dict, SpecValue)):
        return v
    return {"value": v, "source": "user input"}


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)

    @field_validator("*", mode="before")
    @classmethod
    def _wrap(cls, v, info):
        field = cls.model_fields[info.field_name]
        if any(isinstance(m, Dim) for m in field.metadata):
            return _as_spec_value(v)
        return v

    @field_validator("*", mode="after")
    @classmethod
    def _in_range(cls, v, info):
        return check_field(cls, info.field_name, v)


class Network(_Part):
    """Fabrics by id: the compute (GPU) fabric, front-end and management networks.

    With no ``compute_fabric``, the server's own ``compute_fabric`` is used."""

    compute_fabric: str | None = None
    frontend_fabric: str | None = None
    management_fabric: str | None = None


class StorageChoice(_Part):
    """Shared storage sized from the read bandwidth the GPUs need."""

    system: str | None = None
    read_bandwidth_per_gpu: Annotated[SpecValue | None, Dim("[bandwidth]", "0 bit/s", "1 Tbit/s", what="a bandwidth per GPU",
                                                             why="a GPU reads at most its NIC speed, e.g. '1 Gbit/s'")] = None


class ElectricalChoice(_Part):
    """The power chain by component id, plus overrides and facility support loads."""

    transformer: str
    ups: str
    distribution: str
    # Upstream of the MV/LV transformers: MV switchgear and cabling, and the HV/MV substation
    # transformer (the catalog's by default; "none" leaves a stage out).
    mv_distribution: str | None = "mv-distribution"
    hv_transformer: str | None = "hv-substation-transformer"

    @field_validator("mv_distribution", "hv_transformer")
    @classmethod
    def _none(cls, v):
        return None if v is None or v.strip().lower() in ("", "none") else v
    ups_efficiency: OptEfficiency = None
    transformer_efficiency: OptEfficiency = None
    distribution_efficiency: OptEfficiency = None
    design_loading: Annotated[SpecValue, Dim("[dimensionless]", 0, 1, open_low=True, what="a design loading",
                                             why="equipment is loaded to a fraction of its rating, e.g. 0.8")]
    power_factor: PowerFactor
    lighting_power_density: Annotated[SpecValue, Dim("[power_per_area]", "0 W/m^2", "100 W/m^2",
                                                     what="a lighting power density",
                                                     why="ASHRAE 90.1 allows about 10 W/m^2 for computer rooms")]
    rack_footprint: Annotated[SpecValue, Dim("[area]", "0 m^2", "20 m^2", open_low=True, what="a rack footprint",
                                             why="a rack with its aisle share takes a few m^2")]


class Onsite(_Part):
    """Grid allocation and on-site generation and storage."""

    grid_limit: GridLimit = None
    turbine: str | None = None
    turbines: UnitCount = 0
    battery: str | None = None
    batteries: UnitCount = 0

    @model_validator(mode="after")
    def _units_have_a_model(self):
        # a count with no model was silently left out of the supply
        for count, model, example in (("turbines", "turbine", "titan-130"), ("batteries", "battery", "megapack-2xl")):
            if getattr(self, count) and not getattr(self, model):
                raise ValueError(f"{count} = {getattr(self, count)} but no {model} is named; add {model} = "
                                 f"\"{example}\" (dcpower specs list {model}) or set {count} = 0")
        return self


class SizingChoice(_Part):
    """Redundancy schemes and equipment ids (``specs/equipment.toml``) for capacity sizing.

    A scheme is ``N``, ``N+k``, ``2N``, ``2(N+k)`` or distributed redundant ``xN/y``
    (x systems, each sized for 1/y of the load, e.g. ``4N/3``); see :mod:`dcpower.physics.sizing`.
    """

    electrical_redundancy: str = "2N"
    generator_redundancy: str = "N+1"
    cooling_redundancy: str = "N+1"
    substation_redundancy: str = "N+1"
    ups_module: str = "liebert-exl-1100"
    transformer: str = "unit-substation-2500kva"
    substation_transformer: str = "hv-substation-100mva"
    generator: str = "cat-c175-16"
    generator_rating: str = "prime"
    tower_cell: str = "marley-nc-cell"
    dry_cooler: str = "drycooler-1mw"
    cdu: str = "cdu-row-1500"
    chiller: str = "centrifugal-2000tr"
    air_cooled_chiller: str = "aircooled-screw-500tr"  # for plants whose chillers have air-cooled condensers
    layout: str = "colossus-like"
    liquid_class: str | None = None
    swing: str | None = None

    @field_validator("electrical_redundancy", "generator_redundancy", "cooling_redundancy",
                     "substation_redundancy")
    @classmethod
    def _scheme(cls, v):
        from dcpower.physics.sizing import parse_redundancy

        try:
            parse_redundancy(v)
        except InputError as exc:
            raise ValueError(str(exc)) from None
        return v

    @field_validator("generator_rating")
    @classmethod
    def _rating_class(cls, v):
        if v not in ("standby", "prime", "continuous"):
            raise ValueError(f"generator_rating '{v}': use standby (ISO 8528-1 ESP), prime (PRP) or "
                             "continuous (COP)")
        return v


class Phase(_Part):
    """One step of a phased build-out: what it adds to the cluster and to the supply."""

    name: str
    year: int | None = None
    gpus: GpuCount
    accelerator: str
    server: str | None = None
    grid_limit: GridLimit = None
    turbines: UnitCount = 0
    batteries: UnitCount = 0


class Scenario(_Part):
    """A whole facility: what is built, where, cooled how, fed from where."""

    id: str = "custom"
    name: str = "custom scenario"
    description: str | None = None
    gpus: GpuCount
    accelerator: str
    server: str | None = None
    gpus_per_server: Annotated[int | None, Field(default=None, ge=1, le=1000), BeforeValidator(_whole)] = None
    host_power: Annotated[SpecValue | None, Dim("[power]", "0 W", "500 kW", what="a host power per server",
                                                why="the rest of one server (CPUs, memory, NICs, fans), "
                                                    "e.g. '2.5 kW'")] = None
    # The share of time the accelerators are busy; idle the rest, so 0 is a powered-on, idle
    # cluster drawing its idle power.
    utilization: Annotated[SpecValue, Dim("[dimensionless]", 0, 1, what="a utilization",
                                          why="share of time the accelerators are busy, e.g. 0.8")]
    gpus_per_rack: Annotated[int | None, Field(default=None, ge=1, le=1000), BeforeValidator(_whole)] = None
    rack_power_limit: Annotated[SpecValue | None, Dim("[power]", "0 W", "2 MW", open_low=True,
                                                      what="a rack power limit")] = None
    workload: str = "training"
    site: str
    weather: str | None = None
    grid: str | None = None
    cooling: str
    pue: Annotated[float | None, Field(default=None, ge=1.0, le=MAX_PUE, allow_inf_nan=False),
                   BeforeValidator(_plain_number)] = None
    network: Network
    storage: StorageChoice = Field(default_factory=StorageChoice)
    electrical: ElectricalChoice
    onsite: Onsite = Field(default_factory=Onsite)
    sizing: SizingChoice = Field(default_factory=SizingChoice)
    ramp_limit: Annotated[SpecValue | None, Dim("[ramp_rate]", "0 MW/min", open_low=True, what="a ramp limit",
                                                why="a positive rate, e.g. '10 MW/min'")] = None
    # The design peak (facility power, grid peak, plant sizing) is taken at the n-year return-period
    # extreme dry-bulb and the extreme wet-bulb; see RETURN_PERIOD_SOURCE for the default.
    design_return_period: int = 20
    # Site services (offices, generator block heaters, controls, water treatment): a support id
    # from specs/support.toml, or none.
    support: str | None = "campus"
    phases: list[Phase] = Field(default_factory=list)

    @field_validator("design_return_period", mode="before")
    @classmethod
    def _return_period(cls, v):
        years = _years(v)
        if years not in RETURN_PERIODS:
            raise ValueError(f"design_return_period {v!r}: use one of {', '.join(map(str, RETURN_PERIODS))} "
                             "(years; ASHRAE publishes extreme dry-bulbs for these)")
        return years

    @field_validator("support")
    @classmethod
    def _no_support(cls, v):
        return None if v is None or v.strip().lower() in ("", "none") else v


def _years(v) -> int | None:
    """A return period as a whole number of years: 20, "20", 20.0 (a swept step) or "20 years"."""
    if isinstance(v, bool):
        return None
    if isinstance(v, str):
        try:
            text = v.strip()
            v = float(text) if text.replace(".", "", 1).isdigit() else \
                round(float(parse_quantity(text, "[time]", "design_return_period").to("year").magnitude), 6)
        except (InputError, ValueError):
            return None
    if isinstance(v, (int, float)) and math.isfinite(v) and float(v).is_integer():
        return int(v)
    return None


# Scenario fields that name a spec: "--set cooling.approach=3K" overrides a field of that spec.
SPEC_FIELDS = {"accelerator": "accelerator", "server": "server", "site": "site",
               "grid": "grid", "cooling": "cooling", "workload": "workload", "support": "support"}


def scenario_dir() -> Path:
    return builtin_dir() / "scenarios"


def scenario_ids(extra_dirs=()) -> list[str]:
    dirs = [scenario_dir()] + [Path(d) / "scenarios" for d in extra_dirs]
    return sorted({p.stem for d in dirs if d.is_dir() for p in d.glob("*.toml")})


def is_scenario_id(text: str) -> bool:
    """Whether ``text`` names a scenario by id: a bare name, without a folder separator or an
    extension. Anything else (``my.toml``, ``./memphis``, ``runs/a``) is a file path."""
    return not any(sep in text for sep in ("/", "\\", os.sep)) and not Path(text).suffix


def scenario_path(name: str, extra_dirs=()) -> Path:
    """The file of scenario id ``name``: the last ``--specs`` folder's that has one, else the built-in."""
    if not name or not is_scenario_id(name):
        raise InputError(f"'{name}' is not a scenario id (ids have no folder or extension); "
                         f"use one of: {', '.join(scenario_ids(extra_dirs))}")
    for d in [Path(x) / "scenarios" for x in reversed(list(extra_dirs))] + [scenario_dir()]:
        p = d / f"{name}.toml"
        if p.is_file():
            return p
    hint = suggest(name, scenario_ids(extra_dirs))
    if Path(name).exists():
        hint += f" (to read the file '{name}' in this folder, write ./{name})"
    raise InputError(f"unknown scenario '{name}'; {hint}")


def load_scenario(name_or_path: str | Path = "memphis", specs_dirs=()) -> Scenario:
    """A scenario by id or from a TOML file.

    A bare name (``"memphis"``: no folder separator, no extension) is always a scenario id,
    built-in or from a ``--specs`` folder, even if a file of that name is in the current
    folder; a path (``"my.toml"``, ``"./runs/a"``, or a :class:`~pathlib.Path`) is a file.
    A relative ``weather`` path in the file is read relative to the file's folder; a
    scenario of a specs folder may not point outside that folder.

    A file may say ``extends = "memphis"`` (an id, or a path relative to the file) and give
    only what differs: tables merge key by key, a value given replaces the base's whole.
    """
    path, data = scenario_data(name_or_path, specs_dirs)
    try:
        return Scenario.model_validate(data)
    except ValidationError:
        # validated like a fresh parse; a cache entry that fails is not fatal: the files decide
        path, data = scenario_data(name_or_path, specs_dirs, cached=False)
        try:
            return Scenario.model_validate(data)
        except ValidationError as exc:
            raise SpecError(format_validation_error(exc, f"{path}: scenario", Scenario)) from None


MAX_EXTENDS = 8  # depth of an extends chain; deeper is a loop or a mistake


def scenario_data(name_or_path, specs_dirs=(), seen: tuple = (), cached: bool = True) -> tuple[Path, dict]:
    """``(path, data)`` of a scenario file, its ``extends`` chain merged in, paths made absolute."""
    text = str(name_or_path)
    by_id = not isinstance(name_or_path, Path) and is_scenario_id(text)
    path = scenario_path(text, specs_dirs) if by_id else Path(text)
    data = dict(read_toml(path, "a scenario TOML file", cached=cached))
    if isinstance(data.get("weather"), str) and data["weather"].strip():
        data["weather"] = str(_weather_beside(data["weather"], path, by_id))
    parent = data.pop("extends", None)
    if parent is None:
        return path, data
    if not isinstance(parent, str) or not parent.strip():
        raise SpecError(f"{path}: extends must name a scenario id (memphis) or a .toml file")
    here = path.resolve()
    if here in seen or len(seen) >= MAX_EXTENDS:
        raise SpecError(f"{path}: extends '{parent}' loops back or goes deeper than {MAX_EXTENDS} files; "
                        "point it at a complete scenario")
    ref = parent if is_scenario_id(parent) else path.parent / parent
    _, base = scenario_data(ref, specs_dirs, (*seen, here), cached)
    for key in ("id", "name", "description"):
        base.pop(key, None)  # the base's labels describe the base, not this file
    merged = merge_data(base, data)
    merged.setdefault("id", path.stem)
    merged.setdefault("name", f"{path.stem} (extends {parent})")
    return path, merged


def merge_data(base: dict, change: dict) -> dict:
    """``base`` with ``change`` laid over it: tables merge key by key; a sourced value
    (a table holding ``value``) or any other value replaces the base's whole."""
    out = dict(base)
    for key, value in change.items():
        old = out.get(key)
        if isinstance(value, dict) and isinstance(old, dict) and "value" not in value and "value" not in old:
            out[key] = merge_data(old, value)
        else:
            out[key] = value
    return out


# What a scenario field names, for the template ``dcpower scenario new`` writes.
ID_FIELDS = {"accelerator": "accelerator", "server": "server", "site": "site", "grid": "grid", "cooling": "cooling",
             "workload": "workload",
             "compute_fabric": "fabric", "frontend_fabric": "fabric", "management_fabric": "fabric",
             "system": "storage", "transformer": "electrical", "ups": "electrical", "distribution": "electrical",
             "mv_distribution": "electrical", "hv_transformer": "electrical",
             "turbine": "turbine", "battery": "battery", "support": "support"}
# The kind of electrical spec each electrical field takes (a transformer is not a UPS).
ELECTRICAL_KINDS = {"transformer": "transformer", "ups": "ups", "distribution": "distribution",
                    "mv_distribution": "distribution", "hv_transformer": "transformer"}


SIZING_IDS = {"ups_module": "ups_module", "transformer": "power_transformer",
              "substation_transformer": "power_transformer", "generator": "generator",
              "tower_cell": "heat_rejection_unit", "dry_cooler": "heat_rejection_unit", "cdu": "cdu",
              "chiller": "chiller_unit", "air_cooled_chiller": "chiller_unit", "layout": "layout", "liquid_class": "liquid_class", "swing": "swing"}

# Words and an example for fields the template cannot describe from their declared range.
FIELD_HELP = {
    "gpus": ("accelerators in the cluster, a whole number from 1 to 10,000,000", 100000),
    "gpus_per_server": ("custom node: accelerators per server, with host_power", 8),
    "host_power": ("custom node: everything in a server but the accelerators", "2.5 kW"),
    "gpus_per_rack": ("accelerators per rack (default: the server's)", 64),
    "rack_power_limit": ("the most one rack may draw", "140 kW"),
    "weather": ("an EnergyPlus .epw file, relative to this file (default: the site's typical year)",
                "weather/my-station.epw"),
    "pue": ("a fixed PUE from 1 to 4, instead of the plant physics", 1.2),
    "ramp_limit": ("the fastest change in grid draw the utility accepts", "10 MW/min"),
    "design_return_period": ("return period in years of the extreme dry-bulb the design peak is taken at: "
                             f"5, 10, 20 or 50; the default 20 follows the {RETURN_PERIOD_SOURCE}", 20),
    "support": ('site services (offices, generator block heaters, controls): a support id, or "none"', "campus"),
    "mv_distribution": ('medium-voltage switchgear and cabling: a distribution id, or "none"', "mv-distribution"),
    "hv_transformer": ('the HV/MV substation transformer: a transformer id, or "none"', "hv-substation-transformer"),
    "grid_limit": ("the power the grid may supply (allocation)", "150 MW"),
    "turbines": ("number of on-site turbines", 0), "batteries": ("number of battery units", 0),
    "ups_efficiency": ("override of the UPS's efficiency", 0.96),
    "transformer_efficiency": ("override of the transformer's efficiency", 0.99),
    "distribution_efficiency": ("override of the distribution's efficiency", 0.995),
}
for _f in ("electrical_redundancy", "generator_redundancy", "cooling_redundancy", "substation_redundancy"):
    FIELD_HELP[_f] = ("redundancy scheme: N, N+1, 2N, 2(N+1) or xN/y such as 4N/3", "N+1")
FIELD_HELP["generator_rating"] = ("ISO 8528-1 rating used: standby, prime or continuous", "prime")


def scenario_template(base: str = "memphis", name: str = "my-scenario", specs_dirs=()) -> str:
    """A scenario file that extends ``base``: every field commented out with the base's value,
    its unit or range, and its source; uncomment what differs."""
    scen = load_scenario(base, specs_dirs)
    lines = [f"# {name}: a scenario built on '{base}'. Every field below is commented out and shows",
             f"# {base}'s value, its allowed range or catalog, and its source. Uncomment and change",
             "# only what differs; everything left commented is taken from the base.",
             f"# Run it: dcpower estimate --scenario {name}.toml",
             "", f"extends = {_toml(base)}", f"name = {_toml(name)}", ""]
    tables = []
    for field, info in Scenario.model_fields.items():
        if field in ("id", "name", "description", "phases"):
            continue
        value = getattr(scen, field)
        if isinstance(value, BaseModel) and not isinstance(value, SpecValue):
            tables.append((field, value))
        else:
            lines += _template_field(Scenario, field, value)
    for field, part in tables:
        lines += ["", f"# [{field}]"]
        for sub in type(part).model_fields:
            lines += _template_field(type(part), sub, getattr(part, sub))
    return "\n".join(lines) + "\n"


def _template_field(model, field: str, value) -> list[str]:
    dim = field_dim(model, field)
    words, example = FIELD_HELP.get(field, (None, None))
    notes = [words] if words else []
    if dim is not None:
        notes.append(f"{dim.what or 'range'}: {dim.range_text()}")
    elif field in (SIZING_IDS if model is SizingChoice else ID_FIELDS):
        category = (SIZING_IDS if model is SizingChoice else ID_FIELDS)[field]
        notes.append(f"{category} id: see dcpower specs list {category}")
    if isinstance(value, SpecValue):
        shown = _toml(value.value)
        notes.append(f"source: {value.citation()}")
    elif value is None:
        shown = _toml(example if example is not None else "")
        notes.append("not set in the base")
    else:
        shown = _toml(value)
    return [f"# {field} = {shown}", *(f"#     {n}" for n in notes)]


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _weather_beside(weather: str, path: Path, in_specs: bool) -> Path:
    """A scenario's weather path, relative to the scenario file; inside its specs folder when it has one."""
    if in_specs:  # path is FOLDER/scenarios/NAME.toml
        folder = path.parent.parent
        inside = Path(os.path.relpath(path.parent / weather, folder)) if not Path(weather).is_absolute() \
            else Path(weather)
        return data_path(folder, str(inside), f"{path}: weather '{weather}'")
    return path.parent / weather


def parse_setting(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise InputError(f"--set '{text}': write KEY=VALUE, e.g. --set electrical.ups_efficiency=0.97")
    return key.strip(), value.strip()


def scenario_keys() -> list[str]:
    keys = []
    for name, field in Scenario.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel) and ann is not SpecValue:
            keys += [f"{name}.{sub}" for sub in ann.model_fields]
        else:
            keys.append(name)
    return keys


def apply_settings(scenario: Scenario, settings: dict[str, Any]) -> tuple[Scenario, dict[str, dict[str, Any]]]:
    """Apply ``--set`` style settings.

    Returns the updated scenario and spec overrides ``{category: {field: value}}`` for keys
    like ``cooling.cycles_of_concentration`` that address a field of the spec the scenario
    selects.
    """
    data = scenario.model_dump(exclude_none=False)
    spec_overrides: dict[str, dict[str, Any]] = {}
    valid = scenario_keys()
    for key, value in settings.items():
        head, _, rest = key.partition(".")
        if head in SPEC_FIELDS and rest:
            spec_overrides.setdefault(SPEC_FIELDS[head], {})[rest] = value
            continue
        if key not in valid:
            raise InputError(f"unknown --set key '{key}'; {suggest(key, valid)}")
        if rest:
            data[head] = dict(data.get(head) or {})
            data[head][rest] = value
        else:
            data[head] = value
    try:
        return Scenario.model_validate(data), spec_overrides
    except ValidationError as exc:
        raise InputError(format_validation_error(exc, "scenario", Scenario)) from None
