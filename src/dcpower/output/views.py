"""Views: which results a command shows, grouped in sections (``dcpower size``, ``dcpower grid``)."""

from __future__ import annotations

from typing import Any

__all__ = ["SIZE_VIEW", "GRID_VIEW", "view_rows", "view_report"]


SIZE_VIEW = {
    "electrical": ["it_power", "facility_power", "grid_apparent_power", "redundancy", "ups_modules", "ups_capacity",
                   "transformers", "substation_transformers", "substation_capacity", "generators",
                   "generator_capacity"],
    "cooling": ["heat_rejection_capacity", "cooling_towers", "dry_coolers", "heat_rejection_installed", "cdus",
                "chillers", "chiller_capacity_required", "facility_water_flow", "supply_temperature_available",
                "supply_temperature_margin"],
    "space": ["gpus", "servers", "racks", "rows", "halls", "white_space_area"],
}

GRID_VIEW = {
    "swing": ["it_power", "power_swing", "grid_ramp_rate"],
    "battery": ["ramp_limit", "battery_power_required", "battery_energy_required", "battery_power_installed",
                "battery_energy_installed", "grid_swing_with_battery", "grid_ramp_rate_with_battery"],
    "supply": ["facility_power", "grid_power_peak", "unserved_energy"],
}


def view_report(est, view: dict, title: str, units: str = "si"):
    """A :class:`~dcpower.report.Report` of the results in ``view``, by section (JSON: the same results)."""
    from dcpower.report import Report, Table

    rows = view_rows(est, view, units)
    full = est.to_dict(units)
    data = {"scenario": full["scenario"], "results": {r[1]: full["results"][r[1]] for r in rows},
            "warnings": full["warnings"]}
    return Report(f"dcpower {title}: {est.title}", [Table(["section", "result", "value", "unit", "what"],
                                                          [list(r) for r in rows])], data, list(est.warnings))


def view_rows(est, view: dict, units: str = "si") -> list[tuple[str, str, Any, str, str]]:
    """``(section, name, value, unit, description)`` rows of a view; phases appended to the grid view."""
    rows_by_name = {name: (value, unit, what) for name, value, unit, what in est.rows(units)}
    out = []
    for section, names in view.items():
        for name in names:
            if name in rows_by_name:
                out.append((section, name, *rows_by_name[name]))
    if view is GRID_VIEW:
        for name, (value, unit, what) in rows_by_name.items():
            if name.startswith("phase_") or name.startswith("phases_"):
                out.append(("phases", name, value, unit, what))
    return out
