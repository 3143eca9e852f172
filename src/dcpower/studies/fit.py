"""The inverse questions: how many GPUs fit in a power budget, a grid allocation, a water budget.

Each budget is a constraint on a result that grows with the GPU count:

- ``power``: ``facility_power``, the facility at design IT load and design weather;
- ``grid``: what the meter must deliver at design after the scenario's own on-site turbines,
  ``max(facility_power - turbine capacity, 0)``. Batteries are not counted: they carry a
  peak for their rated hours, not the weather-driven plateau of a hot spell;
- ``water``: ``water_per_day``, the annual-mean site water.

:func:`fit` finds, for each budget, the largest integer GPU count whose result stays within it
(secant steps on the nearly linear response, then bisection to the exact integer; every
evaluation is :func:`dcpower.estimate`), and reports the smallest of them and the constraint
that binds. JSON (``Fit.to_dict()``)::

    {"gpus": 123456, "binding": "power",
     "constraints": {"power": {"budget": 150.0, "unit": "MW", "result": "facility_power",
                               "gpus": 123456, "value_at_fit": 149.99, "value_at_next": 150.01}, ...},
     "scenario": {...}, "results": {...the estimate at the fitted count...}, "warnings": [...]}
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from dcpower.errors import InputError

__all__ = ["fit", "Fit", "BUDGETS"]

# budget -> (result it limits, dimension, display unit)
BUDGETS = {
    "power": ("facility_power", "[power]", "MW"),
    "grid": ("grid_power_peak", "[power]", "MW"),
    "water": ("water_per_day", "[volume] / [time]", "m^3/d"),
}
MAX_GPUS = 10_000_000
MAX_EVALUATIONS = 60


def _budget(name: str, value):
    from dcpower.units import parse_quantity

    dim = BUDGETS[name][1]
    q = parse_quantity(value, None, f"--{name}")
    if not q.check(dim):
        example = {"power": "'150 MW'", "grid": "'150 MW'", "water": "'1 Mgal/day'"}[name]
        raise InputError(f"--{name} '{value}' is not a {'power' if 'power' in dim else 'volume per time'}; "
                         f"try e.g. {example}")
    if q.magnitude <= 0:
        raise InputError(f"--{name} must be above zero, got '{value}'")
    return q


def _onsite_power(est):
    """Firm on-site generation (turbines) the scenario puts beside the grid. [MW]"""
    from dcpower.units import Q_

    on = est.scenario.onsite
    t = est.internals.get("turbine")
    if t is not None and on.turbines:
        return (on.turbines * t.rated_power.quantity).to("MW")
    return Q_(0.0, "MW")


def _measure(name: str, est) -> float:
    """The constrained quantity of ``est``, in the budget's display unit."""
    result, _, unit = BUDGETS[name]
    if name == "grid":
        need = (est.facility_power.to("MW") - _onsite_power(est)).magnitude
        return max(float(need), 0.0)
    return float(est.results[result].to(unit).magnitude)


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
        return [(n, c["result"], f"{c['budget']:g} {c['unit']}", c["gpus"], c["value_at_fit"],
                 "binding" if n == self.binding else "") for n, c in self.constraints.items()]

    def render(self, fmt: str = "table", units: str = "si") -> str:
        from dcpower.output.render import table

        if fmt == "json":
            return json.dumps(self.to_dict(units), indent=2)
        heads = ["budget", "limits", "budget value", "gpus that fit", "value at that count", ""]
        if fmt == "csv":
            return table(heads, self.rows(), "csv")
        head = f"{self.gpus:,} GPUs fit; the {self.binding} budget binds"
        body = table(heads, self.rows(), fmt)
        if fmt == "html":
            import html

            return f"<p><b>{html.escape(head)}</b></p>{body}"
        head = f"**{head}**" if fmt == "markdown" else head
        from dcpower.studies.compare import DEFAULT_RESULTS

        rows = [r for r in self.estimate.rows(units) if r[0] in ("gpus",) + DEFAULT_RESULTS]
        at = table(["result", "value", "unit", "what"], rows, fmt)
        return "\n\n".join([head, body, f"At {self.gpus:,} GPUs:", at])

    def _repr_markdown_(self) -> str:
        return self.render("markdown")

    def _repr_html_(self) -> str:
        return self.render("html")

    def to_frame(self):
        from dcpower.chain.result import _frame

        return _frame(["budget", "limits", "budget value", "gpus", "value at fit", "binding"], self.rows(), "budget")

    def __repr__(self) -> str:
        return f"<Fit {self.gpus} GPUs, {self.binding} binds>"


def _largest_within(evaluate, limit: float, guess: int) -> tuple[int, Any, Any]:
    """Largest n >= 1 with evaluate(n)[0] <= limit, for a nondecreasing response.

    Returns (n, estimate at n, estimate at n + 1). Secant steps, then bisection.
    """
    v1, e1 = evaluate(1)
    if v1 > limit:
        return 0, e1, e1
    lo, vlo, elo = 1, v1, e1
    hi, vhi, ehi = None, None, None
    n = max(2, min(guess, MAX_GPUS))
    while hi is None:  # bracket from the secant guess
        v, e = evaluate(n)
        if v <= limit:
            lo, vlo, elo = n, v, e
            if n >= MAX_GPUS:
                raise InputError(f"more than {MAX_GPUS:,} GPUs fit in this budget; is it in the unit you meant?")
            slope = (v - v1) / (n - 1) if n > 1 and v > v1 else None
            step = int((limit - v) / slope) if slope else n
            n = min(MAX_GPUS, n + max(step + 1, max(1, n // 50)))
        else:
            hi, vhi, ehi = n, v, e
    while hi - lo > 1:  # secant (regula falsi) inside the bracket, bisection as a guard
        if vhi > vlo:
            n = lo + int((limit - vlo) / (vhi - vlo) * (hi - lo))
        else:
            n = (lo + hi) // 2
        n = min(max(n, lo + 1), hi - 1)
        v, e = evaluate(n)
        if v <= limit:
            # the response is nearly linear: probe just above before bisecting
            lo, vlo, elo = n, v, e
            if hi - lo > 2:
                v2, e2 = evaluate(lo + 1)
                if v2 > limit:
                    return lo, elo, e2
                lo, vlo, elo = lo + 1, v2, e2
        else:
            hi, vhi, ehi = n, v, e
            if hi - lo > 2:
                m = (lo + hi) // 2
                vm, em = evaluate(m)
                if vm <= limit:
                    lo, vlo, elo = m, vm, em
                else:
                    hi, vhi, ehi = m, vm, em
    return lo, elo, ehi


def fit(scenario=None, *, power=None, grid=None, water=None, specs_dirs=(), settings: dict | None = None,
        **overrides) -> Fit:
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
        As for :func:`dcpower.estimate` (``gpus`` is what is solved for).

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
    from dcpower.chain.estimate import estimate

    budgets = {k: v for k, v in (("power", power), ("grid", grid), ("water", water)) if v is not None}
    if not budgets:
        raise InputError("give a budget: --power '150 MW', --grid '150 MW' or --water '1 Mgal/day'")
    overrides.pop("gpus", None)
    limits = {k: _budget(k, v) for k, v in budgets.items()}
    cache: dict[int, Any] = {}

    def run(n: int):
        if n not in cache:
            cache[n] = estimate(scenario, specs_dirs=specs_dirs, settings=settings, gpus=n, **overrides)
        return cache[n]

    from dcpower.catalog.scenario import Scenario, load_scenario

    scen = scenario if isinstance(scenario, Scenario) else load_scenario(scenario or "memphis", specs_dirs)
    n0 = max(1, scen.gpus)
    constraints: dict[str, dict] = {}
    for name, q in limits.items():
        result, _, unit = BUDGETS[name]
        limit = float(q.to(unit).magnitude)
        e0 = run(n0)
        v0 = _measure(name, e0)
        if name == "water" and v0 == 0:
            constraints[name] = {"budget": limit, "unit": unit, "result": result, "gpus": None,
                                 "value_at_fit": 0.0, "value_at_next": 0.0,
                                 "note": "this cooling uses no site water"}
            continue
        guess = int(n0 * limit / v0) if v0 > 0 else n0
        n, e_at, e_next = _largest_within(lambda k, _n=name: (_measure(_n, run(k)), run(k)), limit, guess)
        constraints[name] = {"budget": limit, "unit": unit, "result": result, "gpus": n,
                             "value_at_fit": _measure(name, e_at) if n else None,
                             "value_at_next": _measure(name, e_next)}
    finite = {k: c["gpus"] for k, c in constraints.items() if c["gpus"] is not None}
    if not finite:
        raise InputError("no budget limits this scenario (it uses no site water); give --power or --grid")
    binding = min(finite, key=lambda k: finite[k])
    gpus = finite[binding]
    if gpus < 1:
        raise InputError(f"not even one GPU fits in the {binding} budget "
                         f"({constraints[binding]['budget']:g} {constraints[binding]['unit']})")
    return Fit(gpus, binding, constraints, run(gpus), len(cache))


