"""Paths: a bare name is always a scenario id, a path needs a separator or an extension;
relative paths are read from the file that names them; a spec file may not point out of its
own specs folder."""

import dataclasses
from pathlib import Path

import pytest

from dcpower.catalog.loader import builtin_dir, data_path
from dcpower.catalog.scenario import is_scenario_id, load_scenario, scenario_path
from dcpower.chain.resolve import resolve
from dcpower.errors import InputError, SpecError
from dcpower.weather.compact import read_compact, write_compact

BUILTIN_SITES = (builtin_dir() / "sites.toml").read_text(encoding="utf-8")
MEMPHIS_SCENARIO = (builtin_dir() / "scenarios" / "memphis.toml").read_text(encoding="utf-8")


def _site(ident: str, weather: str) -> str:
    """The built-in Phoenix site as a new site ``ident`` whose weather is ``weather``."""
    block = next(b for b in BUILTIN_SITES.split("[[site]]") if 'id = "phoenix"' in b)
    block = block.replace('id = "phoenix"', f'id = "{ident}"')
    return "[[site]]" + block.replace('weather = "weather/phoenix-722780-tmy3.csv.gz"', f'weather = "{weather}"')


def _scenario(weather: str | None) -> str:
    text = MEMPHIS_SCENARIO
    return text.replace('site = "memphis"', f'site = "memphis"\nweather = "{weather}"') if weather else text


@pytest.mark.parametrize("text, is_id", [("memphis", True), ("memphis-phased", True), ("my.toml", False),
                                         ("./memphis", False), ("runs/a", False), ("a.v2", False)])
def test_what_is_an_id(text, is_id):
    assert is_scenario_id(text) is is_id


def test_a_file_named_like_a_builtin_does_not_replace_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("memphis").write_text("gpus = 7\n")  # not a valid scenario at all
    assert load_scenario("memphis").gpus == 100_000  # specs/scenarios/memphis.toml
    with pytest.raises(SpecError, match="memphis: scenario"):
        load_scenario("./memphis")  # a path is the file


def test_a_bare_name_that_is_only_a_file_says_how_to_read_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("mine").write_text(MEMPHIS_SCENARIO)
    with pytest.raises(InputError, match=r"unknown scenario 'mine'.*write ./mine"):
        load_scenario("mine")
    assert load_scenario("./mine").gpus == 100_000
    assert load_scenario(Path("mine")).gpus == 100_000  # a Path is always a file


def test_scenario_ids_cannot_walk_out_of_the_scenarios_folder():
    with pytest.raises(InputError, match="not a scenario id"):
        scenario_path("../sites")


def test_scenario_weather_is_relative_to_the_scenario_file(tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    (project / "s.toml").write_text(_scenario("data/station.epw"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    scen = load_scenario(str(project / "s.toml"))
    assert Path(scen.weather) == project / "data" / "station.epw"
    monkeypatch.chdir(tmp_path)
    scen = load_scenario("project/s.toml")
    assert Path(scen.weather).resolve() == (project / "data" / "station.epw").resolve()


def test_absolute_scenario_weather_is_kept(tmp_path):
    (tmp_path / "s.toml").write_text(_scenario("/data/station.epw"))
    assert load_scenario(tmp_path / "s.toml").weather == "/data/station.epw"


def test_scenario_of_a_specs_folder_may_not_point_out_of_it(tmp_path):
    specs = tmp_path / "myspecs"
    (specs / "scenarios").mkdir(parents=True)
    (specs / "scenarios" / "inside.toml").write_text(_scenario("../weather/station.epw"))
    (specs / "scenarios" / "outside.toml").write_text(_scenario("../../station.epw"))
    assert Path(load_scenario("inside", [specs]).weather).resolve() == (specs / "weather" / "station.epw").resolve()
    with pytest.raises(SpecError, match="leads outside its specs folder"):
        load_scenario("outside", [specs])


def _user_site(tmp_path, weather: str) -> Path:
    specs = tmp_path / "myspecs"
    (specs / "weather").mkdir(parents=True)
    (specs / "sites.toml").write_text(_site("hotville", weather))
    return specs


def test_user_site_weather_is_read_from_its_own_specs_folder(tmp_path):
    specs = _user_site(tmp_path, "weather/hotville.csv.gz")
    phoenix = read_compact(builtin_dir() / "weather" / "phoenix-722780-tmy3.csv.gz")
    write_compact(dataclasses.replace(phoenix, name="Hotville"), specs / "weather" / "hotville.csv.gz")
    r = resolve(site="hotville", specs_dirs=[specs])
    assert r.weather.name == "Hotville"  # the user's file, not one of the built-in folder


@pytest.mark.parametrize("weather", ["../weather/memphis-723340-tmy3.csv.gz", "/etc/passwd",
                                     "weather/../../elsewhere.csv.gz"])
def test_user_site_weather_may_not_leave_its_specs_folder(tmp_path, weather):
    specs = _user_site(tmp_path, weather)
    with pytest.raises(SpecError, match="site 'hotville'.*leads outside its specs folder"):
        resolve(site="hotville", specs_dirs=[specs])


def test_data_path_follows_links_before_judging(tmp_path):
    folder = tmp_path / "specs"
    (folder / "weather").mkdir(parents=True)
    (folder / "weather" / "link.csv.gz").symlink_to(tmp_path / "outside.csv.gz")
    with pytest.raises(SpecError, match="leads outside"):
        data_path(folder, "weather/link.csv.gz", "site 'x': weather")
    assert data_path(folder, "weather/a.csv.gz", "site 'x': weather") == folder / "weather" / "a.csv.gz"
