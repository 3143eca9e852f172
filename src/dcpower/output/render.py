"""Rendering of results and specs: one function per kind of output, every format in one place."""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable, Sequence

from dcpower.units import format_unit

FORMATS = ("table", "json", "csv", "markdown")


def _fmt_number(v: Any) -> str:
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
        return f"{_fmt_number(float(mag))} {unit}".strip()
    if isinstance(v, float):
        return _fmt_number(v)
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

    shown = [[_fmt_number(c) if isinstance(c, (int, float)) and not isinstance(c, bool) else c
              for c in r] for r in rows]
    if fmt == "html":
        import html

        shown = [[html.escape(str(c)) for c in r] for r in shown]
        headers = [html.escape(str(h)) for h in headers]
    return tabulate(shown, headers=headers, tablefmt={"markdown": "github", "html": "unsafehtml"}.get(fmt, "simple"),
                    disable_numparse=True)


def render_estimate(est, fmt: str, units: str = "si") -> str:
    if fmt == "json":
        return json.dumps(est.to_dict(units), indent=2)
    rows = est.rows(units)
    if fmt == "csv":
        return table(["name", "value", "unit", "description"], rows, "csv")
    title = f"dcpower estimate: {est.scenario.name}"
    body = table(["result", "value", "unit", "what"], rows, fmt)
    if fmt == "html":
        import html

        notes = "".join(f"<p>warning: {html.escape(w)}</p>" for w in est.warnings)
        return f"<p><b>{html.escape(title)}</b></p>{body}{notes}"
    notes = "\n".join(f"warning: {w}" for w in est.warnings)
    if fmt == "markdown":
        return f"**{title}**\n\n{body}" + (f"\n\n{notes}" if notes else "")
    return f"{title}\n\n{body}" + (f"\n\n{notes}" if notes else "")


def _wrap(text: str, width: int = 100) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def render_explain(est, fmt: str = "table") -> str:
    """Every step: formula, inputs with unit and source, results."""
    out = [f"dcpower estimate, step by step: {est.scenario.name}", ""]
    for i, step in enumerate(est.steps, 1):
        md = fmt == "markdown"
        out.append(f"{'### ' if md else ''}{i}. {step.title}")
        out.append(f"   formula: {step.formula}" if not md else f"`{step.formula}`")
        if step.inputs:
            out.append(table(["input", "value", "source"],
                             [(x.name, fmt_value(x.value), x.source if md else _wrap(x.source))
                              for x in step.inputs],
                             "markdown" if md else "table"))
        if step.results:
            out.append(table(["result", "value"], [(n, fmt_value(v)) for n, v in step.results],
                             "markdown" if md else "table"))
        if step.note:
            out.append(f"   note: {step.note}")
        out.append("")
    for w in est.warnings:
        out.append(f"warning: {w}")
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


def write_atomic(path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all: a temporary file beside it, then rename.

    Raises InputError (one line) when the folder is missing or not writable.
    """
    import os
    import tempfile
    from pathlib import Path

    from dcpower.errors import InputError

    p = Path(path)
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"cannot write {path}: folder '{folder}' does not exist")
    if p.is_dir():
        raise InputError(f"cannot write {path}: it is a folder; give a file name")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual permissions
        os.replace(tmp, p)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None

