"""dcpower validate --campuses: the data loads, every campus runs, errors are one line.

No test here compares dcpower's PUE or WUE with the published values: the comparison is
reported (docs/validation.md), not fitted, and a test that pinned it would tune the model.
The bounds below are physical (a PUE above 1, water not negative), not the published numbers.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from dcpower.catalog.loader import builtin_dir, load_catalog
from dcpower.chain.resolve import resolve
from dcpower.cli import cli, main
from dcpower.errors import InputError
from dcpower.studies.campuses import archetype_for, campus_file, load_campuses, validate_campuses
from dcpower.weather.compact import read_compact


@pytest.fixture(scope="module")
def data():
    return load_campuses()


@pytest.fixture(scope="module")
def result():
    return validate_campuses()


def test_shipped_data_covers_eight_campuses_in_four_climates(data):
    assert len(data.campus) >= 8
    assert len({c.id for c in data.campus}) == len(data.campus)
    assert len({c.climate.split(" (")[0] for c in data.campus}) >= 4
    assert {c.operator for c in data.campus} >= {"AWS", "Google", "Microsoft"}


def test_every_published_number_is_sourced_and_sane(data):
    for c in data.campus:
        assert 1.0 < c.pue.quantity.to("dimensionless").magnitude < 3.0, c.id
        assert c.pue.year and not c.pue.is_assumption, c.id
        if c.wue is not None:
            assert c.wue.quantity.to("L/kWh").magnitude >= 0, c.id
            assert c.wue.year and not c.wue.is_assumption, c.id
        assert c.station_distance.quantity.to("km").magnitude < 200, c.id


def test_every_station_ships_with_design_conditions(data):
    for c in data.campus:
        w = read_compact(builtin_dir() / c.weather)
        assert w.hours == 8760
        assert w.design is not None and w.design.cooling_dry_bulb is not None, c.weather
        assert w.design.evaporation_wet_bulb is not None, c.weather


def test_fallbacks_are_catalog_archetypes(data):
    cooling = set(load_catalog().ids("cooling"))
    for c in data.campus:
        assert c.fallback in cooling, c.id
        assert archetype_for(str(c.archetype.value), c.fallback, cooling) in cooling


def test_archetype_for_prefers_the_intended_archetype_once_it_exists():
    assert archetype_for("air-economizer", "air-chiller", {"air-chiller"}) == "air-chiller"
    assert archetype_for("air-economizer", "air-chiller", {"air-chiller", "air-economizer"}) == "air-economizer"


def test_every_campus_runs(result, data):
    assert not result.failures, [c.failure for c in result.failures]
    assert len(result.campuses) == len(data.campus)
    for c in result.campuses:
        assert 1.0 < c.pue < 2.0, c.id
        assert c.wue >= 0, c.id
        assert c.pue_difference == pytest.approx(c.pue - c.pue_published)
        assert (c.wue_difference is None) == (c.wue_published is None)


def test_substitutions_are_recorded_exactly_where_the_catalog_lacks_the_archetype(result, data):
    cooling = set(load_catalog().ids("cooling"))
    expected = {str(c.archetype.value): c.fallback for c in data.campus if str(c.archetype.value) not in cooling}
    assert result.substitutions == expected
    for c in result.campuses:
        assert c.used == (c.archetype if c.archetype in cooling else expected[c.archetype])


def test_typical_values_get_a_range_over_the_campus_climates(result, data):
    assert len(result.typical) == len(data.typical) >= 2
    for t in result.typical:
        low, high = t.pue_range
        assert 1.0 < low <= high < 2.0
        # the range is over the same runs as the campus table
        same = [c.pue for c in result.campuses if c.used == t.used]
        assert low <= min(same) and max(same) <= high


def test_a_campus_station_moves_the_result(result):
    # one design in Singapore (hot, humid) and in Stockholm (cold): the climate must show in the PUE
    pue = {c.id: c.pue for c in result.campuses}
    assert pue["aws-ap-southeast-1"] > pue["aws-eu-north-1"]


def test_scenario_weather_may_be_a_compact_file():
    path = builtin_dir() / "validation" / "weather" / "stockholm-arlanda-024600-iwec.csv.gz"
    r = resolve(weather=str(path))
    assert r.weather.latitude == pytest.approx(59.65)
    assert "Climate Design Data 2009 ASHRAE Handbook" in r.design.source


def test_malformed_file_is_one_line(tmp_path):
    bad = tmp_path / "validation" / "campuses.toml"
    bad.parent.mkdir()
    bad.write_text(campus_file().read_text(encoding="utf-8").replace('operator = "AWS"', 'operater = "AWS"', 1),
                   encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_campuses(bad)
    # names the entry and the field (the misspelt key leaves 'operator' missing)
    assert "campus 'aws-us-east-1'" in str(exc.value) and "operator" in str(exc.value)
    assert "\n" not in str(exc.value)


def test_user_file_reads_weather_beside_it(tmp_path):
    # one campus of the shipped file, its compact weather copied next to the user's TOML
    shipped = load_campuses()
    campus = shipped.campus[1]
    (tmp_path / "stations").mkdir()
    (tmp_path / "stations" / "arlanda.csv.gz").write_bytes((builtin_dir() / campus.weather).read_bytes())
    text = campus_file().read_text(encoding="utf-8")
    head = text[:text.index("\n[[campus]]\n") + 1]
    block = text[text.index(f'id = "{campus.id}"'):].split("[[campus]]")[0]
    block = block.replace(f'weather = "{campus.weather}"', 'weather = "stations/arlanda.csv.gz"')
    mine = tmp_path / "mine.toml"
    mine.write_text(head + "[[campus]]\n" + block, encoding="utf-8")
    res = validate_campuses(mine)
    assert [c.id for c in res.campuses] == [campus.id] and not res.failures
    # the same station and design give the same answer as the shipped file
    shipped_run = {c.id: c for c in validate_campuses().campuses}[campus.id]
    assert res.campuses[0].pue == pytest.approx(shipped_run.pue)
    assert res.typical == []


def test_weather_outside_the_user_folder_is_refused(tmp_path):
    text = campus_file().read_text(encoding="utf-8").replace(
        'weather = "weather/ashburn-724030-tmy3.csv.gz"', 'weather = "../elsewhere.csv.gz"')
    mine = tmp_path / "mine.toml"
    mine.write_text(text, encoding="utf-8")
    res = validate_campuses(mine)
    failed = {c.id: c.failure for c in res.failures}
    assert "aws-us-east-1" in failed and "leads outside" in failed["aws-us-east-1"]


def test_cli_campuses():
    res = CliRunner().invoke(cli, ["validate", "--campuses"])
    assert res.exit_code == 0, res.output
    for name in ("AWS Europe (Stockholm)", "Google, Singapore", "Microsoft, Arizona"):
        assert name in res.stdout
    assert "PUE dcpower" in res.stdout and res.stderr == ""


def test_cli_campuses_json(data):
    import json

    res = CliRunner().invoke(cli, ["validate", "--campuses", "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert [c["id"] for c in out["campuses"]] == [c.id for c in data.campus]
    assert all(isinstance(c["pue"], float) and c["wue_unit"] == "L/kWh" for c in out["campuses"])


def test_cli_campuses_refuses_summary(capsys):
    # main() is the console script: it turns a dcpower error into one line and exit status 2
    code = main(["validate", "--campuses", "--summary"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "--summary" in err and len(err.strip().splitlines()) == 1


def test_an_empty_file_names_the_missing_table(tmp_path):
    # pydantic's "load: Field required" before
    empty = tmp_path / "campuses.toml"
    empty.write_text("")
    with pytest.raises(InputError, match="load: missing; add it; see specs/validation/campuses.toml"):
        load_campuses(empty)


@pytest.mark.parametrize("old, new, words", [
    # 0 GPUs printed nan for every campus, a PUE of -1 was compared, a PUE in kg escaped as a pint error
    ("gpus = 40000", "gpus = 0", "load.gpus: 0 is out of range: must be at least 1"),
    ("pue = { value = 1.15,", "pue = { value = -1,", "pue: -1 is not in the range of a reported PUE (at least 1"),
    ("pue = { value = 1.15,", 'pue = { value = "1.15 kg",', "'1.15 kg' is not a plain number"),
    ('wue = { value = "0.12 L/kWh",', 'wue = { value = "0.12 kg",', "'0.12 kg' is not a water intensity"),
])
def test_values_out_of_range_or_dimension_are_one_line(tmp_path, old, new, words):
    text = campus_file().read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "validation" / "campuses.toml"
    bad.parent.mkdir()
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_campuses(bad)
    assert words in str(exc.value) and "\n" not in str(exc.value)
