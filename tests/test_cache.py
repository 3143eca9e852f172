"""The user cache holds data only, and what comes back from it is checked like a fresh parse:
a damaged, edited or planted entry is deleted and rebuilt, never trusted and never fatal."""

import gzip
import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest

import dcpower.units
from dcpower.catalog import loader
from dcpower.catalog.loader import builtin_dir, load_catalog, read_toml
from dcpower.catalog.scenario import load_scenario
from dcpower.errors import SpecError
from dcpower.weather import compact
from dcpower.weather.compact import read_compact

MEMPHIS_WEATHER = builtin_dir() / "weather" / "memphis-723340-tmy3.csv.gz"
ACCELERATORS = builtin_dir() / "accelerators.toml"


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    """A private, empty cache folder for each test; the in-process catalog cache emptied too."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("DCPOWER_NO_CACHE", raising=False)
    monkeypatch.setattr(loader, "_CACHE", {})
    return tmp_path / "cache" / "dcpower"


class _Planted:
    """An object whose unpickling would run code: it creates a file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


# ---------------------------------------------------------------- units: no pickle at all

def test_unit_registry_takes_no_pickle_from_the_cache(tmp_path, monkeypatch):
    import pint

    seen = {}
    real = pint.UnitRegistry

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(pint, "UnitRegistry", spy)
    registry = dcpower.units._build_registry()
    assert seen.get("cache_folder") is None  # pint's ":auto:" cache is a pickle
    assert registry.Quantity(1, "TR").to("kW").magnitude == pytest.approx(3.516853, rel=1e-6)  # 12,000 BTU/h


def test_nothing_in_the_package_unpickles():
    src = Path(dcpower.units.__file__).parent
    offenders = [p.name for p in src.rglob("*.py")
                 if "pickle.load" in p.read_text() or "allow_pickle=True" in p.read_text()
                 or 'cache_folder=":auto:"' in p.read_text()]
    assert offenders == []


# ---------------------------------------------------------------- weather arrays (.npy)

def _npy(cache) -> Path:
    files = sorted((cache / "weather").glob("*.npy"))
    assert len(files) == 1, files
    return files[0]


def _fresh(monkeypatch):
    monkeypatch.setenv("DCPOWER_NO_CACHE", "1")
    w = read_compact(MEMPHIS_WEATHER)
    monkeypatch.delenv("DCPOWER_NO_CACHE")
    return w


def test_weather_cache_is_a_plain_array(cache):
    read_compact(MEMPHIS_WEATHER)
    data = np.load(_npy(cache), allow_pickle=False)
    assert data.dtype == np.float64 and data.shape == (8760, 6)


@pytest.mark.parametrize("damage", ["nan", "out_of_range", "empty", "float32", "garbage", "pickle"])
def test_bad_weather_cache_entry_is_rebuilt(cache, monkeypatch, tmp_path, damage):
    expected = _fresh(monkeypatch)
    read_compact(MEMPHIS_WEATHER)
    f = _npy(cache)
    good = np.load(f)
    marker = tmp_path / "code-ran"
    if damage == "nan":  # a NaN dry-bulb once gave 7,094 m3 of water a year instead of 1.3 million
        bad = good.copy()
        bad[100, 0] = np.nan
        np.save(f, bad)
    elif damage == "out_of_range":  # a pressure of 0 Pa: the parser's range is 31,000..120,000 Pa
        bad = good.copy()
        bad[5, 3] = 0.0
        np.save(f, bad)
    elif damage == "empty":  # a zero-byte file once made every command print "Aborted."
        f.write_bytes(b"")
    elif damage == "float32":
        np.save(f, good.astype(np.float32))
    elif damage == "garbage":
        f.write_bytes(os.urandom(1000))
    else:
        obj = np.empty(1, dtype=object)
        obj[0] = _Planted(marker)
        np.save(f, obj, allow_pickle=True)
    w = read_compact(MEMPHIS_WEATHER)
    assert np.array_equal(w.dry_bulb.magnitude, expected.dry_bulb.magnitude)
    assert np.array_equal(w.pressure.magnitude, expected.pressure.magnitude)
    assert not marker.exists()
    assert np.array_equal(np.load(f, allow_pickle=False), good)  # rebuilt


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifo_in_the_weather_cache_does_not_block(cache, monkeypatch):
    expected = _fresh(monkeypatch)
    name = hashlib.sha256(gzip.decompress(MEMPHIS_WEATHER.read_bytes())).hexdigest() + ".npy"
    (cache / "weather").mkdir(parents=True)
    os.mkfifo(cache / "weather" / name)
    w = read_compact(MEMPHIS_WEATHER)
    assert np.array_equal(w.wet_bulb.magnitude, expected.wet_bulb.magnitude)


def test_estimate_ignores_a_poisoned_weather_cache(cache, monkeypatch):
    import dcpower
    from dcpower.chain import resolve

    monkeypatch.setattr(resolve, "_WEATHER_CACHE", {})
    clean = dcpower.estimate(gpus=1000).annual_water.to("m^3").magnitude
    f = _npy(cache)
    bad = np.load(f)
    bad[100, 0] = np.nan
    np.save(f, bad)
    monkeypatch.setattr(resolve, "_WEATHER_CACHE", {})
    assert dcpower.estimate(gpus=1000).annual_water.to("m^3").magnitude == clean


# ---------------------------------------------------------------- parsed TOML (JSON)

def _toml_entry(cache, path: Path) -> Path:
    return cache / "toml" / (hashlib.sha256(path.read_bytes()).hexdigest() + ".json")


def _rewrite(entry: Path, edit, keep_checksum: bool) -> None:
    head, body = entry.read_text().split("\n", 1)
    data = json.loads(body)
    edit(data)
    body = json.dumps(data)
    header = json.loads(head)
    if keep_checksum:  # a deliberate forgery: the checksum recomputed
        header["body"] = hashlib.sha256(body.encode()).hexdigest()
    entry.write_text(json.dumps(header) + "\n" + body)


def _h100(data) -> dict:
    return next(a for a in data["accelerator"] if a["id"] == "h100-sxm")


def test_toml_cache_is_used(cache, monkeypatch):
    first = read_toml(ACCELERATORS)
    assert _toml_entry(cache, ACCELERATORS).is_file()

    def no_parse(text):
        raise AssertionError("parsed again")

    monkeypatch.setattr(loader.tomllib, "loads", no_parse)
    assert read_toml(ACCELERATORS) == first


def test_hand_edited_toml_cache_is_not_trusted(cache):
    load_catalog()
    entry = _toml_entry(cache, ACCELERATORS)
    _rewrite(entry, lambda d: _h100(d)["max_power"].update(value="7000 kW"), keep_checksum=False)
    loader._CACHE.clear()
    spec = load_catalog().get("accelerator", "h100-sxm")
    assert spec.max_power.quantity.to("W").magnitude == 700  # specs/accelerators.toml
    assert "7000 kW" not in entry.read_text()  # rebuilt from the file


@pytest.mark.parametrize("edit", [
    lambda d: _h100(d)["max_power"].update(value="700 m"),      # not a power
    lambda d: _h100(d).update(planted="x"),                      # a key the model refuses
    lambda d: d.update(rootkit=[{"id": "x"}]),                   # a category that does not exist
    lambda d: _h100(d)["max_power"].update(value=None),          # JSON null: no TOML value
])
def test_forged_toml_cache_is_validated_and_never_fatal(cache, edit):
    load_catalog()
    _rewrite(_toml_entry(cache, ACCELERATORS), edit, keep_checksum=True)
    loader._CACHE.clear()
    spec = load_catalog().get("accelerator", "h100-sxm")
    assert spec.max_power.quantity.to("W").magnitude == 700


def test_specs_validate_reads_the_files_not_the_cache(cache, capsys, monkeypatch):
    from dcpower.cli import main

    load_catalog()
    calls = []
    real = loader._cached
    monkeypatch.setattr(loader, "_cached", lambda digest: calls.append(digest) or real(digest))
    assert main(["specs", "validate"]) == 0
    assert calls == [] and capsys.readouterr().out.startswith("ok:")


def test_forged_scenario_cache_is_validated(cache, tmp_path):
    scenario = tmp_path / "my.toml"
    scenario.write_text((builtin_dir() / "scenarios" / "memphis.toml").read_text())
    assert load_scenario(scenario).gpus == 100_000
    _rewrite(_toml_entry(cache, scenario), lambda d: d.update(gpus=-5), keep_checksum=True)
    assert load_scenario(scenario).gpus == 100_000


def test_deeply_nested_cache_entry_is_rebuilt(cache):
    read_toml(ACCELERATORS)
    entry = _toml_entry(cache, ACCELERATORS)
    head = json.loads(entry.read_text().split("\n", 1)[0])
    body = ("[" * 5000 + "]" * 5000).encode()
    head["body"] = hashlib.sha256(body).hexdigest()
    entry.write_bytes(json.dumps(head).encode() + b"\n" + body)
    assert "accelerator" in read_toml(ACCELERATORS)


def test_no_cache_means_no_files(cache, monkeypatch):
    monkeypatch.setenv("DCPOWER_NO_CACHE", "1")
    read_toml(ACCELERATORS)
    read_compact(MEMPHIS_WEATHER)
    assert not cache.exists()


def test_unwritable_cache_only_costs_speed(tmp_path, monkeypatch):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert "accelerator" in read_toml(ACCELERATORS)
    assert read_compact(MEMPHIS_WEATHER).hours == 8760
    with pytest.raises(SpecError, match="file not found"):
        read_toml(tmp_path / "none.toml")


def test_weather_cache_check_uses_the_parsers_limits():
    # an ordinary hour (20 degC, 50 %, standard atmosphere 101,325 Pa) passes; a station
    # pressure just below the parser's 31,000 Pa does not
    row = np.array([[20.0, 9.3, 50.0, 101325.0, 13.7, 0.0073]])
    assert compact._out_of_range(row) is None
    row[0, 3] = 30999.0
    assert compact._out_of_range(row) == (0, 3)
