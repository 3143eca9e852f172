"""Typical-year hourly weather: EnergyPlus EPW files and dcpower's compact form of them.

An EPW file (EnergyPlus "Auxiliary Programs", Weather Converter Program, EnergyPlus Weather
File Data Dictionary) has 8 header lines (LOCATION, DESIGN CONDITIONS, TYPICAL/EXTREME
PERIODS, GROUND TEMPERATURES, HOLIDAYS/DAYLIGHT SAVINGS, COMMENTS 1, COMMENTS 2, DATA
PERIODS) then one row of 35 comma-separated fields per hour. :func:`read_epw` reads any such
file into a :class:`Weather` of 8,760 hours and derives wet-bulb temperature and humidity
ratio with :mod:`dcpower.physics.psychrometrics`.

The compact form (:func:`write_compact`, :func:`read_compact`) is a gzip CSV of the six
hourly columns dcpower uses, with ``# key: value`` header lines for the station and its
ASHRAE design conditions. The built-in sites ship it under ``specs/weather/``; it loads in a
few milliseconds because nothing is recomputed.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dcpower.physics import psychrometrics
from dcpower.errors import DcpowerError, WeatherError
from dcpower.units import Q_, ureg

__all__ = ["DesignConditions", "Weather", "read_epw", "write_compact", "read_compact",
           "HOURS_PER_YEAR", "COMPACT_COLUMNS"]

HOURS_PER_YEAR = 8760
HEADER_LINES = 8
COMPACT_COLUMNS = ("dry_bulb_degC", "dew_point_degC", "relative_humidity_pct", "pressure_Pa",
                   "wet_bulb_degC", "humidity_ratio")
COMPACT_MAGIC = "# dcpower compact weather, format 1"

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


@dataclass(frozen=True)
class DesignConditions:
    """ASHRAE climatic design conditions of a station, from the EPW ``DESIGN CONDITIONS`` line.

    Every temperature is an absolute temperature Quantity [°C], or ``None`` where the file
    does not give it.

    Attributes
    ----------
    source : str or None
        Title of the design-condition set, e.g. ``"Climate Design Data 2009 ASHRAE Handbook"``.
    cooling_dry_bulb : Quantity or None
        Annual cooling design dry-bulb, 0.4 % exceedance. [°C]
    cooling_coincident_wet_bulb : Quantity or None
        Mean wet-bulb coincident with the 0.4 % dry-bulb. [°C]
    evaporation_wet_bulb : Quantity or None
        Annual evaporation design wet-bulb, 0.4 % exceedance (cooling towers). [°C]
    evaporation_coincident_dry_bulb : Quantity or None
        Mean dry-bulb coincident with the 0.4 % wet-bulb. [°C]
    dehumidification_dew_point : Quantity or None
        Annual dehumidification design dew point, 0.4 % exceedance. [°C]
    extreme_wet_bulb : Quantity or None
        Extreme maximum wet-bulb temperature. [°C]
    extreme_dry_bulb_mean : Quantity or None
        Mean of the annual extreme maximum dry-bulb temperatures. [°C]
    extreme_dry_bulb_return : tuple of (int, Quantity)
        Maximum dry-bulb temperature by return period in years, e.g. ``((5, 38.1 degC),
        (10, 39.0 degC), (20, 39.9 degC), (50, 41.0 degC))``. [yr, °C]
    """

    source: str | None = None
    cooling_dry_bulb: object = None
    cooling_coincident_wet_bulb: object = None
    evaporation_wet_bulb: object = None
    evaporation_coincident_dry_bulb: object = None
    dehumidification_dew_point: object = None
    extreme_wet_bulb: object = None
    extreme_dry_bulb_mean: object = None
    extreme_dry_bulb_return: tuple = ()

    @property
    def extreme_dry_bulb(self):
        """The 20-year return-period maximum dry-bulb (``None`` if absent). [°C]

        The 20-year value is the extreme the Uptime Institute Tier standard and common
        data-center practice size heat rejection for; other periods are in
        :attr:`extreme_dry_bulb_return`.
        """
        return self.extreme_dry_bulb_for(20)

    def extreme_dry_bulb_for(self, years: int):
        """Maximum dry-bulb of return period ``years`` (``None`` if the file lacks it)."""
        return dict(self.extreme_dry_bulb_return).get(years)

    def is_empty(self) -> bool:
        return all(getattr(self, name) is None for name in _DESIGN_TEMPERATURES) \
            and not self.extreme_dry_bulb_return


_DESIGN_TEMPERATURES = ("cooling_dry_bulb", "cooling_coincident_wet_bulb", "evaporation_wet_bulb",
                        "evaporation_coincident_dry_bulb", "dehumidification_dew_point",
                        "extreme_wet_bulb", "extreme_dry_bulb_mean")


@dataclass(frozen=True, eq=False)
class Weather:
    """One typical year of hourly weather at a station, January 1 hour 1 to December 31 hour 24.

    Attributes
    ----------
    name : str
        Station name, e.g. ``"Memphis International Ap, TN, USA"``.
    source : str
        File it came from and what that file is.
    latitude, longitude : float
        Station coordinates, north and east positive. [degrees]
    elevation : Quantity
        Station elevation above sea level. [m]
    dry_bulb, dew_point, wet_bulb : Quantity
        Hourly temperatures, 8,760 values. [°C]
    relative_humidity : Quantity
        Hourly relative humidity. [%]
    pressure : Quantity
        Hourly station pressure. [Pa]
    humidity_ratio : Quantity
        Hourly humidity ratio. [kg water / kg dry air]
    design : DesignConditions or None
        ASHRAE design conditions of the station, if the file has them.
    """

    name: str
    source: str
    latitude: float
    longitude: float
    elevation: object
    dry_bulb: object
    dew_point: object
    relative_humidity: object
    pressure: object
    wet_bulb: object
    humidity_ratio: object
    design: DesignConditions | None = None

    @property
    def hours(self) -> int:
        """Number of hourly values (8,760)."""
        return len(self.dry_bulb.magnitude)


# --------------------------------------------------------------------------------------------
# EPW
# --------------------------------------------------------------------------------------------

def _fail(path, line, what: str, fix: str):
    where = f"{path}: line {line}" if line else f"{path}"
    raise WeatherError(f"{where}: {what}; {fix}")


def _read_text(path: Path, kind: str) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise WeatherError(f"{path}: file not found; give the path to {kind}") from None
    except IsADirectoryError:
        raise WeatherError(f"{path}: is a directory; give the path to {kind}") from None
    except OSError as exc:
        raise WeatherError(f"{path}: cannot read ({exc.strerror or exc}); check the path and "
                           "its permissions") from None
    if path.suffix == ".gz" or data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise WeatherError(f"{path}: not a valid gzip file ({exc}); regenerate it") from None
    # EPW files are ASCII in practice; Latin-1 decodes any byte, so a stray accent in a
    # station name or comment never stops the read.
    return data.decode("latin-1")


def _float(text: str, path, line: int, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not np.isfinite(value):
        _fail(path, line, f"{what} '{text.strip()}' is not a number",
              "fix the field (see the EnergyPlus Weather File Data Dictionary)")
    return value


def _optional_float(fields: list[str], i: int, path, line: int, what: str):
    if i >= len(fields) or not fields[i].strip():
        return None
    return _float(fields[i], path, line, what)


def _parse_location(line_text: str, path):
    fields = line_text.split(",")
    if fields[0].strip().upper() != "LOCATION":
        _fail(path, 1, "not an EPW weather file (the first line should start with 'LOCATION')",
              "give an EnergyPlus .epw file, e.g. from climate.onebuilding.org or energyplus.net/weather")
    if len(fields) < 10:
        _fail(path, 1, f"LOCATION has {len(fields)} fields, an EPW LOCATION line has 10",
              "restore the line: LOCATION,city,state,country,source,WMO,latitude,longitude,time zone,elevation")
    city, state, country, data_source, wmo = (f.strip() for f in fields[1:6])
    latitude = _float(fields[6], path, 1, "latitude")
    longitude = _float(fields[7], path, 1, "longitude")
    elevation = _float(fields[9], path, 1, "elevation")
    if not -90 <= latitude <= 90:
        _fail(path, 1, f"latitude {latitude:g} is outside -90..90", "fix the LOCATION line")
    if not -180 <= longitude <= 180:
        _fail(path, 1, f"longitude {longitude:g} is outside -180..180", "fix the LOCATION line")
    if not -1000 <= elevation < 9999.9:
        _fail(path, 1, f"elevation {elevation:g} m is outside -1000..9999.9 m (EPW limits)",
              "fix the LOCATION line")
    name = ", ".join(part for part in (city, state, country) if part)
    return name, data_source, wmo, latitude, longitude, elevation


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
        _fail(path, line, "expected the 'DESIGN CONDITIONS' header line",
              "an EPW file has 8 header lines in the order of the EnergyPlus data dictionary")
    if len(fields) < 2 or fields[1] in ("", "0"):
        return None
    keys = {f.lower(): i for i, f in enumerate(fields)}
    cooling = keys.get("cooling")
    extremes = keys.get("extremes")

    def temperature(i):
        value = _optional_float(fields, i, path, line, "design condition")
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
                      code: float) -> np.ndarray:
    """Fill missing hours linearly (cyclically: Dec 31 runs into Jan 1 of a typical year)."""
    if not missing.any():
        return values
    n = len(values)
    if missing.all():
        _fail(path, int(lines[0]), f"{label} is missing ({code:g}) in every row",
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
        _fail(path, first, f"{label} is missing ({code:g}) for {run_lengths[longest]} hours in a row",
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
    path = Path(path)
    text = _read_text(path, "an EnergyPlus .epw weather file")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        _fail(path, 1, "file is empty or starts with a blank line, not an EPW weather file",
              "give an EnergyPlus .epw file")
    name, data_source, wmo, latitude, longitude, elevation = _parse_location(lines[0], path)
    if len(lines) < HEADER_LINES + 1:
        _fail(path, len(lines), f"file ends after {len(lines)} lines, before any hourly data",
              f"an EPW file has {HEADER_LINES} header lines then 8760 hourly rows")
    design = _parse_design(lines[1], path, 2)
    periods = [f.strip() for f in lines[HEADER_LINES - 1].split(",")]
    if periods[0].upper() != "DATA PERIODS":
        _fail(path, HEADER_LINES, f"expected 'DATA PERIODS' as header line {HEADER_LINES}, found "
              f"'{periods[0][:30]}'", f"an EPW file has exactly {HEADER_LINES} header lines")
    if len(periods) > 2 and periods[2] not in ("", "1"):
        _fail(path, HEADER_LINES, f"data has {periods[2]} records per hour",
              "dcpower needs hourly data (1 record per hour); convert the file to hourly")

    rows, line_numbers = [], []
    for number, row in enumerate(lines[HEADER_LINES:], start=HEADER_LINES + 1):
        if row.strip():
            rows.append(row)
            line_numbers.append(number)
    if len(rows) not in (HOURS_PER_YEAR, HOURS_PER_YEAR + 24):
        _fail(path, line_numbers[-1] if line_numbers else len(lines),
              f"file has {len(rows)} hourly rows, a typical year has 8760 (8784 in a leap year)",
              "use a complete one-year hourly EPW file")
    lines_arr = np.array(line_numbers)

    columns = (1, 2, 3) + tuple(spec[0] for spec in _FIELDS.values())
    labels = ("month", "day", "hour") + tuple(spec[1] for spec in _FIELDS.values())
    table = []
    for row, number in zip(rows, line_numbers):
        fields = row.split(",")
        if len(fields) < 10:
            _fail(path, number, f"row has {len(fields)} fields, an EPW data row has 35",
                  "restore the missing fields (or fix the separators)")
        table.append([fields[c] for c in columns])
    try:
        data = np.array(table).astype(float)
    except ValueError:
        data = None
    if data is None or not np.isfinite(data).all():
        for row_values, number in zip(table, line_numbers):
            for text_value, label in zip(row_values, labels):
                _float(text_value, path, number, label)
        data = np.array(table).astype(float)  # every field parsed one by one: cannot fail
    month, day, hour = (data[:, k] for k in range(3))

    if len(rows) == HOURS_PER_YEAR + 24:
        keep = ~((month == 2) & (day == 29))
        if keep.sum() != HOURS_PER_YEAR:
            _fail(path, line_numbers[-1], f"file has {len(rows)} rows but {int((~keep).sum())} "
                  "of them on February 29 (a leap year has 24)", "use a complete one-year hourly EPW file")
        data, lines_arr = data[keep], lines_arr[keep]
        month, day, hour = (data[:, k] for k in range(3))

    # Place each row at its hour of the year.
    integral = (month == np.round(month)) & (day == np.round(day)) & (hour == np.round(hour))
    mi = np.clip(month.astype(int), 1, 12) - 1
    valid = integral & (month >= 1) & (month <= 12) & (day >= 1) \
        & (day <= _DAYS_IN_MONTH[mi]) & (hour >= 1) & (hour <= 24)
    if not valid.all():
        i = int(np.argmin(valid))
        _fail(path, int(lines_arr[i]), f"month {month[i]:g}, day {day[i]:g}, hour {hour[i]:g} is not "
              "an hour of a (non-leap) year", "fix the date fields (hours run 1 to 24)")
    hour_of_year = ((_FIRST_DAY_OF_MONTH[mi] + day.astype(int) - 1) * 24 + hour.astype(int) - 1)
    order = np.argsort(hour_of_year, kind="stable")
    sorted_hours = hour_of_year[order]
    if not np.array_equal(sorted_hours, np.arange(HOURS_PER_YEAR)):
        dup = np.flatnonzero(np.diff(sorted_hours) == 0)
        i = int(order[dup[0] + 1])
        _fail(path, int(lines_arr[i]), f"month {month[i]:g}, day {day[i]:g}, hour {hour[i]:g} appears "
              "twice", "remove the duplicate row; each hour of the year must appear once")
    data, lines_arr = data[order], lines_arr[order]

    values = {}
    for k, (field, (_, label, unit, code, low, high)) in enumerate(_FIELDS.items()):
        column = data[:, 3 + k]
        missing = column >= code
        present = column[~missing]
        out = (present < low) | (present > high)
        if out.any():
            i = int(np.flatnonzero(~missing)[np.argmax(out)])
            _fail(path, int(lines_arr[i]), f"{label} {column[i]:g} {unit} is outside the physical "
                  f"range {low:g} to {high:g} {unit}",
                  f"fix the value, or write {code:g} (missing) to have it interpolated")
        values[field] = _interpolate_gaps(column, missing, lines_arr, path, label, code)

    dry_bulb, dew_point = values["dry_bulb"], values["dew_point"]
    excess = dew_point - dry_bulb
    if (excess > DEW_POINT_EXCESS_TOLERANCE).any():
        i = int(np.argmax(excess > DEW_POINT_EXCESS_TOLERANCE))
        _fail(path, int(lines_arr[i]), f"dew point {dew_point[i]:g} degC is above the dry bulb "
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
    return Weather(
        name=name, source=source, latitude=latitude, longitude=longitude,
        elevation=Q_(elevation, ureg.m),
        dry_bulb=t_db, dew_point=t_dp,
        relative_humidity=Q_(values["relative_humidity"], ureg.percent),
        pressure=p, wet_bulb=wet_bulb, humidity_ratio=humidity_ratio, design=design,
    )


# --------------------------------------------------------------------------------------------
# Compact form
# --------------------------------------------------------------------------------------------

def _format_temperature(q) -> str:
    return f"{q.to(ureg.degC).magnitude:g} degC"


def write_compact(weather: Weather, path) -> None:
    """Write ``weather`` as a compact gzip CSV that :func:`read_compact` loads quickly.

    Parameters
    ----------
    weather : Weather
        The weather to write.
    path : str or Path
        Output file, conventionally ``<site>-<wmo>-tmy3.csv.gz``.

    Notes
    -----
    Header lines ``# key: value`` give the station and its design conditions; then one row
    per hour of ``dry_bulb_degC, dew_point_degC, relative_humidity_pct, pressure_Pa,
    wet_bulb_degC, humidity_ratio``, rounded to 0.01 °C, 0.1 %, 1 Pa and 1e-6. The gzip
    stream carries no time stamp, so the same weather always gives the same bytes.
    """
    path = Path(path)
    header = [COMPACT_MAGIC,
              f"# name: {weather.name}",
              f"# source: {weather.source}",
              f"# latitude: {weather.latitude:g}",
              f"# longitude: {weather.longitude:g}",
              f"# elevation: {weather.elevation.to(ureg.m).magnitude:g} m"]
    design = weather.design
    if design is not None:
        if design.source:
            header.append(f"# design.source: {design.source}")
        for name in _DESIGN_TEMPERATURES:
            q = getattr(design, name)
            if q is not None:
                header.append(f"# design.{name}: {_format_temperature(q)}")
        for years, q in design.extreme_dry_bulb_return:
            header.append(f"# design.extreme_dry_bulb_{years}yr: {_format_temperature(q)}")
    header.append(",".join(COMPACT_COLUMNS))
    columns = np.column_stack([
        weather.dry_bulb.to(ureg.degC).magnitude,
        weather.dew_point.to(ureg.degC).magnitude,
        weather.relative_humidity.to(ureg.percent).magnitude,
        weather.pressure.to(ureg.Pa).magnitude,
        weather.wet_bulb.to(ureg.degC).magnitude,
        weather.humidity_ratio.to(ureg.dimensionless).magnitude,
    ])
    body = io.StringIO()
    # "+ 0.0" turns -0.00 into 0.00.
    decimals = (2, 2, 1, 0, 2, 6)
    rounded = np.column_stack([np.round(columns[:, j], d) for j, d in enumerate(decimals)]) + 0.0
    np.savetxt(body, rounded,
               fmt=["%.2f", "%.2f", "%.1f", "%.0f", "%.2f", "%.6f"], delimiter=",")
    payload = ("\n".join(header) + "\n" + body.getvalue()).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(payload)


_RETURN_KEY = re.compile(r"^design\.extreme_dry_bulb_(\d+)yr$")


def read_compact(path) -> Weather:
    """Read a compact weather file written by :func:`write_compact`.

    Parameters
    ----------
    path : str or Path
        The ``.csv.gz`` file.

    Returns
    -------
    Weather
        As written; nothing is recomputed.

    Raises
    ------
    WeatherError
        With the file, line and fix, if the file is missing, not a compact weather file, or
        holds a wrong column, row count or value.
    """
    path = Path(path)
    text = _read_text(path, "a dcpower compact weather file (.csv.gz)")
    lines = text.splitlines()
    if not lines or lines[0].strip() != COMPACT_MAGIC:
        _fail(path, 1, "not a dcpower compact weather file (no '" + COMPACT_MAGIC + "' first line)",
              "regenerate it with tools/build_weather.py or dcpower.weather.epw.write_compact")
    meta: dict[str, tuple[str, int]] = {}
    k = 1
    while k < len(lines) and lines[k].startswith("#"):
        key, sep, value = lines[k][1:].partition(":")
        if not sep:
            _fail(path, k + 1, f"header line '{lines[k][:40]}' is not '# key: value'", "fix or remove it")
        meta[key.strip()] = (value.strip(), k + 1)
        k += 1
    if k >= len(lines) or tuple(c.strip() for c in lines[k].split(",")) != COMPACT_COLUMNS:
        _fail(path, k + 1, "expected the column line '" + ",".join(COMPACT_COLUMNS) + "'",
              "regenerate the file with tools/build_weather.py")
    column_line = k + 1
    body = lines[k + 1:]
    while body and not body[-1].strip():
        body.pop()
    if len(body) != HOURS_PER_YEAR:
        _fail(path, column_line + len(body), f"file has {len(body)} hourly rows, expected 8760",
              "regenerate the file with tools/build_weather.py")

    ncol = len(COMPACT_COLUMNS)
    data = _cached_array(text)
    if data is not None:
        return _weather_from(path, meta, column_line, data)
    flat = ",".join(body).split(",")
    data = None
    if len(flat) == ncol * HOURS_PER_YEAR:
        try:
            data = np.array(flat, dtype=float).reshape(HOURS_PER_YEAR, ncol)
        except ValueError:
            data = None
    if data is None or not np.isfinite(data).all():
        for i, row in enumerate(body):
            fields = row.split(",")
            if len(fields) != ncol:
                _fail(path, column_line + 1 + i, f"row has {len(fields)} fields, expected {ncol}",
                      "regenerate the file with tools/build_weather.py")
            for value, column in zip(fields, COMPACT_COLUMNS):
                _float(value, path, column_line + 1 + i, column)
        data = np.array(flat, dtype=float).reshape(HOURS_PER_YEAR, ncol)

    # Same physical limits as the EPW reader (humidity ratio: saturation at 70 degC and 31 kPa
    # is far above 1; 0.2 bounds any air on Earth).
    limits = ((-70, 70), (-70, 70), (0, 110), (31000, 120000), (-70, 70), (0, 0.2))
    for j, (low, high) in enumerate(limits):
        out = (data[:, j] < low) | (data[:, j] > high)
        if out.any():
            i = int(np.argmax(out))
            _fail(path, column_line + 1 + i, f"{COMPACT_COLUMNS[j]} {data[i, j]:g} is outside the "
                  f"physical range {low:g} to {high:g}", "regenerate the file with tools/build_weather.py")
    _store_array(text, data)
    return _weather_from(path, meta, column_line, data)


def _array_cache_file(text: str):
    from dcpower.cache import cache_dir

    d = cache_dir("weather")
    if d is None:
        return None
    return d / (hashlib.sha1(text.encode("utf-8")).hexdigest() + ".npy")


def _cached_array(text: str):
    """The parsed hourly table of a compact file read before (numpy .npy, no pickles)."""
    f = _array_cache_file(text)
    if f is None or not f.is_file():
        return None
    try:
        data = np.load(f, allow_pickle=False)
    except (OSError, ValueError):
        return None
    return data if data.shape == (HOURS_PER_YEAR, len(COMPACT_COLUMNS)) else None


def _store_array(text: str, data) -> None:
    f = _array_cache_file(text)
    if f is None:
        return
    try:
        f.parent.mkdir(parents=True, exist_ok=True)
        tmp = f.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, data, allow_pickle=False)
        os.replace(tmp, f)
    except OSError:
        pass


def _weather_from(path, meta, column_line, data) -> "Weather":
    def number(key):
        if key not in meta:
            _fail(path, column_line, f"header has no '# {key}:' line", "regenerate the file")
        value, line = meta[key]
        return _float(value.split()[0] if value else value, path, line, key)

    def temperature(value_line):
        value, line = value_line
        magnitude, _, unit = value.partition(" ")
        if unit.strip() not in ("degC", ""):
            _fail(path, line, f"'{value}' is not in degC", "write design temperatures in degC")
        return Q_(_float(magnitude, path, line, "design temperature"), ureg.degC)

    design_values = {name: temperature(meta[f"design.{name}"])
                     for name in _DESIGN_TEMPERATURES if f"design.{name}" in meta}
    returns = sorted((int(m.group(1)), temperature(v)) for key, v in meta.items()
                     if (m := _RETURN_KEY.match(key)))
    design = None
    if design_values or returns or "design.source" in meta:
        design = DesignConditions(source=meta.get("design.source", (None, 0))[0],
                                  extreme_dry_bulb_return=tuple(returns), **design_values)

    return Weather(
        name=meta.get("name", (path.name, 0))[0],
        source=meta.get("source", (path.name, 0))[0],
        latitude=number("latitude"), longitude=number("longitude"),
        elevation=Q_(number("elevation"), ureg.m),
        dry_bulb=Q_(data[:, 0], ureg.degC),
        dew_point=Q_(data[:, 1], ureg.degC),
        relative_humidity=Q_(data[:, 2], ureg.percent),
        pressure=Q_(data[:, 3], ureg.Pa),
        wet_bulb=Q_(data[:, 4], ureg.degC),
        humidity_ratio=Q_(data[:, 5], ureg.dimensionless),
        design=design,
    )
