"""Tests of dcpower.weather.epw: EPW reading, the compact form, the shipped site weather.

Expected numbers: the Memphis design values and annual mean come from
the ASHRAE 2009 values in the NREL
TMY3 EPW header; TMY3 annual mean 62.67 degF = 17.0 degC from the OpenStudio-HPXML cache);
the Sterling and Phoenix means and the maxima read from the NREL TMY3 files themselves.
"""

import gzip
import time
import tomllib
from pathlib import Path

import numpy as np
import psychrolib
import pytest

from dcpower.errors import WeatherError
from dcpower.units import Q_
from dcpower.weather.compact import COMPACT_COLUMNS, read_compact, write_compact
from dcpower.weather.epw import read_epw
from dcpower.weather.model import DesignConditions, Weather

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "weather"
MEMPHIS_EPW = SHARED / "USA_TN_Memphis.Intl.AP.723340_TMY3.epw"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="shared weather data absent")

STATIONS = {
    # compact file: (EPW file, annual mean dry-bulb [degC], maximum [degC]) per the README
    "memphis-723340-tmy3.csv.gz": ("USA_TN_Memphis.Intl.AP.723340_TMY3.epw", 17.0, 38.3),
    "ashburn-724030-tmy3.csv.gz": ("USA_VA_Sterling-Washington.Dulles.Intl.AP.724030_TMY3.epw", 12.7, 37.2),
    "phoenix-722780-tmy3.csv.gz": ("USA_AZ_Phoenix-Sky.Harbor.Intl.AP.722780_TMY3.epw", 23.8, 44.4),
}


@pytest.fixture(scope="module")
def memphis():
    if not SHARED.is_dir():
        pytest.skip("shared weather data absent")
    return read_epw(MEMPHIS_EPW)


# ---------------------------------------------------------------- the real Memphis EPW

def test_memphis_station(memphis):
    # LOCATION line of the NREL TMY3 file: 35.07 N, 89.98 W, 81 m
    assert memphis.name == "Memphis International Ap, TN, USA"
    assert memphis.latitude == 35.07 and memphis.longitude == -89.98
    assert memphis.elevation.to("m").magnitude == 81
    assert "USA_TN_Memphis.Intl.AP.723340_TMY3.epw" in memphis.source and "TMY3" in memphis.source
    assert memphis.hours == 8760
    for name in ("dry_bulb", "dew_point", "relative_humidity", "pressure", "wet_bulb", "humidity_ratio"):
        assert getattr(memphis, name).magnitude.shape == (8760,), name


def test_memphis_first_row(memphis):
    # line 9 of the file: 1996,1,1,1,0,...,9.4,9.4,100,99400
    assert memphis.dry_bulb[0].to("degC").magnitude == pytest.approx(9.4)
    assert memphis.dew_point[0].to("degC").magnitude == pytest.approx(9.4)
    assert memphis.relative_humidity[0].to("percent").magnitude == 100
    assert memphis.pressure[0].to("Pa").magnitude == 99400
    # saturated air: wet bulb = dry bulb
    assert memphis.wet_bulb[0].to("degC").magnitude == pytest.approx(9.4, abs=0.002)


def test_memphis_annual_mean_and_max(memphis):
    # NREL TMY3 Memphis: annual mean 62.67 degF (17.0 degC), max 38.3 degC
    assert memphis.dry_bulb.to("degC").magnitude.mean() == pytest.approx(17.0, abs=0.05)
    assert memphis.dry_bulb.to("degF").magnitude.mean() == pytest.approx(62.67, abs=0.05)
    assert memphis.dry_bulb.to("degC").magnitude.max() == pytest.approx(38.3)


def test_memphis_design_conditions(memphis):
    # ASHRAE 2009 climatic design conditions, via the EPW header
    d = memphis.design
    assert d.source == "Climate Design Data 2009 ASHRAE Handbook"
    assert d.cooling_dry_bulb.to("degC").magnitude == pytest.approx(35.6)
    assert d.cooling_coincident_wet_bulb.to("degC").magnitude == pytest.approx(25.2)
    assert d.evaporation_wet_bulb.to("degC").magnitude == pytest.approx(26.8)
    assert d.evaporation_coincident_dry_bulb.to("degC").magnitude == pytest.approx(32.8)
    assert d.dehumidification_dew_point.to("degC").magnitude == pytest.approx(25.1)
    assert d.extreme_wet_bulb.to("degC").magnitude == pytest.approx(29.4)
    assert d.extreme_dry_bulb_mean.to("degC").magnitude == pytest.approx(37.0)
    returns = {y: q.to("degC").magnitude for y, q in d.extreme_dry_bulb_return}
    assert returns == pytest.approx({5: 38.1, 10: 39.0, 20: 39.9, 50: 41.0})
    assert d.extreme_dry_bulb.to("degC").magnitude == pytest.approx(39.9)


def test_memphis_psychrometrics(memphis):
    db = memphis.dry_bulb.to("degC").magnitude
    dp = memphis.dew_point.to("degC").magnitude
    wb = memphis.wet_bulb.to("degC").magnitude
    assert np.all(wb <= db + 1e-9) and np.all(wb >= dp - 1e-9)
    psychrolib.SetUnitSystem(psychrolib.SI)
    p = memphis.pressure.to("Pa").magnitude
    w = memphis.humidity_ratio.magnitude
    for i in range(0, 8760, 97):  # direct scalar psychrolib on a sample of hours
        assert wb[i] == pytest.approx(psychrolib.GetTWetBulbFromTDewPoint(db[i], dp[i], p[i]), abs=0.002)
        assert w[i] == pytest.approx(psychrolib.GetHumRatioFromTDewPoint(dp[i], p[i]), rel=1e-6)
    # The 0.4 % wet bulb of this one typical year (25.8 degC) sits just below the ASHRAE 0.4 %
    # design value of 1982-2006 (26.8 degC): a typical year leaves out the extreme summers.
    assert 25.0 < np.quantile(wb, 0.996) <= 26.8


# ---------------------------------------------------------------- compact form

def test_compact_round_trip(memphis, tmp_path):
    path = tmp_path / "memphis.csv.gz"
    write_compact(memphis, path)
    back = read_compact(path)
    assert (back.name, back.source, back.latitude, back.longitude) == \
        (memphis.name, memphis.source, memphis.latitude, memphis.longitude)
    assert back.elevation == memphis.elevation
    assert back.design == memphis.design
    tolerances = {"dry_bulb": 0.005, "dew_point": 0.005, "relative_humidity": 0.05, "pressure": 0.5,
                  "wet_bulb": 0.005, "humidity_ratio": 5e-7}
    for name, tol in tolerances.items():
        a, b = getattr(back, name), getattr(memphis, name)
        assert a.units == b.units, name
        np.testing.assert_allclose(a.magnitude, b.magnitude, atol=tol + 1e-12, rtol=0, err_msg=name)
    # deterministic bytes: writing again gives the same file
    again = tmp_path / "again.csv.gz"
    write_compact(back, again)
    assert gzip.decompress(again.read_bytes()) == gzip.decompress(path.read_bytes())
    assert again.read_bytes() == path.read_bytes()


@pytest.mark.parametrize("compact", sorted(STATIONS))
def test_shipped_compact_file(compact):
    epw_name, mean, maximum = STATIONS[compact]
    w = read_compact(SPECS / "weather" / compact)
    assert w.hours == 8760
    db = w.dry_bulb.to("degC").magnitude
    assert db.mean() == pytest.approx(mean, abs=0.05)
    assert db.max() == pytest.approx(maximum)
    assert epw_name in w.source
    assert w.design is not None and w.design.cooling_dry_bulb is not None


@needs_shared
@pytest.mark.parametrize("compact", sorted(STATIONS))
def test_shipped_compact_file_agrees_with_epw(compact):
    shipped = read_compact(SPECS / "weather" / compact)
    epw = read_epw(SHARED / STATIONS[compact][0])
    # EPW temperatures have 0.1 K resolution: exact after rounding to 0.01 K
    np.testing.assert_allclose(shipped.dry_bulb.magnitude, epw.dry_bulb.magnitude, atol=1e-9, rtol=0)
    np.testing.assert_allclose(shipped.dew_point.magnitude, epw.dew_point.magnitude, atol=1e-9, rtol=0)
    np.testing.assert_allclose(shipped.pressure.magnitude, epw.pressure.magnitude, atol=1e-9, rtol=0)
    np.testing.assert_allclose(shipped.wet_bulb.magnitude, epw.wet_bulb.magnitude, atol=0.02, rtol=0)
    np.testing.assert_allclose(shipped.humidity_ratio.magnitude, epw.humidity_ratio.magnitude, atol=1e-6, rtol=0)
    assert shipped.design == epw.design
    assert shipped.source == epw.source


def test_read_compact_is_fast():
    path = SPECS / "weather" / "memphis-723340-tmy3.csv.gz"
    read_compact(path)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        read_compact(path)
        best = min(best, time.perf_counter() - t0)
    assert best < 0.030


def test_sites_toml_matches_the_weather_files():
    # specs/sites.toml copies the design values of each compact file's header; keep them equal.
    sites = tomllib.loads((SPECS / "sites.toml").read_text())["site"]
    assert {s["id"] for s in sites} == {"memphis", "ashburn", "phoenix"}
    for site in sites:
        w = read_compact(SPECS / site["weather"])
        d = site["design"]
        for field in ("cooling_dry_bulb", "cooling_coincident_wet_bulb", "evaporation_wet_bulb",
                      "evaporation_coincident_dry_bulb", "extreme_dry_bulb", "extreme_wet_bulb"):
            expected = getattr(w.design, field).to("degC").magnitude
            assert d[field]["value"] == f"{expected:g} degC", (site["id"], field)
        assert site["latitude"] == w.latitude and site["longitude"] == w.longitude
        assert site["elevation"]["value"] == f"{w.elevation.to('m').magnitude:g} m"


def test_sites_toml_validates():
    from dcpower.catalog.loader import load_spec_file

    specs = {s.id: s for s in load_spec_file(SPECS / "sites.toml")}
    assert specs["memphis"].grid == "tva" and specs["ashburn"].grid == "dominion" and specs["phoenix"].grid == "aps"
    assert specs["memphis"].design.cooling_dry_bulb.quantity == Q_(35.6, "degC")


# ---------------------------------------------------------------- synthetic EPW files

_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
HEADER = [
    "LOCATION,Testville,TS,USA,TMY3,999999,40.00,-100.00,-6.0,250.0",
    "DESIGN CONDITIONS,0",
    "TYPICAL/EXTREME PERIODS,0",
    "GROUND TEMPERATURES,0",
    "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0",
    "COMMENTS 1,synthetic file for dcpower tests",
    "COMMENTS 2,",
    "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31",
]


def _rows(leap=False):
    rows = []
    days = list(_DAYS)
    if leap:
        days[1] = 29
    k = 0
    for month, n in enumerate(days, start=1):
        for day in range(1, n + 1):
            for hour in range(1, 25):
                db = 15.0 + 10.0 * np.sin(2 * np.pi * k / 24)
                fields = ["1999", str(month), str(day), str(hour), "0", "?9?9", f"{db:.1f}", "5.0", "50",
                          "98000"] + ["0"] * 25
                rows.append(fields)
                k += 1
    return rows


def _write(tmp_path, rows, header=HEADER, name="test.epw"):
    path = tmp_path / name
    path.write_text("\n".join(header + [",".join(r) for r in rows]) + "\n")
    return path


def _error(path) -> str:
    with pytest.raises(WeatherError) as info:
        read_epw(path)
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message
    return message


def test_synthetic_epw_reads(tmp_path):
    w = read_epw(_write(tmp_path, _rows()))
    assert isinstance(w, Weather) and w.hours == 8760
    assert w.design is None
    assert w.name == "Testville, TS, USA"
    assert w.elevation == Q_(250.0, "m")
    assert w.dry_bulb.magnitude[0] == pytest.approx(15.0)


def test_leap_year_drops_february_29(tmp_path):
    rows = _rows(leap=True)
    assert len(rows) == 8784
    for r in rows:
        if r[1] == "3" and r[2] == "1":
            r[6] = "33.3"  # mark March 1
    w = read_epw(_write(tmp_path, rows))
    assert w.hours == 8760
    march_1 = (31 + 28) * 24
    assert np.all(w.dry_bulb.magnitude[march_1:march_1 + 24] == pytest.approx(33.3))
    assert w.dry_bulb.magnitude[march_1 - 1] != pytest.approx(33.3)


def test_rows_out_of_order_are_placed_by_date(tmp_path):
    rows = _rows()
    rows[0][6], rows[1][6] = "11.0", "12.0"
    rows[0], rows[1] = rows[1], rows[0]
    w = read_epw(_write(tmp_path, rows))
    assert w.dry_bulb.magnitude[:2] == pytest.approx([11.0, 12.0])


def test_isolated_missing_values_are_interpolated(tmp_path):
    rows = _rows()
    for r, v in zip(rows[99:102], ("10.0", "99.9", "16.0")):
        r[6] = v
    rows[500][9] = "999999"
    rows[600][8] = "999"
    rows[0][7] = "99.9"  # first hour: interpolated across the year end
    w = read_epw(_write(tmp_path, rows))
    assert w.dry_bulb.magnitude[100] == pytest.approx(13.0)
    assert w.pressure.magnitude[500] == pytest.approx(98000)
    assert w.relative_humidity.magnitude[600] == pytest.approx(50)
    assert w.dew_point.magnitude[0] == pytest.approx(5.0)


def test_error_missing_file(tmp_path):
    assert "file not found" in _error(tmp_path / "nowhere.epw")


def test_error_empty_file(tmp_path):
    path = tmp_path / "empty.epw"
    path.write_text("")
    assert "not an EPW" in _error(path)


def test_error_not_an_epw(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("time,temperature\n2020-01-01,5\n")
    assert "line 1" in _error(path) and "LOCATION" in _error(path)


def test_byte_order_mark_is_dropped_and_utf16_named(tmp_path):
    # Windows editors: a UTF-8 byte-order mark read as "not an EPW weather file"
    path = _write(tmp_path, _rows())
    text = path.read_text()
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert read_epw(path).hours == 8760
    path.write_bytes(text.encode("utf-16"))
    assert "UTF-16" in _error(path)


@pytest.mark.parametrize("path", [5, None])
def test_a_path_that_is_no_path_is_a_weather_error(path):
    with pytest.raises(WeatherError, match="read_epw needs the path of an .epw file"):
        read_epw(path)


def test_a_dry_bulb_in_kelvin_is_named_as_such(tmp_path):
    # 99.9 and above is EPW's missing code: a kelvin column read as "missing (99.9) in every row"
    rows = _rows()
    for r in rows:
        r[6] = f"{float(r[6]) + 273.15:.1f}"
    message = _error(_write(tmp_path, rows))
    assert "the values look like kelvin" in message and "subtract 273.15" in message


def test_error_wrong_row_count(tmp_path):
    message = _error(_write(tmp_path, _rows()[:8000]))
    assert "8000 hourly rows" in message and "8760" in message


def test_error_non_numeric_field(tmp_path):
    rows = _rows()
    rows[99][6] = "abc"
    message = _error(_write(tmp_path, rows))
    assert "line 108" in message and "dry-bulb" in message and "'abc'" in message


def test_error_empty_field(tmp_path):
    rows = _rows()
    rows[5][9] = ""
    assert "line 14" in _error(_write(tmp_path, rows))


def test_error_impossible_value(tmp_path):
    rows = _rows()
    rows[1000][6] = "85.0"
    message = _error(_write(tmp_path, rows))
    assert "line 1009" in message and "85" in message and "99.9" in message


def test_error_impossible_pressure(tmp_path):
    rows = _rows()
    rows[10][9] = "9800"  # kPa-scaled typo
    assert "line 19" in _error(_write(tmp_path, rows))


def test_error_too_many_missing(tmp_path):
    rows = _rows()
    for r in rows[200:212]:
        r[6] = "99.9"
    message = _error(_write(tmp_path, rows))
    assert "line 209" in message and "12 hours" in message


def test_error_all_missing(tmp_path):
    rows = _rows()
    for r in rows:
        r[9] = "999999"
    assert "every row" in _error(_write(tmp_path, rows))


def test_error_dew_point_above_dry_bulb(tmp_path):
    rows = _rows()
    rows[300][7] = "40.0"
    assert "line 309" in _error(_write(tmp_path, rows))


def test_dew_point_slightly_above_dry_bulb_is_clipped(tmp_path):
    rows = _rows()
    rows[300][6], rows[300][7] = "5.0", "5.4"
    w = read_epw(_write(tmp_path, rows))
    assert w.dew_point.magnitude[300] == pytest.approx(5.0)
    assert w.wet_bulb.magnitude[300] == pytest.approx(5.0, abs=0.002)


def test_error_duplicate_hour(tmp_path):
    rows = _rows()
    rows[5] = list(rows[4])
    message = _error(_write(tmp_path, rows))
    assert "appears twice" in message and "line 14" in message


def test_error_bad_date(tmp_path):
    rows = _rows()
    rows[7][3] = "25"
    assert "line 16" in _error(_write(tmp_path, rows))


def test_error_short_row(tmp_path):
    rows = _rows()
    rows[42] = rows[42][:6]
    assert "line 51" in _error(_write(tmp_path, rows))


def test_error_subhourly(tmp_path):
    header = HEADER[:-1] + ["DATA PERIODS,1,4,Data,Sunday, 1/ 1,12/31"]
    assert "records per hour" in _error(_write(tmp_path, _rows(), header=header))


def test_error_bad_header_count(tmp_path):
    header = HEADER[:5] + HEADER[7:]  # two header lines lost: data starts too early
    assert "DATA PERIODS" in _error(_write(tmp_path, _rows(), header=header))


def test_error_bad_location(tmp_path):
    header = ["LOCATION,Testville,TS,USA,TMY3,999999,north,-100.00,-6.0,250.0"] + HEADER[1:]
    message = _error(_write(tmp_path, _rows(), header=header))
    assert "line 1" in message and "latitude" in message


def test_design_conditions_absent_fields_are_none(tmp_path):
    header = [HEADER[0], "DESIGN CONDITIONS,1,Some Data,,Cooling,7,9.2,35.6,25.2"] + HEADER[2:]
    w = read_epw(_write(tmp_path, _rows(), header=header))
    assert isinstance(w.design, DesignConditions)
    assert w.design.cooling_dry_bulb == Q_(35.6, "degC")
    assert w.design.evaporation_wet_bulb is None and w.design.extreme_dry_bulb is None


# ---------------------------------------------------------------- malformed compact files

def _compact_error(path) -> str:
    with pytest.raises(WeatherError) as info:
        read_compact(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    return message


def _gz(tmp_path, text):
    path = tmp_path / "w.csv.gz"
    path.write_bytes(gzip.compress(text.encode()))
    return path


def test_compact_errors(tmp_path):
    assert "file not found" in _compact_error(tmp_path / "none.csv.gz")
    assert "not a dcpower compact weather file" in _compact_error(_gz(tmp_path, "a,b\n1,2\n"))
    good = gzip.decompress((SPECS / "weather" / "memphis-723340-tmy3.csv.gz").read_bytes()).decode()
    lines = good.splitlines()
    assert "hourly rows" in _compact_error(_gz(tmp_path, "\n".join(lines[:-10])))
    column_line = lines.index(",".join(COMPACT_COLUMNS))
    broken = list(lines)
    broken[column_line + 5] = broken[column_line + 5].replace(",", ",x", 1)
    assert f"line {column_line + 6}" in _compact_error(_gz(tmp_path, "\n".join(broken)))
    broken = list(lines)
    broken[column_line + 5] = "150.00" + broken[column_line + 5][broken[column_line + 5].index(","):]
    assert "physical range" in _compact_error(_gz(tmp_path, "\n".join(broken)))
