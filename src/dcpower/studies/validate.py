"""Validation against measured machines: dcpower's IT power beside what was measured.

The shipped data set (``specs/validation/hpl.toml``) holds published power measurements:
Linpack (HPL) runs of named GPU systems as submitted to TOP500/Green500, one 8-GPU node
measured during training, and one accelerator measured by dcpower. For each case this
module builds the same configuration (accelerator, server, count, workload, busy the whole
time), estimates its IT power with the model chain, and compares it with the measurement and
with two simple methods: the accelerators' TDP x N, and Epoch AI's 1.82 x TDP x N. A
Monte Carlo over the catalog's ranges gives each estimate a P5-P95 band, and the coverage is
the share of cases whose measurement lies inside its band.

What drives a band's width: each ranged input's share of the sampled estimates' variance,
estimated as the squared correlation between the input's draws and the estimates (the first-order
sensitivity index of a model that is close to linear in each input; the inputs are drawn
independently, so the shares add up to about one). A share below 10/n of n samples is left out:
the squared correlation of two unrelated draws averages 1/(n - 1), so smaller shares are noise.
The summary gives, per input, the median share over all compared cases.

The band: every ranged value the case reads is drawn independently, triangular between its
low, value and high, or uniform where the value declares ``distribution = "uniform"`` (the
Linpack workload's accelerator share, a spread over the measured systems, censored at the
accelerators' limit by its ``at_high``); see
:mod:`dcpower.studies.uncertainty`. Only the catalog's ranges widen it: a case is not given
extra width for the model's structure, so a band that misses its measurement says that some
input lies outside its published range for that machine (or that the model lacks a part).

What is compared depends on the level of the case: a system's measured HPL power covers its
compute nodes and interconnect (IT power, no cooling, no storage); a node's, one server at
the wall; an accelerator's, one board. And on its statistic: most measurements are a mean over
the run, set beside the chain's busy power; a case whose ``statistic`` is ``"instantaneous
peak"`` reports the largest sample seen during synchronous training, which is set beside the
power at the top of a training step: every accelerator at the instantaneous peak of the
catalog's measured training swing for it (before the power cap pulls the clock down), the
hosts at the workload's busy load.
"""

from __future__ import annotations

import os
import statistics
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from dcpower.catalog.bounds import Dim
from dcpower.catalog.loader import builtin_dir, format_validation_error, load_catalog, read_toml, suggest
from dcpower.catalog.models import SpecValue
from dcpower.chain import steps
from dcpower.chain.resolve import resolve
from dcpower.errors import DcpowerError, InputError
from dcpower.report import Report, Table
from dcpower.units import Q_

__all__ = ["validate", "Validation", "CaseResult", "EPOCH_FACTOR", "validation_file"]

# Epoch AI's rule for a cluster's power from its accelerators: 1.82 x TDP x N.
EPOCH_FACTOR = 1.82
MAX_SAMPLES = 100_000
# What a case's measurement is: a mean over the run (the default), or the largest instantaneous
# sample of a synchronous-training run.
STATISTICS = ("mean", "instantaneous peak")
# The keys a case must give for the chain to rebuild it.
CASE_KEYS = frozenset({"accelerator", "gpus", "measured_power"})
# Every key a case may give (see specs/validation/hpl.toml); a misspelt one is named, not skipped.
CASE_FIELDS = CASE_KEYS | {"id", "name", "level", "statistic", "workload", "server", "nodes", "interconnect", "list",
                           "rmax", "rpeak", "note", "skip", "measurement"}
# Where a measurement was taken: the whole system, one node, one accelerator.
LEVELS = ("system", "node", "accelerator")
MEASURED = Dim("[power]", "0 W", open_low=True, what="a measured power", why="a machine under load draws power")


def validation_file() -> Path:
    return builtin_dir() / "validation" / "hpl.toml"


@dataclass
class CaseResult:
    """One measured case and what each method says of it (powers in W)."""

    id: str
    name: str
    level: str
    workload: str
    accelerator: str
    gpus: int
    list: str
    source: str
    measured: float | None = None
    estimate: float | None = None
    p5: float | None = None
    p95: float | None = None
    tdp_x_n: float | None = None
    skip: str | None = None
    failure: str | None = None
    drivers: dict[str, float] = field(default_factory=dict)
    statistic: str = "mean"

    def error(self, value: float | None) -> float | None:
        """Signed fractional error of ``value`` against the measurement."""
        if value is None or not self.measured:
            return None
        return value / self.measured - 1

    @property
    def epoch(self) -> float | None:
        return None if self.tdp_x_n is None else EPOCH_FACTOR * self.tdp_x_n

    @property
    def in_band(self) -> bool | None:
        if self.p5 is None or self.measured is None:
            return None
        return self.p5 <= self.measured <= self.p95

    def to_dict(self) -> dict:
        kw = (lambda v: None if v is None else round(v / 1000, 4))
        err = (lambda v: None if v is None else round(v, 4))
        return {"id": self.id, "name": self.name, "level": self.level, "statistic": self.statistic,
                "workload": self.workload, "accelerator": self.accelerator, "gpus": self.gpus, "list": self.list, "source": self.source,
                "unit": "kW", "measured": kw(self.measured), "estimate": kw(self.estimate),
                "error": err(self.error(self.estimate)), "p5": kw(self.p5), "p95": kw(self.p95),
                "in_band": self.in_band, "tdp_x_n": kw(self.tdp_x_n), "tdp_x_n_error": err(self.error(self.tdp_x_n)),
                "epoch": kw(self.epoch), "epoch_error": err(self.error(self.epoch)),
                "band_drivers": {k: round(v, 4) for k, v in self.drivers.items()},
                "skip": self.skip, "failure": self.failure}


@dataclass
class Validation:
    """Every case, and the summary: median absolute error per method, band coverage and width."""

    cases: list[CaseResult]
    samples: int
    seed: int
    source: str
    summary: dict = field(default_factory=dict)

    @property
    def compared(self) -> list[CaseResult]:
        return [c for c in self.cases if c.estimate is not None and c.measured is not None]

    @property
    def failures(self) -> list[CaseResult]:
        return [c for c in self.cases if c.failure]

    def median_abs_error(self) -> dict[str, float | None]:
        out = {}
        for method, get in (("dcpower", lambda c: c.estimate), ("tdp_x_n", lambda c: c.tdp_x_n),
                            ("epoch", lambda c: c.epoch)):
            errs = [abs(c.error(get(c))) for c in self.compared]
            out[method] = round(statistics.median(errs), 4) if errs else None
        return out

    def coverage(self) -> float | None:
        flags = [c.in_band for c in self.compared if c.in_band is not None]
        return round(sum(flags) / len(flags), 4) if flags else None

    def median_half_width(self) -> float | None:
        widths = [(c.p95 - c.p5) / 2 / c.estimate for c in self.compared if c.p5 is not None and c.estimate]
        return round(statistics.median(widths), 4) if widths else None

    def band_drivers(self, top: int = 5) -> list[tuple[str, float]]:
        """The inputs that widen the bands most: (name, median share of a band's variance over all
        compared cases, 0 where a case does not read it), largest first; medians below 1 % are left out."""
        cases = [c for c in self.compared if c.drivers]
        names = {name for c in cases for name in c.drivers}
        ranked = sorted(((k, statistics.median(c.drivers.get(k, 0.0) for c in cases)) for k in names),
                        key=lambda kv: -kv[1])
        return [(k, round(v, 4)) for k, v in ranked if v >= 0.01][:top]

    def to_dict(self) -> dict:
        return {"cases": [c.to_dict() for c in self.cases], "median_abs_error": self.median_abs_error(),
                "coverage": self.coverage(), "median_half_width": self.median_half_width(),
                "band_drivers": [{"input": k, "variance_share": v} for k, v in self.band_drivers()],
                "samples": self.samples, "seed": self.seed, "data": self.source}

    def _band_caption(self) -> str:
        """Coverage and band width, or why there are none (``samples = 0`` draws no bands)."""
        if self.coverage() is None:
            return _no_band_caption(self.samples)
        return (f"measured inside dcpower's P5-P95 in {_pct(self.coverage(), signed=False)} of "
                f"{len(self.compared)} cases; median band half-width "
                f"{_pct(self.median_half_width(), signed=False)} ({self.samples:,} samples, "
                f"seed {self.seed})" + _drivers_text(self.band_drivers(3)))

    def report(self) -> Report:
        rows = [[_case_name(c), c.accelerator, f"{c.gpus:,}", c.list, _kw(c.measured), _kw(c.estimate),
                 _pct(c.error(c.estimate)), _band(c), _pct(c.error(c.tdp_x_n)), _pct(c.error(c.epoch))]
                for c in self.cases if not c.skip and not c.failure]
        table = Table(["case", "accelerator", "gpus", "measured in", "measured kW", "dcpower kW", "error",
                       "P5-P95 kW", "TDP x N", "1.82 TDP x N"], rows)
        m = self.median_abs_error()
        summary = Table(["method", "median absolute error"],
                        [["dcpower", _pct(m["dcpower"], signed=False)], ["TDP x N", _pct(m["tdp_x_n"], signed=False)],
                         ["Epoch AI, 1.82 x TDP x N", _pct(m["epoch"], signed=False)]],
                        caption=self._band_caption())
        tables = [table, summary]
        left = [[c.name, "skipped", c.skip] for c in self.cases if c.skip]
        left += [[c.name, "FAILED", c.failure] for c in self.failures]
        if left:
            tables.append(Table(["case", "status", "why"], left))
        return Report(f"dcpower validate: {len(self.compared)} measured cases ({self.source})", tables,
                      data=self.to_dict(), csv=table)


def _case_name(c: CaseResult) -> str:
    """The case's name, with its statistic where it is not a mean over the run."""
    return c.name if c.statistic == "mean" else f"{c.name} ({c.statistic})"


def _kw(w):
    """kW with at least three significant figures (one board reads 0.698, a node 8.52)."""
    if w is None:
        return ""
    kw = w / 1000
    return f"{kw:,.{3 if abs(kw) < 1 else 2 if abs(kw) < 100 else 1}f}"


def _pct(x, signed: bool = True):
    if x is None:
        return ""
    return f"{x:+.1%}" if signed else f"{x:.1%}"


def _no_band_caption(samples: int) -> str:
    return ("no P5-P95 bands: run with --samples 20 or more for coverage and band widths" if samples == 0 else
            f"no P5-P95 band could be drawn ({samples:,} samples)")


def _drivers_text(drivers) -> str:
    if not drivers:
        return ""
    return "; width driven by " + ", ".join(f"{k} ({v:.0%} of the variance)" for k, v in drivers)


def _band(c: CaseResult) -> str:
    if c.p5 is None:
        return ""
    return f"{_kw(c.p5)}-{_kw(c.p95)}" + ("" if c.in_band else " (outside)")


# ---------------------------------------------------------------- running the cases

def validate(path=None, *, samples: int = 500, seed: int = 20261129, specs_dirs=(), settings: dict | None = None,
             progress=None) -> Validation:
    """Run every case of a validation data set (the shipped one by default).

    Parameters
    ----------
    path : path, optional
        A TOML file of ``[[case]]`` tables (see ``specs/validation/hpl.toml``).
    samples : int
        Monte Carlo samples per case for the P5-P95 band (0 for none), at most 100,000.
    seed : int
        Seed of the samples; the same seed gives the same bands.
    settings : mapping, optional
        ``--set`` style overrides applied to every case (``{"workload.host_busy_load": 0.3}``).
    progress : callable, optional
        ``progress(done, total)`` after each case.
    """
    from dcpower.studies.uncertainty import check_seed

    if isinstance(samples, bool) or not isinstance(samples, int) or not 0 <= samples <= MAX_SAMPLES:
        raise InputError(f"validate takes 0 to {MAX_SAMPLES:,} samples per case, got {samples!r}")
    check_seed(seed)
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise InputError(f"validate needs the path of a validation TOML file, got {path!r}")
    file = Path(path) if path is not None else validation_file()
    data = read_toml(file, "a validation TOML file")
    raw = data.get("case")
    if not isinstance(raw, list) or not raw:
        raise InputError(f"{file}: no [[case]] tables; see specs/validation/hpl.toml for the format")
    ids = [str(e.get("id")) for e in raw if isinstance(e, dict) and "id" in e]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise InputError(f"{file}: case id '{twice[0]}' is given twice; ids must be unique, rename one")
    catalog = load_catalog(specs_dirs)
    if settings:
        _check_settings(settings, catalog, specs_dirs)
    results = []
    for i, entry in enumerate(raw):
        results.append(_run_case(entry, catalog, specs_dirs, samples, seed, settings))
        if progress:
            progress(i + 1, len(raw))
    shown = str(file) if path is not None else "specs/validation/hpl.toml"
    return Validation(results, samples, seed, shown)


def _check_settings(settings: dict, catalog, specs_dirs) -> None:
    """A ``--set`` that no case can take (a value out of range, an unknown field) is one error up
    front, not the same failure for every case: tried on the facility the cases are built in."""
    from dcpower.catalog.scenario import load_scenario

    resolve(load_scenario("memphis", specs_dirs), specs_dirs=specs_dirs, catalog=catalog, settings=settings)


def _run_case(entry: dict, catalog, specs_dirs, samples: int, seed: int, settings=None) -> CaseResult:
    c = CaseResult(id=str(entry.get("id", "?")), name=str(entry.get("name", entry.get("id", "?"))),
                   level=str(entry.get("level", "system")), workload=str(entry.get("workload", "hpl")),
                   accelerator=str(entry.get("accelerator", "")), gpus=_shown_count(entry.get("gpus")),
                   list=str(entry.get("list", "")), source="", skip=entry.get("skip"),
                   statistic=str(entry.get("statistic", "mean")))
    if c.skip:
        return c
    try:
        _check_statistic(c)
        _check_keys(entry)
        if "measured_power" not in entry:
            raise InputError("no measured_power; add measured_power = { value = \"8.4 kW\", source = \"...\", "
                             "year = YYYY }, or skip = \"why\" for a case with no published measurement")
        measured = _measured(entry["measured_power"])
        c.measured = float(measured.quantity.to("W").magnitude)
        c.source = measured.citation()
        r = resolve(_scenario(entry, catalog, specs_dirs), specs_dirs=specs_dirs, catalog=catalog,
                    settings=settings)
        c.tdp_x_n = c.gpus * float(r.accelerator.max_power.quantity.to("W").magnitude)
        c.estimate = float(_compared_power(r, c.level, c.statistic)[0])
        if samples:
            rs, columns = _sampled(r, samples, seed)
            draws = _compared_power(rs, c.level, c.statistic)
            c.p5, c.p95 = (float(x) for x in np.percentile(draws, [5, 95]))
            c.drivers = variance_shares(columns, draws)
    except KeyError as exc:
        missing = exc.args[0] if exc.args and exc.args[0] in CASE_KEYS - entry.keys() else None
        c.failure = (f"cannot be reproduced: the case has no {missing!r}; a case needs accelerator, gpus and "
                     "measured_power (see specs/validation/hpl.toml)") if missing else \
            f"cannot be reproduced: {str(exc).splitlines()[0]}"
    except (DcpowerError, ValueError) as exc:
        c.failure = f"cannot be reproduced: {str(exc).splitlines()[0]}"
    return c


def _scenario(entry: dict, catalog, specs_dirs):
    """The measured configuration: Memphis's facility around the case's cluster, busy all the time,
    with only the compute fabric (the measurements leave out storage and other networks)."""
    from dcpower.catalog.scenario import load_scenario

    base = load_scenario("memphis", specs_dirs)
    server = entry.get("server") or catalog.get("accelerator", entry["accelerator"]).default_server
    srv = catalog.get("server", server) if server else None
    fabric = getattr(srv, "compute_fabric", None) or base.network.compute_fabric
    network = base.network.model_copy(update={"compute_fabric": fabric, "frontend_fabric": None,
                                              "management_fabric": None})
    storage = base.storage.model_copy(update={"system": None})
    # a hall the server fits (only the IT side is compared)
    cooling = base.cooling if srv is None or srv.cooling == catalog.get("cooling", base.cooling).hall else \
        next(i for i, c in catalog.category("cooling").items() if c.hall == srv.cooling)
    util = SpecValue(value=1.0, source="user input (validate: busy for the whole measured run)")
    case = {**base.model_dump(), **{
        "id": "custom", "name": str(entry.get("name", "")), "gpus": entry["gpus"],
        "accelerator": entry["accelerator"], "server": server, "workload": entry.get("workload", "hpl"),
        "utilization": util, "network": network, "storage": storage, "cooling": cooling}}
    try:  # validated, not model_copy: a GPU count of 0 or -5 ran, as 0 kW and -2 kW
        return type(base).model_validate(case)
    except ValidationError as exc:
        raise InputError(format_validation_error(exc, "case", type(base))) from None


def _measured(v) -> SpecValue:
    """The case's measured power: a sourced power above zero."""
    if not isinstance(v, dict):
        raise InputError(f"measured_power {v!r} needs its source: write measured_power = {{ value = {v!r}, "
                         "source = \"...\", year = YYYY }")
    try:
        measured = SpecValue.model_validate(v)
    except ValidationError as exc:
        raise InputError(format_validation_error(exc, "measured_power", SpecValue)) from None
    measured.check(MEASURED)
    return measured


def _shown_count(v) -> int:
    """The GPU count as shown in the table; a value that is no count fails the case when it is rebuilt."""
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


def _check_keys(entry: dict) -> None:
    unknown = sorted(set(entry) - CASE_FIELDS)
    if unknown:
        raise InputError(f"unknown key '{unknown[0]}'; {suggest(unknown[0], sorted(CASE_FIELDS))}")


def _check_statistic(c: CaseResult) -> None:
    if c.level not in LEVELS:  # any other level was compared as a whole system
        raise InputError(f"level {c.level!r} is not one of: {', '.join(LEVELS)}")
    if c.statistic not in STATISTICS:
        raise InputError(f"statistic {c.statistic!r} is not one of: {', '.join(STATISTICS)}")
    if c.statistic == "instantaneous peak" and c.level == "system":
        raise InputError("an instantaneous peak is compared at node or accelerator level only "
                         "(the phase of a whole system's swing is not modelled)")


def _compared_power(r, level: str, statistic: str = "mean") -> np.ndarray:
    """The power a measurement of ``level`` and ``statistic`` sees, per sample [W]."""
    it = steps.it_load_step(r)
    if statistic == "instantaneous peak":
        q = _training_peak(r, it, level)
    elif level == "accelerator":
        q = it.gpu_busy
    elif level == "node":
        q = it.servers_peak / it.servers
    else:
        fabrics = [steps.fabric_step(parts, it) for parts in r.fabrics]
        q = steps.it_power_step(it, fabrics, steps.storage_step(r, it)).design
    m = np.asarray(Q_(q).to("W").magnitude, dtype=float)
    return np.broadcast_to(np.reshape(m, -1), (r.samples,))


def _training_peak(r, it, level: str):
    """Power at the top of a synchronous training step: each accelerator at the instantaneous
    peak of its measured training swing, the host at the workload's busy load, through the PSUs
    at that load (one board, or one server at the wall)."""
    swing = next((s for s in r.catalog.category("swing").values() if s.accelerator == r.accelerator.id), None)
    if swing is None:
        raise InputError(f"no measured training swing for '{r.accelerator.id}' in the catalog, so its "
                         "instantaneous peak is unknown; add a [[swing]] entry for it")
    peak = swing.peak_power.quantity.to("W")
    if level == "accelerator":
        return peak
    dc = it.gpus_per_server * peak + it.host_busy
    return dc / steps.psu_efficiency(r, dc)


def variance_shares(columns: dict[str, np.ndarray], output: np.ndarray) -> dict[str, float]:
    """Each input's share of ``output``'s variance: the squared correlation of its draws with the
    output (first-order index for independent inputs and a near-linear model), largest first.
    Shares below 10/n (n samples) are left out as noise: unrelated draws average 1/(n - 1)."""
    out = np.asarray(output, dtype=float)
    if out.size < 3 or np.std(out) == 0:
        return {}
    shares = {}
    for name, x in columns.items():
        x = np.asarray(x, dtype=float)
        if x.shape == out.shape and np.std(x) > 0:
            r2 = float(np.corrcoef(x, out)[0, 1] ** 2)
            if r2 >= 10 / out.size:
                shares[name] = r2
    return dict(sorted(shares.items(), key=lambda kv: -kv[1]))


def _sampled(r, samples: int, seed: int):
    """``r`` with every ranged value drawn from its range, as the Monte Carlo does (triangular,
    or uniform where the value says so). Each value draws from its own stream, seeded by the
    seed and the value's name, so adding or removing a ranged value elsewhere in the catalog
    leaves the draws of the others, and so the bands, unchanged. Returns the sampled ``r`` and the
    draws by name."""
    from dcpower.studies.uncertainty import draw, parameter_of

    columns = {}
    for name, sv in r.ranged_values().items():
        p = parameter_of(name, sv, 1.0, r.bounds_of(name))
        if p.high > p.low:
            columns[name] = draw(np.random.default_rng([seed, zlib.crc32(name.encode())]), p, samples)
    return (r.with_values(columns) if columns else r), columns
