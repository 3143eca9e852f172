"""Bounded reads: only regular files, within a size limit stated in the message; gzip inflated
to a limit; TOML nested to a limit. Each refusal is one line, and nothing blocks."""

import gzip
import os
from pathlib import Path

import pytest

from dcpower import inputs
from dcpower.catalog.loader import load_catalog, read_toml
from dcpower.cli import main
from dcpower.errors import SpecError, WeatherError
from dcpower.inputs import MAX_TOML_DEPTH, read_input
from dcpower.weather import reading
from dcpower.weather.epw import read_epw

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


def _one_line(exc_info) -> str:
    text = str(exc_info.value)
    assert "\n" not in text
    return text


@needs_fifo
def test_fifo_weather_file_is_refused_at_once(tmp_path):
    fifo = tmp_path / "station.epw"
    os.mkfifo(fifo)  # nobody writes to it: opening it to read would block forever
    with pytest.raises(WeatherError) as exc:
        read_epw(fifo)
    assert "FIFO" in _one_line(exc) and "give the path to an EnergyPlus .epw weather file" in str(exc.value)


@needs_fifo
def test_fifo_spec_file_in_a_specs_folder_is_refused(tmp_path):
    specs = tmp_path / "myspecs"
    specs.mkdir()
    os.mkfifo(specs / "extra.toml")
    with pytest.raises(SpecError) as exc:
        load_catalog([specs])
    assert "extra.toml: is a FIFO" in _one_line(exc)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_link_to_an_endless_device_is_refused(tmp_path):
    link = tmp_path / "station.epw"
    link.symlink_to("/dev/zero")
    with pytest.raises(WeatherError, match="character device"):
        read_epw(link)
    toml = tmp_path / "my.toml"
    toml.symlink_to("/dev/zero")
    with pytest.raises(SpecError, match="character device"):
        read_toml(toml)


def test_folder_is_refused(tmp_path):
    with pytest.raises(WeatherError, match="is a folder"):
        read_epw(tmp_path)


def test_size_limit_is_stated(tmp_path):
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * 2000 + b"\n")
    with pytest.raises(SpecError) as exc:
        read_input(big, "a TOML spec file", 1024, SpecError)
    assert "more than the 1 KiB dcpower reads for a TOML spec file" in _one_line(exc)
    assert read_input(big, "a TOML spec file", 4096, SpecError).startswith(b"# x")


def test_gzip_bomb_stops_at_the_limit(tmp_path, monkeypatch):
    # 8 MiB of zeros compress to about 8 KB; with the limit lowered to 1 MiB the read stops there
    monkeypatch.setattr(reading, "MAX_WEATHER_BYTES", 1 << 20)
    bomb = tmp_path / "station.epw.gz"
    bomb.write_bytes(gzip.compress(b"\0" * (8 << 20)))
    assert bomb.stat().st_size < (1 << 20)
    with pytest.raises(WeatherError) as exc:
        read_epw(bomb)
    assert "decompresses to more than the 1 MiB" in _one_line(exc)


def test_damaged_gzip_is_one_line(tmp_path):
    broken = tmp_path / "station.epw.gz"
    broken.write_bytes(gzip.compress(b"LOCATION,x\n" * 100)[:-12])
    with pytest.raises(WeatherError) as exc:
        read_epw(broken)
    assert "not a valid gzip file" in _one_line(exc)


@pytest.mark.parametrize("nesting", ["[" * 3000 + "]" * 3000, "{b = " * 3000 + "1" + "}" * 3000])
def test_deep_toml_is_refused(tmp_path, nesting):
    deep = tmp_path / "deep.toml"
    deep.write_text(f"a = {nesting}\n")
    with pytest.raises(SpecError) as exc:
        read_toml(deep)
    assert f"nested more than {MAX_TOML_DEPTH} deep" in _one_line(exc)


def test_deep_toml_on_the_command_line_is_not_an_internal_error(tmp_path, capsys):
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 3000 + "]" * 3000 + "\n")
    assert main(["estimate", "--scenario", str(deep)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and "internal" not in err and len(err.splitlines()) == 1


def test_moderate_nesting_is_read(tmp_path):
    ok = tmp_path / "ok.toml"
    ok.write_text("a = " + "[" * (MAX_TOML_DEPTH - 1) + "]" * (MAX_TOML_DEPTH - 1) + "\n")
    assert read_toml(ok)["a"]


def test_inputs_are_remembered_under_any_name(tmp_path):
    f = tmp_path / "scenario.toml"
    f.write_text("")
    inputs.forget_inputs()
    assert inputs.input_named(f) is None
    read_input(f, "a scenario", 10)
    assert inputs.input_named(Path(str(tmp_path) + "/./scenario.toml")) == str(f)
    inputs.forget_inputs()
