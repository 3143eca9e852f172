"""dcpower fit: the largest GPU count within a power, grid or water budget."""

import json

import pytest

import dcpower
from dcpower.cli import main
from dcpower.errors import InputError


def test_power_fit_is_the_largest_count_within_budget():
    f = dcpower.fit(power="150 MW")
    assert f.binding == "power"
    # exact integer answer: n fits, n + 1 does not
    assert dcpower.estimate(gpus=f.gpus).facility_power.to("MW").magnitude <= 150
    assert dcpower.estimate(gpus=f.gpus + 1).facility_power.to("MW").magnitude > 150


def test_water_fit_and_binding_constraint():
    f = dcpower.fit(power="150 MW", water="1 Mgal/day")
    c = f.constraints
    assert c["water"]["gpus"] < c["power"]["gpus"]
    assert f.binding == "water" and f.gpus == c["water"]["gpus"]
    assert f.estimate.water_per_day.to("Mgal/d").magnitude <= 1.0


def test_b200_fewer_gpus_than_h100_in_same_budget():
    # both in an air hall: the catalog has only air-cooled B200 servers
    h100 = dcpower.fit(power="100 MW", cooling="air-chiller").gpus
    b200 = dcpower.fit(power="100 MW", accelerator="b200", cooling="air-chiller").gpus
    assert b200 < h100  # 1,000 W against 700 W per GPU (accelerators.toml)


def test_grid_budget_counts_turbines():
    with_turbines = dcpower.fit(grid="150 MW").gpus
    without = dcpower.fit(grid="150 MW", settings={"onsite.turbines": 0}).gpus
    assert with_turbines > without
    assert without == dcpower.fit(power="150 MW").gpus  # no turbines: meter = facility


def test_dry_cooler_has_no_water_limit():
    f = dcpower.fit(power="50 MW", water="1 Mgal/day", cooling="dlc-drycooler")
    assert f.binding == "power" and f.constraints["water"]["gpus"] is None


@pytest.mark.parametrize("kwargs, message", [
    (dict(power="1 Mgal/day"), "not a power"),
    (dict(water="150 MW"), "not a volume per time"),
    (dict(), "give a budget"),
    (dict(power="5 kW"), "not even one GPU"),
    # a fixed count was dropped without a word (--set gpus=5 printed the same fit)
    (dict(power="150 MW", settings={"gpus": 5}), "gpus = 5 is what fit finds"),
    (dict(power="150 MW", gpus=5), "gpus = 5 is what fit finds"),
])
def test_bad_budgets(kwargs, message):
    with pytest.raises(InputError, match=message):
        dcpower.fit(**kwargs)


def test_cli_fit_json(capsys):
    assert main(["fit", "--power", "50 MW", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["binding"] == "power" and isinstance(d["gpus"], int)
    assert d["results"]["gpus"]["value"] == d["gpus"]


def test_cli_wrong_dimension(capsys):
    assert main(["fit", "--water", "150 MW"]) == 2
    err = capsys.readouterr().err
    assert "not a volume per time" in err and len(err.strip().splitlines()) == 1
