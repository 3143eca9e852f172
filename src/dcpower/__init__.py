"""dcpower: what a GPU cluster needs from the grid, the cooling plant and the water supply.

>>> import dcpower
>>> r = dcpower.estimate(gpus=100_000)
>>> r.facility_power.to("MW")            # doctest: +SKIP

The package, by folder: ``physics/`` (one small pure function per physical relation),
``catalog/`` (spec and scenario models, the catalog loader), ``weather/`` (typical-year
weather), ``chain/`` (the model chain: resolve a scenario, run the steps, the typed result),
``studies/`` (compare, sweep, fit, uncertainty: ways of calling the chain), ``output/``
(tables, JSON, CSV, plots, files) and ``cli.py``.

Heavy modules load on first use, so ``import dcpower`` stays cheap. :data:`__all__` names
every public entry point (the README's library section lists the same names).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

from dcpower.errors import DcpowerError, InputError, SpecError, WeatherError

__all__ = [
    # estimate, and the studies that call it
    "estimate", "Estimate", "Hourly", "compare", "Comparison", "sweep", "Sweep", "fit", "Fit",
    "uncertainty", "UncertainEstimate", "validate", "Validation",
    # inputs: scenarios, the spec catalog, weather
    "resolve", "Resolved", "load_scenario", "Scenario", "load_catalog", "Catalog", "read_epw", "Weather",
    # units
    "ureg", "Q_", "parse_quantity",
    # errors and warnings
    "DcpowerError", "InputError", "SpecError", "WeatherError", "DcpowerWarning",
]

# public name -> module that defines it; loaded on first use
_LAZY = {
    "estimate": "dcpower.chain.estimate",
    "Estimate": "dcpower.chain.result",
    "Hourly": "dcpower.chain.result",
    "DcpowerWarning": "dcpower.errors",
    "resolve": "dcpower.chain.resolve",
    "Resolved": "dcpower.chain.resolve",
    "compare": "dcpower.studies.compare",
    "Comparison": "dcpower.studies.compare",
    "sweep": "dcpower.studies.sweep",
    "Sweep": "dcpower.studies.sweep",
    "fit": "dcpower.studies.fit",
    "Fit": "dcpower.studies.fit",
    "uncertainty": "dcpower.studies.uncertainty",
    "UncertainEstimate": "dcpower.studies.uncertainty",
    "validate": "dcpower.studies.validate",
    "Validation": "dcpower.studies.validate",
    "load_scenario": "dcpower.catalog.scenario",
    "Scenario": "dcpower.catalog.scenario",
    "load_catalog": "dcpower.catalog.loader",
    "Catalog": "dcpower.catalog.loader",
    "read_epw": "dcpower.weather.epw",
    "Weather": "dcpower.weather.model",
    "ureg": "dcpower.units",
    "Q_": "dcpower.units",
    "parse_quantity": "dcpower.units",
}

if TYPE_CHECKING:  # what editors and type checkers see; at run time __getattr__ loads these
    from dcpower.catalog.loader import Catalog, load_catalog
    from dcpower.catalog.scenario import Scenario, load_scenario
    from dcpower.chain.estimate import estimate
    from dcpower.chain.resolve import Resolved, resolve
    from dcpower.chain.result import Estimate, Hourly
    from dcpower.errors import DcpowerWarning
    from dcpower.studies.compare import Comparison, compare
    from dcpower.studies.fit import Fit, fit
    from dcpower.studies.sweep import Sweep, sweep
    from dcpower.studies.uncertainty import UncertainEstimate, uncertainty
    from dcpower.studies.validate import Validation, validate
    from dcpower.units import Q_, parse_quantity, ureg
    from dcpower.weather.epw import read_epw
    from dcpower.weather.model import Weather


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dcpower' has no attribute '{name}'")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    # the public names, the dunders and the subpackages already loaded; not this file's helpers
    hidden = ("annotations", "TYPE_CHECKING")
    own = {n for n in globals() if n.startswith("__") or not (n.startswith("_") or n in hidden)}
    return sorted(own | set(__all__))
