"""Print the catalog's and the default scenario's assumptions as a markdown list.

The README's "Assumptions" section is this script's output; tests/test_readme.py checks
that every assumption in the catalog appears there, so the list cannot go stale.
Usage: python tools/list_assumptions.py
"""

from __future__ import annotations

from dcpower.catalog import load_catalog
from dcpower.scenario import load_scenario
from dcpower.spec_models import SpecValue


def assumption_keys() -> list[tuple[str, str, str]]:
    """``(key, value, reason)`` for every value whose source is ``assumption``."""
    out = []
    for spec in sorted(load_catalog().all(), key=lambda s: (s.category, s.id)):
        for name, v in spec.values().items():
            if v.is_assumption:
                out.append((f"{spec.category} {spec.id}.{name}", str(v.value), v.note or ""))
        design = getattr(spec, "design", None)
        if design is not None:
            for name in type(design).model_fields:
                v = getattr(design, name)
                if isinstance(v, SpecValue) and v.is_assumption:
                    out.append((f"{spec.category} {spec.id}.design.{name}", str(v.value), v.note or ""))
    scen = load_scenario("memphis")
    for part in (scen, scen.storage, scen.electrical, scen.onsite):
        for name in type(part).model_fields:
            v = getattr(part, name)
            if isinstance(v, SpecValue) and v.is_assumption:
                prefix = "" if part is scen else f"{type(part).__name__.lower().replace('choice', '')}."
                out.append((f"scenario memphis {prefix}{name}", str(v.value), v.note or ""))
    return out


def main() -> None:
    for key, value, reason in assumption_keys():
        short = reason if len(reason) <= 160 else reason[:157].rsplit(" ", 1)[0] + "..."
        print(f"- `{key}` = {value}: {short}")


if __name__ == "__main__":
    main()
