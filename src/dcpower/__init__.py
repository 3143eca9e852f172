"""dcpower: what a GPU cluster needs from the grid, the cooling plant and the water supply.

>>> import dcpower
>>> r = dcpower.estimate(gpus=100_000)
>>> r.facility_power.to("MW")            # doctest: +SKIP

Heavy modules load on first use, so ``import dcpower`` stays cheap.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["estimate", "load_scenario", "load_catalog", "ureg", "Q_", "Scenario", "Estimate",
           "DcpowerError", "InputError", "SpecError", "WeatherError",
           "compare", "sweep", "fit", "uncertainty"]

import sys as _sys
import types as _types

from dcpower.errors import DcpowerError, InputError, SpecError, WeatherError

# Library calls whose module has the same name (dcpower.compare is a module and a function):
# once ``import dcpower.compare`` has run, the package attribute is the module, so the module
# is made callable and ``dcpower.compare(...)`` works either way.
_CALLABLE_MODULES = {"compare": "compare", "sweep": "sweep", "fit": "fit", "uncertainty": "uncertainty"}


class _CallableModule(_types.ModuleType):
    def __call__(self, *args, **kwargs):
        return getattr(self, self.__name__.rsplit(".", 1)[1])(*args, **kwargs)


def _make_callable(module_name: str) -> None:
    _sys.modules[module_name].__class__ = _CallableModule


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
    if name in _CALLABLE_MODULES:
        import importlib

        return importlib.import_module(f"dcpower.{name}")
    raise AttributeError(f"module 'dcpower' has no attribute '{name}'")
