"""Rendering: one renderer per format (table, markdown, html, csv, json) for every command.

A result object (estimate, comparison, sweep, fit, uncertainty, a size or grid view) says
what it shows as a :class:`Report`: a title, tables, its JSON document and its warnings.
:func:`render` turns any Report into any format, so every command prints the same way.
"""

from __future__ import annotations



from dcpower.report import Report, Table, explain_text, fmt_number, fmt_value, render, table, to_json
from dcpower.units import format_unit

__all__ = ["render", "to_json", "table", "fmt_value", "fmt_number", "explain_text", "spec_rows",
           "spec_to_json", "FORMATS", "Report", "Table"]

FORMATS = ("table", "json", "csv", "markdown")  # html too, for notebooks


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
