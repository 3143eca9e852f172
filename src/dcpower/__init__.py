"""dcpower: what a GPU cluster needs from the grid, the cooling plant and the water supply.

>>> import dcpower
>>> r = dcpower.estimate(gpus=100_000)
>>> r.facility_power.to("MW")            # doctest: +SKIP

Heavy modules load on first use, so ``import dcpower`` stays cheap.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["estimate", "load_scenario", "load_catalog", "ureg", "Q_", "Scenario", "Estimate",
           "DcpowerError", "InputError", "SpecError", "WeatherError"]

from dcpower.errors import DcpowerError, InputError, SpecError, WeatherError


def __getattr__(name):
    if name == "estimate":
        from dcpower.pipeline import estimate
        return estimate
    if name in ("load_scenario", "Scenario"):
        from dcpower import scenario
        return getattr(scenario, name)
    if name == "load_catalog":
        from dcpower.catalog import load_catalog
        return load_catalog
    if name in ("ureg", "Q_"):
        from dcpower import units
        return getattr(units, name)
    if name == "Estimate":
        from dcpower.result import Estimate
        return Estimate
    raise AttributeError(f"module 'dcpower' has no attribute '{name}'")
