"""EnergyPlus weather (EPW) files: read any typical-year file into a :class:`~dcpower.weather.model.Weather`.

An EPW file (EnergyPlus "Auxiliary Programs", Weather Converter Program, EnergyPlus Weather
File Data Dictionary) has 8 header lines (LOCATION, DESIGN CONDITIONS, TYPICAL/EXTREME
PERIODS, GROUND TEMPERATURES, HOLIDAYS/DAYLIGHT SAVINGS, COMMENTS 1, COMMENTS 2, DATA
PERIODS) then one row of 35 comma-separated fields per hour. :func:`read_epw` reads any such
file into a :class:`Weather` of 8,760 hours and derives wet-bulb temperature and humidity
ratio with :mod:`dcpower.physics.psychrometrics`.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from dcpower.physics import psychrometrics
from dcpower.errors import DcpowerError, WeatherError
from dcpower.units import Q_, ureg
from dcpower.weather.model import HOURS_PER_YEAR, DesignConditions, Weather
from dcpower.weather.reading import fail, parse_float, read_text

__all__ = ["read_epw", "HEADER_LINES", "MAX_GAP_HOURS", "DEW_POINT_EXCESS_TOLERANCE"]

HEADER_LINES = 8
# Longest run of missing hours filled by linear interpolation; a longer gap is an error.
MAX_GAP_HOURS = 6
# A dew point above the dry bulb by at most this much (rounding, fog) is set to the dry bulb. [K]
DEW_POINT_EXCESS_TOLERANCE = 1.0

_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_FIRST_DAY_OF_MONTH = np.concatenate([[0], np.cumsum(_DAYS_IN_MONTH)[:-1]])

# EPW data fields used (0-based column), their missing-value code and valid range, from the
# EnergyPlus Weather File Data Dictionary (fields N6-N9).
_FIELDS = {
    # name: (column, label, unit, missing code, minimum, maximum)
    "dry_bulb": (6, "dry-bulb temperature", "degC", 99.9, -70.0, 70.0),
    "dew_point": (7, "dew-point temperature", "degC", 99.9, -70.0, 70.0),
    "relative_humidity": (8, "relative humidity", "%", 999.0, 0.0, 110.0),
    "pressure": (9, "station pressure", "Pa", 999999.0, 31000.0, 120000.0),
}

def _optional_float(fields: list[str], i: int, path, line: int, what: str):
    if i >= len(fields) or not fields[i].strip():
        return None
    return parse_float(fields[i], path, line, what)


def _parse_location(line_text: str, path):
    fields = line_text.split(",")
    if fields[0].strip().upper() != "LOCATION":
        fail(path, 1, "not an EPW weather file (the first line should start with 'LOCATION')",
              "give an EnergyPlus .epw file, e.g. from climate.onebuilding.org or energyplus.net/weather")
    if len(fields) < 10:
        fail(path, 1, f"LOCATION has {len(fields)} fields, an EPW LOCATION line has 10",
              "restore the line: LOCATION,city,state,country,source,WMO,latitude,longitude,time zone,elevation")
    city, state, country, data_source, wmo = (f.strip() for f in fields[1:6])
    latitude = parse_float(fields[6], path, 1, "latitude")
    longitude = parse_float(fields[7], path, 1, "longitude")
    elevation = parse_float(fields[9], path, 1, "elevation")
    if not -90 <= latitude <= 90:
        fail(path, 1, f"latitude {latitude:g} is outside -90..90", "fix the LOCATION line")
    if not -180 <= longitude <= 180:
        fail(path, 1, f"longitude {longitude:g} is outside -180..180", "fix the LOCATION line")
    if not -1000 <= elevation < 9999.9:
        fail(path, 1, f"elevation {elevation:g} m is outside -1000..9999.9 m (EPW limits)",
              "fix the LOCATION line")
    name = ", ".join(part for part in (city, state, country) if part)
    return name, data_source, wmo, latitude, longitude, elevation


# Outdoor air on Earth: WMO records are -89.2 degC (Vostok, 1983) and 56.7 degC (Death Valley, 1913).
DESIGN_TEMPERATURE_RANGE = (-90.0, 60.0)


def _parse_design(line_text: str, path, line: int) -> DesignConditions | None:
    """Parse the DESIGN CONDITIONS line (ASHRAE 2009 layout, as written by the Weather Converter).

    After the keyword ``Cooling``: hottest month, daily range, then the 0.4 % dry-bulb and its
    mean coincident wet-bulb (+3, +4), 1 % and 2 % pairs, then the 0.4 % evaporation wet-bulb
    and its mean coincident dry-bulb (+9, +10), ..., the 0.4 % dehumidification dew point
    (+17). After ``Extremes``: three wind speeds, the extreme max wet-bulb (+4), the mean
    annual extreme min and max dry-bulb (+5, +6), their standard deviations, then min/max
    pairs for return periods of 5, 10, 20 and 50 years (+9..+16).
    """
    fields = [f.strip() for f in line_text.split(",")]
    if fields[0].upper() != "DESIGN CONDITIONS":
        fail(path, line, "expected the 'DESIGN CONDITIONS' header line",
              "an EPW file has 8 header lines in the order of the EnergyPlus data dictionary")
    if len(fields) < 2 or fields[1] in ("", "0"):
        return None
    keys = {f.lower(): i for i, f in enumerate(fields)}
    cooling = keys.get("cooling")
    extremes = keys.get("extremes")

    def temperature(i):
        value = _optional_float(fields, i, path, line, "design condition")
        if value is not None and not DESIGN_TEMPERATURE_RANGE[0] <= value <= DESIGN_TEMPERATURE_RANGE[1]:
            fail(path, line, f"design temperature {value:g} degC (field {i + 1}) is outside "
                 f"{DESIGN_TEMPERATURE_RANGE[0]:g}..{DESIGN_TEMPERATURE_RANGE[1]:g} degC, Earth's recorded extremes",
                 "fix the DESIGN CONDITIONS line or leave the field empty")
        return None if value is None else Q_(value, ureg.degC)

    values = {}
    if cooling is not None:
        values.update(
            cooling_dry_bulb=temperature(cooling + 3),
            cooling_coincident_wet_bulb=temperature(cooling + 4),
            evaporation_wet_bulb=temperature(cooling + 9),
            evaporation_coincident_dry_bulb=temperature(cooling + 10),
            dehumidification_dew_point=temperature(cooling + 17),
        )
    returns = []
    if extremes is not None:
        values.update(extreme_wet_bulb=temperature(extremes + 4),
                      extreme_dry_bulb_mean=temperature(extremes + 6))
        for k, years in enumerate((5, 10, 20, 50)):
            q = temperature(extremes + 10 + 2 * k)
            if q is not None:
                returns.append((years, q))
    title = fields[2] if len(fields) > 2 and fields[2] else None
    design = DesignConditions(source=title, extreme_dry_bulb_return=tuple(returns), **values)
    return None if design.is_empty() else design


def _interpolate_gaps(values: np.ndarray, missing: np.ndarray, lines: np.ndarray, path, label: str,
                      code: float, unit: str = "") -> np.ndarray:
    """Fill missing hours linearly (cyclically: Dec 31 runs into Jan 1 of a typical year)."""
    if not missing.any():
        return values
    n = len(values)
    if missing.all():
        if unit == "degC" and np.all((values > 150) & (values < 400)):  # 99.9 and above is EPW's "missing"
            fail(path, int(lines[0]), f"{label} is {values[0]:g} (above 99.9, EPW's code for missing) and as high "
                 "in every row: the values look like kelvin", "EPW temperatures are in degC: subtract 273.15")
        what = f"{code:g}" if np.all(values == code) else f"{code:g} or more, EPW's code for missing"
        fail(path, int(lines[0]), f"{label} is missing ({what}) in every row",
              "use a weather file that has this field")
    # Longest run of consecutive missing hours, counted cyclically.
    start = int(np.argmin(missing))  # a present hour: runs never straddle the rotation
    rolled = np.roll(missing, -start)
    edges = np.diff(np.concatenate([[0], rolled.astype(np.int8), [0]]))
    run_starts = np.flatnonzero(edges == 1)
    run_lengths = np.flatnonzero(edges == -1) - run_starts
    longest = int(np.argmax(run_lengths))
    if run_lengths[longest] > MAX_GAP_HOURS:
        first = int(lines[(run_starts[longest] + start) % n])
        fail(path, first, f"{label} is missing ({code:g}) for {run_lengths[longest]} hours in a row",
              f"dcpower fills gaps of at most {MAX_GAP_HOURS} hours; use a more complete file "
              "or fill the gap")
    hours = np.arange(n)
    filled = values.copy()
    filled[missing] = np.interp(hours[missing], hours[~missing], values[~missing], period=n)
    return filled


def read_epw(path) -> Weather:
    """Read an EnergyPlus EPW weather file into a :class:`Weather` of 8,760 hours.

    Parameters
    ----------
    path : str or Path
        The ``.epw`` file (or a gzip of it).

    Returns
    -------
    Weather
        Hourly dry-bulb, dew-point, relative humidity and station pressure as given, wet-bulb
        and humidity ratio computed with :mod:`dcpower.physics.psychrometrics`, the station, and the
        ASHRAE design conditions of the header.

    Raises
    ------
    WeatherError
        With one line naming the file, the line and the fix, if the file is missing, is not
        an EPW file, lacks hourly rows or holds a non-numeric or impossible value.

    Notes
    -----
    Rows are placed by their month, day and hour fields, so a data period that does not
    start on January 1 is put in calendar order. A leap-year file (8,784 rows) loses
    February 29. Missing values (99.9 for temperatures, 999 for relative humidity, 999999 for
    pressure) are filled by linear interpolation in runs of up to ``MAX_GAP_HOURS`` hours; a
    dew point up to ``DEW_POINT_EXCESS_TOLERANCE`` above the dry bulb is set to the dry bulb.

    References
    ----------
    EnergyPlus Auxiliary Programs, "Weather Converter Program": EnergyPlus Weather File (EPW)
    Data Dictionary (US DOE / NREL, 2023).
    """
    if not isinstance(path, (str, os.PathLike)):
        raise WeatherError(f"read_epw needs the path of an .epw file, got {path!r}")
    path = Path(path)
    lines = read_text(path, "an EnergyPlus .epw weather file").splitlines()
    if not lines or not lines[0].strip():
        fail(path, 1, "file is empty or starts with a blank line, not an EPW weather file",
             "give an EnergyPlus .epw file")
    name, data_source, wmo, latitude, longitude, elevation = _parse_location(lines[0], path)
    time_zone = _time_zone(lines[0], path)
    design = _check_header(lines, path)
    rows, line_numbers = _hourly_rows(lines, path)
    data, lines_arr = _in_calendar_order(*_parse_rows(rows, line_numbers, path), path)
    values = {}
    for k, (field, (_, label, unit, code, low, high)) in enumerate(_FIELDS.items()):
        values[field] = _checked_column(data[:, 3 + k], lines_arr, path, label, unit, code, low, high)
    dry_bulb, dew_point = values["dry_bulb"], values["dew_point"]
    excess = dew_point - dry_bulb
    if (excess > DEW_POINT_EXCESS_TOLERANCE).any():
        i = int(np.argmax(excess > DEW_POINT_EXCESS_TOLERANCE))
        fail(path, int(lines_arr[i]), f"dew point {dew_point[i]:g} degC is above the dry bulb "
             f"{dry_bulb[i]:g} degC", "a dew point cannot exceed the dry-bulb temperature; fix the row")
    dew_point = np.minimum(dew_point, dry_bulb)
    try:
        t_db = Q_(dry_bulb, ureg.degC)
        t_dp = Q_(dew_point, ureg.degC)
        p = Q_(values["pressure"], ureg.Pa)
        wet_bulb = psychrometrics.wet_bulb_temperature(t_db, t_dp, p)
        humidity_ratio = psychrometrics.humidity_ratio_from_dew_point(t_dp, p)
    except DcpowerError as exc:
        raise WeatherError(f"{path}: {exc}; check the weather data") from None
    source = f"{path.name} (EnergyPlus EPW weather file"
    source += f", data set {data_source}" if data_source else ""
    source += f", WMO {wmo})" if wmo else ")"
    return Weather(name=name, source=source, latitude=latitude, longitude=longitude,
                   elevation=Q_(elevation, ureg.m), dry_bulb=t_db, dew_point=t_dp,
                   relative_humidity=Q_(values["relative_humidity"], ureg.percent),
                   pressure=p, wet_bulb=wet_bulb, humidity_ratio=humidity_ratio, design=design,
                   time_zone=time_zone)


def _time_zone(line_text: str, path) -> float | None:
    """LOCATION field 9, the standard time of the rows in hours from UTC (-12 to +14), or None."""
    tz = _optional_float(line_text.split(","), 8, path, 1, "time zone")
    if tz is not None and not -12 <= tz <= 14:
        fail(path, 1, f"time zone {tz:g} h is outside -12..+14 h from UTC", "fix the LOCATION line")
    return tz


def _check_header(lines: list[str], path) -> DesignConditions | None:
    """Design conditions of the header; the DATA PERIODS line must say hourly data."""
    if len(lines) < HEADER_LINES + 1:
        fail(path, len(lines), f"file ends after {len(lines)} lines, before any hourly data",
             f"an EPW file has {HEADER_LINES} header lines then 8760 hourly rows")
    design = _parse_design(lines[1], path, 2)
    periods = [f.strip() for f in lines[HEADER_LINES - 1].split(",")]
    if periods[0].upper() != "DATA PERIODS":
        fail(path, HEADER_LINES, f"expected 'DATA PERIODS' as header line {HEADER_LINES}, found "
             f"'{periods[0][:30]}'", f"an EPW file has exactly {HEADER_LINES} header lines")
    if len(periods) > 2 and periods[2] not in ("", "1"):
        fail(path, HEADER_LINES, f"data has {periods[2]} records per hour",
             "dcpower needs hourly data (1 record per hour); convert the file to hourly")
    return design


def _hourly_rows(lines: list[str], path) -> tuple[list[str], list[int]]:
    """The non-blank data rows and their line numbers; a year's worth or an error."""
    rows, line_numbers = [], []
    for number, row in enumerate(lines[HEADER_LINES:], start=HEADER_LINES + 1):
        if row.strip():
            rows.append(row)
            line_numbers.append(number)
    if len(rows) not in (HOURS_PER_YEAR, HOURS_PER_YEAR + 24):
        fail(path, line_numbers[-1] if line_numbers else len(lines),
             f"file has {len(rows)} hourly rows, a typical year has 8760 (8784 in a leap year)",
             "use a complete one-year hourly EPW file")
    return rows, line_numbers


def _parse_rows(rows: list[str], line_numbers: list[int], path) -> tuple[np.ndarray, np.ndarray]:
    """Month, day, hour and the used fields of every row, as floats; a bad field names its line."""
    columns = (1, 2, 3) + tuple(spec[0] for spec in _FIELDS.values())
    labels = ("month", "day", "hour") + tuple(spec[1] for spec in _FIELDS.values())
    table = []
    for row, number in zip(rows, line_numbers):
        fields = row.split(",")
        if len(fields) < 10:
            fail(path, number, f"row has {len(fields)} fields, an EPW data row has 35",
                 "restore the missing fields (or fix the separators)")
        table.append([fields[c] for c in columns])
    try:
        data = np.array(table).astype(float)
    except ValueError:
        data = None
    if data is None or not np.isfinite(data).all():
        for row_values, number in zip(table, line_numbers):
            for text_value, label in zip(row_values, labels):
                parse_float(text_value, path, number, label)
        data = np.array(table).astype(float)  # every field parsed one by one: cannot fail
    return data, np.array(line_numbers)


def _in_calendar_order(data: np.ndarray, lines_arr: np.ndarray, path) -> tuple[np.ndarray, np.ndarray]:
    """Rows placed at their hour of the year (February 29 of a leap year dropped)."""
    month, day, hour = (data[:, k] for k in range(3))
    if len(data) == HOURS_PER_YEAR + 24:
        keep = ~((month == 2) & (day == 29))
        if keep.sum() != HOURS_PER_YEAR:
            fail(path, int(lines_arr[-1]), f"file has {len(data)} rows but {int((~keep).sum())} "
                 "of them on February 29 (a leap year has 24)", "use a complete one-year hourly EPW file")
        data, lines_arr = data[keep], lines_arr[keep]
        month, day, hour = (data[:, k] for k in range(3))
    integral = (month == np.round(month)) & (day == np.round(day)) & (hour == np.round(hour))
    mi = np.clip(month.astype(int), 1, 12) - 1
    valid = integral & (month >= 1) & (month <= 12) & (day >= 1) \
        & (day <= _DAYS_IN_MONTH[mi]) & (hour >= 1) & (hour <= 24)
    if not valid.all():
        i = int(np.argmin(valid))
        fail(path, int(lines_arr[i]), f"month {month[i]:g}, day {day[i]:g}, hour {hour[i]:g} is not "
             "an hour of a (non-leap) year", "fix the date fields (hours run 1 to 24)")
    hour_of_year = ((_FIRST_DAY_OF_MONTH[mi] + day.astype(int) - 1) * 24 + hour.astype(int) - 1)
    order = np.argsort(hour_of_year, kind="stable")
    sorted_hours = hour_of_year[order]
    if not np.array_equal(sorted_hours, np.arange(HOURS_PER_YEAR)):
        dup = np.flatnonzero(np.diff(sorted_hours) == 0)
        i = int(order[dup[0] + 1])
        fail(path, int(lines_arr[i]), f"month {month[i]:g}, day {day[i]:g}, hour {hour[i]:g} appears "
             "twice", "remove the duplicate row; each hour of the year must appear once")
    return data[order], lines_arr[order]


def _checked_column(column: np.ndarray, lines_arr, path, label, unit, code, low, high) -> np.ndarray:
    """One field within its physical range, missing values interpolated."""
    missing = column >= code
    present = column[~missing]
    out = (present < low) | (present > high)
    if out.any():
        i = int(np.flatnonzero(~missing)[np.argmax(out)])
        fail(path, int(lines_arr[i]), f"{label} {column[i]:g} {unit} is outside the physical "
             f"range {low:g} to {high:g} {unit}", f"fix the value, or write {code:g} (missing) to have it interpolated")
    return _interpolate_gaps(column, missing, lines_arr, path, label, code, unit)

