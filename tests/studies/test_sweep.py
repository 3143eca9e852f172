"""dcpower sweep: one field over a range, one row per step."""

import json

import numpy as np
import pytest

import dcpower
from dcpower.cli import main
from dcpower.errors import InputError
from dcpower.studies.sweep import steps_between


def test_linear_and_log_steps():
    assert steps_between(1000, 5000, 5, integer=True) == [1000, 2000, 3000, 4000, 5000]
    assert steps_between(1, 100, 3, log=True) == [1.0, 10.0, 100.0]
    # integer steps are rounded and never repeat
    assert steps_between(1, 3, 10, integer=True) == [1, 2, 3]


@pytest.mark.parametrize("args, message", [
    ((10, 1, 5), "reversed"), ((10, 10, 5), "empty"), ((1, 10, 1), "a sweep takes 2 to"),
])
def test_bad_ranges(args, message):
    with pytest.raises(InputError, match=message):
        steps_between(*args)


def test_library_sweep_refuses_what_the_cli_refuses():
    with pytest.raises(InputError, match="a sweep takes 2 to"):
        dcpower.sweep("gpus", 1_000, 2_000, steps=2.5)
    with pytest.raises(InputError, match="not a temperature difference"):
        dcpower.sweep("cooling.approach", 2, 6, steps=2)
    with pytest.raises(InputError, match="unknown result 'xyz'"):
        dcpower.sweep("gpus", 1_000, 2_000, steps=2, results=["xyz"])


def test_log_needs_positive_range():
    with pytest.raises(InputError, match="above zero"):
        steps_between(0, 10, 3, log=True)


def test_sweep_gpus_grows():
    s = dcpower.sweep("gpus", 1_000, 100_000, steps=4, log=True)
    assert s.steps == [1000, 4642, 21544, 100000]
    fp = s.series("facility_power")
    assert np.all(np.diff(fp) > 0)
    # the last step is the Memphis default itself
    assert fp[-1].to("MW").magnitude == pytest.approx(dcpower.estimate().facility_power.to("MW").magnitude)


def test_sweep_set_key_with_unit():
    s = dcpower.sweep("cooling.approach", "2 K", "6 K", steps=3)
    assert s.steps == [2.0, 4.0, 6.0] and s.unit == "K"
    # a larger tower approach means warmer water at design: more chiller power, never less
    fp = s.series("facility_power")
    assert fp[0] <= fp[1] <= fp[2]


def test_cli_sweep_formats(capsys):
    assert main(["sweep", "--gpus", "1000..3000", "--steps", "3", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["field"] == "gpus" and d["steps"] == [1000, 2000, 3000]
    assert len(d["results"]["facility_power"]) == 3
    assert main(["sweep", "--utilization", "0.5..1", "--steps", "2", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("utilization,") and len(lines) == 3


@pytest.mark.parametrize("argv, message", [
    (["sweep", "--gpus", "5000..1000"], "reversed"),
    (["sweep", "--gpus", "1000..1000"], "empty"),
    (["sweep", "--gpus", "1000"], "START..STOP"),
    # three dots read as 1000..0.2, "reversed"
    (["sweep", "--gpus", "1000...2000"], "write START..STOP with two dots"),
    (["sweep"], "exactly one range"),
    (["sweep", "--field", "colour=1..2"], "unknown field 'colour'"),
    (["sweep", "--gpus", "0..10", "--log"], "above zero"),
    # a difference swept without a unit, in absolute degrees, or with ends of two kinds
    (["sweep", "--field", "cooling.approach=2..6", "--steps", "2"], "'2' is not a temperature difference"),
    (["sweep", "--field", "cooling.approach=2 degC..6 degC", "--steps", "2"], "is an absolute temperature"),
    (["sweep", "--field", "cooling.approach=2 K..6 W", "--steps", "2"], "the ends are different quantities"),
    (["sweep", "--field", "cooling.approach=2 K..6 degF", "--steps", "2"], "the ends are different quantities"),
    # names are compared, not swept
    (["sweep", "--field", "cooling=air-chiller..dlc-tower"], "dcpower compare --vary cooling=air-chiller,dlc-tower"),
    # results a sweep cannot show are refused, as compare refuses them
    (["sweep", "--gpus", "1000..2000", "--steps", "2", "--results", "facility_powr"], "unknown result 'facility_powr'"),
    (["sweep", "--gpus", "1000..2000", "--steps", "2", "--results", ","], "no results named"),
])
def test_cli_bad_input(capsys, argv, message):
    assert main(argv) == 2
    cap = capsys.readouterr()
    assert message in cap.err and len(cap.err.strip().splitlines()) == 1


def test_series_carry_units():
    # each step's value is the estimate's own, converted by pint into the display unit
    s = dcpower.sweep("gpus", 1_000, 3_000, steps=3)
    power = s.series("facility_power")
    assert str(power.units) == "megawatt"
    assert power[2].magnitude == pytest.approx(dcpower.estimate(gpus=3_000).facility_power.to("MW").magnitude)
    pue = s.series("pue")
    assert pue.dimensionless and hasattr(pue, "units")
    water = s.series("water_per_day", "us")
    assert water.units == dcpower.ureg("Mgal/d").units
    assert water[0].to("m^3/d").magnitude == pytest.approx(s.series("water_per_day")[0].magnitude)


@pytest.mark.parametrize("start, stop, unit", [("20 degC", "30 degC", "degC"), ("68 degF", "86 degF", "degF")])
def test_sweep_an_absolute_temperature(start, stop, unit):
    # The unit of the ends used to come back as the degree sign, which the unit registry
    # does not read: every sweep of a temperature field stopped with an internal error.
    s = dcpower.sweep("cooling.supply_temperature", start, stop, steps=3, cooling="air-economizer", gpus=1000)
    assert s.unit == unit and len(s.steps) == 3
    # warmer supply air: more hours on outdoor air alone, so never more facility energy
    e = s.series("annual_energy").magnitude
    assert e[0] >= e[1] >= e[2]


def test_sweep_keeps_the_supply_envelope_ordered(capsys):
    # the floor swept through the limit (17 degC, specs/cooling.toml air-economizer)
    code = main(["sweep", "--field", "cooling.supply_dew_point_min=-20 degC..20 degC", "--steps", "3",
                 "--cooling", "air-economizer"])
    err = capsys.readouterr().err
    assert code == 2 and "is above supply_dew_point_max (17 degC)" in err and len(err.strip().splitlines()) == 1


def test_sweep_of_the_return_period_names_the_allowed_values():
    with pytest.raises(InputError, match="use one of 5, 10, 20, 50"):
        dcpower.sweep("design_return_period", 5, 50, steps=3, gpus=1000)
    s = dcpower.sweep("design_return_period", values=[5, 50], gpus=1000, cooling="dlc-drycooler")
    # the 50-year extreme dry-bulb is hotter than the 5-year one: a larger design facility power
    fp = s.series("facility_power").magnitude
    assert fp[1] > fp[0]
