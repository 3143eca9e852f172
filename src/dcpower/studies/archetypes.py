"""Validation against the published typical annual PUE and WUE of each cooling archetype.

The shipped data set (``specs/validation/archetypes.toml``) holds, for each archetype of
``specs/cooling.toml``, the published annual PUE and site WUE of the matching design in a
U.S. climate zone, with its published spread. For each case this module runs the archetype
through the model chain on the hourly typical year of a station in that zone (with the
station's ASHRAE design conditions) and sets dcpower's annual PUE and WUE beside the
published values. An air hall runs the campus comparison's load (``[load]`` of
``specs/validation/campuses.toml``); a liquid or immersion hall runs the default scenario's
servers, with the server that fits the hall.

Nothing is fitted: the comparison is reported, and no constant of dcpower is tuned to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from dcpower.catalog.loader import builtin_dir, data_path, describe_error, load_catalog, read_toml
from dcpower.catalog.models import SpecValue
from dcpower.chain.estimate import estimate_resolved
from dcpower.chain.resolve import resolve
from dcpower.errors import DcpowerError, InputError
from dcpower.report import Report, Table
from dcpower.studies.campuses import (CampusLoad, Compared, ReportedPue, ReportedWue, StrictData, load_campuses,
                                      number)

__all__ = ["validate_archetypes", "ArchetypeValidation", "ArchetypeResult", "ArchetypeFile", "archetype_file",
           "load_archetypes", "LIQUID_SCENARIO"]

# The scenario whose servers a liquid or immersion hall runs: the default one.
LIQUID_SCENARIO = "memphis"


def archetype_file() -> Path:
    return builtin_dir() / "validation" / "archetypes.toml"


# ---------------------------------------------------------------- the data file

_Strict = StrictData


class ArchetypeCase(_Strict):
    """One archetype in one climate zone: the published design it stands for and its values."""

    id: str
    archetype: str            # a specs/cooling.toml id
    design: str               # the source's name of the design
    weather: str              # compact weather file, relative to the specs folder
    station: str
    climate_zone: SpecValue
    pue: ReportedPue
    wue: ReportedWue = None
    note: str | None = None


class ArchetypeFile(_Strict):
    case: list[ArchetypeCase]


def load_archetypes(path=None) -> ArchetypeFile:
    """Read and check an archetype TOML file (the shipped one by default); one-line error when malformed."""
    file = Path(path) if path is not None else archetype_file()
    data = read_toml(file, "an archetype validation TOML file")
    try:
        return ArchetypeFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = list(err["loc"])
        if len(loc) >= 2 and loc[0] == "case" and isinstance(loc[1], int):
            entry = (data.get("case") or [{}])[loc[1]]
            loc[:2] = [f"case '{entry.get('id', loc[1]) if isinstance(entry, dict) else loc[1]}'"]
        where = ".".join(str(x) for x in loc)
        raise InputError(f"{file}: {where}: {describe_error(err)}; see specs/validation/archetypes.toml for the format") \
            from None


# ---------------------------------------------------------------- results

def _magnitude(spec: SpecValue | None, unit: str, key: str = "value") -> float | None:
    """A SpecValue's value (or low/high) in ``unit``, or None."""
    if spec is None or getattr(spec, key) is None:
        return None
    q = {"value": spec.quantity, "low": spec.low_quantity, "high": spec.high_quantity}[key]
    return float(q.to(unit).magnitude)


@dataclass
class ArchetypeResult(Compared):
    """One case: the published annual PUE and site WUE (L/kWh) with their spread, and dcpower's."""

    id: str
    archetype: str
    design: str
    station: str
    climate_zone: str
    hall: str = ""
    pue_published: float = 0.0
    pue_range: tuple[float, float] | None = None
    wue_published: float | None = None
    wue_range: tuple[float, float] | None = None
    pue: float | None = None
    wue: float | None = None
    source: str = ""
    failure: str | None = None

    def to_dict(self) -> dict:
        r = (lambda v: None if v is None else round(v, 4))
        rng = (lambda t: None if t is None else [t[0], t[1]])
        return {"id": self.id, "archetype": self.archetype, "design": self.design, "station": self.station,
                "climate_zone": self.climate_zone, "hall": self.hall,
                "pue_published": self.pue_published, "pue_published_range": rng(self.pue_range),
                "pue": r(self.pue), "pue_difference": r(self.pue_difference), "wue_unit": "L/kWh",
                "wue_published": self.wue_published, "wue_published_range": rng(self.wue_range),
                "wue": r(self.wue), "wue_difference": r(self.wue_difference), "source": self.source,
                "failure": self.failure}


@dataclass
class ArchetypeValidation:
    """Every case of an archetype data set, with dcpower's numbers."""

    cases: list[ArchetypeResult]
    air_load: CampusLoad
    source: str

    @property
    def failures(self) -> list[ArchetypeResult]:
        return [c for c in self.cases if c.failure]

    def to_dict(self) -> dict:
        return {"cases": [c.to_dict() for c in self.cases], "data": self.source,
                "air_hall_load": {"gpus": self.air_load.gpus, "accelerator": self.air_load.accelerator,
                                  "server": self.air_load.server, "workload": self.air_load.workload,
                                  "utilization": self.air_load.utilization.value},
                "liquid_hall_scenario": LIQUID_SCENARIO}

    def report(self) -> Report:
        rows = [[c.archetype, f"{re.split(r' [(]|,', c.station)[0]} ({c.climate_zone})", c.hall,
                 _published(c.pue_published, c.pue_range), number(c.pue), number(c.pue_difference, signed=True),
                 _published(c.wue_published, c.wue_range), number(c.wue), number(c.wue_difference, signed=True)]
                for c in self.cases if not c.failure]
        table = Table(["archetype", "weather station (climate zone)", "hall", "PUE published (P5-P95)",
                       "PUE dcpower", "PUE diff", "WUE published (P5-P95)", "WUE dcpower", "WUE diff"],
                      rows, caption=self._caption())
        tables = [table]
        if self.failures:
            tables.append(Table(["case", "status", "why"], [[c.id, "FAILED", c.failure] for c in self.failures]))
        return Report(f"dcpower validate --archetypes: {len(self.cases)} published typical values ({self.source})",
                      tables, data=self.to_dict(), csv=table)

    def _caption(self) -> str:
        load = self.air_load
        return (f"published: median of simulated facilities in the station's climate zone, with the 5th-95th "
                f"percentile; dcpower: an air hall runs {load.gpus:,} {load.accelerator} in {load.server} servers, "
                f"{load.workload}, utilization {load.utilization.value:g}; a liquid or immersion hall runs the "
                f"'{LIQUID_SCENARIO}' scenario's servers; WUE is site water in L/kWh of IT energy; "
                "diff = dcpower - published")


def _published(value: float | None, rng) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if rng is None else f"{value:.2f} ({rng[0]:.2f}-{rng[1]:.2f})"


# ---------------------------------------------------------------- running the cases

def validate_archetypes(path=None, *, specs_dirs=(), settings: dict | None = None,
                        progress=None) -> ArchetypeValidation:
    """Run every case of an archetype data set (the shipped one by default).

    Parameters
    ----------
    path : path, optional
        A TOML file of ``[[case]]`` tables (see ``specs/validation/archetypes.toml``). Its weather
        paths are read relative to the file's folder; the shipped file's, relative to the specs folder.
    settings : mapping, optional
        ``--set`` style overrides applied to every run (``{"electrical.ups_efficiency": 0.97}``).
    progress : callable, optional
        ``progress(done, total)`` after each case.
    """
    file = Path(path) if path is not None else archetype_file()
    data = load_archetypes(file)
    catalog = load_catalog(specs_dirs)
    air_load = load_campuses().load
    folder = builtin_dir() if path is None else file.resolve().parent
    results = []
    for i, case in enumerate(data.case):
        results.append(_run_case(case, air_load, folder, catalog, specs_dirs, settings))
        if progress:
            progress(i + 1, len(data.case))
    shown = str(file) if path is not None else "specs/validation/archetypes.toml"
    return ArchetypeValidation(results, air_load, shown)


def _run_case(case: ArchetypeCase, air_load: CampusLoad, folder: Path, catalog, specs_dirs,
              settings) -> ArchetypeResult:
    res = ArchetypeResult(
        id=case.id, archetype=case.archetype, design=case.design, station=case.station,
        climate_zone=str(case.climate_zone.value), source=case.pue.citation(),
        pue_published=_magnitude(case.pue, "dimensionless"),
        pue_range=_range(case.pue, "dimensionless"),
        wue_published=_magnitude(case.wue, "L/kWh"), wue_range=_range(case.wue, "L/kWh"))
    try:
        if case.archetype not in catalog.ids("cooling"):
            raise InputError(f"'{case.archetype}' is not a cooling archetype of the catalog")
        res.hall = catalog.get("cooling", case.archetype).hall
        weather = data_path(folder, case.weather, f"case '{case.id}': weather")
        res.pue, res.wue = _annual(case.archetype, res.hall, weather, air_load, catalog, specs_dirs, settings)
    except (DcpowerError, ValueError) as exc:
        res.failure = f"cannot be run: {str(exc).splitlines()[0]}"
    return res


def _range(spec: SpecValue | None, unit: str) -> tuple[float, float] | None:
    low, high = _magnitude(spec, unit, "low"), _magnitude(spec, unit, "high")
    return None if low is None or high is None else (low, high)


def _annual(cooling: str, hall: str, weather: Path, air_load: CampusLoad, catalog, specs_dirs,
            settings) -> tuple[float, float]:
    """dcpower's annual PUE and site WUE [L/kWh] of ``cooling`` on ``weather``, with the hall's load."""
    from dcpower.catalog.scenario import load_scenario

    if hall == "air":
        base = load_scenario(LIQUID_SCENARIO, specs_dirs)
        scenario = base.model_copy(update={
            "id": "custom", "name": f"archetype comparison, {cooling}", "gpus": air_load.gpus,
            "accelerator": air_load.accelerator, "server": air_load.server, "workload": air_load.workload,
            "utilization": air_load.utilization, "cooling": cooling, "weather": str(weather), "pue": None})
        r = resolve(scenario, specs_dirs=specs_dirs, catalog=catalog, settings=settings)
    else:
        # naming the cooling without a server lets the server follow the hall
        r = resolve(LIQUID_SCENARIO, specs_dirs=specs_dirs, catalog=catalog, settings=settings,
                    cooling=cooling, weather=str(weather))
    est = estimate_resolved(r, sizing=False)
    return float(est.pue.to("dimensionless").magnitude), float(est.wue.to("L/kWh").magnitude)
