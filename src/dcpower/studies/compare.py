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
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from dcpower.catalog.loader import load_catalog, suggest
from dcpower.chain.result import RESULT_UNITS, display_unit, frame
from dcpower.errors import InputError
from dcpower.report import Report, Table, fmt_number
from dcpower.studies.variants import MAX_VARIANTS, check_field, run_variant
from dcpower.units import Q_

__all__ = ["compare", "Comparison", "parse_vary", "vary_pairs", "check_results", "DEFAULT_RESULTS"]

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


@dataclass
class Comparison:
    """Results side by side: ``variants`` (labels), ``columns`` (each result, one value per variant).

    ``results`` names the rows a table shows (all results when ``None``); ``estimates`` holds
    the variants' :class:`~dcpower.chain.result.Estimate` when each was run on its own (compare),
    and is empty for a batch (sweep).
    """

    variants: list[str]
    columns: dict[str, Any]  # result name -> Quantity array, one value per variant
    scenarios: list[dict]
    warnings: list[list[str]]
    varied: dict[str, list] | None = None
    results: Sequence[str] | None = None
    title: str = "dcpower compare"
    units: str = "si"
    estimates: list[Any] = field(default_factory=list)

    @classmethod
    def of_estimates(cls, variants, estimates, **kwargs) -> "Comparison":
        names = [n for n in estimates[0].results if all(n in e.results for e in estimates)]
        columns = {}
        for n in names:
            unit = estimates[0].results[n].units
            columns[n] = Q_(np.array([float(e.results[n].to(unit).magnitude) for e in estimates]), unit)
        return cls(list(variants), columns, [e.resolved.to_dict() for e in estimates],
                   [list(e.warnings) for e in estimates], estimates=list(estimates), **kwargs)

    def names(self) -> list[str]:
        """Result names shown: the requested ones present in every variant, in order."""
        if self.results is None:
            return list(self.columns)
        return [n for n in self.results if n in self.columns]

    def column(self, name: str, units: str | None = None) -> np.ndarray:
        """Result ``name`` of every variant, in its display unit."""
        q = self.columns[name]
        unit = display_unit(name, units or self.units)
        return np.asarray(q.to(unit).magnitude if unit else q.to("dimensionless").magnitude, dtype=float)

    def value(self, name: str, i: int, units: str | None = None) -> float:
        """Result ``name`` of variant ``i`` in its display unit."""
        return float(self.column(name, units)[i])

    def to_dict(self, units: str | None = None, names: Sequence[str] | None = None) -> dict:
        units = units or self.units
        out: dict[str, list] = {}
        for name in names or list(self.columns):
            unit = display_unit(name, units)
            values = self.column(name, units)
            first = float(values[0])
            out[name] = [{"value": float(v), "unit": unit, "delta": float(v) - first,
                          "delta_percent": 100 * (float(v) - first) / first if first else None} for v in values]
        return {"variants": list(self.variants), "varied": self.varied, "scenarios": list(self.scenarios),
                "results": out, "warnings": {v: list(w) for v, w in zip(self.variants, self.warnings)}}

    @staticmethod
    def _cell(entry: dict, first: bool) -> str:
        text = fmt_number(entry["value"])
        if not first:
            p = entry["delta_percent"]
            text += f" ({p:+.1f} %)" if p is not None else (" (+0)" if entry["delta"] == 0 else
                                                              f" ({fmt_number(entry['delta'])})")
        return text

    def report(self, units: str | None = None) -> Report:
        """One row per result, one column per variant; later columns show the change in %."""
        units = units or self.units
        d = self.to_dict(units, self.names())
        heads = ["result", "unit"] + list(self.variants)
        rows = [[n, col[0]["unit"]] + [self._cell(e, i == 0) for i, e in enumerate(col)]
                for n, col in d["results"].items()]
        csv_heads = ["result", "unit"] + [x for v in self.variants for x in (v, f"{v} delta")]
        csv_rows = [[n, col[0]["unit"]] + [x for e in col for x in (e["value"], e["delta"])]
                    for n, col in d["results"].items()]
        notes = [f"({v}) {w}" for v, ws in d["warnings"].items() for w in ws]
        return Report(f"{self.title} (change against {self.variants[0]})", [Table(heads, rows)], d, notes,
                      csv=Table(csv_heads, csv_rows))

    def render(self, fmt: str = "table", units: str | None = None) -> str:
        from dcpower.report import render

        return render(self.report(units), fmt)

    def summary(self) -> str:
        return self.render("table")

    def _repr_markdown_(self) -> str:
        return self.render("markdown")

    def _repr_html_(self) -> str:
        return self.render("html")

    def to_frame(self, units: str | None = None):
        """Values as a pandas DataFrame: one row per result, one column per variant."""
        d = self.to_dict(units, self.names())["results"]
        rows = [[n, col[0]["unit"]] + [e["value"] for e in col] for n, col in d.items()]
        return frame(["result", "unit"] + list(self.variants), rows, "result")

    def __repr__(self) -> str:
        return f"<Comparison of {len(self.variants)}: {', '.join(self.variants)}>"



def check_results(results: Sequence[str] | None) -> None:
    """Raise InputError unless every name in ``results`` is a result dcpower computes."""
    if results is None:
        return
    if isinstance(results, str) or not all(isinstance(r, str) for r in results):
        raise InputError(f"results must be a list of result names such as ['facility_power', 'pue'], got {results!r}")
    if not results:
        raise InputError("no results named; give at least one, e.g. facility_power,pue, or all")
    unknown = [r for r in results if r not in RESULT_UNITS]
    if unknown:
        raise InputError(f"unknown result '{unknown[0]}'; {suggest(unknown[0], list(RESULT_UNITS))}")



def _scenario_list(scenarios) -> list:
    """``scenarios`` as a list; one id, path or Scenario is a list of one (not of its letters)."""
    if scenarios is None:
        return []
    if isinstance(scenarios, (str, Path)) or hasattr(scenarios, "model_dump"):
        return [scenarios]
    try:
        return list(scenarios)
    except TypeError:
        raise InputError(f"scenarios must be a list of scenario ids or TOML files, got {scenarios!r}") from None


def vary_pairs(vary, overrides: dict, settings: dict | None) -> list[tuple[str, list[str]]]:
    """``(field, values)`` of ``vary``; a field varied twice, or varied and also fixed by an
    option or a setting, is refused (one of the two would be silently lost)."""
    if isinstance(vary, dict):
        pairs = [(k, [str(v)] if isinstance(v, (str, int, float)) else [str(x) for x in v])
                 for k, v in vary.items()]
    else:
        pairs = [parse_vary(v) for v in ([vary] if isinstance(vary, str) else vary)]
    seen = set()
    for k, vals in pairs:
        check_field(k)
        if not vals:
            raise InputError(f"--vary {k}: give at least one value")
        if k in seen:
            raise InputError(f"--vary {k} is given twice; put all its values in one: --vary {k}=A,B,C")
        seen.add(k)
        fixed = overrides.get(k) if overrides.get(k) is not None else (settings or {}).get(k)
        if fixed is not None:
            how = f"--{k.replace('_', '-')} {fixed}" if k in overrides else f"--set {k}={fixed}"
            raise InputError(f"{k} is both varied (--vary {k}=...) and fixed ({how}); drop one of the two")
    return pairs


def compare(scenarios: Sequence[Any] | None = None, *, vary: dict[str, Sequence] | Sequence[str] | None = None,
            results: Sequence[str] | None = DEFAULT_RESULTS, specs_dirs=(), settings: dict | None = None,
            units: str = "si", progress=None, **overrides) -> Comparison:
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
    progress : callable, optional
        Called as ``progress(done, total)`` as each variant or scenario is done.
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
    check_results(results)
    scenarios = _scenario_list(scenarios)
    if vary:
        pairs = vary_pairs(vary, overrides, settings)
        if len(scenarios) > 1:
            raise InputError("with --vary, give at most one scenario (the base)")
        base = scenarios[0] if scenarios else overrides.pop("scenario", None)
        keys = [k for k, _ in pairs]
        count = math.prod(len(v) for _, v in pairs)  # counted before the combinations are built
        if count > MAX_VARIANTS:
            raise InputError(f"{count:,} variants is more than the {MAX_VARIANTS:,} a comparison runs; "
                             "vary fewer fields or values")
        combos = list(itertools.product(*[v for _, v in pairs]))
        catalog = load_catalog(specs_dirs)
        labels, ests = [], []
        for i, combo in enumerate(combos):
            extra = dict(zip(keys, combo))
            labels.append(", ".join(f"{k}={v}" for k, v in extra.items()))
            ests.append(run_variant(base, specs_dirs, settings, overrides, extra, catalog))
            if progress:
                progress(i + 1, len(combos))
        return Comparison.of_estimates(labels, ests, varied={k: v for k, v in pairs}, results=results, units=units)
    if len(scenarios) < 1:
        raise InputError("give scenarios to compare (dcpower compare a.toml b.toml) or --vary FIELD=A,B")
    if len(scenarios) > MAX_VARIANTS:
        raise InputError(f"{len(scenarios):,} scenarios is more than the {MAX_VARIANTS:,} a comparison runs; "
                         "compare fewer at a time")
    catalog = load_catalog(specs_dirs)
    labels, ests = [], []
    for i, s in enumerate(scenarios):
        label = Path(str(s)).stem if str(s).endswith(".toml") else str(getattr(s, "id", s))
        while label in labels:
            label += "'"
        labels.append(label)
        ests.append(run_variant(s, specs_dirs, settings, overrides, {}, catalog))
        if progress:
            progress(i + 1, len(scenarios))
    return Comparison.of_estimates(labels, ests, results=results, units=units)


