"""`dcpower units` for people, and --units us reaching every result that has a US unit.

Conversion factors checked here are NIST SP 811 (2008) Appendix B: 1 US gal = 3.785411784 L,
1 degF difference = 5/9 K.
"""

import json

import pytest

import dcpower
from dcpower.chain.result import HOURLY_UNITS, RESULT_UNITS, display_pairs
from dcpower.cli import main
from dcpower.units import UNIT_GUIDE, parse_quantity, unit_guide

# Units a US reader would not expect to see: each has a customary US counterpart.
SI_ONLY = {"K", "delta_degC", "degC", "m^3", "m^2", "L/s", "m^3/d", "m^3/h", "L", "m"}


@pytest.fixture()
def run(capsys):
    def _run(*argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err
    return _run


@pytest.mark.parametrize("quantity, dimension, spellings", UNIT_GUIDE, ids=[g[0] for g in UNIT_GUIDE])
def test_every_listed_spelling_and_example_reads_with_its_dimension(quantity, dimension, spellings):
    for spelling in spellings:
        parse_quantity(f"2 {spelling}", dimension, spelling)
    example = next(g for g in unit_guide() if g["quantity"] == quantity)["example"]
    parse_quantity(example, dimension, quantity)


def test_every_display_unit_is_listed_once():
    shown = [p for g in unit_guide(display_pairs()) for p in g["shown"]]
    assert sorted(shown) == sorted(display_pairs())


def test_us_units_leave_no_si_unit_behind():
    for table in (RESULT_UNITS, HOURLY_UNITS):
        left = {name: us for name, (si, us) in table.items() if us in SI_ONLY}
        assert not left, f"shown in SI under --units us: {left}"


def test_supply_margin_in_fahrenheit_degrees():
    r = dcpower.estimate(gpus=10_000)
    si, us = r.value("supply_temperature_margin", "si"), r.value("supply_temperature_margin", "us")
    assert r.to_dict("us")["results"]["supply_temperature_margin"]["unit"] == "delta_degF"
    assert us.magnitude == pytest.approx(si.to("K").magnitude * 9 / 5)


def test_units_command_table_and_json(run):
    code, out, _ = run("units")
    assert code == 0
    lines = {line.split("  ")[0]: line for line in out.splitlines()}
    assert "gpm" in lines["flow"] and "500 gpm" in lines["flow"] and "L/s -> gpm" in lines["flow"]
    assert "TR" in lines["power, heat"] and "MW -> TR" in lines["power, heat"]
    assert "K -> delta_degF" in lines["temperature difference"]
    code, out, _ = run("units", "--format", "json")
    data = {g["quantity"]: g for g in json.loads(out)}
    assert {"si": "degC", "us": "degF"} in data["temperature"]["shown"]
    assert "Mgal" in data["water volume"]["spellings"]


def test_units_definitions(run):
    code, out, _ = run("units", "--definitions")
    assert code == 0 and "ton_of_refrigeration = 12000 * BTU / hour" in out


def test_grid_table_has_one_ramp_unit(run):
    code, out, _ = run("-q", "grid", "--format", "json")
    units = {v["unit"] for k, v in json.loads(out)["results"].items() if "ramp" in k}
    assert units == {"MW/min"}


def test_fit_budget_in_the_unit_given(run):
    code, out, err = run("-q", "fit", "--water", "1 Mgal/day", "--power", "150 MW", "--format", "csv")
    assert code == 0, err
    head, *rows = [line.split(",") for line in out.splitlines()]
    assert head == ["budget", "limits", "budget value", "value at that count", "unit", "gpus that fit", "binds"]
    water = next(r for r in rows if r[0] == "water")
    assert float(water[2]) == 1.0 and water[4] == "Mgal/d" and float(water[3]) <= 1.0
    f = dcpower.fit(water=f"{3.785411784e3} m^3/d")  # the same budget in m^3/d: same count
    assert f.constraints["water"]["unit"] == "m^3/d" and f.constraints["water"]["budget"] == pytest.approx(3785.411784)
    assert f.gpus == int(next(r for r in rows if r[0] == "water")[5])
