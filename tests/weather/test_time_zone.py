"""The weather's time zone: read from the EPW LOCATION line, kept by the compact form.

Expected offsets: field 9 ("Time Zone") of the LOCATION line of each source EPW file
(the NREL TMY3 EPW LOCATION lines): Memphis -6.0, Sterling (Ashburn) -5.0, Phoenix -7.0 hours from UTC.
"""

from pathlib import Path

import pytest

from dcpower.errors import WeatherError
from dcpower.weather.compact import read_compact, write_compact
from dcpower.weather.epw import read_epw

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "weather"
OFFSETS = {"memphis-723340-tmy3.csv.gz": -6.0, "ashburn-724030-tmy3.csv.gz": -5.0,
           "phoenix-722780-tmy3.csv.gz": -7.0}


@pytest.mark.parametrize("name", sorted(OFFSETS))
def test_shipped_weather_has_its_time_zone(name):
    assert read_compact(ROOT / "specs" / "weather" / name).time_zone == OFFSETS[name]


def _epw(tmp_path, time_zone: str) -> Path:
    src = SHARED / "USA_TN_Memphis.Intl.AP.723340_TMY3.epw"
    if not src.is_file():
        pytest.skip("shared weather data absent")
    lines = src.read_text(encoding="latin-1").splitlines()
    fields = lines[0].split(",")
    fields[8] = time_zone
    path = tmp_path / "x.epw"
    path.write_text("\n".join([",".join(fields)] + lines[1:]) + "\n", encoding="latin-1")
    return path


def test_epw_time_zone_read_and_round_tripped(tmp_path):
    w = read_epw(_epw(tmp_path, "5.5"))  # India Standard Time: a half-hour offset survives
    assert w.time_zone == 5.5
    write_compact(w, tmp_path / "x.csv.gz")
    assert read_compact(tmp_path / "x.csv.gz").time_zone == 5.5


def test_epw_without_time_zone_gives_none(tmp_path):
    assert read_epw(_epw(tmp_path, "")).time_zone is None


def test_epw_impossible_time_zone_is_one_line_error(tmp_path):
    with pytest.raises(WeatherError, match="time zone 20 h is outside") as info:
        read_epw(_epw(tmp_path, "20"))
    assert "\n" not in str(info.value)
