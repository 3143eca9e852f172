"""dcpower validate --archetypes: the data loads, every case runs, errors are one line.

No test here compares dcpower's PUE or WUE with the published values: the comparison is
reported (docs/validation.md), not fitted, and a test that pinned it would tune the model.
The bounds below are physical (a PUE above 1, water not negative), not the published numbers;
docs/validation.md's table is kept current by tests/test_docs.py.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dcpower.catalog.loader import builtin_dir, load_catalog
from dcpower.cli import cli, main
from dcpower.errors import InputError
from dcpower.studies.archetypes import archetype_file, load_archetypes, validate_archetypes
from dcpower.weather.compact import read_compact

# The archetypes of specs/cooling.toml that the comparison must cover (the catalog may grow).
ARCHETYPES = {"air-chiller", "rear-door", "dlc-tower", "dlc-drycooler", "immersion", "air-economizer",
              "air-aircooled-chiller"}


@pytest.fixture(scope="module")
def data():
    return load_archetypes()


@pytest.fixture(scope="module")
def result():
    return validate_archetypes()


def test_every_archetype_has_a_published_value(data):
    assert {c.archetype for c in data.case} >= ARCHETYPES
    assert len({c.id for c in data.case}) == len(data.case)
    cooling = set(load_catalog().ids("cooling"))
    assert {c.archetype for c in data.case} <= cooling


def test_every_published_number_is_sourced_and_sane(data):
    for c in data.case:
        pue = c.pue.quantity.to("dimensionless").magnitude
        assert 1.0 < pue < 3.0, c.id
        assert c.pue.low_quantity.magnitude <= pue <= c.pue.high_quantity.magnitude, c.id
        assert c.pue.year and not c.pue.is_assumption, c.id
        if c.wue is not None:
            wue = c.wue.quantity.to("L/kWh").magnitude
            assert 0 <= c.wue.low_quantity.to("L/kWh").magnitude <= wue, c.id
            assert wue <= c.wue.high_quantity.to("L/kWh").magnitude, c.id
            assert c.wue.year and not c.wue.is_assumption, c.id
        assert c.climate_zone.year and not c.climate_zone.is_assumption, c.id


def test_every_station_ships_with_design_conditions(data):
    for c in data.case:
        w = read_compact(builtin_dir() / c.weather)
        assert w.hours == 8760
        assert w.design is not None and w.design.cooling_dry_bulb is not None, c.weather


def test_every_case_runs(result, data):
    assert not result.failures, [c.failure for c in result.failures]
    assert [c.id for c in result.cases] == [c.id for c in data.case]
    for c in result.cases:
        assert 1.0 < c.pue < 2.0, c.id
        assert c.wue >= 0, c.id
        assert c.pue_difference == pytest.approx(c.pue - c.pue_published)
        assert c.wue_difference == pytest.approx(c.wue - c.wue_published)
        low, high = c.pue_range
        assert low <= c.pue_published <= high


def test_halls_take_their_own_load(result):
    # an air hall runs the campus load, a liquid or immersion hall the default scenario's servers:
    # the hall recorded is the archetype's own, from specs/cooling.toml
    cooling = load_catalog().category("cooling")
    for c in result.cases:
        assert c.hall == cooling[c.archetype].hall


def test_the_climate_moves_the_result(result):
    # one archetype in Phoenix (hot, dry) and at Dulles (mixed, humid): the climate must show
    by_id = {c.id: c for c in result.cases}
    assert by_id["air-economizer-phoenix"].wue > by_id["air-economizer-ashburn"].wue


def test_malformed_file_is_one_line(tmp_path):
    bad = tmp_path / "archetypes.toml"
    bad.write_text(archetype_file().read_text(encoding="utf-8").replace('archetype = "air-chiller"',
                                                                       'archetyp = "air-chiller"', 1),
                   encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_archetypes(bad)
    assert "case 'air-chiller-ashburn'" in str(exc.value) and "archetype" in str(exc.value)
    assert "\n" not in str(exc.value)


def test_unknown_archetype_is_a_failure_not_a_crash(tmp_path):
    text = archetype_file().read_text(encoding="utf-8").replace('archetype = "rear-door"',
                                                               'archetype = "no-such-cooling"', 1)
    # the user's weather is read beside the user's file: copy the shipped stations there
    (tmp_path / "weather").mkdir()
    for station in (builtin_dir() / "weather").glob("*.csv.gz"):
        (tmp_path / "weather" / station.name).write_bytes(station.read_bytes())
    mine = tmp_path / "mine.toml"
    mine.write_text(text, encoding="utf-8")
    res = validate_archetypes(mine)
    failed = {c.id: c.failure for c in res.failures}
    assert list(failed) == ["rear-door-ashburn"] and "no-such-cooling" in failed["rear-door-ashburn"]


def test_cli_archetypes():
    res = CliRunner().invoke(cli, ["validate", "--archetypes"])
    assert res.exit_code == 0, res.output
    for name in ARCHETYPES:
        assert name in res.stdout
    assert "PUE dcpower" in res.stdout and res.stderr == ""


def test_cli_archetypes_json(data):
    res = CliRunner().invoke(cli, ["validate", "--archetypes", "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert [c["id"] for c in out["cases"]] == [c.id for c in data.case]
    assert all(isinstance(c["pue"], float) and c["wue_unit"] == "L/kWh" for c in out["cases"])


@pytest.mark.parametrize("args", [["--archetypes", "--summary"], ["--archetypes", "--campuses"]])
def test_cli_archetypes_refuses_other_modes(capsys, args):
    # main() is the console script: it turns a dcpower error into one line and exit status 2
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1


def test_an_empty_file_names_the_missing_table(tmp_path):
    # pydantic's "case: Field required" before
    empty = tmp_path / "archetypes.toml"
    empty.write_text("")
    with pytest.raises(InputError, match="case: missing; add it; see specs/validation/archetypes.toml"):
        load_archetypes(empty)
