"""One field over a range: the chain evaluated at every step, one row per step.

:func:`sweep` steps a field linearly or logarithmically (``gpus`` from 1,000 to 200,000 in
12 steps) and returns a :class:`Sweep`: a :class:`~dcpower.studies.compare.Comparison` rendered as
one row per step. A numeric field (the GPU count, the utilization, a fixed PUE, any sourced
spec value such as ``cooling.approach``) is swept as one batch: the chain runs once on all
steps at once (:meth:`~dcpower.chain.resolve.Resolved.with_values`), in blocks of steps to bound
memory. Other fields, and results that need the sizing steps, run one estimate per step. JSON has the shape of ``dcpower compare`` plus ``field`` and ``steps``::

    {"field": "gpus", "steps": [1000, 1620, ...], "variants": ["gpus=1000", ...],
     "results": {"facility_power": [{"value", "unit", "delta", "delta_percent"}, ...]}, ...}
"""

from __future__ import annotations

import math

import dataclasses
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Sequence

import numpy as np
import pint

from dcpower.catalog.loader import load_catalog
from dcpower.catalog.models import SpecValue, field_dim
from dcpower.chain.estimate import chain_warnings
from dcpower.chain.resolve import Resolved, resolve, title_for
from dcpower.chain.result import display_unit, frame
from dcpower.chain.run import CHAIN_RESULTS, chain_results, run_chain
from dcpower.errors import InputError
from dcpower.report import Report, Table
from dcpower.studies.compare import Comparison, check_results
from dcpower.studies.variants import check_field, run_variant, split_fields
from dcpower.units import Q_, format_unit, parse_quantity
from dcpower.weather.model import AirStates

__all__ = ["sweep", "Sweep", "parse_range", "SWEEP_RESULTS"]

SWEEP_RESULTS = ("it_power", "facility_power", "facility_power_average", "pue", "annual_energy",
                 "water_per_day", "wue", "grid_power_peak", "annual_cost")
MAX_STEPS = 10_000
BATCH = 25  # steps per block of the batched chain: 25 x 8,760 hours per array
# Fields whose values are whole numbers.
INTEGER_FIELDS = {"gpus", "gpus_per_server", "gpus_per_rack", "onsite.turbines", "onsite.batteries"}


def parse_range(text: str) -> tuple[str, str]:
    """``"1000..200000"`` -> ``("1000", "200000")``; ends may carry units (``"2 K..6 K"``)."""
    start, sep, stop = str(text).partition("..")
    # "1000...2000" read as 1000..0.2 ("reversed"), "1..2..3" as a stop of "2..3"
    if not sep or not start.strip() or not stop.strip() or ".." in stop or stop.startswith("."):
        raise InputError(f"range '{text}': write START..STOP with two dots, e.g. 1000..200000")
    return start.strip(), stop.strip()


def _magnitude(text: str, what: str):
    """A number, or a quantity string; returns (magnitude, unit text)."""
    t = text.replace("_", "").replace(",", "")
    try:
        return float(t), ""
    except ValueError:
        pass
    q = parse_quantity(text, None, what)
    # format_unit writes degC, not the degree sign, so the unit parses back when the steps are built.
    return float(q.magnitude), format_unit(q.units)


def steps_between(start: float, stop: float, steps: int, log: bool = False, integer: bool = False) -> list:
    """``steps`` values from ``start`` to ``stop``, both included; rounded to distinct integers
    when ``integer``. Raises InputError for an empty or reversed range."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 2 <= steps <= MAX_STEPS:
        raise InputError(f"--steps {steps}: a sweep takes 2 to {MAX_STEPS:,} steps")
    if not (math.isfinite(start) and math.isfinite(stop)):
        raise InputError(f"range {start:g}..{stop:g}: both ends must be finite numbers")
    if not stop > start:
        raise InputError(f"range {start:g}..{stop:g} is {'empty' if stop == start else 'reversed'}; "
                         "give START..STOP with START < STOP")
    if log:
        if start <= 0:
            raise InputError(f"--log needs a range above zero, got {start:g}..{stop:g}")
        vals = np.geomspace(start, stop, steps)
    else:
        vals = np.linspace(start, stop, steps)
    if integer:
        out = []
        for v in np.rint(vals).astype(int):
            if not out or v != out[-1]:
                out.append(int(v))
        return out
    return [float(f"{v:.6g}") for v in vals]


@dataclass
class Sweep(Comparison):
    """A :class:`~dcpower.studies.compare.Comparison` whose variants are the steps of one field."""

    field: str = ""
    steps: list = dc_field(default_factory=list)
    unit: str = ""

    def to_dict(self, units: str | None = None, names: Sequence[str] | None = None) -> dict:
        d = super().to_dict(units, names)
        return {"field": self.field, "steps": list(self.steps), "step_unit": self.unit, **d}

    def series(self, name: str, units: str | None = None):
        """Result ``name`` at every step, as a pint Quantity array in its display unit for ``units``
        (a dimensionless Quantity for plain numbers such as ``pue``)."""
        return Q_(self.column(name, units), display_unit(name, units or self.units) or "dimensionless")

    def report(self, units: str | None = None) -> Report:
        """One row per step: the field's value, then one column per result."""
        units = units or self.units
        d = self.to_dict(units, self.names())
        names = list(d["results"])
        heads = [self.field + (f" [{self.unit}]" if self.unit else "")] + [
            f"{n} [{d['results'][n][0]['unit']}]" if d["results"][n][0]["unit"] else n for n in names]
        rows = [[self.steps[i]] + [d["results"][n][i]["value"] for n in names] for i in range(len(self.steps))]
        notes = sorted({w for ws in self.warnings for w in ws})
        return Report(f"dcpower sweep: {self.field} over {len(self.steps)} steps ({self.title})",
                      [Table(heads, rows)], d, notes)

    def to_frame(self, units: str | None = None):
        """One row per step as a pandas DataFrame indexed by the field's value."""
        d = self.to_dict(units, self.names())["results"]
        rows = [[self.steps[i]] + [d[n][i]["value"] for n in d] for i in range(len(self.steps))]
        return frame([self.field] + list(d), rows, self.field)

    def __repr__(self) -> str:
        return f"<Sweep {self.field}: {len(self.steps)} steps {self.steps[0]}..{self.steps[-1]}>"


def _step_values(field_name, start, stop, steps, log, values) -> tuple[list, str]:
    """The values the field takes, and their unit ("" for plain numbers)."""
    if values is not None:
        vals = list(values)
        if not vals:
            raise InputError("the sweep has no values")
        if len(vals) > MAX_STEPS:
            raise InputError(f"{len(vals):,} values is more than the {MAX_STEPS:,} a sweep takes")
        return vals, ""
    if start is None or stop is None:
        raise InputError("give START and STOP (or values) for the sweep")
    a, ua = _end(start, field_name, "start", stop)
    b, ub = _end(stop, field_name, "stop", start)
    if ua != ub:
        if not (ua and ub):
            raise InputError(f"range {start}..{stop}: give both ends in the same unit")
        try:
            q_start, q_stop = parse_quantity(str(start)), parse_quantity(str(stop))
            if q_start._is_multiplicative != q_stop._is_multiplicative:  # 2 K (a difference) .. 6 degF (a temperature)
                raise pint.DimensionalityError(ua, ub)
            b = float(q_stop.to(ua).magnitude)
        except pint.DimensionalityError:
            raise InputError(f"range {start}..{stop}: the ends are different quantities ({ua}, {ub}); "
                             "give both in units of the same kind, e.g. 2K..6K") from None
    return steps_between(a, b, steps, log, field_name in INTEGER_FIELDS), ua


def _end(text, field_name: str, which: str, other) -> tuple[float, str]:
    """One end of a range; a name where a number belongs (``cooling=air-chiller..dlc-tower``)
    points to ``dcpower compare``, which varies names."""
    t = str(text).strip()
    if t and not (t[0].isdigit() or t[0] in "+-." or t.lower().startswith(("nan", "inf"))):
        raise InputError(f"{field_name} = {text}..{other}: a sweep steps a number and '{t}' is not one; "
                         f"to compare names use: dcpower compare --vary {field_name}={text},{other}"
                         if which == "start" else
                         f"{field_name} = {other}..{text}: a sweep steps a number and '{t}' is not one; "
                         f"to compare names use: dcpower compare --vary {field_name}={other},{text}")
    return _magnitude(t, f"{field_name} {which}")


def _batch_magnitudes(r: Resolved, field_name: str, vals: list, unit: str):
    """Magnitudes of the steps in the unit of the value they replace, or None when the field
    cannot be swept as a batch (it fixes structure, or is not a number)."""
    if field_name == "gpus":
        return np.array([int(v) for v in vals])
    if field_name == "pue":
        return np.array([float(v) for v in vals])
    owners = r.owners()
    owner_name, _, attr = field_name.rpartition(".")
    owner = owners.get(owner_name)
    current = getattr(owner, attr, None) if owner is not None else None
    if not isinstance(current, SpecValue):
        return None
    target = current.quantity.units
    dim = field_dim(type(owner), attr)
    if dim is not None:  # "2..6" or "2 degC..6 degC" for a temperature difference: the field's own message
        for v in (vals[0], vals[-1]):
            parse_quantity(f"{v} {unit}".strip(), dim.dimension, f"{field_name} = {v} {unit}".strip())
    return np.array([float(Q_(float(v), unit or "dimensionless").to(target).magnitude) for v in vals])


def _batched(r: Resolved, field_name: str, vals: list, magnitudes, progress) -> tuple[dict, list, list]:
    """Result columns, scenarios and warnings of every step, the chain run on blocks of steps."""
    air = AirStates.hours_of(r.weather)
    blocks, warnings = [], []
    base = r.to_dict()
    for start in range(0, len(vals), BATCH):
        block = magnitudes[start:start + BATCH]
        chain = run_chain(r.with_values({field_name: block}), air)
        res = chain_results(chain)
        blocks.append(res)
        supply = ("supply_temperature_exceeded_hours", "supply_temperature_excess_max", "supply_temperature_unmet",
                  "unserved_energy", "annual_energy")
        for i in range(len(block)):
            warnings.append(list(r.warnings) + chain_warnings(
                chain, {k: Q_(float(res[k].magnitude[i]), res[k].units) for k in supply}, i))
        if progress:
            progress(min(start + BATCH, len(vals)), len(vals))
    columns = {k: Q_(np.concatenate([b[k].to(blocks[0][k].units).magnitude for b in blocks]), blocks[0][k].units)
               for k in blocks[0]}
    return columns, [_step_scenario(r, base, field_name, v) for v in vals], warnings


def _step_scenario(r: Resolved, base: dict, field_name: str, value) -> dict:
    d = dict(base)
    if field_name == "gpus":
        step = dataclasses.replace(r, scenario=r.scenario.model_copy(update={"gpus": int(value)}))
        d["gpus"], d["title"] = int(value), title_for(step)
    else:
        d["swept"] = {field_name: value}
    return d


def sweep(field_name: str, start=None, stop=None, *, steps: int = 10, log: bool = False,
          values: Sequence | None = None, scenario=None, results: Sequence[str] | None = SWEEP_RESULTS,
          specs_dirs=(), settings: dict | None = None, units: str = "si", progress=None, **overrides) -> Sweep:
    """Results with ``field_name`` stepped over a range.

    Parameters
    ----------
    field_name : str
        An estimate option (``gpus``, ``utilization``, ``pue``) or a ``--set`` key
        (``cooling.approach``, ``electrical.design_loading``).
    start, stop : number or str
        Ends of the range, both included; strings may carry a unit (``"2 K"``), which the
        steps keep.
    steps : int
        Number of steps (2 to :data:`MAX_STEPS`).
    log : bool
        Geometric instead of linear spacing.
    values : sequence, optional
        Explicit values instead of a range.
    scenario, specs_dirs, settings, **overrides
        As for :func:`dcpower.estimate`.
    results : sequence of str, optional
        Columns a table shows; ``None`` for all (every step then runs the sizing steps too).
    progress : callable, optional
        Called as ``progress(done, total)`` as steps complete.

    Returns
    -------
    Sweep

    Examples
    --------
    >>> import dcpower
    >>> s = dcpower.sweep("gpus", 1_000, 100_000, steps=3)
    >>> s.steps
    [1000, 50500, 100000]
    """
    check_field(field_name)
    check_results(results)
    vals, unit = _step_values(field_name, start, stop, steps, log, values)
    catalog = load_catalog(specs_dirs)
    base = resolve(scenario, specs_dirs=specs_dirs, settings=settings, catalog=catalog, **overrides)
    magnitudes = _batch_magnitudes(base, field_name, vals, unit) if results is not None else None
    meta = dict(varied={field_name: vals}, results=results, units=units, title=base.title,
                field=field_name, steps=vals, unit=unit)
    labels = [f"{field_name}={v if not unit else f'{v} {unit}'}" for v in vals]
    if magnitudes is not None and set(results) <= set(CHAIN_RESULTS):
        got, scenarios, warnings = _batched(base, field_name, vals, magnitudes, progress)
        return Sweep(labels, got, scenarios, warnings, **meta)
    ests = []
    for i, v in enumerate(vals):
        arg = int(v) if field_name in INTEGER_FIELDS else (float(v) if not unit else f"{v} {unit}")
        ov, st = split_fields(overrides, settings, {field_name: arg if field_name in ("gpus", "utilization", "pue")
                                                    else str(arg)})
        ests.append(run_variant(scenario, specs_dirs, st, ov, {}, catalog))
        if progress:
            progress(i + 1, len(vals))
    return Sweep.of_estimates(labels, ests, **meta)
