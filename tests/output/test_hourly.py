"""The hourly series out: Estimate.to_frame(), and `dcpower estimate --hourly FILE` (CSV or Parquet).

The time convention is EPW's (EnergyPlus Weather File Data Dictionary, field "Hour": hour 1 is
the hour ending 01:00 on 1 January, local standard time); the Memphis offset, -6 h, is field 9
of the LOCATION line of USA_TN_Memphis.Intl.AP.723340_TMY3.epw. Values are checked against the
estimate's own hourly Quantities, converted with pint, never against retyped numbers.
"""

import csv
import io
import sys
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

import dcpower
from dcpower.cli import main
from dcpower.output.hourly import hourly_csv

MEMPHIS = timezone(timedelta(hours=-6))


@pytest.fixture(scope="module")
def est():
    return dcpower.estimate(gpus=2000)


@pytest.fixture()
def run(capsys):
    def _run(*argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err
    return _run


def test_hourly_series_all_carry_units(est):
    for name, q in est.hourly.items():
        assert hasattr(q, "units"), name
    assert est.hourly.economizer_fraction.dimensionless
    assert 0 <= est.hourly.economizer_fraction.magnitude.min() <= est.hourly.economizer_fraction.magnitude.max() <= 1


def test_csv_header_times_and_values(est):
    rows = list(csv.reader(io.StringIO(hourly_csv(est))))
    head, body = rows[0], rows[1:]
    assert head[0] == "hour_ending" and "facility_power [MW]" in head and "water [m^3/h]" in head
    assert "economizer_fraction" in head  # dimensionless: no bracket
    assert len(body) == 8760
    assert body[0][0] == "2001-01-01T01:00:00-06:00"   # EPW hour 1 ends at 01:00
    assert body[-1][0] == "2002-01-01T00:00:00-06:00"  # hour 24 of 31 December
    col = head.index("facility_power [MW]")
    values = np.array([float(r[col]) for r in body])
    np.testing.assert_allclose(values, est.hourly.facility_power.to("MW").magnitude, rtol=1e-5)


def test_csv_us_units_follow_units_option(est):
    rows = list(csv.reader(io.StringIO(hourly_csv(est, "us"))))
    head = rows[0]
    assert "dry_bulb [degF]" in head and "water [gpm]" in head and "heat_out [TR]" in head
    col = head.index("dry_bulb [degF]")
    assert float(rows[1][col]) == pytest.approx(est.hourly.dry_bulb[0].to("degF").magnitude, rel=1e-5)


def test_to_frame_index_units_and_values(est):
    pd = pytest.importorskip("pandas")
    df = est.to_frame()
    assert isinstance(df, pd.DataFrame) and df.shape == (8760, len(est.hourly.keys()))
    assert df.index.name == "hour_ending"
    assert df.index[0] == datetime(2001, 1, 1, 1, tzinfo=MEMPHIS)
    assert df.index[-1] == datetime(2002, 1, 1, 0, tzinfo=MEMPHIS)
    assert df.attrs["units"]["facility_power"] == "MW" and df.attrs["units"]["economizer_fraction"] == ""
    np.testing.assert_allclose(df["water"].to_numpy(), est.hourly.water.to("m^3/h").magnitude)
    us = est.to_frame("us")
    assert us.attrs["units"]["water"] == "gpm"
    np.testing.assert_allclose(us["water"].to_numpy(), est.hourly.water.to("gpm").magnitude)


def test_to_frame_without_pandas_is_one_line(est, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas raises ImportError
    with pytest.raises(dcpower.DcpowerError, match=r'pip install "dcpower\[frame\]"') as info:
        est.to_frame()
    assert "\n" not in str(info.value)


def test_cli_hourly_csv_written_whole(run, tmp_path):
    path = tmp_path / "h.csv"
    code, out, err = run("estimate", "--gpus", "2000", "--hourly", str(path))
    assert code == 0, err
    assert "facility_power" in out and f"wrote {path}" in err
    lines = path.read_text().splitlines()
    assert lines[0].startswith("hour_ending,dry_bulb [degC]") and len(lines) == 8761
    assert [p.name for p in tmp_path.iterdir()] == ["h.csv"]  # no temporary file left


def test_cli_hourly_unknown_extension(run, tmp_path):
    code, out, err = run("estimate", "--hourly", str(tmp_path / "h.xlsx"))
    assert code == 2 and out == ""
    assert ".csv or .parquet" in err and len(err.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())


def test_cli_hourly_and_output_may_not_be_one_file(run, tmp_path):
    # the table replaced the hourly CSV just written, and "wrote" was said twice
    same = tmp_path / "same.csv"
    code, out, err = run("estimate", "--gpus", "1000", "--hourly", str(same), "-o", str(same))
    assert code == 2 and "--hourly and -o both name" in err
    assert not same.exists()


def test_cli_hourly_missing_folder(run, tmp_path):
    code, _, err = run("estimate", "--gpus", "1000", "--hourly", str(tmp_path / "nowhere" / "h.csv"))
    assert code == 2 and "does not exist" in err


def test_cli_parquet_without_pyarrow_writes_nothing(run, tmp_path, monkeypatch):
    pytest.importorskip("pandas")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    code, _, err = run("-q", "estimate", "--gpus", "1000", "--hourly", str(tmp_path / "h.parquet"))
    assert code == 2 and "pip install pyarrow" in err and len(err.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())


def test_cli_hourly_parquet(run, tmp_path, est):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    path = tmp_path / "h.parquet"
    code, _, err = run("-q", "estimate", "--gpus", "2000", "--units", "us", "--hourly", str(path))
    assert code == 0, err
    df = pd.read_parquet(path)
    assert df.index[0] == datetime(2001, 1, 1, 1, tzinfo=MEMPHIS)
    np.testing.assert_allclose(df["heat_out [TR]"].to_numpy(), est.hourly.heat_out.to("TR").magnitude)
    assert df.attrs["units"]["heat_out [TR]"] == "TR"


def test_weather_without_time_zone_gives_local_times_without_offset(est):
    import dataclasses

    weather = dataclasses.replace(est.resolved.weather, time_zone=None)
    bare = dataclasses.replace(est, resolved=dataclasses.replace(est.resolved, weather=weather))
    first = hourly_csv(bare).splitlines()[1]
    assert first.startswith("2001-01-01T01:00:00,")
