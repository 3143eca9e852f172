"""Rendering: one renderer per format (table, markdown, html, csv, json) for every command.

A result object (estimate, comparison, sweep, fit, uncertainty, a size or grid view) says
what it shows as a :class:`Report`: a title, tables, its JSON document and its warnings.
:func:`render` turns any Report into any format, so every command prints the same way.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable, Sequence

from dcpower.report import Report, Table, fmt_number
from dcpower.units import format_unit

__all__ = ["render", "to_json", "table", "fmt_value", "fmt_number", "explain_text", "spec_rows",
           "spec_to_json", "FORMATS", "Report", "Table"]

FORMATS = ("table", "json", "csv", "markdown")  # html too, for notebooks


def fmt_value(v: Any) -> str:
    """A Quantity, number or text, short and readable."""
    if hasattr(v, "magnitude") and hasattr(v, "units"):
        mag = v.magnitude
        unit = format_unit(v.units)
        if hasattr(mag, "__len__"):
            return f"[{len(mag)} values] {unit}"
        return f"{fmt_number(float(mag))} {unit}".strip()
    if isinstance(v, float):
        return fmt_number(v)
    return "-" if v is None else str(v)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str) -> str:
    """Rows as a table (tabulate), CSV or markdown; JSON is handled by callers."""
    rows = [list(r) for r in rows]
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(headers)
        w.writerows(rows)
        return buf.getvalue().rstrip("\n")
    from tabulate import tabulate

    shown = [[fmt_number(c) if isinstance(c, (int, float)) and not isinstance(c, bool) else c
              for c in r] for r in rows]
    if fmt == "html":
        import html

        shown = [[html.escape(str(c)) for c in r] for r in shown]
        headers = [html.escape(str(h)) for h in headers]
    return tabulate(shown, headers=headers, tablefmt={"markdown": "github", "html": "unsafehtml"}.get(fmt, "simple"),
                    disable_numparse=True)


def render(obj, fmt: str = "table", units: str = "si", *, warnings: bool = True, **options) -> str:
    """``obj`` (anything with a ``report(units, **options)`` method, or a Report) in format ``fmt``.

    Formats: table, markdown, html, csv, json. With ``warnings=True`` the warnings close the
    text formats (notebooks, ``summary()``); the CLI passes False and prints them on stderr.
    JSON always carries them in its ``warnings`` list.
    """
    rep = obj if isinstance(obj, Report) else obj.report(units, **options)
    if fmt == "json":
        return to_json(rep.data)
    if fmt == "csv":
        t = rep.csv or rep.tables[0]
        return table(t.headers, t.rows, "csv")
    notes = [f"warning: {w}" for w in rep.warnings] if warnings else []
    if fmt == "html":
        import html

        parts = [f"<p><b>{html.escape(rep.title)}</b></p>"]
        parts += [(f"<p>{html.escape(t.caption)}</p>" if t.caption else "") + table(t.headers, t.rows, "html")
                  for t in rep.tables]
        return "".join(parts + [f"<p>{html.escape(n)}</p>" for n in notes])
    head = f"**{rep.title}**" if fmt == "markdown" else rep.title
    parts = [head] + ([explain_text(rep.steps, fmt)] if rep.steps else [])
    parts += [(f"{t.caption}\n\n" if t.caption else "") + table(t.headers, t.rows, fmt) for t in rep.tables]
    return "\n\n".join(parts + (["\n".join(notes)] if notes else []))


def to_json(data) -> str:
    """JSON text of ``data``; NaN and infinities become null (JSON has neither)."""
    import math

    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        return v

    return json.dumps(clean(data), indent=2, allow_nan=False)


def _wrap(text: str, width: int = 100) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def explain_text(steps, fmt: str = "table") -> str:
    """Every step: formula, inputs with value and source, results."""
    md = fmt == "markdown"
    out = []
    for i, step in enumerate(steps, 1):
        out.append(f"{'### ' if md else ''}{i}. {step.title}")
        out.append(f"   formula: {step.formula}" if not md else f"`{step.formula}`")
        if step.inputs:
            out.append(table(["input", "value", "source"],
                             [(x.name, fmt_value(x.value), x.source if md else _wrap(x.source)) for x in step.inputs],
                             "markdown" if md else "table"))
        if step.results:
            out.append(table(["result", "value"], [(n, fmt_value(v)) for n, v in step.results],
                             "markdown" if md else "table"))
        if step.note:
            out.append(f"   note: {step.note}")
        out.append("")
    return "\n".join(out).rstrip()


def spec_rows(spec) -> list[tuple[str, str, str]]:
    """``(field, value, source)`` for every field of a spec."""
    from dcpower.catalog.models import SpecCurve, SpecValue

    rows = []
    for name in type(spec).model_fields:
        v = getattr(spec, name)
        if v is None:
            continue
        if isinstance(v, SpecValue):
            val = str(v.value)
            if v.low is not None or v.high is not None:
                val += f" [{v.low if v.low is not None else ''} .. {v.high if v.high is not None else ''}]"
            src = v.citation() + (f" <{v.url}>" if v.url else "")
            if v.note and not v.is_assumption:
                src += f"; note: {v.note}"
            rows.append((name, val, src))
        elif isinstance(v, SpecCurve):
            pts = ", ".join(f"{x:g}: {e:g}" for x, e in zip(v.load, v.efficiency))
            rows.append((name, f"load: efficiency = {pts}", v.citation() + (f" <{v.url}>" if v.url else "")))
        elif hasattr(v, "model_fields"):
            for sub in type(v).model_fields:
                sv = getattr(v, sub)
                if isinstance(sv, SpecValue):
                    rows.append((f"{name}.{sub}", str(sv.value), sv.citation()))
        else:
            rows.append((name, str(v), ""))
    return rows


def spec_to_json(spec) -> dict:
    from dcpower.catalog.models import SpecValue

    d = {"category": spec.category}
    for name in type(spec).model_fields:
        v = getattr(spec, name)
        if v is None:
            continue
        if isinstance(v, SpecValue):
            entry = v.model_dump(exclude_none=True)
            q = v.quantity
            entry["magnitude"] = float(q.magnitude)
            entry["unit"] = format_unit(q.units) if str(q.units) != "dimensionless" else ""
            d[name] = entry
        elif hasattr(v, "model_dump"):
            d[name] = v.model_dump(exclude_none=True)
        else:
            d[name] = v
    return d
