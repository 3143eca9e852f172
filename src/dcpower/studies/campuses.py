"""Validation against operator-reported campuses: dcpower's annual PUE and WUE beside the published ones.

The shipped data set (``specs/validation/campuses.toml``) holds the annual PUE, and the site
WUE where the operator publishes it, of hyperscale campuses or cloud regions in different
climates, with the cooling design each operator describes. For each campus this module runs
one stated design (the file's ``[load]``: an air-cooled server hall at moderate utilization)
with the campus's cooling archetype through the model chain, on the hourly typical year of a
weather station that stands for the campus (with that station's ASHRAE design conditions), and
sets dcpower's annual PUE and WUE beside the published values. It also runs each archetype
that operators publish fleet-wide values for at every campus station, to show the range
dcpower gives across those climates.

Nothing is fitted: the comparison is reported, and no constant of dcpower is tuned to it.

A campus whose intended archetype is not (yet) in the catalog runs with its ``fallback``
archetype; :func:`archetype_for` is the one place that choice is made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from dcpower.catalog.bounds import Dim
from dcpower.catalog.loader import builtin_dir, data_path, describe_error, load_catalog, read_toml
from dcpower.catalog.models import SpecValue, check_field
from dcpower.catalog.scenario import MAX_PUE, GpuCount
from dcpower.chain.estimate import estimate_resolved
from dcpower.chain.resolve import resolve
from dcpower.errors import DcpowerError, InputError
from dcpower.report import Report, Table

__all__ = ["validate_campuses", "CampusValidation", "CampusResult", "TypicalResult", "CampusFile",
           "campus_file", "load_campuses", "archetype_for", "Compared", "number", "StrictData", "ReportedPue",
           "ReportedWue"]


def campus_file() -> Path:
    return builtin_dir() / "validation" / "campuses.toml"


# ---------------------------------------------------------------- the data file

class StrictData(BaseModel):
    """A validation data table: no unknown keys, and each value in its declared range and dimension."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _in_range(cls, v, info):
        return check_field(cls, info.field_name, v)


_Strict = StrictData
# What operators publish: PUE (facility over IT energy, so at least 1) and site WUE.
ReportedPue = Annotated[SpecValue, Dim("[dimensionless]", 1, MAX_PUE, what="a reported PUE",
                                       why="PUE is facility energy over IT energy, at least 1")]
ReportedWue = Annotated[SpecValue | None, Dim("[water_intensity]", "0 L/kWh", "20 L/kWh", what="a reported WUE",
                                              why="site water per IT energy, e.g. '0.18 L/kWh'")]


class CampusLoad(_Strict):
    """What dcpower runs at every campus: the IT hall and how busy it is."""

    gpus: GpuCount
    accelerator: str
    server: str
    workload: str
    it_note: str
    utilization: Annotated[SpecValue, Dim("[dimensionless]", 0, 1, open_low=True, what="a utilization",
                                          why="average power as a fraction of maximum, e.g. 0.8")]


class Campus(_Strict):
    """One operator-reported campus or region: where, how cooled, what was published."""

    id: str
    name: str
    operator: str
    location: str
    climate: str
    archetype: SpecValue      # value: the intended cooling archetype id, with the source that says so
    fallback: str             # the archetype used while the intended one is not in the catalog
    weather: str              # compact weather file, relative to the specs folder
    station: str
    station_distance: Annotated[SpecValue, Dim("[length]", "0 km", what="a distance")]
    pue: ReportedPue
    wue: ReportedWue = None
    note: str | None = None


class Typical(_Strict):
    """A published fleet-wide value of an operator whose fleet is mostly one archetype."""

    id: str
    name: str
    archetype: str
    pue: ReportedPue
    wue: ReportedWue = None
    note: str | None = None


class CampusFile(_Strict):
    load: CampusLoad
    campus: list[Campus]
    typical: list[Typical] = []


def load_campuses(path=None) -> CampusFile:
    """Read and check a campus TOML file (the shipped one by default); one-line error when malformed."""
    file = Path(path) if path is not None else campus_file()
    data = read_toml(file, "a campus validation TOML file")
    try:
        return CampusFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = list(err["loc"])
        if len(loc) >= 2 and loc[0] in ("campus", "typical") and isinstance(loc[1], int):
            entry = (data.get(loc[0]) or [{}])[loc[1]]
            loc[:2] = [f"{loc[0]} '{entry.get('id', loc[1]) if isinstance(entry, dict) else loc[1]}'"]
        where = ".".join(str(x) for x in loc)
        raise InputError(f"{file}: {where}: {describe_error(err)}; see specs/validation/campuses.toml for the format") \
            from None


def archetype_for(intended: str, fallback: str, cooling_ids) -> str:
    """The cooling archetype a campus runs with: the intended one once the catalog has it, else the fallback."""
    return intended if intended in cooling_ids else fallback


# ---------------------------------------------------------------- results

class Compared:
    """dcpower's annual PUE and site WUE against published ones: ``dcpower - published``, or None
    where either is missing. For results that have ``pue``, ``pue_published``, ``wue`` and
    ``wue_published``."""

    @property
    def pue_difference(self) -> float | None:
        return None if self.pue is None else self.pue - self.pue_published

    @property
    def wue_difference(self) -> float | None:
        return None if self.wue is None or self.wue_published is None else self.wue - self.wue_published


def number(x, signed: bool = False) -> str:
    """A PUE or WUE for a table: two decimals, signed for a difference, blank when missing."""
    if x is None:
        return ""
    return f"{x:+.2f}" if signed else f"{x:.2f}"


@dataclass
class CampusResult(Compared):
    """One campus: published and dcpower's annual PUE and site WUE (L/kWh)."""

    id: str
    name: str
    operator: str
    climate: str
    station: str
    station_distance_km: float
    archetype: str
    used: str
    pue_published: float
    wue_published: float | None = None
    pue: float | None = None
    wue: float | None = None
    source: str = ""
    failure: str | None = None

    def to_dict(self) -> dict:
        r = (lambda v: None if v is None else round(v, 4))
        return {"id": self.id, "name": self.name, "operator": self.operator, "climate": self.climate,
                "station": self.station, "station_distance_km": self.station_distance_km,
                "archetype": self.archetype, "archetype_used": self.used,
                "pue_published": self.pue_published, "pue": r(self.pue), "pue_difference": r(self.pue_difference),
                "wue_unit": "L/kWh", "wue_published": self.wue_published, "wue": r(self.wue),
                "wue_difference": r(self.wue_difference), "source": self.source, "failure": self.failure}


@dataclass
class TypicalResult:
    """A published fleet value beside dcpower's range for its archetype over the campus stations."""

    id: str
    name: str
    archetype: str
    used: str
    pue_published: float
    wue_published: float | None
    pue_range: tuple[float, float] | None = None
    wue_range: tuple[float, float] | None = None

    def to_dict(self) -> dict:
        rng = (lambda t: None if t is None else [round(t[0], 4), round(t[1], 4)])
        return {"id": self.id, "name": self.name, "archetype": self.archetype, "archetype_used": self.used,
                "pue_published": self.pue_published, "pue_range": rng(self.pue_range),
                "wue_published": self.wue_published, "wue_range": rng(self.wue_range), "wue_unit": "L/kWh"}


@dataclass
class CampusValidation:
    """Every campus and every published fleet value, with dcpower's numbers."""

    campuses: list[CampusResult]
    typical: list[TypicalResult]
    load: CampusLoad
    source: str
    substitutions: dict[str, str] = field(default_factory=dict)

    @property
    def failures(self) -> list[CampusResult]:
        return [c for c in self.campuses if c.failure]

    def to_dict(self) -> dict:
        return {"campuses": [c.to_dict() for c in self.campuses], "typical": [t.to_dict() for t in self.typical],
                "load": {"gpus": self.load.gpus, "accelerator": self.load.accelerator, "server": self.load.server,
                         "workload": self.load.workload, "utilization": self.load.utilization.value},
                "archetype_fallbacks": self.substitutions, "data": self.source}

    def report(self) -> Report:
        rows = [[c.name, c.climate.split(" (")[0], _station(c), _used(c.archetype, c.used),
                 f"{c.pue_published:.2f}", number(c.pue), number(c.pue_difference, signed=True),
                 number(c.wue_published), number(c.wue), number(c.wue_difference, signed=True)]
                for c in self.campuses if not c.failure]
        table = Table(["campus", "climate", "weather station", "archetype", "PUE published", "PUE dcpower",
                       "PUE diff", "WUE published", "WUE dcpower", "WUE diff"], rows, caption=self._caption())
        typical = Table(["published fleet value", "archetype", "PUE published", "PUE dcpower (campus climates)",
                         "WUE published", "WUE dcpower (campus climates)"],
                        [[t.name, _used(t.archetype, t.used), f"{t.pue_published:.2f}", _range(t.pue_range),
                          number(t.wue_published), _range(t.wue_range)] for t in self.typical])
        tables = [table, typical]
        if self.failures:
            tables.append(Table(["campus", "status", "why"], [[c.name, "FAILED", c.failure] for c in self.failures]))
        return Report(f"dcpower validate --campuses: {len(self.campuses)} operator-reported campuses ({self.source})",
                      tables, data=self.to_dict(), csv=table)

    def _caption(self) -> str:
        u = self.load.utilization.value
        text = (f"dcpower runs {self.load.gpus:,} {self.load.accelerator} in air-cooled {self.load.server} "
                f"servers, {self.load.workload}, utilization {u:g}, on each station's typical year; "
                "WUE is site water in L/kWh of IT energy; diff = dcpower - published")
        for intended, used in sorted(self.substitutions.items()):
            text += f"; '{intended}' is not in the catalog yet: runs as '{used}' (marked *)"
        return text


def _station(c: CampusResult) -> str:
    """``Stockholm Arlanda airport (100 km)``: the station's short name and its distance from the campus."""
    return f"{re.split(r' [(]|,', c.station)[0]} ({c.station_distance_km:g} km)"


def _used(intended: str, used: str) -> str:
    return intended if intended == used else f"{intended} -> {used}*"


def _range(t) -> str:
    return "" if t is None else f"{t[0]:.2f}-{t[1]:.2f}"


# ---------------------------------------------------------------- running the campuses

def validate_campuses(path=None, *, specs_dirs=(), settings: dict | None = None, progress=None) -> CampusValidation:
    """Run every campus of a campus data set (the shipped one by default) and every published fleet value.

    Parameters
    ----------
    path : path, optional
        A TOML file of ``[load]``, ``[[campus]]`` and ``[[typical]]`` tables (see
        ``specs/validation/campuses.toml``). Its weather paths (compact ``.csv.gz`` or EPW) are
        read relative to the file's folder; the shipped file's, relative to the specs folder.
    settings : mapping, optional
        ``--set`` style overrides applied to every run (``{"electrical.ups_efficiency": 0.97}``).
    progress : callable, optional
        ``progress(done, total)`` after each campus.
    """
    file = Path(path) if path is not None else campus_file()
    data = load_campuses(file)
    catalog = load_catalog(specs_dirs)
    cooling_ids = set(catalog.ids("cooling"))
    folder = builtin_dir() if path is None else file.resolve().parent
    results = []
    for i, campus in enumerate(data.campus):
        used = archetype_for(str(campus.archetype.value), campus.fallback, cooling_ids)
        results.append(_run_campus(campus, used, data.load, folder, catalog, specs_dirs, settings))
        if progress:
            progress(i + 1, len(data.campus))
    fallbacks = {c.archetype: c.used for c in results if c.archetype != c.used}
    typical = [_typical(t, data, folder, catalog, specs_dirs, settings, cooling_ids, fallbacks)
               for t in data.typical]
    shown = str(file) if path is not None else "specs/validation/campuses.toml"
    return CampusValidation(results, typical, data.load, shown, fallbacks)


def _run_campus(campus: Campus, used: str, load: CampusLoad, folder: Path, catalog, specs_dirs,
                settings) -> CampusResult:
    c = CampusResult(id=campus.id, name=campus.name, operator=campus.operator, climate=campus.climate,
                     station=campus.station, archetype=str(campus.archetype.value), used=used,
                     station_distance_km=float(campus.station_distance.quantity.to("km").magnitude),
                     pue_published=float(campus.pue.quantity.to("dimensionless").magnitude),
                     wue_published=None if campus.wue is None else
                     float(campus.wue.quantity.to("L/kWh").magnitude),
                     source=campus.pue.citation())
    try:
        c.pue, c.wue = _annual(load, used, data_path(folder, campus.weather, f"campus '{campus.id}': weather"),
                               catalog, specs_dirs, settings)
    except (DcpowerError, ValueError) as exc:
        c.failure = f"cannot be run: {str(exc).splitlines()[0]}"
    return c


def _typical(t: Typical, data: CampusFile, folder: Path, catalog, specs_dirs, settings, cooling_ids,
             fallbacks: dict) -> TypicalResult:
    """dcpower's PUE and WUE range for the archetype of a published fleet value, over the campus stations."""
    fallback = fallbacks.get(t.archetype, t.archetype)
    used = archetype_for(t.archetype, fallback, cooling_ids)
    res = TypicalResult(id=t.id, name=t.name, archetype=t.archetype, used=used,
                        pue_published=float(t.pue.quantity.to("dimensionless").magnitude),
                        wue_published=None if t.wue is None else float(t.wue.quantity.to("L/kWh").magnitude))
    stations = sorted({c.weather for c in data.campus})
    runs = []
    for w in stations:
        try:
            runs.append(_annual(data.load, used, data_path(folder, w, f"weather '{w}'"), catalog, specs_dirs,
                                settings))
        except (DcpowerError, ValueError):
            continue  # the campus table reports the failure
    if runs:
        pues, wues = zip(*runs)
        res.pue_range, res.wue_range = (min(pues), max(pues)), (min(wues), max(wues))
    return res


def _annual(load: CampusLoad, cooling: str, weather: Path, catalog, specs_dirs, settings) -> tuple[float, float]:
    """dcpower's annual PUE and site WUE [L/kWh] of the stated hall with ``cooling`` on ``weather``."""
    from dcpower.catalog.scenario import load_scenario

    base = load_scenario("memphis", specs_dirs)
    scenario = base.model_copy(update={
        "id": "custom", "name": f"campus comparison, {cooling}", "gpus": load.gpus,
        "accelerator": load.accelerator, "server": load.server, "workload": load.workload,
        "utilization": load.utilization, "cooling": cooling, "weather": str(weather), "pue": None})
    r = resolve(scenario, specs_dirs=specs_dirs, catalog=catalog, settings=settings)
    est = estimate_resolved(r, sizing=False)
    return float(est.pue.to("dimensionless").magnitude), float(est.wue.to("L/kWh").magnitude)
