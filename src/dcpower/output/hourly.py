"""The hourly series of an estimate as a file: CSV (no pandas needed) or Parquet (pandas + pyarrow).

Both have the same columns: ``hour_ending``, the end of each hour as an ISO 8601 time with the
site's UTC offset (``2001-01-01T01:00:00-06:00``, see :meth:`dcpower.Estimate.to_frame` for
the convention), then one column per series named ``name [unit]`` (``facility_power [MW]``;
a dimensionless series has no bracket). The format follows the file's extension.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from dcpower.chain.result import hour_ending, pandas
from dcpower.errors import DcpowerError, InputError

__all__ = ["HOURLY_FORMATS", "check_hourly_path", "hourly_data", "hourly_csv", "hourly_parquet", "heading"]

HOURLY_FORMATS = (".csv", ".parquet")


def check_hourly_path(path) -> str:
    """The format of ``path`` from its extension; one-line InputError for any other."""
    suffix = Path(str(path)).suffix.lower()
    if suffix not in HOURLY_FORMATS:
        raise InputError(f"--hourly {path}: give a file ending in {' or '.join(HOURLY_FORMATS)} "
                         "(CSV needs nothing more, Parquet needs pandas and pyarrow)")
    return suffix


def heading(name: str, unit: str) -> str:
    """``facility_power [MW]``; the bare name when dimensionless."""
    return f"{name} [{unit}]" if unit else name


def _times(est) -> list:
    n = len(next(iter(est.hourly.columns().values()))[0])
    return hour_ending(n, est.resolved.weather.time_zone)


def hourly_csv(est, units: str = "si") -> str:
    """The hourly series as CSV text: a header of ``name [unit]``, then one row per hour."""
    columns = est.hourly.columns(units)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["hour_ending"] + [heading(n, u) for n, (_, u) in columns.items()])
    values = [v for v, _ in columns.values()]
    for i, t in enumerate(_times(est)):
        w.writerow([t.isoformat()] + [format(float(v[i]), ".6g") for v in values])
    return buf.getvalue()


def hourly_parquet(est, units: str = "si") -> bytes:
    """The hourly series as Parquet bytes (columns as in the CSV; units also in the file's
    pandas metadata as ``attrs["units"]``). Needs pandas and pyarrow."""
    pandas("--hourly FILE.parquet")
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise DcpowerError('--hourly FILE.parquet needs pyarrow: pip install pyarrow (or write a .csv file, '
                           'which needs nothing more)') from None
    df = est.to_frame(units)
    units_of = dict(df.attrs["units"])
    df = df.rename(columns={n: heading(n, u) for n, u in units_of.items()})
    df.attrs["units"] = {heading(n, u): u for n, u in units_of.items()}
    buf = io.BytesIO()
    df.to_parquet(buf, engine="pyarrow")
    return buf.getvalue()


def hourly_data(est, path, units: str = "si") -> str | bytes:
    """What ``--hourly PATH`` writes: CSV text or Parquet bytes by the extension."""
    return hourly_parquet(est, units) if check_hourly_path(path) == ".parquet" else hourly_csv(est, units)
