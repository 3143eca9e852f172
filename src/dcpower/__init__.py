"""dcpower: what a GPU cluster needs from the grid, the cooling plant and the water supply.

>>> import dcpower
>>> r = dcpower.estimate(gpus=100_000)
>>> r.facility_power.to("MW")            # doctest: +SKIP

The package, by folder: ``physics/`` (one small pure function per physical relation),
``catalog/`` (spec and scenario models, the catalog loader), ``weather/`` (typical-year
weather), ``chain/`` (the model chain: resolve a scenario, run the steps, the typed result),
``studies/`` (compare, sweep, fit, uncertainty: ways of calling the chain), ``output/``
(tables, JSON, CSV, plots, files) and ``cli.py``.

Heavy modules load on first use, so ``import dcpower`` stays cheap.
"""

from __future__ import annotations

__version__ = "0.1.0"

from dcpower.errors import DcpowerError, InputError, SpecError, WeatherError

# public name -> module that defines it; loaded on first use
_LAZY = {
    "estimate": "dcpower.chain.estimate",
    "Estimate": "dcpower.chain.result",
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
    "load_scenario": "dcpower.catalog.scenario",
    "Scenario": "dcpower.catalog.scenario",
    "load_catalog": "dcpower.catalog.loader",
    "Catalog": "dcpower.catalog.loader",
    "read_epw": "dcpower.weather.epw",
    "Weather": "dcpower.weather.model",
    "ureg": "dcpower.units",
    "Q_": "dcpower.units",
}

__all__ = ["DcpowerError", "InputError", "SpecError", "WeatherError", *_LAZY]


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dcpower' has no attribute '{name}'")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
