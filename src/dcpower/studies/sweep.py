"""One field over a range: an estimate per step, one row per step.

:func:`sweep` steps a field linearly or logarithmically (``gpus`` from 1,000 to 200,000 in
12 steps) and returns a :class:`Sweep`: a :class:`~dcpower.studies.compare.Comparison` rendered as
one row per step. JSON has the shape of ``dcpower compare`` plus ``field`` and ``steps``::

    {"field": "gpus", "steps": [1000, 1620, ...], "variants": ["gpus=1000", ...],
     "results": {"facility_power": [{"value", "unit", "delta", "delta_percent"}, ...]}, ...}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, Sequence

import numpy as np

from dcpower.studies.compare import Comparison, _check_field, _run
from dcpower.errors import InputError

__all__ = ["sweep", "Sweep", "parse_range", "SWEEP_RESULTS"]

SWEEP_RESULTS = ("it_power", "facility_power", "facility_power_average", "pue", "annual_energy",
                 "water_per_day", "wue", "grid_power_peak", "annual_cost")
# Fields whose values are whole numbers.
INTEGER_FIELDS = {"gpus", "gpus_per_server", "gpus_per_rack", "onsite.turbines", "onsite.batteries"}


def parse_range(text: str) -> tuple[str, str]:
    """``"1000..200000"`` -> ``("1000", "200000")``; ends may carry units (``"2 K..6 K"``)."""
    start, sep, stop = str(text).partition("..")
    if not sep or not start.strip() or not stop.strip():
        raise InputError(f"range '{text}': write START..STOP, e.g. 1000..200000")
    return start.strip(), stop.strip()


def _magnitude(text: str, what: str):
    """A number, or a quantity string; returns (magnitude, unit text)."""
    from dcpower.units import parse_quantity

    t = text.replace("_", "").replace(",", "")
    try:
        return float(t), ""
    except ValueError:
        pass
    q = parse_quantity(text, None, what)
    return float(q.magnitude), f"{q.units:~}"


def steps_between(start: float, stop: float, steps: int, log: bool = False, integer: bool = False) -> list:
    """``steps`` values from ``start`` to ``stop``, both included; rounded to distinct integers
    when ``integer``. Raises InputError for an empty or reversed range."""
    if steps < 2:
        raise InputError(f"--steps {steps}: a sweep needs at least 2 steps")
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

    def series(self, name: str) -> np.ndarray:
        """Result ``name`` at every step, in its display unit."""
        return np.array([self.value(name, i) for i in range(len(self.steps))])

    def render(self, fmt: str = "table", units: str | None = None) -> str:
        """One row per step: the field's value, then one column per result."""
        from dcpower.output.render import table

        units = units or self.units
        d = self.to_dict(units, self.names())
        if fmt == "json":
            return json.dumps(d, indent=2)
        names = list(d["results"])
        heads = [self.field + (f" [{self.unit}]" if self.unit else "")] + [
            f"{n} [{d['results'][n][0]['unit']}]" if d["results"][n][0]["unit"] else n for n in names]
        rows = [[self.steps[i]] + [d["results"][n][i]["value"] for n in names] for i in range(len(self.steps))]
        body = table(heads, rows, fmt)
        title = f"dcpower sweep: {self.field} over {len(self.steps)} steps ({self.estimates[0].scenario.name})"
        if fmt == "csv":
            return body
        if fmt == "html":
            import html

            return f"<p><b>{html.escape(title)}</b></p>" + body
        notes = sorted({w for e in self.estimates for w in e.warnings})
        title = f"**{title}**" if fmt == "markdown" else title
        return "\n\n".join([title, body] + (["\n".join(f"warning: {w}" for w in notes)] if notes else []))

    def to_frame(self, units: str | None = None):
        """One row per step as a pandas DataFrame indexed by the field's value."""
        from dcpower.chain.result import _frame

        d = self.to_dict(units, self.names())["results"]
        rows = [[self.steps[i]] + [d[n][i]["value"] for n in d] for i in range(len(self.steps))]
        return _frame([self.field] + list(d), rows, self.field)

    def __repr__(self) -> str:
        return f"<Sweep {self.field}: {len(self.steps)} steps {self.steps[0]}..{self.steps[-1]}>"


def sweep(field_name: str, start=None, stop=None, *, steps: int = 10, log: bool = False,
          values: Sequence | None = None, scenario=None, results: Sequence[str] | None = SWEEP_RESULTS,
          specs_dirs=(), settings: dict | None = None, units: str = "si", **overrides) -> Sweep:
    """Estimates with ``field_name`` stepped over a range.

    Parameters
    ----------
    field_name : str
        An estimate option (``gpus``, ``utilization``, ``pue``) or a ``--set`` key
        (``cooling.approach``, ``electrical.design_loading``).
    start, stop : number or str
        Ends of the range, both included; strings may carry a unit (``"2 K"``), which the
        steps keep.
    steps : int
        Number of steps (>= 2).
    log : bool
        Geometric instead of linear spacing.
    values : sequence, optional
        Explicit values instead of a range.
    scenario, specs_dirs, settings, **overrides
        As for :func:`dcpower.estimate`.
    results : sequence of str, optional
        Columns a table shows; ``None`` for all.

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
    _check_field(field_name)
    unit = ""
    integer = field_name in INTEGER_FIELDS
    if values is None:
        if start is None or stop is None:
            raise InputError("give START and STOP (or values) for the sweep")
        a, ua = _magnitude(str(start), f"{field_name} start")
        b, ub = _magnitude(str(stop), f"{field_name} stop")
        if ua != ub:
            from dcpower.units import parse_quantity

            if ua and ub:
                b = float(parse_quantity(str(stop)).to(ua).magnitude)
            else:
                raise InputError(f"range {start}..{stop}: give both ends in the same unit")
        unit = ua
        vals = steps_between(a, b, steps, log, integer)
    else:
        vals = list(values)
        if not vals:
            raise InputError("the sweep has no values")
    labels, ests = [], []
    for v in vals:
        text = v if not unit else f"{v} {unit}"
        arg = int(v) if integer else (float(v) if not unit and field_name in ("utilization", "pue") else text)
        labels.append(f"{field_name}={text}")
        ests.append(_run(scenario, specs_dirs, settings, overrides,
                         {field_name: arg if field_name in ("gpus", "utilization", "pue") else str(arg)}))
    return Sweep(labels, ests, {field_name: vals}, results, units=units, field=field_name, steps=vals, unit=unit,
                 title=f"dcpower sweep {field_name}")


