"""What a result shows, as plain data: a title, tables, its JSON document, warnings, steps.

Every result type (estimate, comparison, sweep, fit, uncertainty) builds a :class:`Report`
with its ``report(units)`` method; :func:`dcpower.output.render.render` turns any Report into
any output format. Keeping the report as data lets one renderer serve every command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Table", "Report", "fmt_number"]


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
