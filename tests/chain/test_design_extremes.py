"""The design peak is taken at the site's extremes and never falls below an hour of the typical year."""

import numpy as np
import pytest

import dcpower
from dcpower.chain import steps
from dcpower.chain.run import run_chain
from dcpower.weather.model import AirStates


def _chain(**kw):
    r = dcpower.resolve(**kw)
    return r, run_chain(r, AirStates.hours_of(r.weather))


@pytest.mark.parametrize("site, cooling", [("memphis", "dlc-tower"), ("ashburn", "dlc-tower"),
                                           ("phoenix", "dlc-tower"), ("memphis", "dlc-drycooler"),
                                           ("ashburn", "dlc-drycooler"), ("phoenix", "dlc-drycooler"),
                                           ("memphis", "air-chiller"),
                                           # the evaporative assist of an airside economizer fails in a hot
                                           # hour that is also humid, neither the hottest nor the most humid
                                           ("phoenix", "air-economizer"), ("memphis", "air-economizer"),
                                           ("phoenix", "air-aircooled-chiller"), ("phoenix", "rear-door"),
                                           ("phoenix", "immersion")])
def test_design_peak_covers_every_hour_of_the_year(site, cooling):
    r, c = _chain(site=site, cooling=cooling)
    # every hour of the typical year at the design IT load, with the design's installed ratings
    hours = steps.plant_step(r, c.it_power.design, c.it.racks, c.air, steps.design_ratings(c.design, c.design_index))
    peak = c.peak(c.design.facility).to("MW").magnitude[0]
    assert np.max(hours.facility.to("MW").magnitude) <= peak * (1 + 1e-9)
    assert dcpower.estimate(site=site, cooling=cooling, sizing=False).facility_power.to("MW").magnitude == \
        pytest.approx(peak, rel=1e-12)


def test_design_states_are_the_extremes_and_the_extreme_hours():
    r = dcpower.resolve()
    air = steps.design_air(r)
    # specs/sites.toml (ASHRAE Handbook 2009 via the Memphis TMY3 EPW header): 20-year extreme
    # dry-bulb 39.9 degC with the 0.4 % coincident wet-bulb 25.2; extreme wet-bulb 29.4 degC with
    # the 0.4 % evaporation coincident dry-bulb 32.8
    assert air.dry_bulb.magnitude[:2] == pytest.approx([39.9, 32.8])
    assert air.wet_bulb.magnitude[:2] == pytest.approx([25.2, 29.4])
    assert air.dry_bulb.magnitude[2] == pytest.approx(np.max(r.weather.dry_bulb.magnitude))
    assert air.wet_bulb.magnitude[3] == pytest.approx(np.max(r.weather.wet_bulb.magnitude))
    assert "20-year extreme dry-bulb 39.9" in air.labels[0] and "extreme wet-bulb" in air.labels[1]


def test_return_period_moves_a_dry_bulb_peak_the_right_way():
    # dry coolers: the extreme dry-bulb sets the peak (Memphis 5 yr 38.1, 20 yr 39.9, 50 yr 41.0 degC)
    peaks = [dcpower.estimate(cooling="dlc-drycooler", sizing=False,
                              settings={"design_return_period": n}).facility_power.to("MW").magnitude
             for n in (5, 10, 20, 50)]
    assert peaks[0] < peaks[1] < peaks[2] < peaks[3]
    # towers: the extreme wet-bulb (no return period) sets the Memphis peak up to 20 years; at 50
    # years the 41.0 degC dry-bulb point ties with it (within 0.01 %: with the training hosts at
    # their fitted 0.37 load it edges past by about 5 kW of 112 MW)
    towers = [dcpower.estimate(sizing=False, settings={"design_return_period": n}).facility_power
              for n in (5, 20, 50)]
    assert towers[0] == towers[1]
    assert towers[2].to("MW").magnitude == pytest.approx(towers[0].to("MW").magnitude, rel=1e-4)


def test_extremes_are_above_the_04_percent_points():
    r, c = _chain(cooling="dlc-drycooler")
    old = steps.plant_step(r, c.it_power.design, c.it.racks, steps.percent_design_air(r))
    assert np.max(old.facility.magnitude) < c.peak(c.design.facility).to(old.facility.units).magnitude[0]


def test_bad_return_period_is_one_line(capsys):
    from dcpower.cli import main

    assert main(["estimate", "--set", "design_return_period=7"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "5, 10, 20, 50" in err


def test_which_condition_set_the_peak_is_said():
    e = dcpower.estimate(sizing=False)
    step = next(s for s in e.steps if s.title.startswith("Design point"))
    assert any("set the peak" in str(v) for _, v in step.results)
