"""The inverse questions: how many GPUs fit in a power budget, a grid allocation, a water budget.

Each budget is a constraint on a result that grows with the GPU count:

- ``power``: ``facility_power``, the facility at design IT load and design weather;
- ``grid``: what the meter must deliver at design after the scenario's own on-site turbines,
  ``max(facility_power - turbine capacity, 0)``. Batteries are not counted: they carry a
  peak for their rated hours, not the weather-driven plateau of a hot spell;
- ``water``: ``water_per_day``, the annual-mean site water.

:func:`fit` finds, for each budget, the largest integer GPU count whose result stays within it
(rounds of 25 counts evaluated as one batch of the chain, each narrowing the bracket, down
to the exact integer), and reports the smallest of them and the constraint
that binds. JSON (``Fit.to_dict()``)::

    {"gpus": 123456, "binding": "power",
     "constraints": {"power": {"budget": 150.0, "unit": "MW", "result": "facility_power",
                               "gpus": 123456, "value_at_fit": 149.99, "value_at_next": 150.01}, ...},

Each budget is reported in the unit it was given in (``--water "1 Mgal/day"``: ``"unit": "Mgal/d"``,
the values at the fitted count in Mgal/d too).
     "scenario": {...}, "results": {...the estimate at the fitted count...}, "warnings": [...]}
"""

from __future__ import annotations

import math

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dcpower.chain.estimate import estimate_resolved
from dcpower.chain.resolve import Resolved, resolve, title_for
from dcpower.chain.result import frame
from dcpower.chain.run import chain_results, run_chain
from dcpower.errors import InputError
from dcpower.report import Report, Table
from dcpower.studies.compare import DEFAULT_RESULTS
from dcpower.units import Q_, format_unit
from dcpower.weather.model import AirStates

__all__ = ["fit", "Fit", "BUDGETS"]

# budget -> (result it limits, dimension, display unit)
BUDGETS = {
    "power": ("facility_power", "[power]", "MW"),
    "grid": ("grid_power_peak", "[power]", "MW"),
    "water": ("water_per_day", "[volume] / [time]", "m^3/d"),
}
# columns of Fit.rows(): the budget and the value at the fitted count share the unit column
ROW_HEADS = ("budget", "limits", "budget value", "value at that count", "unit", "gpus that fit", "binds")
MAX_GPUS = 10_000_000
GRID = 25  # counts evaluated per round, as one batch of the chain


def _budget(name: str, value):
    from dcpower.units import parse_quantity

    dim = BUDGETS[name][1]
    q = parse_quantity(value, None, f"--{name}")
    if not q.check(dim):
        example = {"power": "'150 MW'", "grid": "'150 MW'", "water": "'1 Mgal/day'"}[name]
        raise InputError(f"--{name} '{value}' is not a {'power' if 'power' in dim else 'volume per time'}; "
                         f"try e.g. {example}")
    if not math.isfinite(q.magnitude) or q.magnitude <= 0:
        raise InputError(f"--{name} must be a finite amount above zero, got '{value}'")
    return q


def _measure(name: str, r: Resolved, results: dict) -> np.ndarray:
    """The constrained quantity per sample, in the budget's display unit."""
    result, _, unit = BUDGETS[name]
    if name == "grid":
        turbines = (r.scenario.onsite.turbines * r.turbine.rated_power.quantity).to("MW").magnitude \
            if r.turbine is not None else 0.0
        return np.maximum(results["facility_power"].to("MW").magnitude - turbines, 0.0)
    return np.asarray(results[result].to(unit).magnitude, dtype=float)


@dataclass
class Fit:
    """The largest GPU count within every budget, and which budget binds."""

    gpus: int
    binding: str
    constraints: dict[str, dict]
    estimate: Any
    evaluations: int = 0
    _units: str = field(default="si", repr=False)

    def to_dict(self, units: str = "si") -> dict:
        d = self.estimate.to_dict(units)
        return {"gpus": self.gpus, "binding": self.binding, "constraints": self.constraints,
                "scenario": d["scenario"], "results": d["results"], "warnings": d["warnings"]}

    def rows(self) -> list[tuple]:
        """``(budget, result, budget value, value at the fitted count, unit, gpus, binds)`` per budget;
        both values in the unit the budget was given in."""
        return [(n, c["result"], c["budget"], c["value_at_fit"], c["unit"], c["gpus"],
                 "yes" if n == self.binding else "") for n, c in self.constraints.items()]

    def report(self, units: str = "si") -> Report:
        budgets = Table(list(ROW_HEADS), [list(r) for r in self.rows()])
        at = Table(["result", "value", "unit", "what"],
                   [list(r) for r in self.estimate.rows(units) if r[0] in ("gpus",) + DEFAULT_RESULTS],
                   f"At {self.gpus:,} GPUs:")
        return Report(f"{self.gpus:,} GPUs fit; the {self.binding} budget binds ({self.estimate.title})",
                      [budgets, at], self.to_dict(units), list(self.estimate.warnings), csv=budgets)

    def render(self, fmt: str = "table", units: str = "si") -> str:
        from dcpower.report import render

        return render(self.report(units), fmt)

    def _repr_markdown_(self) -> str:
        return self.render("markdown")

    def _repr_html_(self) -> str:
        return self.render("html")

    def to_frame(self):
        return frame(list(ROW_HEADS), self.rows(), "budget")

    def __repr__(self) -> str:
        return f"<Fit {self.gpus} GPUs, {self.binding} binds>"


def _largest_within(evaluate, limit: float, guess: int) -> int:
    """Largest n >= 1 with evaluate(n) <= limit, for a nondecreasing response; 0 if none.

    ``evaluate`` takes an int array and returns the response at each count (one batch of the
    chain). Each round evaluates a grid of counts across the bracket and keeps the cell that
    holds the limit: about four rounds of 25 counts reach the exact integer.
    """
    if evaluate(np.array([1]))[0] > limit:
        return 0
    lo, hi = 1, None
    n = max(2, min(guess, MAX_GPUS))
    while hi is None:  # bracket geometrically around the guess
        grid = np.unique(np.clip(np.rint(n * np.geomspace(0.5, 2.0, GRID)), lo, MAX_GPUS).astype(int))
        v = evaluate(grid)
        inside = grid[v <= limit]
        lo = max(lo, int(inside.max())) if inside.size else lo
        above = grid[v > limit]
        if above.size:
            hi = int(above.min())
        elif grid.max() >= MAX_GPUS:
            raise InputError(f"more than {MAX_GPUS:,} GPUs fit in this budget; is it in the unit you meant?")
        else:
            n = int(grid.max()) * 2
    while hi - lo > 1:  # linear grids inside the bracket
        grid = np.unique(np.linspace(lo, hi, min(GRID, hi - lo + 1)).round().astype(int))
        v = evaluate(grid)
        lo = max(lo, int(grid[v <= limit].max())) if np.any(v <= limit) else lo
        hi = int(grid[v > limit].min()) if np.any(v > limit) else hi
    return lo


def fit(scenario=None, *, power=None, grid=None, water=None, specs_dirs=(), settings: dict | None = None,
        progress=None, **overrides) -> Fit:
    """How many GPUs fit in a power, grid and/or water budget.

    Parameters
    ----------
    scenario : Scenario, str or Path, optional
        As for :func:`dcpower.estimate` (its GPU count is only the starting guess).
    power : str or Quantity, optional
        Budget for ``facility_power`` (design peak), e.g. ``"150 MW"``. [power]
    grid : str or Quantity, optional
        Budget at the meter, after the scenario's on-site turbines. [power]
    water : str or Quantity, optional
        Budget for ``water_per_day`` (annual mean), e.g. ``"1 Mgal/day"``. [volume/time]
    specs_dirs, settings, **overrides
        As for :func:`dcpower.estimate`, less ``gpus``: the count is what is solved for.
    progress : callable, optional
        Called as ``progress(done, total)`` as each budget is solved, then once more when the
        estimate at the fitted count is done (``total`` is the number of budgets plus one).

    Returns
    -------
    Fit
        ``gpus``, ``binding`` (the budget that limits), per-budget details and the
        estimate at the fitted count.

    Examples
    --------
    >>> import dcpower
    >>> f = dcpower.fit(power="20 MW")
    >>> f.binding, f.gpus > 10_000
    ('power', True)
    """
    budgets = {k: v for k, v in (("power", power), ("grid", grid), ("water", water)) if v is not None}
    if not budgets:
        raise InputError("give a budget: --power '150 MW', --grid '150 MW' or --water '1 Mgal/day'")
    fixed = overrides.pop("gpus", None)
    fixed = (settings or {}).get("gpus") if fixed is None else fixed
    if fixed is not None:  # it was dropped without a word, and the count found regardless
        raise InputError(f"gpus = {fixed} is what fit finds; leave the GPU count out (--set gpus) and give the budgets")
    limits = {k: _budget(k, v) for k, v in budgets.items()}
    base = resolve(scenario, specs_dirs=specs_dirs, settings=settings, **overrides)
    air = AirStates.hours_of(base.weather)
    counter = {"evaluations": 0}

    def evaluate(name: str, counts: np.ndarray) -> np.ndarray:
        counter["evaluations"] += len(counts)
        return _measure(name, base, chain_results(run_chain(base.with_values({"gpus": counts}), air)))

    n0 = max(1, int(base.scenario.gpus))
    found = {}
    for i, (name, q) in enumerate(limits.items()):
        if progress and i:
            progress(i, len(limits) + 1)
        unit = BUDGETS[name][2]
        limit = float(q.to(unit).magnitude)
        v0 = float(evaluate(name, np.array([n0]))[0])
        if name == "water" and v0 == 0:
            found[name] = (q, None)
            continue
        guess = int(n0 * limit / v0) if v0 > 0 else n0
        found[name] = (q, _largest_within(lambda c, _n=name: evaluate(_n, c), limit, guess))
    if progress:
        progress(len(limits), len(limits) + 1)
    result = _fitted(base, found, evaluate, counter)
    if progress:
        progress(len(limits) + 1, len(limits) + 1)
    return result


def _fitted(base: Resolved, found: dict, evaluate, counter) -> Fit:
    """The Fit: per-budget counts and values (in each budget's own unit), the binding one, the
    estimate at the fitted count."""
    constraints: dict[str, dict] = {}
    for name, (q, n) in found.items():
        result, _, unit = BUDGETS[name]
        given = format_unit(q.units)
        per_display = float(Q_(1.0, unit).to(q.units).magnitude)  # measured values come in `unit`
        if n is None:
            constraints[name] = {"budget": float(q.magnitude), "unit": given, "result": result, "gpus": None,
                                 "value_at_fit": 0.0, "value_at_next": 0.0, "note": "this cooling uses no site water"}
            continue
        at = evaluate(name, np.array([max(n, 1), n + 1])) * per_display
        constraints[name] = {"budget": float(q.magnitude), "unit": given, "result": result, "gpus": n,
                             "value_at_fit": float(at[0]) if n else None, "value_at_next": float(at[1])}
    finite = {k: c["gpus"] for k, c in constraints.items() if c["gpus"] is not None}
    if not finite:
        raise InputError("no budget limits this scenario (it uses no site water); give --power or --grid")
    binding = min(finite, key=lambda k: finite[k])
    gpus = finite[binding]
    if gpus < 1:
        raise InputError(f"not even one GPU fits in the {binding} budget "
                         f"({constraints[binding]['budget']:g} {constraints[binding]['unit']})")
    at_fit = dataclasses.replace(base, scenario=base.scenario.model_copy(update={"gpus": gpus}))
    at_fit = dataclasses.replace(at_fit, title=title_for(at_fit))
    return Fit(gpus, binding, constraints, estimate_resolved(at_fit), counter["evaluations"])
