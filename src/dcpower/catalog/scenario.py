"""Scenarios: a whole facility, referring to catalog specs by id.

A scenario file is TOML with the fields of :class:`Scenario`; ``dcpower scenario show
memphis`` prints the built-in default to copy and edit. Numbers may be given bare
(``utilization = 0.8``: recorded as user input) or as sourced values
(``utilization = { value = 0.8, source = "...", year = 2025 }``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dcpower.catalog.loader import builtin_dir, data_path, format_validation_error, read_toml, suggest
from dcpower.errors import InputError, SpecError
from dcpower.catalog.models import Dim, SpecValue, check_dimensions

__all__ = ["Scenario", "load_scenario", "scenario_ids", "apply_settings", "SPEC_FIELDS"]


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

    @model_validator(mode="after")
    def _check_dimensions(self):
        return check_dimensions(self)


class Network(_Part):
    """Fabrics by id: the compute (GPU) fabric, front-end and management networks."""

    compute_fabric: str
    frontend_fabric: str | None = None
    management_fabric: str | None = None


class StorageChoice(_Part):
    """Shared storage sized from the read bandwidth the GPUs need."""

    system: str | None = None
    read_bandwidth_per_gpu: Annotated[SpecValue | None, Dim("[bandwidth]")] = None


class ElectricalChoice(_Part):
    """The power chain by component id, plus overrides and facility support loads."""

    transformer: str
    ups: str
    distribution: str
    ups_efficiency: Annotated[SpecValue | None, Dim("[dimensionless]")] = None
    transformer_efficiency: Annotated[SpecValue | None, Dim("[dimensionless]")] = None
    distribution_efficiency: Annotated[SpecValue | None, Dim("[dimensionless]")] = None
    design_loading: Annotated[SpecValue, Dim("[dimensionless]")]
    power_factor: Annotated[SpecValue, Dim("[dimensionless]")]
    lighting_power_density: Annotated[SpecValue, Dim("[power_per_area]")]
    rack_footprint: Annotated[SpecValue, Dim("[area]")]


class Onsite(_Part):
    """Grid allocation and on-site generation and storage."""

    grid_limit: Annotated[SpecValue | None, Dim("[power]")] = None
    turbine: str | None = None
    turbines: int = Field(default=0, ge=0)
    battery: str | None = None
    batteries: int = Field(default=0, ge=0)


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
    gpus: int = Field(gt=0)
    accelerator: str
    server: str | None = None
    grid_limit: Annotated[SpecValue | None, Dim("[power]")] = None
    turbines: int = Field(default=0, ge=0)
    batteries: int = Field(default=0, ge=0)


class Scenario(_Part):
    """A whole facility: what is built, where, cooled how, fed from where."""

    id: str = "custom"
    name: str = "custom scenario"
    description: str | None = None
    gpus: int = Field(gt=0)
    accelerator: str
    server: str | None = None
    gpus_per_server: int | None = Field(default=None, gt=0)
    host_power: Annotated[SpecValue | None, Dim("[power]")] = None
    utilization: Annotated[SpecValue, Dim("[dimensionless]")]
    gpus_per_rack: int | None = Field(default=None, gt=0)
    rack_power_limit: Annotated[SpecValue | None, Dim("[power]")] = None
    site: str
    weather: str | None = None
    grid: str | None = None
    cooling: str
    pue: float | None = Field(default=None, ge=1.0)
    network: Network
    storage: StorageChoice = Field(default_factory=StorageChoice)
    electrical: ElectricalChoice
    onsite: Onsite = Field(default_factory=Onsite)
    sizing: SizingChoice = Field(default_factory=SizingChoice)
    ramp_limit: Annotated[SpecValue | None, Dim("[ramp_rate]")] = None
    phases: list[Phase] = Field(default_factory=list)

    @field_validator("gpus", mode="before")
    @classmethod
    def _integer_gpus(cls, v):
        if isinstance(v, float) and not v.is_integer():
            raise ValueError(f"GPU count must be a whole number, got {v}")
        if isinstance(v, str):
            try:
                f = float(v.replace("_", ""))
            except ValueError:
                raise ValueError(f"GPU count must be a whole number, got '{v}'") from None
            if not f.is_integer():
                raise ValueError(f"GPU count must be a whole number, got '{v}'")
            return int(f)
        return v

    @model_validator(mode="after")
    def _utilization_range(self):
        u = self.utilization.quantity.magnitude
        if not 0 < u <= 1:
            raise ValueError(f"utilization must be in (0, 1], got {u:g}; it is average power "
                             "as a fraction of maximum, e.g. 0.8")
        return self


# Scenario fields that name a spec: "--set cooling.approach=3K" overrides a field of that spec.
SPEC_FIELDS = {"accelerator": "accelerator", "server": "server", "site": "site",
               "grid": "grid", "cooling": "cooling"}


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
    """
    text = str(name_or_path)
    by_id = not isinstance(name_or_path, Path) and is_scenario_id(text)
    path = scenario_path(text, specs_dirs) if by_id else Path(text)
    try:
        scen = Scenario.model_validate(read_toml(path, "a scenario TOML file"))
    except ValidationError:
        # validated like a fresh parse; a cache entry that fails is not fatal: the file decides
        try:
            scen = Scenario.model_validate(read_toml(path, "a scenario TOML file", cached=False))
        except ValidationError as exc:
            raise SpecError(format_validation_error(exc, f"{path}: scenario")) from None
    if scen.weather:
        scen = scen.model_copy(update={"weather": str(_weather_beside(scen.weather, path, by_id))})
    return scen


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
        raise InputError(format_validation_error(exc, "scenario")) from None
