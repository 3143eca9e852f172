"""Side-by-side estimates: several scenarios, or variants of one or more fields of one scenario.

:func:`compare` runs :func:`dcpower.estimate` once per variant and returns a
:class:`Comparison`, rendered with one column per variant and the change against the first.

JSON shape (``Comparison.to_dict()``, ``dcpower compare --format json``)::

    {"variants": ["cooling=air-chiller", "cooling=dlc-tower"],
     "varied": {"cooling": ["air-chiller", "dlc-tower"]},      # null for scenario files
     "scenarios": [{...resolved scenario...}, ...],
     "results": {"facility_power": [{"value": 131.5, "unit": "MW", "delta": 0.0, "delta_percent": 0.0},
                                    {"value": 122.2, "unit": "MW", "delta": -9.3, "delta_percent": -7.1}],
                 ...},
     "warnings": {"cooling=air-chiller": [...], ...}}

``delta`` is the value minus the first variant's, in the same unit; ``delta_percent`` is
``null`` when the first value is zero.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any, Sequence

from dcpower.errors import InputError

__all__ = ["compare", "Comparison", "parse_vary", "DEFAULT_RESULTS"]

# The results a compact table shows (compare --results all shows every one).
DEFAULT_RESULTS = ("it_power", "facility_power", "facility_power_average", "pue", "pue_design",
                   "annual_energy", "annual_water", "water_per_day", "wue", "grid_power_peak",
                   "annual_cost", "annual_co2")


def parse_vary(text: str) -> tuple[str, list[str]]:
    """``"cooling=air-chiller,dlc-tower"`` -> ``("cooling", ["air-chiller", "dlc-tower"])``."""
    key, sep, values = text.partition("=")
    key = key.strip()
    vals = [v.strip() for v in values.split(",") if v.strip()]
    if not sep or not key or not vals:
        raise InputError(f"--vary '{text}': write FIELD=VALUE,VALUE,..., e.g. --vary cooling=air-chiller,dlc-tower")
    return key, vals


def _check_field(key: str) -> None:
    """Raise InputError unless ``key`` is an estimate option or a --set key."""
    from dcpower.catalog.loader import suggest
    from dcpower.chain.estimate import OVERRIDABLE
    from dcpower.catalog.scenario import SPEC_FIELDS, scenario_keys

    head, _, rest = key.partition(".")
    valid = sorted(set(OVERRIDABLE) | set(scenario_keys()))
    if key in valid or (head in SPEC_FIELDS and rest):
        return
    hint = suggest(key, valid)
    if not hint.startswith("did you mean"):
        hint = (f"use one of {', '.join(OVERRIDABLE)}, a scenario field (dcpower scenario show) "
                "or a spec field such as cooling.approach")
    raise InputError(f"unknown field '{key}'; {hint}")


def _run(scenario, specs_dirs, settings: dict, overrides: dict, extra: dict):
    """One estimate: ``extra`` fields go to overrides when they are shortcuts, else to settings."""
    from dcpower.chain.estimate import OVERRIDABLE, estimate

    ov, st = dict(overrides), dict(settings or {})
    for k, v in extra.items():
        if k in OVERRIDABLE:
            ov[k] = v
        else:
            st[k] = v
    return estimate(scenario, specs_dirs=specs_dirs, settings=st, **ov)


@dataclass
class Comparison:
    """Estimates side by side: ``variants`` (labels) and ``estimates`` in the same order.

    ``results`` names the rows a table shows (all results when ``None``).
    """

    variants: list[str]
    estimates: list[Any]
    varied: dict[str, list] | None = None
    results: Sequence[str] | None = None
    title: str = "dcpower compare"
    units: str = "si"
    _cache: dict = field(default_factory=dict, repr=False)

    def names(self) -> list[str]:
        """Result names shown: the requested ones present in every estimate, in order."""
        every = [n for n in self.estimates[0].results if all(n in e.results for e in self.estimates)]
        if self.results is None:
            return every
        return [n for n in self.results if n in every]

    def to_dict(self, units: str | None = None, names: Sequence[str] | None = None) -> dict:
        units = units or self.units
        dicts = [e.to_dict(units) for e in self.estimates]
        out: dict[str, list] = {}
        for name in names or [n for n in dicts[0]["results"] if all(n in d["results"] for d in dicts)]:
            first = dicts[0]["results"][name]["value"]
            col = []
            for d in dicts:
                v = d["results"][name]
                delta = v["value"] - first
                col.append({"value": v["value"], "unit": v["unit"], "delta": delta,
                            "delta_percent": 100 * delta / first if first else None})
            out[name] = col
        return {"variants": list(self.variants), "varied": self.varied,
                "scenarios": [d["scenario"] for d in dicts], "results": out,
                "warnings": {v: d["warnings"] for v, d in zip(self.variants, dicts)}}

    def value(self, name: str, i: int) -> float:
        """Result ``name`` of variant ``i`` in its display unit."""
        return float(self.estimates[i].value(name, self.units).magnitude)

    def _cell(self, entry: dict, first: bool) -> str:
        from dcpower.output.render import _fmt_number

        text = _fmt_number(entry["value"])
        if not first:
            p = entry["delta_percent"]
            text += f" ({p:+.1f} %)" if p is not None else (" (+0)" if entry["delta"] == 0 else
                                                              f" ({_fmt_number(entry['delta'])})")
        return text

    def render(self, fmt: str = "table", units: str | None = None) -> str:
        """One row per result, one column per variant; later columns show the change in %."""
        from dcpower.output.render import table

        units = units or self.units
        d = self.to_dict(units, self.names())
        if fmt == "json":
            return json.dumps(d, indent=2)
        if fmt == "csv":
            heads = ["result", "unit"] + [x for v in self.variants for x in (v, f"{v} delta")]
            rows = [[n, col[0]["unit"]] + [x for e in col for x in (e["value"], e["delta"])]
                    for n, col in d["results"].items()]
            return table(heads, rows, "csv")
        heads = ["result", "unit"] + list(self.variants)
        rows = [[n, col[0]["unit"]] + [self._cell(e, i == 0) for i, e in enumerate(col)]
                for n, col in d["results"].items()]
        body = table(heads, rows, fmt)
        notes = [f"warning ({v}): {w}" for v, ws in d["warnings"].items() for w in ws]
        if fmt == "html":
            import html

            return (f"<p><b>{html.escape(self.title)}</b> (change against {html.escape(self.variants[0])})</p>"
                    + body + "".join(f"<p>{html.escape(n)}</p>" for n in notes))
        title = f"{self.title} (change against {self.variants[0]})"
        title = f"**{title}**" if fmt == "markdown" else title
        return "\n\n".join([title, body] + (["\n".join(notes)] if notes else []))

    def summary(self) -> str:
        return self.render("table")

    def _repr_markdown_(self) -> str:
        return self.render("markdown")

    def _repr_html_(self) -> str:
        return self.render("html")

    def to_frame(self, units: str | None = None):
        """Values as a pandas DataFrame: one row per result, one column per variant."""
        from dcpower.chain.result import _frame

        d = self.to_dict(units, self.names())["results"]
        rows = [[n, col[0]["unit"]] + [e["value"] for e in col] for n, col in d.items()]
        return _frame(["result", "unit"] + list(self.variants), rows, "result")

    def __repr__(self) -> str:
        return f"<Comparison of {len(self.variants)}: {', '.join(self.variants)}>"


def compare(scenarios: Sequence[Any] | None = None, *, vary: dict[str, Sequence] | Sequence[str] | None = None,
            results: Sequence[str] | None = DEFAULT_RESULTS, specs_dirs=(), settings: dict | None = None,
            units: str = "si", **overrides) -> Comparison:
    """Estimates side by side, with the change against the first.

    Parameters
    ----------
    scenarios : sequence of Scenario, str or Path, optional
        Scenarios to compare (ids or TOML files). With ``vary``, at most one: the base.
    vary : dict or sequence of str, optional
        ``{"cooling": ["air-chiller", "dlc-tower"]}`` or ``["cooling=air-chiller,dlc-tower"]``.
        Keys are estimate options (``gpus``, ``accelerator``, ``site``, ``cooling``, ...) or
        ``--set`` keys (``cooling.approach``). Several keys give every combination.
    results : sequence of str, optional
        Results a table shows; ``None`` for all. JSON from ``to_dict()`` holds all.
    specs_dirs, settings, **overrides
        As for :func:`dcpower.estimate`, applied to every variant.

    Returns
    -------
    Comparison

    Examples
    --------
    >>> import dcpower
    >>> c = dcpower.compare(vary={"cooling": ["air-chiller", "dlc-tower"]}, gpus=10_000)
    >>> c.variants
    ['cooling=air-chiller', 'cooling=dlc-tower']
    """
    from dcpower.chain.result import RESULT_UNITS

    if results is not None:
        unknown = [r for r in results if r not in RESULT_UNITS]
        if unknown:
            from dcpower.catalog.loader import suggest

            raise InputError(f"unknown result '{unknown[0]}'; {suggest(unknown[0], list(RESULT_UNITS))}")
    scenarios = list(scenarios or [])
    if vary:
        if isinstance(vary, dict):
            pairs = [(k, [str(x) for x in v]) for k, v in vary.items()]
        else:
            pairs = [parse_vary(v) for v in vary]
        for k, vals in pairs:
            _check_field(k)
            if not vals:
                raise InputError(f"--vary {k}: give at least one value")
        if len(scenarios) > 1:
            raise InputError("with --vary, give at most one scenario (the base)")
        base = scenarios[0] if scenarios else overrides.pop("scenario", None)
        keys = [k for k, _ in pairs]
        labels, ests = [], []
        for combo in itertools.product(*[v for _, v in pairs]):
            extra = dict(zip(keys, combo))
            labels.append(", ".join(f"{k}={v}" for k, v in extra.items()))
            ests.append(_run(base, specs_dirs, settings, overrides, extra))
        return Comparison(labels, ests, {k: v for k, v in pairs}, results, units=units)
    if len(scenarios) < 1:
        raise InputError("give scenarios to compare (dcpower compare a.toml b.toml) or --vary FIELD=A,B")
    from pathlib import Path

    labels, ests = [], []
    for s in scenarios:
        label = Path(str(s)).stem if str(s).endswith(".toml") else str(getattr(s, "id", s))
        while label in labels:
            label += "'"
        labels.append(label)
        ests.append(_run(s, specs_dirs, settings, overrides, {}))
    return Comparison(labels, ests, None, results, units=units)


