"""What every answer must satisfy, whatever the inputs: an engineer's sanity checks.

Each cooling archetype runs with an accelerator whose servers fit its hall, at a site and a
scale (one GPU to a million, where the Memphis scenario's 150 MW allocation, turbines and
batteries no longer suffice) taken in turn. Every result is then held to properties that follow from conservation and
from the model's definitions, not to expected numbers: a failure names the input and the
property. The properties: results finite and powers, energies, water, costs non-negative;
facility power at least IT power, PUE at least 1 and the annual PUE between the best and the
worst hour; annual energy = mean power x 8,760 h; facility power = heat leaving the site every
hour; nameplate >= expected peak >= average IT; no site water without evaporation; energy from
grid, turbines and batteries = facility energy (less battery losses, plus unserved), the grid
never beyond its allocation; a warning wherever the plant misses its supply or load goes unserved.
"""

import json
import math

import numpy as np
import pytest

import dcpower
from dcpower.chain.result import RESULT_UNITS, display_unit
from dcpower.cli import main

HOURS = 8760
# Results that are an amount of something: never below zero.
AMOUNT_UNITS = {"MW", "GWh", "MWh", "MVA", "m^3", "m^3/d", "L/kWh", "USD", "tCO2", "h", "L/s", "m^2", "MW/min"}
SIGNED = {"supply_temperature_margin"}  # a margin may be negative: the plant is short
DRY = {"dlc-drycooler", "immersion", "air-aircooled-chiller"}  # no evaporation anywhere on site

# (cooling, accelerator, site, gpus): every archetype; sites and scales taken in turn; the
# million-GPU cases run far above the scenario's 150 MW allocation, turbines and batteries.
CASES = [
    ("dlc-tower", "h100-sxm", "memphis", 1_000_000),
    ("dlc-drycooler", "gb200", "phoenix", 1000),
    ("immersion", "h100-sxm", "phoenix", 8),
    ("air-chiller", "b200", "ashburn", 100_000),
    ("rear-door", "mi300x", "memphis", 1),
    ("air-economizer", "a100-pcie", "phoenix", 1_000_000),
    ("air-aircooled-chiller", "gaudi3", "ashburn", 1000),
]


def _case_id(case):
    return "-".join(str(x) for x in case)


@pytest.fixture(scope="module", params=CASES, ids=_case_id)
def case(request):
    cooling, accelerator, site, gpus = request.param
    # warnings are read as data (e.warnings); pyproject.toml silences the issued DcpowerWarnings
    e = dcpower.estimate(cooling=cooling, accelerator=accelerator, site=site, gpus=gpus, utilization=0.5)
    return request.param, e


def _v(e, name, unit=None):
    q = e.results[name]
    return float(q.to(unit).magnitude) if unit else float(e.value(name).magnitude)


def test_results_finite_and_amounts_not_negative(case):
    _, e = case
    for name in e.results:
        value = _v(e, name)
        assert math.isfinite(value), name
        if display_unit(name) in AMOUNT_UNITS and name not in SIGNED:
            assert value >= 0, (name, value)


def test_facility_covers_it_and_pue_lies_between_its_hours(case):
    _, e = case
    assert _v(e, "facility_power") >= _v(e, "it_power")
    assert _v(e, "facility_power_average") >= _v(e, "it_power_average")
    assert _v(e, "pue_design") >= 1
    hourly_pue = e.hourly.facility_power.to("MW").magnitude / e.hourly.it_power.to("MW").magnitude
    assert 1 <= hourly_pue.min() * (1 - 1e-12) <= _v(e, "pue") <= hourly_pue.max() * (1 + 1e-12)
    # the typical-year hours never ask more of the plant than its design point
    assert e.hourly.facility_power.to("MW").magnitude.max() <= _v(e, "facility_power", "MW") * (1 + 1e-9)


def test_energy_is_mean_power_times_the_year_and_balances_every_hour(case):
    _, e = case
    assert _v(e, "annual_energy", "MWh") == pytest.approx(_v(e, "facility_power_average", "MW") * HOURS, rel=1e-9)
    assert _v(e, "annual_it_energy", "MWh") == pytest.approx(_v(e, "it_power_average", "MW") * HOURS, rel=1e-9)
    facility = e.chain.hourly.facility.to("W").magnitude
    heat_out = e.chain.hourly.heat_out.to("W").magnitude
    assert np.allclose(facility, heat_out, rtol=1e-12, atol=0)


def test_it_power_nameplate_peak_average_in_order(case):
    _, e = case
    assert _v(e, "it_power_nameplate") >= _v(e, "it_power") >= _v(e, "it_power_average") > 0


def test_site_water_only_where_water_evaporates(case):
    (cooling, *_), e = case
    water = _v(e, "annual_water", "m^3")
    assert (water == 0) if cooling in DRY else (water > 0)
    # WUE = site water / IT energy (The Green Grid): m^3 / MWh = L / kWh
    assert _v(e, "wue", "L/kWh") == pytest.approx(water / _v(e, "annual_it_energy", "MWh"), rel=1e-9)


def test_supply_adds_up_and_the_grid_stays_within_its_allocation(case):
    _, e = case
    supplied = (_v(e, "grid_energy", "MWh") + _v(e, "turbine_energy", "MWh") - _v(e, "battery_losses", "MWh")
                + _v(e, "unserved_energy", "MWh"))
    assert supplied == pytest.approx(_v(e, "annual_energy", "MWh"), rel=1e-9)
    limit = e.scenario.onsite.grid_limit.quantity.to("MW").magnitude
    assert _v(e, "grid_power_peak", "MW") <= limit * (1 + 1e-12)
    assert _v(e, "grid_energy", "MWh") <= limit * HOURS * (1 + 1e-12)
    assert 0 <= _v(e, "load_factor") <= 1 + 1e-12


def test_impossible_answers_come_with_a_warning(case):
    _, e = case
    if _v(e, "unserved_energy") > 0:
        assert any(w.startswith("UNSERVED LOAD") for w in e.warnings), e.warnings
    if _v(e, "supply_temperature_unmet") > 0:
        assert any(w.startswith("SUPPLY TEMPERATURE NOT HELD") for w in e.warnings), e.warnings


def test_the_million_gpu_cases_are_beyond_the_allocation():
    # so that the supply and warning properties above are tested where they bite
    e = dcpower.estimate(gpus=1_000_000, utilization=0.5, sizing=False)
    assert e.unserved_energy.magnitude > 0 and any(w.startswith("UNSERVED LOAD") for w in e.warnings)


def test_more_gpus_never_need_less():
    names = ("it_power", "facility_power", "facility_power_average", "annual_energy", "annual_water",
             "grid_power_peak", "annual_cost")
    runs = [dcpower.estimate(gpus=n, sizing=False) for n in (1, 8, 1000, 100_000, 1_000_000)]
    for a, b in zip(runs, runs[1:]):
        for name in names:
            assert _v(b, name) >= _v(a, name), (name, a.gpus, b.gpus)


@pytest.mark.parametrize("accelerator", ["h100-sxm", "mi300x"])
def test_utilization_and_workload_order_it_power(accelerator):
    run = {(w, u): dcpower.estimate(accelerator=accelerator, gpus=1000, workload=w, utilization=u, sizing=False)
           for w in ("idle", "inference", "training", "hpl") for u in (0, 1)}
    avg = {k: _v(e, "it_power_average") for k, e in run.items()}
    # utilization 0: every workload at the idle floor, the idle workload's power; not zero
    for w in ("inference", "training", "hpl"):
        assert avg[(w, 0)] == pytest.approx(avg[("idle", 0)], rel=1e-12)
        # utilization 1: the busy power of the workload, its expected peak
        assert avg[(w, 1)] == pytest.approx(_v(run[(w, 1)], "it_power"), rel=1e-12)
    assert 0 < avg[("idle", 1)] < avg[("inference", 1)] < avg[("training", 1)]
    assert avg[("idle", 1)] < avg[("hpl", 1)]


def test_evaporative_water_grows_with_a_hotter_drier_site():
    wue = {s: _v(dcpower.estimate(site=s, gpus=1000, sizing=False), "wue") for s in ("memphis", "ashburn", "phoenix")}
    assert wue["phoenix"] > max(wue["memphis"], wue["ashburn"])


def test_uncertainty_percentiles_in_order_and_the_binned_year_keeps_the_grid_in_its_allocation():
    # a million GPUs run above the Memphis scenario's 150 MW allocation in every sample; the Monte
    # Carlo evaluates weather bins, not hours, and must hold the same supply limits
    u = dcpower.uncertainty(gpus=1_000_000, samples=64)
    for name, (p5, p50, p95) in u.percentiles.items():
        assert p5 <= p50 <= p95, name
    assert u.percentiles["grid_energy"][2] <= 150 * HOURS / 1000 * (1 + 1e-12)  # GWh
    assert u.percentiles["load_factor"][2] <= 1 + 1e-12
    assert u.percentiles["unserved_energy"][0] > 0


def test_json_has_finite_numbers_in_the_documented_units(capsys):
    assert main(["-q", "estimate", "--gpus", "1000000", "--site", "phoenix", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert "NaN" not in out and "Infinity" not in out
    for name, r in json.loads(out)["results"].items():
        assert math.isfinite(r["value"]), name
        assert r["unit"] == RESULT_UNITS[name][0], (name, r["unit"])
