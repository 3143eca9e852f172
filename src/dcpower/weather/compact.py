"""dcpower's compact form of a typical-year weather file, as the built-in sites ship it.

The compact form (:func:`write_compact`, :func:`read_compact`) is a gzip CSV of the six
hourly columns dcpower uses, with ``# key: value`` header lines for the station and its
ASHRAE design conditions. The built-in sites ship it under ``specs/weather/``; it loads in a
few milliseconds because nothing is recomputed.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
from pathlib import Path

import numpy as np

from dcpower.units import Q_, ureg
from dcpower.weather.model import DESIGN_TEMPERATURES, HOURS_PER_YEAR, DesignConditions, Weather
from dcpower.weather.reading import fail, parse_float, read_text

__all__ = ["write_compact", "read_compact", "COMPACT_COLUMNS", "COMPACT_MAGIC"]

COMPACT_COLUMNS = ("dry_bulb_degC", "dew_point_degC", "relative_humidity_pct", "pressure_Pa",
                   "wet_bulb_degC", "humidity_ratio")
COMPACT_MAGIC = "# dcpower compact weather, format 1"


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
    Header lines ``# key: value`` give the station (with its time zone) and its design conditions; then one row
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
    if weather.time_zone is not None:
        header.append(f"# time_zone: {weather.time_zone:g} h")
    design = weather.design
    if design is not None:
        if design.source:
            header.append(f"# design.source: {design.source}")
        for name in DESIGN_TEMPERATURES:
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
    text = read_text(path, "a dcpower compact weather file (.csv.gz)")
    lines = text.splitlines()
    if not lines or lines[0].strip() != COMPACT_MAGIC:
        fail(path, 1, "not a dcpower compact weather file (no '" + COMPACT_MAGIC + "' first line)",
              "regenerate it with tools/build_weather.py or dcpower.weather.epw.write_compact")
    meta: dict[str, tuple[str, int]] = {}
    k = 1
    while k < len(lines) and lines[k].startswith("#"):
        key, sep, value = lines[k][1:].partition(":")
        if not sep:
            fail(path, k + 1, f"header line '{lines[k][:40]}' is not '# key: value'", "fix or remove it")
        meta[key.strip()] = (value.strip(), k + 1)
        k += 1
    if k >= len(lines) or tuple(c.strip() for c in lines[k].split(",")) != COMPACT_COLUMNS:
        fail(path, k + 1, "expected the column line '" + ",".join(COMPACT_COLUMNS) + "'",
              "regenerate the file with tools/build_weather.py")
    column_line = k + 1
    body = lines[k + 1:]
    while body and not body[-1].strip():
        body.pop()
    if len(body) != HOURS_PER_YEAR:
        fail(path, column_line + len(body), f"file has {len(body)} hourly rows, expected 8760",
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
                fail(path, column_line + 1 + i, f"row has {len(fields)} fields, expected {ncol}",
                      "regenerate the file with tools/build_weather.py")
            for value, column in zip(fields, COMPACT_COLUMNS):
                parse_float(value, path, column_line + 1 + i, column)
        data = np.array(flat, dtype=float).reshape(HOURS_PER_YEAR, ncol)

    bad = _out_of_range(data)
    if bad is not None:
        i, j = bad
        low, high = _LIMITS[j]
        fail(path, column_line + 1 + i, f"{COMPACT_COLUMNS[j]} {data[i, j]:g} is outside the "
              f"physical range {low:g} to {high:g}", "regenerate the file with tools/build_weather.py")
    _store_array(text, data)
    return _weather_from(path, meta, column_line, data)


# Same physical limits as the EPW reader (humidity ratio: saturation at 70 degC and 31 kPa
# is far above 1; 0.2 bounds any air on Earth).
_LIMITS = ((-70, 70), (-70, 70), (0, 110), (31000, 120000), (-70, 70), (0, 0.2))


def _out_of_range(data: np.ndarray) -> tuple[int, int] | None:
    """(row, column) of the first value outside its column's physical range (NaN included), or None."""
    for j, (low, high) in enumerate(_LIMITS):
        ok = (data[:, j] >= low) & (data[:, j] <= high)  # False for NaN
        if not ok.all():
            return int(np.argmin(ok)), j
    return None


def _array_cache_file(text: str):
    from dcpower.cache import cache_dir

    d = cache_dir("weather")
    if d is None:
        return None
    return d / (hashlib.sha256(text.encode("utf-8")).hexdigest() + ".npy")


def _cached_array(text: str):
    """The parsed hourly table of a compact file read before, checked as a fresh parse is.

    The cache holds a plain float array (``.npy``, loaded without pickles). An entry that is
    unreadable, of another shape or type, or holds a value the parser would refuse (NaN, out
    of range) is deleted and the file parsed again: a cache is never trusted and never fatal.
    """
    from dcpower.cache import discard
    from dcpower.inputs import MAX_CACHE_BYTES, read_input

    f = _array_cache_file(text)
    if f is None or not f.exists():
        return None
    try:
        raw = read_input(f, "a weather cache entry", MAX_CACHE_BYTES, remember=False)
        data = np.load(io.BytesIO(raw), allow_pickle=False)
        expected = (HOURS_PER_YEAR, len(COMPACT_COLUMNS))
        if isinstance(data, np.ndarray) and data.dtype == np.float64 and data.shape == expected \
                and _out_of_range(data) is None:
            return data
    except Exception:  # noqa: BLE001 - whatever is wrong with an entry, it is rebuilt
        pass
    discard(f)
    return None


def _store_array(text: str, data) -> None:
    from dcpower.cache import store

    f = _array_cache_file(text)
    if f is not None:
        buf = io.BytesIO()
        np.save(buf, np.ascontiguousarray(data, dtype=np.float64), allow_pickle=False)
        store(f, buf.getvalue())


def _weather_from(path, meta, column_line, data) -> "Weather":
    def number(key):
        if key not in meta:
            fail(path, column_line, f"header has no '# {key}:' line", "regenerate the file")
        value, line = meta[key]
        return parse_float(value.split()[0] if value else value, path, line, key)

    def temperature(value_line):
        value, line = value_line
        magnitude, _, unit = value.partition(" ")
        if unit.strip() not in ("degC", ""):
            fail(path, line, f"'{value}' is not in degC", "write design temperatures in degC")
        return Q_(parse_float(magnitude, path, line, "design temperature"), ureg.degC)

    design_values = {name: temperature(meta[f"design.{name}"])
                     for name in DESIGN_TEMPERATURES if f"design.{name}" in meta}
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
        time_zone=number("time_zone") if "time_zone" in meta else None,
    )
