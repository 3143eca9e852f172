"""The estimate: resolve the scenario, run the chain on the typical year, size the plant, explain.

:func:`estimate` is the library's front door and reads as the list of what it does. The
steps themselves are in :mod:`dcpower.chain.steps` (physics per step),
:mod:`dcpower.chain.run` (the chain on a batch and its named results),
:mod:`dcpower.chain.capacity` (sizing and grid dynamics), :mod:`dcpower.chain.phases` and
:mod:`dcpower.chain.explain` (``--explain``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dcpower.chain import capacity, phases
from dcpower.chain.explain import Recorder, record_chain
from dcpower.chain.resolve import Resolved, resolve
from dcpower.chain.result import Estimate, Hourly
from dcpower.chain.run import UNMET_HOURS_SHARE, Chain, chain_results, run_chain
from dcpower.catalog.scenario import Scenario
from dcpower.physics import cooling as cool
from dcpower.units import Q_
from dcpower.weather.model import AirStates

__all__ = ["estimate", "estimate_resolved", "chain_warnings"]


def estimate(scenario: Scenario | str | Path | None = None, *, specs_dirs=(), settings: dict | None = None,
             sizing: bool = True, **overrides) -> Estimate:
    """Estimate a cluster's IT load, cooling, electrical losses, facility power, water and grid draw.

    Parameters
    ----------
    scenario : Scenario, str or Path, optional
        A :class:`~dcpower.catalog.scenario.Scenario`, a built-in scenario id or a TOML file;
        the Memphis default when omitted.
    specs_dirs : path or sequence of paths
        User spec directories laid over the built-in catalog.
    settings : dict, optional
        ``--set`` style overrides, ``{"electrical.ups_efficiency": "0.97"}``.
    sizing : bool
        Also size the equipment and the grid dynamics (``ups_modules``, ``power_swing``, ...).
        Default True.
    **overrides
        Shortcuts for scenario fields: ``gpus``, ``accelerator``, ``server``,
        ``gpus_per_server``, ``host_power``, ``utilization``, ``site``, ``weather``
        (an EPW path), ``cooling``, ``pue``, ``grid``.

    Returns
    -------
    Estimate
        Results as pint Quantities (``r.facility_power.to("MW")``), hourly series,
        provenance and the steps for ``--explain``. Warnings are in ``r.warnings`` and are
        also issued as :class:`~dcpower.errors.DcpowerWarning`.

    Examples
    --------
    >>> import dcpower
    >>> r = dcpower.estimate(gpus=100_000)
    >>> round(r.facility_power.to("MW").magnitude) > 100
    True
    """
    r = resolve(scenario, specs_dirs=specs_dirs, settings=settings, **overrides)
    est = estimate_resolved(r, sizing=sizing)
    est.issue_warnings()
    return est


def estimate_resolved(r: Resolved, *, sizing: bool = True) -> Estimate:
    """The estimate of an already resolved scenario (one sample), without issuing warnings."""
    chain = run_chain(r, AirStates.hours_of(r.weather))
    results = {name: _first(q) for name, q in chain_results(chain).items()}
    rec = Recorder(r.warnings)
    record_chain(chain, results, rec)
    for w in chain_warnings(chain, results):
        rec.warn(w)
    if sizing:
        results.update(capacity.size_plant(chain, rec))
        results.update(capacity.grid_dynamics(chain, rec))
        if r.scenario.phases:
            results.update(phases.build_out(r, rec))
    for name in results:
        rec.provenance.setdefault(name, "computed")
    return Estimate(resolved=r, results=results, provenance=rec.provenance, hourly=_hourly(chain),
                    steps=rec.steps, warnings=rec.warnings, chain=chain)


def _first(q):
    """The first (only) sample of a per-sample result, as a scalar Quantity."""
    return Q_(float(np.asarray(q.magnitude).reshape(-1)[0]), q.units)


def chain_warnings(c: Chain, results: dict, sample: int = 0) -> list[str]:
    """What the chain's results of one sample say that a reader must not miss."""
    s = c.resolved.scenario
    out = []
    if s.pue is not None:
        pue = float(np.asarray(s.pue).reshape(-1)[sample if np.size(s.pue) > 1 else 0])
        out.append(f"--pue {pue:g}: facility power is IT x PUE; the cooling and electrical "
                   "breakdown and water still come from the physical model")
    if int(results["supply_temperature_exceeded_hours"].magnitude):
        out.append(_supply_warning(c, results, sample))
    if s.rack_power_limit is not None:
        server = np.asarray(c.it.server_power_full.to("kW").magnitude).reshape(-1)
        server_kw, limit = server[sample if server.size > 1 else 0], s.rack_power_limit.quantity.to("kW")
        if server_kw > limit.magnitude:
            out.append(f"RACK OVER ITS LIMIT: one {c.resolved.server.id} draws {server_kw:.1f} kW at full load, above "
                       f"the rack power limit of {limit:.1f~}; raise rack_power_limit or choose a smaller server")
    unserved = np.asarray(c.grid.peak_unserved.to("MW").magnitude).reshape(-1)
    if unserved[sample if unserved.size > 1 else 0] > 0:
        out.append(f"design load exceeds grid allocation plus turbines by "
                   f"{unserved[sample if unserved.size > 1 else 0]:.1f} MW (batteries are not firm supply)")
    unserved_energy = np.asarray(results["unserved_energy"].to("MWh").magnitude).reshape(-1)
    share = unserved_energy[sample if unserved_energy.size > 1 else 0] / results["annual_energy"].to("MWh").magnitude
    if share > 0:
        out.append(f"UNSERVED LOAD: {share:.1%} of the year's energy is above the grid allocation, the turbines and "
                   "what the batteries can recharge from spare supply; raise the allocation, add turbines or "
                   "reduce the load")
    return out


def _supply_warning(c: Chain, results: dict, sample: int) -> str:
    """The hours the plant misses its supply, naming each loop's setpoint: the facility water, and the
    colder coil water of a liquid hall's air share where that loop is trimmed on its own."""
    k = c.resolved.cooling
    exceeded = int(results["supply_temperature_exceeded_hours"].magnitude)
    excess = float(results["supply_temperature_excess_max"].to("K").magnitude)
    unmet = float(results["supply_temperature_unmet"].magnitude) > 0

    def setpoint(q):
        m = np.asarray(q.to("degC").magnitude).reshape(-1)
        return Q_(float(m[sample if m.size > 1 else 0]), "degC")

    supply, coldest = setpoint(k.supply_temperature.quantity), setpoint(c.hourly.rejection.coldest_supply)
    water = f"{supply:~} supply water" + (f" or {coldest:~} water to the air-side coils"
                                          if coldest.magnitude < supply.magnitude else "")
    return (f"{'SUPPLY TEMPERATURE NOT HELD: ' if unmet else ''}the {k.heat_rejection} cannot deliver "
            f"{water} in {exceeded} hours of the year at this site (up to {excess:.1f} K above it)"
            + (f"; more than {UNMET_HOURS_SHARE:.1%} of the hours: add a trim chiller or choose a "
               "warmer supply or another plant" if unmet else ""))


def _hourly(c: Chain) -> Hourly:
    """The hourly series of the first sample, in display units."""
    h, w = c.hourly, c.water

    def row(q, unit):
        return Q_(np.asarray(q.to(unit).magnitude)[0], unit)

    return Hourly(
        dry_bulb=c.air.dry_bulb, wet_bulb=c.air.wet_bulb, it_power=row(h.it, "MW"),
        cooling_power=row(h.cooling_power, "MW"), electrical_losses=row(h.electrical_losses, "MW"),
        facility_power=row(h.facility, "MW"), grid_power=row(c.grid.hourly_grid, "MW"),
        economizer_fraction=Q_(np.asarray(h.rejection.economizer_fraction)[0], "dimensionless"),
        water=row(w.makeup / cool.WATER_DENSITY, "m^3/h"), heat_out=row(h.heat_out, "MW"))
