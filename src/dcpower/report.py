"""What a result shows, and the one renderer per format that shows it.

Every result type (estimate, comparison, sweep, fit, uncertainty, size and grid views)
builds a :class:`Report` (title, tables, its JSON document, warnings, steps) with its
``report(units)`` method; :func:`render` turns any Report into table, markdown, html, csv
or json. One renderer serves every command and the notebook views.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from dcpower.units import format_unit

__all__ = ["Table", "Report", "render", "to_json", "table", "fmt_number", "fmt_value", "explain_text"]


@dataclass
class Table:
    """One table: column headers and rows (numbers stay numbers; the renderer formats them)."""

    headers: list[str]
    rows: list[list[Any]]
    caption: str | None = None


@dataclass
class Report:
    """What a command shows.

    ``tables`` are shown in order under ``title``; ``csv`` is the one table CSV output holds
    (the first when not given); ``data`` is the JSON document; ``steps`` (``--explain``) are
    shown before the tables.
    """

    title: str
    tables: list[Table]
    data: dict
    warnings: list[str] = field(default_factory=list)
    csv: Table | None = None
    steps: list | None = None


def fmt_number(v: Any) -> str:
    """A number, short and readable: thousands separators, about three significant digits."""
    if v is None:
        return "-"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if v == 0:
            return "0"
        if v.is_integer() and abs(v) < 1e15:
            return f"{int(v):,}"
        a = abs(v)
        if a >= 1e5:
            return f"{v:,.0f}"
        if a >= 100:
            return f"{v:,.1f}"
        if a >= 1:
            return f"{v:.3g}" if a < 10 else f"{v:.1f}"
        return f"{v:.3g}"
    return str(v)


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


WRAP_WIDTH = 80  # characters of a text-table column before its cells wrap


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
    # A terminal table wraps a column of long prose (a reason, a note) instead of printing
    # lines hundreds of characters wide; markdown and html keep each cell on one line.
    widths = None
    if fmt == "table":
        longest = [max((len(str(c)) for c in col), default=0) for col in zip(*shown)] if shown else []
        widths = [WRAP_WIDTH if n > WRAP_WIDTH else None for n in longest] or None
    return tabulate(shown, headers=headers, tablefmt={"markdown": "github", "html": "unsafehtml"}.get(fmt, "simple"),
                    disable_numparse=True, maxcolwidths=widths)


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
