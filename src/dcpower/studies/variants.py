"""What every study shares: which fields can vary, and one variant's estimate.

A field is an estimate option (``gpus``, ``accelerator``, ``site``, ``cooling``,
``utilization``, ``pue``...), a scenario field (``electrical.design_loading``) or a field of
a spec the scenario selects (``cooling.approach``).
"""

from __future__ import annotations

from typing import Any, Mapping

from dcpower.catalog.loader import suggest
from dcpower.catalog.scenario import SPEC_FIELDS, scenario_keys
from dcpower.chain.estimate import estimate_resolved
from dcpower.chain.resolve import OVERRIDABLE, resolve
from dcpower.chain.result import Estimate
from dcpower.errors import InputError

__all__ = ["check_field", "run_variant", "MAX_VARIANTS"]

MAX_VARIANTS = 1_000


def check_field(key: str) -> None:
    """Raise InputError unless ``key`` is an estimate option, a scenario field or a spec field."""
    head, _, rest = key.partition(".")
    valid = sorted(set(OVERRIDABLE) | set(scenario_keys()))
    if key in valid or (head in SPEC_FIELDS and rest):
        return
    hint = suggest(key, valid)
    if not hint.startswith("did you mean"):
        hint = (f"use one of {', '.join(OVERRIDABLE)}, a scenario field (dcpower scenario show) "
                "or a spec field such as cooling.approach")
    raise InputError(f"unknown field '{key}'; {hint}")


def split_fields(overrides: Mapping[str, Any], settings: Mapping[str, Any] | None,
                 extra: Mapping[str, Any]) -> tuple[dict, dict]:
    """``extra`` fields go to the estimate's shortcuts when they are one, else to ``--set`` settings."""
    ov, st = dict(overrides), dict(settings or {})
    for k, v in extra.items():
        if k in OVERRIDABLE:
            ov[k] = v
        else:
            st[k] = v
    return ov, st


def run_variant(scenario, specs_dirs, settings: Mapping | None, overrides: Mapping, extra: Mapping,
                catalog=None, sizing: bool = True) -> Estimate:
    """One estimate of ``scenario`` with ``extra`` fields set (no warnings issued)."""
    ov, st = split_fields(overrides, settings, extra)
    return estimate_resolved(resolve(scenario, specs_dirs=specs_dirs, settings=st, catalog=catalog, **ov),
                             sizing=sizing)
